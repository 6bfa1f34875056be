/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * shm-futex: anonymous shared memory; each semaphore is a futex word (a
 * counter taken with compare-and-swap, waited on with FUTEX_WAIT, woken
 * with FUTEX_WAKE after every post), each in a cache line of its own.
 * Shared, not private, futexes: the two processes do not share a mm.
 */
#include "bench.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

static _Atomic uint32_t *word(const struct bench_chan *c, int sem)
{
	return (_Atomic uint32_t *)((char *)c->mem + (size_t)sem * CACHELINE);
}

static int shm_futex_setup(struct bench_chan *c)
{
	ring_geometry(c);
	ring_set_base(c, RING_NSEMS * CACHELINE);
	int rc = bench_map(c, c->ring_off + ring_bytes(c));

	/* A kernel without futexes fails here, not in a child. */
	if (!rc && syscall(SYS_futex, (uint32_t *)word(c, 0), FUTEX_WAKE, 1, NULL, NULL, 0) < 0)
		rc = bench_fail(c, "futex");
	for (int i = 0; i < RING_NSEMS && !rc; i++)
		atomic_store(word(c, i), ring_initial(c, i));
	return rc;
}

static int shm_futex_post(struct bench_chan *c, int sem)
{
	_Atomic uint32_t *w = word(c, sem);

	atomic_fetch_add(w, 1);
	if (syscall(SYS_futex, (uint32_t *)w, FUTEX_WAKE, 1, NULL, NULL, 0) < 0)
		return bench_fail(c, "futex FUTEX_WAKE");
	return 0;
}

static int shm_futex_wait(struct bench_chan *c, int sem)
{
	_Atomic uint32_t *w = word(c, sem);

	for (;;) {
		uint32_t v = atomic_load(w);

		while (v > 0)
			if (atomic_compare_exchange_weak(w, &v, v - 1))
				return 0;
		if (syscall(SYS_futex, (uint32_t *)w, FUTEX_WAIT, 0, NULL, NULL, 0) < 0 &&
		    errno != EAGAIN && errno != EINTR)
			return bench_fail(c, "futex FUTEX_WAIT");
	}
}

static int shm_futex_limits(struct ipk_bench_limits *l)
{
	l->max_source = "ipc-bench's own limit";
	l->max_msg = BENCH_MAX_SIZE;
	snprintf(l->note, sizeof(l->note), "messages wait in ipc-bench's ring; a futex "
		 "word is 32 bits, and the kernel keeps no queue of its own");
	return 0;
}

const struct ipk_bench_method bench_shm_futex = {
	.name = "shm-futex",
	.description = "shared memory, a futex word per semaphore",
	.setup = shm_futex_setup,
	.send = ring_send,
	.recv = ring_recv,
	.post = shm_futex_post,
	.wait = shm_futex_wait,
	.limits = shm_futex_limits,
};
