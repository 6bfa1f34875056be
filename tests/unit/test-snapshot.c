/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The diff engine on records made by hand: identity (an id or name taken
 * again is a remove and a create), changes field by field, holders that
 * came and went, noisy fields, copies, order, rates, conditions and the
 * Prometheus text of a snapshot.
 */
#include "snapshot/snapshot.h"
#include "test.h"

static struct ipk_object *sysv(const char *kind, int64_t id, int64_t key, int64_t ctime)
{
	const struct ipk_kind *k = ipk_kind_find(kind);
	struct ipk_object *o = obj_new(k);
	char arg[24];

	snprintf(arg, sizeof(arg), "%lld", (long long)id);
	obj_set_ref(o, arg);
	obj_set_num(o, IPK_F_ID, id);
	obj_set_num(o, IPK_F_KEY, key);
	obj_set_num(o, IPK_F_UID, 0);
	obj_set_num(o, IPK_F_CUID, 0);
	obj_set_num(o, IPK_F_CGID, 0);
	obj_set_num(o, IPK_F_PERMS, 0600);
	obj_set_num(o, IPK_F_CTIME, ctime);
	obj_set_num(o, IPK_F_STATUS, 0);
	obj_set_unum(o, IPK_F_NS, 4026531839u);
	return o;
}

static struct ipk_object *file(const char *kind, const char *name, uint64_t ino)
{
	struct ipk_object *o = obj_new(ipk_kind_find(kind));

	obj_set_posix_name(o, name + 1);
	o->dev = 42;
	obj_set_unum(o, IPK_F_INODE, ino);
	obj_set_num(o, IPK_F_UID, 0);
	obj_set_num(o, IPK_F_PERMS, 0600);
	obj_set_unum(o, IPK_F_SIZE, 4096);
	obj_set_num(o, IPK_F_STATUS, 0);
	return o;
}

/* What a diff reported, as "+REF", "-REF", "~REF:field,field". */
struct log {
	char text[4096];
	size_t holders_came, holders_went;
};

static int record(const struct ipk_event *ev, void *arg)
{
	struct log *l = arg;
	size_t n = strlen(l->text);
	char *p = l->text + n;
	size_t left = sizeof(l->text) - n;

	if (ev->type == IPK_EVENT_CHANGE) {
		n = (size_t)snprintf(p, left, "%s~%s:", n ? " " : "", ipk_object_ref(ev->object));
		for (int f = 0; f < IPK_F_COUNT && n < left; f++)
			if (ev->changed & IPK_FIELD_MASK(f))
				n += (size_t)snprintf(p + n, left - n, "%s,", ipk_field_info(f)->json);
		p[n - 1] = '\0';
	} else {
		snprintf(p, left, "%s%c%s", n ? " " : "", ev->type == IPK_EVENT_CREATE ? '+' : '-',
			 ipk_object_ref(ev->object));
	}
	l->holders_came += ev->ncame;
	l->holders_went += ev->nwent;
	return 0;
}

static void diff(struct ipk_object *a, struct ipk_object *b, uint64_t fields, struct log *l)
{
	struct ipk_snapshot *x = ipk_snapshot_new(), *y = ipk_snapshot_new();

	memset(l, 0, sizeof(*l));
	if (a)
		ipk_snapshot_add(x, a);
	if (b)
		ipk_snapshot_add(y, b);
	ipk_snapshot_diff(x, y, fields, record, l);
	ipk_snapshot_free(x);
	ipk_snapshot_free(y);
}

