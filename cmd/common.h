/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every ipckit command shares: exit codes, the message grammar, the
 * option tables (from which getopt, --help and shell completion come), the
 * shared output and filter options, and one renderer for tables and JSON.
 */
#ifndef IPCKIT_CMD_COMMON_H
#define IPCKIT_CMD_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <wchar.h>

#include "ipckit.h"

/* The exit codes of every command and man page. */
enum {
	EXIT_OK = 0,		/* success */
	EXIT_PARTIAL = 1,	/* some item failed or was not found */
	EXIT_USAGE = 2,		/* the command line is wrong */
	EXIT_UNSUPPORTED = 3,	/* the kernel or system cannot do it here */
};

extern const char *program_name;

/*
 * Text made safe to show on a terminal, on one line: control characters
 * and bytes that are not text in this locale become \xHH, characters that
 * make text display as other text (bidirectional overrides, zero-width
 * characters) \uHHHH, and a backslash \x5c, so that no two texts show
 * alike; with @raw, spaces too.  Every human-readable output of every
 * command goes through it, once: tables, records, confirmations, reports
 * and messages.  esc() returns a static buffer, valid until its next call.
 */
void esc_text(const char *s, bool raw, struct ipk_buf *out);
const char *esc(const char *s);
/*
 * What a user typed, with the escapes esc_text() writes read back: the
 * REF a listing shows names the object it was shown for. Other text,
 * "\x41" among it, is taken as it is. NULL when out of memory.
 */
char *unesc(const char *typed);
/*
 * unesc() of a shell pattern (--name): what esc_text() wrote is read back
 * as the literal bytes it stands for ("\x5c" as an escaped backslash where
 * it is a character of its own), and the pattern's own escapes ("\\",
 * "\*") are left as they are.
 */
char *unesc_glob(const char *typed);
/*
 * The next character of @s (@len > 0 bytes): its bytes, its columns in
 * *@width. A byte that starts no character counts as one of each.
 */
size_t text_step(const char *s, size_t len, mbstate_t *st, int *width);
/* Columns @s takes on a terminal. */
size_t text_width(const char *s);
/*
 * The bytes of @n (the first of escaped text @s, @len bytes in all, kept when
 * the rest is cut) that end at no escape's middle: "/\x" of "/\xc3" would
 * read as a name with a backslash.
 */
size_t esc_cut(const char *s, size_t len, size_t n);
/* The first byte at or after @at of escaped text @s (@len bytes) at no escape's middle. */
size_t esc_skip(const char *s, size_t len, size_t at);

/* "ipc-ls: <message>" on stderr, one line. */
void msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "ipc-ls: cannot <verb> '<object>': <reason>" */
void msg_cannot(const char *verb, const char *object, int err);
/* A usage error: the message, a pointer to --help, and exit 2. */
__attribute__((noreturn, format(printf, 1, 2))) void usage_error(const char *fmt, ...);
/* strerror() in lower case, as the message grammar wants it (ipk_strerror). */
const char *reason(int err);
/*
 * The exit status of a failure with errno @err, the same in every command:
 * EXIT_UNSUPPORTED where this system lacks what was asked (ENOSYS,
 * EOPNOTSUPP, EAFNOSUPPORT, EPROTONOSUPPORT), EXIT_USAGE for a value the
 * kernel or its limits do not take (EINVAL), EXIT_PARTIAL otherwise.
 */
int exit_status_of(int err);
/* Reports the library's diagnostics and clears them; returns how many. */
size_t report_diags(struct ipk_ctx *ctx);
/* One line when the last scan could not read some processes: a note. */
void report_unreadable(struct ipk_ctx *ctx);

/*
 * The signal that asked the command to stop (SIGINT, SIGTERM, SIGHUP), 0
 * until one came.  catch_stop_signals() sets it from a handler that also
 * calls @interrupt (async-signal-safe, or NULL), without SA_RESTART: a
 * wait in progress returns at once.
 */
extern volatile sig_atomic_t stop_signal;
void catch_stop_signals(void (*interrupt)(void));

/* ---------------------------------------------------------------- options */

enum opt_flags {
	OPT_HIDDEN = 1 << 0,	/* accepted, not shown by --help */
};

/* How a shell completes an option's argument. */
enum opt_complete {
	COMPLETE_NONE,
	COMPLETE_KINDS,		/* kind names and aliases, comma-separated */
	COMPLETE_COLUMNS,	/* column names, comma-separated */
	COMPLETE_REFS,		/* live object REFs */
	COMPLETE_USERS,
	COMPLETE_FILES,
	COMPLETE_WORDS,		/* the words of .words */
	COMPLETE_SETS,		/* KEY= of a scenario file on the line (--complete=sets:FILE) */
};

