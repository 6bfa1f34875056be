/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A minimal test harness printing TAP: each CHECK is one numbered line,
 * a failed one names the expression and both values; the last line is
 * "N passed, N failed".
 */
#ifndef IPCKIT_TEST_H
#define IPCKIT_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_count, test_failed;
static const char *test_current = "";

static inline int check(int ok, const char *expr, const char *file, int line)
{
	test_count++;
	if (!ok)
		test_failed++;
	printf("%sok %d - %s: %s\n", ok ? "" : "not ", test_count, test_current, expr);
	if (!ok)
		printf("#   at %s:%d\n", file, line);
	return ok;
}

static inline int check_int(long long a, long long b, const char *ea, const char *eb,
			    const char *file, int line)
{
	char expr[512];

	snprintf(expr, sizeof(expr), "%s == %s", ea, eb);
	if (!check(a == b, expr, file, line))
		printf("#   got %lld, want %lld\n", a, b);
	return a == b;
}

static inline int check_str(const char *a, const char *b, const char *ea, const char *eb,
			    const char *file, int line)
{
	char expr[512];
	int ok = a && b && strcmp(a, b) == 0;

	snprintf(expr, sizeof(expr), "%s == %s", ea, eb);
	if (!check(ok, expr, file, line))
		printf("#   got \"%s\", want \"%s\"\n", a ? a : "(null)", b ? b : "(null)");
	return ok;
}

#define CHECK(c) check(!!(c), #c, __FILE__, __LINE__)
#define CHECK_INT(a, b) check_int((long long)(a), (long long)(b), #a, #b, __FILE__, __LINE__)
#define CHECK_STR(a, b) check_str((a), (b), #a, #b, __FILE__, __LINE__)

#define RUN(fn)                                                                          \
	do {                                                                             \
		test_current = #fn;                                                      \
		fn();                                                                    \
	} while (0)

static inline int test_done(void)
{
	printf("1..%d\n", test_count);
	if (test_failed)
		printf("# %d of %d checks failed\n", test_failed, test_count);
	/* the plain closing line that CI reads */
	printf("%d passed, %d failed\n", test_count - test_failed, test_failed);
	return test_failed ? 1 : 0;
}

#endif
