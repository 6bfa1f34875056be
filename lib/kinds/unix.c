/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * unix: unix-___domain sockets of the caller's network namespace.  Live, from
 * one NETLINK_SOCK_DIAG dump (struct unix_diag_msg: type, state, peer,
 * queues); from frozen copies, /proc/net/unix.  Every socket is listed,
 * held by a process or not.
 */
#include "../internal.h"
#include "../scenario/scn.h"

#include <limits.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <sys/stat.h>

/* What a socket's record keeps after it (obj_tail()): the file it is bound to, for removal. */
struct unix_tail {
	uint64_t file_dev, file_ino;	/* 0: none, or not its file any more */
};

/* One socket, from either source. */
struct unix_sock {
	uint64_t ino, peer;
	int type;		/* SOCK_STREAM ... */
	int state;		/* TCP_LISTEN, TCP_ESTABLISHED ... */
	bool has_queues;
	uint32_t recvq, sendq;
	char name[sizeof(((struct sockaddr_un *)0)->sun_path) + 2];	/* a path, "@abstract" */
	bool has_vfs;
	uint64_t vfs_dev, vfs_ino;	/* the bound file */
};

static const char *type_name(int type)
{
	switch (type) {
	case SOCK_STREAM: return "stream";
	case SOCK_DGRAM: return "dgram";
	case SOCK_SEQPACKET: return "seqpacket";
	}
	return "unknown";
}

static const char *state_name(int state)
{
	switch (state) {
	case TCP_LISTEN: return "listening";
	case TCP_ESTABLISHED: return "connected";
	case TCP_SYN_SENT: return "connecting";
	case TCP_CLOSE: return "unconnected";
	case TCP_CLOSE_WAIT: return "disconnecting";
	}
	return "unknown";
}

static int unix_add(struct ipk_scan *s, const struct unix_sock *u)
{
	char arg[24];
	struct stat st;
	bool bound = false;

	fmt_u64(arg, u->ino);
	/* the file of a bound socket, if it is still that socket's */
	if (u->name[0] == '/' && u->has_vfs && lstat(u->name, &st) == 0 &&
	    st.st_ino == u->vfs_ino && st.st_dev == u->vfs_dev && S_ISSOCK(st.st_mode))
		bound = true;
	/* a lookup by path wants the socket bound to that file now */
	if (s->only && s->only[0] == '/' ? !bound || strcmp(s->only, u->name) != 0
					 : !scan_wants(s, arg))
		return 0;
	struct ipk_object *o = scan_obj_new(s);
	if (!o)
		return -ENOMEM;
	int rc = obj_set_ref(o, arg);
	if (!rc && u->name[0])
		rc = obj_set_name(o, u->name);
	if (!rc)
		rc = obj_set_word(o, IPK_F_TYPE, type_name(u->type));
	if (!rc)
		rc = obj_set_word(o, IPK_F_STATE, state_name(u->state));
	if (!rc && u->peer) {
		char peer[24];
		fmt_u64(peer, u->peer);
		char *ref = ref_make(o->kind, peer);
		rc = ref ? obj_set_str(o, IPK_F_PEER, ref) : -ENOMEM;
		free(ref);
	}
	if (!rc && u->has_queues) {
		/* as ss -x: a listener's queues are pending and most connections */
		rc = obj_set_unum(o, IPK_F_RECVQ, u->recvq);
		if (!rc)
			rc = obj_set_unum(o, IPK_F_SENDQ, u->sendq);
		if (u->state != TCP_LISTEN)
			obj_set_unum(o, IPK_F_SIZE, u->recvq);
	}
	if (rc) {
		ipk_object_free(o);
		return rc;
	}
	/* the owner and permissions of a bound socket are its file's */
	if (bound) {
		struct unix_tail *t = obj_tail(o);
		obj_set_stat(o, &st);
		t->file_dev = st.st_dev;
		t->file_ino = st.st_ino;
	}
	/* a socket is its inode: what its holders' fds name */
	o->dev = 0;
	obj_set_unum(o, IPK_F_INODE, u->ino);
	obj_set_num(o, IPK_F_STATUS, u->state == TCP_LISTEN ? IPK_ST_LISTENING :
				    u->state == TCP_ESTABLISHED ? IPK_ST_CONNECTED : 0);
	return scan_add(s, o);
}

