/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * eventfd: anonymous shared memory for the messages; each semaphore is an
 * eventfd in semaphore mode (EFD_SEMAPHORE: a read takes one).
 */
#include "bench.h"

#include <sys/eventfd.h>
#include <unistd.h>

static int eventfd_setup(struct bench_chan *c)
{
	ring_geometry(c);
	ring_set_base(c, 0);
	int rc = bench_map(c, ring_bytes(c));

	for (int i = 0; i < RING_NSEMS && !rc; i++) {
		c->fd[i] = eventfd(ring_initial(c, i), EFD_SEMAPHORE | EFD_CLOEXEC);
		if (c->fd[i] < 0)
			rc = bench_fail(c, "eventfd");
	}
	return rc;
}

static int eventfd_post(struct bench_chan *c, int sem)
{
	int rc = xport_eventfd_add(c->fd[sem], 1, NULL);

	return rc ? bench_failed(c, "write eventfd", rc) : 0;
}

static int eventfd_wait(struct bench_chan *c, int sem)
{
	uint64_t v;
	int rc = xport_eventfd_take(c->fd[sem], &v, NULL);

	return rc ? bench_failed(c, "read eventfd", rc) : 0;
}

static int eventfd_limits(struct ipk_bench_limits *l)
{
	uint64_t max = UINT64_MAX - 1, one = 1;
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	if (fd < 0)
		return -errno;
	l->max_source = "ipc-bench's own limit";
	l->max_msg = BENCH_MAX_SIZE;
	l->bounded = true;
	if (write(fd, &max, sizeof(max)) == sizeof(max))
		l->queued_msgs = max;
	l->full_err = write(fd, &one, sizeof(one)) < 0 ? errno : 0;
	close(fd);
	snprintf(l->note, sizeof(l->note), "messages wait in ipc-bench's ring; the counter "
		 "holds up to 2^64-2");
	return 0;
}

const struct ipk_bench_method bench_eventfd = {
	.name = "eventfd",
	.description = "shared memory, an eventfd (EFD_SEMAPHORE) per semaphore",
	.setup = eventfd_setup,
	.send = ring_send,
	.recv = ring_recv,
	.post = eventfd_post,
	.wait = eventfd_wait,
	.limits = eventfd_limits,
};
