/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ipc-scenario: run, check, list and conform YAML scenarios.  The library
 * parses, runs and judges (lib/scenario/); this file picks the files,
 * reports and renders.
 */
#include "common.h"
#include "ipckit-scenario.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
	OPT_KEEP = 'k',
	OPT_SET = 'D',
	OPT_TRACE = 't',
	OPT_ISOLATE = OPT_COMMAND_BASE,
	OPT_SLOW,
	OPT_STEP_DELAY,
	OPT_STALL,
	OPT_TIMEOUT,
};

static const struct cmd_option run_options[] = {
	{ "set", OPT_SET, "KEY=VALUE", "override a number of the file: vars.NAME, timeout, stall",
	  COMPLETE_SETS, NULL, 0 },
	{ "timeout", OPT_TIMEOUT, "DURATION", "stop the run after DURATION (the file's, or 60s)",
	  0, NULL, 0 },
	{ "stall", OPT_STALL, "DURATION", "stop when nothing ends for DURATION while some wait "
	  "(2s; 0: never)", 0, NULL, 0 },
	{ "keep", OPT_KEEP, NULL, "leave the named objects made, and print their REFs", 0, NULL,
	  0 },
	{ "isolate", OPT_ISOLATE, NULL, "run in a private IPC and mount namespace", 0, NULL, 0 },
	{ "trace", OPT_TRACE, "FILE", "one JSON line per operation to FILE (- for standard "
	  "output)", COMPLETE_FILES, NULL, 0 },
	{ "slow", OPT_SLOW, "N", "stretch sleeps, paces and timeouts N times, to watch it", 0,
	  NULL, 0 },
	{ "step-delay", OPT_STEP_DELAY, "DURATION", "pause DURATION after every operation", 0,
	  NULL, 0 },
};

static const struct cmd_option scn_output[] = {
	{ "json", OPT_JSON, NULL, "JSON output", 0, NULL, 0 },
	{ "raw", OPT_RAW, NULL, "raw output: one space between columns, exact numbers", 0, NULL,
	  0 },
	{ "noheadings", OPT_NOHEADINGS, NULL, "no header lines", 0, NULL, 0 },
};

static const struct opt_group scn_groups[] = {
	{ "Running", run_options, sizeof(run_options) / sizeof(run_options[0]) },
	{ "Output", scn_output, sizeof(scn_output) / sizeof(scn_output[0]) },
};

static const char *const scn_synopsis[] = {
	"run [options] FILE...",
	"check [--set KEY=VALUE] FILE...",
	"list [DIR...]",
	"conform [--json] [--isolate] [DIR]",
	NULL,
};

#define MAX_SETS	64

struct opts {
	struct ipk_scenario_options run;
	struct ipk_scenario_set sets[MAX_SETS];
	char keys[MAX_SETS][64];	/* the sets' keys, cut from their arguments */
	size_t nsets;
	const char *trace;
	bool isolate;
	struct out_opts out;
};

/* ------------------------------------------------------------------ options */

static uint64_t parse_time(const char *arg, const char *what, bool zero_ok)
{
	uint64_t ns;

	if (ipk_parse_duration_ns(arg, &ns) || (!ns && !zero_ok))
		usage_error("malformed %s '%s' (500ms, 2s, 1m)", what, arg);
	return ns;
}