struct cmd_option {
	const char *name;	/* long name, without "--" */
	int key;		/* the short letter, or a value >= 256 */
	const char *arg;	/* the argument's name in --help, NULL for none */
	const char *help;
	enum opt_complete complete;
	const char *words;	/* for COMPLETE_WORDS: "short full iso" */
	unsigned flags;		/* enum opt_flags */
};

/* A titled group of options: "Output", "Filters" ... */
struct opt_group {
	const char *title;
	const struct cmd_option *v;
	size_t n;
};

/* Option keys without a short letter. */
enum {
	OPT_HELP = 'h',
	OPT_VERSION = 'V',
	OPT_OUTPUT = 'o',
	OPT_JSON = 'J',
	OPT_RAW = 'r',
	OPT_NOHEADINGS = 'n',
	OPT_PAIRS = 'P',
	OPT_BYTES = 'b',
	OPT_COMPLETE = 256,
	OPT_NUMERIC_PERMS,
	OPT_TIME_FORMAT,
	OPT_SYSROOT,
	OPT_KIND,
	OPT_OWNER,
	OPT_NAME,
	OPT_KEY,
	OPT_OLDER_THAN,
	OPT_MIN_SIZE,
	OPT_PID,
	OPT_ORPHAN,
	OPT_NS,
	OPT_CSV,
	OPT_NO_BPF,
	OPT_COMMAND_BASE = 512,	/* a command's own options start here */
};

extern const struct cmd_option common_options[];
extern const size_t common_options_count;
extern const struct cmd_option output_options[];
extern const size_t output_options_count;
extern const struct cmd_option filter_options[];
extern const size_t filter_options_count;

/* What a command is: its name, synopsis lines and option groups. */
struct cmd_spec {
	const char *name;
	const char *summary;		/* one line: what it does */
	const char *const *synopsis;	/* NULL-terminated "[options] [REF...]" */
	const struct opt_group *groups;
	size_t ngroups;
	const char *more;		/* text after the options, or NULL */
	/* Completion of positional arguments (COMPLETE_WORDS: positional_words). */
	enum opt_complete positional;
	const char *positional_words;
	/* The command works on the live system only: it offers no --sysroot. */
	bool no_sysroot;
	/*
	 * Long options only as spelled in full: getopt's abbreviations
	 * (--a for --all) are refused, for commands where a slip of the
	 * keyboard must not change what is done.
	 */
	bool exact_options;
	/* What --help lists from the library's tables (HELP_*). */
	unsigned help_lists;
	/*
	 * The command's own --complete=WHAT, beyond the shared ones: 0 when
	 * it printed the words, -ENOENT when WHAT is not its.  NULL: none.
	 */
	int (*complete)(const char *what);
};

enum {
	HELP_KINDS = 1 << 0,		/* every kind, its alias and what it is */
	HELP_COLUMNS = 1 << 1,		/* every column, with its help */
	HELP_CREATABLE = 1 << 2,	/* the kinds ipk_create() makes, with their attributes */
};

/*
 * The kinds ipk_create() makes, grouped as ipc-mk's synopsis shows them:
 * one line per way of naming ("sysv-msg|sysv-sem|sysv-shm [--key KEY]
 * [options]"), NULL-terminated, in static storage.
 */
const char *const *creatable_synopsis(void);

/*
 * Calls @handle(key, optarg, data) for every option of argv in order and
 * returns the index of the first operand.  Handles --help, --version and
 * --complete itself (they exit); unknown options are usage errors.
 */
int opts_parse(const struct cmd_spec *spec, int argc, char **argv,
	       void (*handle)(int key, const char *arg, void *data), void *data);

/* ----------------------------------------------------------------- output */

enum out_mode {
	OUT_TABLE,
	OUT_RAW,
	OUT_JSON,
	OUT_PAIRS,
	OUT_CSV,	/* RFC 4180: comma-separated, quoted where needed */
};

/* The output options, as the shared option handler sets them. */
struct out_opts {
	enum out_mode mode;
	bool noheadings;
	const char *columns;	/* -o: "REF,SIZE" or "+SIZE" */
	struct ipk_format fmt;
};

/*
 * Handles the output options; returns false for a key that is not one.
 * An argument it cannot use is a usage error.
 */
bool out_opts_handle(struct out_opts *o, int key, const char *arg);

/*
 * The object the REF @given names, its escapes read back (unesc()) when a
 * user @typed it: a malformed REF or unknown kind is a usage error (exit
 * 2); no such object or a failure is a message, *status set to
 * EXIT_PARTIAL and NULL.
 */
struct ipk_object *lookup_ref(struct ipk_ctx *ctx, const char *given, bool typed, int *status);
/* The usage error of a REF (@ref, malloc'd: freed) ipk_ref_parse() refused with @err. */
__attribute__((noreturn)) void ref_usage_error(char *ref, int err);