static void parse_attrs(const struct unix_diag_msg *m, size_t len, struct unix_sock *u)
{
	const struct rtattr *a = (const struct rtattr *)(m + 1);
	size_t left = len - NLMSG_ALIGN(sizeof(*m));

	for (; RTA_OK(a, left); a = RTA_NEXT(a, left)) {
		const void *data = RTA_DATA(a);
		size_t size = RTA_PAYLOAD(a);

		switch (a->rta_type) {
		case UNIX_DIAG_NAME:
			if (size > 0 && size < sizeof(u->name) - 1) {
				/*
				 * An abstract name starts with a NUL and may hold more:
				 * each is shown as @, as ss(8) shows them, so the name is
				 * whole.  A path ends at its first NUL.
				 */
				memcpy(u->name, data, size);
				u->name[size] = '\0';
				if (u->name[0] == '\0')
					for (size_t i = 0; i < size; i++)
						if (!u->name[i])
							u->name[i] = '@';
			}
			break;
		case UNIX_DIAG_VFS:
			if (size >= sizeof(struct unix_diag_vfs)) {
				const struct unix_diag_vfs *v = data;
				u->has_vfs = true;
				u->vfs_ino = v->udiag_vfs_ino;
				/* the kernel's own dev_t (major << 20 | minor), not stat's */
				u->vfs_dev = makedev(v->udiag_vfs_dev >> 20,
						     v->udiag_vfs_dev & 0xfffff);
			}
			break;
		case UNIX_DIAG_PEER:
			if (size >= sizeof(uint32_t))
				u->peer = *(const uint32_t *)data;
			break;
		case UNIX_DIAG_RQLEN:
			if (size >= sizeof(struct unix_diag_rqlen)) {
				const struct unix_diag_rqlen *q = data;
				u->has_queues = true;
				u->recvq = q->udiag_rqueue;
				u->sendq = q->udiag_wqueue;
			}
			break;
		}
	}
}

/* One dump of every unix socket: -errno when sock_diag is not there. */
static int unix_diag_scan(struct ipk_scan *s)
{
	int nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	struct {
		struct nlmsghdr nlh;
		struct unix_diag_req req;
	} request = {
		.nlh = {
			.nlmsg_len = sizeof(request),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		},
		.req = {
			.sdiag_family = AF_UNIX,
			.udiag_states = ~0u,
			.udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_VFS | UDIAG_SHOW_PEER |
				      UDIAG_SHOW_RQLEN,
		},
	};
	int rc = 0;

	if (nl < 0)
		return -errno;
	if (send(nl, &request, sizeof(request), 0) < 0) {
		rc = -errno;
		close(nl);
		return rc;
	}
	/* aligned for struct nlmsghdr */
	static __thread long buf[8192];
	for (bool done = false; !done && !rc;) {
		ssize_t n = recv(nl, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		const struct nlmsghdr *h = (const struct nlmsghdr *)(void *)buf;
		size_t left = (size_t)n;
		for (; NLMSG_OK(h, left) && !rc; h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);
				rc = e->error ? e->error : -EPROTO;
				break;
			}
			const struct unix_diag_msg *m = NLMSG_DATA(h);
			struct unix_sock u = {
				.ino = m->udiag_ino, .type = m->udiag_type, .state = m->udiag_state,
			};
			parse_attrs(m, h->nlmsg_len - NLMSG_HDRLEN, &u);
			rc = unix_add(s, &u);
		}
	}
	close(nl);
	return rc;
}

/*
 * /proc/net/unix: "Num RefCount Protocol Flags Type St Inode Path"; Flags
 * 00010000 is a listener, St 01..04 unconnected, connecting, connected,
 * disconnecting.  No peers and no queues here.
 */