static void handle(int key, const char *arg, void *data)
{
	struct opts *o = data;
	char *end;

	if (out_opts_handle(&o->out, key, arg))
		return;
	switch (key) {
	case OPT_SET: {
		const char *eq = strchr(arg, '=');
		if (!eq || eq == arg || !eq[1])
			usage_error("malformed --set '%s': KEY=VALUE, as vars.n=10", arg);
		if (o->nsets == MAX_SETS)
			usage_error("at most %d --set", MAX_SETS);
		if ((size_t)(eq - arg) >= sizeof(o->keys[0]))
			usage_error("malformed --set '%s': the key is too long", arg);
		char *k = o->keys[o->nsets];
		memcpy(k, arg, (size_t)(eq - arg));
		k[eq - arg] = '\0';
		o->sets[o->nsets++] = (struct ipk_scenario_set){ k, eq + 1 };
		break;
	}
	case OPT_TIMEOUT:
		o->run.timeout_ns = parse_time(arg, "timeout", false);
		break;
	case OPT_STALL:
		o->run.stall_ns = parse_time(arg, "stall time", true);
		o->run.no_stall = o->run.stall_ns == 0;
		break;
	case OPT_KEEP:
		o->run.keep = true;
		break;
	case OPT_ISOLATE:
		o->isolate = true;
		break;
	case OPT_TRACE:
		o->trace = arg;
		break;
	case OPT_SLOW:
		errno = 0;
		o->run.slow = strtod(arg, &end);
		if (errno || end == arg || *end || !(o->run.slow >= 1) || o->run.slow > 1000)
			usage_error("malformed --slow '%s': a factor from 1 to 1000", arg);
		break;
	case OPT_STEP_DELAY:
		o->run.step_delay_ns = parse_time(arg, "step delay", true);
		break;
	}
}

/* ------------------------------------------------------------------ signals */


/* Everything is removed: now die of the signal, as the shell expects. */
static void die_of_signal(void)
{
	if (!stop_signal)
		return;
	msg("interrupted: every process and object of the run is gone");
	fflush(stdout);
	signal(stop_signal, SIG_DFL);
	raise(stop_signal);
}

/* ----------------------------------------------------------------- statuses */

static int outcome_status(enum ipk_scenario_outcome o)
{
	switch (o) {
	case IPK_SCENARIO_PASS:
		return EXIT_OK;
	case IPK_SCENARIO_UNSUPPORTED:
		return EXIT_UNSUPPORTED;
	case IPK_SCENARIO_INVALID:
		return EXIT_USAGE;
	default:
		return EXIT_PARTIAL;
	}
}

/* Of several files, what matters most: invalid, then failed, then unsupported. */
static int worse(int a, int b)
{
	static const int rank[] = { [EXIT_OK] = 0, [EXIT_UNSUPPORTED] = 1, [EXIT_PARTIAL] = 2,
				    [EXIT_USAGE] = 3 };

	return rank[b] > rank[a] ? b : a;
}

/*
 * Loads one file, reporting what is wrong with it; NULL then, and with
 * @unloaded the result that reports it as a run (for --json).
 */
static struct ipk_scenario *load(const struct opts *o, const char *file, int *status,
				 struct ipk_scenario_result **unloaded)
{
	struct ipk_scenario *s = NULL;
	struct ipk_scenario_diags *d = NULL;
	int rc = ipk_scenario_load(file, o->sets, o->nsets, &s, &d);

	fflush(stdout);
	/* a diagnostic quotes the file, which may hold any byte: escaped */
	for (size_t i = 0; i < ipk_scenario_diag_count(d); i++)
		fprintf(stderr, "%s\n", esc(ipk_scenario_diag_text(d, i)));
	if (rc == -ENOMEM && !ipk_scenario_diag_count(d))
		msg_cannot("load", file, ENOMEM);
	if (rc && unloaded)
		*unloaded = ipk_scenario_result_unloaded(file, d);
	ipk_scenario_diags_free(d);
	if (rc) {
		*status = worse(*status, rc == -ENOMEM ? EXIT_PARTIAL : EXIT_USAGE);
		return NULL;
	}
	return s;
}

/* -------------------------------------------------------------- rendering */

/* Three significant digits and a unit: 312ns, 7.24us, 72.1us, 1.35ms. */
static void fmt_ns(double ns, char *buf, size_t n)
{
	struct ipk_buf b = { 0 };

	snprintf(buf, n, "%s", ipk_format_ns(ns, &b) == 0 && b.s ? b.s : "?");
	ipk_buf_free(&b);
}

