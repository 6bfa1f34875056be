/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The library against the live kernel, inside the private namespace of
 * tests/run-in-ns: values only system calls give (GETALL, MSG_STAT_ANY,
 * mq_getattr), the *_STAT_ANY fallback, "no access" for another user,
 * objects vanishing during scans, and scans that change nothing.
 */
#include "internal.h"
#include "test.h"

#include <dirent.h>
#include <fcntl.h>
#include <mqueue.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/eventfd.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

static struct ipk_object *lookup(struct ipk_ctx *ctx, const char *kind, int id)
{
	char ref[64];
	struct ipk_object *o = NULL;

	if (id >= 0)
		snprintf(ref, sizeof(ref), "%s:%d", kind, id);
	else
		snprintf(ref, sizeof(ref), "%s", kind);
	int rc = ipk_lookup(ctx, ref, &o);
	if (rc)
		printf("# lookup %s: %s\n", ref, strerror(-rc));
	return o;
}

static const char *text(struct ipk_ctx *ctx, const struct ipk_object *o, int field)
{
	static struct ipk_buf b;
	struct ipk_format fmt = { .exact_bytes = true, .numeric_perms = true };

	ipk_buf_reset(&b);
	if (!o)
		return "(no object)";
	ipk_field_text(ctx, o, field, &fmt, &b);
	return b.s;
}

static void test_sysv_sem_values(void)
{
	struct ipk_ctx *ctx = ipk_ctx_new();
	int id = semget(IPC_PRIVATE, 3, IPC_CREAT | 0600);
	unsigned short v[3] = { 4, 0, 9 };

	CHECK(id >= 0);
	CHECK_INT(semctl(id, 0, SETALL, (union semun){ .array = v }), 0);

	/* a waiter blocked decrementing semaphore 1 shows in its ncount */
	pid_t child = fork();
	if (child == 0) {
		struct sembuf op = { .sem_num = 1, .sem_op = -1 };
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		semop(id, &op, 1);
		_exit(0);
	}
	for (int i = 0; i < 500 && semctl(id, 1, GETNCNT) < 1; i++)
		usleep(2000);

	struct ipk_object *o = lookup(ctx, "sysv-sem", id);
	CHECK_STR(text(ctx, o, IPK_F_VALUE), "4,0,9");
	CHECK_STR(text(ctx, o, IPK_F_SEMNCNT), "0,1,0");
	CHECK_STR(text(ctx, o, IPK_F_SEMZCNT), "0,0,0");
	CHECK_STR(text(ctx, o, IPK_F_NSEMS), "3");
	struct ipk_buf b = { 0 };
	ipk_object_json(ctx, o, NULL, 0, &b);
	CHECK(strstr(b.s, "\"value\": [4, 0, 9]") != NULL);
	CHECK(strstr(b.s, "\"semncnt\": [0, 1, 0]") != NULL);
	ipk_buf_free(&b);
	ipk_object_free(o);

	/* releasing the waiter makes it the last operator of semaphore 1 */
	struct sembuf up = { .sem_num = 1, .sem_op = 1 };
	semop(id, &up, 1);
	waitpid(child, NULL, 0);
	o = lookup(ctx, "sysv-sem", id);
	char want[64];
	/* SETALL made this process the last operator of every semaphore */
	snprintf(want, sizeof(want), "%d,%d,%d", (int)getpid(), (int)child, (int)getpid());
	CHECK_STR(text(ctx, o, IPK_F_SEMPID), want);
	ipk_object_free(o);
	semctl(id, 0, IPC_RMID);
	ipk_ctx_free(ctx);
}

static void test_sysv_msg_qbytes(void)
{
	struct ipk_ctx *ctx = ipk_ctx_new();
	int id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	struct msqid_ds ds;
	struct {
		long type;
		char text[10];
	} m = { 1, "123456789" };

	CHECK_INT(msgctl(id, IPC_STAT, &ds), 0);
	ds.msg_qbytes = 12345;
	CHECK_INT(msgctl(id, IPC_SET, &ds), 0);
	CHECK_INT(msgsnd(id, &m, 10, 0), 0);
	CHECK_INT(msgsnd(id, &m, 10, 0), 0);

	struct ipk_object *o = lookup(ctx, "sysv-msg", id);
	CHECK_STR(text(ctx, o, IPK_F_CAPACITY), "12345");
	CHECK_STR(text(ctx, o, IPK_F_SIZE), "20");
	CHECK_STR(text(ctx, o, IPK_F_MESSAGES), "2");
	char pid[16];
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	CHECK_STR(text(ctx, o, IPK_F_LSPID), pid);
	CHECK_STR(text(ctx, o, IPK_F_LPID), pid);
	ipk_object_free(o);

	/* the listing finds it too, with the same capacity */
	struct ipk_filter *f = ipk_filter_new();
	ipk_filter_set_kinds(f, "msg", NULL);
	struct ipk_list *l = ipk_scan(ctx, f, 0);
	bool found = false;
	for (size_t i = 0; i < ipk_list_len(l); i++) {
		o = ipk_list_at(l, i);
		if (o->id == id) {
			found = true;
			CHECK_STR(text(ctx, o, IPK_F_CAPACITY), "12345");
		}
	}
	CHECK(found);
	ipk_list_free(l);
	ipk_filter_free(f);
	msgctl(id, IPC_RMID, NULL);
	ipk_ctx_free(ctx);
}

