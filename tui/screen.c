/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The screen of ipc-top, htop's layout: meters of the kernel's limits and
 * counts per kind at the top, the table of objects, the detail pane, a
 * status line and the function keys.  Colour where the terminal has it
 * and NO_COLOR is not set; attributes alone otherwise.  Every text that
 * comes from an object went through esc_text(): no byte of a name
 * reaches the terminal as a control.
 */
#include "top.h"

#include <curses.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

/* What is drawn how: one colour pair each, and the attribute without colour. */
enum paint {
	P_PLAIN,
	P_TITLE,	/* the column headers */
	P_BAR,		/* a meter's use */
	P_BAR_HIGH,	/* past 90% */
	P_NEW,
	P_GHOST,
	P_CHANGED,
	P_SELECTED,
	P_TAGGED,
	P_KEY,		/* a function key's number */
	P_KEY_LABEL,
	P_GOOD,
	P_BAD,
	P_GROUP,	/* a tree's heading */
	P_DIM,
	P_COUNT
};

static const struct {
	short fg, bg;
	attr_t mono;
	attr_t extra;	/* added in colour too */
} paints[P_COUNT] = {
	[P_PLAIN] = { -1, -1, A_NORMAL, 0 },
	[P_TITLE] = { COLOR_BLACK, COLOR_GREEN, A_REVERSE, 0 },
	[P_BAR] = { COLOR_GREEN, -1, A_BOLD, 0 },
	[P_BAR_HIGH] = { COLOR_RED, -1, A_BOLD | A_UNDERLINE, A_BOLD },
	[P_NEW] = { COLOR_GREEN, -1, A_BOLD, A_BOLD },
	[P_GHOST] = { COLOR_RED, -1, A_DIM, A_DIM },
	[P_CHANGED] = { COLOR_BLACK, COLOR_YELLOW, A_BOLD | A_UNDERLINE, 0 },
	[P_SELECTED] = { COLOR_BLACK, COLOR_CYAN, A_REVERSE, 0 },
	[P_TAGGED] = { COLOR_YELLOW, -1, A_BOLD, A_BOLD },
	[P_KEY] = { -1, -1, A_NORMAL, 0 },
	[P_KEY_LABEL] = { COLOR_BLACK, COLOR_CYAN, A_REVERSE, 0 },
	[P_GOOD] = { COLOR_GREEN, -1, A_BOLD, A_BOLD },
	[P_BAD] = { COLOR_RED, -1, A_BOLD, A_BOLD },
	[P_GROUP] = { COLOR_CYAN, -1, A_BOLD, A_BOLD },
	[P_DIM] = { -1, -1, A_DIM, A_DIM },
};

static bool colour_on;
static bool started;
/* The mark of cut text: "…" where the locale is UTF-8 (top.utf8), "~" elsewhere. */
static const char *cut_mark = "~";

static attr_t paint(enum paint p)
{
	if (!colour_on)
		return paints[p].mono;
	return COLOR_PAIR(p) | paints[p].extra;
}

void screen_end(void)
{
	if (!started)
		return;
	started = false;
	endwin();
}

void screen_start(struct top *t)
{
	if (!initscr()) {
		msg("cannot start the screen: TERM=%s is unknown", getenv("TERM") ? getenv("TERM") : "");
		exit(EXIT_PARTIAL);
	}
	started = true;
	cut_mark = t->utf8 ? "\u2026" : "~";
	atexit(screen_end);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	colour_on = false;
	if (t->colour && has_colors() && start_color() == OK) {
		use_default_colors();
		for (int p = 1; p < P_COUNT; p++)
			init_pair((short)p, paints[p].fg, paints[p].bg);
		colour_on = true;
	}
	t->mouse = false;
	if (!t->no_mouse && mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED |
				      BUTTON5_PRESSED, NULL)) {
		mouseinterval(0);
		t->mouse = true;
	}
	t->curses = true;
}

void status_set(struct top *t, int attr, const char *fmt, ...)
{
	va_list ap;
	char raw[sizeof(t->status)];

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	struct ipk_buf b = { 0 };
	esc_text(raw, false, &b);
	snprintf(t->status, sizeof(t->status), "%s", b.s ? b.s : "");
	ipk_buf_free(&b);
	t->status_attr = attr;
}

/* ---------------------------------------------------------------- text */

/*
 * @s escaped but for its backslashes, for text that has no other's: what
 * the user types ("\x5c" shows as typed), what ipc-scenario printed
 * (escaped already).
 */
