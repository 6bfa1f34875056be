/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sysv-msg: System V message queues (struct msqid64_ds). */
#include "../internal.h"

#include <stdlib.h>
#include <sys/msg.h>

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

/* msg_qbytes of every queue, read once per scan with MSG_STAT_ANY. */
struct qbytes_map {
	struct qbytes {
		int id;
		uint64_t qbytes;
	} *v;
	size_t n;
	bool read;
};

static int cmp_qbytes(const void *a, const void *b)
{
	const struct qbytes *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/*
 * MSG_STAT_ANY takes an index, not an id.  For one queue the index is the
 * low bits of its id (IPCMNI is 2^15, or 2^24 with ipcmni_extend); for a
 * listing walk every index up to the one MSG_INFO reports.
 */
static int qbytes_read(struct ipk_scan *s, struct qbytes_map *m)
{
	struct msqid_ds ds;

	m->read = true;
	if (s->only) {
		int id = atoi(s->only);
		int idx[] = { id & 0x7fff, id & 0xffffff };
		for (size_t i = 0; i < ARRAY_SIZE(idx); i++) {
			if (msgctl(idx[i], MSG_STAT_ANY, &ds) == id) {
				m->v = malloc(sizeof(*m->v));
				if (!m->v)
					return -ENOMEM;
				m->v[0] = (struct qbytes){ id, ds.msg_qbytes };
				m->n = 1;
				return 0;
			}
		}
	}
	struct msginfo info;
	int max = msgctl(0, MSG_INFO, (struct msqid_ds *)(void *)&info);
	if (max < 0) {
		ctx_diag(s->ctx, errno, "read", "msgctl(MSG_INFO)");
		return 0;
	}
	m->v = malloc(((size_t)max + 1) * sizeof(*m->v));
	if (!m->v)
		return -ENOMEM;
	for (int idx = 0; idx <= max; idx++) {
		int id = msgctl(idx, MSG_STAT_ANY, &ds);
		if (id >= 0)
			m->v[m->n++] = (struct qbytes){ id, ds.msg_qbytes };
	}
	qsort(m->v, m->n, sizeof(*m->v), cmp_qbytes);
	return 0;
}

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
	struct qbytes_map *m = s->priv;

	msg_set_lpid(o);
	if (!s->ctx->live)
		return 0;
	if (!m->read) {
		int rc = qbytes_read(s, m);
		if (rc)
			return rc;
	}
	struct qbytes key = { .id = (int)o->id };
	struct qbytes *q = bsearch(&key, m->v, m->n, sizeof(*m->v), cmp_qbytes);
	if (q)
		obj_set_unum(o, IPK_F_CAPACITY, q->qbytes);
	return 0;
}

static int msg_stat_any_scan(struct ipk_scan *s)
{
	struct msginfo info;
	int max = msgctl(0, MSG_INFO, (struct msqid_ds *)(void *)&info);
	int rc = 0;

	if (max < 0) {
		ctx_diag(s->ctx, errno, "read", "msgctl(MSG_INFO)");
		return 0;
	}
	for (int idx = 0; idx <= max && !rc; idx++) {
		struct msqid_ds ds;
		int id = msgctl(idx, MSG_STAT_ANY, &ds);
		if (id < 0)
			continue;
		struct ipk_object *o = obj_new(s->kind);
		if (!o)
			return -ENOMEM;
		int skip = sysv_set_id(s, o, id);
		if (skip) {
			ipk_object_free(o);
			rc = skip < 0 ? skip : 0;
			continue;
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
		rc = scan_add(s, o);
	}
	return rc;
}

static int msg_scan(struct ipk_scan *s)
{
	struct qbytes_map m = { 0 };

	s->priv = &m;
	int rc = sysv_proc_scan(s, "msg", msg_columns, ARRAY_SIZE(msg_columns), msg_finish);
	s->priv = NULL;
	free(m.v);
	if (rc == -ENOENT && s->ctx->live)
		return msg_stat_any_scan(s);
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
