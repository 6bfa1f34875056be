/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* posix-mq: POSIX message queues, files of the mqueue filesystem (struct mq_attr). */
#include "../internal.h"
#include "../scenario/scn.h"

#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <unistd.h>

static const int mq_read_fields[] = {
	IPK_F_SIZE, IPK_F_CAPACITY, IPK_F_MESSAGES, IPK_F_MAXMSG, IPK_F_MSGSIZE,
	IPK_F_NOTIFY_PID,
};

/*
 * Reading a queue's file gives "QSIZE:%-10lu NOTIFY:%-5d SIGNO:%-5d
 * NOTIFY_PID:%-6d".  The same O_RDONLY fd is a queue descriptor, so
 * mq_getattr needs no mq_open (which would look the name up in the
 * caller's IPC namespace rather than in this filesystem's).
 */
static void pmq_read(struct ipk_scan *s, int fd, const struct stat *st, struct ipk_object *o)
{
	char text[256];
	ssize_t n;

	/*
	 * Reading the QSIZE line sets the queue's atime and ctime (the kernel
	 * does), so those would say when someone last listed it.  mtime moves
	 * on every send and receive and never on a read: it is the time of
	 * the last change and use here, the same in every listing.
	 */
	obj_set_num(o, IPK_F_CTIME, st->st_mtim.tv_sec);
	obj_set_num(o, IPK_F_ATIME, st->st_mtim.tv_sec);
	if (fd < 0) {
		for (size_t i = 0; i < ARRAY_SIZE(mq_read_fields); i++)
			obj_set_noaccess(o, mq_read_fields[i]);
		return;
	}
	n = pread(fd, text, sizeof(text) - 1, 0);
	if (n > 0) {
		unsigned long long qsize;
		int notify_pid;

		text[n] = '\0';
		if (sscanf(text, "QSIZE:%llu", &qsize) == 1)
			obj_set_unum(o, IPK_F_SIZE, qsize);
		const char *p = strstr(text, "NOTIFY_PID:");
		if (p && sscanf(p, "NOTIFY_PID:%d", &notify_pid) == 1) {
			obj_set_num(o, IPK_F_NOTIFY_PID, notify_pid);
			if (notify_pid)
				obj_set_num(o, IPK_F_STATUS, o->status | IPK_ST_NOTIFY);
		}
	}
	struct mq_attr attr;
	if (s->ctx->live && mq_getattr(fd, &attr) == 0 && attr.mq_maxmsg >= 0 &&
	    attr.mq_msgsize >= 0 && attr.mq_curmsgs >= 0) {
		uint64_t capacity;

		obj_set_unum(o, IPK_F_MAXMSG, (uint64_t)attr.mq_maxmsg);
		obj_set_unum(o, IPK_F_MSGSIZE, (uint64_t)attr.mq_msgsize);
		obj_set_unum(o, IPK_F_MESSAGES, (uint64_t)attr.mq_curmsgs);
		if (!__builtin_mul_overflow((uint64_t)attr.mq_maxmsg, (uint64_t)attr.mq_msgsize,
					    &capacity))
			obj_set_unum(o, IPK_F_CAPACITY, capacity);
	}
}

static int pmq_each(struct ipk_scan *s, int dfd, const char *file, const struct stat *unused)
{
	(void)unused;
	return posix_add_read(s, dfd, file, file, true, pmq_read);
}

static int pmq_scan(struct ipk_scan *s)
{
	char shown[PATH_MAX];
	int dfd = posix_mqueue_dir(s->ctx, shown, sizeof(shown));

	if (dfd < 0) {
		if (dfd != -ENOENT || s->ctx->live)
			scan_diag(s, -dfd, "open", shown);
		return 0;
	}
	return posix_dir_scan(s, dfd, shown, "", NULL, false, pmq_each);
}

/* What the kernel charges a queue to RLIMIT_MSGQUEUE (ipc/mqueue.c). */
static uint64_t mq_charge(uint64_t maxmsg, uint64_t msgsize)
{
	const uint64_t msg_msg = 48, tree_node = 48, prio_max = 32768;
	uint64_t bytes, tree;

	if (__builtin_mul_overflow(maxmsg, msgsize, &bytes) ||
	    __builtin_mul_overflow(maxmsg, msg_msg, &tree))
		return UINT64_MAX;
	tree += (maxmsg < prio_max ? maxmsg : prio_max) * tree_node;
	return bytes + tree < bytes ? UINT64_MAX : bytes + tree;
}

