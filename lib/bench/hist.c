/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Log-linear histograms, as HdrHistogram keeps them: values below 2^SUB
 * each have a bucket; above, every power of two is cut into 2^(SUB-1)
 * buckets, so a bucket is never wider than 1/64 of its values and the whole
 * range of uint64_t fits in a fixed array.  Min, max and the sum are kept
 * exactly on the side.
 */
#include "bench.h"

#include <stdlib.h>

#define SUB		7
#define HALF		(UINT64_C(1) << (SUB - 1))
#define NBUCKETS	((64 - SUB + 2) * HALF)

struct ipk_hist {
	uint64_t count;
	uint64_t min, max;
	unsigned __int128 sum;
	uint64_t bucket[NBUCKETS];
};

static size_t bucket_of(uint64_t v)
{
	if (v < (UINT64_C(1) << SUB))
		return (size_t)v;
	int e = 63 - __builtin_clzll(v);
	int shift = e - SUB + 1;

	return (size_t)shift * HALF + (size_t)(v >> shift);
}

/* The smallest and largest values of bucket @i. */
static void bucket_range(size_t i, uint64_t *lo, uint64_t *hi)
{
	if (i < (UINT64_C(1) << SUB)) {
		*lo = *hi = i;
		return;
	}
	size_t shift = i / HALF - 1;
	uint64_t base = (uint64_t)(i - shift * HALF);

	*lo = base << shift;
	*hi = *lo + ((UINT64_C(1) << shift) - 1);
}

struct ipk_hist *ipk_hist_new(void)
{
	struct ipk_hist *h = calloc(1, sizeof(*h));

	if (h)
		h->min = UINT64_MAX;
	return h;
}

void ipk_hist_free(struct ipk_hist *h)
{
	free(h);
}

void ipk_hist_add(struct ipk_hist *h, uint64_t v)
{
	h->bucket[bucket_of(v)]++;
	h->count++;
	h->sum += v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

uint64_t ipk_hist_count(const struct ipk_hist *h)
{
	return h->count;
}

uint64_t ipk_hist_min(const struct ipk_hist *h)
{
	return h->count ? h->min : 0;
}

uint64_t ipk_hist_max(const struct ipk_hist *h)
{
	return h->max;
}

double ipk_hist_mean(const struct ipk_hist *h)
{
	return h->count ? (double)h->sum / (double)h->count : 0;
}

uint64_t ipk_hist_quantile(const struct ipk_hist *h, double q)
{
	if (!h->count)
		return 0;
	if (q <= 0)
		return h->min;
	if (q >= 1)
		return h->max;
	/* The rank of the value asked, counted from 1, rounded up (nearest rank). */
	double r = q * (double)h->count;
	uint64_t rank = (uint64_t)r;
	if ((double)rank < r)
		rank++;
	if (rank < 1)
		rank = 1;

	uint64_t seen = 0;
	for (size_t i = 0; i < NBUCKETS; i++) {
		if (!h->bucket[i])
			continue;
		seen += h->bucket[i];
		if (seen >= rank) {
			uint64_t lo, hi;

			bucket_range(i, &lo, &hi);
			/* The middle of the bucket, but never outside what was seen. */
			uint64_t v = lo + (hi - lo) / 2;
			if (v < h->min)
				v = h->min;
			if (v > h->max)
				v = h->max;
			return v;
		}
	}
	return h->max;
}

bool ipk_hist_next(const struct ipk_hist *h, size_t *it, uint64_t *lo, uint64_t *hi,
		   uint64_t *count)
{
	for (size_t i = *it; i < NBUCKETS; i++) {
		if (!h->bucket[i])
			continue;
		bucket_range(i, lo, hi);
		*count = h->bucket[i];
		*it = i + 1;
		return true;
	}
	*it = NBUCKETS;
	return false;
}

size_t bench_hist_size(void)
{
	return sizeof(struct ipk_hist);
}

void bench_hist_init(struct ipk_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

void bench_hist_merge(struct ipk_hist *to, const struct ipk_hist *from)
{
	if (!from->count)
		return;
	for (size_t i = 0; i < NBUCKETS; i++)
		to->bucket[i] += from->bucket[i];
	to->count += from->count;
	to->sum += from->sum;
	if (from->min < to->min)
		to->min = from->min;
	if (from->max > to->max)
		to->max = from->max;
}
