/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ipc-top: what its parts share.  The model (model.c) turns the watch's
 * snapshot into rows, with what changed and how fast; the screen
 * (screen.c) draws them; the keys (keys.c) are one table of bindings,
 * each with its help and an action that says what must be redone.
 * Nothing here touches the kernel: the library does.
 */
#ifndef IPCKIT_TUI_TOP_H
#define IPCKIT_TUI_TOP_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common.h"
#include "ipckit-snapshot.h"

/* How long a new row and a changed cell stay highlighted. */
#define HIGHLIGHT_NS (3 * INT64_C(1000000000))
/* Queue depths kept for the sparkline: the last minute, a sample a second. */
#define HISTORY 60

struct top;

/* --------------------------------------------------------------- columns */

/* Columns the library's records do not have: rates the watch measures. */
enum {
	COL_MSG_RATE = 1000,	/* messages in/out per second */
	COL_OPS_RATE,		/* semaphore operations per second */
	COL_HOLD_RATE,		/* holders coming and going per second */
};

struct column {
	int id;			/* a field (enum ipk_field_id) or COL_* */
	const char *name;	/* the header */
	bool right;
	bool wide;		/* takes what width is left */
};

/* The column of name @name (a field's column or JSON name, or a rate), or NULL. */
const struct column *column_find(const char *name);
const struct column *column_at(size_t i);
size_t column_count(void);
/* "REF,SIZE" or "+SIZE" (appended to the default): false with *bad on an unknown name. */
bool columns_parse(const char *spec, const struct column ***out, size_t *n, char *bad,
		   size_t badlen);

/* ----------------------------------------------------------------- model */

/* What ipc-top remembers of an object across refreshes. */
struct track {
	char *ref;
	int64_t born;		/* when it appeared (0: there at the start) */
	int64_t changed_at;	/* when @changed last grew */
	uint64_t changed;	/* IPK_FIELD_MASK()s changed in the last HIGHLIGHT_NS */
	bool tagged;
	bool seen;		/* in the snapshot at the last refresh */
	uint32_t depth[HISTORY];	/* queue depth, oldest first */
	unsigned ndepth;
	int64_t depth_at;	/* time of the newest sample */
};

enum row_type {
	ROW_OBJECT,
	ROW_GROUP,	/* a tree's heading: a kind, an owner, a process */
};

struct row {
	enum row_type type;
	const struct ipk_object *o;	/* ROW_OBJECT */
	struct track *t;		/* ROW_OBJECT, or NULL when nothing is tracked */
	bool ghost;			/* removed since the last refresh: shown once */
	int depth;			/* tree depth */
	bool last;			/* last child of its parent (tree drawing) */
	char label[64];			/* ROW_GROUP */
	size_t count;			/* ROW_GROUP: objects below */
};

enum tree_mode {
	TREE_NONE,
	TREE_KIND,	/* kind, owner, object */
	TREE_HOLDER,	/* process, objects it holds */
};

enum screen_mode {
	SCREEN_MAIN,
	SCREEN_HELP,
	SCREEN_SETUP,
};

/* A line being typed on the status line. */
struct prompt {
	bool active;
	char label[256];		/* as it is: escaped where drawn */
	char text[256];
	size_t len;
	/* called on each change (live filters, incremental search) */
	void (*changed)(struct top *t);
	/* Enter: with the text; Esc: cancel (with NULL) */
	unsigned (*done)(struct top *t, const char *text);
	/* y/N: any key answers at once */
	bool yes_no;
};

/* What an action asks to be redone (htop's reactions). */
enum {
	R_NONE = 0,
	R_DRAW = 1 << 0,	/* repaint */
	R_REBUILD = 1 << 1,	/* rows again: order, filter, view changed */
	R_REFRESH = 1 << 2,	/* read the objects again now */
	R_QUIT = 1 << 3,
};

struct config {
	char *columns;		/* as -o takes them */
	int delay;		/* tenths of a second */
	int colour;		/* 1 on, 0 off, -1 not said */
	char *sort;		/* a column name */
	int sort_inverted;
};

struct top {
	/* options */
	struct out_opts out;
	struct ipk_filter *filter;
	struct scope scope;
	int delay;			/* tenths */
	long long max_iterations;	/* 0: none */
	bool batch, readonly, no_colour, no_mouse, stats, filtered_orphan;
	const char *sort_name;
	const char *scenario;
	double slow;
	enum tree_mode start_tree;

	/* the objects */
	struct ipk_ctx *ctx;
	struct ipk_watch *watch;
	struct ipk_snapshot *snap;
	const struct column **cols;
	size_t ncols;

	/* rows of the table */
	struct row *rows;
	size_t nrows, rows_cap;
	struct ipk_object **ghosts, **ghosts_next;	/* removed: shown at one refresh */
	size_t nghosts, nghosts_next, ghosts_cap, ghosts_next_cap;
	size_t nobjects;				/* objects in the snapshot */
	struct ipk_limit *limits;			/* the kernel's, read with the objects */
	size_t nlimits;
	size_t per_kind[32];