static void esc_but_backslashes(const char *s, struct ipk_buf *e)
{
	struct ipk_buf piece = { 0 };

	while (*s) {
		size_t n = strcspn(s, "\\");
		ipk_buf_reset(&piece);
		if (n && ipk_buf_add(&piece, s, n) == 0)
			esc_text(piece.s, false, e);
		if (s[n])
			ipk_buf_add(e, "\\", 1);
		s += n + (s[n] != '\0');
	}
	ipk_buf_free(&piece);
}

/*
 * Draws at most @width columns of @s at y, x; pads with spaces to @width
 * when @pad. Text cut so ends in a mark, as ipc-ls marks its cells: a
 * semaphore array's "4,100,9" shown as "4,100" would read as another value.
 */
static int put(int y, int x, int width, const char *s, attr_t a, bool pad)
{
	mbstate_t st = { 0 };
	size_t n = strlen(s);
	int w = 0;
	bool cut;

	if (width <= 0)
		return 0;
	cut = (int)text_width(s) > width;
	if (cut)
		width--;	/* the mark's column */
	move(y, x);
	attrset(a);
	size_t kept = 0;
	while (kept < n) {
		int cw;
		size_t k = text_step(s + kept, n - kept, &st, &cw);
		if (w + cw > width)
			break;
		w += cw;
		kept += k;
	}
	if (cut && kept < n) {
		/* an escape's bytes are a column each */
		size_t whole = esc_cut(s, n, kept);
		w -= (int)(kept - whole);
		kept = whole;
	}
	addnstr(s, (int)kept);
	if (cut) {
		addstr(cut_mark);
		w++;
		width++;
	}
	for (; pad && w < width; w++)
		addch(' ');
	attrset(A_NORMAL);
	return w;
}

/* -------------------------------------------------------------- header */

/* The limits that run out in practice, as meters: one row of the library's table each. */
static const char *const meters[] = {
	"MSGMNI", "SEMMNI", "SHMMNI", "SHMALL", "SHM_FS", "SHM_FS_FILES", "MQ_QUEUES", "MQ_BYTES",
};
#define NMETERS (sizeof(meters) / sizeof(meters[0]))

static void number_text(uint64_t v, enum ipk_unit unit, struct ipk_buf *b)
{
	if (unit == IPK_UNIT_BYTES)
		ipk_format_bytes(v, b);
	else
		ipk_buf_printf(b, "%llu", (unsigned long long)v);
}

/* "used/limit" of @l. */
static void meter_text(const struct ipk_limit *l, struct ipk_buf *b)
{
	ipk_buf_reset(b);
	if (l->has_used)
		number_text(l->used, l->unit, b);
	else
		ipk_buf_puts(b, "?");
	ipk_buf_puts(b, "/");
	if (l->has_limit && l->unlimited)
		ipk_buf_puts(b, "unlimited");
	else if (l->has_limit)
		number_text(l->limit, l->unit, b);
	else
		ipk_buf_puts(b, "?");
}

static void draw_meter(struct top *t, int y, int x, int w, const struct ipk_limit *l)
{
	struct ipk_buf b = { 0 };
	double pct = ipk_limit_percent(l);
	int label = 13;

	put(y, x, label, l->resource, A_BOLD | (colour_on ? COLOR_PAIR(P_GROUP) : 0), true);
	int inner = w - label - 2;
	if (inner < 8) {
		ipk_buf_free(&b);
		return;
	}
	meter_text(l, &b);
	int tw = (int)text_width(b.s);
	int fill = pct < 0 ? 0 : (int)(pct / 100.0 * inner + 0.5);
	if (pct > 0 && fill == 0)
		fill = 1;
	if (fill > inner)
		fill = inner;
	enum paint p = pct >= 90 ? P_BAR_HIGH : P_BAR;
	mvaddch(y, x + label, '[');
	for (int i = 0; i < inner; i++) {
		int ti = i - (inner - tw);
		chtype c = ti >= 0 ? (chtype)(unsigned char)b.s[ti] : (i < fill ? '|' : ' ');
		attrset(ti >= 0 ? A_NORMAL : i < fill ? paint(p) : A_NORMAL);
		addch(c);
	}
	attrset(A_NORMAL);
	addch(']');
	(void)t;
	ipk_buf_free(&b);
}

