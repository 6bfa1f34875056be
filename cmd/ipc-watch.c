/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ipc-watch: every change to every IPC object, as it happens. */
#include "common.h"
#include "ipckit-snapshot.h"

#include <errno.h>
#include <inttypes.h>
#include <langinfo.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum {
	OPT_INTERVAL = OPT_COMMAND_BASE,
	OPT_COUNT,
	OPT_UNTIL,
	OPT_TIMEOUT,
	OPT_INITIAL,
	OPT_FIELDS,
	OPT_STATS,
	OPT_NO_INOTIFY,
};

static const struct cmd_option watch_options[] = {
	{ "interval", OPT_INTERVAL, "DURATION", "how often to poll what inotify cannot see "
	  "(default 1s; 500ms, 2s ...)", 0, NULL, 0 },
	{ "count", OPT_COUNT, "N", "exit after N events", 0, NULL, 0 },
	{ "until", OPT_UNTIL, "EXPR", "exit 0 once EXPR holds: gone:REF, exists:REF, "
	  "REF.FIELD>=N, orphans>0 ...", 0, NULL, 0 },
	{ "timeout", OPT_TIMEOUT, "DURATION", "stop after DURATION; exit 1 if --until or --count "
	  "was not met", 0, NULL, 0 },
	{ "initial", OPT_INITIAL, NULL, "first report every existing object as created", 0, NULL,
	  0 },
	{ "fields", OPT_FIELDS, "LIST", "report changes of these fields only (comma-separated)",
	  COMPLETE_COLUMNS, NULL, 0 },
	{ "stats", OPT_STATS, NULL, "at exit, what the watch cost (stderr)", 0, NULL, OPT_HIDDEN },
	{ "no-inotify", OPT_NO_INOTIFY, NULL, "poll POSIX objects too", 0, NULL, OPT_HIDDEN },
};

static const char *const watch_synopsis[] = {
	"[options] [filters]",
	NULL,
};

struct watch {
	struct out_opts out;
	struct ipk_filter *filter;
	struct scope scope;
	uint64_t interval_ns;
	long long count;
	struct ipk_cond *until;
	int64_t timeout_ns;		/* -1: none */
	bool initial, stats, no_inotify;
	uint64_t fields;
	bool time_format_given;
	/* while running */
	struct ipk_ctx *ctx;
	long long seen;
	bool colour, utf8;
	struct ipk_buf line, scratch;
};

