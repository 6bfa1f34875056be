/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ipc-bench: latency and throughput of every IPC method, both CPU
 * placements, with percentiles.  The library measures; this file plans the
 * runs, reports errors and renders.
 */
#include "common.h"
#include "ipckit-bench.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	OPT_COUNT = 'c',
	OPT_DURATION = 'd',
	OPT_LIMITS = 'l',
	OPT_METHOD = 'm',
	OPT_PIN = 'p',
	OPT_SIZE = 's',
	OPT_WARMUP = 'w',
	OPT_PLACEMENT = OPT_COMMAND_BASE,
	OPT_NO_THROUGHPUT,
	OPT_TIMEOUT,
	OPT_HISTOGRAM,
	OPT_BASELINE,
	OPT_FAULT,
};

#define DEFAULT_COUNT	10000
#define DEFAULT_WARMUP	1000
#define DEFAULT_SIZE	64
#define MAX_SIZES	16

/* Method names for completion, from the library's table. */
static char method_words[512];

static const struct cmd_option bench_options[] = {
	{ "method", OPT_METHOD, "METHODS", "only these methods (comma-separated)",
	  COMPLETE_WORDS, method_words, 0 },
	{ "size", OPT_SIZE, "SIZES", "bytes per message, comma-separated (default 64)",
	  0, NULL, 0 },
	{ "count", OPT_COUNT, "N", "round trips timed per method (default 10000)", 0, NULL, 0 },
	{ "duration", OPT_DURATION, "TIME", "time each method instead: 2s, 500ms", 0, NULL, 0 },
	{ "warmup", OPT_WARMUP, "N", "round trips first, not counted (default 1000)",
	  0, NULL, 0 },
	{ "pin", OPT_PIN, "A,B", "the client on CPU A, the server on CPU B", 0, NULL, 0 },
	{ "placement", OPT_PLACEMENT, "WHERE", "same, cross or both CPUs (default both)",
	  COMPLETE_WORDS, "same cross both", 0 },
	{ "no-throughput", OPT_NO_THROUGHPUT, NULL, "round trips only, no stream", 0, NULL, 0 },
	{ "timeout", OPT_TIMEOUT, "TIME", "stop a phase after TIME (default 60s)", 0, NULL, 0 },
	{ "limits", OPT_LIMITS, NULL, "what the kernel allows each method here, instead",
	  0, NULL, 0 },
	{ "fault", OPT_FAULT, "WHAT", "tests: corrupt or hang", 0, NULL, OPT_HIDDEN },
};

static const struct cmd_option bench_output[] = {
	{ "json", OPT_JSON, NULL, "JSON output: the results and the machine", 0, NULL, 0 },
	{ "csv", OPT_CSV, NULL, "comma-separated values, exact numbers", 0, NULL, 0 },
	{ "raw", OPT_RAW, NULL, "raw output: one space between columns, exact numbers",
	  0, NULL, 0 },
	{ "noheadings", OPT_NOHEADINGS, NULL, "no header line", 0, NULL, 0 },
	{ "histogram", OPT_HISTOGRAM, NULL, "draw each latency distribution", 0, NULL, 0 },
	{ "baseline", OPT_BASELINE, "FILE", "figures as ratios to an earlier --json run",
	  COMPLETE_FILES, NULL, 0 },
};

static const struct opt_group bench_groups[] = {
	{ "Options", bench_options, sizeof(bench_options) / sizeof(bench_options[0]) },
	{ "Output", bench_output, sizeof(bench_output) / sizeof(bench_output[0]) },
};

static const char *const bench_synopsis[] = {
	"[options]",
	"[options] --limits",
	NULL,
};

enum { PLACE_SAME = 1, PLACE_CROSS = 2, PLACE_BOTH = 3 };

struct placement {
	const char *name;	/* "same", "cross": the JSON's word */
	int cpu[2];
};

/* One measurement: a method at a size in a placement. */
struct item {
	const struct ipk_bench_method *m;
	uint64_t size;
	size_t place;
	bool done;
	int rc;
	struct ipk_bench_result res;
};

struct bench {
	const struct ipk_bench_method *methods[64];
	size_t nmethods;
	uint64_t sizes[MAX_SIZES];
	size_t nsizes;
	uint64_t count, duration_ns, warmup, timeout_ns;
	bool count_given, duration_given, warmup_given;
	int pin[2];
	bool pin_given;
	int placement;
	bool no_throughput, limits, histogram;
	const char *baseline;
	unsigned fault;
	struct out_opts out;

	struct placement places[2];
	size_t nplaces;
	struct item *items;
	size_t nitems;
	struct ipk_bench_baseline *base;
	struct ipk_bench_machine machine;
};

/* ------------------------------------------------------------------ options */

static uint64_t parse_count(const char *arg, const char *what, bool zero_ok)
{
	char *end;

	errno = 0;
	unsigned long long v = strtoull(arg, &end, 10);
	if (errno || end == arg || *end || *arg == '-' || (!v && !zero_ok))
		usage_error("malformed %s '%s'", what, arg);
	return v;
}

static uint64_t parse_time(const char *arg, const char *what)
{
	uint64_t ns;

	if (ipk_parse_duration_ns(arg, &ns) || !ns)
		usage_error("malformed %s '%s' (2s, 500ms, 1m)", what, arg);
	return ns;
}

