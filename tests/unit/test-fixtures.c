/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Parsing against frozen copies of /proc/sysvipc, /proc/sys, /dev/shm and
 * the mqueue filesystem in tests/fixtures/: the exact fields each line
 * gives, hazards in /dev/shm, headers in another order, broken lines.
 */
#include "internal.h"
#include "test.h"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

static char fixtures[PATH_MAX];

static struct ipk_ctx *ctx_at(const char *name)
{
	char root[PATH_MAX + 64];
	struct ipk_ctx *ctx = ipk_ctx_new();

	snprintf(root, sizeof(root), "%s/%s", fixtures, name);
	ipk_ctx_set_sysroot(ctx, root);
	return ctx;
}

static struct ipk_object *find(const struct ipk_list *l, const char *ref)
{
	for (size_t i = 0; i < ipk_list_len(l); i++)
		if (strcmp(ipk_object_ref(ipk_list_at(l, i)), ref) == 0)
			return ipk_list_at(l, i);
	return NULL;
}

static const char *text(struct ipk_ctx *ctx, const struct ipk_object *o, int field)
{
	static struct ipk_buf b;
	struct ipk_format fmt = { .exact_bytes = true, .numeric_perms = true,
				  .time = IPK_TIME_EPOCH };

	ipk_buf_reset(&b);
	if (!o)
		return "(no object)";
	ipk_field_text(ctx, o, field, &fmt, &b);
	return b.s;
}

static const char *json(struct ipk_ctx *ctx, const struct ipk_object *o, int field)
{
	static struct ipk_buf b;

	ipk_buf_reset(&b);
	if (!o)
		return "(no object)";
	ipk_field_json(ctx, o, field, &b);
	return b.s;
}

static void test_sysv_shm(void)
{
	struct ipk_ctx *ctx = ctx_at("basic");
	struct ipk_filter *f = ipk_filter_new();

	ipk_filter_set_kinds(f, "shm", NULL);
	struct ipk_list *l = ipk_scan(ctx, f, 0);
	CHECK_INT(ipk_list_len(l), 3);
	CHECK_INT(ipk_ctx_ndiags(ctx), 0);

	struct ipk_object *o = find(l, "sysv-shm:0");
	CHECK(o != NULL);
	CHECK_STR(text(ctx, o, IPK_F_KEY), "0x00000000");
	CHECK_STR(text(ctx, o, IPK_F_PERMS), "0600");
	CHECK_STR(text(ctx, o, IPK_F_STATUS), "dest");
	CHECK_STR(text(ctx, o, IPK_F_SIZE), "4096");
	CHECK_STR(text(ctx, o, IPK_F_NATTCH), "2");
	CHECK_STR(text(ctx, o, IPK_F_CPID), "1201");
	CHECK_STR(text(ctx, o, IPK_F_LPID), "1305");
	CHECK_STR(text(ctx, o, IPK_F_ATIME), "1700000100");
	CHECK_STR(text(ctx, o, IPK_F_DTIME), "1700000200");
	CHECK_STR(text(ctx, o, IPK_F_CTIME), "1600000000");
	CHECK_STR(text(ctx, o, IPK_F_RSS), "4096");
	CHECK_STR(text(ctx, o, IPK_F_SWAP), "0");
	CHECK_STR(json(ctx, o, IPK_F_CTIME), "\"2020-09-13T12:26:40Z\"");
	CHECK_STR(json(ctx, o, IPK_F_STATUS), "[\"dest\"]");
	/* from a sysroot nothing comes from the live kernel */
	CHECK_STR(json(ctx, o, IPK_F_NS), "null");

	o = find(l, "sysv-shm:32769");
	CHECK_STR(text(ctx, o, IPK_F_KEY), "0x41414141");
	CHECK_STR(text(ctx, o, IPK_F_UID), "1000");
	CHECK_STR(text(ctx, o, IPK_F_CUID), "0");
	CHECK_STR(text(ctx, o, IPK_F_STATUS), "orphan");
	CHECK_STR(text(ctx, o, IPK_F_ATIME), "-");	/* 0 means never */
	CHECK_STR(json(ctx, o, IPK_F_ATIME), "null");
	CHECK_STR(text(ctx, o, IPK_F_SWAP), "8192");

	o = find(l, "sysv-shm:65538");
	CHECK_STR(text(ctx, o, IPK_F_KEY), "0xdeadbeef");
	CHECK_STR(text(ctx, o, IPK_F_PERMS), "0640");
	CHECK_STR(text(ctx, o, IPK_F_STATUS), "locked");

	/* sorted by id */
	CHECK_STR(ipk_object_ref(ipk_list_at(l, 0)), "sysv-shm:0");
	CHECK_STR(ipk_object_ref(ipk_list_at(l, 2)), "sysv-shm:65538");
	ipk_list_free(l);
	ipk_filter_free(f);
	ipk_ctx_free(ctx);
}

