/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sysv-msg: System V message queues (struct msqid64_ds). */
#include "../internal.h"
#include "../scenario/scn.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <sys/msg.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * Live, MSG_STAT_ANY is the whole record in one call per queue, msg_qbytes
 * included, which /proc/sysvipc/msg lacks: the file is read from frozen
 * copies only.
 */
static const struct sysv_column msg_columns[] = {
	{ "key", IPK_F_KEY, 10 },
	{ "msqid", IPK_F_ID, 10 },
	{ "perms", IPK_F_PERMS, 8 },
	{ "cbytes", IPK_F_SIZE, 10 },
	{ "qnum", IPK_F_MESSAGES, 10 },
	{ "lspid", IPK_F_LSPID, 10 },
	{ "lrpid", IPK_F_LRPID, 10 },
	{ "uid", IPK_F_UID, 10 },
	{ "gid", IPK_F_GID, 10 },
	{ "cuid", IPK_F_CUID, 10 },
	{ "cgid", IPK_F_CGID, 10 },
	{ "stime", IPK_F_ATIME, 10 },
	{ "rtime", IPK_F_DTIME, 10 },
	{ "ctime", IPK_F_CTIME, 10 },
};

static int msg_max_index(void)
{
	struct msginfo info;

	return msgctl(0, IPC_INFO, (struct msqid_ds *)(void *)&info);
}

static int msg_stat_index(int idx, union sysv_ds *ds)
{
	return msgctl(idx, MSG_STAT_ANY, (struct msqid_ds *)(void *)ds);
}

static void msg_fill(struct ipk_object *o, const union sysv_ds *ds)
{
	const struct msqid_ds *msg = (const struct msqid_ds *)(const void *)ds;

	sysv_set_perm(o, &msg->msg_perm, false);
	obj_set_unum(o, IPK_F_SIZE, msg->__msg_cbytes);
	obj_set_unum(o, IPK_F_MESSAGES, msg->msg_qnum);
	obj_set_unum(o, IPK_F_CAPACITY, msg->msg_qbytes);
	obj_set_num(o, IPK_F_LSPID, msg->msg_lspid);
	obj_set_num(o, IPK_F_LRPID, msg->msg_lrpid);
	sysv_set_time(o, IPK_F_ATIME, msg->msg_stime);
	sysv_set_time(o, IPK_F_DTIME, msg->msg_rtime);
	sysv_set_time(o, IPK_F_CTIME, msg->msg_ctime);
}

/* The last operator is whichever of sender and receiver acted last. */
static int msg_finish(struct ipk_scan *s, struct ipk_object *o)
{
	bool sent = obj_has(o, IPK_F_ATIME), received = obj_has(o, IPK_F_DTIME);

	(void)s;
	if (sent && (!received || o->atime >= o->dtime))
		obj_set_num(o, IPK_F_LPID, obj_num(o, IPK_F_LSPID));
	else if (received)
		obj_set_num(o, IPK_F_LPID, obj_num(o, IPK_F_LRPID));
	return 0;
}

/* Its last sender and receiver: a queue is in use while one of them runs. */
static size_t msg_users(const struct ipk_object *o, struct obj_user *v)
{
	v[0] = (struct obj_user){ obj_num(o, IPK_F_LSPID), o->atime ? o->atime : o->ctime,
				  "last sender" };
	v[1] = (struct obj_user){ obj_num(o, IPK_F_LRPID), o->dtime ? o->dtime : o->ctime,
				  "last receiver" };
	return 2;
}

static const struct sysv_source msg_source = {
	.proc_file = "msg",
	.columns = msg_columns,
	.ncolumns = ARRAY_SIZE(msg_columns),
	.max_index = msg_max_index,
	.stat_index = msg_stat_index,
	.fill = msg_fill,
	.finish = msg_finish,
};

static int msg_scan(struct ipk_scan *s)
{
	return sysv_scan(s, &msg_source);
}

extern const struct ipk_kind kind_sysv_msg;

static int msg_get(const struct ipk_create *c, key_t key, int flags)
{
	(void)c;
	return msgget(key, flags);
}