static void add_methods(struct bench *b, const char *arg)
{
	char *copy = strdup(arg), *next = copy;

	if (!copy)
		usage_error("%s", reason(ENOMEM));
	/* an empty word names no method: "" or "pipe,," is a mistake, not "all" */
	while (next) {
		char *w = strsep(&next, ",");
		const struct ipk_bench_method *m = ipk_bench_method_find(w);
		bool dup = false;

		if (!*w) {
			free(copy);
			usage_error("--method '%s' has an empty method name (METHOD,METHOD...)", arg);
		}

		if (!m) {
			msg("unknown method '%s' (see '%s --help')", w, program_name);
			free(copy);
			exit(EXIT_USAGE);
		}
		for (size_t i = 0; i < b->nmethods; i++)
			dup |= b->methods[i] == m;
		if (!dup && b->nmethods < sizeof(b->methods) / sizeof(b->methods[0]))
			b->methods[b->nmethods++] = m;
	}
	free(copy);
	/* The library's order, whatever the order typed: tables and JSON stay comparable. */
	size_t n = 0;
	for (size_t i = 0; i < ipk_bench_method_count(); i++)
		for (size_t j = n; j < b->nmethods; j++)
			if (b->methods[j] == ipk_bench_method_at(i)) {
				const struct ipk_bench_method *t = b->methods[n];
				b->methods[n++] = b->methods[j];
				b->methods[j] = t;
			}
}

static void add_sizes(struct bench *b, const char *arg)
{
	char *copy = strdup(arg), *save = NULL;

	if (!copy)
		usage_error("%s", reason(ENOMEM));
	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		uint64_t v;

		if (ipk_parse_size(w, &v) || v == 0) {
			msg("malformed size '%s': 1 byte or more, as 64, 4K, 1M (see '%s --help')",
			    w, program_name);
			free(copy);
			exit(EXIT_USAGE);
		}
		if (b->nsizes == MAX_SIZES) {
			free(copy);
			usage_error("at most %d sizes", MAX_SIZES);
		}
		b->sizes[b->nsizes++] = v;
	}
	free(copy);
}

/* --pin named @cpu, which this process may not run on: which ones it may. */
static void no_cpu_here(long cpu)
{
	int cpus[1];
	int n = ipk_bench_cpus(cpus, 1);

	if (n < 1)
		usage_error("no CPU %ld here for --pin", cpu);
	usage_error("no CPU %ld here for --pin (%d CPU%s this process may use, the first %d)",
		    cpu, n, n > 1 ? "s" : "", cpus[0]);
}

static void parse_pin(struct bench *b, const char *arg)
{
	char *end;
	long a, c;

	errno = 0;
	a = strtol(arg, &end, 10);
	if (errno || end == arg || *end != ',' || a < 0)
		usage_error("malformed --pin '%s': two CPUs, as 0,1", arg);
	const char *second = end + 1;
	c = strtol(second, &end, 10);
	if (errno || end == second || *end || c < 0)
		usage_error("malformed --pin '%s': two CPUs, as 0,1", arg);
	/* no CPU number is that large: the one typed, not a clamped one, in the message */
	if (a > INT_MAX || c > INT_MAX)
		no_cpu_here(a > INT_MAX ? a : c);
	b->pin[0] = (int)a;
	b->pin[1] = (int)c;
	b->pin_given = true;
}

static void handle(int key, const char *arg, void *data)
{
	struct bench *b = data;

	if (out_opts_handle(&b->out, key, arg))
		return;
	switch (key) {
	case OPT_METHOD:
		add_methods(b, arg);
		break;
	case OPT_SIZE:
		add_sizes(b, arg);
		break;
	case OPT_COUNT:
		b->count = parse_count(arg, "count", false);
		b->count_given = true;
		break;
	case OPT_DURATION:
		b->duration_ns = parse_time(arg, "duration");
		b->duration_given = true;
		break;
	case OPT_WARMUP:
		b->warmup = parse_count(arg, "warm-up count", true);
		b->warmup_given = true;
		break;
	case OPT_PIN:
		parse_pin(b, arg);
		break;
	case OPT_PLACEMENT:
		if (strcmp(arg, "same") == 0)
			b->placement = PLACE_SAME;
		else if (strcmp(arg, "cross") == 0)
			b->placement = PLACE_CROSS;
		else if (strcmp(arg, "both") == 0)
			b->placement = PLACE_BOTH;
		else
			usage_error("unknown placement '%s': same, cross or both", arg);
		break;
	case OPT_NO_THROUGHPUT:
		b->no_throughput = true;
		break;
	case OPT_TIMEOUT:
		b->timeout_ns = parse_time(arg, "timeout");
		break;
	case OPT_LIMITS:
		b->limits = true;
		break;
	case OPT_HISTOGRAM:
		b->histogram = true;
		break;
	case OPT_BASELINE:
		b->baseline = arg;
		break;
	case OPT_FAULT:
		if (strcmp(arg, "corrupt") == 0)
			b->fault = IPK_BENCH_FAULT_CORRUPT;
		else if (strcmp(arg, "hang") == 0)
			b->fault = IPK_BENCH_FAULT_HANG;
		else
			usage_error("unknown fault '%s'", arg);
		break;
	}
}

/* ----------------------------------------------------------------- numbers */

static void fmt_bytes(uint64_t v, char *buf, size_t n)
{
	struct ipk_buf b = { 0 };

	if (ipk_format_bytes(v, &b) == 0 && b.s)
		snprintf(buf, n, "%s", b.s);
	else
		snprintf(buf, n, "%llu", (unsigned long long)v);
	ipk_buf_free(&b);
}

