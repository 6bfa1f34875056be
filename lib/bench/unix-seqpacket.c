/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* unix-seqpacket: a connected pair of unix-___domain sequenced-packet sockets. */
#include "bench.h"

#include <sys/socket.h>

static int unix_seqpacket_max(uint64_t *max, const char **source)
{
	*source = "net.core.wmem_default";
	return bench_unix_max_msg(SOCK_SEQPACKET, max);
}

static int unix_seqpacket_setup(struct bench_chan *c)
{
	return bench_socketpair(c, SOCK_SEQPACKET);
}

static int unix_seqpacket_limits(struct ipk_bench_limits *l)
{
	return bench_unix_limits(SOCK_SEQPACKET, l);
}

const struct ipk_bench_method bench_unix_seqpacket = {
	.name = "unix-seqpacket",
	.description = "a unix-___domain sequenced-packet socket pair",
	.max_size = unix_seqpacket_max,
	.setup = unix_seqpacket_setup,
	.attach = bench_sock_attach,
	.send = bench_sock_send_msg,
	.recv = bench_sock_recv_msg,
	.limits = unix_seqpacket_limits,
};
