/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What several methods share: descriptors, whole messages, shared memory. */
#include "bench.h"

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
	ssize_t r = xport_write(fd, buf, n, NULL);

	return r < 0 ? bench_failed(c, "write", (int)r) : 0;
}

int bench_read_full(struct bench_chan *c, int fd, void *buf, size_t n)
{
	ssize_t r = xport_read(fd, buf, n, true, NULL);

	if (r < 0)
		return bench_failed(c, "read", (int)r);
	/* The peer is gone mid-message. */
	return (size_t)r < n ? bench_failed(c, "read", -EPIPE) : 0;
}

int bench_send_msg(struct bench_chan *c, int fd, const void *buf, size_t n)
{
	ssize_t r = xport_send(fd, buf, n, NULL, 0, NULL);

	return r < 0 ? bench_failed(c, "send", (int)r) : 0;
}

int bench_recv_msg(struct bench_chan *c, int fd, void *buf, size_t n)
{
	/* The real length comes back, so a longer message is caught. */
	ssize_t r = xport_recv(fd, buf, n, NULL, NULL, NULL, NULL);

	if (r < 0)
		return bench_failed(c, "recv", (int)r);
	if ((size_t)r != n)
		return bench_failed(c, "recv", r ? -EMSGSIZE : -EPIPE);
	return 0;
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

int bench_limit(const char *resource, uint64_t *v)
{
	struct ipk_ctx *ctx = ipk_ctx_new();

	if (!ctx)
		return -ENOMEM;
	int rc = limit_value(ctx, resource, v);
	ipk_ctx_free(ctx);
	return rc;
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
