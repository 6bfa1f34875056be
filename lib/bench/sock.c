/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the socket methods share: one connected pair, one end per process. */
#include "bench.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int bench_socketpair(struct bench_chan *c, int type)
{
	int sv[2];

	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv))
		return bench_fail(c, "socketpair");
	c->fd[BENCH_CLIENT] = sv[0];
	c->fd[BENCH_SERVER] = sv[1];
	return 0;
}

int bench_sock_attach(struct bench_chan *c)
{
	bench_keep_fds(c, c->role, -1);
	return 0;
}

int bench_sock_send_stream(struct bench_chan *c, const void *buf)
{
	return bench_write_full(c, c->fd[c->role], buf, c->size);
}

int bench_sock_recv_stream(struct bench_chan *c, void *buf)
{
	return bench_read_full(c, c->fd[c->role], buf, c->size);
}

int bench_sock_send_msg(struct bench_chan *c, const void *buf)
{
	return bench_send_msg(c, c->fd[c->role], buf, c->size);
}

int bench_sock_recv_msg(struct bench_chan *c, void *buf)
{
	return bench_recv_msg(c, c->fd[c->role], buf, c->size);
}

/* Whether an empty pair of @type takes one message of @n bytes: 1, 0, or -errno. */
static int takes(int type, const char *buf, size_t n)
{
	int sv[2];

	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv))
		return -errno;
	ssize_t w = send(sv[0], buf, n, 0);
	int err = errno;
	close(sv[0]);
	close(sv[1]);
	if (w == (ssize_t)n)
		return 1;
	return w < 0 && err != EMSGSIZE && err != ENOBUFS ? -err : 0;
}

int bench_unix_max_msg(int type, uint64_t *max)
{
	/* The send buffer bounds a message: net.core.wmem_max at the very most. */
	uint64_t lo = 1, hi = UINT64_C(8) << 20;
	char *buf = calloc(1, hi);
	int rc;

	if (!buf)
		return -ENOMEM;
	rc = takes(type, buf, 1);
	if (rc <= 0) {
		free(buf);
		return rc ? rc : -EMSGSIZE;
	}
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo + 1) / 2;

		rc = takes(type, buf, mid);
		if (rc < 0)
			break;
		if (rc)
			lo = mid;
		else
			hi = mid - 1;
	}
	free(buf);
	*max = lo;
	return rc < 0 ? rc : 0;
}

int bench_unix_limits(int type, struct ipk_bench_limits *l)
{
	int sv[2];
	int sndbuf = 0;
	socklen_t len = sizeof(sndbuf);

	if (type == SOCK_STREAM) {
		l->max_source = "a byte stream";
	} else {
		int rc = bench_unix_max_msg(type, &l->max_msg);
		if (rc)
			return rc;
		l->max_source = "net.core.wmem_default";
	}
	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv))
		return -errno;
	getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, &len);
	bench_fill_fd(l, sv[0]);
	close(sv[0]);
	close(sv[1]);
	if (type == SOCK_STREAM) {
		if (socketpair(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv))
			return -errno;
		bench_partial_fd(l, sv[0]);
		close(sv[0]);
		close(sv[1]);
		snprintf(l->note, sizeof(l->note), "%d-byte send buffer (SO_SNDBUF); "
			 "a blocking write waits for all of it", sndbuf);
	} else {
		uint64_t qlen = 0;
		bench_limit("UNIX_DGRAM_QLEN", &qlen);
		/* The kernel skips the queue-length check between two connected peers. */
		snprintf(l->note, sizeof(l->note), "%d-byte send buffer (SO_SNDBUF), "
			 "overhead included; net.unix.max_dgram_qlen (%llu) only for a "
			 "receiver not connected back", sndbuf, (unsigned long long)qlen);
	}
	return 0;
}