/* Handles the filter options (usage error on bad values). */
bool filter_opts_handle(struct ipk_filter *f, int key, const char *arg);

/* Where a command looks: --sysroot (or IPCKIT_SYSROOT) and --ns; how: --no-bpf. */
struct scope {
	const char *sysroot;
	const char *ns;
	bool no_bpf;
};

bool scope_opts_handle(struct scope *sc, int key, const char *arg);
/* A context for @sc; on a bad --ns, a message and exit. */
struct ipk_ctx *scope_ctx(const struct scope *sc);

/* A column of a rendered table. */
enum out_col_flags {
	COL_RIGHT = 1 << 0,	/* right-aligned */
	COL_TRUNC = 1 << 1,	/* may be truncated to fit the terminal */
	COL_TREE = 1 << 2,	/* draws the tree of --tree */
	COL_NUMBER = 1 << 3,	/* a JSON number, not a string */
	COL_KEEP_END = 1 << 4,	/* with COL_TRUNC: cut at its start (a path's file name stays) */
	COL_REF = 1 << 5,	/* a REF: in JSON with the escapes commands read back */
};

struct out_col {
	const char *header;	/* "SIZE" */
	const char *json;	/* "size" */
	unsigned flags;
};

struct out;
struct out_row;

/* @json_root names the top-level array: {"objects": [...]}. */
struct out *out_new(const struct out_opts *opts, const char *json_root,
		    const struct out_col *cols, size_t ncols);
/* A row under @parent (NULL at the top); rows are printed by out_print(). */
struct out_row *out_row(struct out *out, struct out_row *parent);
/*
 * Sets a cell.  @text is for tables (NULL: "-"); @json is the cell's JSON
 * value as text ("42", "\"x\"", "null"), or NULL to derive it from @text
 * (quoted, or a bare number for COL_NUMBER columns, null for NULL text).
 */
int out_set(struct out *out, struct out_row *row, size_t col, const char *text,
	    const char *json);
/* A title above a table (table mode only). */
int out_set_title(struct out *out, const char *title);
/*
 * A member of the JSON document after the rows' array: {"results": [...],
 * "machine": {...}}.  @json is the value, already rendered.
 */
int out_json_member(struct out *out, const char *key, const char *json);
/* A JSON-only row: the whole object, already rendered. */
int out_row_json(struct out_row *row, const char *object);
/* Prints everything; write errors are left for close_stdout(). */
int out_print(struct out *out);
void out_free(struct out *out);

/*
 * Resolves -o against the field table: a list of field ids.  "+COLS"
 * appends to @defaults.  An unknown name is a usage error.
 */
size_t out_fields(const char *spec, const int *defaults, size_t ndefaults, int **fields);

/*
 * Fills @row with the object: its @fields as cells from column @first on,
 * or in JSON mode the whole object (every record field with
 * @all_fields_json, else just @fields).  -EINVAL when @row is not the
 * newest row.
 */
int out_object(struct out *out, struct out_row *row, size_t first, struct ipk_ctx *ctx,
	       const struct ipk_object *o, const int *fields, size_t nfields,
	       bool all_fields_json);

/* The columns ipc-ls shows by default (and ipc-top). */
extern const int ls_default_fields[];
extern const size_t ls_default_fields_count;

/* Renders objects with these fields in the chosen mode. */
int out_objects(struct ipk_ctx *ctx, const struct out_opts *opts,
		const struct ipk_list *list, const int *fields, size_t nfields,
		bool all_fields_json);

/* Flushes stdout at exit; a closed pipe is not an error, a full disk is. */
int close_stdout(void);

/*
 * Whether a command frees what it read before it exits: the kernel takes
 * a listing's memory back at once, so only where leaks are looked for
 * (valgrind, AddressSanitizer, or IPCKIT_FREE_AT_EXIT set).  What is not
 * freed stays reachable, from a static pointer, until the exit.
 */
bool free_at_exit(void);

/*
 * Field @f of @o as a detail view (ipc-ls -i, ipc-top's pane) shows it:
 * exact bytes with the short form beside them; -ENOMEM only.
 */
int detail_text(struct ipk_ctx *ctx, const struct ipk_object *o, int f,
		const struct ipk_format *fmt, struct ipk_buf *b);

/*
 * Asks @ctx for every field but those flagged IPK_FIELD_COSTLY (RSS and
 * SWAP: only /proc/sysvipc/shm gives them, 1.5 us a segment against
 * 0.32 us for SHM_STAT_ANY, which has the rest): -o RSS and -i still
 * show them.
 */
void want_all_but_costly(struct ipk_ctx *ctx);

#endif