static void test_sysv_shm_status(void)
{
	struct ipk_ctx *ctx = ipk_ctx_new();
	int id = shmget(IPC_PRIVATE, 8192, IPC_CREAT | 0640);
	char *addr = shmat(id, NULL, 0);

	CHECK(addr != (void *)-1);
	memset(addr, 1, 8192);
	struct ipk_object *o = lookup(ctx, "sysv-shm", id);
	CHECK_STR(text(ctx, o, IPK_F_NATTCH), "1");
	CHECK_STR(text(ctx, o, IPK_F_STATUS), "-");
	CHECK_STR(text(ctx, o, IPK_F_RSS), "8192");
	CHECK_STR(text(ctx, o, IPK_F_PERMS), "0640");
	ipk_object_free(o);

	shmctl(id, IPC_RMID, NULL);
	o = lookup(ctx, "sysv-shm", id);
	CHECK_STR(text(ctx, o, IPK_F_STATUS), "dest");
	ipk_object_free(o);
	shmdt(addr);
	char ref[32];
	snprintf(ref, sizeof(ref), "sysv-shm:%d", id);
	CHECK_INT(ipk_lookup(ctx, ref, &o), -ESRCH);	/* gone with the last detach */
	ipk_ctx_free(ctx);
}

/*
 * Every way of reading SysV objects gives the same records: the text of
 * /proc/sysvipc (a context that asks the kernel nothing), the *_STAT_ANY
 * calls a live listing makes for queues and arrays, and SHM_STAT_ANY where
 * /proc/sysvipc/shm is missing.
 */
static void test_sysv_sources_agree(void)
{
	struct ipk_ctx *live = ipk_ctx_new(), *text = ipk_ctx_new(), *stat_any = ipk_ctx_new();
	struct ipk_filter *f = ipk_filter_new();
	unsigned short v[2] = { 1, 2 };
	int shm = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	int msg = msgget(0x1234abcd, IPC_CREAT | 0644);
	int sem = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
	struct {
		long type;
		char text[4];
	} m = { 1, "abc" };

	semctl(sem, 0, SETALL, (union semun){ .array = v });
	msgsnd(msg, &m, 4, 0);
	text->live = false;		/* root "/", but no system calls */
	stat_any->force_stat_any = true;
	ipk_filter_set_kinds(f, "msg,sem,shm", NULL);
	struct ipk_list *a = ipk_scan(live, f, 0), *b = ipk_scan(text, f, 0);
	struct ipk_list *c = ipk_scan(stat_any, f, 0);
	CHECK_INT(ipk_list_len(a), 3);
	CHECK_INT(ipk_list_len(b), 3);
	CHECK_INT(ipk_list_len(c), 3);
	for (size_t i = 0; i < 3 && i < ipk_list_len(a) && i < ipk_list_len(b) &&
			   i < ipk_list_len(c); i++) {
		struct ipk_object *x = ipk_list_at(a, i), *y = ipk_list_at(b, i);
		struct ipk_object *z = ipk_list_at(c, i);
		struct ipk_buf jx = { 0 }, jy = { 0 }, jz = { 0 };

		/* what only system calls tell: qbytes, values, the namespace */
		static const int syscalls_only[] = { IPK_F_CAPACITY, IPK_F_VALUE, IPK_F_NS };
		for (size_t k = 0; k < ARRAY_SIZE(syscalls_only); k++) {
			fieldset_del(&x->present, syscalls_only[k]);
			fieldset_del(&y->present, syscalls_only[k]);
			fieldset_del(&z->present, syscalls_only[k]);
		}
		ipk_object_json(live, x, NULL, 0, &jx);
		ipk_object_json(text, y, NULL, 0, &jy);
		CHECK_STR(jy.s, jx.s);
		/* SHM_STAT_ANY has no rss and swap */
		fieldset_del(&x->present, IPK_F_RSS);
		fieldset_del(&x->present, IPK_F_SWAP);
		fieldset_del(&z->present, IPK_F_RSS);
		fieldset_del(&z->present, IPK_F_SWAP);
		ipk_buf_reset(&jx);
		ipk_object_json(live, x, NULL, 0, &jx);
		ipk_object_json(stat_any, z, NULL, 0, &jz);
		CHECK_STR(jz.s, jx.s);
		ipk_buf_free(&jx);
		ipk_buf_free(&jy);
		ipk_buf_free(&jz);
	}
	CHECK_INT(ipk_ctx_ndiags(live) + ipk_ctx_ndiags(text) + ipk_ctx_ndiags(stat_any), 0);
	ipk_list_free(a);
	ipk_list_free(b);
	ipk_list_free(c);
	ipk_filter_free(f);
	shmctl(shm, IPC_RMID, NULL);
	msgctl(msg, IPC_RMID, NULL);
	semctl(sem, 0, IPC_RMID);
	ipk_ctx_free(live);
	ipk_ctx_free(text);
	ipk_ctx_free(stat_any);
}