static void test_sysv_identity(void)
{
	struct log l;
	struct ipk_object *a, *b;

	/* the same segment, attached since */
	a = sysv("sysv-shm", 5, 0, 1000);
	obj_set_num(a, IPK_F_CPID, 100);
	b = ipk_object_dup(a);
	obj_set_unum(b, IPK_F_NATTCH, 1);
	obj_set_unum(a, IPK_F_NATTCH, 0);
	diff(a, b, 0, &l);
	CHECK_STR(l.text, "~sysv-shm:5:nattch");

	/* the id taken by another process's segment within the same second */
	a = sysv("sysv-shm", 5, 0, 1000);
	obj_set_num(a, IPK_F_CPID, 100);
	b = sysv("sysv-shm", 5, 0, 1000);
	obj_set_num(b, IPK_F_CPID, 200);
	diff(a, b, 0, &l);
	CHECK_STR(l.text, "-sysv-shm:5 +sysv-shm:5");

	/* a queue of the same key and creator, but younger: its ctime went back */
	a = sysv("sysv-msg", 7, 0x1234, 2000);
	b = sysv("sysv-msg", 7, 0x1234, 1999);
	diff(a, b, 0, &l);
	CHECK_STR(l.text, "-sysv-msg:7 +sysv-msg:7");

	/* a queue that was sent to once never becomes "never sent to" */
	a = sysv("sysv-msg", 7, 0x1234, 2000);
	obj_set_num(a, IPK_F_ATIME, 2100);
	b = sysv("sysv-msg", 7, 0x1234, 2000);
	diff(a, b, 0, &l);
	CHECK_STR(l.text, "-sysv-msg:7 +sysv-msg:7");

	/* an array of another size under the same id */
	a = sysv("sysv-sem", 3, 0, 1000);
	obj_set_unum(a, IPK_F_NSEMS, 2);
	b = sysv("sysv-sem", 3, 0, 1000);
	obj_set_unum(b, IPK_F_NSEMS, 3);
	diff(a, b, 0, &l);
	CHECK_STR(l.text, "-sysv-sem:3 +sysv-sem:3");

	/* IPC_RMID while attached: the key becomes IPC_PRIVATE, the object stays */
	a = sysv("sysv-shm", 9, 0x4242, 1000);
	b = sysv("sysv-shm", 9, 0, 1000);
	obj_set_num(b, IPK_F_STATUS, IPK_ST_DEST);
	diff(a, b, 0, &l);
	CHECK_STR(l.text, "~sysv-shm:9:key,status");
	/* ... but a key gone to 0 without DEST is another object */
	a = sysv("sysv-shm", 9, 0x4242, 1000);
	b = sysv("sysv-shm", 9, 0, 1000);
	diff(a, b, 0, &l);
	CHECK_STR(l.text, "-sysv-shm:9 +sysv-shm:9");

	/* a chmod (IPC_SET) is a change of mode and ctime, not a new object */
	a = sysv("sysv-msg", 1, 0, 1000);
	b = sysv("sysv-msg", 1, 0, 1500);
	obj_set_num(b, IPK_F_PERMS, 0640);
	diff(a, b, 0, &l);
	CHECK_STR(l.text, "~sysv-msg:1:perms,ctime");

	/* the same id in two namespaces: two objects */
	a = sysv("sysv-msg", 1, 0, 1000);
	b = sysv("sysv-msg", 1, 0, 1000);
	obj_set_unum(b, IPK_F_NS, 4026532000u);
	diff(a, b, 0, &l);
	CHECK_STR(l.text, "-sysv-msg:1 +sysv-msg:1");
}

static void test_file_identity(void)
{
	struct log l;

	/* unlinked and made again under the same name */
	diff(file("posix-shm", "/x", 10), file("posix-shm", "/x", 11), 0, &l);
	CHECK_STR(l.text, "-posix-shm:/x +posix-shm:/x");
	/* renamed: the same inode */
	diff(file("posix-shm", "/x", 10), file("posix-shm", "/y", 10), 0, &l);
	CHECK_STR(l.text, "~posix-shm:/y:ref,name");
	/* resized */
	struct ipk_object *b = file("posix-shm", "/x", 10);
	obj_set_unum(b, IPK_F_SIZE, 8192);
	diff(file("posix-shm", "/x", 10), b, 0, &l);
	CHECK_STR(l.text, "~posix-shm:/x:size");
	/* ... reported only when asked for among --fields */
	b = file("posix-shm", "/x", 10);
	obj_set_unum(b, IPK_F_SIZE, 8192);
	diff(file("posix-shm", "/x", 10), b, IPK_FIELD_MASK(IPK_F_PERMS), &l);
	CHECK_STR(l.text, "");
	/* a semaphore's atime moves when we read it: noise */
	struct ipk_object *a = file("posix-sem", "/s", 3);
	b = file("posix-sem", "/s", 3);
	obj_set_num(a, IPK_F_ATIME, 100);
	obj_set_num(b, IPK_F_ATIME, 200);
	diff(a, b, 0, &l);
	CHECK_STR(l.text, "");
}

