/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the public parsers of what users type.  The first
 * byte picks the parser, the rest is the text.  Besides not crashing, each
 * must agree with itself: a size or duration it accepts, printed as a
 * plain number, parses to the same value; a canonical REF parses to
 * itself; a value is never both accepted and out of range.
 */
#include "ipckit.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MUST(c)                                                                          \
	do {                                                                             \
		if (!(c)) {                                                              \
			fprintf(stderr, "fuzz-parse: %s:%d: %s\n", __FILE__, __LINE__, #c); \
			abort();                                                         \
		}                                                                        \
	} while (0)

static void parse_size(const char *s)
{
	uint64_t v, again;
	char plain[32];
	int rc = ipk_parse_size(s, &v);

	MUST(rc == 0 || rc == -EINVAL || rc == -ERANGE);
	if (rc)
		return;
	snprintf(plain, sizeof(plain), "%" PRIu64, v);
	MUST(ipk_parse_size(plain, &again) == 0 && again == v);
	struct ipk_buf b = { 0 };
	MUST(ipk_format_bytes(v, &b) == 0 && b.s && *b.s);
	ipk_buf_free(&b);
}

static void parse_duration(const char *s)
{
	int64_t v, again;
	char plain[32];
	int rc = ipk_parse_duration(s, &v);

	MUST(rc == 0 || rc == -EINVAL || rc == -ERANGE);
	if (rc)
		return;
	MUST(v >= 0);
	snprintf(plain, sizeof(plain), "%" PRId64, v);
	MUST(ipk_parse_duration(plain, &again) == 0 && again == v);
}

static void parse_duration_ns(const char *s)
{
	uint64_t v, again;
	char plain[40];
	int rc = ipk_parse_duration_ns(s, &v);

	MUST(rc == 0 || rc == -EINVAL || rc == -ERANGE);
	if (rc)
		return;
	snprintf(plain, sizeof(plain), "%" PRIu64 "ns", v);
	MUST(ipk_parse_duration_ns(plain, &again) == 0 && again == v);
}

static void parse_key(const char *s)
{
	int32_t key, again;
	char plain[32];
	int rc = ipk_parse_key(s, &key);

	/* ftok:PATH:PROJ may fail as ftok() does: any errno */
	MUST(rc <= 0);
	if (rc || strncmp(s, "ftok:", 5) == 0)
		return;
	snprintf(plain, sizeof(plain), "0x%08" PRIx32, (uint32_t)key);
	MUST(ipk_parse_key(plain, &again) == 0 && again == key);
}

static void ref_parse(const char *s)
{
	const struct ipk_kind *k = NULL, *k2 = NULL;
	char *canon = NULL, *again = NULL;
	int rc = ipk_ref_parse(s, &k, &canon);

	MUST(rc == 0 || rc == -EINVAL || rc == -ENOENT || rc == -ENOMEM);
	if (rc)
		return;
	MUST(k && canon);
	MUST(strncmp(canon, ipk_kind_name(k), strlen(ipk_kind_name(k))) == 0);
	/* canonical means a fixed point */
	MUST(ipk_ref_parse(canon, &k2, &again) == 0);
	MUST(k2 == k && strcmp(again, canon) == 0);
	free(again);
	free(canon);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static void (*const parsers[])(const char *) = {
		parse_size, parse_duration, parse_duration_ns, parse_key, ref_parse,
	};
	const size_t n = sizeof(parsers) / sizeof(parsers[0]);

	if (size < 1 || size > 4096)
		return 0;
	char *s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	if (data[0] < n)
		parsers[data[0]](s);
	else
		for (size_t i = 0; i < n; i++)
			parsers[i](s);
	free(s);
	return 0;
}
