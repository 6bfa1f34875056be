/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fd-pass: every message carries one file descriptor (an eventfd made in
 * setup) with SCM_RIGHTS over a unix sequenced-packet pair.  The receiver
 * checks that what arrived is that eventfd, and closes it.
 */
#include "bench.h"

#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define PASSED	2	/* fd[PASSED]: what every message passes */

static int fd_pass_max(uint64_t *max, const char **source)
{
	*source = "net.core.wmem_default";
	return bench_unix_max_msg(SOCK_SEQPACKET, max);
}

static int fd_pass_setup(struct bench_chan *c)
{
	struct stat st;
	int rc = bench_socketpair(c, SOCK_SEQPACKET);

	if (rc)
		return rc;
	c->fd[PASSED] = eventfd(0, EFD_CLOEXEC);
	if (c->fd[PASSED] < 0)
		return bench_fail(c, "eventfd");
	if (fstat(c->fd[PASSED], &st))
		return bench_fail(c, "fstat");
	c->ino = st.st_ino;
	return 0;
}

static int fd_pass_attach(struct bench_chan *c)
{
	bench_keep_fds(c, c->role, PASSED);
	return 0;
}

static int fd_pass_send(struct bench_chan *c, const void *buf)
{
	ssize_t r = xport_send(c->fd[c->role], buf, c->size, &c->fd[PASSED], 1, NULL);

	return r < 0 ? bench_failed(c, "sendmsg", (int)r) : 0;
}

static int fd_pass_recv(struct bench_chan *c, void *buf)
{
	int fd = -1, flags = 0;
	size_t nfds = 1;
	ssize_t r = xport_recv(c->fd[c->role], buf, c->size, &fd, &nfds, &flags, NULL);

	if (r < 0)
		return bench_failed(c, "recvmsg", (int)r);
	struct stat st;
	bool ok = nfds == 1 && !(flags & (MSG_CTRUNC | MSG_TRUNC)) &&
		  r == (ssize_t)c->size && fstat(fd, &st) == 0 && st.st_ino == c->ino;
	if (nfds)
		close(fd);
	if (!ok)
		return bench_failed(c, "recvmsg: no descriptor, or not the one sent",
				    r ? -EBADMSG : -EPIPE);
	return 0;
}

static int fd_pass_limits(struct ipk_bench_limits *l)
{
	struct bench_chan c = { .fd = { -1, -1, -1, -1 }, .size = l->probe_size };
	int rc = bench_unix_max_msg(SOCK_SEQPACKET, &l->max_msg);

	if (rc)
		return rc;
	l->max_source = "net.core.wmem_default";
	rc = fd_pass_setup(&c);
	if (rc) {
		bench_close_fds(&c);
		return rc;
	}
	c.role = BENCH_CLIENT;
	char *buf = calloc(1, l->probe_size);
	if (!buf) {
		bench_close_fds(&c);
		return -ENOMEM;
	}
	const struct xport_wait once = { .nowait = true };
	ssize_t r;
	l->bounded = true;
	while ((r = xport_send(c.fd[BENCH_CLIENT], buf, c.size, &c.fd[PASSED], 1, &once)) >= 0) {
		l->queued_msgs++;
		l->queued_bytes += l->probe_size;
	}
	l->full_err = (int)-r;
	free(buf);
	bench_close_fds(&c);
	snprintf(l->note, sizeof(l->note), "as unix-seqpacket; at most 253 descriptors a "
		 "message (SCM_MAX_FD), and no more in flight than RLIMIT_NOFILE "
		 "(ETOOMANYREFS)");
	return 0;
}

const struct ipk_bench_method bench_fd_pass = {
	.name = "fd-pass",
	.description = "one descriptor passed with SCM_RIGHTS in every message",
	.max_size = fd_pass_max,
	.setup = fd_pass_setup,
	.attach = fd_pass_attach,
	.send = fd_pass_send,
	.recv = fd_pass_recv,
	.limits = fd_pass_limits,
};