static int render_table(const struct opts *o, const struct ipk_scenario_result *r)
{
	static const struct out_col ops_cols[] = {
		{ "ACTOR", "actor", 0 },
		{ "OP", "op", 0 },
		{ "OBJECT", "object", 0 },
		{ "COUNT", "count", COL_RIGHT | COL_NUMBER },
		{ "ERRORS", "errors", COL_RIGHT | COL_NUMBER },
		{ "RATE", "rate", COL_RIGHT | COL_NUMBER },
		{ "P50", "p50", COL_RIGHT | COL_NUMBER },
		{ "P99", "p99", COL_RIGHT | COL_NUMBER },
		{ "MAX", "max", COL_RIGHT | COL_NUMBER },
		{ "FIRST-ERROR", "first_error", COL_TRUNC },
	};
	static const struct out_col exp_cols[] = {
		{ "EXPECT", "expr", 0 },
		{ "RESULT", "result", 0 },
		{ "OBSERVED", "observed", COL_TRUNC },
	};
	bool human = o->out.mode == OUT_TABLE;
	struct out *out = out_new(&o->out, "ops", ops_cols, sizeof(ops_cols) / sizeof(ops_cols[0]));
	int rc = 0;

	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < ipk_scenario_result_op_count(r) && !rc; i++) {
		const struct ipk_scenario_op *op = ipk_scenario_result_op(r, i);
		struct out_row *row = out_row(out, NULL);
		char buf[64];
		if (!row) {
			rc = -ENOMEM;
			break;
		}
		rc |= out_set(out, row, 0, op->actor, NULL);
		rc |= out_set(out, row, 1, op->op, NULL);
		rc |= out_set(out, row, 2, op->object[0] ? op->object : NULL, NULL);
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)op->count);
		rc |= out_set(out, row, 3, buf, NULL);
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)op->errors);
		rc |= out_set(out, row, 4, buf, NULL);
		snprintf(buf, sizeof(buf), human ? "%.0f/s" : "%.3f", op->rate);
		rc |= out_set(out, row, 5, op->rate > 0 ? buf : NULL, NULL);
		const uint64_t lat[] = { op->latency.p50, op->latency.p99, op->latency.max };
		for (size_t k = 0; k < 3; k++) {
			if (human)
				fmt_ns((double)lat[k], buf, sizeof(buf));
			else
				snprintf(buf, sizeof(buf), "%llu", (unsigned long long)lat[k]);
			rc |= out_set(out, row, 6 + k, op->count ? buf : NULL, NULL);
		}
		rc |= out_set(out, row, 9, op->first_error, NULL);
	}
	if (!rc)
		rc = out_print(out);
	out_free(out);
	if (rc || !ipk_scenario_result_expect_count(r))
		return rc;
	if (human)
		putchar('\n');
	out = out_new(&o->out, "expect", exp_cols, sizeof(exp_cols) / sizeof(exp_cols[0]));
	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < ipk_scenario_result_expect_count(r) && !rc; i++) {
		const struct ipk_scenario_expect *e = ipk_scenario_result_expect(r, i);
		struct out_row *row = out_row(out, NULL);
		if (!row) {
			rc = -ENOMEM;
			break;
		}
		rc |= out_set(out, row, 0, e->expr, NULL);
		rc |= out_set(out, row, 1, e->pass ? "PASS" : "FAIL", NULL);
		rc |= out_set(out, row, 2, e->observed, NULL);
	}
	if (!rc)
		rc = out_print(out);
	out_free(out);
	return rc;
}

static int render_json(const struct opts *o, const struct ipk_scenario_result *r)
{
	static const struct out_col none[] = { { "OP", "op", 0 } };
	static const char *const members[] = {
		"scenario", "file", "result", "reason", "duration_s", "expect", "blocked", "objects",
		"notes", "kept",
	};
	struct out *out = out_new(&o->out, "ops", none, 1);
	struct ipk_buf j = { 0 };
	int rc = 0;

	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < ipk_scenario_result_op_count(r) && !rc; i++) {
		struct out_row *row = out_row(out, NULL);
		ipk_buf_reset(&j);
		rc = row ? ipk_scenario_op_json(ipk_scenario_result_op(r, i), &j) : -ENOMEM;
		if (!rc)
			rc = out_row_json(row, j.s);
	}
	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]) && !rc; i++) {
		ipk_buf_reset(&j);
		rc = ipk_scenario_result_member_json(r, members[i], &j);
		if (!rc)
			rc = out_json_member(out, members[i], j.s);
	}
	if (!rc)
		rc = out_print(out);
	out_free(out);
	ipk_buf_free(&j);
	return rc;
}