static int msg_create(struct ipk_ctx *ctx, const struct ipk_create *c, char **ref,
		      bool *existed, struct ipk_error *e)
{
	bool qbytes = c->set & IPK_ATTR_BIT(IPK_ATTR_QBYTES);
	char no_room[64];
	uint64_t max = 0;
	int rc;

	if (qbytes && c->qbytes == 0)
		return err_set(e, EINVAL, "qbytes 0: a queue must hold at least one byte");
	if (qbytes && (rc = check_limit(ctx, "qbytes", c->qbytes, "MSGMNB", e)))
		return rc;
	limit_value(ctx, "MSGMNI", &max);
	snprintf(no_room, sizeof(no_room), "kernel.msgmni (%" PRIu64 ") queues exist", max);
	int id = sysv_get(&kind_sysv_msg, c, msg_get, no_room, existed, e);
	if (id < 0)
		return id;
	if (qbytes && !*existed) {
		/* IPC_SET sets owner and mode too: those of the queue just made */
		struct msqid_ds ds = { 0 };
		ds.msg_perm.uid = geteuid();
		ds.msg_perm.gid = getegid();
		ds.msg_perm.mode = (c->set & IPK_ATTR_BIT(IPK_ATTR_MODE)) ? c->mode : 0600;
		ds.msg_qbytes = c->qbytes;
		if (msgctl(id, IPC_SET, &ds) < 0) {
			rc = err_set(e, errno, "cannot set qbytes %" PRIu64 ": %s", c->qbytes,
				     ipk_strerror(errno));
			msgctl(id, IPC_RMID, NULL);
			return rc;
		}
	}
	char arg[24];
	fmt_i64(arg, id);
	if (!(*ref = ref_make(&kind_sysv_msg, arg))) {
		if (!*existed)
			msgctl(id, IPC_RMID, NULL);
		return err_set(e, ENOMEM, "%s", ipk_strerror(ENOMEM));
	}
	return 0;
}

/* In use while its last sender or receiver runs: a live queue, not a leak. */
static int msg_remove(struct ipk_ctx *ctx, const struct ipk_object *o, unsigned flags,
		      struct ipk_error *e)
{
	struct ipk_object now;
	const struct ipk_object *cur;
	int rc = sysv_still(&msg_source, o, flags, &now, &cur, e);

	if (!rc)
		rc = may_remove_sysv(ctx, cur, e);

	if (!rc && !(flags & IPK_RM_FORCE) && o->nholders)
		rc = refuse_in_use(ctx, o, "waited on by", e);
	if (!rc && !(flags & IPK_RM_FORCE)) {
		struct obj_user users[OBJ_USERS_MAX];
		rc = refuse_live_users(users, msg_users(cur, users), e);
	}
	if (!rc && !(flags & IPK_RM_CHECK) && msgctl((int)o->id, IPC_RMID, NULL) < 0)
		rc = err_kernel(ctx, cur, errno, e);
	obj_clear(&now);
	return rc;
}

/* A process blocked in msgrcv or msgsnd waits on the queue of its first argument. */
static unsigned msg_claim_wait(const struct held_probe *p, long nr, const uint64_t args[6],
			       struct held *h)
{
	if ((nr != SYS_msgrcv && nr != SYS_msgsnd) || args[0] > INT_MAX)
		return 0;
	h->dev = p->proc->ipc_ns;
	h->ino = args[0];
	return HOLD_CLAIMED;
}

/* msginfo.msgpool under MSG_INFO: the queues in use. */
static void msg_limits_read(struct ipk_ctx *ctx, struct ipk_limit *rows)
{
	struct msginfo info;

	if (ctx->live && msgctl(0, MSG_INFO, (struct msqid_ds *)(void *)&info) >= 0) {
		rows[0].has_used = true;
		rows[0].used = (uint64_t)info.msgpool;
	}
}

static const struct limit_def msg_limits[] = {
	{ "MSGMNI", "number of message queues", "kernel.msgmni", IPK_UNIT_COUNT,
	  "kernel/msgmni", 0, 0, false, false },
	{ "MSGMAX", "largest message", "kernel.msgmax", IPK_UNIT_BYTES,
	  "kernel/msgmax", 0, 0, false, false },
	{ "MSGMNB", "bytes a new queue holds", "kernel.msgmnb", IPK_UNIT_BYTES,
	  "kernel/msgmnb", 0, 0, false, false },
};