	/* what is remembered per object, by REF */
	struct track **tracks;
	size_t ntracks, tracks_cap;

	/* the view */
	size_t view;			/* 0 every kind, 1 + i kind i */
	enum tree_mode tree;
	const struct column *sort;	/* NULL: ipc-ls's order */
	bool sort_inverted;
	char filter_text[256];		/* F4: live filter, as typed */
	char search_text[256];		/* F3 */
	/* what they match: the text with the escapes names are shown with read back */
	char filter_find[256], search_find[256];
	struct ipk_filter *keyf;	/* u and p: owner and holder pid */
	char keyf_text[64];
	bool paused;

	/* the cursor */
	size_t sel, scroll;
	char *sel_ref;
	char *want_ref;			/* made by c: the cursor goes there once it is listed */
	int64_t want_until;

	/* the detail pane */
	bool detail;
	struct ipk_object *detail_obj;	/* looked up again at each refresh */
	char *received;			/* the last message received, escaped */
	size_t detail_scroll;

	/* a removal waiting for its confirmation or its force */
	char **pending;
	struct ipk_object **pending_obj;
	size_t npending;
	bool pending_force;
	/* an action waiting for its second prompt */
	int act_what;			/* enum ipk_action */
	int act_member;
	char *act_text;

	enum screen_mode screen;
	size_t setup_sel;
	size_t help_scroll;
	struct prompt prompt;
	char status[512];
	int status_attr;		/* 0 plain, 1 good, 2 bad */

	/* the terminal */
	bool curses, colour, utf8, mouse;
	int rows_on_screen;		/* table rows that fit */
	int table_y;			/* first table row */
	int header_y;			/* the column headers */
	int footer_y;
	int *col_x, *col_w;		/* where each column was drawn */

	/* the scenario */
	pid_t scenario_pid;
	int scenario_fd;
	char scenario_line[256];
	int scenario_status;		/* -1 running */

	/*
	 * The reader: a thread that brings the watch up to date and builds the
	 * rows while the main one keeps the screen; during a read it alone uses
	 * the context, the snapshot, the rows, the tracks and the ghosts.
	 */
	pthread_t reader;
	bool reader_started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool go, quit, read_done;	/* under mu */
	int read_rc;
	int done_fd[2];			/* the reader writes a byte when it is done */
	bool reading;			/* a read goes on: the keys wait in queued[] */
	bool read_counts;		/* a refresh's read (-n counts it), not an action's */
	uint64_t read_cpu0;
	int queued[64];
	size_t nqueued;

	/* counts */
	long long iterations;
	uint64_t refresh_ns_total, refresh_ns_max, build_ns_max, draw_ns_max;
	uint64_t poll_wall_ns_max;
	uint64_t busy_ns_max;		/* the screen's thread away from the keys, at most */
};

int64_t now_ns(void);
uint64_t cpu_ns(void);

/* model.c */
struct track *track_get(struct top *t, const char *ref, bool create);
int on_event(const struct ipk_event *ev, void *arg);
void model_after_refresh(struct top *t);
void rows_build(struct top *t);
bool row_matches_text(struct top *t, const struct ipk_object *o, const char *text);
const struct row *row_selected(const struct top *t);
void select_ref(struct top *t, const char *ref);
void select_index(struct top *t, size_t i);
void keep_selection(struct top *t);
const struct ipk_kind *view_kind(const struct top *t, size_t v);
size_t view_count(const struct top *t);
const char *view_name(const struct top *t, size_t v);
bool may_change(const struct top *t, const struct ipk_object *o, const char **why);
void cell_text(struct top *t, const struct ipk_object *o, const struct column *c,
	       struct ipk_buf *out);
void model_free(struct top *t);
void ghosts_flip(struct top *t);

/* screen.c */
void screen_start(struct top *t);
void screen_end(void);
void screen_draw(struct top *t);
void status_set(struct top *t, int attr, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int screen_column_at(const struct top *t, int x);
/* While a read goes on: the cursor moved by @d over the rows drawn, and those drawn again. */
bool screen_move_in_frame(struct top *t, long d);
void screen_draw_frame(struct top *t);
void screen_free(void);
void batch_print(struct top *t);

/* keys.c */
unsigned key_handle(struct top *t, int key);
unsigned mouse_handle(struct top *t);
void help_lines(struct top *t, void (*line)(struct top *t, const char *keys, const char *help,
					    bool greyed, void *arg), void *arg);
int keys_complete(const char *what);
/* The footer: F-keys, their labels, whether greyed now (@greyed NULL: not asked). */
size_t footer_count(void);
void footer_at(struct top *t, size_t i, const char **key, const char **label, bool *greyed,
	       int *code);

/* ipc-top.c */
int config_save(struct top *t, char *err, size_t errlen);

#endif