static int unix_proc_scan(struct ipk_scan *s)
{
	static const int states[] = { 0, TCP_CLOSE, TCP_SYN_SENT, TCP_ESTABLISHED, TCP_CLOSE_WAIT };
	char *text, *save = NULL;
	int rc = ctx_read_file(s->ctx, "/proc/net/unix", &text, NULL);

	if (rc) {
		if (rc != -ENOMEM)
			scan_diag(s, -rc, "read", "/proc/net/unix");
		return rc == -ENOMEM ? rc : 0;
	}
	char *line = strtok_r(text, "\n", &save);	/* the header */
	while (!rc && (line = strtok_r(NULL, "\n", &save))) {
		struct unix_sock u = { 0 };
		unsigned flags, type, st;
		unsigned long long ino;
		int name_at = 0;

		if (sscanf(line, "%*s %*s %*s %8x %4x %2x %19llu %n", &flags, &type, &st, &ino,
			   &name_at) < 4)
			continue;
		u.ino = ino;
		u.type = (int)type;
		u.state = flags & 0x10000 ? TCP_LISTEN : st < ARRAY_SIZE(states) ? states[st] : -1;
		if (name_at > 0)
			snprintf(u.name, sizeof(u.name), "%s", line + name_at);
		rc = unix_add(s, &u);
	}
	free(text);
	return rc;
}

/*
 * A socket file no socket of this network namespace is bound to (its
 * server died without unlinking it, or lives in another network
 * namespace: sock_diag sees only ours): found by its path only.
 */
static int unix_stale_file(struct ipk_scan *s)
{
	struct stat st;

	if (lstat(s->only, &st) < 0 || !S_ISSOCK(st.st_mode))
		return 0;
	struct ipk_object *o = scan_obj_new(s);
	if (!o)
		return -ENOMEM;
	int rc = obj_set_ref(o, s->only);
	if (!rc)
		rc = obj_set_name(o, s->only);
	if (rc) {
		ipk_object_free(o);
		return rc;
	}
	obj_set_stat(o, &st);
	/* no socket: the file's inode is not one, and nothing holds it */
	fieldset_del(&o->present, IPK_F_INODE);
	o->dev = o->ino = 0;
	struct unix_tail *t = obj_tail(o);
	t->file_dev = st.st_dev;
	t->file_ino = st.st_ino;
	rc = obj_set_word(o, IPK_F_STATE, "unbound");
	if (rc) {
		ipk_object_free(o);
		return rc;
	}
	obj_set_num(o, IPK_F_STATUS, IPK_ST_ORPHAN);
	return scan_add(s, o);
}

static int unix_scan(struct ipk_scan *s)
{
	size_t before = s->list->n;
	int rc;

	if (!s->ctx->live || (rc = unix_diag_scan(s)) == -EPROTONOSUPPORT) {
		rc = unix_proc_scan(s);
	} else if (rc && rc != -ENOMEM) {
		/* a dump cut short lists some sockets only: say so */
		scan_diag(s, -rc, "read", "unix sockets (sock_diag)");
		rc = 0;
	}
	if (!rc && s->only && s->only[0] == '/' && s->list->n == before && s->ctx->live)
		rc = unix_stale_file(s);
	return rc;
}

/* An inode, or the absolute path of a socket file. */
static int unix_ref_arg(const char *arg, struct ipk_buf *canon)
{
	if (arg[0] == '/')
		return strlen(arg) < sizeof(((struct sockaddr_un *)0)->sun_path) ?
		       ipk_buf_puts(canon, arg) : -EINVAL;
	return ref_arg_number(arg, canon);
}

/*
 * Whether a socket of another network namespace listens on @path: a
 * connect() of each type is refused (ECONNREFUSED) only where nothing is
 * bound.  The one way to know, at the cost of a connection the server
 * sees open and close at once.
 */
