/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * shm-spin: anonymous shared memory and busy polling, no system call at
 * all.  A message is its own doorbell: the sender copies all but its first
 * byte into the slot, then stores that byte with release order; the
 * receiver polls the slot's first byte until it changes, then reads the
 * rest.  Every message of the engine starts with the low byte of its
 * sequence number (msg.c), so consecutive messages through one slot always
 * differ there, and a 64-byte message moves in one cache line: a separate
 * flag word would need a second line for every message and cost more
 * than the copy.  In a stream, the receiver publishes how many messages it
 * has taken, in a line of its own, which the sender reads only when the
 * ring looks full (c->tail of the sending direction caches it).
 *
 * In a ping-pong both directions share one slot, a mailbox: the reply
 * overwrites the request it answers, and a round trip moves one line back
 * and forth, as cacheline's word does, rather than two lines each once.
 * A request and its reply carry the same sequence number, so the reply's
 * doorbell byte has its top bit flipped.
 */
#include "bench.h"

/* The header: per direction, the messages taken, each in its own line. */
static _Atomic uint64_t *taken(const struct bench_chan *c, enum bench_dir dir)
{
	return (_Atomic uint64_t *)((char *)c->mem + (size_t)dir * CACHELINE);
}

static bool mailbox(const struct bench_chan *c)
{
	return c->mode == BENCH_PINGPONG;
}

static unsigned char *slot(const struct bench_chan *c, enum bench_dir dir, uint64_t pos)
{
	if (mailbox(c))
		dir = BENCH_UP;
	return (unsigned char *)c->mem + c->ring_off +
	       ((size_t)dir * c->nslots + (size_t)(pos % c->nslots)) * c->slot_size;
}

/* What tells a reply's doorbell from its request's in the mailbox. */
static unsigned char flip(const struct bench_chan *c, enum bench_dir dir)
{
	return mailbox(c) && dir == BENCH_DOWN ? 0x80 : 0;
}

/* The doorbell byte the slot had last, as this process saw or wrote it. */
static uint8_t *seen(struct bench_chan *c, enum bench_dir dir, uint64_t pos)
{
	return &c->seen[mailbox(c) ? BENCH_UP : dir][pos % c->nslots];
}

static int shm_spin_setup(struct bench_chan *c)
{
	ring_geometry(c);
	ring_set_base(c, 2 * CACHELINE);
	return bench_map(c, c->ring_off + ring_bytes(c));
}

static int shm_spin_send(struct bench_chan *c, const void *buf)
{
	enum bench_dir dir = bench_send_dir(c);
	uint64_t pos = c->head[dir]++;
	unsigned polls = 0;

	/* The receiver's count is read again only when the ring looks full. */
	while (c->mode == BENCH_STREAM && pos - c->tail[dir] >= c->nslots) {
		c->tail[dir] = atomic_load_explicit(taken(c, dir), memory_order_acquire);
		if (pos - c->tail[dir] >= c->nslots)
			bench_relax(c, &polls);
	}
	unsigned char *s = slot(c, dir, pos);
	unsigned char bell = *(const unsigned char *)buf ^ flip(c, dir);
	memcpy(s + 1, (const unsigned char *)buf + 1, c->size - 1);
	__atomic_store_n(s, bell, __ATOMIC_RELEASE);
	*seen(c, dir, pos) = bell;
	return 0;
}

static int shm_spin_recv(struct bench_chan *c, void *buf)
{
	enum bench_dir dir = bench_recv_dir(c);
	uint64_t pos = c->tail[dir]++;
	unsigned char *s = slot(c, dir, pos);
	uint8_t *last = seen(c, dir, pos);
	unsigned char first;
	unsigned polls = 0;

	while ((first = __atomic_load_n(s, __ATOMIC_ACQUIRE)) == *last)
		bench_relax(c, &polls);
	*last = first;
	memcpy(buf, s, c->size);
	*(unsigned char *)buf ^= flip(c, dir);
	if (c->mode == BENCH_STREAM)
		atomic_store_explicit(taken(c, dir), pos + 1, memory_order_release);
	return 0;
}

static int shm_spin_limits(struct ipk_bench_limits *l)
{
	l->max_source = "ipc-bench's own limit";
	l->max_msg = BENCH_MAX_SIZE;
	snprintf(l->note, sizeof(l->note), "no kernel object: messages wait in "
		 "ipc-bench's ring, a full ring is polled");
	return 0;
}

const struct ipk_bench_method bench_shm_spin = {
	.name = "shm-spin",
	.description = "shared memory and busy polling, no system call",
	.flags = BM_SPIN,
	.setup = shm_spin_setup,
	.send = shm_spin_send,
	.recv = shm_spin_recv,
	.limits = shm_spin_limits,
};