static int draw_header(struct top *t, int y)
{
	const struct ipk_limit *v;
	size_t n = 0;
	struct ipk_buf b = { 0 };
	char when[16];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	ipk_buf_printf(&b, "ipc-top %s  %zu objects, %zu shown  view: %s", when, t->nobjects,
		       t->nrows, view_name(t, t->view));
	if (t->tree)
		ipk_buf_printf(&b, "  tree: %s", t->tree == TREE_KIND ? "kind/owner" : "holders");
	if (t->sort)
		ipk_buf_printf(&b, "  sort: %s%s", t->sort->name, t->sort_inverted ? " (inverted)" : "");
	if (t->filter_find[0])
		ipk_buf_printf(&b, "  filter: %s", t->filter_find);
	if (t->keyf_text[0])
		ipk_buf_printf(&b, "  %s", t->keyf_text);
	if (ipk_ctx_unreadable_procs(t->ctx))
		ipk_buf_printf(&b, "  (%zu processes unreadable: holders may be missing)",
			       ipk_ctx_unreadable_procs(t->ctx));
	if (t->paused)
		ipk_buf_puts(&b, "  [PAUSED]");
	if (t->readonly)
		ipk_buf_puts(&b, "  [read-only]");
	struct ipk_buf e = { 0 };
	esc_text(b.s, false, &e);
	put(y++, 0, COLS, e.s, A_BOLD, true);
	ipk_buf_free(&e);

	v = t->limits;
	n = t->nlimits;
	int w = COLS / 2;
	size_t shown = 0;
	for (size_t m = 0; m < NMETERS; m++) {
		for (size_t i = 0; i < n; i++) {
			if (strcmp(v[i].resource, meters[m]) != 0)
				continue;
			draw_meter(t, y + (int)(shown / 2), (int)(shown % 2) * w, w - 1, &v[i]);
			shown++;
		}
	}
	y += (int)(shown + 1) / 2;
	ipk_buf_reset(&b);
	for (size_t k = 0; k < ipk_kind_count() && k < 32; k++)
		if (t->per_kind[k])
			ipk_buf_printf(&b, "%s%s %zu", b.len ? "  " : "", ipk_kind_name(ipk_kind_at(k)),
				       t->per_kind[k]);
	put(y++, 0, COLS, b.len ? b.s : "no objects", A_NORMAL, true);
	if (t->scenario) {
		ipk_buf_reset(&b);
		if (t->scenario_status < 0)
			ipk_buf_printf(&b, "scenario %s (pid %d): ", t->scenario, (int)t->scenario_pid);
		else
			ipk_buf_printf(&b, "scenario %s ended (exit %d): ", t->scenario,
				       t->scenario_status);
		esc_text(b.s, false, &e);
		/* the last line ipc-scenario printed, escaped by it already */
		esc_but_backslashes(t->scenario_line, &e);
		put(y++, 0, COLS, e.s, paint(P_GROUP), true);
		ipk_buf_free(&e);
	}
	ipk_buf_free(&b);
	return y;
}

/* --------------------------------------------------------------- table */

static const char *tree_branch(const struct top *t, const struct row *r)
{
	if (!r->depth)
		return "";
	if (t->utf8)
		return r->last ? "\u2514\u2500 " : "\u251c\u2500 ";
	return r->last ? "`- " : "|- ";
}

static char marker(const struct row *r, int64_t now)
{
	if (r->ghost)
		return '-';
	if (r->t && r->t->tagged)
		return '*';
	if (r->t && r->t->born && now - r->t->born < HIGHLIGHT_NS)
		return '+';
	return ' ';
}

static bool cell_changed(const struct row *r, const struct column *c, int64_t now)
{
	if (!r->t || r->ghost || now - r->t->changed_at >= HIGHLIGHT_NS)
		return false;
	if (c->id < IPK_F_COUNT)
		return (r->t->changed & IPK_FIELD_MASK(c->id)) != 0;
	return false;
}

int screen_column_at(const struct top *t, int x)
{
	for (size_t c = 0; t->col_x && c < t->ncols; c++)
		if (x >= t->col_x[c] && x < t->col_x[c] + t->col_w[c] + 1)
			return (int)c;
	return -1;
}

/*
 * What the table shows, made from the rows (and so from the snapshot), and
 * painted from itself: while the objects are read again the cursor still
 * moves over it, touching nothing the read changes.
 */
struct frame_row {
	enum row_type type;
	char line[160];		/* a heading */
	char marker;
	enum paint base;
	uint64_t changed;	/* bit c: column c changed */
	char *key;		/* its REF (a heading: its label) */
};

static struct frame {
	size_t first, nvis, nc;
	struct ipk_buf *cells;
	int *w;
	struct frame_row *rows;
} fr;

static void frame_free(void)
{
	for (size_t i = 0; i < fr.nvis * fr.nc; i++)
		ipk_buf_free(&fr.cells[i]);
	for (size_t i = 0; i < fr.nvis; i++)
		free(fr.rows[i].key);
	free(fr.cells);
	free(fr.w);
	free(fr.rows);
	memset(&fr, 0, sizeof(fr));
}