static bool someone_listens(const char *path)
{
	static const int types[] = { SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM };
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		int fd = socket(AF_UNIX, types[i] | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0)
			continue;
		int rc = connect(fd, (struct sockaddr *)&addr, sizeof(addr));
		int err = rc < 0 ? errno : 0;
		close(fd);
		/* EAGAIN: a full backlog, EPROTOTYPE: bound, of another type */
		if (!err || err == EAGAIN || err == EINPROGRESS)
			return true;
		if (err != EPROTOTYPE && err != ECONNREFUSED)
			return err != ENOENT;	/* EACCES and the like: do not assume */
	}
	return false;
}

/* A socket is held through "socket:[INODE]" fds (of every family: only unix ones match). */
static unsigned unix_claim(const struct held_probe *p, struct held *h)
{
	if (p->fd < 0 || !link_inode(p->link, "socket", &h->ino))
		return 0;
	h->dev = 0;
	return HOLD_CLAIMED;
}

static int unix_check(struct ipk_ctx *ctx, const struct ipk_object *o, const struct stat *st,
		      unsigned flags, struct ipk_error *e)
{
	(void)st;
	if (flags & IPK_RM_FORCE)
		return 0;
	if (obj_has(o, IPK_F_INODE))
		return refuse_in_use(ctx, o, o->status & IPK_ST_LISTENING ?
				     "a listening socket is bound to it, held by" :
				     "a socket is bound to it, held by", e);
	if (someone_listens(o->name))
		return err_set(e, EBUSY, "in use: a process of another network namespace "
			       "answers on it");
	return 0;
}

/*
 * Only the file of a path-bound socket can go, and only while no socket
 * is bound to it (--force: the socket lives on, unreachable by name).
 */
static int unix_remove(struct ipk_ctx *ctx, const struct ipk_object *o, unsigned flags,
		       struct ipk_error *e)
{
	if (!o->name || o->name[0] != '/')
		return refuse_no_name(ctx, o, o->name ? "an abstract socket has no file to remove"
					     : "an unnamed socket has nothing to remove", e);
	const struct unix_tail *t = obj_tail_const(o);
	if (!t->file_ino)
		return err_set(e, ENOENT, "its file %s is gone or belongs to another socket",
			       o->name);
	return remove_file(ctx, o, -1, o->name, t->file_dev, t->file_ino, S_IFSOCK,
			   flags, unix_check, e);
}

static const struct limit_def unix_limits[] = {
	{ "UNIX_DGRAM_QLEN", "datagrams queued on a unix socket", "net.unix.max_dgram_qlen",
	  IPK_UNIT_COUNT, "net/unix/max_dgram_qlen", 0, 0, false, false },
};

/* ----------------------------------------------------------- scenarios */

/*
 * A unix socket at a path (or @name, abstract): the runner binds it (and
 * listens, for a stream or seqpacket) before the actors start.  A worker's
 * first recv accepts a connection and its first send connects, so a client
 * that sends first and a server that receives first need no open: step;
 * open: connects, open: { accept: true } accepts another.  A datagram is
 * received on the bound socket every actor shares, and sent from a socket
 * of the worker's own.  fd is the worker's connection, fd2 its datagram
 * sender.
 */
static int unix_addr(const struct scn_obj *o, struct sockaddr_un *sa, socklen_t *len)
{
	const char *p = o->path;
	size_t n = strlen(p);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (n >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	memcpy(sa->sun_path, p, n);
	if (p[0] == '@')
		sa->sun_path[0] = '\0';
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (p[0] == '@' ? 0 : 1));
	return 0;
}