/* The headline above the tables, in a table with headings. */
static void report_head(const struct opts *o, const struct ipk_scenario *s,
			const struct ipk_scenario_result *r)
{
	if (o->out.mode != OUT_TABLE || o->out.noheadings)
		return;
	printf("%s: %s in %.2f s\n\n", esc(ipk_scenario_name(s)),
	       ipk_scenario_outcome_name(ipk_scenario_result_outcome(r)),
	       ipk_scenario_result_duration(r));
}

/*
 * Why it did not pass and the notes, on stderr; the wait-for list after the
 * tables (on stderr with JSON, which carries it as "blocked"); then the
 * REFs --keep left, one a line, for ipc-rm.
 */
static void report_tail(const struct opts *o, const char *file,
			const struct ipk_scenario_result *r)
{
	enum ipk_scenario_outcome oc = ipk_scenario_result_outcome(r);
	FILE *f = o->out.mode == OUT_JSON ? stderr : stdout;
	struct ipk_buf b = { 0 };

	if (ipk_scenario_result_blocked_count(r)) {
		fflush(stdout);
		fprintf(f, "%sblocked when it stopped:\n", f == stdout ? "\n" : "");
		for (size_t i = 0; i < ipk_scenario_result_blocked_count(r); i++) {
			ipk_buf_reset(&b);
			ipk_scenario_blocked_text(ipk_scenario_result_blocked(r, i), &b);
			fprintf(f, "  %s\n", b.s ? esc(b.s) : "");
		}
	}
	ipk_buf_free(&b);
	if (oc != IPK_SCENARIO_PASS && oc != IPK_SCENARIO_INTERRUPTED)
		msg("%s: %s", file, ipk_scenario_result_reason(r));
	for (size_t i = 0; i < ipk_scenario_result_note_count(r); i++)
		msg("%s: %s", file, ipk_scenario_result_note(r, i));
	if (o->out.mode != OUT_JSON)
		/* escaped as ipc-rm reads them back */
		for (size_t k = 0; k < ipk_scenario_result_kept_count(r); k++)
			printf("%s\n", esc(ipk_scenario_result_kept(r, k)));
}

/* ---------------------------------------------------------------- commands */

static int cmd_run(struct opts *o, char **files, int n)
{
	int status = EXIT_OK;
	int trace_fd = -1;

	if (!n)
		usage_error("run: which scenario file?");
	if (o->trace) {
		trace_fd = strcmp(o->trace, "-") == 0 ? STDOUT_FILENO
						      : open(o->trace, O_WRONLY | O_CREAT | O_TRUNC |
							     O_APPEND | O_CLOEXEC, 0644);
		if (trace_fd < 0) {
			msg_cannot("write", o->trace, errno);
			return EXIT_USAGE;
		}
	}
	o->run.trace_fd = trace_fd;
	catch_stop_signals(ipk_scenario_interrupt);
	for (int i = 0; i < n && !stop_signal; i++) {
		struct ipk_scenario_result *r = NULL;
		struct ipk_scenario *s = load(o, files[i], &status,
					      o->out.mode == OUT_JSON ? &r : NULL);
		if (!s) {
			/* One JSON document per file, whatever became of it. */
			int rc = r ? render_json(o, r) : 0;
			if (rc) {
				msg("%s", reason(-rc));
				status = worse(status, EXIT_PARTIAL);
			}
			ipk_scenario_result_free(r);
			continue;
		}
		/* Lines of the trace are the workers' own writes: none may sit in a buffer. */
		fflush(stdout);
		int rc = ipk_scenario_run(s, &o->run, &r);
		if (rc) {
			msg_cannot("run", files[i], -rc);
			status = worse(status, exit_status_of(rc));
			ipk_scenario_free(s);
			continue;
		}
		if (i > 0 && o->out.mode == OUT_TABLE && !o->out.noheadings)
			putchar('\n');
		report_head(o, s, r);
		rc = o->out.mode == OUT_JSON ? render_json(o, r) : render_table(o, r);
		report_tail(o, files[i], r);
		if (rc) {
			msg("%s", reason(-rc));
			status = worse(status, EXIT_PARTIAL);
		}
		status = worse(status, outcome_status(ipk_scenario_result_outcome(r)));
		ipk_scenario_result_free(r);
		ipk_scenario_free(s);
	}
	if (trace_fd > STDOUT_FILENO)
		close(trace_fd);
	int out_status = close_stdout();
	die_of_signal();
	return status ? status : out_status;
}

