/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one renderer of every command: aligned tables, trees, raw and
 * KEY="value" pairs, CSV (RFC 4180), and JSON.
 *
 * It is ours rather than libsmartcols because a listing of 30,000 objects
 * must cost a few milliseconds: libsmartcols 2.38 spent 1.4 billion
 * instructions (150 ms) on the width and encoding of 330,000 cells, and it
 * cannot nest JSON (holders are objects) or print one bare object (-i).
 * Cells live in one arena; ASCII text is measured by its length, and only
 * text with other bytes goes through mbrtowc().
 */
#include "common.h"

#include <errno.h>
#include <langinfo.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>
#include <wctype.h>

/* ------------------------------------------------------------------ model */

struct out_row {
	struct out_row *parent, *children, *last_child, *next;
	int depth;
	/*
	 * table modes: a byte per cell with its length (255: longer), then
	 * the cells, NUL after each; @plain when all are printable ASCII.
	 */
	unsigned char *blob;
	size_t blob_len;
	bool plain;
	char **json;			/* JSON mode: each cell's JSON text */
	char *object;			/* JSON mode: a whole object */
};

/* A member of the JSON document after the rows: "machine": {...}. */
struct out_member {
	char *key, *json;
};

struct out {
	struct out_opts opts;
	const char *json_root;
	char *title;			/* table mode: a line above the header */
	struct out_member *members;
	size_t nmembers;
	const struct out_col *cols;
	size_t ncols;
	bool tree;
	bool utf8;
	struct ipk_arena arena;
	size_t *width;			/* table modes: widest cell of each column */
	bool last_open;			/* a table's last column, never cut: not measured */
	size_t headers_len;		/* the headers' lengths, added up */
	/* table modes: the row being filled, stored compactly when complete */
	struct out_row *pending;
	struct ipk_buf pending_text;
	size_t *pending_at;		/* offset of each cell in pending_text, or -1 */
	size_t *pending_width;		/* its width */
	size_t *pending_len;		/* and its length */
	bool pending_plain;		/* every cell so far printable ASCII */
	size_t pending_next;		/* cells set in order so far */
	struct out_row *rows, *last_row;
	size_t json_printed;
	bool json_started;
};

struct out *out_new(const struct out_opts *opts, const char *json_root,
		    const struct out_col *cols, size_t ncols)
{
	struct out *out = calloc(1, sizeof(*out));

	if (!out)
		return NULL;
	out->opts = *opts;
	out->json_root = json_root;
	out->cols = cols;
	out->ncols = ncols;
	out->width = calloc(ncols ? ncols : 1, sizeof(*out->width));
	out->pending_at = malloc((ncols ? ncols : 1) * sizeof(*out->pending_at));
	out->pending_width = malloc((ncols ? ncols : 1) * sizeof(*out->pending_width));
	out->pending_len = malloc((ncols ? ncols : 1) * sizeof(*out->pending_len));
	if (!out->width || !out->pending_at || !out->pending_width || !out->pending_len) {
		free(out->width);
		free(out->pending_at);
		free(out->pending_width);
		free(out->pending_len);
		free(out);
		return NULL;
	}
	for (size_t i = 0; i < ncols; i++) {
		if (cols[i].flags & COL_TREE)
			out->tree = true;
		out->width[i] = strlen(cols[i].header);
		out->headers_len += out->width[i];
	}
	out->utf8 = MB_CUR_MAX > 1 && strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	return out;
}

/* JSON rows are freed one by one; table rows go with the arena. */
static void row_free(struct out_row *r, size_t ncols)
{
	while (r && r->json) {
		struct out_row *next = r->next;

		row_free(r->children, ncols);
		for (size_t i = 0; i < ncols; i++)
			free(r->json[i]);
		free(r->json);
		free(r->object);
		free(r);
		r = next;
	}
}

void out_free(struct out *out)
{
	if (!out)
		return;
	row_free(out->rows, out->ncols);
	ipk_arena_free(&out->arena);
	for (size_t i = 0; i < out->nmembers; i++) {
		free(out->members[i].key);
		free(out->members[i].json);
	}
	free(out->members);
	free(out->title);
	ipk_buf_free(&out->pending_text);
	free(out->pending_at);
	free(out->pending_width);
	free(out->pending_len);
	free(out->width);
	free(out);
}

/* ------------------------------------------------------------------ text */

static bool ascii_printable(const char *s, size_t *len)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++)
		if (*p < 0x20 || *p >= 0x7f)
			return false;
	*len = (size_t)(p - (const unsigned char *)s);
	return true;
}

size_t text_step(const char *s, size_t len, mbstate_t *st, int *width)
{
	wchar_t wc;
	size_t n = mbrtowc(&wc, s, len, st);

	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		memset(st, 0, sizeof(*st));
		*width = 1;
		return 1;
	}
	int w = wcwidth(wc);
	*width = w > 0 ? w : 0;
	return n;
}

size_t text_width(const char *s)
{
	size_t len, width = 0;
	mbstate_t st = { 0 };

	if (ascii_printable(s, &len))
		return len;
	len = strlen(s);
	while (len) {
		int w;
		size_t n = text_step(s, len, &st, &w);
		width += (size_t)w;
		s += n;
		len -= n;
	}
	return width;
}

/*
 * Characters that make text display as other text: bidirectional
 * embeddings, overrides and isolates, and zero-width characters.  A name
 * holding them could show as another name on the same line.
 */
static bool deceptive(wchar_t wc)
{
	return (wc >= 0x200b && wc <= 0x200f) || (wc >= 0x202a && wc <= 0x202e) ||
	       (wc >= 0x2060 && wc <= 0x2064) || (wc >= 0x2066 && wc <= 0x2069) ||
	       wc == 0xfeff || wc == 0x061c || wc == 0x00ad;
}

void esc_text(const char *s, bool raw, struct ipk_buf *b)
{
	size_t len = strlen(s);
	mbstate_t st = { 0 };

	while (len) {
		unsigned char c = (unsigned char)*s;
		wchar_t wc = 0;
		size_t n = 1;
		bool ok;

		if (c < 0x80) {
			/* a backslash too: every one shown then starts an escape */
			ok = c >= 0x20 && c != 0x7f && c != '\\' && !(raw && c == ' ');
		} else {
			n = mbrtowc(&wc, s, len, &st);
			/*
			 * A character of which a byte is a backslash (Shift JIS,
			 * Big5, GBK) is bytes: unesc() would read an escape there.
			 */
			ok = n != (size_t)-1 && n != (size_t)-2 && n != 0 && iswprint(wc) &&
			     !deceptive(wc) && !memchr(s, '\\', n);
			if (!ok && n != (size_t)-1 && n != (size_t)-2 && n != 0 && deceptive(wc)) {
				/* a character, but one that hides: its code point */
				ipk_buf_printf(b, "\\u%04x", (unsigned)wc);
				s += n;
				len -= n;
				continue;
			}
			if (!ok) {
				n = 1;
				memset(&st, 0, sizeof(st));
			}
		}
		if (ok)
			ipk_buf_add(b, s, n);
		else
			ipk_buf_printf(b, "\\x%02x", c);
		s += n;
		len -= n;
	}
}

