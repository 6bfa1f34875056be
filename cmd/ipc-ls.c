/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ipc-ls: list IPC objects of every kind, one record each. */
#include "common.h"
#include "ipckit-snapshot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
	OPT_ID = 'i',
	OPT_LIMITS = 'l',
	OPT_SUMMARY = 's',
	OPT_TREE = 't',
	OPT_FORMAT = OPT_COMMAND_BASE,
	OPT_PER_OBJECT,
	OPT_MAX_SERIES,
};

static const struct cmd_option ls_options[] = {
	{ "id", OPT_ID, "REF", "the whole record of one object", COMPLETE_REFS, NULL, 0 },
	{ "summary", OPT_SUMMARY, NULL, "count and bytes per kind", 0, NULL, 0 },
	{ "limits", OPT_LIMITS, NULL, "kernel limits, with use and percent", 0, NULL, 0 },
	{ "tree", OPT_TREE, NULL, "objects grouped by kind, then owner", 0, NULL, 0 },
	{ "format", OPT_FORMAT, "FORMAT", "prometheus: the text format of node_exporter's "
	  "textfile collector", COMPLETE_WORDS, "prometheus", 0 },
	{ "per-object", OPT_PER_OBJECT, NULL, "with --format prometheus: series of each object too",
	  0, NULL, 0 },
	{ "max-series", OPT_MAX_SERIES, "N", "with --per-object: at most N of them (default "
	  "10000)", 0, NULL, 0 },
};

static const struct opt_group ls_groups[] = {
	{ "Options", ls_options, sizeof(ls_options) / sizeof(ls_options[0]) },
	{ "Output", output_options, 0 },	/* sizes filled in main() */
	{ "Filters", filter_options, 0 },
};

static const char *const ls_synopsis[] = {
	"[options] [REF...]",
	"[options] -i REF",
	"[options] --summary | --limits | --tree",
	"[options] --format prometheus [--per-object [--max-series N]]",
	NULL,
};

static const int default_tree_fields[] = {
	IPK_F_KEY, IPK_F_PERMS, IPK_F_SIZE, IPK_F_MESSAGES, IPK_F_VALUE, IPK_F_NATTCH,
	IPK_F_CTIME,
};

enum ls_mode { LS_LIST, LS_ID, LS_SUMMARY, LS_LIMITS, LS_TREE, LS_PROMETHEUS };

struct ls {
	enum ls_mode mode;
	const char *id_ref;
	struct out_opts out;
	struct ipk_filter *filter;
	struct scope scope;
	bool time_format_given;
	bool filtered;		/* a filter option was given */
	bool orphan;		/* --orphan: what is not listed depends on who was read */
	struct ipk_prom_opts prom;
};

static void set_mode(struct ls *ls, enum ls_mode mode)
{
	if (ls->mode != LS_LIST && ls->mode != mode)
		usage_error("--id, --summary, --limits, --tree and --format exclude each other");
	ls->mode = mode;
}

static void handle(int key, const char *arg, void *data)
{
	struct ls *ls = data;

	if (key == OPT_TIME_FORMAT)
		ls->time_format_given = true;
	if (out_opts_handle(&ls->out, key, arg) || scope_opts_handle(&ls->scope, key, arg))
		return;
	if (filter_opts_handle(ls->filter, key, arg)) {
		ls->filtered = true;
		ls->orphan |= key == OPT_ORPHAN;
		return;
	}
	switch (key) {
	case OPT_ID:
		set_mode(ls, LS_ID);
		ls->id_ref = arg;
		break;
	case OPT_SUMMARY:
		set_mode(ls, LS_SUMMARY);
		break;
	case OPT_LIMITS:
		set_mode(ls, LS_LIMITS);
		break;
	case OPT_TREE:
		set_mode(ls, LS_TREE);
		break;
	case OPT_FORMAT:
		if (strcmp(arg, "prometheus") != 0)
			usage_error("unknown format '%s' (prometheus)", arg);
		set_mode(ls, LS_PROMETHEUS);
		break;
	case OPT_PER_OBJECT:
		ls->prom.per_object = true;
		break;
	case OPT_MAX_SERIES: {
		char *end;
		errno = 0;
		unsigned long long n = strtoull(arg, &end, 10);
		if (errno || *end || end == arg || n == 0 || arg[0] == '-')
			usage_error("malformed --max-series '%s' (a number, at least 1)", arg);
		ls->prom.max_series = (size_t)n;
		break;
	}
	}
}