static int cmd_check(struct opts *o, char **files, int n)
{
	int status = EXIT_OK;

	if (!n)
		usage_error("check: which scenario file?");
	for (int i = 0; i < n; i++) {
		struct ipk_scenario *s = load(o, files[i], &status, NULL);
		if (s)
			printf("%s: ok\n", esc(files[i]));
		ipk_scenario_free(s);
	}
	int out_status = close_stdout();
	return status ? status : out_status;
}

/* ------------------------------------------------------------ finding them */

/*
 * Where the shipped scenarios are, when no directory is named:
 * $IPCKIT_SCENARIO_PATH (DIR:DIR), else beside the binary: the source
 * tree's scenarios/ for build/bin/, then PREFIX/share/ipckit/scenarios.
 */
static size_t search_path(char dirs[][PATH_MAX], size_t max)
{
	const char *env = getenv("IPCKIT_SCENARIO_PATH");
	size_t n = 0;

	if (env && *env) {
		char *copy = strdup(env), *save = NULL;
		for (char *d = copy ? strtok_r(copy, ":", &save) : NULL; d && n < max;
		     d = strtok_r(NULL, ":", &save))
			snprintf(dirs[n++], PATH_MAX, "%s", d);
		free(copy);
		return n;
	}
	char exe[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len <= 0)
		return 0;
	exe[len] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return 0;
	*slash = '\0';		/* .../bin */
	static const char *const rel[] = { "/../../scenarios", "/../share/ipckit/scenarios" };
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]) && n < max; i++) {
		char path[PATH_MAX + 64];
		struct stat st;
		snprintf(path, sizeof(path), "%s%s", exe, rel[i]);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode) && realpath(path, dirs[n]))
			n++;
	}
	return n;
}

struct found {
	char **v;
	size_t n, cap;
};

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.yaml and *.yml below @dir, depth first. */
static void find_files(const char *dir, struct found *f, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[PATH_MAX];
		struct stat st;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode) && depth < 4) {
			find_files(path, f, depth + 1);
			continue;
		}
		size_t len = strlen(e->d_name);
		bool yaml = (len > 5 && !strcmp(e->d_name + len - 5, ".yaml")) ||
			    (len > 4 && !strcmp(e->d_name + len - 4, ".yml"));
		if (!S_ISREG(st.st_mode) || !yaml)
			continue;
		if (f->n == f->cap) {
			size_t cap = f->cap ? 2 * f->cap : 32;
			char **v = realloc(f->v, cap * sizeof(*v));
			if (!v)
				break;
			f->v = v;
			f->cap = cap;
		}
		f->v[f->n] = strdup(path);
		if (f->v[f->n])
			f->n++;
	}
	closedir(d);
}

