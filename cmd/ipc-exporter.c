/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ipc-exporter: the IPC objects and limits of this host for Prometheus,
 * over HTTP (/metrics) or as a textfile for node_exporter.
 *
 * The main thread keeps a watch current and renders the metrics every
 * --interval into a fresh buffer, which it swaps in under a mutex held for
 * a pointer's time.  libmicrohttpd serves scrapes from one thread of its
 * own with non-blocking sockets, a timeout and connection limits: a scrape
 * during a poll gets the last complete rendering, and a slow or hostile
 * client holds nothing but its own connection.
 */
#include "common.h"
#include "ipckit-snapshot.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum {
	OPT_LISTEN = OPT_COMMAND_BASE,
	OPT_TEXTFILE,
	OPT_INTERVAL,
	OPT_PER_OBJECT,
	OPT_MAX_SERIES,
	OPT_COUNT,
};

#define DEFAULT_LISTEN "127.0.0.1:9866"

static const struct cmd_option exporter_options[] = {
	{ "listen", OPT_LISTEN, "ADDR:PORT", "serve /metrics there (default " DEFAULT_LISTEN
	  "; [::1]:9866 for IPv6)", 0, NULL, 0 },
	{ "textfile", OPT_TEXTFILE, "PATH", "rewrite PATH atomically every --interval for "
	  "node_exporter's textfile collector (no HTTP unless --listen)", COMPLETE_FILES, NULL, 0 },
	{ "interval", OPT_INTERVAL, "DURATION", "how often to look and render (default 15s)", 0,
	  NULL, 0 },
	{ "per-object", OPT_PER_OBJECT, NULL, "series of each object too", 0, NULL, 0 },
	{ "max-series", OPT_MAX_SERIES, "N", "at most N per-object series (default 10000); the "
	  "rest are counted in ipckit_series_dropped_total", 0, NULL, 0 },
	{ "count", OPT_COUNT, "N", "exit after N renderings (for cron and tests)", 0, NULL, 0 },
};

static const char *const exporter_synopsis[] = {
	"[--listen ADDR:PORT] [options] [filters]",
	"--textfile PATH [--interval DURATION] [options] [filters]",
	NULL,
};

struct exporter {
	struct ipk_filter *filter;
	struct scope scope;
	const char *listen;
	const char *textfile;
	uint64_t interval_ns;
	struct ipk_prom_opts prom;
	long long count;
	/* the last complete rendering, shared with the HTTP thread */
	pthread_mutex_t lock;
	char *text;
	size_t len;
	uint64_t renders;
};

static void handle(int key, const char *arg, void *data)
{
	struct exporter *x = data;
	char *end;

	if (filter_opts_handle(x->filter, key, arg) || scope_opts_handle(&x->scope, key, arg))
		return;
	switch (key) {
	case OPT_LISTEN:
		x->listen = arg;
		break;
	case OPT_TEXTFILE:
		if (!*arg)
			usage_error("--textfile needs a path");
		x->textfile = arg;
		break;
	case OPT_INTERVAL:
		if (ipk_parse_duration_ns(arg, &x->interval_ns) || x->interval_ns < 10000000)
			usage_error("malformed interval '%s' (at least 10ms: 5s, 1m)", arg);
		break;
	case OPT_PER_OBJECT:
		x->prom.per_object = true;
		break;
	case OPT_MAX_SERIES:
		errno = 0;
		x->prom.max_series = (size_t)strtoull(arg, &end, 10);
		if (errno || *end || end == arg || arg[0] == '-' || !x->prom.max_series)
			usage_error("malformed --max-series '%s' (a number, at least 1)", arg);
		break;
	case OPT_COUNT:
		errno = 0;
		x->count = strtoll(arg, &end, 10);
		if (errno || *end || end == arg || x->count <= 0)
			usage_error("malformed count '%s' (at least 1)", arg);
		break;
	}
}

/* ---------------------------------------------------------------- HTTP */

static const char index_page[] =
	"<!DOCTYPE html>\n<html><head><title>ipc-exporter</title></head><body>\n"
	"<h1>ipc-exporter</h1>\n<p>IPC objects and kernel limits of this host, for "
	"Prometheus.</p>\n<p><a href=\"/metrics\">/metrics</a></p>\n</body></html>\n";

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
			     const char *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body,
								 MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	enum MHD_Result rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result serve(void *cls, struct MHD_Connection *c, const char *url,
			     const char *method, const char *version, const char *upload,
			     size_t *upload_size, void **state)
{
	struct exporter *x = cls;

	(void)version;
	(void)upload;
	(void)state;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		static const char no[] = "only GET and HEAD\n";
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", no, sizeof(no) - 1);
	}
	if (*upload_size)
		return MHD_NO;
	if (strcmp(url, "/") == 0)
		return reply(c, MHD_HTTP_OK, "text/html; charset=utf-8", index_page,
			     sizeof(index_page) - 1);
	if (strcmp(url, "/metrics") != 0) {
		static const char none[] = "not found: try /metrics\n";
		return reply(c, MHD_HTTP_NOT_FOUND, "text/plain", none, sizeof(none) - 1);
	}
	/* the copy is made under the lock: the main thread swaps in whole renderings only */
	pthread_mutex_lock(&x->lock);
	enum MHD_Result rc = reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8",
				   x->text ? x->text : "", x->len);
	pthread_mutex_unlock(&x->lock);
	return rc;
}