/* Three significant digits and a unit: 312ns, 7.24us, 72.1us, 1.35ms. */
static void fmt_ns(double ns, char *buf, size_t n)
{
	struct ipk_buf b = { 0 };

	snprintf(buf, n, "%s", ipk_format_ns(ns, &b) == 0 && b.s ? b.s : "?");
	ipk_buf_free(&b);
}

static void fmt_rate(double v, char *buf, size_t n)
{
	if (v < 999.5)
		snprintf(buf, n, "%.0f", v);
	else if (v < 999.5e3)
		snprintf(buf, n, v < 9.995e3 ? "%.2fk" : v < 99.95e3 ? "%.1fk" : "%.0fk", v / 1e3);
	else
		snprintf(buf, n, v < 9.995e6 ? "%.2fM" : v < 99.95e6 ? "%.1fM" : "%.0fM", v / 1e6);
}

static void fmt_ratio(double v, char *buf, size_t n)
{
	snprintf(buf, n, v < 9.995 ? "%.2f" : v < 99.95 ? "%.1f" : "%.0f", v);
}

/* ------------------------------------------------------------------ running */


static bool is_reference(const struct ipk_bench_method *m)
{
	return ipk_bench_method_is_reference(m);
}

/* The CPUs of each placement asked for; usage errors for what cannot be. */
static void plan_placements(struct bench *b)
{
	int cpus[2];
	int n = ipk_bench_cpus(cpus, 2);

	if (n < 1)
		usage_error("cannot tell which CPUs this process may use");
	if (b->pin_given) {
		if (b->placement)
			usage_error("--pin and --placement exclude each other");
		for (int i = 0; i < 2; i++)
			if (!ipk_bench_cpu_allowed(b->pin[i]))
				no_cpu_here(b->pin[i]);
		b->places[0] = (struct placement){ ipk_bench_placement(b->pin),
						   { b->pin[0], b->pin[1] } };
		b->nplaces = 1;
		return;
	}
	if (!b->placement)
		b->placement = n >= 2 ? PLACE_BOTH : PLACE_SAME;
	if ((b->placement & PLACE_CROSS) && n < 2)
		usage_error("a cross-CPU placement needs two CPUs; this process may use one");
	if (b->placement & PLACE_SAME)
		b->places[b->nplaces++] = (struct placement){ "same", { cpus[0], cpus[0] } };
	if (b->placement & PLACE_CROSS)
		b->places[b->nplaces++] = (struct placement){ "cross", { cpus[0], cpus[1] } };
}

/*
 * Every method at every size in every placement, the cacheline row first.
 * A size beyond a method's limit is a usage error when the methods were
 * named, and skips that method at that size when they were not.
 */
static void plan_items(struct bench *b, bool methods_named)
{
	const struct ipk_bench_method *ref = NULL;

	for (size_t i = 0; i < ipk_bench_method_count(); i++)
		if (is_reference(ipk_bench_method_at(i)))
			ref = ipk_bench_method_at(i);
	b->items = calloc(b->nplaces * (1 + b->nmethods * b->nsizes), sizeof(*b->items));
	if (!b->items) {
		msg("%s", reason(ENOMEM));
		exit(EXIT_PARTIAL);
	}
	for (size_t p = 0; p < b->nplaces; p++) {
		if (ref)
			b->items[b->nitems++] = (struct item){ .m = ref, .place = p,
							       .size = ipk_bench_method_fixed_size(ref) };
		for (size_t i = 0; i < b->nmethods; i++) {
			const struct ipk_bench_method *m = b->methods[i];
			uint64_t max;
			const char *source;

			if (m == ref)
				continue;
			/* A method that cannot tell is left to the run to report. */
			if (ipk_bench_method_max_size(m, &max, &source))
				max = UINT64_MAX;
			for (size_t s = 0; s < b->nsizes; s++) {
				char size[32], lim[32];

				if (b->sizes[s] <= max) {
					b->items[b->nitems++] = (struct item){
						.m = m, .place = p, .size = b->sizes[s] };
					continue;
				}
				if (p > 0)
					continue;
				fmt_bytes(b->sizes[s], size, sizeof(size));
				fmt_bytes(max, lim, sizeof(lim));
				if (methods_named)
					usage_error("%s carries at most %s here (%s), not %s",
						    ipk_bench_method_name(m), lim, source, size);
				msg("skipping %s at %s: it carries at most %s here (%s)",
				    ipk_bench_method_name(m), size, lim, source);
			}
		}
	}
}

static void progress(const struct bench *b, size_t i)
{
	if (!isatty(STDERR_FILENO))
		return;
	if (i == b->nitems) {
		fputs("\r\033[K", stderr);
		return;
	}
	const struct item *it = &b->items[i];
	char size[32];

	fmt_bytes(it->size, size, sizeof(size));
	fprintf(stderr, "\r\033[K%s: %zu/%zu: %s, %s, %s CPU", program_name, i + 1, b->nitems,
		ipk_bench_method_name(it->m), size, b->places[it->place].name);
}

