/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ipc-top: every IPC object, live, as htop shows processes.  At each
 * refresh (--delay) a reader thread brings the library's watch up to date
 * (it reports what came, went and changed); then the rows are built again
 * (the rows built there too).  During the read this thread keeps the
 * screen: the cursor moves over what is drawn, other keys wait for the
 * read's end; then the cursor finds its object again and all is drawn.
 */
#include "top.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

enum {
	OPT_DELAY = 'd',
	OPT_MAX_ITERATIONS = 'n',
	OPT_SORT_KEY = 's',
	OPT_TREE = 't',
	OPT_NO_COLOUR = 'C',
	OPT_BATCH = OPT_COMMAND_BASE,
	OPT_READONLY,
	OPT_SCENARIO,
	OPT_SLOW,
	OPT_NO_MOUSE,
	OPT_STATS,
};

static const struct cmd_option top_options[] = {
	{ "delay", OPT_DELAY, "TENTHS", "refresh every TENTHS of a second (default 15)", 0, NULL,
	  0 },
	{ "max-iterations", OPT_MAX_ITERATIONS, "N", "exit after N refreshes", 0, NULL, 0 },
	{ "batch", OPT_BATCH, NULL, "print each refresh as text, no screen (as top -b)", 0, NULL,
	  0 },
	{ "sort-key", OPT_SORT_KEY, "COLUMN", "sort by COLUMN", COMPLETE_COLUMNS, NULL, 0 },
	{ "tree", OPT_TREE, NULL, "start with the tree of kinds, owners and objects", 0, NULL, 0 },
	{ "readonly", OPT_READONLY, NULL, "no key removes, creates or changes an object", 0, NULL,
	  0 },
	{ "scenario", OPT_SCENARIO, "FILE", "run 'ipc-scenario run --slow' on FILE and watch it",
	  COMPLETE_FILES, NULL, 0 },
	{ "slow", OPT_SLOW, "N", "with --scenario: its --slow factor (default 10)", 0, NULL, 0 },
	{ "no-color", OPT_NO_COLOUR, NULL, "no colours (as NO_COLOR does)", 0, NULL, 0 },
	{ "no-mouse", OPT_NO_MOUSE, NULL, "leave the mouse to the terminal", 0, NULL, 0 },
	{ "stats", OPT_STATS, NULL, "at exit, what the refreshes cost (stderr)", 0, NULL,
	  OPT_HIDDEN },
};

static const char *const top_synopsis[] = {
	"[options] [filters]",
	"[options] --batch [-n N] [filters]",
	"[options] --scenario FILE",
	NULL,
};

static long long number(const char *arg, const char *what, long long min, long long max)
{
	char *end;

	errno = 0;
	long long n = strtoll(arg, &end, 10);
	if (errno || *end || end == arg || n < min || n > max)
		usage_error("malformed %s '%s' (from %lld to %lld)", what, arg, min, max);
	return n;
}

static void handle(int key, const char *arg, void *data)
{
	struct top *t = data;

	/* ours first: -n is --noheadings to out_opts_handle() */
	switch (key) {
	case OPT_DELAY:
		t->delay = (int)number(arg, "delay", 1, 36000);
		break;
	case OPT_MAX_ITERATIONS:
		t->max_iterations = number(arg, "--max-iterations", 1, LLONG_MAX);
		break;
	case OPT_BATCH:
		t->batch = true;
		break;
	case OPT_SORT_KEY:
		t->sort_name = arg;
		break;
	case OPT_TREE:
		t->start_tree = TREE_KIND;
		break;
	case OPT_READONLY:
		t->readonly = true;
		break;
	case OPT_SCENARIO:
		t->scenario = arg;
		break;
	case OPT_SLOW: {
		char *end;
		errno = 0;
		t->slow = strtod(arg, &end);
		if (errno || *end || end == arg || !(t->slow >= 1) || t->slow > 1000)
			usage_error("malformed --slow '%s': a factor from 1 to 1000", arg);
		break;
	}
	case OPT_NO_COLOUR:
		t->no_colour = true;
		break;
	case OPT_NO_MOUSE:
		t->no_mouse = true;
		break;
	case OPT_STATS:
		t->stats = true;
		break;
	default:
		if (out_opts_handle(&t->out, key, arg) || scope_opts_handle(&t->scope, key, arg))
			break;
		if (filter_opts_handle(t->filter, key, arg))
			t->filtered_orphan |= key == OPT_ORPHAN;
		break;
	}
}