static int unix_smake(struct scn_obj *o, struct ipk_error *e)
{
	struct sockaddr_un sa;
	socklen_t len;
	struct stat st;
	int rc = unix_addr(o, &sa, &len);

	if (rc)
		return err_set(e, -rc, "path too long for a unix socket");
	int fd = socket(AF_UNIX, o->socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_set(e, errno, "socket: %s", ipk_strerror(errno));
	if (bind(fd, (struct sockaddr *)&sa, len)) {
		int err = errno;
		close(fd);
		/* Someone else's socket is there: with existing: reuse, connect to it. */
		if (err == EADDRINUSE && o->reuse)
			return 0;
		return err_set(e, err, "bind: %s", ipk_strerror(err));
	}
	if (o->socktype != SOCK_DGRAM && listen(fd, SOMAXCONN)) {
		int err = errno;
		close(fd);
		return err_set(e, err, "listen: %s", ipk_strerror(err));
	}
	o->fd[0] = fd;
	if (o->path[0] != '@' && stat(o->path, &st) == 0) {
		o->made = true;
		o->dev = st.st_dev;
		o->ino = st.st_ino;
	}
	return 0;
}

/* The path of what was bound, if it is still that socket's. */
static void unix_sremove(struct scn_obj *o)
{
	struct stat st;

	if (o->path && o->path[0] != '@' && lstat(o->path, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    st.st_dev == o->dev && st.st_ino == o->ino)
		unlink(o->path);
}

static int unix_sref(const struct scn_obj *o, struct ipk_buf *ref)
{
	struct stat st;

	if (o->fd[0] >= 0 && fstat(o->fd[0], &st) == 0)
		return ipk_buf_printf(ref, "%llu", (unsigned long long)st.st_ino);
	return o->path[0] == '/' ? ipk_buf_puts(ref, o->path) : -ENOENT;
}

static int unix_shandle(struct scn_worker *w, const struct scn_obj *o, struct scn_handle *h)
{
	(void)w;
	(void)o;
	h->fd = h->fd2 = -1;
	return 0;
}

static int unix_connect(struct scn_exec *x, int *out)
{
	struct sockaddr_un sa;
	socklen_t len;
	int rc = unix_addr(x->o, &sa, &len);

	if (rc)
		return rc;
	int fd = socket(AF_UNIX, x->o->socktype | SOCK_CLOEXEC | (x->wait.nowait ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0)
		return -errno;
	rc = xport_alarm_arm(&x->wait);
	while (!rc && connect(fd, (struct sockaddr *)&sa, len))
		rc = errno == EINTR ? (xport_expired(&x->wait) ? -ETIMEDOUT : 0) : -errno;
	xport_alarm_disarm();
	if (rc) {
		close(fd);
		return rc;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	*out = fd;
	return 0;
}

static int unix_accept(struct scn_exec *x, int *out)
{
	int lfd = x->o->fd[0];

	if (lfd < 0 || x->o->socktype == SOCK_DGRAM)
		return -EINVAL;
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			*out = fd;
			return 0;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -errno;
		int rc = xport_wait_fd(lfd, POLLIN, &x->wait);
		if (rc)
			return rc;
	}
}

/* The worker's connection, made the way the first step that needs it says. */
static int unix_conn(struct scn_exec *x, bool receiving, int *fd)
{
	struct scn_handle *h = x->h;
	int rc = 0;

	if (x->o->socktype == SOCK_DGRAM) {
		if (receiving) {
			*fd = x->o->fd[0];
			return *fd >= 0 ? 0 : -ENOTCONN;
		}
		if (h->fd2 < 0)
			rc = unix_connect(x, &h->fd2);
		*fd = h->fd2;
		return rc;
	}
	if (h->fd < 0)
		rc = receiving && x->o->fd[0] >= 0 ? unix_accept(x, &h->fd) : unix_connect(x, &h->fd);
	*fd = h->fd;
	return rc;
}

static int unix_send(struct scn_exec *x)
{
	int fd, rc = unix_conn(x, false, &fd);

	return rc ? rc : scn_send_on(x, fd, x->o->socktype == SOCK_STREAM);
}

static int unix_recv(struct scn_exec *x)
{
	int fd, rc = unix_conn(x, true, &fd);

	return rc ? rc : scn_recv_on(x, fd, x->o->socktype == SOCK_STREAM);
}

static int unix_sopen(struct scn_exec *x)
{
	int fd = -1;
	bool dgram = x->o->socktype == SOCK_DGRAM;
	int rc = scn_bool(x, A_ACCEPT) ? unix_accept(x, &fd) : unix_connect(x, &fd);

	if (rc)
		return rc;
	int *slot = dgram ? &x->h->fd2 : &x->h->fd;
	if (*slot >= 0)
		close(*slot);
	*slot = fd;
	return 0;
}

static int unix_unlink(struct scn_exec *x)
{
	if (x->o->path[0] == '@')
		return -EOPNOTSUPP;
	return unlink(x->o->path) ? -errno : 0;
}

static const struct scn_param unix_attrs[] = {
	{ "type", SP_WORD, A_SOCKTYPE, "stream dgram seqpacket", "the socket type (stream)" },
	SCN_P_LAST,
};

static const struct scn_param unix_send_params[] = {
	SCN_P_DATA, SCN_P_SIZE, SCN_P_FDS, SCN_P_LAST,
};

static const struct scn_param unix_recv_params[] = {
	SCN_P_RSIZE, SCN_P_RFDS, SCN_P_LAST,
};

static const struct scn_param unix_open_params[] = {
	{ "accept", SP_BOOL, A_ACCEPT, NULL, "accept a connection instead of connecting" },
	SCN_P_LAST,
};

static const struct scn_op unix_ops[] = {
	{ "send", "send on this worker's connection (connecting first); fds: pass descriptors",
	  unix_send_params, SCN_BLOCKS | SCN_IN_DATA, unix_send,
	  "- send: { to: sock, data: \"hello\", fds: [log] }" },
	{ "recv", "receive on this worker's connection (accepting first); fds: room for them",
	  unix_recv_params, SCN_BLOCKS | SCN_OUT_DATA | SCN_OUT_FDS, unix_recv,
	  "- recv: { from: sock, fds: 1, expect: { data: hello, fds: 1 } }" },
	{ "write", "the same as send", unix_send_params, SCN_BLOCKS | SCN_IN_DATA, unix_send,
	  "- write: { to: sock, data: x }" },
	{ "read", "the same as recv", unix_recv_params,
	  SCN_BLOCKS | SCN_OUT_DATA | SCN_OUT_FDS, unix_recv, "- read: { from: sock, size: 1 }" },
	{ "open", "connect(2), or accept: true to accept(2) a connection", unix_open_params,
	  SCN_BLOCKS, unix_sopen, "- open: { on: sock, accept: true }" },
	{ "close", "close this worker's connection", NULL, 0, scn_fd_close, "- close: sock" },
	{ "remove", "unlink(2) its path: who is connected stays connected", NULL, 0, unix_unlink,
	  "- remove: sock" },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};

static const struct scn_type unix_scenario = {
	.name = "unix",
	.help = "a unix socket bound to a path or @name before the actors start",
	.flags = SCN_T_PATH,
	.attrs = unix_attrs,
	.ops = unix_ops,
	.make = unix_smake,
	.unmake = scn_fds_unmake,
	.remove = unix_sremove,
	.handle = unix_shandle,
	.ref_arg = unix_sref,
};

const struct ipk_kind kind_unix = {
	.name = "unix",
	.description = "unix-___domain socket",
	.family = IPK_FAMILY_FD,
	.tail = sizeof(struct unix_tail),
	.holders = HOLDERS_CLAIMED,
	.holder_procs = PROCS_FDS | PROCS_WAITS,
	.claim = unix_claim,
	.fields = FIELDS(IPK_F_REF, IPK_F_NS, IPK_F_NAME, IPK_F_OWNER, IPK_F_UID, IPK_F_GROUP,
			 IPK_F_GID, IPK_F_PERMS, IPK_F_INODE, IPK_F_SIZE, IPK_F_HOLDERS,
			 IPK_F_CTIME, IPK_F_STATUS, IPK_F_TYPE, IPK_F_STATE, IPK_F_PEER,
			 IPK_F_RECVQ, IPK_F_SENDQ),
	.ref_arg = unix_ref_arg,
	.scan = unix_scan,
	.limits = unix_limits,
	.nlimits = ARRAY_SIZE(unix_limits),
	.remove = unix_remove,
	.scenario = &unix_scenario,
	.identity = { .by = IDENT_REF },
};
