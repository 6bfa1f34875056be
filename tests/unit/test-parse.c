/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What users type and what they read back: sizes, durations, keys, JSON text. */
#include "internal.h"
#include "procs-bpf.h"
#include "test.h"

#include <errno.h>
#include <stdio.h>

#include <sys/ipc.h>

static uint64_t size_of(const char *s, int *rc)
{
	uint64_t v = 0;

	*rc = ipk_parse_size(s, &v);
	return v;
}

static void test_sizes(void)
{
	int rc;

	CHECK_INT(size_of("4096", &rc), 4096);
	CHECK_INT(rc, 0);
	CHECK_INT(size_of("4K", &rc), 4096);
	CHECK_INT(size_of("4k", &rc), 4096);
	CHECK_INT(size_of("4KiB", &rc), 4096);
	CHECK_INT(size_of("1.5M", &rc), 1572864);
	CHECK_INT(size_of("2G", &rc), 2147483648LL);
	CHECK_INT(size_of("16E", &rc), 0);
	CHECK_INT(rc, -ERANGE);
	size_of("15E", &rc);
	CHECK_INT(rc, 0);
	size_of("18446744073709551616", &rc);
	CHECK_INT(rc, -ERANGE);
	size_of("", &rc);
	CHECK_INT(rc, -EINVAL);
	size_of("-1", &rc);
	CHECK_INT(rc, -EINVAL);
	size_of("4X", &rc);
	CHECK_INT(rc, -EINVAL);
	size_of("1.5", &rc);
	CHECK_INT(rc, -EINVAL);
	size_of("4K junk", &rc);
	CHECK_INT(rc, -EINVAL);
}

static void test_durations(void)
{
	int64_t v = -1;

	CHECK_INT(ipk_parse_duration("90", &v), 0);
	CHECK_INT(v, 90);
	CHECK_INT(ipk_parse_duration("15m", &v), 0);
	CHECK_INT(v, 900);
	CHECK_INT(ipk_parse_duration("1h30m", &v), 0);
	CHECK_INT(v, 5400);
	CHECK_INT(ipk_parse_duration("2d", &v), 0);
	CHECK_INT(v, 172800);
	CHECK_INT(ipk_parse_duration("1w", &v), 0);
	CHECK_INT(v, 604800);
	CHECK_INT(ipk_parse_duration("1h30", &v), -EINVAL);
	CHECK_INT(ipk_parse_duration("", &v), -EINVAL);
	CHECK_INT(ipk_parse_duration("5y", &v), -EINVAL);
	CHECK_INT(ipk_parse_duration("-5s", &v), -EINVAL);
	CHECK_INT(ipk_parse_duration("99999999999999999w", &v), -ERANGE);

	/* one grammar: what the nanosecond parser takes, the second parser takes */
	static const struct {
		const char *text;
		uint64_t ns;
		int64_t s;
	} both[] = {
		{ "500ms", 500000000, 1 }, { "1.5s", 1500000000, 2 }, { "1h30m", 5400000000000, 5400 },
		{ "2d", 172800000000000, 172800 }, { "1w", 604800000000000, 604800 },
		{ "90", 90000000000, 90 }, { "250us", 250000, 1 }, { "1m30s", 90000000000, 90 },
		{ "0.000000001s", 1, 1 }, { "2d12h", 216000000000000, 216000 }, { "0", 0, 0 },
	};
	for (size_t i = 0; i < sizeof(both) / sizeof(both[0]); i++) {
		uint64_t ns = 0;
		v = -1;
		test_current = both[i].text;
		CHECK_INT(ipk_parse_duration_ns(both[i].text, &ns), 0);
		CHECK_INT(ns, both[i].ns);
		CHECK_INT(ipk_parse_duration(both[i].text, &v), 0);
		CHECK_INT(v, both[i].s);
	}
	test_current = "test_durations";
	static const char *const bad[] = { "1h30", "1.s", ".5s", "5 s", "1x", "1sm", "s", "-1ms",
					   "1e3s", "0x10s", "inf", "nan", "5min" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t ns;
		CHECK_INT(ipk_parse_duration_ns(bad[i], &ns), -EINVAL);
		CHECK_INT(ipk_parse_duration(bad[i], &v), -EINVAL);
	}
	uint64_t ns;
	CHECK_INT(ipk_parse_duration_ns("18446744073709551616ns", &ns), -ERANGE);
	CHECK_INT(ipk_parse_duration_ns("300000w", &ns), -ERANGE);
	/* what rounding up gives, typed plainly, is taken too (found by make fuzz) */
	CHECK_INT(ipk_parse_duration("18446744073.2", &v), -ERANGE);
	CHECK_INT(ipk_parse_duration("18446744074", &v), -ERANGE);
	CHECK_INT(ipk_parse_duration("18446744073", &v), 0);
	CHECK_INT(v, 18446744073LL);
}