/* ---------------------------------------------------------------- config */

/* $XDG_CONFIG_HOME/ipckit/ipc-top.conf, or ~/.config/ipckit/ipc-top.conf */
static int config_path(char *buf, size_t len, bool dir_only)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	int n;

	if (xdg && *xdg == '/')
		n = snprintf(buf, len, "%s/ipckit%s", xdg, dir_only ? "" : "/ipc-top.conf");
	else if (home && *home)
		n = snprintf(buf, len, "%s/.config/ipckit%s", home, dir_only ? "" : "/ipc-top.conf");
	else
		return -ENOENT;
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static void config_load(struct config *c)
{
	char path[PATH_MAX], line[1024];
	FILE *f;

	if (config_path(path, sizeof(path), false) || !(f = fopen(path, "re")))
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		char *eq = strchr(line, '=');
		if (line[0] == '#' || !eq)
			continue;
		*eq = '\0';
		const char *v = eq + 1;
		if (strcmp(line, "columns") == 0) {
			free(c->columns);
			c->columns = strdup(v);
		} else if (strcmp(line, "delay") == 0) {
			int d = atoi(v);
			if (d >= 1 && d <= 36000)
				c->delay = d;
		} else if (strcmp(line, "colour") == 0) {
			c->colour = atoi(v) ? 1 : 0;
		} else if (strcmp(line, "sort") == 0) {
			free(c->sort);
			c->sort = strdup(v);
		} else if (strcmp(line, "sort_inverted") == 0) {
			c->sort_inverted = atoi(v) ? 1 : 0;
		}
	}
	fclose(f);
}

/* Written whole to a new file, then renamed over the old one. */
int config_save(struct top *t, char *err, size_t errlen)
{
	char dir[PATH_MAX], path[PATH_MAX], tmp[PATH_MAX + 8];

	if (config_path(dir, sizeof(dir), true) || config_path(path, sizeof(path), false)) {
		snprintf(err, errlen, "cannot save the setup: neither XDG_CONFIG_HOME nor HOME is set");
		return -ENOENT;
	}
	/* the parent too: ~/.config may not exist yet */
	char parent[PATH_MAX];
	snprintf(parent, sizeof(parent), "%s", dir);
	char *slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		mkdir(parent, 0700);
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create '%s': %s", dir, reason(errno));
		return -errno;
	}
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	FILE *f = fopen(tmp, "we");
	if (!f) {
		snprintf(err, errlen, "cannot write '%s': %s", tmp, reason(errno));
		return -errno;
	}
	fprintf(f, "# ipc-top setup (F2); the command line overrides it\ncolumns=");
	for (size_t i = 0; i < t->ncols; i++)
		fprintf(f, "%s%s", i ? "," : "", t->cols[i]->name);
	fprintf(f, "\ndelay=%d\ncolour=%d\nsort=%s\nsort_inverted=%d\n", t->delay, t->colour ? 1 : 0,
		t->sort ? t->sort->name : "", t->sort_inverted ? 1 : 0);
	int bad = ferror(f);
	if (fclose(f) != 0 || bad || rename(tmp, path) < 0) {
		snprintf(err, errlen, "cannot write '%s': %s", path, reason(errno ? errno : EIO));
		unlink(tmp);
		return -EIO;
	}
	snprintf(err, errlen, "%s", path);
	return 0;
}

/* -------------------------------------------------------------- scenario */