/* ----------------------------------------------------------- scenarios */

static int smsg_handle(struct scn_worker *w, const struct scn_obj *o, struct scn_handle *h)
{
	uint64_t msgmax = 8192;
	struct ipk_ctx *ctx = NULL;

	(void)w;
	h->id = o->id;
	/* What a receive takes without size: the largest message there is. */
	if (o->c.set & IPK_ATTR_BIT(IPK_ATTR_QBYTES) && o->c.qbytes < msgmax)
		msgmax = o->c.qbytes;
	else if ((ctx = ipk_ctx_new()) && limit_value(ctx, "MSGMAX", &msgmax))
		msgmax = 8192;
	ipk_ctx_free(ctx);
	h->len = (size_t)msgmax;
	return 0;
}

static int smsg_send(struct scn_exec *x)
{
	const void *buf;
	size_t len;
	int64_t type;
	int rc = scn_int(x, A_TYPE, 1, &type);

	if (!rc)
		rc = scn_payload(x, &buf, &len);
	if (rc)
		return rc;
	if (x->h->id < 0)
		return -EIDRM;
	long *m = scn_scratch(x, sizeof(long) + len);
	if (!m)
		return -ENOMEM;
	*m = (long)type;
	memcpy(m + 1, buf, len);
	return xport_msg_send(x->h->id, m, len, &x->wait);
}

static int smsg_recv(struct scn_exec *x)
{
	int64_t type, cap = (int64_t)x->h->len;
	int rc = scn_int(x, A_TYPE, 0, &type);

	if (!rc)
		rc = scn_int(x, A_SIZE, cap, &cap);
	if (rc)
		return rc;
	if (x->h->id < 0)
		return -EIDRM;
	if (cap < 0)
		return -EINVAL;
	int flags = (scn_bool(x, A_NOERROR) ? MSG_NOERROR : 0) |
		    (scn_bool(x, A_EXCEPT) ? MSG_EXCEPT : 0);
	long *m = scn_scratch(x, sizeof(long) + (size_t)cap);
	if (!m)
		return -ENOMEM;
	ssize_t r = xport_msg_recv(x->h->id, m, (size_t)cap, (long)type, flags, &x->wait);
	if (r < 0)
		return (int)r;
	x->data = (const char *)(m + 1);
	x->len = (size_t)r;
	x->has_data = true;
	x->aux = *m;
	x->has_aux = true;
	return 0;
}

/* open: the queue of the object's key now (msgget without IPC_CREAT). */
static int smsg_open(struct scn_exec *x)
{
	if (!(x->o->c.set & IPK_ATTR_BIT(IPK_ATTR_KEY)))
		return x->h->id >= 0 ? 0 : -ENOENT;
	int id = msgget(x->o->c.key, 0);
	if (id < 0)
		return -errno;
	x->h->id = id;
	return 0;
}

static int smsg_close(struct scn_exec *x)
{
	if (x->h->id < 0)
		return -EBADF;
	x->h->id = -1;
	return 0;
}

static int smsg_rmid(struct scn_exec *x)
{
	if (x->h->id < 0)
		return -EIDRM;
	return msgctl(x->h->id, IPC_RMID, NULL) ? -errno : 0;
}

static const struct scn_param smsg_send_params[] = {
	{ "type", SP_INT, A_TYPE, NULL, "the message type, 1 or more (1)" },
	SCN_P_DATA,
	SCN_P_SIZE,
	SCN_P_LAST,
};

static const struct scn_param smsg_recv_params[] = {
	{ "type", SP_INT, A_TYPE, NULL, "0 the first, N the first of type N, -N the lowest <= N" },
	SCN_P_RSIZE,
	{ "noerror", SP_BOOL, A_NOERROR, NULL, "MSG_NOERROR: cut a longer message" },
	{ "except", SP_BOOL, A_EXCEPT, NULL, "MSG_EXCEPT: the first not of type:" },
	SCN_P_LAST,
};