static void frame_build(struct top *t, int y, int height)
{
	int64_t now = now_ns();
	size_t nc = t->ncols;

	frame_free();
	t->header_y = y;
	t->table_y = y + 1;
	t->rows_on_screen = height - 1;
	if (t->rows_on_screen < 1)
		t->rows_on_screen = 1;
	/* the cursor in view */
	if (t->sel < t->scroll)
		t->scroll = t->sel;
	if (t->sel >= t->scroll + (size_t)t->rows_on_screen)
		t->scroll = t->sel - (size_t)t->rows_on_screen + 1;
	if (t->scroll > t->nrows)
		t->scroll = 0;
	size_t first = t->scroll;
	size_t last = first + (size_t)t->rows_on_screen;
	if (last > t->nrows)
		last = t->nrows;

	/* the cells of the rows in view, and the width each column needs */
	size_t nvis = last - first;
	fr.cells = calloc(nvis * nc + 1, sizeof(*fr.cells));
	fr.w = calloc(nc + 1, sizeof(*fr.w));
	fr.rows = calloc(nvis + 1, sizeof(*fr.rows));
	free(t->col_x);
	free(t->col_w);
	t->col_x = calloc(nc + 1, sizeof(int));
	t->col_w = calloc(nc + 1, sizeof(int));
	if (!fr.cells || !fr.w || !fr.rows || !t->col_x || !t->col_w) {
		frame_free();
		return;
	}
	fr.first = first;
	fr.nvis = nvis;
	fr.nc = nc;
	int *w = fr.w;
	for (size_t c = 0; c < nc; c++)
		w[c] = (int)text_width(t->cols[c]->name) + (t->sort == t->cols[c]);
	for (size_t i = 0; i < nvis; i++) {
		const struct row *r = &t->rows[first + i];
		struct frame_row *f = &fr.rows[i];
		f->type = r->type;
		if (r->type == ROW_GROUP) {
			/* an owner's or a command's name: input */
			struct ipk_buf e = { 0 };
			esc_text(r->label, false, &e);
			snprintf(f->line, sizeof(f->line), "%*s%s%s (%zu)",
				 (r->depth > 1 ? r->depth - 1 : 0) * 3, "", tree_branch(t, r),
				 e.s ? e.s : "", r->count);
			ipk_buf_free(&e);
			f->key = strdup(r->label);
			continue;
		}
		f->key = strdup(ipk_object_ref(r->o));
		f->marker = marker(r, now);
		f->base = r->ghost ? P_GHOST : r->t && r->t->tagged ? P_TAGGED :
			  r->t && r->t->born && now - r->t->born < HIGHLIGHT_NS ? P_NEW : P_PLAIN;
		for (size_t c = 0; c < nc; c++) {
			struct ipk_buf *b = &fr.cells[i * nc + c];
			if (c < 64 && cell_changed(r, t->cols[c], now))
				f->changed |= UINT64_C(1) << c;
			if (c == 0)
				ipk_buf_printf(b, "%*s%s", (r->depth > 1 ? r->depth - 1 : 0) * 3, "",
					       tree_branch(t, r));
			struct ipk_buf text = { 0 };
			cell_text(t, r->o, t->cols[c], &text);
			ipk_buf_puts(b, text.s ? text.s : "-");
			ipk_buf_free(&text);
			int cw = (int)text_width(b->s);
			int cap = t->cols[c]->wide ? 40 : 60;
			if (cw > cap)
				cw = cap;
			if (cw > w[c])
				w[c] = cw;
		}
	}
	/* the last wide column takes what is left */
	int used = 2;
	for (size_t c = 0; c < nc; c++)
		used += w[c] + 1;
	for (size_t c = nc; c-- > 0;)
		if (t->cols[c]->wide && used < COLS) {
			w[c] += COLS - used;
			break;
		}
}