static void test_keys(void)
{
	int32_t k = 0;

	CHECK_INT(ipk_parse_key("0x1234", &k), 0);
	CHECK_INT(k, 0x1234);
	CHECK_INT(ipk_parse_key("4660", &k), 0);
	CHECK_INT(k, 4660);
	CHECK_INT(ipk_parse_key("0xdeadbeef", &k), 0);
	CHECK_INT((uint32_t)k, 0xdeadbeefu);
	CHECK_INT(ipk_parse_key("-1", &k), 0);
	CHECK_INT(k, -1);
	CHECK_INT(ipk_parse_key("0x100000000", &k), -ERANGE);
	CHECK_INT(ipk_parse_key("key", &k), -EINVAL);
	CHECK_INT(ipk_parse_key("", &k), -EINVAL);
	/* blanks before a key are skipped, as before a size or a count; not after it */
	CHECK_INT(ipk_parse_key(" 0x10", &k), 0);
	CHECK_INT(k, 16);
	CHECK_INT(ipk_parse_key("0x10 ", &k), -EINVAL);
	CHECK_INT(ipk_parse_key("  ", &k), -EINVAL);
	/* ftok of a path that exists gives what ftok(3) gives */
	CHECK_INT(ipk_parse_key("ftok:/:7", &k), 0);
	CHECK_INT(k, ftok("/", 7));
	CHECK_INT(ipk_parse_key("ftok:/nonexistent-ipckit:1", &k), -ENOENT);
	CHECK_INT(ipk_parse_key("ftok:/:0", &k), -EINVAL);
	CHECK_INT(ipk_parse_key("ftok:/", &k), -EINVAL);
}

static const char *bytes(uint64_t v)
{
	static struct ipk_buf b;

	ipk_buf_reset(&b);
	ipk_format_bytes(v, &b);
	return b.s;
}

static void test_human_bytes(void)
{
	CHECK_STR(bytes(0), "0B");
	CHECK_STR(bytes(1023), "1023B");
	CHECK_STR(bytes(1024), "1K");
	CHECK_STR(bytes(1536), "1.5K");
	CHECK_STR(bytes(4096), "4K");
	CHECK_STR(bytes(100000), "97.7K");
	CHECK_STR(bytes(1048575), "1M");
	CHECK_STR(bytes(1048576), "1M");
	CHECK_STR(bytes(UINT64_MAX), "16E");
}

static const char *json(const char *s)
{
	static struct ipk_buf b;

	ipk_buf_reset(&b);
	ipk_buf_json_string(&b, s);
	return b.s;
}