static void test_sysv_msg_sem(void)
{
	struct ipk_ctx *ctx = ctx_at("basic");
	struct ipk_filter *f = ipk_filter_new();

	ipk_filter_set_kinds(f, "msg,sem", NULL);
	struct ipk_list *l = ipk_scan(ctx, f, 0);
	CHECK_INT(ipk_list_len(l), 4);

	struct ipk_object *o = find(l, "sysv-msg:0");
	CHECK_STR(text(ctx, o, IPK_F_KEY), "0x00001234");
	CHECK_STR(text(ctx, o, IPK_F_SIZE), "300");
	CHECK_STR(text(ctx, o, IPK_F_MESSAGES), "3");
	CHECK_STR(text(ctx, o, IPK_F_LSPID), "2001");
	CHECK_STR(text(ctx, o, IPK_F_LRPID), "2002");
	/* the send (1700000500) came after the receive: the sender acted last */
	CHECK_STR(text(ctx, o, IPK_F_LPID), "2001");
	CHECK_STR(text(ctx, o, IPK_F_ATIME), "1700000500");
	CHECK_STR(text(ctx, o, IPK_F_DTIME), "1700000400");
	/* qbytes needs MSG_STAT_ANY: unknown from a sysroot, never made up */
	CHECK_STR(text(ctx, o, IPK_F_CAPACITY), "-");

	o = find(l, "sysv-msg:32769");
	CHECK_STR(text(ctx, o, IPK_F_PERMS), "0666");
	CHECK_STR(text(ctx, o, IPK_F_GID), "100");
	CHECK_STR(text(ctx, o, IPK_F_CGID), "100");
	CHECK_STR(text(ctx, o, IPK_F_LPID), "-");

	o = find(l, "sysv-sem:0");
	CHECK_STR(text(ctx, o, IPK_F_KEY), "0x00005678");
	CHECK_STR(text(ctx, o, IPK_F_NSEMS), "3");
	CHECK_STR(text(ctx, o, IPK_F_ATIME), "1700000700");
	CHECK_STR(json(ctx, o, IPK_F_VALUE), "null");
	o = find(l, "sysv-sem:1");
	CHECK_STR(text(ctx, o, IPK_F_OWNER), text(ctx, o, IPK_F_OWNER));
	CHECK_STR(text(ctx, o, IPK_F_UID), "1000");

	/* kinds in registry order */
	CHECK_STR(ipk_kind_name(ipk_object_kind(ipk_list_at(l, 0))), "sysv-msg");
	CHECK_STR(ipk_kind_name(ipk_object_kind(ipk_list_at(l, 3))), "sysv-sem");
	ipk_list_free(l);
	ipk_filter_free(f);
	ipk_ctx_free(ctx);
}

static void expect_stat(struct ipk_ctx *ctx, const struct ipk_object *o, const char *rel)
{
	char path[PATH_MAX + 64], want[32];
	struct stat st;

	snprintf(path, sizeof(path), "%s/basic/%s", fixtures, rel);
	CHECK_INT(lstat(path, &st), 0);
	snprintf(want, sizeof(want), "%u", (unsigned)st.st_uid);
	CHECK_STR(text(ctx, o, IPK_F_UID), want);
	snprintf(want, sizeof(want), "%04o", (unsigned)(st.st_mode & 07777));
	CHECK_STR(text(ctx, o, IPK_F_PERMS), want);
	snprintf(want, sizeof(want), "%lld", (long long)st.st_ctime);
	CHECK_STR(text(ctx, o, IPK_F_CTIME), want);
}