static void frame_paint(struct top *t)
{
	size_t nc = fr.nc;
	int *w = fr.w;
	int y = t->header_y;

	if (!w)
		return;
	/* the headers */
	move(y, 0);
	attrset(paint(P_TITLE));
	for (int i = 0; i < COLS; i++)
		addch(' ');
	int x = 2;
	for (size_t c = 0; c < nc && x < COLS; c++) {
		char h[64];
		snprintf(h, sizeof(h), "%s%s", t->cols[c]->name,
			 t->sort == t->cols[c] ? (t->sort_inverted ? "^" : "v") : "");
		int hw = (int)text_width(h);
		int pad = t->cols[c]->right && hw < w[c] ? w[c] - hw : 0;
		t->col_x[c] = x;
		t->col_w[c] = w[c];
		put(y, x + pad, COLS - x - pad, h, paint(P_TITLE) | (t->sort == t->cols[c] ? A_BOLD : 0),
		    false);
		x += w[c] + 1;
	}
	attrset(A_NORMAL);

	/* the rows */
	for (size_t i = 0; i < (size_t)t->rows_on_screen; i++) {
		int ry = t->table_y + (int)i;
		move(ry, 0);
		clrtoeol();
		if (i >= fr.nvis)
			continue;
		const struct frame_row *r = &fr.rows[i];
		bool selected = fr.first + i == t->sel;
		attr_t base = selected ? paint(P_SELECTED) : r->base == P_PLAIN ? A_NORMAL : paint(r->base);
		if (selected) {
			attrset(base);
			for (int k = 0; k < COLS; k++)
				addch(' ');
		}
		if (r->type == ROW_GROUP) {
			put(ry, 2, COLS - 2, r->line, selected ? base : paint(P_GROUP), false);
			continue;
		}
		char m[2] = { r->marker, 0 };
		put(ry, 0, 2, m, base, true);
		x = 2;
		for (size_t c = 0; c < nc && x < COLS; c++) {
			const char *s = fr.cells[i * nc + c].s ? fr.cells[i * nc + c].s : "-";
			int sw = (int)text_width(s);
			int pad = t->cols[c]->right && sw < w[c] ? w[c] - sw : 0;
			attr_t a = base;
			bool changed = c < 64 && (r->changed & (UINT64_C(1) << c));
			if (!selected && changed)
				a = paint(P_CHANGED);
			else if (selected && changed)
				a = base | A_BOLD | A_UNDERLINE;
			int avail = COLS - x;
			put(ry, x + pad, (w[c] - pad < avail - pad ? w[c] - pad : avail - pad), s, a, false);
			x += w[c] + 1;
		}
	}
}

bool screen_move_in_frame(struct top *t, long d)
{
	if (!fr.nvis || !fr.rows)
		return false;
	long i = (long)t->sel + d;
	long lo = (long)fr.first, hi = (long)(fr.first + fr.nvis) - 1;
	if (i < lo)
		i = lo;
	if (i > hi)
		i = hi;
	if ((size_t)i == t->sel)
		return true;
	const char *key = fr.rows[i - lo].key;
	char *copy = key ? strdup(key) : NULL;
	if (!copy)
		return false;
	free(t->sel_ref);
	t->sel_ref = copy;
	t->sel = (size_t)i;
	t->detail_scroll = 0;
	return true;
}

/* ------------------------------------------------------------ the pane */

static const char *const sparks_utf8[] = { "\u2581", "\u2582", "\u2583", "\u2584", "\u2585",
					   "\u2586", "\u2587", "\u2588" };
static const char sparks_ascii[] = "_.-:=+*#";

struct lines {
	char **v;
	attr_t *a;
	size_t n, cap;
};

static void line_add(struct lines *l, attr_t a, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void line_add(struct lines *l, attr_t a, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;
		char **v = realloc(l->v, cap * sizeof(*v));
		attr_t *av = v ? realloc(l->a, cap * sizeof(*av)) : NULL;
		if (v)
			l->v = v;
		if (!av)
			return;
		l->a = av;
		l->cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s)
		return;
	l->a[l->n] = a;
	l->v[l->n++] = s;
}

static void lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	free(l->a);
}