/* Runs every item; reports each one that could not be measured. */
static void run(struct bench *b)
{
	for (size_t i = 0; i < b->nitems && !stop_signal; i++) {
		struct item *it = &b->items[i];
		const struct placement *pl = &b->places[it->place];
		struct ipk_bench_config cfg = {
			.method = it->m, .size = it->size,
			.count = b->duration_given ? 0 : b->count,
			.duration_ns = b->duration_ns, .warmup = b->warmup,
			.cpu = { pl->cpu[0], pl->cpu[1] },
			.timeout_ns = b->timeout_ns,
			.flags = b->fault | (b->no_throughput ? IPK_BENCH_NO_STREAM : 0),
		};

		progress(b, i);
		it->rc = ipk_bench_run(&cfg, &it->res);
		it->done = true;
		progress(b, b->nitems);
		if (it->res.status == IPK_BENCH_OK || it->res.status == IPK_BENCH_INTERRUPTED)
			continue;
		char size[32];
		fmt_bytes(it->size, size, sizeof(size));
		msg("cannot measure '%s' (%s, %s CPU): %s%s", ipk_bench_method_name(it->m), size,
		    pl->name, it->res.why,
		    it->res.status == IPK_BENCH_UNSUPPORTED ? " (not supported here)" :
		    it->res.status == IPK_BENCH_NO_RESOURCE ? " (out of a resource)" : "");
	}
}

/* ---------------------------------------------------------------- rendering */

static bool measured(const struct item *it)
{
	return it->done && it->res.status == IPK_BENCH_OK;
}

static bool streamed(const struct item *it)
{
	return it->res.stream_count > 0;
}

/* The cacheline p50 of a placement, or 0. */
static uint64_t floor_p50(const struct bench *b, size_t place)
{
	for (size_t i = 0; i < b->nitems; i++)
		if (b->items[i].place == place && is_reference(b->items[i].m) &&
		    measured(&b->items[i]))
			return b->items[i].res.rtt.p50;
	return 0;
}

static const struct ipk_bench_figures *baseline_of(const struct bench *b, const struct item *it)
{
	return ipk_bench_baseline_find(b->base, ipk_bench_method_name(it->m), it->size,
				       b->places[it->place].name);
}

/* A figure of this run over the baseline's, or NaN when either is missing. */
static double ratio(double now, double then)
{
	return now > 0 && then > 0 ? now / then : NAN;
}

enum col {
	C_METHOD, C_SIZE, C_PLACEMENT, C_CLIENT, C_SERVER, C_COUNT, C_MIN, C_MEAN, C_P50,
	C_P90, C_P99, C_P999, C_MAX, C_MSGS, C_MB, C_CPU, C_FLOOR, C_NCOLS
};

static const struct out_col all_cols[C_NCOLS] = {
	[C_METHOD] = { "METHOD", "method", 0 },
	[C_SIZE] = { "SIZE", "size", COL_RIGHT | COL_NUMBER },
	[C_PLACEMENT] = { "PLACEMENT", "placement", 0 },
	[C_CLIENT] = { "CLIENT-CPU", "client_cpu", COL_RIGHT | COL_NUMBER },
	[C_SERVER] = { "SERVER-CPU", "server_cpu", COL_RIGHT | COL_NUMBER },
	[C_COUNT] = { "COUNT", "count", COL_RIGHT | COL_NUMBER },
	[C_MIN] = { "MIN", "min", COL_RIGHT | COL_NUMBER },
	[C_MEAN] = { "MEAN", "mean", COL_RIGHT | COL_NUMBER },
	[C_P50] = { "P50", "p50", COL_RIGHT | COL_NUMBER },
	[C_P90] = { "P90", "p90", COL_RIGHT | COL_NUMBER },
	[C_P99] = { "P99", "p99", COL_RIGHT | COL_NUMBER },
	[C_P999] = { "P99.9", "p999", COL_RIGHT | COL_NUMBER },
	[C_MAX] = { "MAX", "max", COL_RIGHT | COL_NUMBER },
	[C_MSGS] = { "MSG/S", "msgs_per_s", COL_RIGHT | COL_NUMBER },
	[C_MB] = { "MB/S", "mb_per_s", COL_RIGHT | COL_NUMBER },
	[C_CPU] = { "CPU/RT", "cpu_ns_per_rtt", COL_RIGHT | COL_NUMBER },
	[C_FLOOR] = { "P50/CL", "vs_cacheline", COL_RIGHT | COL_NUMBER },
};

/* The table's columns; raw and CSV have them all, with exact numbers. */
static const enum col table_cols[] = {
	C_METHOD, C_SIZE, C_P50, C_P99, C_P999, C_MAX, C_MSGS, C_MB, C_CPU, C_FLOOR,
};

