/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The benchmark engine's parts: histograms, the message check, durations,
 * the baseline reader, the method table, and a few short live runs.
 */
#include "bench/bench.h"
#include "test.h"

#include <math.h>
#include <stdlib.h>
#include <unistd.h>

static void test_hist(void)
{
	struct ipk_hist *h = ipk_hist_new();

	CHECK(h);
	CHECK_INT(ipk_hist_count(h), 0);
	CHECK_INT(ipk_hist_quantile(h, 0.5), 0);
	for (uint64_t v = 1; v <= 1000; v++)
		ipk_hist_add(h, v);
	CHECK_INT(ipk_hist_count(h), 1000);
	CHECK_INT(ipk_hist_min(h), 1);
	CHECK_INT(ipk_hist_max(h), 1000);
	CHECK(fabs(ipk_hist_mean(h) - 500.5) < 1e-9);
	/* Exact below 128, then within a bucket's width (1/64). */
	CHECK_INT(ipk_hist_quantile(h, 0.1), 100);
	uint64_t p50 = ipk_hist_quantile(h, 0.5), p99 = ipk_hist_quantile(h, 0.99);
	CHECK(p50 >= 500 - 8 && p50 <= 500 + 8);
	CHECK(p99 >= 990 - 16 && p99 <= 990 + 16);
	CHECK_INT(ipk_hist_quantile(h, 0), 1);
	CHECK_INT(ipk_hist_quantile(h, 1), 1000);

	/* Buckets: increasing, disjoint, every value counted once. */
	uint64_t lo, hi, n, total = 0, prev_hi = 0;
	bool ordered = true;
	for (size_t it = 0; ipk_hist_next(h, &it, &lo, &hi, &n);) {
		ordered &= lo <= hi && (total == 0 || lo > prev_hi);
		prev_hi = hi;
		total += n;
	}
	CHECK(ordered);
	CHECK_INT(total, 1000);
	ipk_hist_free(h);

	/* The whole range of uint64_t fits; a bucket is never wider than 1/64. */
	h = ipk_hist_new();
	ipk_hist_add(h, UINT64_MAX);
	ipk_hist_add(h, UINT64_C(1) << 40);
	ipk_hist_add(h, 0);
	CHECK_INT(ipk_hist_count(h), 3);
	CHECK(ipk_hist_max(h) == UINT64_MAX);
	bool narrow = true;
	for (size_t it = 0; ipk_hist_next(h, &it, &lo, &hi, &n);)
		narrow &= lo < 128 ? lo == hi : (hi - lo) <= lo / 64;
	CHECK(narrow);
	ipk_hist_free(h);
}

static void test_messages(void)
{
	static const size_t sizes[] = { 1, 7, 8, 15, 16, 17, 63, 64, 65, 4096, 65537 };
	unsigned char *buf = malloc(65537), *prev = malloc(65537);

	for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
		size_t n = sizes[s];
		bool caught = true;

		bench_msg_fill(buf, n, 41);
		CHECK(bench_msg_check(buf, n, 41) == 0);
		CHECK(bench_msg_check(buf, n, 42) == -EBADMSG);
		/* Any one byte changed anywhere is caught. */
		for (size_t i = 0; i < n; i += n > 256 ? 97 : 1) {
			buf[i] ^= 0x01;
			caught &= bench_msg_check(buf, n, 41) == -EBADMSG;
			buf[i] ^= 0x01;
		}
		CHECK(caught);
		/* A stale body under a fresh header is caught. */
		if (n > 24) {
			bench_msg_fill(prev, n, 40);
			memcpy(prev, buf, 16);
			CHECK(bench_msg_check(prev, n, 41) == -EBADMSG);
			/* Two words swapped, too. */
			bench_msg_fill(prev, n, 41);
			unsigned char w[8];
			memcpy(w, prev + 16, 8);
			memcpy(prev + 16, prev + n - 8, 8);
			memcpy(prev + n - 8, w, 8);
			CHECK(n < 32 || bench_msg_check(prev, n, 41) == -EBADMSG);
		}
	}
	/* shm-spin's doorbell: byte 0 differs between consecutive messages. */
	bool differs = true;
	for (uint64_t seq = 1; seq < 1000; seq++) {
		bench_msg_fill(prev, 64, seq);
		bench_msg_fill(buf, 64, seq + 1);
		differs &= prev[0] != buf[0];
	}
	CHECK(differs);
	free(buf);
	free(prev);
}

