/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fifo: two named pipes.  They are made in a private directory, opened at
 * both ends, and unlinked with it before the processes start: nothing is
 * left in the file system even if everything is killed.
 */
#include "bench.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* Opens both ends of a new FIFO: the reader first, so the writer does not block. */
static int open_fifo(struct bench_chan *c, const char *path, int *rd, int *wr)
{
	if (mkfifo(path, 0600))
		return bench_fail(c, "mkfifo");
	*rd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (*rd < 0) {
		int rc = bench_fail(c, "open");
		unlink(path);
		return rc;
	}
	*wr = open(path, O_WRONLY | O_CLOEXEC);
	int rc = *wr < 0 ? bench_fail(c, "open") : 0;
	unlink(path);
	if (!rc && fcntl(*rd, F_SETFL, 0))
		rc = bench_fail(c, "fcntl");
	return rc;
}

static int make_dir(struct bench_chan *c, char *dir, size_t size)
{
	const char *tmp = getenv("TMPDIR");

	if (!tmp || !*tmp)
		tmp = "/tmp";
	snprintf(dir, size, "%s/ipckit-bench-XXXXXX", tmp);
	if (!mkdtemp(dir))
		return bench_fail(c, "mkdtemp");
	return 0;
}

static int fifo_setup(struct bench_chan *c)
{
	char dir[256], path[300];
	int rc = make_dir(c, dir, sizeof(dir));

	if (rc)
		return rc;
	for (int d = 0; d < 2 && !rc; d++) {
		snprintf(path, sizeof(path), "%s/%s", dir, d == BENCH_UP ? "up" : "down");
		rc = open_fifo(c, path, &c->fd[2 * d], &c->fd[2 * d + 1]);
	}
	rmdir(dir);
	return rc;
}

static int fifo_limits(struct ipk_bench_limits *l)
{
	struct bench_chan c = { .fd = { -1, -1, -1, -1 } };
	char dir[256], path[300];
	int rc = make_dir(&c, dir, sizeof(dir));

	if (rc)
		return rc;
	l->max_source = "a byte stream";
	snprintf(path, sizeof(path), "%s/probe", dir);
	rc = open_fifo(&c, path, &c.fd[0], &c.fd[1]);
	if (!rc) {
		fcntl(c.fd[1], F_SETFL, O_NONBLOCK);
		bench_fill_fd(l, c.fd[1]);
		bench_close_fds(&c);
		rc = open_fifo(&c, path, &c.fd[0], &c.fd[1]);
	}
	if (!rc) {
		fcntl(c.fd[1], F_SETFL, O_NONBLOCK);
		bench_partial_fd(l, c.fd[1]);
	}
	bench_close_fds(&c);
	rmdir(dir);
	snprintf(l->note, sizeof(l->note), "a pipe buffer, as pipe; opening blocks until "
		 "the other end opens");
	return rc;
}

const struct ipk_bench_method bench_fifo = {
	.name = "fifo",
	.description = "two named pipes (FIFOs), unlinked once open",
	.setup = fifo_setup,
	.attach = bench_pair_attach,
	.send = bench_pair_send,
	.recv = bench_pair_recv,
	.limits = fifo_limits,
};