static void test_json_strings(void)
{
	CHECK_STR(json("plain"), "\"plain\"");
	CHECK_STR(json("a\"b\\c"), "\"a\\\"b\\\\c\"");
	CHECK_STR(json("tab\there\nnl"), "\"tab\\there\\nnl\"");
	CHECK_STR(json("\x01"), "\"\\u0001\"");
	CHECK_STR(json("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
	/* a name that is not UTF-8 must not break the JSON */
	CHECK_STR(json("bad\xff" "byte"), "\"bad\\ufffdbyte\"");
	CHECK_STR(json("\xc3"), "\"\\ufffd\"");
	CHECK_STR(json("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");
}

static void test_refs(void)
{
	const struct ipk_kind *k;
	char *canon = NULL;

	CHECK_INT(ipk_ref_parse("shm:32768", &k, &canon), 0);
	CHECK_STR(canon, "sysv-shm:32768");
	free(canon);
	CHECK_INT(ipk_ref_parse("mq:jobs", &k, &canon), 0);
	CHECK_STR(canon, "posix-mq:/jobs");
	free(canon);
	CHECK_INT(ipk_ref_parse("posix-sem:/lock", &k, &canon), 0);
	CHECK_STR(ipk_kind_name(k), "posix-sem");
	free(canon);
	CHECK_INT(ipk_ref_parse("sysv-shm:-1", &k, &canon), -EINVAL);
	CHECK_INT(ipk_ref_parse("sysv-shm:12x", &k, &canon), -EINVAL);
	CHECK_INT(ipk_ref_parse("sysv-shm:99999999999", &k, &canon), -EINVAL);
	CHECK_INT(ipk_ref_parse("sysv-shm:", &k, &canon), -EINVAL);
	CHECK_INT(ipk_ref_parse("posix-shm:/a/b", &k, &canon), -EINVAL);
	CHECK_INT(ipk_ref_parse("posix-shm:/..", &k, &canon), -EINVAL);
	CHECK_INT(ipk_ref_parse("posix-shm:/", &k, &canon), -EINVAL);
	CHECK_INT(ipk_ref_parse("32768", &k, &canon), -EINVAL);
	CHECK_INT(ipk_ref_parse(":1", &k, &canon), -EINVAL);
	CHECK_INT(ipk_ref_parse("bogus:1", &k, &canon), -ENOENT);
}

static void test_kinds(void)
{
	/* DESIGN.md's thirteen, and what was added since (pidfd) */
	static const char *const design[] = {
		"sysv-msg", "sysv-sem", "sysv-shm", "posix-mq", "posix-sem", "posix-shm", "fifo",
		"pipe", "unix", "eventfd", "timerfd", "signalfd", "memfd",
	};
	CHECK(ipk_kind_count() >= 13);
	for (size_t i = 0; i < sizeof(design) / sizeof(design[0]); i++)
		CHECK(ipk_kind_find(design[i]) != NULL);
	CHECK(ipk_kind_find("sysv-msg") == ipk_kind_find("msg"));
	CHECK(ipk_kind_find("SHM") == ipk_kind_find("sysv-shm"));
	CHECK(ipk_kind_find("pshm") == ipk_kind_find("posix-shm"));
	CHECK(ipk_kind_find("unix") != NULL && ipk_kind_find("memfd") != NULL);
	CHECK(ipk_kind_find("nope") == NULL);
	for (size_t i = 0; i < ipk_kind_count(); i++) {
		const struct ipk_kind *k = ipk_kind_at(i);
		CHECK_INT(ipk_kind_index(k), i);
		CHECK(ipk_kind_has_field(k, IPK_F_REF));
		CHECK(ipk_kind_has_field(k, IPK_F_STATUS));
		/* every kind has holders: what processes hold, attach, or wait on */
		CHECK(ipk_kind_has_field(k, IPK_F_HOLDERS));
		/* named kinds have an owner and permissions */
		if (ipk_kind_family(k) != IPK_FAMILY_FD) {
			CHECK(ipk_kind_has_field(k, IPK_F_OWNER));
			CHECK(ipk_kind_has_field(k, IPK_F_PERMS));
		}
	}
	/* every field has names, help and a column name that finds it */
	for (int f = 0; f < IPK_F_COUNT; f++) {
		const struct ipk_field_info *fi = ipk_field_info(f);
		CHECK(fi && fi->json && fi->column && fi->help);
		CHECK_INT(ipk_field_find(fi->column), f);
		CHECK_INT(ipk_field_find(fi->json), f);
	}
	CHECK_INT(ipk_field_find("msgs"), IPK_F_MESSAGES);
	CHECK_INT(ipk_field_find("nonsense"), -1);
}

/* Bad arguments are errors, never crashes: the header's promise. */
static void test_bad_arguments(void)
{
	struct ipk_ctx *ctx = ipk_ctx_new();
	struct ipk_buf b = { 0 };
	struct ipk_value v;
	uint64_t u;
	int64_t i;
	int32_t k;

	CHECK(ipk_field_info(-1) == NULL);
	CHECK(ipk_field_info(ipk_field_count()) == NULL);
	CHECK_INT(ipk_field_find(NULL), -1);
	ipk_object_get(NULL, IPK_F_REF, &v);
	CHECK_INT(v.presence, IPK_ABSENT);
	ipk_object_get(NULL, IPK_F_REF, NULL);	/* nowhere to say so: nothing, no crash */
	CHECK(1);
	CHECK(ipk_kind_at(ipk_kind_count()) == NULL);
	CHECK(ipk_kind_find(NULL) == NULL);
	CHECK(!ipk_kind_has_field(NULL, IPK_F_REF));
	CHECK(!ipk_kind_has_field(ipk_kind_at(0), -1));
	CHECK(!ipk_kind_has_field(ipk_kind_at(0), 100000));
	CHECK(ipk_kind_name(NULL) == NULL);
	CHECK(ipk_object_ref(NULL) == NULL);
	CHECK(ipk_list_at(NULL, 0) == NULL);
	CHECK_INT(ipk_list_len(NULL), 0);
	CHECK_INT(ipk_list_append(NULL, NULL), -EINVAL);
	CHECK(ipk_scan(NULL, NULL, 0) == NULL && errno == EINVAL);
	CHECK_INT(ipk_lookup(ctx, NULL, NULL), -EINVAL);
	CHECK_INT(ipk_ref_parse(NULL, NULL, NULL), -EINVAL);
	CHECK_INT(ipk_field_text(ctx, NULL, IPK_F_REF, NULL, &b), -EINVAL);
	CHECK_INT(ipk_field_json(NULL, NULL, 0, NULL), -EINVAL);
	CHECK_INT(ipk_object_json(ctx, NULL, NULL, 0, &b), -EINVAL);
	CHECK_INT(ipk_value_text(ctx, NULL, NULL, &b), -EINVAL);
	CHECK_INT(ipk_object_fill_detail(ctx, NULL), -EINVAL);
	CHECK_INT(ipk_ctx_set_sysroot(NULL, "/"), -EINVAL);
	CHECK_INT(ipk_ctx_set_ns(ctx, NULL), -EINVAL);
	CHECK_INT(ipk_ctx_want_fields(ctx, (const int[]){ 1000 }, 1), -EINVAL);
	CHECK_INT(ipk_ctx_ndiags(NULL), 0);
	CHECK(ipk_ctx_diag(ctx, 5) == NULL);
	CHECK_INT(ipk_filter_set_kinds(NULL, "shm", NULL), -EINVAL);
	CHECK_INT(ipk_filter_set_name(NULL, "x"), -EINVAL);
	CHECK(!ipk_filter_match(NULL, NULL, 0));
	CHECK_INT(ipk_parse_size(NULL, &u), -EINVAL);
	CHECK_INT(ipk_parse_duration(NULL, &i), -EINVAL);
	CHECK_INT(ipk_parse_duration_ns("1s", NULL), -EINVAL);
	CHECK_INT(ipk_parse_key(NULL, &k), -EINVAL);
	CHECK_INT(ipk_format_bytes(1, NULL), -EINVAL);
	CHECK_INT(ipk_buf_puts(NULL, "x"), -EINVAL);
	CHECK_INT(ipk_buf_printf(&b, NULL), -EINVAL);
	CHECK_INT(ipk_limits(NULL, NULL, NULL), -EINVAL);
	CHECK(ipk_limit_percent(NULL) < 0);
	CHECK(ipk_arena_alloc(NULL, 8) == NULL);
	CHECK(!ipk_object_same(NULL, NULL, NULL));
	CHECK(!ipk_kind_can_create(NULL));
	CHECK_STR(ipk_strerror(-EACCES), "permission denied");
	CHECK_STR(ipk_strerror(EACCES), "permission denied");
	/* one rule of "not supported here", either sign */
	CHECK(ipk_errno_unsupported(-ENOSYS) && ipk_errno_unsupported(EOPNOTSUPP));
	CHECK(ipk_errno_unsupported(-EAFNOSUPPORT) && ipk_errno_unsupported(-ESOCKTNOSUPPORT));
	CHECK(!ipk_errno_unsupported(0) && !ipk_errno_unsupported(-EACCES));
	CHECK(!ipk_errno_unsupported(-ENOENT));
	ipk_object_free(NULL);
	ipk_list_free(NULL);
	ipk_filter_free(NULL);
	ipk_buf_free(&b);
	ipk_ctx_free(ctx);
	ipk_ctx_free(NULL);
}

/*
 * The fdinfo lines made of a BPF record's values are the kernel's own
 * (eventfd_show_fdinfo(), signalfd_show_fdinfo(), timerfd_show()), which
 * the kinds' parsers read: printf of the kernel's formats is the oracle.
 */
static void check_fdinfo(unsigned info, const uint64_t *v, size_t n, const char *want)
{
	_Alignas(8) char rec[sizeof(struct ipk_bpf_fd) + 8 * 8] = { 0 };
	struct ipk_bpf_fd *f = (struct ipk_bpf_fd *)rec;
	char text[IPK_BPF_INFO_MAX];

	f->flags = IPK_BPF_FD_PIPE;	/* no link: the values follow the record */
	f->info = info;
	f->info_len = (uint16_t)(n * sizeof(*v));
	f->size = (uint16_t)sizeof(rec);
	memcpy(rec + ((sizeof(*f) + 7) & ~(size_t)7), v, n * sizeof(*v));
	CHECK_INT(procs_bpf_fdinfo(f, text, sizeof(text)), strlen(want));
	CHECK_STR(text, want);
}

static void test_bpf_fdinfo(void)
{
	static const uint64_t values[][7] = {
		{ 0, 0, 0, 0, 0, 0, 0 },
		{ 1, 7, 1, 1, 59, 999999999, 3 },
		{ UINT64_MAX, (uint64_t)-1, 0x7fffffff, UINT64_MAX, UINT64_MAX, UINT64_MAX, 1 },
		{ 0x1234abcd, 0x80000000, 2, 01777, 12, 0, 0 },
	};
	char want[IPK_BPF_INFO_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(values); i++) {
		const uint64_t *v = values[i];

		snprintf(want, sizeof(want),
			 "eventfd-count: %16llx\neventfd-id: %d\neventfd-semaphore: %d\n",
			 (unsigned long long)v[0], (int)v[1], (int)v[2]);
		check_fdinfo(IPK_BPF_INFO_EVENTFD, v, 3, want);
		snprintf(want, sizeof(want), "sigmask:\t%016llx\n", (unsigned long long)v[0]);
		check_fdinfo(IPK_BPF_INFO_SIGNALFD, v, 1, want);
		snprintf(want, sizeof(want),
			 "clockid: %d\nticks: %llu\nsettime flags: 0%o\n"
			 "it_value: (%llu, %llu)\nit_interval: (%llu, %llu)\n",
			 (int)v[0], (unsigned long long)v[1], (unsigned)v[2],
			 (unsigned long long)v[3], (unsigned long long)v[4],
			 (unsigned long long)v[5], (unsigned long long)v[6]);
		check_fdinfo(IPK_BPF_INFO_TIMERFD, v, 7, want);
	}
}

int main(void)
{
	RUN(test_sizes);
	RUN(test_durations);
	RUN(test_bad_arguments);
	RUN(test_keys);
	RUN(test_human_bytes);
	RUN(test_json_strings);
	RUN(test_refs);
	RUN(test_kinds);
	RUN(test_bpf_fdinfo);
	return test_done();
}
