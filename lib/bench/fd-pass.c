/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fd-pass: every message carries one file descriptor (an eventfd made in
 * setup) with SCM_RIGHTS over a unix sequenced-packet pair.  The receiver
 * checks that what arrived is that eventfd, and closes it.
 */
#include "bench.h"

#include <fcntl.h>
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

union cmsg_fd {
	struct cmsghdr h;
	char buf[CMSG_SPACE(sizeof(int))];
};

static int fd_pass_send(struct bench_chan *c, const void *buf)
{
	union cmsg_fd u;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = c->size };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

	memset(&u, 0, sizeof(u));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &c->fd[PASSED], sizeof(int));
	for (;;) {
		ssize_t w = sendmsg(c->fd[c->role], &mh, 0);

		if (w == (ssize_t)c->size)
			return 0;
		if (w >= 0)
			errno = EMSGSIZE;
		if (errno != EINTR)
			return bench_fail(c, "sendmsg");
	}
}

static int fd_pass_recv(struct bench_chan *c, void *buf)
{
	union cmsg_fd u;
	struct iovec iov = { .iov_base = buf, .iov_len = c->size };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	ssize_t r;

	do
		r = recvmsg(c->fd[c->role], &mh, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return bench_fail(c, "recvmsg");

	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	int fd = -1;
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
	    cm->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));

	struct stat st;
	bool ok = fd >= 0 && !(mh.msg_flags & (MSG_CTRUNC | MSG_TRUNC)) &&
		  r == (ssize_t)c->size && fstat(fd, &st) == 0 && st.st_ino == c->ino;
	if (fd >= 0)
		close(fd);
	if (!ok) {
		errno = r ? EBADMSG : EPIPE;
		return bench_fail(c, "recvmsg: no descriptor, or not the one sent");
	}
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
	fcntl(c.fd[BENCH_CLIENT], F_SETFL, O_NONBLOCK);
	l->bounded = true;
	for (;;) {
		rc = fd_pass_send(&c, buf);
		if (rc)
			break;
		l->queued_msgs++;
		l->queued_bytes += l->probe_size;
	}
	l->full_err = -rc;
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