/* The text of one cell: human units in a table, exact numbers otherwise. */
static void cell(const struct bench *b, const struct item *it, enum col c, char *buf, size_t n)
{
	const struct ipk_bench_result *r = &it->res;
	const struct placement *pl = &b->places[it->place];
	const struct ipk_bench_figures *base = b->base ? baseline_of(b, it) : NULL;
	bool human = b->out.mode == OUT_TABLE;
	uint64_t fl = floor_p50(b, it->place);
	double v = NAN, then = NAN;
	bool time = false;

	buf[0] = '\0';
	switch (c) {
	case C_METHOD:
		snprintf(buf, n, "%s", ipk_bench_method_name(it->m));
		return;
	case C_SIZE:
		if (human)
			fmt_bytes(it->size, buf, n);
		else
			snprintf(buf, n, "%llu", (unsigned long long)it->size);
		return;
	case C_PLACEMENT:
		snprintf(buf, n, "%s", pl->name);
		return;
	case C_CLIENT:
	case C_SERVER:
		snprintf(buf, n, "%d", pl->cpu[c == C_SERVER]);
		return;
	case C_COUNT:
		snprintf(buf, n, "%llu", (unsigned long long)r->count);
		return;
	case C_MIN: v = (double)r->rtt.min; then = base ? (double)base->rtt.min : NAN; time = true; break;
	case C_MEAN: v = r->rtt.mean; then = base ? base->rtt.mean : NAN; time = true; break;
	case C_P50: v = (double)r->rtt.p50; then = base ? (double)base->rtt.p50 : NAN; time = true; break;
	case C_P90: v = (double)r->rtt.p90; then = base ? (double)base->rtt.p90 : NAN; time = true; break;
	case C_P99: v = (double)r->rtt.p99; then = base ? (double)base->rtt.p99 : NAN; time = true; break;
	case C_P999: v = (double)r->rtt.p999; then = base ? (double)base->rtt.p999 : NAN; time = true; break;
	case C_MAX: v = (double)r->rtt.max; then = base ? (double)base->rtt.max : NAN; time = true; break;
	case C_MSGS:
		if (!streamed(it))
			return;
		v = r->msgs_per_s;
		then = base ? base->msgs_per_s : NAN;
		break;
	case C_MB:
		if (!streamed(it))
			return;
		v = r->mb_per_s;
		then = base ? base->mb_per_s : NAN;
		break;
	case C_CPU:
		v = r->cpu_ns_per_rtt;
		then = base ? base->cpu_ns_per_rtt : NAN;
		time = true;
		break;
	case C_FLOOR:
		if (!fl)
			return;
		v = (double)r->rtt.p50 / (double)fl;
		fmt_ratio(v, buf, n);
		return;
	default:
		return;
	}
	if (b->base) {
		double x = ratio(v, then);
		if (isnan(x))
			snprintf(buf, n, "%s", base ? "-" : "new");
		else if (human)
			snprintf(buf, n, "%.2fx", x);
		else
			snprintf(buf, n, "%.4f", x);
		return;
	}
	if (!human)
		snprintf(buf, n, c == C_MB ? "%.3f" : c == C_MEAN ? "%.1f" : "%.0f", v);
	else if (time)
		fmt_ns(v, buf, n);
	else if (c == C_MB)
		snprintf(buf, n, v < 99.95 ? "%.1f" : "%.0f", v);
	else
		fmt_rate(v, buf, n);
}

static int table_row(const struct bench *b, struct out *out, const struct item *it,
		     const enum col *cols, size_t ncols)
{
	struct out_row *row = out_row(out, NULL);
	char buf[64];
	int rc = 0;

	if (!row)
		return -ENOMEM;
	for (size_t i = 0; i < ncols && !rc; i++) {
		cell(b, it, cols[i], buf, sizeof(buf));
		rc = out_set(out, row, i, buf[0] ? buf : NULL, NULL);
	}
	return rc;
}

/* --histogram: bars over log-spaced bins from the minimum to p99.9, then the rest. */
static void draw_histogram(const struct bench *b, const struct item *it)
{
	enum { BINS = 20, WIDTH = 40 };
	const struct ipk_hist *h = it->res.hist;
	uint64_t count[BINS + 1] = { 0 }, most = 0, lo, hi, n;
	double edge[BINS + 1];
	double first = (double)(ipk_hist_min(h) ? ipk_hist_min(h) : 1);
	double last = (double)it->res.rtt.p999 + 1;
	char size[32], a[32], z[32];

	if (!h || !ipk_hist_count(h))
		return;
	if (last <= first * 1.02)
		last = first * 1.02;
	for (int i = 0; i <= BINS; i++)
		edge[i] = first * pow(last / first, (double)i / BINS);
	for (size_t iter = 0; ipk_hist_next(h, &iter, &lo, &hi, &n);) {
		double mid = (double)lo + (double)(hi - lo) / 2;
		int bin = BINS;
		for (int i = 0; i < BINS; i++) {
			if (mid < edge[i + 1]) {
				bin = i;
				break;
			}
		}
		count[bin] += n;
	}
	for (int i = 0; i <= BINS; i++)
		if (count[i] > most)
			most = count[i];
	fmt_bytes(it->size, size, sizeof(size));
	printf("\n%s, %s, %s CPU: %llu round trips\n", ipk_bench_method_name(it->m), size,
	       b->places[it->place].name, (unsigned long long)ipk_hist_count(h));
	for (int i = 0; i <= BINS; i++) {
		int bar = most ? (int)((count[i] * WIDTH + most - 1) / most) : 0;

		if (i == BINS && !count[i])
			break;
		fmt_ns(i < BINS ? edge[i] : edge[BINS], a, sizeof(a));
		fmt_ns(i < BINS ? edge[i + 1] : (double)ipk_hist_max(h), z, sizeof(z));
		printf("  %8s - %-8s |%-*.*s| %6.2f%%\n", a, z, WIDTH, bar,
		       "########################################",
		       100.0 * (double)count[i] / (double)ipk_hist_count(h));
	}
}

static uint64_t steal(const struct bench *b)
{
	uint64_t ns = 0;

	for (size_t i = 0; i < b->nitems; i++)
		ns += b->items[i].res.steal_ns;
	return ns;
}