/* Why mq_open() could not make a queue of @attr, in terms of the limits. */
static int pmq_create_error(struct ipk_ctx *ctx, int err, const struct mq_attr *attr,
			    struct ipk_error *e)
{
	uint64_t max = 0;
	struct rlimit rl;

	if (err == ENOSPC) {
		limit_value(ctx, "MQ_QUEUES", &max);
		return err_set(e, err, "no room for another: fs.mqueue.queues_max (%" PRIu64
			       ") queues exist", max);
	}
	if (err == EMFILE && getrlimit(RLIMIT_MSGQUEUE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
		uint64_t maxmsg = attr ? (uint64_t)attr->mq_maxmsg : 0;
		uint64_t msgsize = attr ? (uint64_t)attr->mq_msgsize : 0;
		if (!attr) {
			limit_value(ctx, "MQ_MSGDEFAULT", &maxmsg);
			limit_value(ctx, "MQ_MSGSIZEDEFAULT", &msgsize);
		}
		return err_set(e, err, "the queue takes %" PRIu64 " bytes of RLIMIT_MSGQUEUE "
			       "(ulimit -q: %" PRIu64 " bytes, with what your queues take already)",
			       mq_charge(maxmsg, msgsize), (uint64_t)rl.rlim_cur);
	}
	return err_set(e, err, "%s", ipk_strerror(err));
}

extern const struct ipk_kind kind_posix_mq;

static int pmq_create(struct ipk_ctx *ctx, const struct ipk_create *c, char **ref,
		      bool *existed, struct ipk_error *e)
{
	uint32_t mode = (c->set & IPK_ATTR_BIT(IPK_ATTR_MODE)) ? c->mode : 0600;
	bool sized = c->set & (IPK_ATTR_BIT(IPK_ATTR_MAXMSG) | IPK_ATTR_BIT(IPK_ATTR_MSGSIZE));
	uint64_t maxmsg = 10, msgsize = 8192;
	struct ipk_buf name = { 0 };
	struct mq_attr attr = { 0 };
	int rc;

	if (ref_arg_posix_name(c->name, &name))
		return err_set(e, EINVAL, "not a POSIX name: one component, /NAME");
	/* one given: the other is the system's default */
	limit_value(ctx, "MQ_MSGDEFAULT", &maxmsg);
	limit_value(ctx, "MQ_MSGSIZEDEFAULT", &msgsize);
	if (c->set & IPK_ATTR_BIT(IPK_ATTR_MAXMSG))
		maxmsg = c->maxmsg;
	if (c->set & IPK_ATTR_BIT(IPK_ATTR_MSGSIZE))
		msgsize = c->msgsize;
	if (sized && (maxmsg == 0 || msgsize == 0))
		rc = err_set(e, EINVAL, "%s 0: a queue holds at least one message of one byte",
			     maxmsg ? "msgsize" : "maxmsg");
	else if (sized)
		rc = check_limit(ctx, "maxmsg", maxmsg, "MQ_MSGMAX", e) ?:
		     check_limit(ctx, "msgsize", msgsize, "MQ_MSGSIZEMAX", e);
	else
		rc = 0;
	if (rc)
		goto out;
	attr.mq_maxmsg = (long)maxmsg;
	attr.mq_msgsize = (long)msgsize;
	mqd_t q = mq_open(name.s, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode,
			  sized ? &attr : NULL);
	if (q == (mqd_t)-1 && errno == EEXIST && !c->exclusive) {
		q = mq_open(name.s, O_RDONLY | O_CLOEXEC);
		*existed = q != (mqd_t)-1;
		rc = *existed ? 0 : err_set(e, errno, "it exists, and cannot be opened: %s",
					    ipk_strerror(errno));
	} else if (q == (mqd_t)-1) {
		rc = errno == EEXIST ? err_set(e, EEXIST, "it exists already")
				     : pmq_create_error(ctx, errno, sized ? &attr : NULL, e);
	} else if (fchmod(q, mode) < 0) {
		/* the umask has had its say over mq_open's mode: give the one asked for */
		rc = err_set(e, errno, "cannot set mode %03o: %s", mode, ipk_strerror(errno));
		mq_unlink(name.s);
	}
	if (q != (mqd_t)-1)
		mq_close(q);
	if (!rc && !(*ref = ref_make(&kind_posix_mq, name.s))) {
		rc = err_set(e, ENOMEM, "%s", ipk_strerror(ENOMEM));
		if (!*existed)
			mq_unlink(name.s);
	}
out:
	ipk_buf_free(&name);
	return rc;
}

/*
 * mq_open and mq_unlink work in the caller's IPC namespace, wherever (and
 * whether) its mqueue filesystem is mounted: the open checks that the name
 * is still the queue selected.  Without read permission it cannot; the
 * name the user gave is what is removed then.
 */
static int pmq_remove(struct ipk_ctx *ctx, const struct ipk_object *o, unsigned flags,
		      struct ipk_error *e)
{
	mqd_t q = mq_open(o->name, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st = { 0 };

	if (q == (mqd_t)-1 && errno == ENOENT)
		return err_set(e, ENOENT, "gone since it was selected");
	if (q != (mqd_t)-1) {
		int same = fstat(q, &st) == 0 && (!o->ino || (st.st_dev == o->dev &&
							       st.st_ino == o->ino));
		mq_close(q);
		if (!same)
			return err_set(e, ESTALE, "the name now belongs to another queue");
	} else {
		st.st_uid = o->uid;
	}
	int rc = may_unlink(ctx, -1, &st, o, e);
	if (rc)
		return rc;
	if (!(flags & IPK_RM_FORCE)) {
		if (o->nholders)
			return refuse_in_use(ctx, o, "held by", e);
		if (obj_num(o, IPK_F_NOTIFY_PID) > 0)
			return err_set(e, EBUSY, "in use: process %" PRId64 " waits for its "
				       "notification (mq_notify)", obj_num(o, IPK_F_NOTIFY_PID));
	}
	if (!(flags & IPK_RM_CHECK) && mq_unlink(o->name) < 0)
		return err_kernel(ctx, o, errno, e);
	return 0;
}

/*
 * The queues of this IPC namespace, and what the caller's own charge to
 * RLIMIT_MSGQUEUE: one scan of the kind's own, without holders.
 */
static void pmq_limits_read(struct ipk_ctx *ctx, struct ipk_limit *rows)
{
	struct rlimit rl;
	struct ipk_list *l = ipk_list_new();
	struct ipk_scan s = { .ctx = ctx, .kind = &kind_posix_mq, .list = l };
	struct fieldset wanted = ctx->wanted;
	size_t diags = ctx->ndiags;
	uid_t me = getuid();
	uint64_t bytes = 0;

	if (!l)
		return;
	l->pooled = true;
	ctx->wanted = (struct fieldset){ 0 };
	fieldset_add(&ctx->wanted, IPK_F_UID);
	fieldset_add(&ctx->wanted, IPK_F_MAXMSG);
	fieldset_add(&ctx->wanted, IPK_F_MSGSIZE);
	int rc = pmq_scan(&s);
	ctx->wanted = wanted;
	/* the limits table reports what it cannot read in its own way */
	while (ctx->ndiags > diags) {
		ctx->ndiags--;
		free((char *)ctx->diags[ctx->ndiags].verb);
		free((char *)ctx->diags[ctx->ndiags].object);
	}
	for (size_t i = 0; i < l->n; i++) {
		const struct ipk_object *o = l->v[i];
		if (o->uid == me && obj_has(o, IPK_F_MAXMSG) && obj_has(o, IPK_F_MSGSIZE)) {
			uint64_t c = mq_charge(obj_unum(o, IPK_F_MAXMSG), obj_unum(o, IPK_F_MSGSIZE));
			bytes = bytes + c < bytes ? UINT64_MAX : bytes + c;
		}
	}
	if (!rc) {
		rows[0].has_used = true;
		rows[0].used = l->n;
	}
	/* RLIMIT_MSGQUEUE is the caller's own: the live process only */
	if (ctx->live && getrlimit(RLIMIT_MSGQUEUE, &rl) == 0) {
		struct ipk_limit *q = &rows[5];
		q->has_limit = true;
		q->unlimited = rl.rlim_cur == RLIM_INFINITY;
		q->limit = q->unlimited ? 0 : rl.rlim_cur;
		if (!rc) {
			q->has_used = true;
			q->used = bytes;
		}
	}
	ipk_list_free(l);
}

static const struct limit_def pmq_limits[] = {
	{ "MQ_QUEUES", "number of POSIX message queues", "fs.mqueue.queues_max",
	  IPK_UNIT_COUNT, "fs/mqueue/queues_max", 0, 0, false, false },
	{ "MQ_MSGMAX", "messages per POSIX queue", "fs.mqueue.msg_max", IPK_UNIT_COUNT,
	  "fs/mqueue/msg_max", 0, 0, false, false },
	{ "MQ_MSGSIZEMAX", "largest POSIX message", "fs.mqueue.msgsize_max", IPK_UNIT_BYTES,
	  "fs/mqueue/msgsize_max", 0, 0, false, false },
	{ "MQ_MSGDEFAULT", "messages per queue by default", "fs.mqueue.msg_default",
	  IPK_UNIT_COUNT, "fs/mqueue/msg_default", 0, 0, false, false },
	{ "MQ_MSGSIZEDEFAULT", "message size by default", "fs.mqueue.msgsize_default",
	  IPK_UNIT_BYTES, "fs/mqueue/msgsize_default", 0, 0, false, false },
	{ "MQ_BYTES", "bytes your POSIX queues may take", "RLIMIT_MSGQUEUE (ulimit -q)",
	  IPK_UNIT_BYTES, NULL, 0, 0, false, false },
};

/* ----------------------------------------------------------- scenarios */

/* The runner's descriptor, made blocking: a step waits in the kernel (mq_timedsend). */
static int pmq_smake(struct scn_obj *o, struct ipk_error *e)
{
	mqd_t q = mq_open(scn_ref_arg(o), O_RDWR | O_CLOEXEC);

	if (q == (mqd_t)-1)
		return err_set(e, errno, "mq_open: %s", ipk_strerror(errno));
	o->fd[0] = (int)q;
	return 0;
}

static void pmq_unmake(struct scn_obj *o)
{
	if (o->fd[0] >= 0)
		mq_close((mqd_t)o->fd[0]);
	o->fd[0] = -1;
}

/* O_NONBLOCK belongs to the open queue, shared by every process: nowait gets its own. */
static int pmq_handle(struct scn_worker *w, const struct scn_obj *o, struct scn_handle *h)
{
	struct mq_attr at;
	int rc = scn_handle_fds(w, o, h);

	if (rc)
		return rc;
	h->len = mq_getattr((mqd_t)h->fd, &at) == 0 ? (size_t)at.mq_msgsize : 8192;
	if (w->actor->twin[o->index]) {
		mqd_t q = mq_open(scn_ref_arg(o), O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (q == (mqd_t)-1)
			return -errno;
		h->nb = (int)q;
	}
	return 0;
}

static int pmq_queue(struct scn_exec *x)
{
	int q = x->wait.nowait ? x->h->nb : x->h->fd;

	return q >= 0 ? q : -EBADF;
}

static int pmq_send(struct scn_exec *x)
{
	const void *buf;
	size_t len;
	int64_t prio;
	int q = pmq_queue(x);
	int rc = q < 0 ? q : scn_int(x, A_PRIORITY, 0, &prio);

	if (!rc)
		rc = scn_payload(x, &buf, &len);
	if (rc)
		return rc;
	if (prio < 0 || prio > UINT_MAX)
		return -EINVAL;
	return xport_mq_send((mqd_t)q, buf, len, (unsigned)prio, &x->wait);
}

static int pmq_recv(struct scn_exec *x)
{
	void *buf;
	size_t cap;
	unsigned prio = 0;
	int q = pmq_queue(x);
	int rc = q < 0 ? q : scn_rxbuf(x, x->h->len, &buf, &cap);

	if (rc)
		return rc;
	ssize_t r = xport_mq_recv((mqd_t)q, buf, cap, &prio, &x->wait);
	if (r < 0)
		return (int)r;
	x->data = buf;
	x->len = (size_t)r;
	x->has_data = true;
	x->aux = prio;
	x->has_aux = true;
	return 0;
}

static int pmq_open(struct scn_exec *x)
{
	static const int modes[] = { O_RDONLY, O_WRONLY, O_RDWR };
	int64_t mode = 2;

	scn_int(x, A_MODE, 2, &mode);
	mqd_t q = mq_open(scn_ref_arg(x->o), modes[mode] | O_CLOEXEC);
	if (q == (mqd_t)-1)
		return -errno;
	if (x->h->fd >= 0)
		mq_close((mqd_t)x->h->fd);
	x->h->fd = (int)q;
	return 0;
}

static int pmq_close(struct scn_exec *x)
{
	if (x->h->fd < 0)
		return -EBADF;
	mq_close((mqd_t)x->h->fd);
	x->h->fd = -1;
	if (x->h->nb >= 0)
		mq_close((mqd_t)x->h->nb);
	x->h->nb = -1;
	return 0;
}

static int pmq_unlink(struct scn_exec *x)
{
	return mq_unlink(scn_ref_arg(x->o)) ? -errno : 0;
}

static const struct scn_param pmq_send_params[] = {
	{ "priority", SP_INT, A_PRIORITY, NULL, "the message's priority (0)" },
	SCN_P_DATA,
	SCN_P_SIZE,
	SCN_P_LAST,
};

static const struct scn_op posix_mq_ops[] = {
	{ "send", "mq_send(3) one message of data: or size:, at priority:", pmq_send_params,
	  SCN_BLOCKS | SCN_NB_TWIN | SCN_IN_DATA, pmq_send,
	  "- send: { to: queue, data: \"item {index}.{i}\", priority: 1 }" },
	{ "recv", "mq_receive(3) the oldest of the highest priority (size: at least msgsize)",
	  scn_recv_params, SCN_BLOCKS | SCN_NB_TWIN | SCN_OUT_DATA | SCN_OUT_PRIO, pmq_recv,
	  "- recv: { from: queue, expect: { data: \"item *\", priority: 1 } }" },
	SCN_OP_OPEN(pmq_open, 0),
	{ "close", "mq_close(3) this process's descriptor", NULL, 0, pmq_close, "- close: queue" },
	{ "remove", "mq_unlink(3): the name goes, open descriptors still work", NULL, 0,
	  pmq_unlink, "- remove: queue" },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};

static const struct scn_type posix_mq_scenario = {
	.name = "posix-mq",
	.help = "a POSIX message queue, made as ipc-mk makes it",
	.flags = SCN_T_NAMED,
	.ops = posix_mq_ops,
	.make = pmq_smake,
	.unmake = pmq_unmake,
	.handle = pmq_handle,
};

/* ----------------------------------------------------------- actions */

static int pmq_act(struct ipk_ctx *ctx, const struct kind_act *a)
{
	bool send = a->what == IPK_ACTION_SEND;
	mqd_t q = mq_open(a->o->name, (send ? O_WRONLY : O_RDONLY) | O_NONBLOCK | O_CLOEXEC);
	int rc = 0;

	if (q == (mqd_t)-1)
		return err_kernel(ctx, a->o, errno, a->e);
	if (send) {
		if (a->type < 0 || a->type >= sysconf(_SC_MQ_PRIO_MAX))
			rc = err_set(a->e, EINVAL, "priority %ld: from 0 to %ld", a->type,
				     sysconf(_SC_MQ_PRIO_MAX) - 1);
		else if (mq_send(q, a->data, a->len, (unsigned)a->type) < 0)
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
		else if ((rc = ipk_buf_add(a->out, buf, (size_t)n)) == 0 && a->got_type)
			*a->got_type = prio;
		free(buf);
	}
	mq_close(q);
	return rc;
}

/* Every file of the mqueue directory is a queue. */
static bool pmq_watch_name(const char *file, char *arg, size_t size)
{
	return ref_arg_of_file(file, arg, size);
}

const struct ipk_kind kind_posix_mq = {
	.name = "posix-mq",
	.alias = "mq",
	.description = "POSIX message queue",
	.family = IPK_FAMILY_POSIX,
	.holders = HOLDERS_FILES,
	.holder_procs = PROCS_FDS | PROCS_WAITS,
	.fields = FIELDS(POSIX_FIELDS, IPK_F_INODE, IPK_F_SIZE, IPK_F_CAPACITY, IPK_F_MESSAGES,
			 IPK_F_NATTCH, IPK_F_MAXMSG, IPK_F_MSGSIZE, IPK_F_HOLDERS,
			 IPK_F_NOTIFY_PID),
	.ref_arg = ref_arg_posix_name,
	.scan = pmq_scan,
	.limits = pmq_limits,
	.nlimits = ARRAY_SIZE(pmq_limits),
	.limits_read = pmq_limits_read,
	.create_attrs = IPK_ATTR_BIT(IPK_ATTR_MODE) | IPK_ATTR_BIT(IPK_ATTR_MAXMSG) |
			IPK_ATTR_BIT(IPK_ATTR_MSGSIZE),
	.create_named = true,
	.create = pmq_create,
	.remove = pmq_remove,
	.scenario = &posix_mq_scenario,
	.actions = KIND_ACTS_MSG,
	.act = pmq_act,
	.identity = { .by = IDENT_FILE },
	.watch_dir = WATCH_MQUEUE,
	.watch_name = pmq_watch_name,
	/* a queue's file is opened and closed by every mq_open() and mq_close() */
	.watch_opened = IN_OPEN | IN_CLOSE_NOWRITE | IN_CLOSE_WRITE,
};
