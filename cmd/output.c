/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one renderer of every command: tables, raw and KEY="value" pairs by
 * libsmartcols; JSON by our own writer, because records nest (holders are
 * objects, semaphore values arrays) and `-i --json` prints one bare object,
 * neither of which libsmartcols 2.38 can express; CSV by our own writer too,
 * as libsmartcols has none.
 */
#include "common.h"

#include <errno.h>
#include <libsmartcols.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct out_row {
	struct out_row *parent, *children, *last_child, *next;
	struct libscols_line *line;	/* table modes */
	char **json;			/* JSON mode: each cell's JSON text; CSV: its text */
	char *object;			/* JSON mode: a whole object */
};

struct out_member {
	char *key, *json;
};

struct out {
	struct out_opts opts;
	const char *json_root;
	const struct out_col *cols;
	size_t ncols;
	bool tree;
	struct libscols_table *tb;
	struct out_row *rows, *last_row;	/* JSON: rows not printed yet */
	struct out_row *table_rows;		/* table: rows to free */
	bool json_started;
	size_t json_printed;
	struct out_member *members;		/* JSON: after the rows */
	size_t nmembers;
};

static bool use_colors(void)
{
	const char *no = getenv("NO_COLOR");

	return isatty(STDOUT_FILENO) && !(no && *no);
}

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
	for (size_t i = 0; i < ncols; i++)
		if (cols[i].flags & COL_TREE)
			out->tree = true;
	if (opts->mode == OUT_JSON || opts->mode == OUT_CSV)
		return out;

	out->tb = scols_new_table();
	if (!out->tb) {
		free(out);
		return NULL;
	}
	scols_table_enable_raw(out->tb, opts->mode == OUT_RAW);
	scols_table_enable_export(out->tb, opts->mode == OUT_PAIRS);
	scols_table_enable_shellvar(out->tb, opts->mode == OUT_PAIRS);
	scols_table_enable_noheadings(out->tb, opts->noheadings);
	scols_table_enable_colors(out->tb, use_colors());
	for (size_t i = 0; i < ncols; i++) {
		int flags = 0;

		if (cols[i].flags & COL_RIGHT)
			flags |= SCOLS_FL_RIGHT;
		if (cols[i].flags & COL_TRUNC)
			flags |= SCOLS_FL_TRUNC;
		if ((cols[i].flags & COL_TREE) && opts->mode == OUT_TABLE)
			flags |= SCOLS_FL_TREE;
		if (!scols_table_new_column(out->tb, cols[i].header, 0, flags)) {
			out_free(out);
			return NULL;
		}
	}
	return out;
}

static void row_free(struct out_row *r, size_t ncols)
{
	while (r) {
		struct out_row *next = r->next;

		row_free(r->children, ncols);
		if (r->json)
			for (size_t i = 0; i < ncols; i++)
				free(r->json[i]);
		free(r->json);
		free(r->object);
		free(r);
		r = next;
	}
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

static void json_begin(struct out *out)
{
	if (!out->json_started) {
		printf("{\n  \"%s\": [\n", out->json_root);
		out->json_started = true;
	}
}

/* ------------------------------------------------------------------- CSV */

/*
 * RFC 4180 fields, quoted when they hold a comma, a quote, a line break or
 * edge spaces; lines end in \n as Unix tools expect.
 */
static void csv_field(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (!n)
		return;
	if (!strpbrk(s, ",\"\r\n") && s[0] != ' ' && s[n - 1] != ' ') {
		fputs(s, stdout);
		return;
	}
	fputc('"', stdout);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', stdout);
		fputc(*s, stdout);
	}
	fputc('"', stdout);
}

static void csv_begin(struct out *out)
{
	if (out->json_started)
		return;
	out->json_started = true;
	if (out->opts.noheadings)
		return;
	for (size_t i = 0; i < out->ncols; i++) {
		if (i)
			fputc(',', stdout);
		csv_field(out->cols[i].header);
	}
	fputc('\n', stdout);
}

/* A row, then its children: a tree is flattened in order. */
static void csv_row(const struct out *out, const struct out_row *r)
{
	for (size_t i = 0; i < out->ncols; i++) {
		if (i)
			fputc(',', stdout);
		csv_field(r->json ? r->json[i] : NULL);
	}
	fputc('\n', stdout);
	for (const struct out_row *c = r->children; c; c = c->next)
		csv_row(out, c);
}

/* Prints the finished top-level rows: all of them but the newest, or all. */
static void rows_flush(struct out *out, bool all)
{
	if (out->opts.mode == OUT_CSV)
		csv_begin(out);
	else
		json_begin(out);
	while (out->rows && (all || out->rows != out->last_row)) {
		struct out_row *r = out->rows;

		if (out->opts.mode == OUT_CSV) {
			csv_row(out, r);
		} else {
			if (out->json_printed++)
				fputs(",\n", stdout);
			json_row(out, r, 2);
		}
		out->rows = r->next;
		if (!out->rows)
			out->last_row = NULL;
		r->next = NULL;
		row_free(r, out->ncols);
	}
}

/* ------------------------------------------------------------------ rows */

struct out_row *out_row(struct out *out, struct out_row *parent)
{
	struct out_row *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->parent = parent;
	if (out->tb) {
		r->line = scols_table_new_line(out->tb, parent ? parent->line : NULL);
		if (!r->line) {
			free(r);
			return NULL;
		}
		/* Only the struct is kept, to free it at the end. */
		r->next = out->table_rows;
		out->table_rows = r;
		return r;
	}
	r->json = calloc(out->ncols ? out->ncols : 1, sizeof(*r->json));
	if (!r->json) {
		free(r);
		return NULL;
	}
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
	/* Without a tree, rows before this one are complete: stream them. */
	if (!out->tree)
		rows_flush(out, false);
	return r;
}

