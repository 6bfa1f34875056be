/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What users type: sizes, durations, keys; and sizes shown back to them. */
#include "internal.h"

#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <sys/ipc.h>

static const char size_units[] = "KMGTPE";

int ipk_parse_size(const char *s, uint64_t *bytes)
{
	if (!s || !bytes)
		return -EINVAL;
	char *end;
	int shift = 0;

	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	unsigned long long whole = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;

	/* A fraction only makes sense with a unit: "1.5M". */
	unsigned long long frac = 0, frac_div = 1;
	if (*end == '.') {
		end++;
		if (!isdigit((unsigned char)*end))
			return -EINVAL;
		while (isdigit((unsigned char)*end)) {
			if (frac_div < UINT64_C(1000000000000)) {
				frac = frac * 10 + (unsigned long long)(*end - '0');
				frac_div *= 10;
			}
			end++;
		}
	}
	if (*end) {
		const char *u = strchr(size_units, toupper((unsigned char)*end));
		if (!u || !*end)
			return -EINVAL;
		shift = 10 * (int)(u - size_units + 1);
		end++;
		if (*end == 'i' && end[1] == 'B')
			end += 2;
		else if (*end == 'B')
			end++;
	} else if (frac) {
		return -EINVAL;
	}
	if (*end)
		return -EINVAL;

	if (shift && whole > (UINT64_MAX >> shift))
		return -ERANGE;
	uint64_t v = (uint64_t)whole << shift;
	if (frac) {
		/* frac/frac_div < 1 and shift <= 60: the product fits in 128 bits. */
		unsigned __int128 f = ((unsigned __int128)frac << shift) / frac_div;
		if (v + (uint64_t)f < v)
			return -ERANGE;
		v += (uint64_t)f;
	}
	*bytes = v;
	return 0;
}

/*
 * One grammar for every duration: a number with a unit, or several
 * ("1h30m", "2d12h"), each "N" or "N.F" with ns, us, ms, s, m, h, d or w;
 * a bare number alone is seconds ("90").  Exact: the fraction is decimal
 * arithmetic, not a double.
 */
int ipk_parse_duration_ns(const char *s, uint64_t *ns)
{
	static const struct {
		const char *unit;
		uint64_t ns;
	} units[] = {	/* longest first: "ms" before "m" */
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 },
		{ "m", UINT64_C(60000000000) }, { "h", UINT64_C(3600000000000) },
		{ "d", UINT64_C(86400000000000) }, { "w", UINT64_C(604800000000000) },
	};
	uint64_t total = 0;
	bool any = false;

	if (!s || !ns)
		return -EINVAL;
	while (isspace((unsigned char)*s))
		s++;
	while (*s) {
		uint64_t whole = 0, frac = 0, frac_div = 1;

		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		for (; isdigit((unsigned char)*s); s++)
			if (__builtin_mul_overflow(whole, 10, &whole) ||
			    __builtin_add_overflow(whole, (uint64_t)(*s - '0'), &whole))
				return -ERANGE;
		if (*s == '.') {
			s++;
			if (!isdigit((unsigned char)*s))
				return -EINVAL;
			for (; isdigit((unsigned char)*s); s++) {
				/* a nanosecond is the finest grain: digits past it do not count */
				if (frac_div < UINT64_C(1000000000)) {
					frac = frac * 10 + (uint64_t)(*s - '0');
					frac_div *= 10;
				}
			}
		}
		uint64_t mult = 0;
		size_t ulen = 0;
		for (size_t i = 0; i < ARRAY_SIZE(units) && !mult; i++) {
			size_t n = strlen(units[i].unit);
			if (strncmp(s, units[i].unit, n) == 0 && !isalpha((unsigned char)s[n])) {
				mult = units[i].ns;
				ulen = n;
			}
		}
		if (!mult) {
			if (*s || any)
				return -EINVAL;	/* an unknown unit, or "1h30": ambiguous */
			mult = units[3].ns;	/* a bare number is seconds */
		}
		uint64_t part, fpart = (uint64_t)((unsigned __int128)frac * mult / frac_div);
		if (__builtin_mul_overflow(whole, mult, &part) ||
		    __builtin_add_overflow(part, fpart, &part) ||
		    __builtin_add_overflow(total, part, &total))
			return -ERANGE;
		any = true;
		s += ulen;
	}
	if (!any)
		return -EINVAL;
	*ns = total;
	return 0;
}

