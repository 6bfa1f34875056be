/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Arenas: the memory of a listing, taken in few calls and given back in one. */
#include "internal.h"

#include <sys/mman.h>
#include <unistd.h>

struct ipk_arena_chunk {
	struct ipk_arena_chunk *next;
	size_t used, cap, size;		/* size: of the whole mapping */
	size_t ready;			/* bytes of data faulted in ahead */
	char data[];
};

#define FIRST_CHUNK ((size_t)64 << 10)
#define LARGEST_CHUNK ((size_t)1 << 20)
/*
 * Pages are faulted in this many bytes at a time, ahead of use: one call
 * instead of a trap a page. A listing of 100,000 objects took 5,800 faults,
 * 800 since, and 5 to 9% less CPU time; it keeps at most a step more
 * resident a chunk than it uses.
 */
#define READY_STEP ((size_t)64 << 10)

/* Faults in the pages of @c up to @need bytes of data, a step ahead. */
static void make_ready(struct ipk_arena_chunk *c, size_t need)
{
	/* the same for every thread: threads that race to store them store one value */
	static size_t page_size;
	static bool no_populate;	/* before Linux 5.14: asked once */
	const size_t head = offsetof(struct ipk_arena_chunk, data);
	size_t page = __atomic_load_n(&page_size, __ATOMIC_RELAXED);

	if (!page) {
		long p = sysconf(_SC_PAGESIZE);
		page = p > 0 ? (size_t)p : 4096;
		__atomic_store_n(&page_size, page, __ATOMIC_RELAXED);
	}
	size_t from = (head + c->ready) & ~(page - 1);
	size_t to = head + need + READY_STEP;
	if (to > c->size)
		to = c->size;
	to = (to + page - 1) & ~(page - 1);
	/* Linux 5.14 and later; where it fails, pages fault in one by one as before */
#ifdef MADV_POPULATE_WRITE
	if (to > from && !__atomic_load_n(&no_populate, __ATOMIC_RELAXED) &&
	    madvise((char *)c + from, to - from, MADV_POPULATE_WRITE) < 0 && errno == EINVAL)
		__atomic_store_n(&no_populate, true, __ATOMIC_RELAXED);
#endif
	c->ready = to - head;
}

void *ipk_arena_alloc(struct ipk_arena *a, size_t n)
{
	if (!a || n > SIZE_MAX / 2)
		return NULL;
	struct ipk_arena_chunk *c = a->chunks;

	n = (n + 7) & ~(size_t)7;
	if (!c || c->cap - c->used < n) {
		size_t size = c ? c->size * 2 : FIRST_CHUNK;
		if (size > LARGEST_CHUNK)
			size = LARGEST_CHUNK;
		while (size < n + sizeof(*c))
			size *= 2;
		void *m = mmap(NULL, size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			return NULL;
		struct ipk_arena_chunk *fresh = m;
		fresh->next = c;
		fresh->used = 0;
		fresh->size = size;
		fresh->cap = size - sizeof(*fresh);
		fresh->ready = 0;
		a->chunks = c = fresh;
	}
	if (c->used + n > c->ready)
		make_ready(c, c->used + n);
	void *p = c->data + c->used;
	c->used += n;
	return p;
}

void ipk_arena_move(struct ipk_arena *to, struct ipk_arena *from)
{
	struct ipk_arena_chunk *tail = to && from ? from->chunks : NULL;

	if (!tail)
		return;
	while (tail->next)
		tail = tail->next;
	tail->next = to->chunks;
	to->chunks = from->chunks;
	from->chunks = NULL;
}

void ipk_arena_free(struct ipk_arena *a)
{
	if (!a)
		return;
	struct ipk_arena_chunk *c = a->chunks;

	while (c) {
		struct ipk_arena_chunk *next = c->next;
		munmap(c, c->size);
		c = next;
	}
	a->chunks = NULL;
}

void arena_reset(struct ipk_arena *a)
{
	struct ipk_arena_chunk *keep = a ? a->chunks : NULL;

	if (!keep)
		return;
	a->chunks = keep->next;
	ipk_arena_free(a);
	keep->next = NULL;
	keep->used = 0;
	a->chunks = keep;
}