/* The value of @n hex digits at @s, or -1 where one is not. */
static long hex_value(const char *s, int n)
{
	long v = 0;

	for (int i = 0; i < n; i++) {
		int c = (unsigned char)s[i], d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* @n bytes to @b, and to @from_escape (if any) as many flags saying whether an escape stood for them. */
static int add_flagged(struct ipk_buf *b, struct ipk_buf *from_escape, const char *s, size_t n,
		       bool escaped)
{
	const char flag = escaped;
	int rc = ipk_buf_add(b, s, n);

	for (size_t i = 0; !rc && from_escape && i < n; i++)
		rc = ipk_buf_add(from_escape, &flag, 1);
	return rc;
}

/*
 * unesc() into @b. With @from_escape, of a pattern: its "\\" is kept whole,
 * and @from_escape gets a flag for each byte of @b, whether an escape
 * stood for it.
 */
static int unesc_into(const char *typed, struct ipk_buf *b, struct ipk_buf *from_escape)
{
	int rc = ipk_buf_reserve(b, strlen(typed));
	mbstate_t st = { 0 };

	if (!rc)
		b->s[0] = '\0';
	for (const char *s = typed; !rc && *s;) {
		if (from_escape && s[0] == '\\' && s[1] == '\\') {
			rc = add_flagged(b, from_escape, s, 2, false);
			s += 2;
			continue;
		}
		long v = s[0] == '\\' && s[1] == 'x' ? hex_value(s + 2, 2) : -1;
		/* only what esc_text() writes: a typed "\x41" is those four characters, "\x00" too */
		if (v > 0 && (v <= 0x20 || v == '\\' || v >= 0x7f)) {
			char c = (char)v;
			rc = add_flagged(b, from_escape, &c, 1, true);
			s += 4;
			continue;
		}
		v = s[0] == '\\' && s[1] == 'u' ? hex_value(s + 2, 4) : -1;
		if (v >= 0 && deceptive((wchar_t)v)) {
			/*
			 * The character in this locale's encoding, as esc_text()
			 * read it; UTF-8 where the locale has none (a REF shown
			 * in UTF-8, typed in the C locale).
			 */
			char mb[MB_LEN_MAX];
			size_t n = wcrtomb(mb, (wchar_t)v, &st);
			if (n == (size_t)-1) {
				memset(&st, 0, sizeof(st));
				/* deceptive() ones are two or three bytes long */
				n = v < 0x800 ? 2 : 3;
				if (n == 2) {
					mb[0] = (char)(0xc0 | (v >> 6));
				} else {
					mb[0] = (char)(0xe0 | (v >> 12));
					mb[1] = (char)(0x80 | ((v >> 6) & 0x3f));
				}
				mb[n - 1] = (char)(0x80 | (v & 0x3f));
			}
			rc = add_flagged(b, from_escape, mb, n, true);
			s += 6;
			continue;
		}
		rc = add_flagged(b, from_escape, s, 1, false);
		s++;
	}
	return rc;
}

char *unesc(const char *typed)
{
	struct ipk_buf b = { 0 };

	if (unesc_into(typed, &b, NULL)) {
		ipk_buf_free(&b);
		return NULL;
	}
	return b.s;
}

char *unesc_glob(const char *typed)
{
	struct ipk_buf bytes = { 0 }, from_escape = { 0 }, glob = { 0 };
	int rc = unesc_into(typed, &bytes, &from_escape);
	mbstate_t st = { 0 };

	if (!rc)
		rc = ipk_buf_reserve(&glob, 2 * bytes.len);
	if (!rc)
		glob.s[0] = '\0';
	for (size_t i = 0; !rc && i < bytes.len;) {
		size_t n = mbrtowc(NULL, bytes.s + i, bytes.len - i, &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			n = 1;
			memset(&st, 0, sizeof(st));
		}
		/*
		 * A backslash an escape stood for is a literal one; one that
		 * ends a character (Shift JIS, Big5) is no escape to fnmatch().
		 */
		if (n == 1 && bytes.s[i] == '\\' && from_escape.s[i])
			rc = ipk_buf_add(&glob, "\\\\", 2);
		else
			rc = ipk_buf_add(&glob, bytes.s + i, n);
		i += n;
	}
	ipk_buf_free(&bytes);
	ipk_buf_free(&from_escape);
	if (rc) {
		ipk_buf_free(&glob);
		return NULL;
	}
	return glob.s;
}

const char *esc(const char *s)
{
	/* room for a whole path escaped: four characters a byte at most, and a REF's kind */
	static char text[4 * PATH_MAX + 64];
	struct ipk_buf b = { 0 };

	text[0] = '\0';
	if (s && (esc_text(s, false, &b), b.s))
		snprintf(text, sizeof(text), "%s", b.s);
	ipk_buf_free(&b);
	return text;
}

/*
 * The backslash of the escape ("\\xHH" or "\\uHHHH") that @at falls inside
 * of, in escaped text @s of @len bytes, and the escape's length in *@whole;
 * @at itself where it falls inside none.
 */
static size_t esc_around(const char *s, size_t len, size_t at, size_t *whole)
{
	for (size_t back = 1; back <= 5 && back <= at; back++) {
		size_t p = at - back;
		if (s[p] != '\\')
			continue;
		if (p + 1 < len && (s[p + 1] == 'x' || s[p + 1] == 'u')) {
			*whole = s[p + 1] == 'u' ? 6 : 4;
			if (back < *whole)
				return p;
		}
		break;
	}
	return at;
}

size_t esc_cut(const char *s, size_t len, size_t n)
{
	size_t whole;
	return esc_around(s, len, n, &whole);
}

size_t esc_skip(const char *s, size_t len, size_t at)
{
	size_t whole, p = esc_around(s, len, at, &whole);
	if (p == at)
		return at;
	return p + whole <= len ? p + whole : len;
}

/* One record per line, whatever a name contains: see esc_text(). */
static void sanitize(const char *s, bool raw, struct ipk_buf *b)
{
	esc_text(s, raw, b);
}

/* ------------------------------------------------------------------ rows */

static void json_flush(struct out *out, bool all);
static int commit_row(struct out *out);

struct out_row *out_row(struct out *out, struct out_row *parent)
{
	struct out_row *r;

	if (out->opts.mode == OUT_JSON) {
		r = calloc(1, sizeof(*r));
		if (r)
			r->json = calloc(out->ncols ? out->ncols : 1, sizeof(*r->json));
		if (r && !r->json) {
			free(r);
			r = NULL;
		}
	} else {
		/* Table rows live as long as the table: all in the arena. */
		if (commit_row(out))
			return NULL;
		r = (struct out_row *)(void *)ipk_arena_alloc(&out->arena, sizeof(*r));
		if (r) {
			memset(r, 0, sizeof(*r));
			out->pending = r;
			out->pending_next = 0;
			out->pending_plain = true;
			ipk_buf_reset(&out->pending_text);
			for (size_t i = 0; i < out->ncols; i++)
				out->pending_at[i] = SIZE_MAX;
		}
	}
	if (!r)
		return NULL;
	r->parent = parent;
	r->depth = parent ? parent->depth + 1 : 0;
	if (parent) {
		if (parent->last_child)
			parent->last_child->next = r;
		else
			parent->children = r;
		parent->last_child = r;
		return r;
	}
	if (out->last_row)
		out->last_row->next = r;
	else
		out->rows = r;
	out->last_row = r;
	/* Flat JSON needs no widths: print the rows before this one now. */
	if (out->opts.mode == OUT_JSON && !out->tree)
		json_flush(out, false);
	return r;
}

/*
 * Whether a byte of @w is below ' ', above '~' or a backslash (exact as a
 * whole, not per byte): what esc_text() would not copy as it is.
 */
static inline bool word_unprintable(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	uint64_t slash = w ^ (ones * '\\');

	return ((((w - ones * 0x20) & ~w) | ((w + ones) | w)) & highs) ||
	       ((slash - ones) & ~slash & highs);
}

/* Length of @s when every byte is printable ASCII, no backslash (nor ' ' in raw), else -1. */
static ssize_t plain_length(const char *s, bool raw)
{
	size_t len = strlen(s), i = 0;
	uint64_t w;

	/* eight bytes at a time: REFs and names are a word or two long */
	for (; i + sizeof(w) <= len; i += sizeof(w)) {
		memcpy(&w, s + i, sizeof(w));
		if (word_unprintable(w))
			return -1;
	}
	if (i < len) {
		w = 0x4141414141414141u;	/* "AAAAAAAA" under the tail */
		memcpy(&w, s + i, len - i);
		if (word_unprintable(w))
			return -1;
	}
	if (raw && memchr(s, ' ', len))
		return -1;
	return (ssize_t)len;
}

/* Records the cell of @col just appended to pending_text at @at. */
static int pending_done(struct out *out, size_t col, size_t at, bool plain)
{
	struct ipk_buf *text = &out->pending_text;
	size_t len = text->len - at;

	if (text->cap - text->len < 2 && ipk_buf_reserve(text, 1))
		return -ENOMEM;
	text->s[text->len++] = '\0';
	out->pending_at[col] = at;
	out->pending_len[col] = len;
	out->pending_width[col] = plain ? len : text_width(text->s + at);
	out->pending_plain &= plain;
	/* cells set left to right need no reordering when the row is stored */
	if (col == out->pending_next)
		out->pending_next++;
	else
		out->pending_next = SIZE_MAX;
	return 0;
}

/* Cells of the row being filled go to a scratch buffer first. */
static int table_cell(struct out *out, struct out_row *row, size_t col, const char *text)
{
	bool raw = out->opts.mode == OUT_RAW;
	size_t at = out->pending_text.len;
	bool plain;

	if (row != out->pending)
		return -EINVAL;		/* a row is filled before the next begins */
	if (!text)
		text = out->opts.mode == OUT_PAIRS || out->opts.mode == OUT_CSV ? "" : "-";
	plain = plain_length(text, raw) >= 0;
	if (plain)
		ipk_buf_puts(&out->pending_text, text);
	else
		sanitize(text, raw, &out->pending_text);
	return pending_done(out, col, at, plain);
}

/*
 * A field of an object as a cell: formatted straight into the row being
 * filled, sanitized only when it needs to be.
 */
static int field_cell(struct out *out, size_t col, struct ipk_ctx *ctx,
		      const struct ipk_object *o, int field, struct ipk_buf *scratch)
{
	struct ipk_buf *text = &out->pending_text;
	size_t at = text->len;
	struct ipk_value v;
	int rc;

	ipk_object_get(o, field, &v);
	if (v.presence == IPK_ABSENT)
		rc = ipk_buf_add(text, "-",
				 out->opts.mode == OUT_PAIRS || out->opts.mode == OUT_CSV ? 0 : 1);
	else
		rc = ipk_value_text(ctx, &v, &out->opts.fmt, text);
	if (rc)
		return rc;
	bool plain = plain_length(text->s + at, out->opts.mode == OUT_RAW) >= 0;
	if (!plain) {
		ipk_buf_reset(scratch);
		ipk_buf_puts(scratch, text->s + at);
		text->len = at;
		sanitize(scratch->s, out->opts.mode == OUT_RAW, text);
	}
	return pending_done(out, col, at, plain);
}

/*
 * Length and width of a cell in one pass: cells are sanitized, so ASCII
 * is one column a byte and only other text needs mbrtowc().
 */
static size_t measure(const char *cell, size_t *len)
{
	unsigned char high = 0;
	const char *p = cell;

	for (; *p; p++)
		high |= (unsigned char)*p;
	*len = (size_t)(p - cell);
	return high & 0x80 ? text_width(cell) : *len;
}

/*
 * The finished row becomes one blob in the arena: the cells' lengths, then
 * the cells one after the other, each ended by a NUL ("" for cells never
 * set).  About 80 bytes a row instead of a pointer and an allocation a
 * cell: a listing of 30,000 objects touches a quarter of the pages, and
 * printing it measures nothing again.
 */
static int commit_row(struct out *out)
{
	struct out_row *r = out->pending;
	const struct ipk_buf *text = &out->pending_text;
	size_t n = out->ncols;

	if (!r)
		return 0;
	out->pending = NULL;
	/* lengths, the cells, and a NUL for each one never set */
	unsigned char *blob = ipk_arena_alloc(&out->arena, n + text->len + n);
	if (!blob)
		return -ENOMEM;
	r->blob = blob;
	r->plain = out->pending_plain;
	unsigned char *cells = blob + n;
	if (out->pending_next == n) {
		/* every cell, set left to right: the scratch text is the blob */
		memcpy(cells, text->s, text->len);
		cells += text->len;
	} else {
		for (size_t i = 0; i < n; i++) {
			if (out->pending_at[i] == SIZE_MAX) {
				out->pending_len[i] = out->pending_width[i] = 0;
				*cells++ = '\0';
				continue;
			}
			memcpy(cells, text->s + out->pending_at[i], out->pending_len[i] + 1);
			cells += out->pending_len[i] + 1;
		}
	}
	for (size_t i = 0; i < n; i++) {
		size_t w = out->pending_width[i];
		blob[i] = (unsigned char)(out->pending_len[i] < 255 ? out->pending_len[i] : 255);
		if (out->cols[i].flags & COL_TREE)
			w += 2 * (size_t)r->depth;
		if (w > out->width[i])
			out->width[i] = w;
	}
	r->blob_len = (size_t)(cells - blob);
	return 0;
}

static char *json_from_text(const struct out_col *c, const char *text)
{
	struct ipk_buf b = { 0 };

	if (!text)
		return strdup("null");
	if (c->flags & COL_NUMBER)
		return strdup(text);
	if (c->flags & COL_REF ? ipk_buf_json_ref(&b, text) : ipk_buf_json_string(&b, text)) {
		ipk_buf_free(&b);
		return NULL;
	}
	return b.s;
}

int out_set(struct out *out, struct out_row *row, size_t col, const char *text,
	    const char *json)
{
	if (col >= out->ncols)
		return -EINVAL;
	if (!row->json)
		return table_cell(out, row, col, text);

	char *v = json ? strdup(json) : json_from_text(&out->cols[col], text);
	if (!v)
		return -ENOMEM;
	free(row->json[col]);
	row->json[col] = v;
	return 0;
}

int out_set_title(struct out *out, const char *title)
{
	char *copy = strdup(title);

	if (!copy)
		return -ENOMEM;
	free(out->title);
	out->title = copy;
	return 0;
}

int out_json_member(struct out *out, const char *key, const char *json)
{
	if (out->opts.mode != OUT_JSON)
		return 0;
	struct out_member *v = realloc(out->members, (out->nmembers + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	out->members = v;
	v[out->nmembers].key = strdup(key);
	v[out->nmembers].json = strdup(json);
	if (!v[out->nmembers].key || !v[out->nmembers].json) {
		free(v[out->nmembers].key);
		free(v[out->nmembers].json);
		return -ENOMEM;
	}
	out->nmembers++;
	return 0;
}

int out_row_json(struct out_row *row, const char *object)
{
	char *copy = strdup(object);

	if (!copy)
		return -ENOMEM;
	free(row->object);
	row->object = copy;
	return 0;
}

/* ------------------------------------------------------------------ JSON */

static void json_indent(int depth)
{
	for (int i = 0; i < depth; i++)
		fputs("  ", stdout);
}

static void json_row(const struct out *out, const struct out_row *r, int depth)
{
	json_indent(depth);
	if (r->object) {
		fputs(r->object, stdout);
		return;
	}
	fputc('{', stdout);
	bool first = true;
	for (size_t i = 0; i < out->ncols; i++) {
		if (!r->json || !r->json[i])
			continue;
		printf("%s\"%s\": %s", first ? "" : ", ", out->cols[i].json, r->json[i]);
		first = false;
	}
	if (r->children) {
		printf("%s\"children\": [\n", first ? "" : ", ");
		for (const struct out_row *c = r->children; c; c = c->next) {
			json_row(out, c, depth + 1);
			fputs(c->next ? ",\n" : "\n", stdout);
		}
		json_indent(depth);
		fputc(']', stdout);
	}
	fputc('}', stdout);
}

/* Prints the finished top-level rows: all of them but the newest, or all. */
static void json_flush(struct out *out, bool all)
{
	if (!out->json_started) {
		printf("{\n  \"%s\": [\n", out->json_root);
		out->json_started = true;
	}
	while (out->rows && (all || out->rows != out->last_row)) {
		struct out_row *r = out->rows;

		if (out->json_printed++)
			fputs(",\n", stdout);
		json_row(out, r, 2);
		out->rows = r->next;
		if (!out->rows)
			out->last_row = NULL;
		r->next = NULL;
		row_free(r, out->ncols);
	}
}

/* ----------------------------------------------------------------- tables */

/* Width of the terminal on standard output; 0 when it is not one. */
static size_t terminal_width(void)
{
	struct winsize ws;
	const char *env = getenv("COLUMNS");

	if (!isatty(STDOUT_FILENO))
		return 0;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col)
		return ws.ws_col;
	return env && atoi(env) > 0 ? (size_t)atoi(env) : 80;
}

/*
 * On a terminal too narrow for the table, the columns that may be
 * truncated give up width, widest first, down to their header's width.
 */
static void fit_terminal(struct out *out)
{
	size_t term = terminal_width(), total = 0;

	if (!term || out->opts.mode != OUT_TABLE)
		return;
	for (size_t i = 0; i < out->ncols; i++)
		total += out->width[i] + (i ? 1 : 0);
	/*
	 * The widest gives up width down to the next widest, then both, so
	 * that no column that may be cut is squeezed to its header while
	 * another keeps all of its own.
	 */
	while (total > term) {
		size_t widest = out->ncols, next = 0;
		for (size_t i = 0; i < out->ncols; i++) {
			size_t min = strlen(out->cols[i].header);
			if (!(out->cols[i].flags & COL_TRUNC) || out->width[i] <= min)
				continue;
			if (widest == out->ncols || out->width[i] > out->width[widest]) {
				if (widest != out->ncols && out->width[widest] > next)
					next = out->width[widest];
				widest = i;
			} else if (out->width[i] > next) {
				next = out->width[i];
			}
		}
		if (widest == out->ncols)
			return;
		size_t min = strlen(out->cols[widest].header);
		size_t floor = next > min ? next : min;
		size_t cut = total - term;
		if (floor < out->width[widest] && cut > out->width[widest] - floor)
			cut = out->width[widest] - floor;
		else if (floor >= out->width[widest])
			cut = 1;	/* as wide as the next: one column each in turn */
		out->width[widest] -= cut;
		total -= cut;
	}
}

/* Callers reserve room first: print_line() sizes each line before writing. */
static void pad(struct ipk_buf *line, size_t n)
{
	memset(line->s + line->len, ' ', n);
	line->len += n;
}

/* ipk_buf_add() without the call where there is room. */
static int buf_add_fast(struct ipk_buf *b, const char *s, size_t n)
{
	if (b->cap - b->len > n) {
		memcpy(b->s + b->len, s, n);
		b->len += n;
		b->s[b->len] = '\0';
		return 0;
	}
	return ipk_buf_add(b, s, n);
}

static void put(struct ipk_buf *line, const char *s, size_t n)
{
	memcpy(line->s + line->len, s, n);
	line->len += n;
}

/*
 * Appends @s (@len bytes, @swidth columns) cut to at most @width columns.
 * A cut cell ends in a mark, as top(1) marks its own: "4,100,9" shown as
 * "4,100" would read as another value.
 */
static size_t add_fitted(const struct out *out, struct ipk_buf *line, const char *s, size_t len,
			 size_t swidth, size_t width, bool keep_end)
{
	size_t used = 0;
	mbstate_t st = { 0 };
	const char *mark = out->utf8 ? "\u2026" : "~";

	if (swidth <= width) {
		put(line, s, len);
		return swidth;
	}
	if (!width)
		return 0;
	width--;	/* the mark's column */
	if (keep_end) {
		/* the mark, then the last columns: what tells one path from another */
		size_t at = 0, dropped = 0;
		while (at < len && swidth - dropped > width) {
			int w;
			size_t n = text_step(s + at, len - at, &st, &w);
			dropped += (size_t)w;
			at += n;
		}
		size_t from = esc_skip(s, len, at);
		dropped += from - at;	/* an escape's bytes are a column each */
		put(line, mark, strlen(mark));
		put(line, s + from, len - from);
		return swidth - dropped + 1;
	}
	const char *kept = s;
	size_t kept_len = len;
	if (swidth == len) {	/* ASCII: a byte is a column */
		s += width;
		used = width;
		len = 0;
	}
	while (len) {
		int w;
		size_t n = text_step(s, len, &st, &w);
		if (used + (size_t)w > width)
			break;
		used += (size_t)w;
		s += n;
		len -= n;
	}
	/* an escape's bytes are a column each */
	size_t whole = esc_cut(kept, kept_len, (size_t)(s - kept));
	used -= (size_t)(s - kept) - whole;
	put(line, kept, whole);
	put(line, mark, strlen(mark));
	return used + 1;
}

/* The branches in front of a tree row: one level per ancestor. */
static void tree_prefix(const struct out *out, const struct out_row *r, struct ipk_buf *line)
{
	const char *mid = out->utf8 ? "\u251c\u2500" : "|-";
	const char *end = out->utf8 ? "\u2514\u2500" : "`-";
	const char *bar = out->utf8 ? "\u2502 " : "| ";
	const struct out_row *chain[64];
	int n = 0;

	for (const struct out_row *a = r; a->parent && n < 64; a = a->parent)
		chain[n++] = a;
	while (n-- > 0) {
		bool last = !chain[n]->next;
		if (n == 0)
			ipk_buf_puts(line, last ? end : mid);
		else
			ipk_buf_puts(line, last ? "  " : bar);
	}
}

/*
 * An RFC 4180 field: quoted when it holds a comma, a quote or edge spaces
 * (line breaks never reach here: cells are sanitized), quotes doubled.
 */
static void add_csv(struct ipk_buf *line, const char *s, size_t len)
{
	if (!len || (!memchr(s, ',', len) && !memchr(s, '"', len) && s[0] != ' ' &&
		     s[len - 1] != ' ')) {
		ipk_buf_add(line, s, len);
		return;
	}
	ipk_buf_add(line, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"')
			ipk_buf_add(line, "\"", 1);
		ipk_buf_add(line, &s[i], 1);
	}
	ipk_buf_add(line, "\"", 1);
}

/* KEY="value": a shell variable name and a double-quoted shell word. */
static void add_pair(struct ipk_buf *line, const char *header, const char *value)
{
	for (const char *h = header; *h; h++) {
		if ((*h >= 'A' && *h <= 'Z') || (*h >= 'a' && *h <= 'z') ||
		    (*h >= '0' && *h <= '9' && h != header))
			ipk_buf_add(line, h, 1);
		else if (*h == '%')
			ipk_buf_puts(line, "_PCT");
		else
			ipk_buf_puts(line, "_");
	}
	ipk_buf_puts(line, "=\"");
	for (const char *v = value; *v; v++) {
		if (*v == '"' || *v == '\\' || *v == '$' || *v == '`')
			ipk_buf_add(line, "\\", 1);
		ipk_buf_add(line, v, 1);
	}
	ipk_buf_puts(line, "\"");
}

/* Appends one line of the table (the header when @r is NULL) to @text. */
static void render_line(const struct out *out, const struct out_row *r, struct ipk_buf *text)
{
	const char *cell = r ? (const char *)r->blob + out->ncols : NULL;
	size_t need = 2 * (r ? r->blob_len : out->headers_len) + out->headers_len +
		      5 * out->ncols + 8 * (r ? (size_t)r->depth : 0) + 2;

	/* Room for the whole line first (padding, escapes, a tree): then plain copies. */
	for (size_t i = 0; i < out->ncols; i++)
		need += out->width[i];
	if (ipk_buf_reserve(text, need))
		return;
	size_t end = text->len;
	for (size_t i = 0; i < out->ncols; i++) {
		const char *s = cell ? cell : out->cols[i].header;
		size_t len, w;

		if (cell && r->blob[i] < 255) {
			len = r->blob[i];
			w = r->plain ? len : measure(s, &len);
		} else {
			w = measure(s, &len);
		}

		if (cell)
			cell += len + 1;
		if (out->opts.mode == OUT_CSV) {
			if (i)
				ipk_buf_add(text, ",", 1);
			add_csv(text, s, len);
			end = text->len;
			continue;
		}
		if (i)
			put(text, " ", 1);
		if (out->opts.mode == OUT_PAIRS) {
			add_pair(text, out->cols[i].header, s);
			end = text->len;
			continue;
		}
		if (out->opts.mode == OUT_RAW) {
			put(text, s, len);
			end = text->len;
			continue;
		}
		size_t width = out->width[i], used = 0;
		bool tree = r && (out->cols[i].flags & COL_TREE);
		if (tree) {
			tree_prefix(out, r, text);
			used = 2 * (size_t)r->depth;
		}
		if ((out->cols[i].flags & COL_RIGHT) && w + used < width) {
			pad(text, width - w - used);
			used = width - w;
		}
		used += add_fitted(out, text, s, len, w, width - used,
				   out->cols[i].flags & COL_KEEP_END);
		if (len || tree)
			end = text->len;
		if (i + 1 < out->ncols && used < width)
			pad(text, width - used);
	}
	/* Empty cells at the end (group rows of a tree) leave no trailing blanks. */
	text->len = end;
	put(text, "\n", 1);
}

static void flush_text(struct ipk_buf *text)
{
	fwrite(text->s, 1, text->len, stdout);
	ipk_buf_reset(text);
}

/* Rows from @r on and their children, depth first, written out as they fill. */
static void render_rows(const struct out *out, const struct out_row *r, struct ipk_buf *text)
{
	for (; r; r = r->next) {
		render_line(out, r, text);
		if (text->len >= 65536)
			flush_text(text);
		render_rows(out, r->children, text);
	}
}

int out_print(struct out *out)
{
	if (out->opts.mode == OUT_JSON) {
		json_flush(out, true);
		fputs(out->json_printed ? "\n  ]" : "  ]", stdout);
		for (size_t i = 0; i < out->nmembers; i++)
			printf(",\n  \"%s\": %s", out->members[i].key, out->members[i].json);
		fputs("\n}\n", stdout);
		return 0;
	}
	if (commit_row(out))
		return -ENOMEM;
	/*
	 * Nothing matched: print nothing, not a lonely header; but CSV is
	 * data for other programs, and its header says what the columns were.
	 */
	if (!out->rows && (out->opts.mode != OUT_CSV || out->opts.noheadings))
		return 0;

	struct ipk_buf text = { 0 };
	fit_terminal(out);
	if (out->title && out->opts.mode == OUT_TABLE)
		ipk_buf_printf(&text, "%s\n", out->title);
	if (!out->opts.noheadings && out->opts.mode != OUT_PAIRS)
		render_line(out, NULL, &text);
	render_rows(out, out->rows, &text);
	flush_text(&text);
	ipk_buf_free(&text);
	/* Write errors stay flagged on stdout: close_stdout() reports them once. */
	return 0;
}

/* --------------------------------------------------------------- objects */

size_t out_fields(const char *spec, const int *defaults, size_t ndefaults, int **fields)
{
	size_t cap = ndefaults + IPK_F_COUNT, n = 0;
	int *v = malloc(cap * sizeof(*v));
	const char *given = spec;

	if (!v) {
		msg("%s", reason(ENOMEM));
		exit(EXIT_PARTIAL);
	}
	if (!spec || *spec == '+') {
		memcpy(v, defaults, ndefaults * sizeof(*v));
		n = ndefaults;
		if (spec)
			spec++;
	}
	if (spec && !*spec) {
		free(v);
		usage_error("no columns given to --output");
	}
	/* "REF,,KIND" is a slip, not two columns: every name between commas counts */
	for (const char *w = spec, *next; w; w = next) {
		size_t len = strcspn(w, ",");
		next = w[len] ? w + len + 1 : NULL;
		char name[64];
		if (!len) {
			free(v);
			usage_error("malformed --output '%s': an empty column name", given);
		}
		snprintf(name, sizeof(name), "%.*s", (int)len, w);
		int f = len < sizeof(name) ? ipk_field_find(name) : -1;
		if (f < 0) {
			free(v);
			msg("unknown column '%.*s' (see '%s --help')", (int)len, w, program_name);
			exit(EXIT_USAGE);
		}
		if (n < cap)
			v[n++] = f;
	}
	*fields = v;
	return n;
}

int out_object(struct out *out, struct out_row *row, size_t first, struct ipk_ctx *ctx,
	       const struct ipk_object *o, const int *fields, size_t nfields,
	       bool all_fields_json)
{
	struct ipk_buf b = { 0 };
	int rc = 0;

	if (row->json) {
		rc = ipk_object_json(ctx, o, all_fields_json ? NULL : fields, nfields, &b);
		if (!rc)
			rc = out_row_json(row, b.s);
	} else if (row != out->pending || first + nfields > out->ncols) {
		rc = -EINVAL;
	} else {
		for (size_t f = 0; f < nfields && !rc; f++)
			rc = field_cell(out, first + f, ctx, o, fields[f], &b);
	}
	ipk_buf_free(&b);
	return rc;
}

/* How much output is gathered before one write: not 4 KiB a write. */
#define OUT_BLOCK (256 * 1024)

/*
 * A flat JSON listing needs no widths and no rows: each object goes from
 * its record into the block being filled, the block to stdout when full.
 * The same text json_flush() and out_print() make of rows.
 */
static int json_objects(struct ipk_ctx *ctx, const struct ipk_list *list, const int *fields,
			size_t nfields, bool all_fields_json)
{
	struct ipk_buf b = { 0 };
	size_t n = ipk_list_len(list);
	int rc = ipk_buf_reserve(&b, OUT_BLOCK + 4096);

	if (!rc)
		rc = ipk_buf_puts(&b, "{\n  \"objects\": [\n");
	for (size_t i = 0; i < n && !rc; i++) {
		rc = ipk_buf_add(&b, ",\n    ", i ? 6 : 0);
		rc |= ipk_buf_add(&b, "    ", i ? 0 : 4);
		rc |= ipk_object_json(ctx, ipk_list_at(list, i), all_fields_json ? NULL : fields,
				      nfields, &b);
		if (b.len >= OUT_BLOCK)
			flush_text(&b);
	}
	if (!rc)
		rc = ipk_buf_puts(&b, n ? "\n  ]\n}\n" : "  ]\n}\n");
	if (!rc)
		flush_text(&b);
	ipk_buf_free(&b);
	/* Write errors stay flagged on stdout: close_stdout() reports them once. */
	return rc;
}

/* Decimal digits of a number, and its sign. */
static size_t number_width(const struct ipk_value *v)
{
	uint64_t u = v->is_unsigned || v->i >= 0 ? v->u : -(uint64_t)v->i;
	size_t n = 1 + (!v->is_unsigned && v->i < 0);

	while (u >= 10) {
		u /= 10;
		n++;
	}
	return n;
}

/* Appends the text of a field's value, as field_cell() would, unsanitized. */
static int value_cell(const struct out *out, struct ipk_ctx *ctx, const struct ipk_value *v,
		      struct ipk_buf *dst)
{
	if (v->presence == IPK_ABSENT)
		return ipk_buf_add(dst, "-",
				   out->opts.mode == OUT_PAIRS || out->opts.mode == OUT_CSV ? 0 : 1);
	return ipk_value_text(ctx, v, &out->opts.fmt, dst);
}

/*
 * Values whose text is printable ASCII without blanks whatever they hold
 * (numbers, keys, permission bits, status words, and the "-" of a table):
 * they need no check before they are printed.
 */
static bool known_plain(const struct out *out, const struct ipk_value *v)
{
	if (v->presence == IPK_ABSENT)
		return out->opts.mode == OUT_TABLE || out->opts.mode == OUT_RAW;
	if (v->presence != IPK_PRESENT)
		return false;
	switch (v->type) {
	case IPK_T_NUMBER:
	case IPK_T_BYTES:
	case IPK_T_KEY:
	case IPK_T_PERMS:
	case IPK_T_STATUS:
	case IPK_T_VALUE:
	case IPK_T_NUMBERS:
	case IPK_T_SECONDS:
		return true;
	default:
		return false;
	}
}

/*
 * The text of a cell appended to @dst from @at on, made safe to print
 * unless @plain says it is: the length it has then, and its width in
 * columns.
 */
static int finish_cell(const struct out *out, struct ipk_buf *dst, size_t at, bool plain,
		       struct ipk_buf *scratch, size_t *len, size_t *width)
{
	bool raw = out->opts.mode == OUT_RAW;

	if (!dst->s && ipk_buf_reserve(dst, 0))
		return -ENOMEM;
	if (plain || plain_length(dst->s + at, raw) >= 0) {
		*len = *width = dst->len - at;
		return 0;
	}
	ipk_buf_reset(scratch);
	if (ipk_buf_add(scratch, dst->s + at, dst->len - at))
		return -ENOMEM;
	dst->len = at;
	sanitize(scratch->s, raw, dst);
	if (ipk_buf_reserve(dst, 0))
		return -ENOMEM;
	*width = measure(dst->s + at, len);
	return 0;
}

#define MEMO_LIST 8

/*
 * The last cell of a column, for the next one of the same value: a
 * column's times, owners, sizes and flags repeat from row to row, and a
 * scalar value's text depends on nothing else (the table has one clock).
 */
struct cell_memo {
	bool valid;
	enum ipk_presence presence;
	enum ipk_field_type type;	/* VALUE is seconds in some kinds */
	uint64_t u;
	size_t n;			/* of a short list: the values in @list */
	int64_t list[MEMO_LIST];
	size_t len, width;
	char text[48];
};

/*
 * The key of a value whose text depends on its presence, type and one
 * word only: a scalar, or an empty list of holders or strings. False for
 * the rest (strings, lists), which memo_key() or nothing keys.
 */
static inline bool scalar_key(const struct ipk_value *v, uint64_t *u)
{
	*u = 0;
	if (v->presence != IPK_PRESENT)
		return true;
	switch (v->type) {
	case IPK_T_NUMBER:
	case IPK_T_BYTES:
	case IPK_T_KEY:
	case IPK_T_PERMS:
	case IPK_T_TIME:
	case IPK_T_USER:
	case IPK_T_GROUP:
	case IPK_T_STATUS:
	case IPK_T_SECONDS:
		*u = v->u;
		return true;
	case IPK_T_VALUE:
	case IPK_T_NUMBERS:
		if (v->is_list)
			return false;
		*u = v->u;
		return true;
	case IPK_T_HOLDERS:
		return v->holders.n == 0;
	case IPK_T_STRINGS:
		return v->strings.n == 0;
	default:
		return false;
	}
}

/*
 * Whether @v's text is a function of what the memo keeps: a scalar_key()
 * value, or a short array of numbers (a semaphore array's values). Its key
 * into @u, @n and @list.
 */
static bool memo_key(const struct ipk_value *v, uint64_t *u, size_t *n, int64_t *list)
{
	*n = 0;
	if (scalar_key(v, u))
		return true;
	if (v->type != IPK_T_VALUE && v->type != IPK_T_NUMBERS)
		return false;
	if (!v->is_list || v->list.n > MEMO_LIST)
		return false;
	*u = 1;
	*n = v->list.n;
	memcpy(list, v->list.v, *n * sizeof(*list));
	return true;
}

/*
 * The memo of @m when it holds @v's text: the test of every cell, so it
 * asks no more than a scalar's presence, type and word.
 */
static inline bool memo_holds(const struct cell_memo *m, const struct ipk_value *v)
{
	uint64_t u;

	return m->valid && !m->n && m->presence == v->presence && m->type == v->type &&
	       scalar_key(v, &u) && m->u == u;
}

/* The text of @v appended to @dst, finished (finish_cell()), through @m. */
static int memo_cell(const struct out *out, struct ipk_ctx *ctx, struct cell_memo *m,
		     const struct ipk_value *v, struct ipk_buf *dst, struct ipk_buf *scratch,
		     size_t *len, size_t *width)
{
	int64_t list[MEMO_LIST];
	uint64_t u;
	size_t n;
	bool memo = memo_key(v, &u, &n, list);

	if (memo && m->valid && m->presence == v->presence && m->type == v->type && m->u == u &&
	    m->n == n && (!n || memcmp(m->list, list, n * sizeof(*list)) == 0)) {
		*len = m->len;
		*width = m->width;
		return buf_add_fast(dst, m->text, m->len);
	}
	size_t at = dst->len;
	int rc = value_cell(out, ctx, v, dst);
	if (!rc)
		rc = finish_cell(out, dst, at, known_plain(out, v), scratch, len, width);
	if (!rc && memo && *len < sizeof(m->text)) {
		m->valid = true;
		m->presence = v->presence;
		m->type = v->type;
		m->u = u;
		m->n = n;
		memcpy(m->list, list, n * sizeof(*list));
		m->len = *len;
		m->width = *width;
		memcpy(m->text, dst->s + at, *len);
	}
	return rc;
}

/*
 * The width of a cell: for what has a width of its own (numbers, keys,
 * permission bits, "-", plain strings) without making its text.
 */
static int cell_width(const struct out *out, struct ipk_ctx *ctx, const struct ipk_object *o,
		      int field, struct cell_memo *m, struct ipk_buf *cell, struct ipk_buf *scratch,
		      size_t *width)
{
	struct ipk_value v;
	ssize_t plain;
	size_t len;

	ipk_object_get(o, field, &v);
	if (v.presence == IPK_ABSENT) {
		*width = 1;
		return 0;
	}
	if (memo_holds(m, &v)) {
		*width = m->width;
		return 0;
	}
	if (v.presence == IPK_PRESENT) {
		switch (v.type) {
		case IPK_T_NUMBER:
			*width = number_width(&v);
			return 0;
		case IPK_T_VALUE:
			if (!v.is_list) {
				*width = number_width(&v);
				return 0;
			}
			break;
		case IPK_T_KEY:
			*width = 10;
			return 0;
		case IPK_T_PERMS:
			*width = out->opts.fmt.numeric_perms ? 4 : 9;
			return 0;
		case IPK_T_STRING:
		case IPK_T_KIND:
			if ((plain = plain_length(v.s, false)) >= 0) {
				*width = (size_t)plain;
				return 0;
			}
			break;
		default:
			break;
		}
	}
	cell->len = 0;
	return memo_cell(out, ctx, m, &v, cell, scratch, &len, width);
}

/*
 * Appends one line of raw, CSV or pairs output of objects to @text, as
 * render_line() would: raw cells formatted in place, CSV and pairs
 * through @cell. Tables have table_line().
 */
static int object_line(const struct out *out, struct ipk_ctx *ctx, const struct ipk_object *o,
		       const int *fields, struct cell_memo *memo, struct ipk_buf *text,
		       struct ipk_buf *cell, struct ipk_buf *scratch)
{
	size_t len, w;
	bool csv = out->opts.mode == OUT_CSV;
	int rc;

	for (size_t i = 0; i < out->ncols; i++) {
		struct ipk_value v;

		ipk_object_get(o, fields[i], &v);
		if (out->opts.mode == OUT_RAW) {
			if ((i && (rc = buf_add_fast(text, " ", 1))) ||
			    (rc = memo_cell(out, ctx, &memo[i], &v, text, scratch, &len, &w)))
				return rc;
			continue;
		}
		cell->len = 0;
		if ((rc = memo_cell(out, ctx, &memo[i], &v, cell, scratch, &len, &w)))
			return rc;
		if (ipk_buf_reserve(text, 2 * len + 8 + 2 * strlen(out->cols[i].header)))
			return -ENOMEM;
		if (i)
			put(text, csv ? "," : " ", 1);
		if (csv)
			add_csv(text, cell->s, len);
		else
			add_pair(text, out->cols[i].header, cell->s);
	}
	if (ipk_buf_reserve(text, 1))
		return -ENOMEM;
	put(text, "\n", 1);
	return 0;
}

/* Blanks in the room a line reserves (TABLE_SLACK), without a call for the short ones. */
static void pad_fast(struct ipk_buf *line, size_t n)
{
	static const char blanks[16] = "                ";

	if (n <= sizeof(blanks))
		memcpy(line->s + line->len, blanks, sizeof(blanks));
	else
		memset(line->s + line->len, ' ', n);
	line->len += n;
}

/*
 * Room a table line reserves past its columns: a memo's whole text or 16
 * blanks are copied at once, whatever fewer bytes they stand for.
 */
#define TABLE_SLACK (sizeof(((struct cell_memo *)0)->text) + 16)

/*
 * One line of a table, as object_line() makes it, with the cells of most
 * rows copied straight in: a column's memo (the last text of a scalar),
 * or a plain string. The others, and cells that must be cut, go through
 * object_line()'s path cell by cell.
 */
static int table_line(const struct out *out, struct ipk_ctx *ctx, const struct ipk_object *o,
		      const int *fields, struct cell_memo *memo, size_t room, struct ipk_buf *text,
		      struct ipk_buf *scratch)
{
	size_t end = text->len;
	int rc;

	if (text->cap - text->len <= room && ipk_buf_reserve(text, room))
		return -ENOMEM;
	for (size_t i = 0; i < out->ncols; i++) {
		struct ipk_value v;
		const struct cell_memo *m = &memo[i];
		bool open = out->last_open && i + 1 == out->ncols;
		size_t width = open ? SIZE_MAX : out->width[i], len, w, at;
		const char *cell;
		ssize_t plain;

		ipk_object_get(o, fields[i], &v);
		if (i)
			put(text, " ", 1);
		if (memo_holds(m, &v) && m->len <= width) {
			cell = m->text;
			len = m->len;
			w = m->width;
		} else if (v.presence == IPK_PRESENT &&
			   (v.type == IPK_T_STRING || v.type == IPK_T_KIND) &&
			   (plain = plain_length(v.s, false)) >= 0 && (size_t)plain <= width) {
			cell = v.s;
			len = w = (size_t)plain;
			/* the room of a line counts an open column's header, not its cell */
			if (open && text->cap - text->len <= len + 1 && ipk_buf_reserve(text, len + 1))
				return -ENOMEM;
		} else {
			/* the general cell: made, measured, then cut or aligned in place */
			at = text->len;
			if ((rc = memo_cell(out, ctx, &memo[i], &v, text, scratch, &len, &w)))
				return rc;
			if (text->cap - text->len <= room && ipk_buf_reserve(text, room))
				return -ENOMEM;
			size_t used = w;
			if (w > width) {
				ipk_buf_reset(scratch);
				if (ipk_buf_add(scratch, text->s + at, len))
					return -ENOMEM;
				text->len = at;
				used = add_fitted(out, text, scratch->s, len, w, width,
						  out->cols[i].flags & COL_KEEP_END);
			} else if ((out->cols[i].flags & COL_RIGHT) && w < width) {
				memmove(text->s + at + (width - w), text->s + at, len);
				memset(text->s + at, ' ', width - w);
				text->len += width - w;
				used = width;
			}
			if (len)
				end = text->len;
			if (i + 1 < out->ncols && used < width)
				pad_fast(text, width - used);
			continue;
		}
		size_t blank = width - w;
		if (blank && (out->cols[i].flags & COL_RIGHT)) {
			pad_fast(text, blank);
			blank = 0;
		}
		/* a memo's text whole, its length known to the compiler: no call */
		if (cell == m->text)
			memcpy(text->s + text->len, m->text, sizeof(m->text));
		else
			memcpy(text->s + text->len, cell, len);
		text->len += len;
		if (len)
			end = text->len;
		if (i + 1 < out->ncols && blank)
			pad_fast(text, blank);
	}
	/* Empty cells at the end leave no trailing blanks. */
	text->len = end;
	put(text, "\n", 1);
	text->s[text->len] = '\0';
	return 0;
}

/*
 * A flat table of objects, sized from the records: a first pass measures
 * each column (numbers, keys and permission bits without making their
 * text), a second writes each line straight into the block being filled.
 * Nothing is kept per row; raw, CSV and pairs need no first pass.
 */
static int table_objects(struct ipk_ctx *ctx, const struct out_opts *opts,
			 const struct ipk_list *list, const int *fields, const struct out_col *cols,
			 size_t nfields)
{
	struct out *out = out_new(opts, "objects", cols, nfields);
	struct cell_memo *memo = calloc(nfields ? nfields : 1, sizeof(*memo));
	struct ipk_buf text = { 0 }, cell = { 0 }, scratch = { 0 };
	size_t n = ipk_list_len(list);
	int rc = 0;

	if (!out || !memo) {
		out_free(out);
		free(memo);
		return -ENOMEM;
	}
	/* one clock for both passes: a relative time measured is the one shown */
	if (!out->opts.fmt.now)
		out->opts.fmt.now = time(NULL);
	/*
	 * Off a terminal nothing is cut, and a last column is not padded: one
	 * aligned left needs no width (its cells, the holders most often, are
	 * the longest to make).
	 */
	size_t measured = nfields;
	if (opts->mode == OUT_TABLE && nfields && !(cols[nfields - 1].flags & COL_RIGHT) &&
	    !terminal_width()) {
		out->last_open = true;
		measured = nfields - 1;
	}
	if (opts->mode == OUT_TABLE) {
		for (size_t r = 0; r < n && !rc; r++) {
			const struct ipk_object *o = ipk_list_at(list, r);
			for (size_t i = 0; i < measured && !rc; i++) {
				size_t w = 0;
				rc = cell_width(out, ctx, o, fields[i], &memo[i], &cell, &scratch, &w);
				if (w > out->width[i])
					out->width[i] = w;
			}
		}
	}
	/*
	 * Nothing matched: print nothing, not a lonely header; but CSV is
	 * data for other programs, and its header says what the columns were.
	 */
	if (!rc && (n || (opts->mode == OUT_CSV && !opts->noheadings))) {
		rc = ipk_buf_reserve(&text, OUT_BLOCK + 4096);
		fit_terminal(out);
		if (!rc && !opts->noheadings && opts->mode != OUT_PAIRS)
			render_line(out, NULL, &text);
		size_t room = TABLE_SLACK + 2;
		for (size_t i = 0; i < nfields; i++)
			room += out->width[i] + 1;
		for (size_t r = 0; r < n && !rc; r++) {
			const struct ipk_object *o = ipk_list_at(list, r);
			rc = opts->mode == OUT_TABLE
				     ? table_line(out, ctx, o, fields, memo, room, &text, &scratch)
				     : object_line(out, ctx, o, fields, memo, &text, &cell, &scratch);
			if (text.len >= OUT_BLOCK)
				flush_text(&text);
		}
		if (!rc)
			flush_text(&text);
	}
	ipk_buf_free(&text);
	ipk_buf_free(&cell);
	ipk_buf_free(&scratch);
	free(memo);
	out_free(out);
	/* Write errors stay flagged on stdout: close_stdout() reports them once. */
	return rc;
}

int out_objects(struct ipk_ctx *ctx, const struct out_opts *opts,
		const struct ipk_list *list, const int *fields, size_t nfields,
		bool all_fields_json)
{
	if (opts->mode == OUT_JSON)
		return json_objects(ctx, list, fields, nfields, all_fields_json);

	struct out_col *cols = calloc(nfields, sizeof(*cols));
	int rc = 0;

	if (!cols)
		return -ENOMEM;
	for (size_t i = 0; i < nfields; i++) {
		const struct ipk_field_info *fi = ipk_field_info(fields[i]);
		cols[i].header = fi->column;
		cols[i].json = fi->json;
		cols[i].flags = (fi->flags & IPK_FIELD_RIGHT ? COL_RIGHT : 0) |
				(fi->flags & IPK_FIELD_WIDE ? COL_TRUNC : 0);
	}
	rc = table_objects(ctx, opts, list, fields, cols, nfields);
	free(cols);
	return rc;
}
