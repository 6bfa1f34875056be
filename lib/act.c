/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Acting on one object, as ipc-top's keys do: post or wait on a semaphore,
 * send or receive one message.  Nothing here ever blocks (IPC_NOWAIT,
 * O_NONBLOCK, sem_trywait): a wait that would block is -EAGAIN.  Each
 * kind that takes an action is one row of the table at the end; the
 * object is acted on in its own IPC namespace, as ipk_remove() does.
 */
#include "internal.h"

#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <semaphore.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <unistd.h>

struct act_msg {
	const void *data;
	size_t len;
	long type;		/* SysV type, POSIX priority */
	struct ipk_buf *out;	/* receive */
	long *got_type;
};

struct act {
	const struct ipk_object *o;
	enum ipk_action what;
	size_t member;
	struct act_msg *m;
	struct ipk_error *e;
};

struct act_kind {
	const char *kind;
	unsigned actions;	/* IPK_ACTION_BIT()s */
	int (*run)(struct ipk_ctx *ctx, struct act *a);
};

/* ---------------------------------------------------------------- SysV */

static int sysv_sem_run(struct ipk_ctx *ctx, struct act *a)
{
	struct ipk_value n;

	ipk_object_get(a->o, IPK_F_NSEMS, &n);
	if (n.presence == IPK_PRESENT && a->member >= (uint64_t)n.i)
		return err_set(a->e, EINVAL, "no semaphore %zu: the array has %lld", a->member,
			       (long long)n.i);
	struct sembuf op = {
		.sem_num = (unsigned short)a->member,
		.sem_op = a->what == IPK_ACTION_POST ? 1 : -1,
		.sem_flg = IPC_NOWAIT,
	};
	if (semop((int)a->o->id, &op, 1) == 0)
		return 0;
	if (errno == EAGAIN)
		return err_set(a->e, EAGAIN, "semaphore %zu is 0: a wait would block", a->member);
	return err_kernel(ctx, a->o, errno, a->e);
}

/* What msgsnd and msgrcv move: a type, then the text. */
struct sysv_msgbuf {
	long mtype;
	char mtext[];
};

static int sysv_msg_run(struct ipk_ctx *ctx, struct act *a)
{
	size_t cap = a->what == IPK_ACTION_SEND ? a->m->len : 65536;
	struct sysv_msgbuf *b = malloc(sizeof(*b) + cap + 1);
	int rc = 0;

	if (!b)
		return err_set(a->e, ENOMEM, "%s", ipk_strerror(ENOMEM));
	if (a->what == IPK_ACTION_SEND) {
		if (a->m->type < 1) {
			free(b);
			return err_set(a->e, EINVAL, "type %ld: a message type is at least 1",
				       a->m->type);
		}
		b->mtype = a->m->type;
		memcpy(b->mtext, a->m->data, a->m->len);
		if (msgsnd((int)a->o->id, b, a->m->len, IPC_NOWAIT) < 0)
			rc = errno == EAGAIN ? err_set(a->e, EAGAIN, "the queue is full")
					     : err_kernel(ctx, a->o, errno, a->e);
	} else {
		ssize_t n = msgrcv((int)a->o->id, b, cap, a->m->type, IPC_NOWAIT | MSG_NOERROR);
		if (n < 0)
			rc = errno == ENOMSG ? err_set(a->e, ENOMSG, "the queue is empty")
					     : err_kernel(ctx, a->o, errno, a->e);
		else if ((rc = ipk_buf_add(a->m->out, b->mtext, (size_t)n)) == 0 && a->m->got_type)
			*a->m->got_type = b->mtype;
	}
	free(b);
	return rc;
}

/* --------------------------------------------------------------- POSIX */

static int posix_mq_run(struct ipk_ctx *ctx, struct act *a)
{
	bool send = a->what == IPK_ACTION_SEND;
	mqd_t q = mq_open(a->o->name, (send ? O_WRONLY : O_RDONLY) | O_NONBLOCK | O_CLOEXEC);
	int rc = 0;

	if (q == (mqd_t)-1)
		return err_kernel(ctx, a->o, errno, a->e);
	if (send) {
		if (a->m->type < 0 || a->m->type >= sysconf(_SC_MQ_PRIO_MAX))
			rc = err_set(a->e, EINVAL, "priority %ld: from 0 to %ld", a->m->type,
				     sysconf(_SC_MQ_PRIO_MAX) - 1);
		else if (mq_send(q, a->m->data, a->m->len, (unsigned)a->m->type) < 0)
			rc = errno == EAGAIN ? err_set(a->e, EAGAIN, "the queue is full") :
			     errno == EMSGSIZE ? err_set(a->e, EMSGSIZE, "longer than the queue's msgsize")
					       : err_kernel(ctx, a->o, errno, a->e);
	} else {
		struct mq_attr at;
		char *buf = NULL;
		unsigned prio = 0;
		ssize_t n = -1;
		if (mq_getattr(q, &at) == 0 && (buf = malloc((size_t)at.mq_msgsize + 1)))
			n = mq_receive(q, buf, (size_t)at.mq_msgsize, &prio);
		if (!buf)
			rc = err_set(a->e, ENOMEM, "%s", ipk_strerror(ENOMEM));
		else if (n < 0)
			rc = errno == EAGAIN ? err_set(a->e, ENOMSG, "the queue is empty")
					     : err_kernel(ctx, a->o, errno, a->e);
		else if ((rc = ipk_buf_add(a->m->out, buf, (size_t)n)) == 0 && a->m->got_type)
			*a->m->got_type = prio;
		free(buf);
	}
	mq_close(q);
	return rc;
}