/* A REF the user typed: exit 2 when malformed, message and NULL when absent. */
/* -i: every field of the kind as "FIELD: value". */
static int show_record(struct ipk_ctx *ctx, const struct ls *ls, const struct ipk_object *o)
{
	const struct ipk_kind *k = ipk_object_kind(o);
	struct ipk_buf b = { 0 };
	struct ipk_format fmt = ls->out.fmt;
	int width = 0;

	if (ls->out.mode == OUT_JSON) {
		int rc = ipk_object_json(ctx, o, NULL, 0, &b);
		if (!rc)
			printf("%s\n", b.s);
		ipk_buf_free(&b);
		return rc;
	}
	if (!ls->time_format_given)
		fmt.time = IPK_TIME_FULL;
	for (int f = 0; f < IPK_F_COUNT; f++)
		if (ipk_kind_has_field(k, f) && (int)strlen(ipk_field_info(f)->column) > width)
			width = (int)strlen(ipk_field_info(f)->column);
	for (int f = 0; f < IPK_F_COUNT; f++) {
		const struct ipk_field_info *fi = ipk_field_info(f);

		if (!ipk_kind_has_field(k, f))
			continue;
		ipk_buf_reset(&b);
		if (detail_text(ctx, o, f, &fmt, &b)) {
			ipk_buf_free(&b);
			return -ENOMEM;
		}
		printf("%s:%*s %s\n", fi->column, width - (int)strlen(fi->column), "", esc(b.s));
	}
	ipk_buf_free(&b);
	return 0;
}

/* --summary: objects and bytes per kind. */
static int show_summary(struct ipk_ctx *ctx, const struct ls *ls, const struct ipk_list *l)
{
	static const struct out_col cols[] = {
		{ "KIND", "kind", 0 },
		{ "COUNT", "count", COL_RIGHT | COL_NUMBER },
		{ "SIZE", "size", COL_RIGHT | COL_NUMBER },
		{ "DESCRIPTION", "description", 0 },
	};
	size_t nk = ipk_kind_count();
	uint64_t *count = calloc(nk, sizeof(*count)), *bytes = calloc(nk, sizeof(*bytes));
	struct out *out = out_new(&ls->out, "summary", cols, sizeof(cols) / sizeof(cols[0]));
	struct ipk_buf b = { 0 };
	int rc = 0;

	if (!count || !bytes || !out) {
		rc = -ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < ipk_list_len(l); i++) {
		const struct ipk_object *o = ipk_list_at(l, i);
		size_t k = ipk_kind_index(ipk_object_kind(o));
		struct ipk_value v;

		count[k]++;
		ipk_object_get(o, IPK_F_SIZE, &v);
		if (v.presence == IPK_PRESENT && bytes[k] + v.u >= bytes[k])
			bytes[k] += v.u;
	}
	for (size_t k = 0; k < nk && !rc; k++) {
		const struct ipk_kind *kind = ipk_kind_at(k);
		char n[32], exact[32];

		if (!ipk_filter_wants_kind(ls->filter, kind))
			continue;
		struct out_row *row = out_row(out, NULL);
		if (!row) {
			rc = -ENOMEM;
			break;
		}
		snprintf(n, sizeof(n), "%llu", (unsigned long long)count[k]);
		snprintf(exact, sizeof(exact), "%llu", (unsigned long long)bytes[k]);
		ipk_buf_reset(&b);
		if (!ls->out.fmt.exact_bytes)
			ipk_format_bytes(bytes[k], &b);
		rc = out_set(out, row, 0, ipk_kind_name(kind), NULL);
		/* what was read of a kind read in part is no count of it (a diagnostic says why) */
		bool partial = ipk_ctx_kind_partial(ctx, kind);
		if (partial)
			rc |= out_set(out, row, 1, "unreadable", "null");
		else
			rc |= out_set(out, row, 1, n, NULL);
		if (ipk_kind_has_field(kind, IPK_F_SIZE) && partial)
			rc |= out_set(out, row, 2, "unreadable", "null");
		else if (ipk_kind_has_field(kind, IPK_F_SIZE))
			rc |= out_set(out, row, 2, ls->out.fmt.exact_bytes ? exact : b.s, exact);
		else
			rc |= out_set(out, row, 2, NULL, NULL);
		rc |= out_set(out, row, 3, ipk_kind_description(kind), NULL);
	}
	if (!rc)
		rc = out_print(out);
done:
	out_free(out);
	ipk_buf_free(&b);
	free(count);
	free(bytes);
	return rc;
}