/* The whole `ipc-ls -i` record, holders with fd and mode, the sparkline, the bars. */
static void detail_lines(struct top *t, const struct row *r, struct lines *l)
{
	/* the record looked up again, when it is of this row (the cursor may have moved since) */
	const struct ipk_object *o = r->o;
	if (!r->ghost && t->detail_obj &&
	    strcmp(ipk_object_ref(t->detail_obj), ipk_object_ref(r->o)) == 0)
		o = t->detail_obj;
	const struct ipk_kind *k = ipk_object_kind(o);
	struct ipk_format fmt = t->out.fmt;
	struct ipk_buf b = { 0 }, e = { 0 };
	int width = 0;

	fmt.time = IPK_TIME_FULL;
	esc_text(ipk_object_ref(o), false, &e);
	line_add(l, A_BOLD, "%s%s", e.s ? e.s : "", r->ghost ? "  (removed)" : "");
	for (int f = 0; f < IPK_F_COUNT; f++)
		if (ipk_kind_has_field(k, f) && (int)strlen(ipk_field_info(f)->column) > width)
			width = (int)strlen(ipk_field_info(f)->column);
	for (int f = 0; f < IPK_F_COUNT; f++) {
		const struct ipk_field_info *fi = ipk_field_info(f);
		if (!ipk_kind_has_field(k, f) || f == IPK_F_HOLDERS)
			continue;
		ipk_buf_reset(&b);
		detail_text(t->ctx, o, f, &fmt, &b);	/* short of memory: the line shows less */
		ipk_buf_reset(&e);
		esc_text(b.s ? b.s : "", false, &e);
		line_add(l, A_NORMAL, "%-*s %s", width + 1, fi->column, e.s ? e.s : "");
	}
	/* holders, one a line: pid, command, fd, access */
	struct ipk_value h;
	ipk_object_get(o, IPK_F_HOLDERS, &h);
	if (ipk_kind_has_field(k, IPK_F_HOLDERS)) {
		size_t nh = h.presence == IPK_PRESENT ? h.holders.n : 0;
		line_add(l, A_BOLD, "HOLDERS (%zu)%s", nh,
			 h.presence == IPK_NOACCESS ? ": no access" : "");
		for (size_t i = 0; i < nh; i++) {
			const struct ipk_holder *x = &h.holders.v[i];
			ipk_buf_reset(&e);
			esc_text(x->comm, false, &e);
			char fd[24] = "mapping";
			if (x->fd >= 0)
				snprintf(fd, sizeof(fd), "fd %d", x->fd);
			line_add(l, A_NORMAL, "  %-16s pid %-7d %-10s %s", e.s ? e.s : "", (int)x->pid, fd,
				 x->mode[0] ? x->mode : "-");
		}
	}
	/* the queue depth over the last minute */
	if (ipk_kind_has_field(k, IPK_F_MESSAGES) && r->t && r->t->ndepth) {
		uint32_t max = 1;
		for (unsigned i = 0; i < r->t->ndepth; i++)
			if (r->t->depth[i] > max)
				max = r->t->depth[i];
		ipk_buf_reset(&b);
		for (unsigned i = 0; i < r->t->ndepth; i++) {
			unsigned lvl = (unsigned)((uint64_t)r->t->depth[i] * 7 / max);
			if (t->utf8)
				ipk_buf_puts(&b, sparks_utf8[lvl]);
			else
				ipk_buf_add(&b, &sparks_ascii[lvl], 1);
		}
		line_add(l, A_BOLD, "DEPTH (last %us, max %u)", r->t->ndepth, max);
		line_add(l, paint(P_BAR), "  %s", b.s ? b.s : "");
	}
	/* each semaphore's value as a bar */
	struct ipk_value sv;
	ipk_object_get(o, IPK_F_VALUE, &sv);
	if (sv.presence == IPK_PRESENT && (ipk_kind_has_field(k, IPK_F_SEMNCNT) ||
					   ipk_kind_has_field(k, IPK_F_WAITERS))) {
		size_t nv = sv.is_list ? sv.list.n : 1;
		int64_t max = 1;
		for (size_t i = 0; i < nv; i++) {
			int64_t x = sv.is_list ? sv.list.v[i] : sv.i;
			if (x > max)
				max = x;
		}
		line_add(l, A_BOLD, "VALUES");
		int barw = COLS - 24 > 50 ? 50 : COLS - 24;
		for (size_t i = 0; i < nv && barw > 0; i++) {
			int64_t x = sv.is_list ? sv.list.v[i] : sv.i;
			int fill = (int)(x * barw / max);
			char bar[64];
			memset(bar, ' ', (size_t)barw);
			memset(bar, '|', (size_t)(fill < 0 ? 0 : fill));
			bar[barw] = '\0';
			line_add(l, A_NORMAL, "  sem %-3zu [%s] %lld", i, bar, (long long)x);
		}
	}
	if (t->received)
		line_add(l, paint(P_GOOD), "RECEIVED %s", t->received);
	ipk_buf_free(&b);
	ipk_buf_free(&e);
}

static void draw_detail(struct top *t, int y, int height)
{
	const struct row *r = row_selected(t);
	struct lines l = { 0 };

	move(y, 0);
	attrset(paint(P_TITLE));
	for (int i = 0; i < COLS; i++)
		addch(' ');
	put(y, 1, COLS - 1, "Detail (Esc closes)", paint(P_TITLE), false);
	if (!r || r->type != ROW_OBJECT) {
		line_add(&l, A_NORMAL, "%s", r ? "a heading: select an object" : "no object");
	} else {
		detail_lines(t, r, &l);
	}
	/* two columns when they fit */
	int rows = height - 1;
	int ncols = l.n > (size_t)rows && COLS >= 120 ? 2 : 1;
	int cw = COLS / ncols;
	for (int i = 0; i < rows; i++) {
		move(y + 1 + i, 0);
		clrtoeol();
	}
	for (size_t i = 0; i < l.n; i++) {
		int col = (int)(i / (size_t)rows);
		if (col >= ncols)
			break;
		put(y + 1 + (int)(i % (size_t)rows), col * cw + 1, cw - 2, l.v[i], l.a[i], false);
	}
	lines_free(&l);
}

