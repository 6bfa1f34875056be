/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The actions of ipk_sem_op(), ipk_msg_send() and ipk_msg_receive() on
 * real objects, made here with the kernel's calls and checked with them:
 * post and wait on SysV and POSIX semaphores, a wait that would block,
 * messages in and out of SysV and POSIX queues, and the refusals.
 */
#include "ipckit.h"
#include "test.h"

#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <semaphore.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <unistd.h>

static struct ipk_object *look(struct ipk_ctx *ctx, const char *ref)
{
	struct ipk_object *o = NULL;

	CHECK_INT(ipk_lookup(ctx, ref, &o), 0);
	return o;
}

static void test_sysv_sem(void)
{
	struct ipk_ctx *ctx = ipk_ctx_new();
	struct ipk_error e;
	char ref[64];
	int id = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);

	CHECK(id >= 0);
	snprintf(ref, sizeof(ref), "sysv-sem:%d", id);
	struct ipk_object *o = look(ctx, ref);
	CHECK(ipk_kind_actions(ipk_object_kind(o)) & IPK_ACTION_BIT(IPK_ACTION_POST));
	CHECK_INT(ipk_sem_op(ctx, o, IPK_ACTION_POST, 1, &e), 0);
	CHECK_INT(ipk_sem_op(ctx, o, IPK_ACTION_POST, 1, &e), 0);
	CHECK_INT(semctl(id, 1, GETVAL), 2);
	CHECK_INT(semctl(id, 0, GETVAL), 0);
	CHECK_INT(ipk_sem_op(ctx, o, IPK_ACTION_WAIT, 1, &e), 0);
	CHECK_INT(semctl(id, 1, GETVAL), 1);
	/* a wait on 0 never blocks */
	CHECK_INT(ipk_sem_op(ctx, o, IPK_ACTION_WAIT, 0, &e), -EAGAIN);
	CHECK_STR(e.text, "semaphore 0 is 0: a wait would block");
	CHECK_INT(ipk_sem_op(ctx, o, IPK_ACTION_POST, 2, &e), -EINVAL);
	CHECK_INT(ipk_sem_op(ctx, o, IPK_ACTION_SEND, 0, &e), -EINVAL);
	/* a queue's actions are not a semaphore's */
	CHECK_INT(ipk_msg_send(ctx, o, "x", 1, 1, &e), -EOPNOTSUPP);
	ipk_object_free(o);
	semctl(id, 0, IPC_RMID);
	ipk_ctx_free(ctx);
}

static void test_sysv_msg(void)
{
	struct ipk_ctx *ctx = ipk_ctx_new();
	struct ipk_error e;
	struct ipk_buf b = { 0 };
	char ref[64];
	long type = 0;
	int id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);

	CHECK(id >= 0);
	snprintf(ref, sizeof(ref), "sysv-msg:%d", id);
	struct ipk_object *o = look(ctx, ref);
	CHECK_INT(ipk_msg_send(ctx, o, "hello", 5, 7, &e), 0);
	CHECK_INT(ipk_msg_send(ctx, o, "x", 1, 0, &e), -EINVAL);
	struct msqid_ds ds;
	CHECK_INT(msgctl(id, IPC_STAT, &ds), 0);
	CHECK_INT(ds.msg_qnum, 1);
	CHECK_INT(ipk_msg_receive(ctx, o, &b, &type, &e), 0);
	CHECK_INT(b.len, 5);
	CHECK(b.s && memcmp(b.s, "hello", 5) == 0);
	CHECK_INT(type, 7);
	CHECK_INT(ipk_msg_receive(ctx, o, &b, &type, &e), -ENOMSG);
	CHECK_STR(e.text, "the queue is empty");
	ipk_buf_free(&b);
	ipk_object_free(o);
	msgctl(id, IPC_RMID, NULL);
	ipk_ctx_free(ctx);
}

