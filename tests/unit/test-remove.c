/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Removal against the live kernel, inside the private namespace of
 * tests/run-in-ns: ipk_remove_each() removes SysV objects as it reads
 * them and refuses what is in use (a queue waited on, whatever fields the
 * context lists) or already removed; ipk_remove() never
 * takes a caller's object for a fresh reading, so an id taken by another
 * object since the selection is left alone.
 */
#include "internal.h"
#include "test.h"

#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct ipk_object *lookup(struct ipk_ctx *ctx, const char *kind, int id)
{
	char ref[64];
	struct ipk_object *o = NULL;

	snprintf(ref, sizeof(ref), "%s:%d", kind, id);
	int rc = ipk_lookup(ctx, ref, &o);
	if (rc)
		printf("# lookup %s: %s\n", ref, strerror(-rc));
	return o;
}

static bool shm_exists(int id)
{
	struct shmid_ds ds;

	return shmctl(id, IPC_STAT, &ds) == 0;
}

/* Writes @id to kernel.shm_next_id: the next segment made takes that id. */
static bool next_shm_id(int id)
{
	FILE *f = fopen("/proc/sys/kernel/shm_next_id", "w");

	if (!f)
		return false;
	bool ok = fprintf(f, "%d\n", id) > 0;
	return fclose(f) == 0 && ok;
}

/*
 * IPK_RM_FRESH from a caller is ignored: the segment selected is removed
 * and its id given to a new one (other key); ipk_remove() with the flag
 * still reads the id again and leaves the new segment alone.
 */
static void test_fresh_is_not_for_callers(void)
{
	struct ipk_ctx *ctx = ipk_ctx_new();
	struct ipk_error e;
	int id = shmget(0x5eed, 4096, IPC_CREAT | IPC_EXCL | 0600);
	struct ipk_object *o = lookup(ctx, "sysv-shm", id);

	CHECK(o != NULL);
	shmctl(id, IPC_RMID, NULL);
	if (!next_shm_id(id)) {
		printf("# kernel.shm_next_id is not writable here: skipped\n");
		ipk_object_free(o);
		ipk_ctx_free(ctx);
		return;
	}
	int again = shmget(0x5eee, 4096, IPC_CREAT | IPC_EXCL | 0600);
	CHECK_INT(again, id);
	CHECK_INT(ipk_remove(ctx, o, IPK_RM_FRESH, &e), -ESTALE);
	CHECK(shm_exists(again));
	shmctl(again, IPC_RMID, NULL);
	ipk_object_free(o);
	ipk_ctx_free(ctx);
}

struct seen {
	int removed, busy, gone, other;
	char why[256];		/* the last refusal's reason */
};

static int count(void *arg, const struct ipk_object *o, int rc, const struct ipk_error *e)
{
	struct seen *s = arg;

	(void)o;
	if (rc == 0)
		s->removed++;
	else if (rc == -EBUSY)
		s->busy++;
	else if (rc == -ENOENT)
		s->gone++;
	else
		s->other++;
	if (rc)
		snprintf(s->why, sizeof(s->why), "%s", e->text);
	return 0;
}

/*
 * ipk_remove_each(): plain objects of the three kinds go; a segment we
 * attach is refused, one removed while attached is skipped; nothing of
 * another family or another namespace is done this way.
 */
