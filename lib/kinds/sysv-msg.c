/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sysv-msg: System V message queues (struct msqid64_ds). */
#include "../internal.h"

#include <sys/msg.h>

/* /proc/sysvipc/msg: read from frozen copies (--sysroot). */
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

/* The last operator is whichever of sender and receiver acted last. */
static void msg_set_lpid(struct ipk_object *o)
{
	bool sent = obj_has(o, IPK_F_ATIME), received = obj_has(o, IPK_F_DTIME);

	if (sent && (!received || o->atime >= o->dtime))
		obj_set_num(o, IPK_F_LPID, o->lspid);
	else if (received)
		obj_set_num(o, IPK_F_LPID, o->lrpid);
}

static int msg_finish(struct ipk_scan *s, struct ipk_object *o)
{
	(void)s;
	msg_set_lpid(o);
	return 0;
}

/* One queue by its index: MSG_STAT_ANY needs no permission on the queue. */
static int msg_one(struct ipk_scan *s, int idx)
{
	/* zeroed: valgrind does not know that MSG_STAT_ANY fills it */
	struct msqid_ds ds = { 0 };
	int id = msgctl(idx, MSG_STAT_ANY, &ds);

	if (id < 0)
		return 0;	/* a free slot, or gone since */
	struct ipk_object *o = scan_obj_new(s);
	if (!o)
		return -ENOMEM;
	int skip = sysv_set_id(s, o, id);
	if (skip) {
		ipk_object_free(o);
		return skip < 0 ? skip : 0;
	}
	sysv_set_perm(o, &ds.msg_perm);
	obj_set_unum(o, IPK_F_SIZE, ds.__msg_cbytes);
	obj_set_unum(o, IPK_F_MESSAGES, ds.msg_qnum);
	obj_set_unum(o, IPK_F_CAPACITY, ds.msg_qbytes);
	obj_set_num(o, IPK_F_LSPID, ds.msg_lspid);
	obj_set_num(o, IPK_F_LRPID, ds.msg_lrpid);
	sysv_set_time(o, IPK_F_ATIME, ds.msg_stime);
	sysv_set_time(o, IPK_F_DTIME, ds.msg_rtime);
	sysv_set_time(o, IPK_F_CTIME, ds.msg_ctime);
	msg_set_lpid(o);
	return scan_add(s, o);
}

/*
 * Live, MSG_STAT_ANY is the whole record in one call per queue, msg_qbytes
 * included, which /proc/sysvipc/msg lacks: reading that file too would be
 * a second pass for nothing.
 */
static int msg_scan(struct ipk_scan *s)
{
	if (s->ctx->live) {
		struct msginfo info;
		int max = msgctl(0, IPC_INFO, (struct msqid_ds *)(void *)&info);

		if (max < 0) {
			ctx_diag(s->ctx, errno, "read", "msgctl(IPC_INFO)");
			return 0;
		}
		return sysv_each_index(s, max, msg_one);
	}
	int rc = sysv_proc_scan(s, "msg", msg_columns, ARRAY_SIZE(msg_columns), msg_finish);
	if (rc == -ENOENT)
		ctx_diag(s->ctx, ENOENT, "read", "/proc/sysvipc/msg");
	return rc == -ENOENT ? 0 : rc;
}

const struct ipk_kind ipk_kind_sysv_msg = {
	.name = "sysv-msg",
	.alias = "msg",
	.description = "System V message queue",
	.family = IPK_FAMILY_SYSV,
	.fields = SYSV_FIELDS | F(SIZE) | F(CAPACITY) | F(MESSAGES) | F(LPID) |
		  F(ATIME) | F(DTIME) | F(LSPID) | F(LRPID),
	.ref_arg = ref_arg_sysv_id,
	.scan = msg_scan,
};