static void describe_machine(const struct bench *b)
{
	const struct ipk_bench_machine *m = &b->machine;
	char warm[64];

	printf("Machine: %d CPU%s (%s)%s%s, cpuidle %s", m->cpus, m->cpus > 1 ? "s" : "",
	       m->model[0] ? m->model : "unknown model", m->hypervisor[0] ? ", " : "",
	       m->hypervisor, m->cpuidle_driver[0] ? m->cpuidle_driver : "none");
	if (m->guest_halt_poll_ns >= 0)
		printf(", guest_halt_poll_ns %lld", (long long)m->guest_halt_poll_ns);
	printf(", kernel %s\n", m->kernel);
	printf("Clock:   CLOCK_MONOTONIC (%s), %llu ns a read, one read in each round trip\n",
	       m->clocksource[0] ? m->clocksource : "?", (unsigned long long)m->clock_cost_ns);
	snprintf(warm, sizeof(warm), " after %llu of warm-up", (unsigned long long)b->warmup);
	if (b->duration_given) {
		char d[32];
		fmt_ns((double)b->duration_ns, d, sizeof(d));
		printf("Run:     round trips for %s a method%s", d, b->warmup ? warm : "");
	} else {
		printf("Run:     %llu round trips a method%s", (unsigned long long)b->count,
		       b->warmup ? warm : "");
	}
	printf("; load %.2f; steal %.1f ms\n", m->loadavg[0], (double)steal(b) / 1e6);
	if (b->base)
		printf("Ratios:  to %s; above 1 is slower for times, faster for MSG/S and MB/S\n",
		       b->baseline);
}

static int render_tables(const struct bench *b)
{
	const size_t ncols = sizeof(table_cols) / sizeof(table_cols[0]);
	struct out_col cols[sizeof(table_cols) / sizeof(table_cols[0])];
	int rc = 0;

	for (size_t i = 0; i < ncols; i++)
		cols[i] = all_cols[table_cols[i]];
	if (!b->out.noheadings)
		describe_machine(b);
	for (size_t p = 0; p < b->nplaces && !rc; p++) {
		const struct placement *pl = &b->places[p];
		struct out *out = out_new(&b->out, "results", cols, ncols);
		char title[128];
		bool any = false;

		if (!out)
			return -ENOMEM;
		if (pl->cpu[0] == pl->cpu[1])
			snprintf(title, sizeof(title), "same CPU: client and server on CPU %d",
				 pl->cpu[0]);
		else
			snprintf(title, sizeof(title), "cross CPU: client on CPU %d, server on CPU %d",
				 pl->cpu[0], pl->cpu[1]);
		rc = out_set_title(out, title);
		for (size_t i = 0; i < b->nitems && !rc; i++) {
			if (b->items[i].place != p || !measured(&b->items[i]))
				continue;
			rc = table_row(b, out, &b->items[i], table_cols, ncols);
			any = true;
		}
		if (any && !rc) {
			if (!b->out.noheadings)
				putchar('\n');
			rc = out_print(out);
		}
		out_free(out);
		for (size_t i = 0; i < b->nitems && b->histogram && any; i++)
			if (b->items[i].place == p && measured(&b->items[i]))
				draw_histogram(b, &b->items[i]);
	}
	return rc;
}

static int render_flat(const struct bench *b)
{
	struct out *out = out_new(&b->out, "results", all_cols, C_NCOLS);
	enum col cols[C_NCOLS];
	int rc = 0;

	if (!out)
		return -ENOMEM;
	for (int i = 0; i < C_NCOLS; i++)
		cols[i] = (enum col)i;
	for (size_t i = 0; i < b->nitems && !rc; i++)
		if (measured(&b->items[i]))
			rc = table_row(b, out, &b->items[i], cols, C_NCOLS);
	if (!rc)
		rc = out_print(out);
	out_free(out);
	return rc;
}

static int json_result(const struct bench *b, const struct item *it, struct ipk_buf *j)
{
	uint64_t fl = floor_p50(b, it->place);
	struct ipk_bench_json opt = {
		.histogram = b->histogram,
		.vs_cacheline = fl ? (double)it->res.rtt.p50 / (double)fl : NAN,
		.with_baseline = b->base != NULL,
		.baseline = b->base ? baseline_of(b, it) : NULL,
	};

	ipk_buf_reset(j);
	return ipk_bench_result_json(&it->res, &opt, j);
}

static int json_machine(const struct bench *b, struct ipk_buf *j)
{
	ipk_buf_reset(j);
	return ipk_bench_machine_json(&b->machine, steal(b), j);
}

static int render_json(const struct bench *b)
{
	static const struct out_col none[] = { { "RESULT", "result", 0 } };
	struct out *out = out_new(&b->out, "results", none, 1);
	struct ipk_buf j = { 0 };
	int rc = 0;

	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < b->nitems && !rc; i++) {
		if (!measured(&b->items[i]))
			continue;
		struct out_row *row = out_row(out, NULL);
		rc = row ? json_result(b, &b->items[i], &j) : -ENOMEM;
		if (!rc)
			rc = out_row_json(row, j.s);
	}
	/* What was not measured, and why, so a script need not read stderr. */
	struct ipk_buf list = { 0 };
	ipk_buf_puts(&list, "[");
	for (size_t i = 0, k = 0; i < b->nitems && !rc; i++) {
		const struct item *it = &b->items[i];

		if (!it->done || measured(it))
			continue;
		rc = json_result(b, it, &j);
		if (!rc)
			rc = ipk_buf_printf(&list, "%s%s", k++ ? ", " : "", j.s);
	}
	if (!rc)
		rc = ipk_buf_puts(&list, "]");
	if (!rc)
		rc = out_json_member(out, "not_measured", list.s);
	ipk_buf_free(&list);
	if (!rc)
		rc = json_machine(b, &j);
	if (!rc)
		rc = out_json_member(out, "machine", j.s);
	if (!rc)
		rc = out_print(out);
	out_free(out);
	ipk_buf_free(&j);
	return rc;
}