/*
 * A named semaphore is its file: mapped, it is the sem_t that sem_open()
 * would map.  Opened without following a link, below the root of the
 * process whose namespace it was read through.
 */
static int posix_sem_run(struct ipk_ctx *ctx, struct act *a)
{
	char path[PATH_MAX];
	const char *name = a->o->name ? a->o->name : "";

	if (a->o->ns_pid)
		snprintf(path, sizeof(path), "/proc/%d/root/dev/shm/sem.%s", (int)a->o->ns_pid,
			 name + (name[0] == '/'));
	else
		snprintf(path, sizeof(path), "/dev/shm/sem.%s", name + (name[0] == '/'));
	int fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return err_kernel(ctx, a->o, errno, a->e);
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size < sizeof(sem_t) ||
	    st.st_dev != a->o->dev || st.st_ino != a->o->ino) {
		close(fd);
		return err_set(a->e, ESTALE, "the name now belongs to another file");
	}
	sem_t *s = mmap(NULL, sizeof(sem_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (s == MAP_FAILED)
		return err_kernel(ctx, a->o, errno, a->e);
	int rc = 0;
	if (a->what == IPK_ACTION_POST ? sem_post(s) : sem_trywait(s))
		rc = errno == EAGAIN ? err_set(a->e, EAGAIN, "its value is 0: a wait would block")
				     : err_set(a->e, errno, "%s", ipk_strerror(errno));
	munmap(s, sizeof(sem_t));
	return rc;
}

#define SEM_ACTIONS (IPK_ACTION_BIT(IPK_ACTION_POST) | IPK_ACTION_BIT(IPK_ACTION_WAIT))
#define MSG_ACTIONS (IPK_ACTION_BIT(IPK_ACTION_SEND) | IPK_ACTION_BIT(IPK_ACTION_RECEIVE))

static const struct act_kind act_kinds[] = {
	{ "sysv-sem", SEM_ACTIONS, sysv_sem_run },
	{ "sysv-msg", MSG_ACTIONS, sysv_msg_run },
	{ "posix-mq", MSG_ACTIONS, posix_mq_run },
	{ "posix-sem", SEM_ACTIONS, posix_sem_run },
};

static const struct act_kind *act_kind(const struct ipk_kind *k)
{
	for (size_t i = 0; k && i < sizeof(act_kinds) / sizeof(act_kinds[0]); i++)
		if (strcmp(act_kinds[i].kind, k->name) == 0)
			return &act_kinds[i];
	return NULL;
}

unsigned ipk_kind_actions(const struct ipk_kind *k)
{
	const struct act_kind *a = act_kind(k);

	return a ? a->actions : 0;
}

static int act_in(struct ipk_ctx *sub, void *arg)
{
	struct act *a = arg;

	return act_kind(a->o->kind)->run(sub, a);
}

static int act(struct ipk_ctx *ctx, struct act *a)
{
	const struct act_kind *k = act_kind(a->o->kind);

	if (!k || !(k->actions & IPK_ACTION_BIT(a->what)))
		return err_set(a->e, EOPNOTSUPP, "%s objects take no %s", a->o->kind->name,
			       a->what == IPK_ACTION_POST ? "post" :
			       a->what == IPK_ACTION_WAIT ? "wait" :
			       a->what == IPK_ACTION_SEND ? "message sent" : "message received");
	if (!ctx->live)
		return err_set(a->e, EROFS, "a frozen copy (--sysroot): nothing is done there");
	if (!a->o->ns_pid)
		return k->run(ctx, a);
	bool entered;
	uint64_t ns = obj_has(a->o, IPK_F_NS) ? a->o->ns : 0;
	int rc = ns_run(ctx, a->o->ns_pid, ns, act_in, a, &entered);
	if (entered)
		return rc;
	return err_set(a->e, -rc == ESRCH ? ENOENT : -rc, "cannot enter its IPC namespace: %s",
		       ipk_strerror(-rc));
}

int ipk_sem_op(struct ipk_ctx *ctx, const struct ipk_object *o, enum ipk_action what,
	       size_t member, struct ipk_error *e)
{
	if (!ctx || !o || !e || (what != IPK_ACTION_POST && what != IPK_ACTION_WAIT))
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	struct act a = { .o = o, .what = what, .member = member, .e = e };
	return act(ctx, &a);
}

int ipk_msg_send(struct ipk_ctx *ctx, const struct ipk_object *o, const void *data, size_t len,
		 long type, struct ipk_error *e)
{
	if (!ctx || !o || !e || (!data && len))
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	struct act_msg m = { .data = data ? data : "", .len = len, .type = type };
	struct act a = { .o = o, .what = IPK_ACTION_SEND, .m = &m, .e = e };
	return act(ctx, &a);
}

int ipk_msg_receive(struct ipk_ctx *ctx, const struct ipk_object *o, struct ipk_buf *out,
		    long *type, struct ipk_error *e)
{
	if (!ctx || !o || !out || !e)
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	struct act_msg m = { .out = out, .got_type = type };
	struct act a = { .o = o, .what = IPK_ACTION_RECEIVE, .m = &m, .e = e };
	return act(ctx, &a);
}