/* -------------------------------------------------------------- footer */

/* whether each footer key was greyed at the last full draw */
static bool footer_grey[32];

static void draw_footer(struct top *t, bool cached)
{
	int y = LINES - 1;

	move(y, 0);
	clrtoeol();
	if (t->prompt.active) {
		/*
		 * Escaped once here: the label, which may name an object, and
		 * what is typed, but for its backslashes: "\x5c" shows as typed.
		 */
		struct ipk_buf e = { 0 };
		esc_text(t->prompt.label, false, &e);
		esc_but_backslashes(t->prompt.text, &e);
		int w = put(y, 0, COLS - 1, e.s ? e.s : "", paint(P_KEY_LABEL), false);
		ipk_buf_free(&e);
		move(y, w);
		curs_set(1);
		return;
	}
	curs_set(0);
	int x = 0;
	for (size_t i = 0; i < footer_count() && x < COLS; i++) {
		const char *key, *label;
		bool greyed;
		int code;
		footer_at(t, i, &key, &label, cached ? NULL : &greyed, &code);
		if (i < 32 && cached)
			greyed = footer_grey[i];
		else if (i < 32)
			footer_grey[i] = greyed;
		x += put(y, x, COLS - x, key, greyed ? A_DIM : paint(P_KEY), false);
		char l[16];
		snprintf(l, sizeof(l), "%-6s", label);
		x += put(y, x, COLS - x, l, greyed ? A_DIM : paint(P_KEY_LABEL), false);
	}
	attrset(paint(P_KEY_LABEL));
	for (; x < COLS; x++)
		mvaddch(y, x, ' ');
	attrset(A_NORMAL);
}

static void draw_status(struct top *t)
{
	int y = LINES - 2;
	attr_t a = t->status_attr == 1 ? paint(P_GOOD) : t->status_attr == 2 ? paint(P_BAD) : A_NORMAL;

	move(y, 0);
	clrtoeol();
	put(y, 0, COLS, t->status, a, false);
}

/* --------------------------------------------------------- help, setup */

struct help_draw {
	int y;
	size_t skip;
};

static void help_line(struct top *t, const char *keys, const char *help, bool greyed, void *arg)
{
	struct help_draw *d = arg;

	(void)t;
	if (d->skip) {
		d->skip--;
		return;
	}
	if (d->y >= LINES - 2)
		return;
	if (!help) {
		put(d->y++, 0, COLS, keys, A_BOLD, true);
		return;
	}
	put(d->y, 0, 16, keys, greyed ? A_DIM : paint(P_GROUP), true);
	put(d->y, 16, COLS - 16, help, greyed ? A_DIM : A_NORMAL, true);
	d->y++;
}

static void draw_help(struct top *t)
{
	struct help_draw d = { 1, t->help_scroll };

	erase();
	put(0, 0, COLS, "ipc-top keys (greyed: not allowed now). Esc, q or F1 returns; arrows scroll.",
	    paint(P_TITLE), true);
	help_lines(t, help_line, &d);
}

static void draw_setup(struct top *t)
{
	char line[160];
	int y = 2;

	erase();
	put(0, 0, COLS, "Setup: Space toggles, [ ] move a column, + - change the delay; "
	    "Esc or F2 saves and returns", paint(P_TITLE), true);
	/* item 0: delay, 1: colour, then every column: the shown ones first, in order */
	snprintf(line, sizeof(line), "Delay: %d.%d s (+ -)", t->delay / 10, t->delay % 10);
	put(y++, 2, COLS - 2, line, t->setup_sel == 0 ? paint(P_SELECTED) : A_NORMAL, true);
	snprintf(line, sizeof(line), "Colour: %s", t->colour ? "on" : "off");
	put(y++, 2, COLS - 2, line, t->setup_sel == 1 ? paint(P_SELECTED) : A_NORMAL, true);
	put(y++, 0, COLS, "Columns:", A_BOLD, true);
	size_t item = 2;
	size_t first = t->setup_sel > (size_t)(LINES - 8) ? t->setup_sel - (size_t)(LINES - 8) : 0;
	for (size_t i = 0; i < t->ncols; i++, item++) {
		if (item < first + 2 && item >= 2)
			continue;
		if (y >= LINES - 1)
			break;
		snprintf(line, sizeof(line), "[x] %2zu %s", i + 1, t->cols[i]->name);
		put(y++, 2, COLS - 2, line, t->setup_sel == item ? paint(P_SELECTED) : A_NORMAL, true);
	}
	for (size_t i = 0; i < column_count(); i++) {
		const struct column *c = column_at(i);
		bool shown = false;
		for (size_t j = 0; j < t->ncols; j++)
			shown |= t->cols[j] == c;
		if (shown)
			continue;
		if (item >= first + 2 || item < 2) {
			if (y >= LINES - 1)
				break;
			snprintf(line, sizeof(line), "[ ]    %s", c->name);
			put(y++, 2, COLS - 2, line, t->setup_sel == item ? paint(P_SELECTED) : A_NORMAL,
			    true);
		}
		item++;
	}
	draw_status(t);
}