/* ------------------------------------------------------------------ limits */

static const char *errno_name(int err)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ EAGAIN, "EAGAIN" }, { ENOBUFS, "ENOBUFS" }, { ERANGE, "ERANGE" },
		{ EOVERFLOW, "EOVERFLOW" }, { EMSGSIZE, "EMSGSIZE" },
		{ ETOOMANYREFS, "ETOOMANYREFS" }, { EMFILE, "EMFILE" }, { ENOSPC, "ENOSPC" },
		{ ENOMEM, "ENOMEM" }, { EINVAL, "EINVAL" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == err)
			return names[i].name;
	return NULL;
}

static int show_limits(struct bench *b)
{
	static const struct out_col cols[] = {
		{ "METHOD", "method", 0 },
		{ "MAX-MSG", "max_msg", COL_RIGHT | COL_NUMBER },
		{ "LIMIT", "limit", 0 },
		{ "QUEUED", "queued_msgs", COL_RIGHT | COL_NUMBER },
		{ "BYTES", "queued_bytes", COL_RIGHT | COL_NUMBER },
		{ "FULL", "when_full", 0 },
		{ "PARTIAL", "partial_write", 0 },
		{ "NOTE", "note", COL_TRUNC },
	};
	uint64_t probe = b->nsizes ? b->sizes[0] : DEFAULT_SIZE;
	struct out *out = out_new(&b->out, "limits", cols, sizeof(cols) / sizeof(cols[0]));
	int status = EXIT_OK, rc = 0;
	size_t done = 0;

	if (!out)
		return EXIT_PARTIAL;
	for (size_t i = 0; i < b->nmethods && !rc && !stop_signal; i++) {
		const struct ipk_bench_method *m = b->methods[i];
		struct ipk_bench_limits l;
		char num[32], txt[64];
		bool human = b->out.mode == OUT_TABLE;

		if (is_reference(m))
			continue;
		int err = ipk_bench_limits(m, probe, &l);
		if (err) {
			uint64_t max;
			const char *source;
			char size[32], lim[32];

			if (err == -EINTR)
				break;
			fmt_bytes(probe, size, sizeof(size));
			if (ipk_bench_method_max_size(m, &max, &source) == 0 && probe > max) {
				fmt_bytes(max, lim, sizeof(lim));
				msg("cannot probe '%s' with %s messages: it carries at most %s here (%s)",
				    ipk_bench_method_name(m), size, lim, source);
			} else {
				msg("cannot probe '%s' with %s messages: %s%s", ipk_bench_method_name(m),
				    size, reason(-err),
				    ipk_errno_unsupported(err) ? " (not supported here)" : "");
			}
			status = EXIT_PARTIAL;
			continue;
		}
		struct out_row *row = out_row(out, NULL);
		if (!row) {
			rc = -ENOMEM;
			break;
		}
		done++;
		rc |= out_set(out, row, 0, ipk_bench_method_name(m), NULL);
		snprintf(num, sizeof(num), "%llu", (unsigned long long)l.max_msg);
		if (human && l.max_msg)
			fmt_bytes(l.max_msg, txt, sizeof(txt));
		rc |= out_set(out, row, 1, !l.max_msg ? NULL : human ? txt : num,
			      l.max_msg ? num : "null");
		rc |= out_set(out, row, 2, l.max_source, NULL);
		snprintf(num, sizeof(num), "%llu", (unsigned long long)l.queued_msgs);
		rc |= out_set(out, row, 3, l.bounded && l.queued_msgs ? num : NULL,
			      l.bounded ? num : "null");
		snprintf(num, sizeof(num), "%llu", (unsigned long long)l.queued_bytes);
		if (human && l.queued_bytes)
			fmt_bytes(l.queued_bytes, txt, sizeof(txt));
		rc |= out_set(out, row, 4, l.queued_bytes ? human ? txt : num : NULL,
			      l.queued_bytes ? num : "null");
		const char *full = l.full_err ? errno_name(l.full_err) : NULL;
		if (l.full_err && !full) {
			snprintf(txt, sizeof(txt), "errno %d", l.full_err);
			full = txt;
		}
		rc |= out_set(out, row, 5, full ? full : l.bounded ? "blocks" : NULL, NULL);
		rc |= out_set(out, row, 6, l.partial ? "yes" : "no", l.partial ? "true" : "false");
		rc |= out_set(out, row, 7, l.note[0] ? l.note : NULL, NULL);
	}
	if (!rc && b->out.mode == OUT_JSON) {
		struct ipk_buf j = { 0 };
		char size[64];

		snprintf(size, sizeof(size), "%llu", (unsigned long long)probe);
		rc = out_json_member(out, "probe_size", size);
		if (!rc)
			rc = json_machine(b, &j);
		if (!rc)
			rc = out_json_member(out, "machine", j.s);
		ipk_buf_free(&j);
	}
	if (!rc && b->out.mode == OUT_TABLE && !b->out.noheadings && done) {
		char size[32];
		fmt_bytes(probe, size, sizeof(size));
		printf("Queues filled with %s messages by a non-blocking sender; FULL is what it "
		       "then sees.\n\n", size);
	}
	if (!rc)
		rc = out_print(out);
	out_free(out);
	if (rc) {
		msg("%s", reason(-rc));
		status = EXIT_PARTIAL;
	}
	return status;
}