static void test_remove_each(void)
{
	struct ipk_ctx *ctx = ipk_ctx_new();
	const struct ipk_kind *shm = ipk_kind_find("sysv-shm");
	const struct ipk_kind *kinds[] = {
		ipk_kind_find("sysv-msg"), ipk_kind_find("sysv-sem"), shm,
	};
	const struct ipk_kind *pshm[] = { ipk_kind_find("posix-shm") };
	struct seen s = { 0 };

	CHECK(msgget(IPC_PRIVATE, IPC_CREAT | 0600) >= 0);
	CHECK(semget(IPC_PRIVATE, 4, IPC_CREAT | 0600) >= 0);
	CHECK(shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600) >= 0);
	int attached = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	void *at = shmat(attached, NULL, 0);
	int dest = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	void *at_dest = shmat(dest, NULL, 0);
	CHECK(at != (void *)-1 && at_dest != (void *)-1);
	shmctl(dest, IPC_RMID, NULL);

	CHECK_INT(ipk_remove_each(ctx, pshm, 1, 0, count, &s), -EOPNOTSUPP);
	CHECK_INT(s.removed + s.busy + s.gone + s.other, 0);
	CHECK_INT(ipk_remove_each(ctx, kinds, 3, 0, count, &s), 0);
	CHECK_INT(s.removed, 3);
	CHECK_INT(s.busy, 1);
	CHECK_INT(s.gone, 1);
	CHECK_INT(s.other, 0);
	CHECK(shm_exists(attached));
	CHECK(shm_exists(dest));

	/* with IPK_RM_FORCE the attached one goes; the removed one stays until detached */
	s = (struct seen){ 0 };
	CHECK_INT(ipk_remove_each(ctx, &shm, 1, IPK_RM_FORCE, count, &s), 0);
	CHECK_INT(s.removed, 1);
	CHECK_INT(s.gone, 1);
	CHECK(strstr(s.why, "already removed") != NULL);
	shmdt(at);
	shmdt(at_dest);
	CHECK(!shm_exists(attached));
	CHECK(!shm_exists(dest));
	ipk_ctx_free(ctx);
}

/* A child blocked in msgrcv on queue @id, once /proc says it is; -1 if it never is. */
static pid_t receiver(int id)
{
	pid_t pid = fork();
	char path[64], text[64];

	if (pid == 0) {
		struct {
			long type;
			char text[8];
		} m;
		msgrcv(id, &m, sizeof(m.text), 0, 0);
		_exit(0);
	}
	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	for (int i = 0; pid > 0 && i < 2000; i++) {
		FILE *f = fopen(path, "r");
		long nr = -1;
		if (f && fgets(text, sizeof(text), f))
			nr = strtol(text, NULL, 10);
		if (f)
			fclose(f);
		if (nr == SYS_msgrcv)
			return pid;
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	}
	return -1;
}

/*
 * A queue waited on is refused even by a context that lists no holders:
 * the pass over /proc is what judges it, whatever fields are wanted.
 */
static void test_remove_each_waiter(void)
{
	struct ipk_ctx *ctx = ipk_ctx_new();
	static const int ref_only[] = { IPK_F_REF };
	const struct ipk_kind *msg = ipk_kind_find("sysv-msg");
	struct seen s = { 0 };
	int id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	pid_t pid = receiver(id);

	CHECK(pid > 0);
	ipk_ctx_want_fields(ctx, ref_only, 1);
	CHECK_INT(ipk_remove_each(ctx, &msg, 1, 0, count, &s), 0);
	CHECK_INT(s.busy, 1);
	CHECK_INT(s.removed, 0);
	CHECK(strstr(s.why, "waited on by") != NULL);
	struct msqid_ds ds;
	CHECK_INT(msgctl(id, IPC_STAT, &ds), 0);
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	msgctl(id, IPC_RMID, NULL);
	ipk_ctx_free(ctx);
}

int main(void)
{
	if (!getenv("IPCKIT_TEST_NS")) {
		printf("1..0 # SKIP needs the private namespace of tests/run-in-ns\n");
		return 0;
	}
	/* an IPC namespace of our own: every SysV object in it is this test's */
	if (unshare(CLONE_NEWIPC) < 0) {
		printf("1..0 # SKIP no IPC namespace of its own: %s\n", strerror(errno));
		return 0;
	}
	RUN(test_fresh_is_not_for_callers);
	RUN(test_remove_each);
	RUN(test_remove_each_waiter);
	return test_done();
}
