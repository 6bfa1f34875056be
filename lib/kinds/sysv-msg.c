/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sysv-msg: System V message queues (struct msqid64_ds). */
#include "../internal.h"

#include <sys/msg.h>

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

	sysv_set_perm(o, &msg->msg_perm);
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
		obj_set_num(o, IPK_F_LPID, o->lspid);
	else if (received)
		obj_set_num(o, IPK_F_LPID, o->lrpid);
	return 0;
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