static void test_dev_shm(void)
{
	struct ipk_ctx *ctx = ctx_at("basic");
	struct ipk_filter *f = ipk_filter_new();

	ipk_filter_set_kinds(f, "posix-shm,posix-sem", NULL);
	struct ipk_list *l = ipk_scan(ctx, f, 0);
	/* data, sem.lock and sem.short: no directory, no symlink, no link target */
	CHECK_INT(ipk_list_len(l), 3);
	CHECK(find(l, "posix-shm:/adir") == NULL);
	CHECK(find(l, "posix-shm:/link") == NULL);
	CHECK(find(l, "posix-sem:/alias") == NULL);
	CHECK(find(l, "posix-shm:/sem.lock") == NULL);

	struct ipk_object *o = find(l, "posix-shm:/data");
	CHECK_STR(text(ctx, o, IPK_F_NAME), "/data");
	CHECK_STR(text(ctx, o, IPK_F_SIZE), "4096");
	expect_stat(ctx, o, "dev/shm/data");

	o = find(l, "posix-sem:/lock");
	CHECK_STR(text(ctx, o, IPK_F_NAME), "/lock");
	CHECK_STR(text(ctx, o, IPK_F_VALUE), "5");
	CHECK_STR(json(ctx, o, IPK_F_VALUE), "5");
	CHECK_STR(text(ctx, o, IPK_F_WAITERS), "2");
	expect_stat(ctx, o, "dev/shm/sem.lock");

	/* too short to be a semaphore: the value is unknown, the object listed */
	o = find(l, "posix-sem:/short");
	CHECK(o != NULL);
	CHECK_STR(text(ctx, o, IPK_F_VALUE), "-");
	ipk_list_free(l);
	ipk_filter_free(f);
	ipk_ctx_free(ctx);
}

static void test_mqueue(void)
{
	struct ipk_ctx *ctx = ctx_at("basic");
	struct ipk_filter *f = ipk_filter_new();

	ipk_filter_set_kinds(f, "mq", NULL);
	struct ipk_list *l = ipk_scan(ctx, f, 0);
	CHECK_INT(ipk_list_len(l), 2);
	CHECK_STR(ipk_object_ref(ipk_list_at(l, 0)), "posix-mq:/idle");
	struct ipk_object *o = find(l, "posix-mq:/jobs");
	CHECK_STR(text(ctx, o, IPK_F_SIZE), "120");
	CHECK_STR(text(ctx, o, IPK_F_NOTIFY_PID), "4242");
	CHECK_STR(text(ctx, o, IPK_F_STATUS), "notify");
	CHECK_STR(text(ctx, o, IPK_F_MAXMSG), "-");	/* mq_getattr: live only */
	ipk_list_free(l);
	ipk_filter_free(f);
	ipk_ctx_free(ctx);
}

static void test_lookup(void)
{
	struct ipk_ctx *ctx = ctx_at("basic");
	struct ipk_object *o = NULL;

	CHECK_INT(ipk_lookup(ctx, "shm:32769", &o), 0);
	CHECK_STR(o ? ipk_object_ref(o) : NULL, "sysv-shm:32769");
	ipk_object_free(o);
	CHECK_INT(ipk_lookup(ctx, "psem:lock", &o), 0);
	CHECK_STR(o ? ipk_object_ref(o) : NULL, "posix-sem:/lock");
	ipk_object_free(o);
	CHECK_INT(ipk_lookup(ctx, "sysv-shm:5", &o), -ESRCH);
	CHECK_INT(ipk_lookup(ctx, "posix-shm:/link", &o), -ESRCH);
	CHECK_INT(ipk_lookup(ctx, "posix-shm:/adir", &o), -ESRCH);
	CHECK_INT(ipk_lookup(ctx, "posix-shm:/sem.lock", &o), -ESRCH);
	CHECK_INT(ipk_lookup(ctx, "posix-sem:/alias", &o), -ESRCH);
	CHECK_INT(ipk_lookup(ctx, "sysv-shm:abc", &o), -EINVAL);
	CHECK_INT(ipk_lookup(ctx, "nokind:1", &o), -ENOENT);
	ipk_ctx_free(ctx);
}

static size_t count(struct ipk_ctx *ctx, struct ipk_filter *f)
{
	struct ipk_list *l = ipk_scan(ctx, f, 0);
	size_t n = ipk_list_len(l);

	ipk_list_free(l);
	ipk_filter_free(f);
	return n;
}