static void limit_number(const struct ls *ls, const struct ipk_limit *l, uint64_t v,
			 struct ipk_buf *text, struct ipk_buf *json)
{
	ipk_buf_printf(json, "%llu", (unsigned long long)v);
	if (l->unit == IPK_UNIT_BYTES && !ls->out.fmt.exact_bytes)
		ipk_format_bytes(v, text);
	else
		ipk_buf_printf(text, "%llu", (unsigned long long)v);
}

/* --limits: each kernel limit, its use and the percentage. */
static int show_limits(struct ipk_ctx *ctx, const struct ls *ls)
{
	static const struct out_col cols[] = {
		{ "RESOURCE", "resource", 0 },
		{ "DESCRIPTION", "description", COL_TRUNC },
		{ "LIMIT", "limit", COL_RIGHT | COL_NUMBER },
		{ "USED", "used", COL_RIGHT | COL_NUMBER },
		{ "USE%", "use_percent", COL_RIGHT | COL_NUMBER },
		{ "UNIT", "unit", 0 },
		{ "SOURCE", "source", 0 },
	};
	struct ipk_limit *v;
	size_t n;
	int rc = ipk_limits(ctx, &v, &n);

	if (rc)
		return rc;
	struct out *out = out_new(&ls->out, "limits", cols, sizeof(cols) / sizeof(cols[0]));
	if (!out) {
		free(v);
		return -ENOMEM;
	}
	struct ipk_buf text = { 0 }, json = { 0 };
	for (size_t i = 0; i < n && !rc; i++) {
		const struct ipk_limit *l = &v[i];
		struct out_row *row = out_row(out, NULL);
		double pct = ipk_limit_percent(l);
		char p[32] = "";

		if (!row) {
			rc = -ENOMEM;
			break;
		}
		rc |= out_set(out, row, 0, l->resource, NULL);
		rc |= out_set(out, row, 1, l->description, NULL);
		ipk_buf_reset(&text);
		ipk_buf_reset(&json);
		if (l->has_limit && l->unlimited)
			rc |= out_set(out, row, 2, "unlimited", "null");
		else if (l->has_limit) {
			limit_number(ls, l, l->limit, &text, &json);
			rc |= out_set(out, row, 2, text.s, json.s);
		} else {
			rc |= out_set(out, row, 2, NULL, NULL);
		}
		ipk_buf_reset(&text);
		ipk_buf_reset(&json);
		if (l->has_used) {
			limit_number(ls, l, l->used, &text, &json);
			rc |= out_set(out, row, 3, text.s, json.s);
		} else {
			rc |= out_set(out, row, 3, NULL, NULL);
		}
		if (pct >= 0) {
			snprintf(p, sizeof(p), "%.2f", pct);
			ipk_buf_reset(&text);
			ipk_buf_printf(&text, "%s%%", p);
			rc |= out_set(out, row, 4, text.s, p);
		} else {
			rc |= out_set(out, row, 4, NULL, NULL);
		}
		rc |= out_set(out, row, 5, l->unit == IPK_UNIT_BYTES ? "bytes" : "count", NULL);
		rc |= out_set(out, row, 6, l->source, NULL);
	}
	if (!rc)
		rc = out_print(out);
	out_free(out);
	ipk_buf_free(&text);
	ipk_buf_free(&json);
	free(v);
	return rc;
}