static struct ipk_object *held(const char *kind, const char *arg, const pid_t *pids, size_t n)
{
	struct ipk_object *o = obj_new(ipk_kind_find(kind));
	struct ipk_holder *h = calloc(n ? n : 1, sizeof(*h));

	obj_set_ref(o, arg);
	for (size_t i = 0; i < n; i++) {
		h[i].pid = pids[i];
		h[i].fd = 3;
		snprintf(h[i].comm, sizeof(h[i].comm), "p%d", (int)pids[i]);
	}
	o->holders = h;
	o->nholders = (uint32_t)n;
	o->heap = o->holders_heap = true;
	fieldset_add(&o->present, IPK_F_HOLDERS);
	obj_set_num(o, IPK_F_STATUS, 0);
	return o;
}

static void test_holders_and_noise(void)
{
	struct log l;
	const pid_t before[] = { 10, 20, 30 }, after[] = { 20, 30, 40, 50 };

	diff(held("eventfd", "7", before, 3), held("eventfd", "7", after, 4), 0, &l);
	CHECK_STR(l.text, "~eventfd:7:holders");
	CHECK_INT(l.holders_came, 2);
	CHECK_INT(l.holders_went, 1);

	/* a timer's countdown is no change, unless asked for */
	struct ipk_object *a = held("timerfd", "1:5", before, 1), *b = held("timerfd", "1:5", before, 1);
	obj_set_num(a, IPK_F_VALUE, 5000000000);
	obj_set_num(b, IPK_F_VALUE, 4000000000);
	diff(ipk_object_dup(a), ipk_object_dup(b), 0, &l);
	CHECK_STR(l.text, "");
	diff(a, b, IPK_FIELD_MASK(IPK_F_VALUE), &l);
	CHECK_STR(l.text, "~timerfd:1:5:value");

	/* fds of a kind without identity of their own: the REF */
	diff(held("pipe", "100", before, 1), held("pipe", "101", before, 1), 0, &l);
	CHECK_STR(l.text, "-pipe:100 +pipe:101");
}

static void test_dup_and_order(void)
{
	struct ipk_object *sem = sysv("sysv-sem", 2, 0, 1000);
	int64_t *v = obj_alloc_list(sem, 3);
	v[0] = 1, v[1] = 2, v[2] = 3;
	obj_set_list(sem, IPK_F_VALUE, v, 3);
	struct ipk_object *copy = ipk_object_dup(sem);
	ipk_object_free(sem);
	struct ipk_value val;
	ipk_object_get(copy, IPK_F_VALUE, &val);
	CHECK(val.is_list && val.list.n == 3 && val.list.v[2] == 3);
	CHECK_STR(ipk_object_ref(copy), "sysv-sem:2");

	struct ipk_snapshot *s = ipk_snapshot_new();
	ipk_snapshot_add(s, file("posix-shm", "/b", 2));
	ipk_snapshot_add(s, copy);
	ipk_snapshot_add(s, sysv("sysv-msg", 9, 0, 1));
	ipk_snapshot_add(s, sysv("sysv-msg", 3, 0, 1));
	ipk_snapshot_add(s, file("posix-shm", "/a", 1));
	/* the same identity again replaces */
	ipk_snapshot_add(s, file("posix-shm", "/a", 1));
	CHECK_INT(ipk_snapshot_len(s), 5);
	const char *want[] = { "sysv-msg:3", "sysv-msg:9", "sysv-sem:2", "posix-shm:/a",
			       "posix-shm:/b" };
	for (size_t i = 0; i < 5; i++)
		CHECK_STR(ipk_object_ref(ipk_snapshot_at(s, i)), want[i]);
	CHECK(ipk_snapshot_find(s, "posix-shm:/b") != NULL);
	CHECK(ipk_snapshot_find(s, "posix-shm:/c") == NULL);
	ipk_snapshot_free(s);
}