static void test_filters(void)
{
	struct ipk_ctx *ctx = ctx_at("basic");
	struct ipk_filter *f;
	char *bad = NULL;

	CHECK_INT(count(ctx, ipk_filter_new()), 12);

	f = ipk_filter_new();
	CHECK_INT(ipk_filter_set_owner(f, "1000"), 0);
	CHECK_INT(count(ctx, f), 3);

	f = ipk_filter_new();
	CHECK_INT(ipk_filter_set_key(f, "0x1234"), 0);
	CHECK_INT(count(ctx, f), 1);

	f = ipk_filter_new();
	ipk_filter_set_name(f, "jo*");	/* matches /jobs without the slash */
	CHECK_INT(count(ctx, f), 1);

	f = ipk_filter_new();
	ipk_filter_set_name(f, "/[dl]*");
	CHECK_INT(count(ctx, f), 2);

	f = ipk_filter_new();
	ipk_filter_set_min_size(f, "1M");
	CHECK_INT(count(ctx, f), 1);

	f = ipk_filter_new();
	ipk_filter_set_kinds(f, "shm", NULL);
	ipk_filter_set_older_than(f, "1d");	/* fixture ctimes are in 2020 */
	CHECK_INT(count(ctx, f), 3);

	f = ipk_filter_new();
	CHECK_INT(ipk_filter_set_kinds(f, "shm,bogus", &bad), -EINVAL);
	CHECK_STR(bad, "bogus");
	free(bad);
	ipk_filter_free(f);

	f = ipk_filter_new();
	CHECK_INT(ipk_filter_set_owner(f, "no-such-user-ipckit"), -ENOENT);
	ipk_filter_free(f);
	ipk_ctx_free(ctx);
}

static void test_reordered_header(void)
{
	struct ipk_ctx *ctx = ctx_at("reordered");
	struct ipk_filter *f = ipk_filter_new();

	ipk_filter_set_kinds(f, "shm", NULL);
	struct ipk_list *l = ipk_scan(ctx, f, 0);
	struct ipk_object *o = find(l, "sysv-shm:7");
	CHECK(o != NULL);
	CHECK_STR(text(ctx, o, IPK_F_KEY), "0x000000ff");
	CHECK_STR(text(ctx, o, IPK_F_SIZE), "8192");
	CHECK_STR(text(ctx, o, IPK_F_CPID), "42");
	CHECK_STR(text(ctx, o, IPK_F_LPID), "43");
	CHECK_STR(text(ctx, o, IPK_F_RSS), "-");	/* no such column there */
	CHECK_INT(ipk_ctx_ndiags(ctx), 0);
	ipk_list_free(l);
	ipk_filter_free(f);
	ipk_ctx_free(ctx);
}

static void test_garbage(void)
{
	struct ipk_ctx *ctx = ctx_at("garbage");
	struct ipk_list *l = ipk_scan(ctx, NULL, 0);

	/* the one good sem line survives; the rest are reported, never invented */
	CHECK_INT(ipk_list_len(l), 1);
	CHECK(find(l, "sysv-sem:5") != NULL);
	bool sem_line = false, msg_header = false, shm_missing = false;
	for (size_t i = 0; i < ipk_ctx_ndiags(ctx); i++) {
		const struct ipk_diag *d = ipk_ctx_diag(ctx, i);
		if (strstr(d->object, "sysvipc/sem") && d->err == EPROTO)
			sem_line = true;
		if (strstr(d->object, "sysvipc/msg") && d->err == EPROTO)
			msg_header = true;
		if (strstr(d->object, "sysvipc/shm") && d->err == ENOENT)
			shm_missing = true;
	}
	CHECK(sem_line);
	CHECK(msg_header);
	CHECK(shm_missing);
	ipk_list_free(l);
	ipk_ctx_free(ctx);
}

