/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The messages of every method.  A message of n bytes is
 *
 *	bytes 0..7	its sequence number, little-endian (from 1, one more
 *			per message and direction)
 *	bytes 8..15	a checksum of the sequence number and the body
 *	bytes 16..	the body, derived from the sequence number
 *
 * cut to its first n bytes when n < 16.  The receiver knows which sequence
 * number comes next, so a message lost, repeated, reordered, stale or
 * damaged anywhere fails the check.  Byte 0 differs between consecutive
 * messages (and between messages fewer than 256 apart): shm-spin relies
 * on that.
 */
#include "bench.h"

#define MUL	UINT64_C(0x9e3779b97f4a7c15)
#define LANE1	UINT64_C(0x243f6a8885a308d3)
#define LANE2	UINT64_C(0x13198a2e03707344)
#define LANE3	UINT64_C(0xa4093822299f31d0)
#define LANE4	UINT64_C(0x082efa98ec4e6c89)

static inline uint64_t le64(uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return __builtin_bswap64(v);
#else
	return v;
#endif
}

static inline uint64_t load64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64(v);
}

static inline void store64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

static inline uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	return h;
}

/*
 * Four independent lanes so the multiplications overlap: about 8 bytes a
 * cycle, 64 KiB in a few microseconds.  Not cryptographic; position and
 * order matter, which is what catching a broken transport needs.
 */
static uint64_t body_sum(uint64_t seq, const unsigned char *p, size_t n)
{
	uint64_t a = seq ^ LANE1, b = seq ^ LANE2, c = seq ^ LANE3, d = seq ^ LANE4;
	size_t i = 0;

	for (; i + 32 <= n; i += 32) {
		a = (a ^ load64(p + i)) * MUL;
		b = (b ^ load64(p + i + 8)) * MUL;
		c = (c ^ load64(p + i + 16)) * MUL;
		d = (d ^ load64(p + i + 24)) * MUL;
	}
	for (; i + 8 <= n; i += 8)
		a = (a ^ load64(p + i)) * MUL;
	for (; i < n; i++)
		b = (b ^ p[i]) * MUL;
	return mix(a) ^ mix(b + 1) * 3 ^ mix(c + 2) * 5 ^ mix(d + 3) * 7 ^ n;
}

static void fill_body(unsigned char *p, size_t n, uint64_t seq)
{
	uint64_t w = seq * MUL;
	size_t i = 0;

	for (; i + 8 <= n; i += 8, w += LANE1)
		store64(p + i, w);
	for (; i < n; i++)
		p[i] = (unsigned char)(w >> (8 * (i & 7)));
}

static void header(unsigned char h[16], const unsigned char *body, size_t n, uint64_t seq)
{
	store64(h, le64(seq));
	store64(h + 8, le64(body_sum(seq, body, n)));
}

void bench_msg_fill(unsigned char *buf, size_t size, uint64_t seq)
{
	unsigned char h[16];

	if (size <= 16) {
		header(h, NULL, 0, seq);
		memcpy(buf, h, size);
		return;
	}
	fill_body(buf + 16, size - 16, seq);
	header(buf, buf + 16, size - 16, seq);
}

int bench_msg_check(const unsigned char *buf, size_t size, uint64_t seq)
{
	unsigned char h[16];

	if (size <= 16) {
		header(h, NULL, 0, seq);
		return memcmp(buf, h, size) ? -EBADMSG : 0;
	}
	header(h, buf + 16, size - 16, seq);
	return memcmp(buf, h, 16) ? -EBADMSG : 0;
}