static uint64_t ns_of(const char *s, int *rc)
{
	uint64_t v = 0;

	*rc = ipk_parse_duration_ns(s, &v);
	return v;
}

static void test_durations_ns(void)
{
	int rc;

	CHECK_INT(ns_of("2s", &rc), 2000000000);
	CHECK_INT(rc, 0);
	CHECK_INT(ns_of("500ms", &rc), 500000000);
	CHECK_INT(ns_of("1.5s", &rc), 1500000000);
	CHECK_INT(ns_of("90us", &rc), 90000);
	CHECK_INT(ns_of("250ns", &rc), 250);
	CHECK_INT(ns_of("1m", &rc), 60000000000LL);
	CHECK_INT(ns_of("10", &rc), 10000000000LL);
	const char *bad[] = { "", "s", "5x", "0x10", "inf", "nan", "-1s", "1.5.5s", "2 s" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		ns_of(bad[i], &rc);
		CHECK_INT(rc, -EINVAL);
	}
	ns_of("1e30h", &rc);
	CHECK(rc == -ERANGE || rc == -EINVAL);
}

static char *write_tmp(const char *text)
{
	static char path[64];

	snprintf(path, sizeof(path), "/tmp/test-bench-XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	if (write(fd, text, strlen(text)) < 0)
		path[0] = '\0';
	close(fd);
	return path;
}

static void test_baseline(void)
{
	struct ipk_bench_baseline *b;
	int line = -1;
	char *path = write_tmp(
		"{\n  \"results\": [\n"
		"    {\"method\": \"pipe\", \"size\": 64, \"placement\": \"cross\", \"pin\": [0, 1],"
		" \"count\": 10, \"rtt_ns\": {\"min\": 1, \"mean\": 2.5, \"p50\": 3, \"p90\": 4,"
		" \"p99\": 5, \"p999\": 6, \"max\": 7}, \"msgs_per_s\": 1000.5, \"mb_per_s\": 0.064,"
		" \"future\": {\"a\": [1, true, null, \"x\\u00e9\"]}},\n"
		"    {\"method\": \"cacheline\", \"size\": 8, \"placement\": \"same\","
		" \"rtt_ns\": {\"p50\": 200}, \"msgs_per_s\": null}\n"
		"  ],\n  \"machine\": {\"cpus\": 2}\n}\n");

	CHECK(path && path[0]);
	CHECK_INT(ipk_bench_baseline_load(path, &b, &line), 0);
	const struct ipk_bench_figures *f = ipk_bench_baseline_find(b, "pipe", 64, "cross");
	CHECK(f != NULL);
	if (f) {
		CHECK_INT(f->rtt.p50, 3);
		CHECK_INT(f->rtt.max, 7);
		CHECK(fabs(f->rtt.mean - 2.5) < 1e-9);
		CHECK(fabs(f->msgs_per_s - 1000.5) < 1e-9);
	}
	CHECK(ipk_bench_baseline_find(b, "pipe", 64, "same") == NULL);
	CHECK(ipk_bench_baseline_find(b, "pipe", 128, "cross") == NULL);
	f = ipk_bench_baseline_find(b, "cacheline", 8, "same");
	CHECK(f && f->rtt.p50 == 200 && f->msgs_per_s == 0);
	ipk_bench_baseline_free(b);
	unlink(path);

	path = write_tmp("{\"results\": [\n{\"method\": \"pipe\",\n \"size\": }]}");
	CHECK_INT(ipk_bench_baseline_load(path, &b, &line), -EINVAL);
	CHECK_INT(line, 3);
	CHECK(b == NULL);
	unlink(path);
	path = write_tmp("[1, 2]");
	CHECK_INT(ipk_bench_baseline_load(path, &b, &line), -EINVAL);
	unlink(path);
	CHECK_INT(ipk_bench_baseline_load("/nonexistent/x.json", &b, &line), -ENOENT);
}

static void test_methods(void)
{
	/* DESIGN.md's methods, each in the table; the floor first */
	static const char *const design[] = {
		"cacheline", "pipe", "fifo", "unix-stream", "unix-dgram", "unix-seqpacket",
		"tcp", "sysv-msg", "posix-mq", "shm-sysv-sem", "shm-posix-sem", "shm-futex",
		"shm-spin", "eventfd", "signal", "fd-pass",
	};

	CHECK(ipk_bench_method_count() >= ARRAY_SIZE(design));
	for (size_t i = 0; i < ARRAY_SIZE(design); i++)
		CHECK(ipk_bench_method_find(design[i]) != NULL);
	for (size_t i = 0; i < ipk_bench_method_count(); i++) {
		const struct ipk_bench_method *m = ipk_bench_method_at(i);

		test_current = ipk_bench_method_name(m);
		CHECK(ipk_bench_method_find(ipk_bench_method_name(m)) == m);
		CHECK(m->setup && m->send && m->recv && m->description);
		/* every method says what the kernel allows it (ipc-bench --limits) */
		CHECK(m->limits || ipk_bench_method_is_reference(m));
		/* Ring methods have their semaphores. */
		CHECK(m->send != ring_send || (m->post && m->wait));
		CHECK(ipk_bench_method_is_reference(m) == (i == 0));
	}
	test_current = "test_methods";
	CHECK(ipk_bench_method_find("carrier-pigeon") == NULL);
	CHECK(ipk_bench_method_at(ipk_bench_method_count()) == NULL);

	uint64_t max;
	const char *source;
	CHECK_INT(ipk_bench_method_max_size(ipk_bench_method_find("pipe"), &max, &source), 0);
	CHECK_INT(max, BENCH_MAX_SIZE);
	CHECK_INT(ipk_bench_method_max_size(ipk_bench_method_find("cacheline"), &max, &source), 0);
	CHECK_INT(max, 8);

	CHECK_INT(bench_classify(ENOSYS), IPK_BENCH_UNSUPPORTED);
	CHECK_INT(bench_classify(EAFNOSUPPORT), IPK_BENCH_UNSUPPORTED);
	CHECK_INT(bench_classify(ENOSPC), IPK_BENCH_NO_RESOURCE);
	CHECK_INT(bench_classify(EAGAIN), IPK_BENCH_NO_RESOURCE);
	CHECK_INT(bench_classify(EBADMSG), IPK_BENCH_FAILED);
	CHECK_STR(ipk_bench_status_name(IPK_BENCH_NO_RESOURCE), "no-resource");
}

static void test_runs(void)
{
	struct ipk_bench_config cfg = {
		.method = ipk_bench_method_find("pipe"), .size = 100, .count = 50, .warmup = 5,
		.cpu = { -1, -1 },
	};
	struct ipk_bench_result r;

	CHECK_INT(ipk_bench_run(&cfg, &r), 0);
	CHECK_INT(r.status, IPK_BENCH_OK);
	CHECK_INT(r.count, 50);
	CHECK_INT(r.stream_count, 50);
	CHECK(r.rtt.min <= r.rtt.p50 && r.rtt.p50 <= r.rtt.max && r.msgs_per_s > 0);
	CHECK(r.hist && ipk_hist_count(r.hist) == 50);
	ipk_bench_result_free(&r);

	cfg.size = 0;
	CHECK_INT(ipk_bench_run(&cfg, &r), -EINVAL);
	ipk_bench_result_free(&r);
	cfg.size = 64;
	cfg.cpu[1] = 100000;
	CHECK_INT(ipk_bench_run(&cfg, &r), -EINVAL);
	ipk_bench_result_free(&r);
	cfg.cpu[1] = -1;
	cfg.method = ipk_bench_method_find("sysv-msg");
	cfg.size = UINT64_C(1) << 30;
	CHECK_INT(ipk_bench_run(&cfg, &r), -EMSGSIZE);
	CHECK_INT(r.status, IPK_BENCH_FAILED);
	ipk_bench_result_free(&r);

	/* A damaged message: the method fails, the run says which message. */
	cfg.size = 64;
	cfg.flags = IPK_BENCH_FAULT_CORRUPT | IPK_BENCH_NO_STREAM;
	CHECK_INT(ipk_bench_run(&cfg, &r), -EBADMSG);
	CHECK_INT(r.status, IPK_BENCH_FAILED);
	CHECK(strstr(r.why, "did not check (message 6)") != NULL);
	ipk_bench_result_free(&r);

	/* A hung peer: killed after the timeout. */
	cfg.method = ipk_bench_method_find("shm-futex");
	cfg.flags = IPK_BENCH_FAULT_HANG;
	cfg.timeout_ns = 200 * 1000 * 1000;
	CHECK_INT(ipk_bench_run(&cfg, &r), -ETIMEDOUT);
	CHECK_INT(r.status, IPK_BENCH_FAILED);
	ipk_bench_result_free(&r);
}

int main(void)
{
	RUN(test_hist);
	RUN(test_messages);
	RUN(test_durations_ns);
	RUN(test_baseline);
	RUN(test_methods);
	RUN(test_runs);
	return test_done();
}