static void test_limits(void)
{
	struct ipk_ctx *ctx = ctx_at("basic");
	struct ipk_limit *v;
	size_t n;

	CHECK_INT(ipk_limits(ctx, &v, &n), 0);
	for (size_t i = 0; i < n; i++) {
		const struct ipk_limit *l = &v[i];
		if (strcmp(l->resource, "SEMMNI") == 0) {
			CHECK_INT(l->limit, 32000);
		} else if (strcmp(l->resource, "SEMMNS") == 0) {
			CHECK_INT(l->limit, 1024000000);
		} else if (strcmp(l->resource, "SEMOPM") == 0) {
			CHECK_INT(l->limit, 500);
		} else if (strcmp(l->resource, "SHMALL") == 0) {
			/* pages * page size does not fit in 64 bits: no limit */
			CHECK(l->has_limit && l->unlimited);
			CHECK_INT(ipk_limit_percent(l), -1);
		} else if (strcmp(l->resource, "SHMMAX") == 0) {
			CHECK((uint64_t)l->limit == UINT64_C(18446744073692774399));
		} else if (strcmp(l->resource, "MQ_QUEUES") == 0) {
			CHECK_INT(l->limit, 256);
			CHECK(l->has_used);
			CHECK_INT(l->used, 2);
			CHECK((int)(ipk_limit_percent(l) * 1000) == 781);
		} else if (strcmp(l->resource, "MQ_MSGSIZEDEFAULT") == 0) {
			CHECK_INT(l->limit, 8192);
		} else if (strcmp(l->resource, "PIPE_USER_HARD") == 0) {
			CHECK(l->unlimited);
		} else if (strcmp(l->resource, "MSGMNI") == 0) {
			CHECK(!l->has_used);	/* MSG_INFO is live only */
		}
	}
	free(v);
	ipk_ctx_free(ctx);
}

/* -------------------------------------------------- fd kinds (tests/fixtures/procs) */

static struct ipk_list *scan_kind(struct ipk_ctx *ctx, const char *kinds)
{
	struct ipk_filter *f = ipk_filter_new();

	ipk_filter_set_kinds(f, kinds, NULL);
	struct ipk_list *l = ipk_scan(ctx, f, 0);
	ipk_filter_free(f);
	return l;
}

/* Holders as JSON: who, which fd (null for a mapping), the mode. */
static const char *holders(struct ipk_ctx *ctx, const struct ipk_object *o)
{
	return json(ctx, o, IPK_F_HOLDERS);
}

