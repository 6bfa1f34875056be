/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* unix-dgram: a connected pair of unix-___domain datagram sockets. */
#include "bench.h"

#include <sys/socket.h>

static int unix_dgram_max(uint64_t *max, const char **source)
{
	*source = "net.core.wmem_default";
	return bench_unix_max_msg(SOCK_DGRAM, max);
}

static int unix_dgram_setup(struct bench_chan *c)
{
	return bench_socketpair(c, SOCK_DGRAM);
}

static int unix_dgram_limits(struct ipk_bench_limits *l)
{
	return bench_unix_limits(SOCK_DGRAM, l);
}

const struct ipk_bench_method bench_unix_dgram = {
	.name = "unix-dgram",
	.description = "a unix-___domain datagram socket pair",
	.max_size = unix_dgram_max,
	.setup = unix_dgram_setup,
	.attach = bench_sock_attach,
	.send = bench_sock_send_msg,
	.recv = bench_sock_recv_msg,
	.limits = unix_dgram_limits,
};