/* --------------------------------------------------------------- draw */

void screen_draw(struct top *t)
{
	if (!t->curses)
		return;
	colour_on = t->colour && has_colors();
	if (t->screen == SCREEN_HELP) {
		draw_help(t);
		refresh();
		return;
	}
	if (t->screen == SCREEN_SETUP) {
		draw_setup(t);
		refresh();
		return;
	}
	erase();
	int y = draw_header(t, 0);
	int bottom = LINES - 2;	/* the status line */
	int pane = 0;
	if (t->detail)
		pane = (bottom - y) / 2 > 6 ? (bottom - y) / 2 : (bottom - y > 8 ? 6 : 0);
	frame_build(t, y, bottom - y - pane);
	frame_paint(t);
	if (pane)
		draw_detail(t, bottom - pane, pane);
	draw_status(t);
	draw_footer(t, false);
	refresh();
}

/* While the objects are read: the table again from its frame, nothing else touched. */
void screen_draw_frame(struct top *t)
{
	if (!t->curses || t->screen != SCREEN_MAIN || t->prompt.active)
		return;
	frame_paint(t);
	draw_status(t);
	draw_footer(t, true);
	refresh();
}

void screen_free(void)
{
	frame_free();
}

/* -------------------------------------------------------------- batch */

void batch_print(struct top *t)
{
	const struct ipk_limit *v;
	size_t n = 0;
	struct ipk_buf b = { 0 };
	char when[16];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	printf("ipc-top - %s - %zu objects, %zu shown, view %s\n", when, t->nobjects, t->nrows,
	       view_name(t, t->view));
	v = t->limits;
	n = t->nlimits;
	for (size_t m = 0; m < NMETERS; m++)
		for (size_t i = 0; i < n; i++)
			if (strcmp(v[i].resource, meters[m]) == 0) {
				meter_text(&v[i], &b);
				double pct = ipk_limit_percent(&v[i]);
				if (pct >= 0)
					printf("%s%s %s (%.1f%%)", m ? ", " : "", meters[m], b.s, pct);
				else
					printf("%s%s %s", m ? ", " : "", meters[m], b.s);
			}
	printf("\n");

	struct out_col *cols = calloc(t->ncols + 1, sizeof(*cols));
	if (!cols) {
		ipk_buf_free(&b);
		return;
	}
	for (size_t c = 0; c < t->ncols; c++)
		cols[c] = (struct out_col){ t->cols[c]->name, t->cols[c]->name,
					    t->cols[c]->right ? COL_RIGHT : 0 };
	struct out_opts opts = { .mode = OUT_TABLE, .fmt = t->out.fmt };
	struct out *out = out_new(&opts, "objects", cols, t->ncols);
	for (size_t i = 0; out && i < t->nrows; i++) {
		const struct row *r = &t->rows[i];
		struct out_row *row = out_row(out, NULL);
		if (!row)
			break;
		for (size_t c = 0; c < t->ncols; c++) {
			ipk_buf_reset(&b);
			if (c == 0)
				ipk_buf_printf(&b, "%s%*s", r->ghost ? "-" : "", r->depth * 2, "");
			if (r->type == ROW_GROUP) {
				if (c == 0)
					ipk_buf_printf(&b, "%s (%zu)", r->label, r->count);
			} else if (t->cols[c]->id < IPK_F_COUNT) {
				ipk_field_text(t->ctx, r->o, t->cols[c]->id, &t->out.fmt, &b);
			} else {
				struct ipk_buf x = { 0 };
				cell_text(t, r->o, t->cols[c], &x);
				ipk_buf_puts(&b, x.s ? x.s : "-");
				ipk_buf_free(&x);
			}
			out_set(out, row, c, b.len ? b.s : (r->type == ROW_GROUP ? "" : "-"), NULL);
		}
	}
	if (out)
		out_print(out);
	out_free(out);
	free(cols);
	ipk_buf_free(&b);
	printf("\n");
	fflush(stdout);
}