static void test_posix(void)
{
	struct ipk_ctx *ctx = ipk_ctx_new();
	struct mq_attr attr = { .mq_maxmsg = 3, .mq_msgsize = 100 };
	mqd_t q = mq_open("/ipk-live-q", O_CREAT | O_RDWR, 0640, &attr);
	sem_t *s = sem_open("/ipk-live-s", O_CREAT, 0600, 7);
	int fd = shm_open("/ipk-live-m", O_CREAT | O_RDWR, 0600);

	CHECK(q != (mqd_t)-1 && s != SEM_FAILED && fd >= 0);
	CHECK_INT(mq_send(q, "1234567", 7, 0), 0);
	CHECK_INT(ftruncate(fd, 65536), 0);

	struct ipk_object *o = lookup(ctx, "posix-mq:/ipk-live-q", -1);
	CHECK_STR(text(ctx, o, IPK_F_SIZE), "7");
	CHECK_STR(text(ctx, o, IPK_F_MESSAGES), "1");
	CHECK_STR(text(ctx, o, IPK_F_MAXMSG), "3");
	CHECK_STR(text(ctx, o, IPK_F_MSGSIZE), "100");
	CHECK_STR(text(ctx, o, IPK_F_CAPACITY), "300");
	CHECK_STR(text(ctx, o, IPK_F_PERMS), "0640");
	ipk_object_free(o);

	o = lookup(ctx, "posix-sem:/ipk-live-s", -1);
	CHECK_STR(text(ctx, o, IPK_F_VALUE), "7");
	CHECK_STR(text(ctx, o, IPK_F_WAITERS), "0");
	ipk_object_free(o);
	sem_post(s);
	o = lookup(ctx, "posix-sem:/ipk-live-s", -1);
	CHECK_STR(text(ctx, o, IPK_F_VALUE), "8");
	ipk_object_free(o);

	o = lookup(ctx, "posix-shm:/ipk-live-m", -1);
	CHECK_STR(text(ctx, o, IPK_F_SIZE), "65536");
	ipk_object_free(o);

	mq_close(q);
	mq_unlink("/ipk-live-q");
	sem_close(s);
	sem_unlink("/ipk-live-s");
	close(fd);
	shm_unlink("/ipk-live-m");
	ipk_ctx_free(ctx);
}