/* --tree: kind, then owner, then the objects (Drepper's unified namespace). */
static int show_tree(struct ipk_ctx *ctx, const struct ls *ls, const struct ipk_list *l,
		     const int *fields, size_t nfields)
{
	size_t ncols = nfields + 2;
	struct out_col *cols = calloc(ncols, sizeof(*cols));
	struct ipk_buf b = { 0 };
	int rc = 0;

	if (!cols)
		return -ENOMEM;
	cols[0] = (struct out_col){ "NAME", "name", COL_TREE };
	cols[1] = (struct out_col){ "COUNT", "count", COL_RIGHT | COL_NUMBER };
	for (size_t i = 0; i < nfields; i++) {
		const struct ipk_field_info *fi = ipk_field_info(fields[i]);
		cols[i + 2] = (struct out_col){ fi->column, fi->json,
						fi->flags & IPK_FIELD_RIGHT ? COL_RIGHT : 0 };
	}
	struct out *out = out_new(&ls->out, "tree", cols, ncols);
	if (!out) {
		free(cols);
		return -ENOMEM;
	}
	size_t i = 0, n = ipk_list_len(l);
	while (i < n && !rc) {
		const struct ipk_kind *k = ipk_object_kind(ipk_list_at(l, i));
		size_t kend = i;
		while (kend < n && ipk_object_kind(ipk_list_at(l, kend)) == k)
			kend++;
		struct out_row *krow = out_row(out, NULL);
		char count[32];
		if (!krow) {
			rc = -ENOMEM;
			break;
		}
		snprintf(count, sizeof(count), "%zu", kend - i);
		rc |= out_set(out, krow, 0, ipk_kind_name(k), NULL);
		rc |= out_set(out, krow, 1, count, NULL);

		/* Owners in order of first appearance; objects stay sorted by id. */
		bool *done = calloc(kend - i, sizeof(*done));
		if (!done) {
			rc = -ENOMEM;
			break;
		}
		for (size_t j = i; j < kend && !rc; j++) {
			if (done[j - i])
				continue;
			struct ipk_value owner;
			ipk_object_get(ipk_list_at(l, j), IPK_F_UID, &owner);
			size_t members = 0;
			for (size_t m = j; m < kend; m++) {
				struct ipk_value v;
				ipk_object_get(ipk_list_at(l, m), IPK_F_UID, &v);
				if (!done[m - i] && v.presence == owner.presence && v.u == owner.u)
					members++;
			}
			struct out_row *orow = out_row(out, krow);
			if (!orow) {
				rc = -ENOMEM;
				break;
			}
			ipk_buf_reset(&b);
			rc |= ipk_field_text(ctx, ipk_list_at(l, j), IPK_F_OWNER, &ls->out.fmt, &b);
			rc |= out_set(out, orow, 0, b.s, NULL);
			snprintf(count, sizeof(count), "%zu", members);
			rc |= out_set(out, orow, 1, count, NULL);
			for (size_t m = j; m < kend && !rc; m++) {
				const struct ipk_object *o = ipk_list_at(l, m);
				struct ipk_value v;
				ipk_object_get(o, IPK_F_UID, &v);
				if (done[m - i] || v.presence != owner.presence || v.u != owner.u)
					continue;
				done[m - i] = true;
				struct out_row *row = out_row(out, orow);
				if (!row) {
					rc = -ENOMEM;
					break;
				}
				if (ls->out.mode != OUT_JSON)
					rc = out_set(out, row, 0, ipk_object_ref(o), NULL);
				if (!rc)
					rc = out_object(out, row, 2, ctx, o, fields, nfields, true);
			}
		}
		free(done);
		i = kend;
	}
	if (!rc)
		rc = out_print(out);
	out_free(out);
	ipk_buf_free(&b);
	free(cols);
	return rc;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* --format prometheus: the text exposition format, for the textfile collector. */
static int show_prometheus(struct ipk_ctx *ctx, struct ls *ls)
{
	struct timespec t0;
	struct ipk_buf b = { 0 };

	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct ipk_snapshot *s = ipk_snapshot_take(ctx, ls->filter);
	if (!s)
		return -errno;
	ls->prom.scan_seconds = seconds_since(&t0);
	int rc = ipk_prometheus(ctx, s, ls->filter, &ls->prom, &b, NULL);
	if (!rc)
		fwrite(b.s, 1, b.len, stdout);
	ipk_buf_free(&b);
	ipk_snapshot_free(s);
	return rc;
}

/* Tells the library what will be shown, so it reads nothing more. */
static void want_fields(struct ipk_ctx *ctx, const int *fields, size_t n, int extra)
{
	int *all = malloc((n + 1) * sizeof(*all));

	if (!all)
		return;		/* everything is read: slower, not wrong */
	memcpy(all, fields, n * sizeof(*all));
	all[n] = extra;
	ipk_ctx_want_fields(ctx, all, n + 1);
	free(all);
}

/* Whether @l has @o already: the same REF, however it was typed. */
static bool listed(const struct ipk_list *l, const struct ipk_object *o)
{
	for (size_t i = 0; i < ipk_list_len(l); i++)
		if (strcmp(ipk_object_ref(ipk_list_at(l, i)), ipk_object_ref(o)) == 0)
			return true;
	return false;
}

static void fail(int rc)
{
	if (rc)
		msg("%s", reason(-rc));
}

int main(int argc, char **argv)
{
	struct opt_group groups[3];
	struct ls ls = { 0 };
	int status = EXIT_OK;

	program_name = "ipc-ls";
	memcpy(groups, ls_groups, sizeof(groups));
	groups[1].n = output_options_count;
	groups[2].n = filter_options_count;
	const struct cmd_spec spec = {
		.name = "ipc-ls",
		.summary = "List the IPC objects of this system: every kind, one record each.",
		.synopsis = ls_synopsis,
		.groups = groups,
		.ngroups = 3,
		.more = "REF is KIND:ID for System V objects (sysv-shm:32768), KIND:/NAME for\n"
			"POSIX ones (posix-mq:/jobs), a path for FIFOs and socket files, and an\n"
			"inode or PID:FD for what only processes hold (pipe:7971, timerfd:812:5):\n"
			"ipckit(7) says which.\n",
		.help_lists = HELP_KINDS | HELP_COLUMNS,
		.positional = COMPLETE_REFS,
	};

	ls.filter = ipk_filter_new();
	if (!ls.filter) {
		msg("%s", reason(ENOMEM));
		return EXIT_PARTIAL;
	}
	int first = opts_parse(&spec, argc, argv, handle, &ls);
	if (ls.mode == LS_ID && first < argc)
		usage_error("--id takes one REF; drop the other operands");
	if (ls.mode != LS_LIST && ls.mode != LS_ID && first < argc)
		usage_error("operands make no sense with --summary, --limits, --tree or --format");
	/* nothing given is ignored: a REF names its object whatever the filters say */
	if (ls.filtered && (first < argc || ls.mode == LS_ID))
		usage_error("give REFs or filters, not both");
	if (ls.filtered && ls.mode == LS_LIMITS)
		usage_error("--limits shows the kernel's limits: filters make no sense with it");
	if ((ls.prom.per_object || ls.prom.max_series) && ls.mode != LS_PROMETHEUS)
		usage_error("--per-object and --max-series go with --format prometheus");
	if (ls.prom.max_series && !ls.prom.per_object)
		usage_error("--max-series caps --per-object: give both");

	/*
	 * -o is resolved here, whatever the mode: an unknown or empty column
	 * is the same usage error everywhere, before anything is read.
	 */
	int *fields = NULL;
	size_t nfields;
	if (ls.mode == LS_TREE)
		nfields = out_fields(ls.out.columns, default_tree_fields,
				     sizeof(default_tree_fields) / sizeof(int), &fields);
	else	/* objects of several namespaces: say which */
		nfields = out_fields(ls.out.columns ? ls.out.columns : ls.scope.ns ? "+NS" : NULL,
				     ls_default_fields, ls_default_fields_count, &fields);
	if (ls.out.columns && ls.mode != LS_LIST && ls.mode != LS_TREE)
		usage_error("-o chooses the columns of a listing: -i, --summary, --limits and "
			    "--format show their own");

	struct ipk_ctx *ctx = scope_ctx(&ls.scope);

	struct ipk_list *list = NULL;
	bool shown_one = false;
	int rc = 0;

	switch (ls.mode) {
	case LS_ID: {
		/* Check the REF before doing anything else: a usage error is exit 2. */
		struct ipk_object *o = lookup_ref(ctx, ls.id_ref, true, &status);
		if (o) {
			rc = show_record(ctx, &ls, o);
			shown_one = true;
		}
		ipk_object_free(o);
		break;
	}
	case LS_LIMITS:
		rc = show_limits(ctx, &ls);
		break;
	case LS_PROMETHEUS:
		rc = show_prometheus(ctx, &ls);
		break;
	case LS_SUMMARY:
		ipk_ctx_want_fields(ctx, (const int[]){ IPK_F_SIZE }, 1);
		list = ipk_scan(ctx, ls.filter, 0);
		rc = list ? show_summary(ctx, &ls, list) : -errno;
		break;
	case LS_TREE:
		/* JSON objects of a tree carry every field; a table, what it shows. */
		if (ls.out.mode != OUT_JSON)
			want_fields(ctx, fields, nfields, IPK_F_UID);
		list = ipk_scan(ctx, ls.filter, 0);
		rc = list ? show_tree(ctx, &ls, list, fields, nfields) : -errno;
		break;
	case LS_LIST:
		if (ls.out.mode != OUT_JSON || ls.out.columns)
			want_fields(ctx, fields, nfields, IPK_F_KIND);
		else
			want_all_but_costly(ctx);
		if (first < argc) {
			/* Named objects: every REF is checked before anything is printed. */
			list = ipk_list_new();
			for (int i = first; i < argc && list && !rc; i++) {
				struct ipk_object *o = lookup_ref(ctx, argv[i], true, &status);
				if (o && listed(list, o))
					ipk_object_free(o);	/* named twice: listed once */
				else if (o && ipk_list_append(list, o))
					rc = -ENOMEM;
			}
		} else {
			list = ipk_scan(ctx, ls.filter, 0);
		}
		/* a failed scan says why: its errno, not a guess */
		if (!list)
			rc = errno ? -errno : -ENOMEM;
		else if (!rc)
			rc = out_objects(ctx, &ls.out, list, fields, nfields,
					 !ls.out.columns);
		break;
	}
	/*
	 * holders may be missing from what was shown: say so (not for an
	 * empty list, but for --orphan, which an unread holder may have emptied)
	 */
	if (ipk_list_len(list) || shown_one || ls.orphan)
		report_unreadable(ctx);
	if (report_diags(ctx))
		status = EXIT_PARTIAL;
	if (rc) {
		fail(rc);
		status = EXIT_PARTIAL;
	}
	int out_status = close_stdout();
	/* a listing of 100,000 objects is 30 MB the exit gives back whole */
	static struct ipk_list *kept;
	if (free_at_exit())
		ipk_list_free(list);
	else
		kept = list;
	(void)kept;
	free(fields);
	ipk_filter_free(ls.filter);
	ipk_ctx_free(ctx);
	return status ? status : out_status;
}