/* -------------------------------------------------------------------- main */

static void free_items(struct bench *b)
{
	for (size_t i = 0; i < b->nitems; i++)
		ipk_bench_result_free(&b->items[i].res);
	free(b->items);
}

static int exit_status(const struct bench *b)
{
	bool failed = false, any_ok = false, any_unsupported = false;

	for (size_t i = 0; i < b->nitems; i++) {
		const struct item *it = &b->items[i];

		if (!it->done || is_reference(it->m))
			continue;
		switch (it->res.status) {
		case IPK_BENCH_OK:
			any_ok = true;
			break;
		case IPK_BENCH_UNSUPPORTED:
			any_unsupported = true;
			break;
		case IPK_BENCH_INTERRUPTED:
			break;
		default:
			failed = true;
		}
	}
	for (size_t i = 0; i < b->nitems; i++)
		if (b->items[i].done && is_reference(b->items[i].m) &&
		    b->items[i].res.status != IPK_BENCH_OK &&
		    b->items[i].res.status != IPK_BENCH_INTERRUPTED)
			failed = true;
	if (failed)
		return EXIT_PARTIAL;
	if (any_unsupported && !any_ok)
		return EXIT_UNSUPPORTED;
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	struct bench b = { .count = DEFAULT_COUNT, .warmup = DEFAULT_WARMUP };
	size_t used = 0;

	program_name = "ipc-bench";
	for (size_t i = 0; i < ipk_bench_method_count(); i++) {
		const char *name = ipk_bench_method_name(ipk_bench_method_at(i));
		int n = snprintf(method_words + used, sizeof(method_words) - used, "%s%s",
				 used ? " " : "", name);
		if (n > 0 && (size_t)n < sizeof(method_words) - used)
			used += (size_t)n;
	}
	/* the methods of the library's table, one a line */
	static char more[4096];
	size_t at = (size_t)snprintf(more, sizeof(more),
				     "Methods (cacheline is the floor, always measured):\n");
	for (size_t i = 0; i < ipk_bench_method_count() && at < sizeof(more); i++) {
		const struct ipk_bench_method *m = ipk_bench_method_at(i);
		at += (size_t)snprintf(more + at, sizeof(more) - at, " %-15s %s\n",
				       ipk_bench_method_name(m), ipk_bench_method_description(m));
	}
	if (at < sizeof(more))
		snprintf(more + at, sizeof(more) - at,
			 "Times are round trips; P50/CL is the median over the cacheline's.\n");
	const struct cmd_spec spec = {
		.name = "ipc-bench",
		.summary = "Measure the latency (round trips, with percentiles) and throughput of\n"
			   "every IPC method between two processes, on one CPU and across two.",
		.synopsis = bench_synopsis,
		.groups = bench_groups,
		.ngroups = sizeof(bench_groups) / sizeof(bench_groups[0]),
		.more = more,
		.positional = COMPLETE_NONE,
		.no_sysroot = true,
	};

	int first = opts_parse(&spec, argc, argv, handle, &b);
	if (first < argc)
		usage_error("unexpected operand '%s'", argv[first]);
	if (b.count_given && b.duration_given)
		usage_error("--count and --duration exclude each other");
	if (!b.nsizes)
		b.sizes[b.nsizes++] = DEFAULT_SIZE;
	bool named = b.nmethods > 0;
	if (!named)
		for (size_t i = 0; i < ipk_bench_method_count(); i++)
			b.methods[b.nmethods++] = ipk_bench_method_at(i);

	if (b.limits) {
		if (b.baseline || b.histogram)
			usage_error("--limits shows no figures: no --baseline or --histogram");
		catch_stop_signals(ipk_bench_interrupt);
		ipk_bench_machine(&b.machine);
		int status = show_limits(&b);
		int out_status = close_stdout();
		if (stop_signal) {
			signal(stop_signal, SIG_DFL);
			raise(stop_signal);
		}
		return status ? status : out_status;
	}

	plan_placements(&b);
	if (b.baseline) {
		int line = 0;
		int rc = ipk_bench_baseline_load(b.baseline, &b.base, &line);
		if (rc == -EINVAL)
			usage_error("'%s' is not the JSON of an ipc-bench run (line %d)",
				    b.baseline, line);
		if (rc) {
			msg_cannot("read", b.baseline, -rc);
			return EXIT_USAGE;
		}
	}
	plan_items(&b, named);

	catch_stop_signals(ipk_bench_interrupt);
	ipk_bench_machine(&b.machine);
	run(&b);

	int rc;
	if (b.out.mode == OUT_JSON)
		rc = render_json(&b);
	else if (b.out.mode == OUT_TABLE)
		rc = render_tables(&b);
	else
		rc = render_flat(&b);
	int status = exit_status(&b);
	if (rc) {
		msg("%s", reason(-rc));
		status = EXIT_PARTIAL;
	}
	free_items(&b);
	ipk_bench_baseline_free(b.base);
	int out_status = close_stdout();
	if (stop_signal) {
		/* Everything is removed: now die of the signal, as the shell expects. */
		msg("interrupted: every process and object of the run is gone");
		signal(stop_signal, SIG_DFL);
		raise(stop_signal);
	}
	return status ? status : out_status;
}