static void test_fd_kinds(void)
{
	char fifo[PATH_MAX + 64];
	struct stat st;

	/* git keeps no FIFO (nor an empty directory): the one fd 10 of 100 holds is made here */
	snprintf(fifo, sizeof(fifo), "%s/procs/run", fixtures);
	mkdir(fifo, 0755);
	snprintf(fifo, sizeof(fifo), "%s/procs/run/x y.fifo", fixtures);
	unlink(fifo);
	CHECK(mkfifo(fifo, 0640) == 0 && stat(fifo, &st) == 0);
	struct ipk_ctx *ctx = ctx_at("procs");

	/* a pipe held at both ends by two processes: one object; "(x) y" is a command name */
	struct ipk_list *l = scan_kind(ctx, "pipe");
	CHECK_INT(ipk_list_len(l), 1);
	struct ipk_object *o = find(l, "pipe:5001");
	CHECK_STR(text(ctx, o, IPK_F_HOLDERS), "(x) y[100],reader[200]");
	CHECK_STR(text(ctx, o, IPK_F_INODE), "5001");
	ipk_list_free(l);

	/* one eventfd in two processes, joined by eventfd-id; the counter is a u64 */
	l = scan_kind(ctx, "eventfd");
	CHECK_INT(ipk_list_len(l), 1);
	o = find(l, "eventfd:7");
	CHECK_STR(text(ctx, o, IPK_F_VALUE), "18446744073709551614");
	CHECK_STR(json(ctx, o, IPK_F_VALUE), "18446744073709551614");
	CHECK_STR(text(ctx, o, IPK_F_STATUS), "semaphore");
	CHECK_STR(holders(ctx, o), "[{\"pid\": 100, \"comm\": \"(x) y\", \"fd\": 5, \"mode\": null}, "
				   "{\"pid\": 200, \"comm\": \"reader\", \"fd\": 5, \"mode\": null}]");
	ipk_list_free(l);

	/* a timerfd: it_value (5, 500000000) is 5.5 s to go; every 2 s, 3 expirations unread */
	l = scan_kind(ctx, "timerfd");
	CHECK_INT(ipk_list_len(l), 1);
	o = find(l, "timerfd:100:6");
	CHECK_STR(text(ctx, o, IPK_F_VALUE), "5.5");
	CHECK_STR(text(ctx, o, IPK_F_INTERVAL), "2");
	CHECK_STR(text(ctx, o, IPK_F_TICKS), "3");
	CHECK_STR(text(ctx, o, IPK_F_CLOCK), "monotonic");
	CHECK_STR(text(ctx, o, IPK_F_TIMER_FLAGS), "abstime");
	ipk_list_free(l);

	/* a signalfd: sigmask 0x4a00 is bits 9, 11 and 14, signals 10, 12 and 15 */
	l = scan_kind(ctx, "signalfd");
	o = find(l, "signalfd:100:7");
	CHECK_STR(text(ctx, o, IPK_F_SIGNALS), "SIGUSR1,SIGUSR2,SIGTERM");
	CHECK_STR(json(ctx, o, IPK_F_SIGNALS), "[\"SIGUSR1\", \"SIGUSR2\", \"SIGTERM\"]");
	ipk_list_free(l);

	/*
	 * A memfd held by an fd and two mappings of 100 and a mapping of 200:
	 * one object, its name whole (spaces kept, " (deleted)" dropped), two
	 * processes attached, each mapping counted once however many areas.
	 */
	l = scan_kind(ctx, "memfd");
	CHECK_INT(ipk_list_len(l), 1);
	o = find(l, "memfd:4242");
	CHECK_STR(text(ctx, o, IPK_F_NAME), "wayland pool");
	CHECK_STR(text(ctx, o, IPK_F_NATTCH), "2");
	CHECK_STR(holders(ctx, o), "[{\"pid\": 100, \"comm\": \"(x) y\", \"fd\": null, \"mode\": \"rw\"}, "
				   "{\"pid\": 100, \"comm\": \"(x) y\", \"fd\": 8, \"mode\": null}, "
				   "{\"pid\": 200, \"comm\": \"reader\", \"fd\": null, \"mode\": \"r\"}]");
	ipk_list_free(l);

	/* unix sockets of /proc/net/unix: paths with spaces, abstract names, holders */
	l = scan_kind(ctx, "unix");
	CHECK_INT(ipk_list_len(l), 3);
	o = find(l, "unix:6001");
	CHECK_STR(text(ctx, o, IPK_F_NAME), "/run/ipk sock");
	CHECK_STR(text(ctx, o, IPK_F_STATE), "listening");
	CHECK_STR(text(ctx, o, IPK_F_TYPE), "stream");
	CHECK_STR(text(ctx, o, IPK_F_HOLDERS), "(x) y[100]");
	o = find(l, "unix:6002");
	CHECK_STR(text(ctx, o, IPK_F_NAME), "@abstract name");
	CHECK_STR(text(ctx, o, IPK_F_STATE), "connected");
	CHECK_STR(text(ctx, o, IPK_F_HOLDERS), "reader[200]");
	o = find(l, "unix:6003");
	CHECK_STR(text(ctx, o, IPK_F_NAME), "-");
	CHECK_STR(text(ctx, o, IPK_F_TYPE), "dgram");
	CHECK_STR(text(ctx, o, IPK_F_STATE), "unconnected");
	ipk_list_free(l);

	/*
	 * A FIFO: the link's path is read below the root, never followed out
	 * of it (fd 0's /dev/null is not the host's and is no object).
	 */
	l = scan_kind(ctx, "fifo");
	CHECK_INT(ipk_list_len(l), 1);
	o = find(l, "fifo:/run/x y.fifo");
	CHECK_STR(text(ctx, o, IPK_F_NAME), "/run/x y.fifo");
	CHECK_STR(text(ctx, o, IPK_F_PERMS), "0640");
	CHECK_INT(obj_unum(o, IPK_F_INODE), st.st_ino);
	CHECK_STR(text(ctx, o, IPK_F_HOLDERS), "(x) y[100]");
	ipk_list_free(l);
	CHECK_INT(ipk_ctx_ndiags(ctx), 0);
	ipk_ctx_free(ctx);
	unlink(fifo);
	snprintf(fifo, sizeof(fifo), "%s/procs/run", fixtures);
	rmdir(fifo);
}

int main(void)
{
	const char *dir = getenv("IPCKIT_FIXTURES");

	if (!realpath(dir ? dir : "tests/fixtures", fixtures)) {
		perror("tests/fixtures");
		return 1;
	}
	RUN(test_sysv_shm);
	RUN(test_sysv_msg_sem);
	RUN(test_dev_shm);
	RUN(test_mqueue);
	RUN(test_lookup);
	RUN(test_filters);
	RUN(test_reordered_header);
	RUN(test_garbage);
	RUN(test_limits);
	RUN(test_fd_kinds);
	return test_done();
}