static int cmd_list(struct opts *o, char **dirs, int n)
{
	static const struct out_col cols[] = {
		{ "NAME", "name", 0 },
		{ "DESCRIPTION", "description", COL_TRUNC },
		{ "FILE", "file", COL_TRUNC | COL_KEEP_END },
	};
	char found_dirs[8][PATH_MAX];
	size_t ndirs = 0;
	struct found f = { 0 };
	int status = EXIT_OK;

	if (n) {
		for (int i = 0; i < n; i++) {
			struct stat st;
			if (stat(dirs[i], &st) || !S_ISDIR(st.st_mode)) {
				msg_cannot("read", dirs[i], errno ? errno : ENOTDIR);
				status = EXIT_PARTIAL;
				continue;
			}
			find_files(dirs[i], &f, 0);
		}
	} else {
		ndirs = search_path(found_dirs, 8);
		for (size_t i = 0; i < ndirs; i++)
			find_files(found_dirs[i], &f, 0);
	}
	if (f.n)
		qsort(f.v, f.n, sizeof(*f.v), by_name);
	struct out *out = out_new(&o->out, "scenarios", cols, sizeof(cols) / sizeof(cols[0]));
	int rc = out ? 0 : -ENOMEM;
	for (size_t i = 0; i < f.n && !rc; i++) {
		char *name, *desc;
		if (ipk_scenario_peek(f.v[i], &name, &desc)) {
			msg("%s: not a scenario (ipc-scenario check says why)", f.v[i]);
			status = EXIT_PARTIAL;
			continue;
		}
		/* One line of description in a table. */
		for (char *p = desc; *p; p++)
			if (*p == '\n')
				*p = ' ';
		struct out_row *row = out_row(out, NULL);
		rc = row ? 0 : -ENOMEM;
		if (!rc) {
			rc |= out_set(out, row, 0, name, NULL);
			rc |= out_set(out, row, 1, desc[0] ? desc : NULL, NULL);
			rc |= out_set(out, row, 2, f.v[i], NULL);
		}
		free(name);
		free(desc);
	}
	if (!rc && out)
		rc = out_print(out);
	out_free(out);
	if (rc) {
		msg("%s", reason(-rc));
		status = EXIT_PARTIAL;
	}
	if (!f.n && status == EXIT_OK) {
		if (n || ndirs)
			msg("no scenarios there");
		else
			msg("no scenarios found: name a directory, or set IPCKIT_SCENARIO_PATH");
		status = EXIT_PARTIAL;
	}
	for (size_t i = 0; i < f.n; i++)
		free(f.v[i]);
	free(f.v);
	int out_status = close_stdout();
	return status ? status : out_status;
}

/* The conformance scenarios' order: the primitives' table, then the rest by name. */
static int primitive_rank(const char *file)
{
	const char *base = strrchr(file, '/');
	base = base ? base + 1 : file;
	size_t len = strcspn(base, ".");

	for (size_t i = 0; i < ipk_scenario_primitive_count(); i++) {
		const char *p = ipk_scenario_primitive(i);
		if (strlen(p) == len && !strncmp(p, base, len))
			return (int)i;
	}
	return INT_MAX;
}

static int by_primitive(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	int rx = primitive_rank(x), ry = primitive_rank(y);

	return rx != ry ? (rx < ry ? -1 : 1) : strcmp(x, y);
}

