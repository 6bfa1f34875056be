/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cacheline: the floor.  Two processes bounce one cache line: each waits
 * until the other has stored the next sequence number in the one shared
 * word, then stores its own.  No payload but that word: a reference for
 * what any shared-memory method can approach, not an IPC method.
 */
#include "bench.h"

static _Atomic uint64_t *line(const struct bench_chan *c)
{
	return c->mem;
}

static int cacheline_setup(struct bench_chan *c)
{
	return bench_map(c, CACHELINE);
}

/* The word holds the sequence number shifted left, and the writer's role. */
static int cacheline_send(struct bench_chan *c, const void *buf)
{
	uint64_t seq;

	memcpy(&seq, buf, sizeof(seq));
	atomic_store_explicit(line(c), seq << 1 | c->role, memory_order_release);
	return 0;
}

static int cacheline_recv(struct bench_chan *c, void *buf)
{
	enum bench_role peer = c->role == BENCH_CLIENT ? BENCH_SERVER : BENCH_CLIENT;
	uint64_t seen = c->head[0], w;
	unsigned polls = 0;

	while (w = atomic_load_explicit(line(c), memory_order_acquire),
	       (w & 1) != peer || w == seen)
		bench_relax(c, &polls);
	c->head[0] = w;
	w >>= 1;
	memcpy(buf, &w, sizeof(w));
	return 0;
}

const struct ipk_bench_method bench_cacheline = {
	.name = "cacheline",
	.description = "the floor: two processes bouncing one cache line",
	.flags = BM_REFERENCE | BM_SPIN,
	.fixed_size = sizeof(uint64_t),
	.setup = cacheline_setup,
	.send = cacheline_send,
	.recv = cacheline_recv,
};
