/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* unix-stream: a connected pair of unix-___domain stream sockets. */
#include "bench.h"

#include <sys/socket.h>

static int unix_stream_setup(struct bench_chan *c)
{
	return bench_socketpair(c, SOCK_STREAM);
}

static int unix_stream_limits(struct ipk_bench_limits *l)
{
	return bench_unix_limits(SOCK_STREAM, l);
}

const struct ipk_bench_method bench_unix_stream = {
	.name = "unix-stream",
	.description = "a unix-___domain stream socket pair",
	.setup = unix_stream_setup,
	.attach = bench_sock_attach,
	.send = bench_sock_send_stream,
	.recv = bench_sock_recv_stream,
	.limits = unix_stream_limits,
};