static int cmd_conform(struct opts *o, char **dirs, int n)
{
	static const struct out_col cols[] = {
		{ "PRIMITIVE", "name", 0 },
		{ "RESULT", "result", 0 },
		{ "STEP", "step", COL_TRUNC },
		{ "EXPECTED", "expected", COL_TRUNC },
		{ "OBSERVED", "observed", COL_TRUNC },
	};
	char dir[PATH_MAX];
	struct found f = { 0 };
	int status = EXIT_OK;
	bool deviates = false, missing = false;

	if (n > 1)
		usage_error("conform: one directory at most");
	if (n) {
		snprintf(dir, sizeof(dir), "%s", dirs[0]);
	} else {
		char found_dirs[8][PATH_MAX];
		size_t nd = search_path(found_dirs, 8);
		dir[0] = '\0';
		for (size_t i = 0; i < nd && !dir[0]; i++) {
			struct stat st;
			char path[PATH_MAX + 16];
			snprintf(path, sizeof(path), "%s/conformance", found_dirs[i]);
			if (stat(path, &st) == 0 && S_ISDIR(st.st_mode) && strlen(path) < sizeof(dir))
				memcpy(dir, path, strlen(path) + 1);
		}
		if (!dir[0]) {
			msg("no conformance suite found: name its directory, or set "
			    "IPCKIT_SCENARIO_PATH");
			return EXIT_USAGE;
		}
	}
	find_files(dir, &f, 0);
	if (!f.n) {
		msg("%s: no scenarios there", dir);
		return EXIT_USAGE;
	}
	qsort(f.v, f.n, sizeof(*f.v), by_primitive);
	struct out *out = out_new(&o->out, "primitives", cols, sizeof(cols) / sizeof(cols[0]));
	struct ipk_buf j = { 0 };
	int rc = out ? 0 : -ENOMEM;
	catch_stop_signals(ipk_scenario_interrupt);
	for (size_t i = 0; i < f.n && !rc && !stop_signal; i++) {
		int st = EXIT_OK;
		struct ipk_scenario *s = load(o, f.v[i], &st, NULL);
		struct ipk_scenario_result *r = NULL;
		struct ipk_scenario_verdict v;
		if (!s) {
			msg("%s: cannot be loaded: not counted", f.v[i]);
			status = EXIT_PARTIAL;
			continue;
		}
		int err = ipk_scenario_run(s, &o->run, &r);
		if (err) {
			msg_cannot("run", f.v[i], -err);
			status = EXIT_PARTIAL;
			ipk_scenario_free(s);
			continue;
		}
		if (ipk_scenario_result_outcome(r) == IPK_SCENARIO_INTERRUPTED) {
			ipk_scenario_result_free(r);
			ipk_scenario_free(s);
			break;
		}
		ipk_scenario_verdict(r, &v);
		deviates |= !strcmp(v.result, "deviates");
		missing |= !strcmp(v.result, "missing");
		struct out_row *row = out_row(out, NULL);
		rc = row ? 0 : -ENOMEM;
		if (!rc && o->out.mode == OUT_JSON) {
			ipk_buf_reset(&j);
			rc = ipk_scenario_verdict_json(&v, &j);
			if (!rc)
				rc = out_row_json(row, j.s);
		} else if (!rc) {
			rc |= out_set(out, row, 0, v.name, NULL);
			rc |= out_set(out, row, 1, v.result, NULL);
			rc |= out_set(out, row, 2, v.step[0] ? v.step : NULL, NULL);
			rc |= out_set(out, row, 3, v.expected[0] ? v.expected : NULL, NULL);
			rc |= out_set(out, row, 4, v.observed[0] ? v.observed : NULL, NULL);
		}
		ipk_scenario_result_free(r);
		ipk_scenario_free(s);
	}
	if (!rc && o->out.mode == OUT_JSON) {
		ipk_buf_reset(&j);
		rc = ipk_scenario_system_json(&j);
		if (!rc)
			rc = out_json_member(out, "system", j.s);
	}
	if (!rc && out && !stop_signal)
		rc = out_print(out);
	out_free(out);
	ipk_buf_free(&j);
	for (size_t i = 0; i < f.n; i++)
		free(f.v[i]);
	free(f.v);
	if (rc) {
		msg("%s", reason(-rc));
		status = EXIT_PARTIAL;
	}
	if (deviates)
		status = EXIT_PARTIAL;
	else if (missing && status == EXIT_OK)
		status = EXIT_UNSUPPORTED;
	int out_status = close_stdout();
	die_of_signal();
	return status ? status : out_status;
}

/* -------------------------------------------------------------- completion */

/*
 * --complete=sets:FILE   what --set takes for that scenario, as KEY=
 * --complete=ops         TYPE, OP, OBJECT-KEY, PARAMS, HELP, EXAMPLE: the vocabulary
 * --complete=types       TYPE, ATTRIBUTES, HELP
 */