/* "127.0.0.1:9866", "[::1]:9866", "localhost:9866": a socket listening there. */
static int listen_on(const char *spec)
{
	char host[256];
	const char *port;

	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');
		if (!close || close[1] != ':' || (size_t)(close - spec - 1) >= sizeof(host))
			usage_error("malformed --listen '%s' ([ADDR]:PORT for IPv6)", spec);
		snprintf(host, sizeof(host), "%.*s", (int)(close - spec - 1), spec + 1);
		port = close + 2;
	} else {
		const char *colon = strrchr(spec, ':');
		if (!colon || (size_t)(colon - spec) >= sizeof(host))
			usage_error("malformed --listen '%s' (ADDR:PORT)", spec);
		snprintf(host, sizeof(host), "%.*s", (int)(colon - spec), spec);
		port = colon + 1;
	}
	char *end;
	unsigned long p = strtoul(port, &end, 10);
	if (!*port || *end || p > 65535)
		usage_error("malformed port in --listen '%s'", spec);
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV }, *res;
	int rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
	if (rc) {
		msg("cannot listen on '%s': %s", spec, gai_strerror(rc));
		exit(EXIT_PARTIAL);
	}
	int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 64) < 0) {
		msg_cannot("listen on", spec, errno);
		exit(EXIT_PARTIAL);
	}
	freeaddrinfo(res);
	return fd;
}

/* ------------------------------------------------------------ textfile */

/* Write to a temporary file beside it, fsync, rename over it, fsync the directory. */
static int write_textfile(const char *path, const char *text, size_t len)
{
	char tmp[PATH_MAX];
	int n = snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());

	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -ENAMETOOLONG;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	size_t done = 0;
	while (done < len) {
		ssize_t w = write(fd, text + done, len - done);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		done += (size_t)w;
	}
	int err = done < len ? errno : fsync(fd) < 0 ? errno : 0;
	if (close(fd) < 0 && !err)
		err = errno;
	if (!err && rename(tmp, path) < 0)
		err = errno;
	if (err) {
		unlink(tmp);
		return -err;
	}
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

/* ---------------------------------------------------------------- main */

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Renders the metrics of the watch's snapshot and swaps them in. */
static int render(struct exporter *x, struct ipk_ctx *ctx, struct ipk_watch *w)
{
	struct ipk_watch_stats st;
	struct ipk_buf b = { 0 };
	uint64_t dropped = 0;

	ipk_watch_stats(w, &st);
	x->prom.scan_seconds = (double)st.poll_wall_ns_last / 1e9;
	int rc = ipk_prometheus(ctx, ipk_watch_snapshot(w), ipk_watch_filter(w), &x->prom, &b,
				&dropped);
	if (rc) {
		ipk_buf_free(&b);
		return rc;
	}
	x->prom.dropped_total += dropped;
	pthread_mutex_lock(&x->lock);
	char *old = x->text;
	x->text = b.s;
	x->len = b.len;
	pthread_mutex_unlock(&x->lock);
	free(old);
	if (x->textfile) {
		rc = write_textfile(x->textfile, x->text, x->len);
		if (rc)
			msg_cannot("write", x->textfile, -rc);
	}
	x->renders++;
	return rc;
}