static void test_posix(void)
{
	struct ipk_ctx *ctx = ipk_ctx_new();
	struct ipk_error e;
	struct ipk_buf b = { 0 };
	long prio = 0;
	struct mq_attr at = { .mq_maxmsg = 1, .mq_msgsize = 16 };
	mqd_t q = mq_open("/ipk-act", O_CREAT | O_EXCL | O_RDWR, 0600, &at);
	sem_t *s = sem_open("/ipk-act", O_CREAT | O_EXCL, 0600, 0);

	CHECK(q != (mqd_t)-1);
	CHECK(s != SEM_FAILED);
	struct ipk_object *mq = look(ctx, "posix-mq:/ipk-act");
	CHECK_INT(ipk_msg_send(ctx, mq, "abc", 3, 4, &e), 0);
	/* full: never blocks */
	CHECK_INT(ipk_msg_send(ctx, mq, "d", 1, 0, &e), -EAGAIN);
	CHECK_INT(ipk_msg_receive(ctx, mq, &b, &prio, &e), 0);
	CHECK_INT(b.len, 3);
	CHECK_INT(prio, 4);
	CHECK_INT(ipk_msg_receive(ctx, mq, &b, &prio, &e), -ENOMSG);
	ipk_object_free(mq);

	struct ipk_object *sem = look(ctx, "posix-sem:/ipk-act");
	int v = -1;
	CHECK_INT(ipk_sem_op(ctx, sem, IPK_ACTION_WAIT, 0, &e), -EAGAIN);
	CHECK_INT(ipk_sem_op(ctx, sem, IPK_ACTION_POST, 0, &e), 0);
	CHECK_INT(ipk_sem_op(ctx, sem, IPK_ACTION_POST, 0, &e), 0);
	CHECK_INT(sem_getvalue(s, &v), 0);
	CHECK_INT(v, 2);
	CHECK_INT(ipk_sem_op(ctx, sem, IPK_ACTION_WAIT, 0, &e), 0);
	CHECK_INT(sem_getvalue(s, &v), 0);
	CHECK_INT(v, 1);
	/* the name now another file: refused, the new one untouched */
	sem_unlink("/ipk-act");
	sem_t *s2 = sem_open("/ipk-act", O_CREAT | O_EXCL, 0600, 0);
	CHECK_INT(ipk_sem_op(ctx, sem, IPK_ACTION_POST, 0, &e), -ESTALE);
	CHECK_INT(sem_getvalue(s2, &v), 0);
	CHECK_INT(v, 0);
	ipk_object_free(sem);
	sem_close(s);
	sem_close(s2);
	sem_unlink("/ipk-act");
	mq_close(q);
	mq_unlink("/ipk-act");
	ipk_buf_free(&b);
	ipk_ctx_free(ctx);
}

static void test_kinds_without_actions(void)
{
	struct ipk_ctx *ctx = ipk_ctx_new();
	struct ipk_error e;
	char ref[64];
	int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);

	snprintf(ref, sizeof(ref), "sysv-shm:%d", id);
	struct ipk_object *o = look(ctx, ref);
	CHECK_INT(ipk_kind_actions(ipk_object_kind(o)), 0);
	CHECK_INT(ipk_sem_op(ctx, o, IPK_ACTION_POST, 0, &e), -EOPNOTSUPP);
	CHECK_STR(e.text, "sysv-shm objects take no post");
	CHECK_INT(ipk_sem_op(NULL, o, IPK_ACTION_POST, 0, &e), -EINVAL);
	CHECK_INT(ipk_kind_actions(NULL), 0);
	ipk_object_free(o);
	shmctl(id, IPC_RMID, NULL);
	ipk_ctx_free(ctx);
}

int main(void)
{
	if (!getenv("IPCKIT_TEST_NS")) {
		printf("1..0 # SKIP needs the private namespace of tests/run-in-ns\n");
		return 0;
	}
	RUN(test_sysv_sem);
	RUN(test_sysv_msg);
	RUN(test_posix);
	RUN(test_kinds_without_actions);
	return test_done();
}