static const struct scn_op sysv_msg_ops[] = {
	{ "send", "msgsnd(2) one message of type:", smsg_send_params, SCN_BLOCKS | SCN_IN_DATA,
	  smsg_send, "- send: { to: jobs, type: 2, data: \"job {i}\" }" },
	{ "recv", "msgrcv(2) by type: (nowait: ENOMSG when there is none)", smsg_recv_params,
	  SCN_BLOCKS | SCN_OUT_DATA | SCN_OUT_TYPE, smsg_recv,
	  "- recv: { from: jobs, type: 2, expect: \"job *\" }" },
	{ "open", "msgget(2) its key again", NULL, 0, smsg_open, "- open: jobs" },
	{ "close", "forget its id in this process", NULL, 0, smsg_close, "- close: jobs" },
	{ "remove", "IPC_RMID: gone at once, waiters wake with EIDRM", NULL, 0, smsg_rmid,
	  "- remove: jobs" },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};

static const struct scn_type sysv_msg_scenario = {
	.name = "sysv-msg",
	.help = "a System V message queue, made as ipc-mk makes it",
	.flags = SCN_T_NAMED,
	.ops = sysv_msg_ops,
	.handle = smsg_handle,
};

/* ----------------------------------------------------------- actions */

/* What msgsnd and msgrcv move: a type, then the text. */
struct sysv_msgbuf {
	long mtype;
	char mtext[];
};

static int msg_act(struct ipk_ctx *ctx, const struct kind_act *a)
{
	size_t cap = a->what == IPK_ACTION_SEND ? a->len : 65536;
	struct sysv_msgbuf *b = malloc(sizeof(*b) + cap + 1);
	int rc = 0;

	if (!b)
		return err_set(a->e, ENOMEM, "%s", ipk_strerror(ENOMEM));
	if (a->what == IPK_ACTION_SEND) {
		if (a->type < 1) {
			free(b);
			return err_set(a->e, EINVAL, "type %ld: a message type is at least 1",
				       a->type);
		}
		b->mtype = a->type;
		memcpy(b->mtext, a->data, a->len);
		if (msgsnd((int)a->o->id, b, a->len, IPC_NOWAIT) < 0)
			rc = errno == EAGAIN ? err_set(a->e, EAGAIN, "the queue is full")
					     : err_kernel(ctx, a->o, errno, a->e);
	} else {
		ssize_t n = msgrcv((int)a->o->id, b, cap, a->type, IPC_NOWAIT | MSG_NOERROR);
		if (n < 0)
			rc = errno == ENOMSG ? err_set(a->e, ENOMSG, "the queue is empty")
					     : err_kernel(ctx, a->o, errno, a->e);
		else if ((rc = ipk_buf_add(a->out, b->mtext, (size_t)n)) == 0 && a->got_type)
			*a->got_type = b->mtype;
	}
	free(b);
	return rc;
}

const struct ipk_kind kind_sysv_msg = {
	.name = "sysv-msg",
	.alias = "msg",
	.description = "System V message queue",
	.family = IPK_FAMILY_SYSV,
	.fields = FIELDS(SYSV_FIELDS, IPK_F_SIZE, IPK_F_CAPACITY, IPK_F_MESSAGES, IPK_F_LPID,
			 IPK_F_ATIME, IPK_F_DTIME, IPK_F_HOLDERS, IPK_F_LSPID, IPK_F_LRPID),
	/* its holders are the processes blocked on it */
	.holders = HOLDERS_CLAIMED,
	.holder_procs = PROCS_WAITS,
	.claim_wait = msg_claim_wait,
	.ref_arg = ref_arg_sysv_id,
	.scan = msg_scan,
	.users = msg_users,
	.same_fields = FIELDS(SYSV_SAME_FIELDS, IPK_F_CAPACITY),
	.limits = msg_limits,
	.nlimits = ARRAY_SIZE(msg_limits),
	.limits_read = msg_limits_read,
	.create_attrs = IPK_ATTR_BIT(IPK_ATTR_KEY) | IPK_ATTR_BIT(IPK_ATTR_MODE) |
			IPK_ATTR_BIT(IPK_ATTR_QBYTES),
	.create = msg_create,
	.remove = msg_remove,
	.scenario = &sysv_msg_scenario,
	.actions = KIND_ACTS_MSG,
	.act = msg_act,
	.identity = { .by = IDENT_SYSV, .fixed = F(KEY) | F(CUID) | F(CGID),
		      .rising = F(CTIME) | F(ATIME) | F(DTIME) },
};
