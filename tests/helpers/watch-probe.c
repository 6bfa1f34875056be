/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * watch-probe: the measurements of make bench-watch that need a clock on
 * both sides of ipc-watch.
 *
 *   watch-probe latency inotify|poll N IPC-WATCH [ARGS...]
 *       makes N changes, one at a time at a random moment, and times each
 *       from the change to its line on ipc-watch's stdout: p50, p99, max
 *       (inotify: a POSIX segment created; poll: a message sent to a
 *       System V queue)
 *   watch-probe churn RATE SECONDS LIFETIME_MS IPC-WATCH [ARGS...]
 *       creates RATE POSIX objects a second (segments and queues by
 *       turns), removes each LIFETIME_MS later, and counts the creates and
 *       removes ipc-watch reports, and the CPU it used
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "watch-probe: cannot %s: %s\n", what, strerror(errno));
	exit(1);
}

static pid_t child;
static FILE *lines;

/* ipc-watch with its stdout on a pipe to us; returns once it has looked. */
static void start(char **argv)
{
	int out[2], err[2];

	if (pipe(out) < 0 || pipe(err) < 0)
		die("make a pipe");
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	lines = fdopen(out[0], "r");
	FILE *e = fdopen(err[0], "r");
	char buf[512];
	while (fgets(buf, sizeof(buf), e))
		if (strstr(buf, "stats: start"))
			return;
	fprintf(stderr, "watch-probe: ipc-watch did not start\n");
	exit(1);
}

/* Reads lines until one holds @what; the time it came. */
static int64_t wait_line(const char *what)
{
	char buf[4096];

	while (fgets(buf, sizeof(buf), lines))
		if (strstr(buf, what))
			return now_ns();
	fprintf(stderr, "watch-probe: ipc-watch ended before '%s'\n", what);
	exit(1);
}

