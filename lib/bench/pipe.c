/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pipe: two anonymous pipes, one per direction. */
#include "bench.h"

#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

static int pipe_setup(struct bench_chan *c)
{
	for (int dir = 0; dir < 2; dir++)
		if (pipe2(&c->fd[2 * dir], O_CLOEXEC))
			return bench_fail(c, "pipe2");
	return 0;
}

static int pipe_limits(struct ipk_bench_limits *l)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC | O_NONBLOCK))
		return -errno;
	l->max_source = "a byte stream";
	int cap = fcntl(p[1], F_GETPIPE_SZ);
	bench_fill_fd(l, p[1]);
	close(p[0]);
	close(p[1]);
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK))
		return -errno;
	bench_partial_fd(l, p[1]);
	close(p[0]);
	close(p[1]);
	snprintf(l->note, sizeof(l->note),
		 "%d-byte buffer (F_SETPIPE_SZ up to fs.pipe-max-size); writes up to "
		 "PIPE_BUF (%d) are atomic", cap, PIPE_BUF);
	return 0;
}

const struct ipk_bench_method bench_pipe = {
	.name = "pipe",
	.description = "two anonymous pipes, one per direction",
	.setup = pipe_setup,
	.attach = bench_pair_attach,
	.send = bench_pair_send,
	.recv = bench_pair_recv,
	.limits = pipe_limits,
};
