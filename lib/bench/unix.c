/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * unix-stream, unix-dgram, unix-seqpacket: a connected pair of unix-___domain
 * sockets, of one type each.  The three differ in the socket type, and in
 * that a stream has no largest message.
 */
#include "bench.h"

#include <sys/socket.h>

#define UNIX_METHOD(ident, TYPE)						\
	static int ident##_setup(struct bench_chan *c)				\
	{									\
		return bench_socketpair(c, TYPE);				\
	}									\
	static int ident##_limits(struct ipk_bench_limits *l)			\
	{									\
		return bench_unix_limits(TYPE, l);				\
	}

/* A message socket: its largest message, found by trying. */
#define UNIX_MAX(ident, TYPE)							\
	static int ident##_max(uint64_t *max, const char **source)		\
	{									\
		*source = "net.core.wmem_default";				\
		return bench_unix_max_msg(TYPE, max);				\
	}

UNIX_METHOD(unix_stream, SOCK_STREAM)
UNIX_METHOD(unix_dgram, SOCK_DGRAM)
UNIX_MAX(unix_dgram, SOCK_DGRAM)
UNIX_METHOD(unix_seqpacket, SOCK_SEQPACKET)
UNIX_MAX(unix_seqpacket, SOCK_SEQPACKET)

const struct ipk_bench_method bench_unix_stream = {
	.name = "unix-stream",
	.description = "a unix-___domain stream socket pair",
	.setup = unix_stream_setup,
	.attach = bench_sock_attach,
	.send = bench_sock_send_stream,
	.recv = bench_sock_recv_stream,
	.limits = unix_stream_limits,
};

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
