/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What several methods share: descriptors, whole messages, shared memory. */
#include "bench.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <unistd.h>

void bench_close_fds(struct bench_chan *c)
{
	for (size_t i = 0; i < ARRAY_SIZE(c->fd); i++) {
		if (c->fd[i] >= 0)
			close(c->fd[i]);
		c->fd[i] = -1;
	}
}

void bench_keep_fds(struct bench_chan *c, int keep1, int keep2)
{
	for (int i = 0; i < (int)ARRAY_SIZE(c->fd); i++) {
		if (i == keep1 || i == keep2 || c->fd[i] < 0)
			continue;
		close(c->fd[i]);
		c->fd[i] = -1;
	}
}

int bench_write_full(struct bench_chan *c, int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return bench_fail(c, "write");
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int bench_read_full(struct bench_chan *c, int fd, void *buf, size_t n)
{
	char *p = buf;

	while (n) {
		ssize_t r = read(fd, p, n);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return bench_fail(c, "read");
		}
		if (r == 0) {
			/* The peer is gone mid-message. */
			errno = EPIPE;
			return bench_fail(c, "read");
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int bench_send_msg(struct bench_chan *c, int fd, const void *buf, size_t n)
{
	for (;;) {
		ssize_t w = send(fd, buf, n, 0);

		if (w == (ssize_t)n)
			return 0;
		if (w >= 0) {
			errno = EMSGSIZE;
			return bench_fail(c, "send");
		}
		if (errno != EINTR)
			return bench_fail(c, "send");
	}
}

int bench_recv_msg(struct bench_chan *c, int fd, void *buf, size_t n)
{
	for (;;) {
		/* MSG_TRUNC: the real length, so a longer message is caught. */
		ssize_t r = recv(fd, buf, n, MSG_TRUNC);

		if (r == (ssize_t)n)
			return 0;
		if (r >= 0) {
			errno = r ? EMSGSIZE : EPIPE;
			return bench_fail(c, "recv");
		}
		if (errno != EINTR)
			return bench_fail(c, "recv");
	}
}

int bench_map(struct bench_chan *c, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return bench_fail(c, "mmap");
	c->mem = p;
	c->mem_len = len;
	c->mem_shmat = false;
	return 0;
}

void bench_unmap(struct bench_chan *c)
{
	if (!c->mem)
		return;
	if (c->mem_shmat)
		shmdt(c->mem);
	else
		munmap(c->mem, c->mem_len);
	c->mem = NULL;
}

int bench_read_u64(const char *path, uint64_t *v)
{
	char buf[64];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	int err = errno;
	close(fd);
	if (n < 0)
		return -err;
	buf[n] = '\0';
	char *end;
	errno = 0;
	unsigned long long x = strtoull(buf, &end, 10);
	if (errno || end == buf)
		return -EINVAL;
	*v = x;
	return 0;
}

void bench_posix_name(char *buf, size_t size)
{
	static unsigned n;

	snprintf(buf, size, "/ipckit-bench-%ld-%u", (long)getpid(), n++);
}

int bench_pair_attach(struct bench_chan *c)
{
	enum bench_dir out = bench_send_dir(c), in = bench_recv_dir(c);

	bench_keep_fds(c, 2 * (int)out + 1, 2 * (int)in);
	return 0;
}

int bench_pair_send(struct bench_chan *c, const void *buf)
{
	return bench_write_full(c, c->fd[2 * bench_send_dir(c) + 1], buf, c->size);
}

int bench_pair_recv(struct bench_chan *c, void *buf)
{
	return bench_read_full(c, c->fd[2 * bench_recv_dir(c)], buf, c->size);
}

/* The largest write a probe tries: enough to overflow any default queue. */
#define PROBE_BIG	(UINT64_C(8) << 20)

void bench_fill_fd(struct ipk_bench_limits *l, int fd)
{
	char *buf = calloc(1, l->probe_size);

	if (!buf)
		return;
	l->bounded = true;
	for (;;) {
		ssize_t w = write(fd, buf, l->probe_size);

		if (w == (ssize_t)l->probe_size) {
			l->queued_msgs++;
			l->queued_bytes += (uint64_t)w;
			continue;
		}
		if (w > 0) {
			/* Room for part of a message: a byte stream takes it. */
			l->queued_bytes += (uint64_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		l->full_err = w < 0 ? errno : 0;
		break;
	}
	free(buf);
}

void bench_partial_fd(struct ipk_bench_limits *l, int fd)
{
	char *buf = calloc(1, PROBE_BIG);

	if (!buf)
		return;
	ssize_t w = write(fd, buf, PROBE_BIG);
	l->partial = w > 0 && (uint64_t)w < PROBE_BIG;
	free(buf);
}