static char *json_from_text(const struct out_col *c, const char *text)
{
	struct ipk_buf b = { 0 };

	if (!text)
		return strdup("null");
	if (c->flags & COL_NUMBER)
		return strdup(text);
	if (ipk_buf_json_string(&b, text)) {
		ipk_buf_free(&b);
		return NULL;
	}
	return b.s;
}

static int table_cell(const struct out *out, struct out_row *row, size_t col,
		      const char *text)
{
	/* Pairs are for scripts: nothing is "", not a dash. */
	char *copy = strdup(text ? text : out->opts.mode == OUT_PAIRS ? "" : "-");

	if (!copy || scols_line_refer_data(row->line, col, copy)) {
		free(copy);
		return -ENOMEM;
	}
	return 0;
}

/* CSV: the text as it is, nothing for "-". */
static int csv_cell(struct out_row *row, size_t col, const char *text)
{
	char *v = strdup(text ? text : "");

	if (!v)
		return -ENOMEM;
	free(row->json[col]);
	row->json[col] = v;
	return 0;
}

int out_set_title(struct out *out, const char *title)
{
	if (!out->tb || out->opts.mode != OUT_TABLE)
		return 0;
	struct libscols_cell *cell = scols_table_get_title(out->tb);

	if (!cell || scols_cell_set_data(cell, title))
		return -ENOMEM;
	scols_cell_set_flags(cell, SCOLS_CELL_FL_LEFT);
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

static int json_cell(struct out *out, struct out_row *row, size_t col, const char *text,
		     const char *json)
{
	char *v = json ? strdup(json) : json_from_text(&out->cols[col], text);

	if (!v)
		return -ENOMEM;
	free(row->json[col]);
	row->json[col] = v;
	return 0;
}

int out_set(struct out *out, struct out_row *row, size_t col, const char *text,
	    const char *json)
{
	if (col >= out->ncols)
		return -EINVAL;
	if (row->line)
		return table_cell(out, row, col, text);
	if (out->opts.mode == OUT_CSV)
		return csv_cell(row, col, text);
	return json_cell(out, row, col, text, json);
}

int out_print(struct out *out)
{
	if (out->tb) {
		/* Nothing matched: print nothing, not a lonely header. */
		if (scols_table_get_nlines(out->tb) > 0)
			scols_print_table(out->tb);
	} else if (out->opts.mode == OUT_CSV) {
		rows_flush(out, true);
	} else {
		rows_flush(out, true);
		fputs(out->json_printed ? "\n  ]" : "  ]", stdout);
		for (size_t i = 0; i < out->nmembers; i++)
			printf(",\n  \"%s\": %s", out->members[i].key, out->members[i].json);
		fputs("\n}\n", stdout);
	}
	/* Write errors stay flagged on stdout: close_stdout() reports them once. */
	return 0;
}

void out_free(struct out *out)
{
	if (!out)
		return;
	if (out->tb)
		scols_unref_table(out->tb);
	for (struct out_row *r = out->table_rows, *next; r; r = next) {
		next = r->next;
		free(r);
	}
	row_free(out->rows, out->ncols);
	for (size_t i = 0; i < out->nmembers; i++) {
		free(out->members[i].key);
		free(out->members[i].json);
	}
	free(out->members);
	free(out);
}

/* --------------------------------------------------------------- objects */

size_t out_fields(const char *spec, const int *defaults, size_t ndefaults, int **fields)
{
	size_t cap = ndefaults + IPK_F_COUNT, n = 0;
	int *v = malloc(cap * sizeof(*v));
	char *copy, *save = NULL;

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
	copy = strdup(spec ? spec : "");
	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		int f = ipk_field_find(w);
		if (f < 0) {
			free(v);
			msg("unknown column '%s' (see '%s --help')", w, program_name);
			free(copy);
			exit(EXIT_USAGE);
		}
		if (n < cap)
			v[n++] = f;
	}
	free(copy);
	if (!n)
		usage_error("no columns given to --output");
	*fields = v;
	return n;
}

int out_objects(struct ipk_ctx *ctx, const struct out_opts *opts,
		const struct ipk_list *list, const int *fields, size_t nfields,
		bool all_fields_json)
{
	struct out_col *cols = calloc(nfields, sizeof(*cols));
	struct ipk_buf b = { 0 };
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
	struct out *out = out_new(opts, "objects", cols, nfields);
	if (!out) {
		free(cols);
		return -ENOMEM;
	}
	for (size_t i = 0; i < ipk_list_len(list) && !rc; i++) {
		const struct ipk_object *o = ipk_list_at(list, i);
		struct out_row *row = out_row(out, NULL);

		if (!row) {
			rc = -ENOMEM;
			break;
		}
		if (opts->mode == OUT_JSON) {
			ipk_buf_reset(&b);
			rc = ipk_object_json(ctx, o, all_fields_json ? NULL : fields, nfields, &b);
			if (!rc)
				rc = out_row_json(row, b.s);
			continue;
		}
		for (size_t f = 0; f < nfields && !rc; f++) {
			struct ipk_value v;

			ipk_object_get(o, fields[f], &v);
			if (v.presence == IPK_ABSENT) {
				rc = out_set(out, row, f, NULL, NULL);
				continue;
			}
			ipk_buf_reset(&b);
			rc = ipk_field_text(ctx, o, fields[f], &opts->fmt, &b);
			if (!rc)
				rc = out_set(out, row, f, b.s, NULL);
		}
	}
	if (!rc)
		rc = out_print(out);
	out_free(out);
	ipk_buf_free(&b);
	free(cols);
	return rc;
}