int ipk_parse_duration(const char *s, int64_t *seconds)
{
	if (!seconds)
		return -EINVAL;
	uint64_t ns;
	int rc = ipk_parse_duration_ns(s, &ns);

	if (rc)
		return rc;
	/*
	 * Whole seconds, rounded up ("500ms" is not "no time at all"), and no
	 * more than the grammar takes typed plainly: what rounding up passes
	 * the nanoseconds' range is out of range.
	 */
	uint64_t sec = ns / 1000000000 + (ns % 1000000000 != 0);
	if (sec > UINT64_MAX / 1000000000)
		return -ERANGE;
	*seconds = (int64_t)sec;
	return 0;
}

int ipk_parse_key(const char *s, int32_t *key)
{
	if (!s || !key)
		return -EINVAL;
	char *end;

	if (strncmp(s, "ftok:", 5) == 0) {
		const char *path = s + 5;
		const char *colon = strrchr(path, ':');
		if (!colon || colon == path || !colon[1])
			return -EINVAL;
		errno = 0;
		long proj = strtol(colon + 1, &end, 0);
		if (errno || *end || proj < 1 || proj > 255)
			return -EINVAL;
		char *p = strndup(path, (size_t)(colon - path));
		if (!p)
			return -ENOMEM;
		key_t k = ftok(p, (int)proj);
		int err = errno;
		free(p);
		if (k == -1)
			return -err;
		*key = (int32_t)k;
		return 0;
	}
	/* blanks before it are skipped, as before a size, a count or a duration; none after */
	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return -EINVAL;
	errno = 0;
	long long v = strtoll(s, &end, 0);
	if (errno || *end)
		return -EINVAL;
	/* Keys are 32 bits: accept 0xffffffff as well as -1. */
	if (v < INT32_MIN || v > UINT32_MAX)
		return -ERANGE;
	*key = (int32_t)(uint32_t)(v & 0xffffffff);
	return 0;
}

int ipk_format_bytes(uint64_t bytes, struct ipk_buf *out)
{
	if (!out)
		return -EINVAL;
	if (bytes < 1024) {
		char s[8];
		size_t n = fmt_u64(s, bytes);
		s[n++] = 'B';
		return ipk_buf_add(out, s, n);
	}

	int exp = 0;
	uint64_t whole = bytes;
	while (whole >= 1024 && exp < (int)sizeof(size_units) - 1) {
		whole >>= 10;
		exp++;
	}
	/* One decimal, rounded, as util-linux prints sizes. */
	uint64_t unit = UINT64_C(1) << (10 * exp);
	uint64_t rest = bytes - whole * unit;
	uint64_t tenth = (uint64_t)(((unsigned __int128)rest * 10 + unit / 2) / unit);
	if (tenth == 10) {
		whole++;
		tenth = 0;
	}
	if (whole >= 1024 && exp < (int)sizeof(size_units) - 1) {
		whole = 1;
		tenth = 0;
		exp++;
	}
	char s[32];
	size_t n = fmt_u64(s, whole);
	if (tenth) {
		s[n++] = '.';
		s[n++] = (char)('0' + tenth);
	}
	s[n++] = size_units[exp - 1];
	return ipk_buf_add(out, s, n);
}

int ipk_format_ns(double ns, struct ipk_buf *out)
{
	static const struct {
		double div;
		const char *unit;
	} units[] = { { 1, "ns" }, { 1e3, "us" }, { 1e6, "ms" }, { 1e9, "s" } };
	size_t u = 0;

	while (u + 1 < ARRAY_SIZE(units) && ns / units[u].div >= 999.5)
		u++;
	double v = ns / units[u].div;
	return ipk_buf_printf(out, u == 0 ? "%.0f%s" : v < 9.995 ? "%.2f%s" : v < 99.95 ? "%.1f%s"
									   : "%.0f%s",
			      v, units[u].unit);
}