/* Puts @o as a watch would and returns the entry's rates. */
static void put(struct ipk_snapshot *s, struct ipk_object *o, int64_t t, struct log *l)
{
	struct emit em = { .fn = record, .arg = l, .now = t };
	int rc;

	snap_put(s, o, 0, 1, &em, &rc);
}

static void test_rates(void)
{
	struct ipk_snapshot *s = ipk_snapshot_new();
	struct log l = { 0 };
	int64_t t = 1000 * INT64_C(1000000000);

	for (int i = 0; i <= 5; i++) {
		struct ipk_object *q = sysv("sysv-msg", 4, 0, 1000);
		obj_set_unum(q, IPK_F_MESSAGES, (uint64_t)(i * 3));
		put(s, q, t + i * INT64_C(1000000000), &l);
	}
	/* drained by 7 */
	struct ipk_object *q = sysv("sysv-msg", 4, 0, 1000);
	obj_set_unum(q, IPK_F_MESSAGES, 8);
	put(s, q, t + 6 * INT64_C(1000000000), &l);
	struct ipk_rates r;
	struct timespec now = { .tv_sec = 1006 };
	CHECK_INT(ipk_snapshot_rates(s, ipk_snapshot_find(s, "sysv-msg:4"), &now, &r), 0);
	CHECK_INT(r.total_msgs_in, 15);
	CHECK_INT(r.total_msgs_out, 7);
	CHECK_INT(r.total_changes, 6);
	/* 3 a second for five seconds, smoothed over five: well above 1, below 3 */
	CHECK(r.msgs_in > 1.0 && r.msgs_in < 3.0);
	CHECK(r.msgs_out > 1.0);
	CHECK_INT(r.first_seen.tv_sec, 1000);
	CHECK_INT(r.last_change.tv_sec, 1006);

	/* semaphore operations from how far the values moved */
	struct ipk_object *a = sysv("sysv-sem", 8, 0, 1000);
	int64_t *v = obj_alloc_list(a, 2);
	v[0] = 5, v[1] = 0;
	obj_set_list(a, IPK_F_VALUE, v, 2);
	obj_set_unum(a, IPK_F_NSEMS, 2);
	put(s, a, t, &l);
	struct ipk_object *b = ipk_object_dup(a);
	v = obj_alloc_list(b, 2);
	v[0] = 2, v[1] = 1;
	obj_set_list(b, IPK_F_VALUE, v, 2);
	put(s, b, t + 1, &l);
	CHECK_INT(ipk_snapshot_rates(s, ipk_snapshot_find(s, "sysv-sem:8"), &now, &r), 0);
	CHECK_INT(r.total_sem_ops, 4);
	ipk_snapshot_free(s);
}

