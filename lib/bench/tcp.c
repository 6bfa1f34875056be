/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tcp: one loopback connection, made in the parent before the processes
 * start: the listener is bound and listening before anyone connects, and is
 * closed once the connection is accepted.  TCP_NODELAY on both ends, as a
 * request/response protocol sets it.
 */
#include "bench.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

static int connect_pair(struct bench_chan *c, int flags)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int one = 1, rc = 0;
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (lfd < 0)
		return bench_fail(c, "socket");
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)))
		rc = bench_fail(c, "bind 127.0.0.1");
	else if (listen(lfd, 1))
		rc = bench_fail(c, "listen");
	else if (getsockname(lfd, (struct sockaddr *)&a, &len))
		rc = bench_fail(c, "getsockname");
	if (!rc) {
		c->fd[BENCH_CLIENT] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (c->fd[BENCH_CLIENT] < 0)
			rc = bench_fail(c, "socket");
		else if (connect(c->fd[BENCH_CLIENT], (struct sockaddr *)&a, sizeof(a)))
			rc = bench_fail(c, "connect 127.0.0.1");
	}
	if (!rc) {
		c->fd[BENCH_SERVER] = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (c->fd[BENCH_SERVER] < 0)
			rc = bench_fail(c, "accept");
	}
	close(lfd);
	for (int i = 0; i < 2 && !rc; i++) {
		if (setsockopt(c->fd[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
			rc = bench_fail(c, "setsockopt TCP_NODELAY");
		else if (flags && fcntl(c->fd[i], F_SETFL, flags))
			rc = bench_fail(c, "fcntl");
	}
	return rc;
}

static int tcp_setup(struct bench_chan *c)
{
	return connect_pair(c, 0);
}

static int tcp_limits(struct ipk_bench_limits *l)
{
	struct bench_chan c = { .fd = { -1, -1, -1, -1 } };
	int sndbuf = 0, rcvbuf = 0;
	socklen_t len = sizeof(int);
	int rc = connect_pair(&c, O_NONBLOCK);

	l->max_source = "a byte stream";
	if (!rc) {
		getsockopt(c.fd[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, &len);
		len = sizeof(int);
		getsockopt(c.fd[1], SOL_SOCKET, SO_RCVBUF, &rcvbuf, &len);
		bench_fill_fd(l, c.fd[0]);
	}
	bench_close_fds(&c);
	if (!rc && !(rc = connect_pair(&c, O_NONBLOCK)))
		bench_partial_fd(l, c.fd[0]);
	bench_close_fds(&c);
	snprintf(l->note, sizeof(l->note), "buffers grow with use (net.ipv4.tcp_wmem, "
		 "tcp_rmem): %d bytes to send, %d to receive at first", sndbuf, rcvbuf);
	return rc;
}

const struct ipk_bench_method bench_tcp = {
	.name = "tcp",
	.description = "a TCP connection over the loopback interface",
	.setup = tcp_setup,
	.attach = bench_sock_attach,
	.send = bench_sock_send_stream,
	.recv = bench_sock_recv_stream,
	.limits = tcp_limits,
};