static int cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static double cpu_seconds(pid_t pid)
{
	char path[64], text[1024];
	unsigned long long ut, st;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f || !fgets(text, sizeof(text), f))
		return -1;
	fclose(f);
	const char *p = strrchr(text, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static int latency(int argc, char **argv)
{
	bool poll = strcmp(argv[2], "poll") == 0;
	int n = atoi(argv[3]);
	int64_t *lat = calloc((size_t)n, sizeof(*lat));
	int q = -1;
	struct {
		long type;
		char text[8];
	} m = { .type = 1 };
	char what[64];

	(void)argc;
	if (poll && (q = msgget(IPC_PRIVATE, IPC_CREAT | 0600)) < 0)
		die("make a queue");
	start(argv + 4);
	srand((unsigned)getpid());
	for (int i = 0; i < n; i++) {
		usleep((useconds_t)(rand() % 1000000));	/* at any moment of the poll's beat */
		int64_t t0 = now_ns();
		if (poll) {
			if (msgsnd(q, &m, sizeof(m.text), 0) < 0)
				die("send");
			snprintf(what, sizeof(what), "~ sysv-msg:%d ", q);
			lat[i] = wait_line(what) - t0;
			if (msgrcv(q, &m, sizeof(m.text), 0, 0) < 0)
				die("receive");
			wait_line(what);
		} else {
			char name[64];
			snprintf(name, sizeof(name), "/dev/shm/lat%d", i);
			int fd = open(name, O_CREAT | O_EXCL | O_WRONLY, 0600);
			if (fd < 0)
				die("create a segment");
			close(fd);
			snprintf(what, sizeof(what), "+ posix-shm:/lat%d ", i);
			lat[i] = wait_line(what) - t0;
			unlink(name);
			snprintf(what, sizeof(what), "- posix-shm:/lat%d", i);
			wait_line(what);
		}
	}
	kill(child, SIGTERM);
	waitpid(child, NULL, 0);
	if (q >= 0)
		msgctl(q, IPC_RMID, NULL);
	qsort(lat, (size_t)n, sizeof(*lat), cmp);
	printf("%.3f %.3f %.3f\n", lat[n / 2] / 1e6, lat[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1] / 1e6,
	       lat[n - 1] / 1e6);
	free(lat);
	return 0;
}

struct pending {
	int64_t due;
	int index;
};

static void make(int i, bool create)
{
	char name[64];

	if (i % 2) {
		snprintf(name, sizeof(name), "/churn%d", i);
		if (create) {
			struct mq_attr a = { .mq_maxmsg = 1, .mq_msgsize = 16 };
			mqd_t q = mq_open(name, O_CREAT | O_EXCL | O_RDONLY, 0600, &a);
			if (q == (mqd_t)-1)
				die("create a queue");
			mq_close(q);
		} else if (mq_unlink(name) < 0) {
			die("remove a queue");
		}
	} else {
		snprintf(name, sizeof(name), "/dev/shm/churn%d", i);
		if (create) {
			int fd = open(name, O_CREAT | O_EXCL | O_WRONLY, 0600);
			if (fd < 0)
				die("create a segment");
			close(fd);
		} else if (unlink(name) < 0) {
			die("remove a segment");
		}
	}
}

static int churn(int argc, char **argv)
{
	int rate = atoi(argv[2]), seconds = atoi(argv[3]), life_ms = atoi(argv[4]);
	int total = rate * seconds;
	struct pending *p = calloc((size_t)total, sizeof(*p));
	int head = 0, made = 0;

	(void)argc;
	start(argv + 5);
	/* count in a child: ipc-watch's lines must be read while we churn */
	int counts[2];
	if (pipe(counts) < 0)
		die("make a pipe");
	pid_t counter = fork();
	if (counter == 0) {
		char buf[4096];
		long creates = 0, removes = 0, other = 0;
		while (fgets(buf, sizeof(buf), lines)) {
			if (strstr(buf, " + posix-shm:/churn") || strstr(buf, " + posix-mq:/churn"))
				creates++;
			else if (strstr(buf, " - posix-shm:/churn") || strstr(buf, " - posix-mq:/churn"))
				removes++;
			else
				other++;
		}
		dprintf(counts[1], "%ld %ld %ld\n", creates, removes, other);
		_exit(0);
	}
	close(counts[1]);
	double cpu0 = cpu_seconds(child);
	int64_t t0 = now_ns(), step = 1000000000 / rate;
	while (made < total || head < made) {
		int64_t t = now_ns();
		if (made < total && t >= t0 + made * step) {
			make(made, true);
			p[made] = (struct pending){ .due = t + (int64_t)life_ms * 1000000, .index = made };
			made++;
			continue;
		}
		if (head < made && t >= p[head].due) {
			make(p[head++].index, false);
			continue;
		}
		int64_t next = made < total ? t0 + made * step : INT64_MAX;
		if (head < made && p[head].due < next)
			next = p[head].due;
		if (next > t)
			usleep((useconds_t)((next - t) / 1000));
	}
	int64_t took = now_ns() - t0;
	/* time for the last events to come through */
	sleep(3);
	double cpu = cpu_seconds(child) - cpu0;
	kill(child, SIGTERM);
	waitpid(child, NULL, 0);
	waitpid(counter, NULL, 0);
	char buf[128] = "";
	if (read(counts[0], buf, sizeof(buf) - 1) < 0)
		die("read the counts");
	long creates, removes, other;
	sscanf(buf, "%ld %ld %ld", &creates, &removes, &other);
	printf("%d %ld %ld %ld %.3f %.3f\n", total, creates, removes, other, cpu, took / 1e9 + 3);
	return creates == total && removes == total ? 0 : 1;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc >= 5 && strcmp(argv[1], "latency") == 0)
		return latency(argc, argv);
	if (argc >= 6 && strcmp(argv[1], "churn") == 0)
		return churn(argc, argv);
	fprintf(stderr, "usage: watch-probe latency inotify|poll N IPC-WATCH [ARGS...]\n"
			"       watch-probe churn RATE SECONDS LIFETIME_MS IPC-WATCH [ARGS...]\n");
	return 2;
}