static void handle(int key, const char *arg, void *data)
{
	struct watch *w = data;
	char *end;

	if (key == OPT_TIME_FORMAT)
		w->time_format_given = true;
	if (out_opts_handle(&w->out, key, arg) || filter_opts_handle(w->filter, key, arg) ||
	    scope_opts_handle(&w->scope, key, arg))
		return;
	switch (key) {
	case OPT_INTERVAL:
		if (ipk_parse_duration_ns(arg, &w->interval_ns) || w->interval_ns < 1000000)
			usage_error("malformed interval '%s' (at least 1ms: 500ms, 1s, 2m)", arg);
		break;
	case OPT_COUNT:
		errno = 0;
		w->count = strtoll(arg, &end, 10);
		if (errno || *end || end == arg || w->count <= 0)
			usage_error("malformed count '%s' (a number of events, at least 1)", arg);
		break;
	case OPT_UNTIL: {
		const char *why = NULL;
		/* REFs as listings show them: unesc() */
		char *text = unesc(arg);
		int rc = text ? ipk_cond_parse(text, &w->until, &why) : -ENOMEM;
		if (rc == -ENOMEM) {
			msg("%s", reason(ENOMEM));
			exit(EXIT_PARTIAL);
		}
		if (rc) {
			/* quoted as read, as a REF's error is; copied, since usage_error() exits */
			char shown[PATH_MAX + 64];
			snprintf(shown, sizeof(shown), "%s", text);
			free(text);
			usage_error("malformed condition '%s': %s", shown, why ? why : "cannot parse");
		}
		free(text);
		break;
	}
	case OPT_TIMEOUT: {
		uint64_t ns;
		if (ipk_parse_duration_ns(arg, &ns) || ns > INT64_MAX)
			usage_error("malformed timeout '%s' (10s, 2m, 1h)", arg);
		w->timeout_ns = (int64_t)ns;
		break;
	}
	case OPT_INITIAL:
		w->initial = true;
		break;
	case OPT_FIELDS: {
		char *copy = strdup(arg), *save = NULL;
		if (!copy) {
			msg("%s", reason(ENOMEM));
			exit(EXIT_PARTIAL);
		}
		for (char *f = strtok_r(copy, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
			int id = ipk_field_find(f);
			if (id < 0) {
				msg("unknown field '%s' (see 'ipc-ls --complete=columns')", f);
				free(copy);
				exit(EXIT_USAGE);
			}
			w->fields |= IPK_FIELD_MASK(id);
		}
		free(copy);
		if (!w->fields)
			usage_error("no fields given to --fields");
		break;
	}
	case OPT_STATS:
		w->stats = true;
		break;
	case OPT_NO_INOTIFY:
		w->no_inotify = true;
		break;
	}
}

/* ------------------------------------------------------------- human */

static const char *arrow(const struct watch *w)
{
	return w->utf8 ? "\u2192" : "->";
}

/* "FIELD text" of one field, when the object has it. */
static bool add_field(struct watch *w, const struct ipk_object *o, int field, const char *label)
{
	struct ipk_value v;

	ipk_object_get(o, field, &v);
	if (v.presence != IPK_PRESENT)
		return false;
	if (label)
		ipk_buf_printf(&w->line, " %s ", label);
	else
		ipk_buf_puts(&w->line, " ");
	ipk_value_text(w->ctx, &v, &w->out.fmt, &w->line);
	return true;
}

static bool is_zero(const struct ipk_object *o, int field)
{
	struct ipk_value v;

	ipk_object_get(o, field, &v);
	return v.presence != IPK_PRESENT || (!v.is_list && v.i == 0 && v.u == 0);
}

/* What a create line says of an object: owner, mode, and what it holds. */
static void summary(struct watch *w, const struct ipk_object *o)
{
	add_field(w, o, IPK_F_OWNER, NULL);
	add_field(w, o, IPK_F_PERMS, NULL);
	if (!is_zero(o, IPK_F_KEY))
		add_field(w, o, IPK_F_KEY, "key");
	/* a semaphore's size is the size of a semaphore */
	if (!is_zero(o, IPK_F_SIZE) && !ipk_kind_has_field(ipk_object_kind(o), IPK_F_VALUE))
		add_field(w, o, IPK_F_SIZE, "size");
	if (!is_zero(o, IPK_F_MESSAGES))
		add_field(w, o, IPK_F_MESSAGES, "messages");
	add_field(w, o, IPK_F_MAXMSG, "maxmsg");
	add_field(w, o, IPK_F_NSEMS, "nsems");
	add_field(w, o, IPK_F_VALUE, "value");
	struct ipk_value v;
	ipk_object_get(o, IPK_F_HOLDERS, &v);
	if (v.presence == IPK_PRESENT && v.holders.n)
		add_field(w, o, IPK_F_HOLDERS, "held by");
}

/* "+cat[12] -postgres[812]": processes that came and went, each once. */
static void holder_moves(struct watch *w, const struct ipk_holder *v, size_t n, char sign)
{
	for (size_t i = 0; i < n; i++) {
		if (i && v[i].pid == v[i - 1].pid)
			continue;
		ipk_buf_printf(&w->line, " %c%s[%d]", sign, v[i].comm, (int)v[i].pid);
	}
}

static void change_text(struct watch *w, const struct ipk_event *ev)
{
	bool first = true;

	for (int f = 0; f < IPK_F_COUNT; f++) {
		struct ipk_value a, b;
		if (!(ev->changed & IPK_FIELD_MASK(f)))
			continue;
		ipk_buf_puts(&w->line, first ? " " : ", ");
		first = false;
		ipk_buf_puts(&w->line, ipk_field_info(f)->json);
		if (f == IPK_F_HOLDERS && (ev->ncame || ev->nwent)) {
			holder_moves(w, ev->came, ev->ncame, '+');
			holder_moves(w, ev->went, ev->nwent, '-');
			continue;
		}
		ipk_object_get(ev->old, f, &a);
		ipk_object_get(ev->object, f, &b);
		ipk_buf_puts(&w->line, " ");
		ipk_value_text(w->ctx, &a, &w->out.fmt, &w->line);
		ipk_buf_printf(&w->line, " %s ", arrow(w));
		ipk_value_text(w->ctx, &b, &w->out.fmt, &w->line);
	}
}

static void remove_text(struct watch *w, const struct ipk_object *o)
{
	struct ipk_value v;
	size_t start = w->line.len;

	ipk_buf_puts(&w->line, " (");
	size_t open = w->line.len;
	if (!is_zero(o, IPK_F_KEY)) {
		ipk_buf_puts(&w->line, "key ");
		ipk_field_text(w->ctx, o, IPK_F_KEY, &w->out.fmt, &w->line);
	}
	ipk_object_get(o, IPK_F_HOLDERS, &v);
	if (v.presence == IPK_PRESENT && v.holders.n) {
		ipk_buf_puts(&w->line, w->line.len > open ? ", last held by " : "last held by ");
		ipk_value_text(w->ctx, &v, &w->out.fmt, &w->line);
	}
	if (w->line.len == open)
		w->line.len = start;	/* nothing to say */
	else
		ipk_buf_puts(&w->line, ")");
	w->line.s[w->line.len] = '\0';
}

/*
 * Names and values may hold anything: esc_text() makes them text, as every
 * other command shows them, so one event is one line and no name displays
 * as another.
 */
static void print_sanitized(struct watch *w, const char *s)
{
	ipk_buf_reset(&w->scratch);
	esc_text(s, false, &w->scratch);
	if (w->scratch.len)
		fwrite(w->scratch.s, 1, w->scratch.len, stdout);
}

static void human(struct watch *w, const struct ipk_event *ev)
{
	static const char signs[] = { [IPK_EVENT_CREATE] = '+', [IPK_EVENT_REMOVE] = '-',
				      [IPK_EVENT_CHANGE] = '~' };
	static const char *const colours[] = { [IPK_EVENT_CREATE] = "\033[32m",
					       [IPK_EVENT_REMOVE] = "\033[31m",
					       [IPK_EVENT_CHANGE] = "\033[33m" };
	struct tm tm;
	time_t t = ev->time.tv_sec;
	char stamp[32];

	localtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
	ipk_buf_reset(&w->line);
	if (ev->type == IPK_EVENT_CREATE)
		summary(w, ev->object);
	else if (ev->type == IPK_EVENT_CHANGE)
		change_text(w, ev);
	else
		remove_text(w, ev->object);
	printf("%s.%03ld %s%c %s", stamp, ev->time.tv_nsec / 1000000,
	       w->colour ? colours[ev->type] : "", signs[ev->type], w->colour ? "\033[0m" : "");
	print_sanitized(w, ipk_object_ref(ev->object));
	print_sanitized(w, w->line.s ? w->line.s : "");
	putchar('\n');
}

/* -------------------------------------------------------------- JSON */

static void holders_json(struct ipk_buf *b, const struct ipk_holder *v, size_t n)
{
	ipk_buf_puts(b, "[");
	for (size_t i = 0; i < n; i++) {
		ipk_buf_printf(b, "%s{\"pid\": %d, \"comm\": ", i ? ", " : "", (int)v[i].pid);
		ipk_buf_json_string(b, v[i].comm);
		if (v[i].fd >= 0)
			ipk_buf_printf(b, ", \"fd\": %d", v[i].fd);
		else
			ipk_buf_puts(b, ", \"fd\": null");
		if (v[i].mode[0])
			ipk_buf_printf(b, ", \"mode\": \"%s\"}", v[i].mode);
		else
			ipk_buf_puts(b, ", \"mode\": null}");
	}
	ipk_buf_puts(b, "]");
}

static void json(struct watch *w, const struct ipk_event *ev)
{
	struct ipk_buf *b = &w->line;
	struct tm tm;
	time_t t = ev->time.tv_sec;
	char stamp[32];

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	ipk_buf_reset(b);
	ipk_buf_printf(b, "{\"time\": \"%s.%03ldZ\", \"event\": \"%s\", \"kind\": ", stamp,
		       ev->time.tv_nsec / 1000000, ipk_event_name(ev->type));
	ipk_buf_json_string(b, ipk_kind_name(ipk_object_kind(ev->object)));
	ipk_buf_puts(b, ", \"ref\": ");
	ipk_buf_json_ref(b, ipk_object_ref(ev->object));
	ipk_buf_puts(b, ", \"changes\": {");
	bool first = true;
	for (int f = 0; ev->type == IPK_EVENT_CHANGE && f < IPK_F_COUNT; f++) {
		if (!(ev->changed & IPK_FIELD_MASK(f)))
			continue;
		ipk_buf_printf(b, "%s\"%s\": {\"old\": ", first ? "" : ", ", ipk_field_info(f)->json);
		first = false;
		ipk_field_json(w->ctx, ev->old, f, b);
		ipk_buf_puts(b, ", \"new\": ");
		ipk_field_json(w->ctx, ev->object, f, b);
		if (f == IPK_F_HOLDERS) {
			ipk_buf_puts(b, ", \"came\": ");
			holders_json(b, ev->came, ev->ncame);
			ipk_buf_puts(b, ", \"went\": ");
			holders_json(b, ev->went, ev->nwent);
		}
		ipk_buf_puts(b, "}");
	}
	ipk_buf_puts(b, "}, \"object\": ");
	ipk_object_json(w->ctx, ev->object, NULL, 0, b);
	ipk_buf_puts(b, "}\n");
	fwrite(b->s, 1, b->len, stdout);
}

static int on_event(const struct ipk_event *ev, void *arg)
{
	struct watch *w = arg;

	if (w->out.mode == OUT_JSON)
		json(w, ev);
	else
		human(w, ev);
	/* a reader at the other end of a pipe sees each event at once */
	if (fflush(stdout) != 0)
		return -EIO;
	w->seen++;
	return w->count && w->seen >= w->count ? 1 : 0;
}

/* ---------------------------------------------------------------- main */

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Every field but the costly ones (rss and swap: /proc/sysvipc/shm), unless asked. */
static void want_fields(struct ipk_ctx *ctx, uint64_t asked)
{
	int fields[IPK_F_COUNT];
	size_t n = 0;

	for (int f = 0; f < IPK_F_COUNT; f++)
		if (!(ipk_field_info(f)->flags & IPK_FIELD_COSTLY) || (asked & IPK_FIELD_MASK(f)))
			fields[n++] = f;
	ipk_ctx_want_fields(ctx, fields, n);
}

static void print_stats(struct ipk_watch *wt)
{
	struct ipk_watch_stats st;

	ipk_watch_stats(wt, &st);
	fprintf(stderr, "ipc-watch: stats: polls %" PRIu64 ", poll cpu last %.3f ms, mean %.3f ms, "
		"records read last %" PRIu64 ", total %" PRIu64 ", inotify events %" PRIu64
		", exits seen at once %" PRIu64 ", events %" PRIu64 ", inotify %s, exits by %s\n",
		st.polls, st.poll_ns_last / 1e6,
		st.polls ? (double)st.poll_ns_total / (double)st.polls / 1e6 : 0.0,
		st.records_last, st.records_read, st.inotify_events, st.exits, st.events,
		st.inotify ? "yes" : "no", st.exits_source);
}

int main(int argc, char **argv)
{
	struct opt_group groups[4];
	struct watch w = { .timeout_ns = -1 };
	int status = EXIT_OK;

	program_name = "ipc-watch";
	groups[0] = (struct opt_group){ "Options", watch_options,
					sizeof(watch_options) / sizeof(watch_options[0]) };
	/* of the shared output options: --json, and how values are shown */
	groups[1] = (struct opt_group){ "Output", output_options + 1, 1 };
	groups[2] = (struct opt_group){ "Values", output_options + 6, 3 };
	groups[3] = (struct opt_group){ "Filters", filter_options, filter_options_count };
	const struct cmd_spec spec = {
		.name = "ipc-watch",
		.summary = "Report every IPC object created, removed or changed, as it happens.",
		.synopsis = watch_synopsis,
		.groups = groups,
		.ngroups = 4,
		.more = "Lines: '+ REF' created, '- REF' removed, '~ REF FIELD old -> new' changed.\n"
			"--json: one JSON object per line: time, event, kind, ref, changes, object.\n"
			"Ends on SIGINT or SIGTERM (exit 0), after --count events, when --until\n"
			"holds (0), or at --timeout (1 if --until or --count was not met).\n",
	};

	w.filter = ipk_filter_new();
	if (!w.filter) {
		msg("%s", reason(ENOMEM));
		return EXIT_PARTIAL;
	}
	int first = opts_parse(&spec, argc, argv, handle, &w);
	if (first < argc)
		usage_error("operands make no sense here: filter with --kind, --name ... ");
	/* numbers as they are set: 0600, not rw------- */
	w.out.fmt.numeric_perms = true;
	if (!w.time_format_given)
		w.out.fmt.time = IPK_TIME_FULL;
	const char *nc = getenv("NO_COLOR");
	w.colour = w.out.mode != OUT_JSON && isatty(STDOUT_FILENO) && !(nc && *nc);
	w.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;

	w.ctx = scope_ctx(&w.scope);
	want_fields(w.ctx, w.fields);
	struct ipk_watch_opts opts = {
		.interval_ns = w.interval_ns,
		.fields = w.fields,
		.flags = (w.initial ? IPK_WATCH_INITIAL : 0) | (w.no_inotify ? IPK_WATCH_NO_INOTIFY : 0),
	};
	struct ipk_watch *wt = ipk_watch_new(w.ctx, w.filter, &opts);
	if (!wt) {
		msg("%s", reason(ENOMEM));
		return EXIT_PARTIAL;
	}
	if (w.until && ipk_cond_kind(w.until))
		ipk_watch_add_kind(wt, ipk_cond_kind(w.until));

	/* no SA_RESTART: a signal ends the wait at once */
	catch_stop_signals(NULL);

	int64_t deadline = w.timeout_ns >= 0 ? now_ns() + w.timeout_ns : INT64_MAX;
	int rc = ipk_watch_start(wt, on_event, &w);
	report_diags(w.ctx);
	if (w.stats) {
		struct ipk_watch_stats st;
		ipk_watch_stats(wt, &st);
		fprintf(stderr, "ipc-watch: stats: start: %zu objects, inotify %s, exits by %s\n",
			ipk_snapshot_len(ipk_watch_snapshot(wt)), st.inotify ? "yes" : "no",
			st.exits_source);
	}
	bool done = rc > 0 || (w.until && ipk_cond_eval(w.until, w.ctx, ipk_watch_snapshot(wt), w.filter));
	if (rc < 0) {
		msg("cannot watch: %s", reason(-rc));
		status = EXIT_PARTIAL;
		done = true;
	}
	while (!done && !stop_signal) {
		int64_t left = deadline - now_ns();
		if (left <= 0) {
			if (w.until || w.count)
				status = EXIT_PARTIAL;
			break;
		}
		rc = ipk_watch_run(wt, left > INT32_MAX * INT64_C(1000000) ? -1 : (int)(left / 1000000) + 1,
				   on_event, &w);
		report_diags(w.ctx);
		if (rc == -EINTR)
			continue;
		if (rc == -EIO)
			break;		/* stdout is gone: close_stdout() tells why */
		if (rc < 0) {
			msg("cannot watch: %s", reason(-rc));
			status = EXIT_PARTIAL;
			break;
		}
		if (w.count && w.seen >= w.count)
			break;
		if (w.until && ipk_cond_eval(w.until, w.ctx, ipk_watch_snapshot(wt), w.filter))
			break;
	}
	if (w.stats)
		print_stats(wt);
	ipk_watch_free(wt);
	ipk_cond_free(w.until);
	ipk_buf_free(&w.line);
	ipk_buf_free(&w.scratch);
	ipk_filter_free(w.filter);
	ipk_ctx_free(w.ctx);
	int out_status = close_stdout();
	return status ? status : out_status;
}