int main(int argc, char **argv)
{
	struct opt_group groups[2];
	struct exporter x = { .interval_ns = 15 * UINT64_C(1000000000) };
	int status = EXIT_OK;

	program_name = "ipc-exporter";
	groups[0] = (struct opt_group){ "Options", exporter_options,
					sizeof(exporter_options) / sizeof(exporter_options[0]) };
	groups[1] = (struct opt_group){ "Filters", filter_options, filter_options_count };
	const struct cmd_spec spec = {
		.name = "ipc-exporter",
		.summary = "Serve the IPC objects and kernel limits of this host to Prometheus.",
		.synopsis = exporter_synopsis,
		.groups = groups,
		.ngroups = 2,
		.more = "Metrics: ipckit_objects, ipckit_size_bytes, ipckit_queued_messages,\n"
			"ipckit_orphan_objects, ipckit_scan_success (per kind), ipckit_limit and\n"
			"ipckit_limit_used (per resource of ipc-ls --limits),\n"
			"ipckit_scan_duration_seconds; with --per-object ipckit_object_* per object.\n"
			"A kind that cannot be read has ipckit_scan_success 0 and no other series.\n"
			"Ends on SIGINT or SIGTERM (exit 0).\n",
	};

	pthread_mutex_init(&x.lock, NULL);
	x.filter = ipk_filter_new();
	if (!x.filter) {
		msg("%s", reason(ENOMEM));
		return EXIT_PARTIAL;
	}
	int first = opts_parse(&spec, argc, argv, handle, &x);
	if (first < argc)
		usage_error("operands make no sense here: filter with --kind, --name ...");
	if (x.prom.max_series && !x.prom.per_object)
		usage_error("--max-series caps --per-object: give both");
	if (!x.textfile && !x.listen)
		x.listen = DEFAULT_LISTEN;

	/* a bad --sysroot is said before a port is taken */
	struct ipk_ctx *ctx = scope_ctx(&x.scope);
	int lfd = x.listen ? listen_on(x.listen) : -1;
	/* rss and swap cost a read of /proc/sysvipc/shm text; the metrics use neither */
	static const int fields[] = {
		IPK_F_KIND, IPK_F_REF, IPK_F_ID, IPK_F_KEY, IPK_F_NAME, IPK_F_OWNER, IPK_F_UID,
		IPK_F_GID, IPK_F_CUID, IPK_F_CGID, IPK_F_PERMS, IPK_F_SIZE, IPK_F_MESSAGES,
		IPK_F_NATTCH, IPK_F_HOLDERS, IPK_F_CPID, IPK_F_LPID, IPK_F_CTIME, IPK_F_ATIME,
		IPK_F_DTIME, IPK_F_STATUS, IPK_F_NS, IPK_F_NSEMS,
	};
	ipk_ctx_want_fields(ctx, fields, sizeof(fields) / sizeof(fields[0]));
	struct ipk_watch_opts opts = { .interval_ns = x.interval_ns };
	struct ipk_watch *w = ipk_watch_new(ctx, x.filter, &opts);
	if (!w) {
		msg("%s", reason(ENOMEM));
		return EXIT_PARTIAL;
	}
	/* no SA_RESTART: a signal ends the wait at once */
	catch_stop_signals(NULL);

	int rc = ipk_watch_start(w, NULL, NULL);
	/* what could not be read is said, left out of the metrics, and fails a --count run */
	if (report_diags(ctx))
		status = EXIT_PARTIAL;
	if (!rc) {
		rc = render(&x, ctx, w);
		/* a textfile that could not be written: said, and tried again */
		if (rc && rc != -ENOMEM) {
			status = EXIT_PARTIAL;
			rc = 0;
		}
	}
	struct MHD_Daemon *d = NULL;
	if (rc >= 0 && lfd >= 0) {
		d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
				     (x.listen[0] == '[' ? MHD_USE_IPv6 : 0),
				     0, NULL, NULL, serve, &x,
				     MHD_OPTION_LISTEN_SOCKET, lfd,
				     /* slow clients are cut off, and few at a time */
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
				     MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
				     MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)16,
				     MHD_OPTION_END);
		if (!d) {
			msg_cannot("serve on", x.listen, errno ? errno : EIO);
			rc = -EIO;
		}
	}
	int64_t next = now_ns() + (int64_t)x.interval_ns;
	while (rc >= 0 && !stop_signal && !(x.count && (long long)x.renders >= x.count)) {
		int64_t left = next - now_ns();
		if (left > 0) {
			rc = ipk_watch_run(w, (int)(left / 1000000) + 1, NULL, NULL);
			if (rc == -EINTR)
				rc = 0;
			if (report_diags(ctx))
				status = EXIT_PARTIAL;
			continue;
		}
		rc = render(&x, ctx, w);
		if (rc == -ENOMEM)
			break;
		if (rc)
			status = EXIT_PARTIAL;
		rc = 0;	/* a textfile that could not be written is tried again */
		next += (int64_t)x.interval_ns;
		if (next < now_ns())
			next = now_ns() + (int64_t)x.interval_ns;
	}
	if (rc < 0) {
		if (rc != -EIO)
			msg("cannot watch: %s", reason(-rc));
		status = EXIT_PARTIAL;
	}
	if (d)
		MHD_stop_daemon(d);
	if (lfd >= 0)
		close(lfd);
	ipk_watch_free(w);
	free(x.text);
	ipk_filter_free(x.filter);
	ipk_ctx_free(ctx);
	pthread_mutex_destroy(&x.lock);
	int out_status = close_stdout();
	return status ? status : out_status;
}