static size_t entries(const char *dir)
{
	DIR *d = opendir(dir);
	size_t n = 0;

	if (!d)
		return 0;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static size_t lines(const char *file)
{
	FILE *f = fopen(file, "r");
	size_t n = 0;
	int c;

	if (!f)
		return 0;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* A listing creates nothing: the same objects before and after. */
static void test_scan_changes_nothing(void)
{
	struct ipk_ctx *ctx = ipk_ctx_new();
	const char *mq = getenv("IPCKIT_TEST_MQUEUE");
	size_t shm = lines("/proc/sysvipc/shm"), msg = lines("/proc/sysvipc/msg");
	size_t sem = lines("/proc/sysvipc/sem"), devshm = entries("/dev/shm");
	size_t queues = mq ? entries(mq) : 0;

	for (int i = 0; i < 3; i++) {
		struct ipk_list *l = ipk_scan(ctx, NULL, IPK_SCAN_DETAIL);
		ipk_list_free(l);
		struct ipk_limit *v;
		size_t n;
		if (ipk_limits(ctx, &v, &n) == 0)
			free(v);
	}
	CHECK_INT(lines("/proc/sysvipc/shm"), shm);
	CHECK_INT(lines("/proc/sysvipc/msg"), msg);
	CHECK_INT(lines("/proc/sysvipc/sem"), sem);
	CHECK_INT(entries("/dev/shm"), devshm);
	if (mq)
		CHECK_INT(entries(mq), queues);
	CHECK_INT(ipk_ctx_ndiags(ctx), 0);
	ipk_ctx_free(ctx);
}

/* Objects a user may not read show "no access"; they are never dropped. */
/* One object of each named kind, System V and POSIX, for scans that want every kind. */
struct named_set {
	int msg, sem, shm, pshm;
	mqd_t q;
	sem_t *s;
	char mq[32], psem[32], pshm_name[32];
};

static void named_set_make(struct named_set *n, const char *tag)
{
	struct mq_attr attr = { .mq_maxmsg = 2, .mq_msgsize = 16 };

	snprintf(n->mq, sizeof(n->mq), "/ipk-%s-q", tag);
	snprintf(n->psem, sizeof(n->psem), "/ipk-%s-s", tag);
	snprintf(n->pshm_name, sizeof(n->pshm_name), "/ipk-%s-m", tag);
	n->msg = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	n->sem = semget(IPC_PRIVATE, 3, IPC_CREAT | 0640);
	n->shm = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	n->q = mq_open(n->mq, O_CREAT | O_RDWR, 0600, &attr);
	n->s = sem_open(n->psem, O_CREAT, 0600, 2);
	n->pshm = shm_open(n->pshm_name, O_CREAT | O_RDWR, 0600);
	CHECK(n->msg >= 0 && n->sem >= 0 && n->shm >= 0 && n->q != (mqd_t)-1 &&
	      n->s != SEM_FAILED && n->pshm >= 0);
}

static void named_set_drop(struct named_set *n)
{
	msgctl(n->msg, IPC_RMID, NULL);
	semctl(n->sem, 0, IPC_RMID);
	shmctl(n->shm, IPC_RMID, NULL);
	mq_close(n->q);
	mq_unlink(n->mq);
	sem_close(n->s);
	sem_unlink(n->psem);
	close(n->pshm);
	shm_unlink(n->pshm_name);
}

/*
 * The fields of its objects that a kind has not (ipk_kind_has_field())
 * but that are present or unreadable in them: there may be none, or a
 * column, a JSON member or a metric with no meaning for the kind would
 * show a value (or "no access") where it promises null.
 */
static size_t fields_beyond_kind(const struct ipk_list *l)
{
	size_t bad = 0;

	for (size_t i = 0; i < ipk_list_len(l); i++) {
		const struct ipk_object *o = ipk_list_at(l, i);
		for (int f = 0; f < IPK_F_COUNT; f++) {
			struct ipk_value v;
			if (ipk_kind_has_field(ipk_object_kind(o), f))
				continue;
			ipk_object_get(o, f, &v);
			if (v.presence != IPK_ABSENT) {
				printf("# %s: %s is there, its kind has not the field\n",
				       ipk_object_ref(o), ipk_field_info(f)->json);
				bad++;
			}
		}
	}
	return bad;
}

/* One object of every kind, held by this process; each has only its kind's fields. */
static void test_kinds_have_only_their_fields(void)
{
	struct ipk_ctx *ctx = ipk_ctx_new();
	struct named_set named;
	named_set_make(&named, "fields");
	void *at = shmat(named.shm, NULL, 0);
	char fifo[64] = "/tmp/ipk-fields-XXXXXX";	/* room for "/f" after it */
	int p[2] = { -1, -1 }, sp[2] = { -1, -1 }, ff = -1;
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR2);
	CHECK(mkdtemp(fifo) != NULL);
	strcat(fifo, "/f");
	CHECK_INT(mkfifo(fifo, 0600), 0);
	ff = open(fifo, O_RDWR | O_NONBLOCK);
	CHECK_INT(pipe(p), 0);
	CHECK_INT(write(p[1], "ab", 2), 2);
	CHECK_INT(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	int efd = eventfd(3, 0), tfd = timerfd_create(CLOCK_MONOTONIC, 0);
	int sfd = signalfd(-1, &mask, 0), mfd = memfd_create("ipk fields", 0);
	int pfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	CHECK(at != (void *)-1 && ff >= 0 && efd >= 0 && tfd >= 0 && sfd >= 0 && mfd >= 0 &&
	      pfd >= 0);
	for (int detail = 0; detail < 2; detail++) {
		struct ipk_list *l = ipk_scan(ctx, NULL, detail ? IPK_SCAN_DETAIL : 0);
		size_t kinds = 0;
		const struct ipk_kind *last = NULL;
		for (size_t i = 0; i < ipk_list_len(l); i++) {
			kinds += ipk_object_kind(ipk_list_at(l, i)) != last;
			last = ipk_object_kind(ipk_list_at(l, i));
		}
		CHECK_INT(kinds, ipk_kind_count());
		CHECK_INT(fields_beyond_kind(l), 0);
		ipk_list_free(l);
	}
	shmdt(at);
	named_set_drop(&named);
	close(ff);
	unlink(fifo);
	*strrchr(fifo, '/') = '\0';
	rmdir(fifo);
	for (int i = 0; i < 2; i++) {
		close(p[i]);
		close(sp[i]);
	}
	close(efd);
	close(tfd);
	close(sfd);
	close(mfd);
	close(pfd);
	ipk_ctx_free(ctx);
}

static void test_no_access(void)
{
	int sem = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
	sem_t *s = sem_open("/ipk-private-s", O_CREAT, 0600, 1);
	struct mq_attr attr = { .mq_maxmsg = 2, .mq_msgsize = 16 };
	mqd_t q = mq_open("/ipk-private-q", O_CREAT | O_RDWR, 0600, &attr);
	int pipefd[2];

	if (getenv("IPCKIT_USERNS")) {
		printf("ok %d - test_no_access # SKIP only uid 0 exists in this user namespace\n",
		       ++test_count);
		goto out;
	}
	CHECK_INT(pipe(pipefd), 0);
	pid_t child = fork();
	if (child == 0) {
		struct ipk_buf b = { 0 };
		close(pipefd[0]);
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(3);
		struct ipk_ctx *ctx = ipk_ctx_new();
		struct ipk_list *l = ipk_scan(ctx, NULL, 0);
		for (size_t i = 0; i < ipk_list_len(l); i++) {
			ipk_object_json(ctx, ipk_list_at(l, i), NULL, 0, &b);
			ipk_buf_puts(&b, "\n");
		}
		ipk_buf_printf(&b, "diags %zu\n", ipk_ctx_ndiags(ctx));
		ipk_buf_printf(&b, "beyond %zu\n", fields_beyond_kind(l));
		if (write(pipefd[1], b.s, b.len) != (ssize_t)b.len)
			_exit(4);
		_exit(0);
	}
	close(pipefd[1]);
	char *out = NULL;
	size_t len;
	CHECK_INT(read_fd_all(pipefd[0], &out, &len), 0);
	close(pipefd[0]);
	int status;
	waitpid(child, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	char want[64];
	snprintf(want, sizeof(want), "\"ref\": \"sysv-sem:%d\"", sem);
	const char *line = out ? strstr(out, want) : NULL;
	CHECK(line != NULL);
	CHECK(line && strstr(line, "\"value\": null") && strstr(line, "\"no_access\": [\"value\"]"));
	line = out ? strstr(out, "\"ref\": \"posix-sem:/ipk-private-s\"") : NULL;
	CHECK(line != NULL);
	CHECK(line && strstr(line, "\"no_access\": [\"value\", \"waiters\"]"));
	/* unprivileged, the queue is found through the mqueue mount */
	line = out ? strstr(out, "\"ref\": \"posix-mq:/ipk-private-q\"") : NULL;
	CHECK(line != NULL);
	CHECK(line && strstr(line, "\"maxmsg\": null") && strstr(line, "\"msgsize\""));
	CHECK(out && strstr(out, "diags 0\n"));
	/* what another user may not read is unreadable only where the kind has the field */
	CHECK(out && strstr(out, "beyond 0\n"));
	free(out);
out:
	semctl(sem, 0, IPC_RMID);
	sem_close(s);
	sem_unlink("/ipk-private-s");
	mq_close(q);
	mq_unlink("/ipk-private-q");
}

/* Objects created and removed during scans never break one. */
static volatile sig_atomic_t churn_stop;

static void on_churn_stop(int sig)
{
	(void)sig;
	churn_stop = 1;
}

static void test_vanishing_objects(void)
{
	struct ipk_ctx *ctx = ipk_ctx_new();
	pid_t churn = fork();

	if (churn == 0) {
		/* stopped between two rounds, so that it leaves no object behind */
		signal(SIGTERM, on_churn_stop);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (unsigned i = 0; !churn_stop; i++) {
			char name[32];
			int a = semget(IPC_PRIVATE, 4, IPC_CREAT | 0600);
			int b = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
			int c = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
			snprintf(name, sizeof(name), "/ipk-churn%u", i % 8);
			int fd = shm_open(name, O_CREAT | O_RDWR, 0600);
			sem_t *s = sem_open("/ipk-churn-sem", O_CREAT, 0600, 1);
			struct mq_attr attr = { .mq_maxmsg = 1, .mq_msgsize = 8 };
			mqd_t q = mq_open(name, O_CREAT | O_RDWR, 0600, &attr);
			semctl(a, 0, IPC_RMID);
			shmctl(b, IPC_RMID, NULL);
			msgctl(c, IPC_RMID, NULL);
			if (fd >= 0)
				close(fd);
			shm_unlink(name);
			if (s != SEM_FAILED)
				sem_close(s);
			sem_unlink("/ipk-churn-sem");
			if (q != (mqd_t)-1)
				mq_close(q);
			mq_unlink(name);
		}
		_exit(0);
	}
	bool all_named = true;
	size_t scans = 0;
	for (; scans < 300; scans++) {
		struct ipk_list *l = ipk_scan(ctx, NULL, IPK_SCAN_DETAIL);
		if (!l)
			break;
		for (size_t i = 0; i < ipk_list_len(l); i++)
			if (!ipk_object_ref(ipk_list_at(l, i)))
				all_named = false;
		ipk_list_free(l);
	}
	kill(churn, SIGTERM);
	waitpid(churn, NULL, 0);
	CHECK_INT(scans, 300);
	CHECK(all_named);
	CHECK_INT(ipk_ctx_ndiags(ctx), 0);
	/* clean what the killed churner may have left */
	struct ipk_list *l = ipk_scan(ctx, NULL, 0);
	for (size_t i = 0; i < ipk_list_len(l); i++) {
		const struct ipk_object *o = ipk_list_at(l, i);
		if (strstr(o->ref, "churn")) {
			const char *name = o->name;
			if (o->kind == ipk_kind_find("posix-shm"))
				shm_unlink(name);
			else if (o->kind == ipk_kind_find("posix-mq"))
				mq_unlink(name);
			else if (o->kind == ipk_kind_find("posix-sem"))
				sem_unlink(name);
		}
	}
	ipk_list_free(l);
	ipk_ctx_free(ctx);
}

/* In a namespace's sub-context, names come from the parent's caches. */
static int names_in_ns(struct ipk_ctx *sub, void *arg)
{
	struct ipk_error *e = arg;
	struct ipk_object o = { .kind = ipk_kind_find("posix-mq") };

	obj_set_num(&o, IPK_F_UID, 0);
	err_kernel(sub, &o, EPERM, e);
	obj_clear(&o);
	return sub->users && ctx_user_name(sub, 0) ? 0 : -EFAULT;
}

static void test_ns_subcontext_names(void)
{
	struct ipk_ctx *ctx = ipk_ctx_new();
	struct ipk_error e = { 0 };
	bool entered = false;
	/* our own namespace, entered as another would be */
	int rc = ns_run(ctx, getpid(), 0, names_in_ns, &e, &entered);

	if (!entered) {
		printf("# skipped: cannot enter an IPC namespace here (%s)\n", ipk_strerror(-rc));
		ipk_ctx_free(ctx);
		return;
	}
	CHECK_INT(rc, 0);
	CHECK_STR(e.text, "permission denied (owner root)");
	/* a process that is gone is ESRCH, not a crash */
	entered = true;
	rc = ns_run(ctx, 0x7ffffffe, 0, names_in_ns, &e, &entered);
	CHECK(!entered);
	CHECK_INT(rc, -ESRCH);
	ipk_ctx_free(ctx);
}

/* The holders, NATTCH and status of every object of @l, as one JSON text per object. */
static char *holders_json(struct ipk_ctx *ctx, const struct ipk_list *l)
{
	static const int fields[] = { IPK_F_REF, IPK_F_NATTCH, IPK_F_HOLDERS, IPK_F_STATUS };
	struct ipk_buf b = { 0 };

	for (size_t i = 0; i < ipk_list_len(l); i++) {
		ipk_object_json(ctx, ipk_list_at(l, i), fields, ARRAY_SIZE(fields), &b);
		ipk_buf_puts(&b, "\n");
	}
	return b.s;
}

/*
 * The shared mappings of a process read through PROCMAP_QUERY and as the
 * text of /proc/PID/maps give the same holders: a SysV segment, a POSIX
 * object and a memfd known only by their mappings, mapped twice and read
 * only; a private mapping holds nothing.
 */
static void test_maps_paths_agree(void)
{
	struct ipk_ctx *query = ipk_ctx_new(), *text_ctx = ipk_ctx_new(), *bpf = ipk_ctx_new();
	struct ipk_filter *f = ipk_filter_new();
	int shm = shmget(IPC_PRIVATE, 8192, IPC_CREAT | 0600);
	char *seg = shmat(shm, NULL, SHM_RDONLY);
	int pfd = shm_open("/ipk-live-maps", O_CREAT | O_RDWR, 0600);
	int mfd = memfd_create("ipk maps", 0), private_fd = memfd_create("ipk private", 0);

	CHECK(seg != (void *)-1 && pfd >= 0 && mfd >= 0 && private_fd >= 0);
	CHECK_INT(ftruncate(pfd, 8192) | ftruncate(mfd, 8192) | ftruncate(private_fd, 4096), 0);
	void *a = mmap(NULL, 4096, PROT_READ, MAP_SHARED, pfd, 0);
	void *b = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	void *c = mmap(NULL, 4096, PROT_READ, MAP_SHARED, mfd, 4096);
	void *d = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, private_fd, 0);
	CHECK(a != MAP_FAILED && b != MAP_FAILED && c != MAP_FAILED && d != MAP_FAILED);
	close(pfd);
	close(mfd);
	close(private_fd);
	text_ctx->force_maps_text = true;
	/* PROCMAP_QUERY, not the BPF iterators (those where the kernel lets us) */
	ipk_ctx_set_bpf(query, false);
	bpf->force_bpf = true;	/* the few processes here would be read through /proc */
	ipk_filter_set_kinds(f, "sysv-shm,posix-shm,memfd", NULL);
	struct ipk_list *x = ipk_scan(query, f, 0), *y = ipk_scan(text_ctx, f, 0);
	struct ipk_list *z = ipk_scan(bpf, f, 0);
	CHECK(x && y && z);
	char *jx = x ? holders_json(query, x) : NULL, *jy = y ? holders_json(text_ctx, y) : NULL;
	char *jz = z ? holders_json(bpf, z) : NULL;
	CHECK_STR(jy ? jy : "", jx ? jx : "");
	CHECK_STR(jz ? jz : "", jx ? jx : "");
	char own[64];
	snprintf(own, sizeof(own), "{\"pid\": %d,", (int)getpid());
	/* the segment, the POSIX object and the shared memfd, each held by us */
	int held = 0;
	for (size_t i = 0; x && i < ipk_list_len(x); i++) {
		struct ipk_buf j = { 0 };
		ipk_object_json(query, ipk_list_at(x, i), NULL, 0, &j);
		held += strstr(j.s, own) != NULL;
		CHECK(strstr(j.s, "ipk private") == NULL);
		ipk_buf_free(&j);
	}
	CHECK_INT(held, 3);
	struct utsname u;
	int major = 0, minor = 0;
	if (uname(&u) == 0 && sscanf(u.release, "%d.%d", &major, &minor) == 2 &&
	    (major > 6 || (major == 6 && minor >= 11)))
		CHECK(procs_maps_queried());
	free(jx);
	free(jy);
	free(jz);
	ipk_list_free(x);
	ipk_list_free(y);
	ipk_list_free(z);
	ipk_filter_free(f);
	munmap(a, 4096);
	munmap(b, 4096);
	munmap(c, 4096);
	munmap(d, 4096);
	shm_unlink("/ipk-live-maps");
	shmdt(seg);
	shmctl(shm, IPC_RMID, NULL);
	ipk_ctx_free(query);
	ipk_ctx_free(text_ctx);
	ipk_ctx_free(bpf);
}

/*
 * Bytes queued in a pipe and a memfd's seals are read through a duplicate
 * of a holder's fd, and only when wanted; a pipe held twice is one object.
 */
static void test_fd_reads(void)
{
	struct ipk_ctx *all = ipk_ctx_new(), *some = ipk_ctx_new();
	struct ipk_filter *f = ipk_filter_new();
	int p[2], again = -1;
	int mfd = memfd_create("ipk seals", MFD_ALLOW_SEALING);

	CHECK_INT(pipe(p), 0);
	again = dup(p[0]);
	CHECK_INT(write(p[1], "12345", 5), 5);
	CHECK_INT(fcntl(mfd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK), 0);
	struct stat ps, ms;
	fstat(p[0], &ps);
	fstat(mfd, &ms);
	char pref[64], mref[64];
	snprintf(pref, sizeof(pref), "pipe:%llu", (unsigned long long)ps.st_ino);
	snprintf(mref, sizeof(mref), "memfd:%llu", (unsigned long long)ms.st_ino);
	ipk_ctx_want_fields(some, (const int[]){ IPK_F_HOLDERS }, 1);
	ipk_filter_set_kinds(f, "pipe,memfd", NULL);
	for (int round = 0; round < 2; round++) {
		struct ipk_ctx *ctx = round ? some : all;
		struct ipk_list *l = ipk_scan(ctx, f, 0);
		int seen = 0;
		for (size_t i = 0; l && i < ipk_list_len(l); i++) {
			struct ipk_object *o = ipk_list_at(l, i);
			if (strcmp(ipk_object_ref(o), pref) == 0) {
				seen++;
				CHECK_STR(text(ctx, o, IPK_F_SIZE), round ? "-" : "5");
				CHECK_STR(text(ctx, o, IPK_F_CAPACITY), round ? "-" : "65536");
			} else if (strcmp(ipk_object_ref(o), mref) == 0) {
				seen++;
				CHECK_STR(text(ctx, o, IPK_F_SEALS), round ? "-" : "shrink,grow");
			}
		}
		CHECK_INT(seen, 2);
		ipk_list_free(l);
	}
	/* a filter on the bytes queued reads them, shown or not */
	struct ipk_filter *big = ipk_filter_new();
	ipk_filter_set_kinds(big, "pipe", NULL);
	CHECK_INT(ipk_filter_set_min_size(big, "5"), 0);
	struct ipk_list *l = ipk_scan(some, big, 0);
	int found = 0;
	for (size_t i = 0; l && i < ipk_list_len(l); i++)
		found += strcmp(ipk_object_ref(ipk_list_at(l, i)), pref) == 0;
	CHECK_INT(found, 1);
	ipk_list_free(l);
	ipk_filter_free(big);
	close(p[0]);
	close(p[1]);
	close(again);
	close(mfd);
	ipk_filter_free(f);
	ipk_ctx_free(all);
	ipk_ctx_free(some);
}

/*
 * --json with every field: the text a plan keeps for records like each
 * one (lib/format.c), met in any order, is the JSON of exactly the fields
 * the record carries, written one by one.
 */
static void test_json_plans(void)
{
	struct ipk_ctx *ctx = ipk_ctx_new(), *plain = ipk_ctx_new();
	struct named_set named;
	named_set_make(&named, "plans");
	int mfd = memfd_create("ipk plans", 0);
	int p[2];
	struct { long type; char text[4]; } m = { 1, "abc" };

	CHECK_INT(pipe(p), 0);
	CHECK_INT(msgsnd(named.msg, &m, sizeof(m.text), 0), 0);
	struct ipk_list *l = ipk_scan(ctx, NULL, 0);
	size_t n = ipk_list_len(l), kinds = 0;
	const struct ipk_kind *last = NULL;
	struct ipk_buf a = { 0 }, b = { 0 };
	for (size_t k = 0; k < n; k++) {
		/* first, last, second, last but one ...: every plan found among others */
		const struct ipk_object *o = ipk_list_at(l, k % 2 ? n - 1 - k / 2 : k / 2);
		int fields[IPK_F_COUNT];
		size_t nfields = 0;
		for (int f = 0; f < IPK_F_COUNT; f++) {
			struct ipk_value v;
			ipk_object_get(o, f, &v);
			if (!(field_info[f].flags & IPK_FIELD_DETAIL) ||
			    (kind_has(o->kind, f) && v.presence != IPK_ABSENT))
				fields[nfields++] = f;
		}
		ipk_buf_reset(&a);
		ipk_buf_reset(&b);
		CHECK_INT(ipk_object_json(ctx, o, NULL, 0, &a), 0);
		CHECK_INT(ipk_object_json(plain, o, fields, nfields, &b), 0);
		CHECK_STR(a.s, b.s);
	}
	for (size_t k = 0; k < n; k++) {
		kinds += ipk_list_at(l, k)->kind != last;
		last = ipk_list_at(l, k)->kind;
	}
	/* the set has records of most kinds, so plans are made and found again */
	CHECK(kinds >= 8);
	ipk_buf_free(&a);
	ipk_buf_free(&b);
	ipk_list_free(l);
	named_set_drop(&named);
	close(mfd);
	close(p[0]);
	close(p[1]);
	ipk_ctx_free(ctx);
	ipk_ctx_free(plain);
}

int main(void)
{
	if (!getenv("IPCKIT_TEST_NS")) {
		printf("1..0 # SKIP needs the private namespace of tests/run-in-ns\n");
		return 0;
	}
	RUN(test_sysv_sem_values);
	RUN(test_sysv_msg_qbytes);
	RUN(test_sysv_shm_status);
	RUN(test_sysv_sources_agree);
	RUN(test_posix);
	RUN(test_scan_changes_nothing);
	RUN(test_kinds_have_only_their_fields);
	RUN(test_no_access);
	RUN(test_vanishing_objects);
	RUN(test_ns_subcontext_names);
	RUN(test_maps_paths_agree);
	RUN(test_fd_reads);
	RUN(test_json_plans);
	return test_done();
}
