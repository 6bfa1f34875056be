/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pipe-packet: two pipes in packet mode (pipe2 O_DIRECT, Linux 3.4): each
 * write up to PIPE_BUF is one packet, and a read takes one packet whole, as
 * a datagram socket would, without a socket.
 */
#include "bench.h"

#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

static int packet_setup(struct bench_chan *c)
{
	for (int dir = 0; dir < 2; dir++)
		if (pipe2(&c->fd[2 * dir], O_CLOEXEC | O_DIRECT))
			return bench_fail(c, "pipe2 O_DIRECT");
	return 0;
}

/* A larger write is split into packets of PIPE_BUF: messages end there. */
static int packet_max_size(uint64_t *max, const char **source)
{
	*max = PIPE_BUF;
	*source = "PIPE_BUF";
	return 0;
}

static int packet_limits(struct ipk_bench_limits *l)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -errno;
	l->max_msg = PIPE_BUF;
	l->max_source = "PIPE_BUF";
	bench_fill_fd(l, p[1]);
	close(p[0]);
	close(p[1]);
	snprintf(l->note, sizeof(l->note), "a packet a write of up to PIPE_BUF (%d); one read "
		 "takes one packet", PIPE_BUF);
	return 0;
}

const struct ipk_bench_method bench_pipe_packet = {
	.name = "pipe-packet",
	.description = "two pipes in packet mode (O_DIRECT): a read takes one write whole",
	.max_size = packet_max_size,
	.setup = packet_setup,
	.attach = bench_pair_attach,
	.send = bench_pair_send,
	.recv = bench_pair_recv,
	.limits = packet_limits,
};