static int complete(const char *what)
{
	if (!strncmp(what, "sets:", 5)) {
		struct ipk_scenario *s = NULL;
		if (ipk_scenario_load(what + 5, NULL, 0, &s, NULL) == 0) {
			for (size_t i = 0; i < ipk_scenario_set_key_count(s); i++)
				printf("%s=\n", ipk_scenario_set_key(s, i));
		} else {
			printf("timeout=\nstall=\n");
		}
		ipk_scenario_free(s);
		return 0;
	}
	if (!strcmp(what, "ops")) {
		struct ipk_scenario_opinfo oi;
		for (size_t i = 0; ipk_scenario_op_info(i, &oi) == 0; i++)
			printf("%s\t%s\t%s\t%s\t%s\t%s\n", oi.type, oi.op, oi.object_key, oi.params,
			       oi.help, oi.example);
		return 0;
	}
	if (!strcmp(what, "types")) {
		struct ipk_scenario_typeinfo ti;
		for (size_t i = 0; ipk_scenario_type_info(i, &ti) == 0; i++)
			printf("%s\t%s\t%s\n", ti.type, ti.attrs, ti.help ? ti.help : "");
		return 0;
	}
	return -ENOENT;
}

int main(int argc, char **argv)
{
	struct opts o = { .run = IPK_SCENARIO_OPTIONS_INIT };

	program_name = "ipc-scenario";
	const struct cmd_spec spec = {
		.name = "ipc-scenario",
		.summary = "Run IPC workloads described in YAML: objects, the processes that use them\n"
			   "and their steps; measure every operation, check what must hold, and\n"
			   "remove everything the run made.",
		.synopsis = scn_synopsis,
		.groups = scn_groups,
		.ngroups = sizeof(scn_groups) / sizeof(scn_groups[0]),
		.more = "Commands:\n"
			" run       run each FILE, with a table of its operations and expectations\n"
			" check     check each FILE without running it: FILE:LINE:COL: message\n"
			" list      the scenarios in DIR, or the shipped ones\n"
			" conform   the conformance suite: each primitive works, deviates or is "
			"missing\n"
			"\nThe format: ipc-scenario(5).  Run and conform exit 1 when an expectation\n"
			"failed, the run timed out or stalled; 2 for an invalid file; 3 when a kind or\n"
			"operation is not supported here.\n",
		.positional = COMPLETE_WORDS,
		.positional_words = "run check list conform",
		.no_sysroot = true,
		.complete = complete,
	};

	int first = opts_parse(&spec, argc, argv, handle, &o);
	if (first >= argc)
		usage_error("a command is needed: run, check, list or conform");
	const char *cmd = argv[first];
	char **rest = argv + first + 1;
	int nrest = argc - first - 1;

	bool run = !strcmp(cmd, "run"), check = !strcmp(cmd, "check");
	bool list = !strcmp(cmd, "list"), conform = !strcmp(cmd, "conform");
	if (!run && !check && !list && !conform)
		usage_error("unknown command '%s': run, check, list or conform", cmd);
	if (!run && (o.trace || o.run.keep || o.run.slow != 1 || o.run.step_delay_ns))
		usage_error("--trace, --keep, --slow and --step-delay are for run");
	if ((list || conform) && o.nsets)
		usage_error("--set is for run and check");
	if (check && (o.isolate || o.run.timeout_ns || o.run.stall_ns || o.run.no_stall))
		usage_error("check runs nothing: no --isolate, --timeout or --stall");
	if (o.isolate) {
		struct ipk_error e = { 0 };
		if (ipk_scenario_isolate(&e)) {
			msg("cannot isolate the run: %s", e.text);
			return EXIT_UNSUPPORTED;
		}
	}
	if (run)
		return cmd_run(&o, rest, nrest);
	if (check)
		return cmd_check(&o, rest, nrest);
	if (list)
		return cmd_list(&o, rest, nrest);
	return cmd_conform(&o, rest, nrest);
}
