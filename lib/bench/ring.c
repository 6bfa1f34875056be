/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Message rings in shared memory, for the methods that only signal
 * (semaphores, futexes, eventfds, signals): see "rings" in bench.h.  The
 * positions are private to each process; the semaphores order the copies.
 */
#include "bench.h"

/* Enough slots for a stream to flow, little enough memory for large sizes. */
#define RING_STREAM_BYTES	(UINT64_C(1) << 20)
#define RING_STREAM_SLOTS	64

void ring_geometry(struct bench_chan *c)
{
	c->slot_size = (c->size + CACHELINE - 1) / CACHELINE * CACHELINE;
	c->nslots = 1;
	if (c->mode == BENCH_STREAM) {
		uint64_t n = RING_STREAM_BYTES / c->slot_size;

		c->nslots = n < 2 ? 2 : n > RING_STREAM_SLOTS ? RING_STREAM_SLOTS : (uint32_t)n;
	}
}

size_t ring_bytes(const struct bench_chan *c)
{
	return 2 * (size_t)c->nslots * c->slot_size;
}

void ring_set_base(struct bench_chan *c, size_t header)
{
	c->ring_off = (header + CACHELINE - 1) / CACHELINE * CACHELINE;
}

static unsigned char *slot(const struct bench_chan *c, enum bench_dir dir, uint64_t pos)
{
	return (unsigned char *)c->mem + c->ring_off +
	       ((size_t)dir * c->nslots + (size_t)(pos % c->nslots)) * c->slot_size;
}

unsigned ring_initial(const struct bench_chan *c, int sem)
{
	return sem >= RING_SPACES(0) ? c->nslots : 0;
}

int ring_send(struct bench_chan *c, const void *buf)
{
	enum bench_dir dir = bench_send_dir(c);
	int rc;

	if (c->mode == BENCH_STREAM && (rc = c->m->wait(c, RING_SPACES(dir))))
		return rc;
	memcpy(slot(c, dir, c->head[dir]++), buf, c->size);
	return c->m->post(c, RING_ITEMS(dir));
}

int ring_recv(struct bench_chan *c, void *buf)
{
	enum bench_dir dir = bench_recv_dir(c);
	int rc = c->m->wait(c, RING_ITEMS(dir));

	if (rc)
		return rc;
	memcpy(buf, slot(c, dir, c->tail[dir]++), c->size);
	if (c->mode == BENCH_STREAM)
		return c->m->post(c, RING_SPACES(dir));
	return 0;
}