static void test_conditions(void)
{
	struct ipk_ctx *ctx = ipk_ctx_new();
	struct ipk_snapshot *s = ipk_snapshot_new();
	struct ipk_object *q = file("posix-mq", "/jobs.v2", 5);
	obj_set_unum(q, IPK_F_MESSAGES, 10);
	ipk_snapshot_add(s, q);
	struct ipk_object *o = file("posix-shm", "/o", 6);
	obj_set_num(o, IPK_F_STATUS, IPK_ST_ORPHAN);
	ipk_snapshot_add(s, o);
	static const struct {
		const char *text;
		bool holds;
	} cases[] = {
		{ "gone:posix-mq:/jobs.v2", false },
		{ "gone:mq:/other", true },
		{ "exists:posix-mq:/jobs.v2", true },
		{ "posix-mq:/jobs.v2.messages>=10", true },
		{ "posix-mq:/jobs.v2.messages>10", false },
		{ "posix-mq:/jobs.v2.MSGS==10", true },
		{ "posix-mq:/jobs.v2.size>=4K", true },
		{ "posix-mq:/jobs.v2.perms==0600", true },
		{ "posix-mq:/jobs.v2.owner!=root", false },
		{ "posix-mq:/gone.messages>=0", false },
		{ "orphans>0", true },
		{ "orphans>1", false },
		{ "objects==2", true },
		{ "posix-shm<1", false },
		{ "sysv-shm==0", true },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct ipk_cond *c = NULL;
		const char *why = NULL;
		test_current = cases[i].text;
		CHECK_INT(ipk_cond_parse(cases[i].text, &c, &why), 0);
		if (c)
			CHECK_INT(ipk_cond_eval(c, ctx, s, NULL), cases[i].holds);
		ipk_cond_free(c);
	}
	static const char *const bad[] = {
		"", "gone:", "gone:nokind:1", "posix-mq:/x.nofield>1", "posix-mq:/x.messages>lots",
		"posix-mq:/x.owner>root", "nonsense>1", "orphans>many", "orphans",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct ipk_cond *c = NULL;
		const char *why = NULL;
		test_current = bad[i];
		CHECK_INT(ipk_cond_parse(bad[i], &c, &why), -EINVAL);
		CHECK(why != NULL && c == NULL);
	}
	test_current = "conditions";
	ipk_snapshot_free(s);
	ipk_ctx_free(ctx);
}

static void test_prometheus(void)
{
	struct ipk_ctx *ctx = ipk_ctx_new();
	struct ipk_snapshot *s = ipk_snapshot_new();
	struct ipk_buf b = { 0 };
	uint64_t dropped = 0;

	ipk_ctx_set_sysroot(ctx, "/nonexistent");	/* no limits: only what is given */
	ipk_snapshot_add(s, file("posix-shm", "/a\"b\\c\nd", 1));
	ipk_snapshot_add(s, file("posix-shm", "/bad\xff", 2));
	struct ipk_prom_opts o = { .per_object = true, .max_series = 1, .scan_seconds = 0.25 };
	CHECK_INT(ipk_prometheus(ctx, s, NULL, &o, &b, &dropped), 0);
	CHECK(strstr(b.s, "ipckit_objects{kind=\"posix-shm\"} 2\n") != NULL);
	CHECK(strstr(b.s, "ipckit_size_bytes{kind=\"posix-shm\"} 8192\n") != NULL);
	CHECK(strstr(b.s, "# TYPE ipckit_objects gauge\n") != NULL);
	/* every kind was read: each says so */
	CHECK(strstr(b.s, "ipckit_scan_success{kind=\"posix-shm\"} 1\n") != NULL);
	/* the ref as commands take it back, on one line; the name as it is */
	CHECK(strstr(b.s, "ref=\"posix-shm:/a\\\"b\\\\x5cc\\\\x0ad\"") != NULL);
	CHECK(strstr(b.s, "name=\"/a\\\"b\\\\c\\nd\"") != NULL);
	/* bytes that are not UTF-8 never reach a label */
	CHECK(strstr(b.s, "\xff") == NULL);
	/* one series an object here (a size): one fits in 1, the other is dropped */
	CHECK_INT(dropped, 1);
	CHECK(strstr(b.s, "ipckit_series_dropped_total 1\n") != NULL);
	CHECK(strstr(b.s, "ipckit_scan_duration_seconds 0.250000\n") != NULL);
	ipk_buf_free(&b);
	ipk_snapshot_free(s);
	ipk_ctx_free(ctx);
}

int main(void)
{
	RUN(test_sysv_identity);
	RUN(test_file_identity);
	RUN(test_holders_and_noise);
	RUN(test_dup_and_order);
	RUN(test_rates);
	RUN(test_conditions);
	RUN(test_prometheus);
	return test_done();
}