/* ipc-scenario beside this binary, else on PATH. */
static void scenario_start(struct top *t)
{
	char self[PATH_MAX], tool[PATH_MAX + 16], slow[32];
	int fds[2];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	snprintf(tool, sizeof(tool), "ipc-scenario");
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(tool, sizeof(tool), "%s/ipc-scenario", self);
			if (access(tool, X_OK) != 0)
				snprintf(tool, sizeof(tool), "ipc-scenario");
		}
	}
	if (access(t->scenario, R_OK) != 0) {
		msg_cannot("read", t->scenario, errno);
		exit(EXIT_PARTIAL);
	}
	snprintf(slow, sizeof(slow), "%g", t->slow);
	if (pipe2(fds, O_CLOEXEC) < 0) {
		msg("cannot start ipc-scenario: %s", reason(errno));
		exit(EXIT_PARTIAL);
	}
	pid_t pid = fork();
	if (pid < 0) {
		msg("cannot start ipc-scenario: %s", reason(errno));
		exit(EXIT_PARTIAL);
	}
	if (pid == 0) {
		setpgid(0, 0);
		int null = open("/dev/null", O_RDONLY);
		if (null >= 0)
			dup2(null, STDIN_FILENO);
		dup2(fds[1], STDOUT_FILENO);
		dup2(fds[1], STDERR_FILENO);
		execlp(tool, "ipc-scenario", "run", "--slow", slow, t->scenario, (char *)NULL);
		dprintf(STDERR_FILENO, "cannot run %s: %s\n", tool, reason(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	close(fds[1]);
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	t->scenario_pid = pid;
	t->scenario_fd = fds[0];
	t->scenario_status = -1;
	snprintf(t->scenario_line, sizeof(t->scenario_line), "started");
}

/* The last line it printed, and whether it ended. */
static void scenario_read(struct top *t)
{
	char buf[4096];
	ssize_t n;
	static char partial[256];
	static size_t plen;

	while (t->scenario_fd >= 0 && (n = read(t->scenario_fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				partial[plen] = '\0';
				if (plen)
					snprintf(t->scenario_line, sizeof(t->scenario_line), "%s", partial);
				plen = 0;
			} else if (plen + 1 < sizeof(partial)) {
				partial[plen++] = buf[i];
			}
		}
	}
	int st;
	if (t->scenario_pid > 0 && t->scenario_status < 0 &&
	    waitpid(t->scenario_pid, &st, WNOHANG) == t->scenario_pid) {
		t->scenario_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		t->scenario_pid = 0;
	}
}

static void scenario_stop(struct top *t)
{
	if (t->scenario_pid > 0) {
		kill(-t->scenario_pid, SIGTERM);
		waitpid(t->scenario_pid, NULL, 0);
		t->scenario_pid = 0;
	}
	if (t->scenario_fd >= 0)
		close(t->scenario_fd);
	t->scenario_fd = -1;
}

/* ------------------------------------------------------------- refreshes */

static void detail_lookup(struct top *t)
{
	const struct row *r = row_selected(t);

	ipk_object_free(t->detail_obj);
	t->detail_obj = NULL;
	if (t->detail && r && r->type == ROW_OBJECT && !r->ghost)
		ipk_lookup(t->ctx, ipk_object_ref(r->o), &t->detail_obj);
	ipk_ctx_clear_diags(t->ctx);
}

/* Whether the detail pane's record is of another object than the cursor's. */
static bool detail_stale(const struct top *t)
{
	const struct row *r = row_selected(t);

	if (!r || r->type != ROW_OBJECT || r->ghost)
		return t->detail_obj != NULL;
	return !t->detail_obj || strcmp(ipk_object_ref(t->detail_obj), ipk_object_ref(r->o)) != 0;
}

/* The kernel's limits and their use, for the meters: a read of /proc/sys and /dev/shm. */
static void read_limits(struct top *t)
{
	struct ipk_limit *v = NULL;
	size_t n = 0;

	if (ipk_limits(t->ctx, &v, &n) == 0) {
		free(t->limits);
		t->limits = v;
		t->nlimits = n;
	}
	ipk_ctx_clear_diags(t->ctx);
}

/* The objects read again (unless paused), the rows built again. */
static void refresh_data(struct top *t, bool read)
{
	uint64_t c0 = cpu_ns();
	int64_t w0 = now_ns();

	if (read && !t->paused) {
		int rc = ipk_watch_run(t->watch, 0, on_event, t);
		if (rc < 0 && rc != -EINTR)
			status_set(t, 2, "cannot read the objects: %s", reason(-rc));
		ipk_ctx_clear_diags(t->ctx);
		t->snap = ipk_watch_snapshot(t->watch);
		ghosts_flip(t);
		model_after_refresh(t);
		read_limits(t);
	}
	int64_t w1 = now_ns();
	rows_build(t);
	keep_selection(t);
	detail_lookup(t);
	uint64_t c1 = cpu_ns();
	if ((uint64_t)(w1 - w0) > t->poll_wall_ns_max)
		t->poll_wall_ns_max = (uint64_t)(w1 - w0);
	if (c1 - c0 > t->build_ns_max)
		t->build_ns_max = c1 - c0;
}

static void draw(struct top *t)
{
	uint64_t c0 = cpu_ns();

	if (t->batch)
		batch_print(t);
	else
		screen_draw(t);
	uint64_t d = cpu_ns() - c0;
	if (d > t->draw_ns_max)
		t->draw_ns_max = d;
}

/* ---------------------------------------------------------------- reader */

static void *reader_main(void *arg)
{
	struct top *t = arg;

	for (;;) {
		pthread_mutex_lock(&t->mu);
		while (!t->go && !t->quit)
			pthread_cond_wait(&t->cv, &t->mu);
		bool quit = t->quit;
		t->go = false;
		pthread_mutex_unlock(&t->mu);
		if (quit)
			return NULL;
		int64_t w0 = now_ns();
		int rc = ipk_watch_run(t->watch, 0, on_event, t);
		ipk_ctx_clear_diags(t->ctx);
		uint64_t wall = (uint64_t)(now_ns() - w0);
		/* what follows from the read, done here too: the screen's thread only draws */
		t->snap = ipk_watch_snapshot(t->watch);
		ghosts_flip(t);
		model_after_refresh(t);
		read_limits(t);
		rows_build(t);
		pthread_mutex_lock(&t->mu);
		if (wall > t->poll_wall_ns_max)
			t->poll_wall_ns_max = wall;
		t->read_rc = rc;
		t->read_done = true;
		pthread_mutex_unlock(&t->mu);
		char c = 1;
		while (write(t->done_fd[1], &c, 1) < 0 && errno == EINTR)
			;
	}
}

/* Signals stay with the screen's thread: a key or a resize ends its poll at once. */
static int reader_start(struct top *t)
{
	sigset_t all, old;

	if (pipe2(t->done_fd, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	pthread_mutex_init(&t->mu, NULL);
	pthread_cond_init(&t->cv, NULL);
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = pthread_create(&t->reader, NULL, reader_main, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc)
		return -rc;
	t->reader_started = true;
	return 0;
}

static void reader_stop(struct top *t)
{
	if (!t->reader_started)
		return;
	pthread_mutex_lock(&t->mu);
	t->quit = true;
	pthread_cond_signal(&t->cv);
	pthread_mutex_unlock(&t->mu);
	pthread_join(t->reader, NULL);
	t->reader_started = false;
	close(t->done_fd[0]);
	close(t->done_fd[1]);
	pthread_cond_destroy(&t->cv);
	pthread_mutex_destroy(&t->mu);
}

static void read_start(struct top *t, bool counts)
{
	if (t->reading) {
		t->read_counts |= counts;
		return;
	}
	t->reading = true;
	t->read_counts = counts;
	t->read_cpu0 = cpu_ns();
	pthread_mutex_lock(&t->mu);
	t->go = true;
	pthread_cond_signal(&t->cv);
	pthread_mutex_unlock(&t->mu);
}

/* The read is over: what it found becomes the rows, drawn.  True when -n is reached. */
static bool read_finish(struct top *t)
{
	char buf[16];

	while (read(t->done_fd[0], buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&t->mu);
	bool done = t->read_done;
	int rc = t->read_rc;
	t->read_done = false;
	pthread_mutex_unlock(&t->mu);
	if (!done)
		return false;
	t->reading = false;
	if (rc < 0 && rc != -EINTR)
		status_set(t, 2, "cannot read the objects: %s", reason(-rc));
	/* the rows are built: the cursor finds its object again, then the screen */
	keep_selection(t);
	detail_lookup(t);
	draw(t);
	uint64_t cpu = cpu_ns() - t->read_cpu0;
	if (!t->read_counts)
		return false;
	t->refresh_ns_total += cpu;
	t->iterations++;
	return t->max_iterations && t->iterations >= t->max_iterations;
}

/* ------------------------------------------------------------------ loops */

/* --batch: one refresh after another, read and printed by this thread. */
static void run_batch(struct top *t)
{
	int64_t period = (int64_t)t->delay * 100000000;
	int64_t next = now_ns();

	while (!stop_signal) {
		int64_t now = now_ns();
		if (now < next) {
			struct pollfd p = { .fd = t->scenario_fd, .events = POLLIN };
			poll(&p, 1, (int)((next - now + 999999) / 1000000));
			if (t->scenario)
				scenario_read(t);
			continue;
		}
		uint64_t c0 = cpu_ns();
		if (t->scenario)
			scenario_read(t);
		refresh_data(t, true);
		draw(t);
		t->refresh_ns_total += cpu_ns() - c0;
		t->iterations++;
		next += period;
		if (next < now)
			next = now + period;
		if (t->max_iterations && t->iterations >= t->max_iterations)
			break;
	}
}

/* The screen: a refresh starts a read every --delay; keys are answered meanwhile. */
static void run(struct top *t)
{
	int64_t period = (int64_t)t->delay * 100000000;
	int64_t next = now_ns(), awake = 0;
	unsigned r = 0;

	int rc = reader_start(t);
	if (rc) {
		status_set(t, 2, "cannot start the reader: %s", reason(-rc));
		return;
	}
	/* what the first look found, at once */
	refresh_data(t, false);
	draw(t);
	while (!stop_signal) {
		int64_t now = now_ns();
		if (now >= next) {
			if (t->scenario)
				scenario_read(t);
			if (t->paused) {
				/* nothing read: the rows as they were, drawn again */
				refresh_data(t, false);
				draw(t);
				t->iterations++;
				if (t->max_iterations && t->iterations >= t->max_iterations)
					break;
			} else {
				read_start(t, true);
			}
			next += period;
			if (next < now)
				next = now + period;
		}
		struct pollfd p[3] = { { .fd = STDIN_FILENO, .events = POLLIN },
				       { .fd = t->scenario_fd, .events = POLLIN },
				       { .fd = t->done_fd[0], .events = POLLIN } };
		int64_t left = (next - now_ns() + 999999) / 1000000;
		/* the longest this thread was away from the keys */
		int64_t before = now_ns();
		if (awake && (uint64_t)(before - awake) > t->busy_ns_max)
			t->busy_ns_max = (uint64_t)(before - awake);
		int n = poll(p, 3, (int)(left < 0 ? 0 : left > 1000 ? 1000 : left));
		awake = now_ns();
		if (n < 0 && errno != EINTR)
			break;
		if (p[1].revents) {
			scenario_read(t);
			if (t->scenario_status >= 0 || p[1].revents & POLLHUP) {
				close(t->scenario_fd);
				t->scenario_fd = -1;
			}
			r |= R_DRAW;
		}
		if (p[2].revents && read_finish(t))
			break;
		/* keys: every one waiting, then one repaint; a resize comes as a key too */
		int key;
		size_t q = 0;
		while (!t->reading && q < t->nqueued) {
			r |= key_handle(t, t->queued[q++]);
			if (r & R_QUIT)
				return;
		}
		if (!t->reading)
			t->nqueued = 0;
		while ((key = getch()) != ERR) {
			if (t->reading) {
				/* the cursor still moves over what is drawn; the rest waits */
				long d = key == KEY_UP ? -1 : key == KEY_DOWN ? 1 :
					 key == KEY_PPAGE ? -(long)t->rows_on_screen :
					 key == KEY_NPAGE ? t->rows_on_screen :
					 key == KEY_HOME ? -(long)INT32_MAX : key == KEY_END ? INT32_MAX : 0;
				if (d && !t->nqueued && !t->prompt.active && t->screen == SCREEN_MAIN &&
				    screen_move_in_frame(t, d))
					screen_draw_frame(t);
				else if (t->nqueued < sizeof(t->queued) / sizeof(t->queued[0]))
					t->queued[t->nqueued++] = key;
				continue;
			}
			r |= key_handle(t, key);
			if (r & R_QUIT)
				return;
		}
		if (t->reading) {
			/* what the keys asked is done when the read is */
			continue;
		}
		if (r & R_REFRESH) {
			read_start(t, false);
			r &= ~(unsigned)(R_REFRESH | R_REBUILD);
			/* the prompt or the status line now; the rows when the read is done */
			if (r & R_DRAW)
				screen_draw_frame(t);
			r = 0;
			continue;
		}
		if (r & R_REBUILD)
			refresh_data(t, false);
		else if ((r & R_DRAW) && t->detail && detail_stale(t))
			detail_lookup(t);
		if (r & R_DRAW)
			screen_draw(t);
		r = 0;
	}
}

int main(int argc, char **argv)
{
	struct opt_group groups[3];
	struct top t = { .delay = 0, .slow = 10, .scenario_fd = -1, .scenario_status = -1 };
	struct config conf = { .colour = -1 };

	program_name = "ipc-top";
	groups[0] = (struct opt_group){ "Options", top_options,
					sizeof(top_options) / sizeof(top_options[0]) };
	/* of the shared output options: -o and how values are shown */
	static struct cmd_option out_group[4];
	out_group[0] = output_options[0];
	memcpy(&out_group[1], output_options + 6, 3 * sizeof(out_group[0]));
	groups[1] = (struct opt_group){ "Output", out_group, 4 };
	groups[2] = (struct opt_group){ "Filters", filter_options, filter_options_count };
	const struct cmd_spec spec = {
		.name = "ipc-top",
		.summary = "Every IPC object, live: sortable, filterable, with safe actions.",
		.synopsis = top_synopsis,
		.groups = groups,
		.ngroups = 3,
		.more = "Keys: F1 (or h) lists them all. F10 or q quits; SIGINT, SIGTERM and SIGHUP\n"
			"restore the terminal and exit 0. Columns are ipc-ls's (ipc-ls --help) and\n"
			"MSG/S, OPS/S, HOLD/S: the rates the watch measures. The setup (F2) is saved\n"
			"in $XDG_CONFIG_HOME/ipckit/ipc-top.conf.\n",
		.help_lists = 0,
		.complete = keys_complete,
	};

	t.filter = ipk_filter_new();
	if (!t.filter) {
		msg("%s", reason(ENOMEM));
		return EXIT_PARTIAL;
	}
	config_load(&conf);
	int first = opts_parse(&spec, argc, argv, handle, &t);
	if (first < argc)
		usage_error("operands make no sense here: filter with --kind, --name ...");
	if (t.scenario && t.scope.ns)
		usage_error("--scenario shows its own objects: --ns makes no sense with it");
	if (t.slow != 10 && !t.scenario)
		usage_error("--slow goes with --scenario");
	if (!t.delay)
		t.delay = conf.delay ? conf.delay : 15;
	const char *nc = getenv("NO_COLOR");
	t.colour = !t.no_colour && !(nc && *nc) && conf.colour != 0;
	t.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	t.tree = t.start_tree;

	char bad[64];
	const char *cols = t.out.columns ? t.out.columns : conf.columns;
	if (!columns_parse(cols, &t.cols, &t.ncols, bad, sizeof(bad))) {
		if (!t.out.columns) {
			/* a setup file of another version: its columns are dropped, not fatal */
			columns_parse(NULL, &t.cols, &t.ncols, bad, sizeof(bad));
		} else {
			usage_error("unknown column '%s' (ipc-ls --help lists them; and MSG/S, OPS/S, "
				    "HOLD/S)", bad);
		}
	}
	if (!t.cols) {
		msg("%s", reason(ENOMEM));
		return EXIT_PARTIAL;
	}
	/* objects of several namespaces: say which, as ipc-ls does */
	const struct column *ns = column_find("NS");
	bool has_ns = false;
	for (size_t i = 0; i < t.ncols; i++)
		has_ns |= t.cols[i] == ns;
	if (t.scope.ns && !t.out.columns && !has_ns)
		t.cols[t.ncols++] = ns;
	const char *sort = t.sort_name ? t.sort_name : conf.sort;
	if (sort && *sort) {
		t.sort = column_find(sort);
		if (!t.sort && t.sort_name)
			usage_error("unknown column '%s' for --sort-key", sort);
	}
	/* the setup's inversion goes with the setup's column, not with --sort-key's */
	t.sort_inverted = !t.sort_name && conf.sort_inverted == 1;
	free(conf.columns);
	free(conf.sort);

	if (!t.batch && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		msg("the screen needs a terminal: --batch prints text");
		free(t.cols);
		ipk_filter_free(t.filter);
		return EXIT_USAGE;
	}
	if (t.batch && !t.out.fmt.time)
		t.out.fmt.time = IPK_TIME_SHORT;
	t.ctx = scope_ctx(&t.scope);
	want_all_but_costly(t.ctx);
	/*
	 * The watch polls at most every 100 ms, and is run only at refreshes
	 * (and right after an action): each refresh reads everything once.
	 */
	struct ipk_watch_opts wo = { .interval_ns = 100000000 };
	t.watch = ipk_watch_new(t.ctx, t.filter, &wo);
	if (!t.watch) {
		msg("%s", reason(ENOMEM));
		return EXIT_PARTIAL;
	}
	if (t.scenario)
		scenario_start(&t);
	int status = EXIT_OK;
	int rc = ipk_watch_start(t.watch, on_event, &t);
	if (rc < 0) {
		msg("cannot read the objects: %s", reason(-rc));
		scenario_stop(&t);
		status = EXIT_PARTIAL;
		goto out;
	}
	/* what the first look could not read goes to stderr before the screen takes over */
	report_diags(t.ctx);
	t.snap = ipk_watch_snapshot(t.watch);
	ghosts_flip(&t);
	read_limits(&t);

	if (!t.batch)
		screen_start(&t);
	/* after initscr(): its handlers are replaced; the loop ends, then endwin() */
	catch_stop_signals(NULL);
	signal(SIGPIPE, SIG_IGN);
	if (t.batch)
		run_batch(&t);
	else
		run(&t);
	reader_stop(&t);
	screen_end();
	screen_free();
	scenario_stop(&t);

	if (t.stats)
		fprintf(stderr, "ipc-top: stats: %lld refreshes, %zu objects, refresh cpu mean %.3f ms, "
			"read max %.3f ms (wall), build max %.3f ms (cpu), draw max %.3f ms, "
			"keys waited at most %.3f ms\n", t.iterations,
			t.nobjects, t.iterations ? t.refresh_ns_total / 1e6 / (double)t.iterations : 0.0,
			t.poll_wall_ns_max / 1e6, t.build_ns_max / 1e6, t.draw_ns_max / 1e6,
			t.busy_ns_max / 1e6);
out:
	free(t.limits);
	ipk_object_free(t.detail_obj);
	free(t.received);
	free(t.act_text);
	for (size_t i = 0; i < t.npending; i++) {
		free(t.pending[i]);
		ipk_object_free(t.pending_obj[i]);
	}
	free(t.pending);
	free(t.pending_obj);
	free(t.col_x);
	free(t.col_w);
	free(t.cols);
	model_free(&t);
	ipk_watch_free(t.watch);
	ipk_filter_free(t.keyf);
	ipk_filter_free(t.filter);
	ipk_ctx_free(t.ctx);
	int out_status = close_stdout();
	return status ? status : out_status;
}
