/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * unix: unix-___domain sockets of the caller's network namespace.  Live, from
 * one NETLINK_SOCK_DIAG dump (struct unix_diag_msg: type, state, peer,
 * queues); from frozen copies, /proc/net/unix.  Every socket is listed,
 * held by a process or not.
 */
#include "../internal.h"

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
		obj_set_stat(o, &st);
		o->kind_data[0] = st.st_dev;
		o->kind_data[1] = st.st_ino;
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
			ctx_diag(s->ctx, -rc, "read", "/proc/net/unix");
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
	o->kind_data[0] = st.st_dev;
	o->kind_data[1] = st.st_ino;
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

	if (!s->ctx->live || (rc = unix_diag_scan(s)) == -EPROTONOSUPPORT)
		rc = unix_proc_scan(s);
	else
		rc = rc == -ENOMEM ? rc : 0;
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
	if (!o->kind_data[1])
		return err_set(e, ENOENT, "its file %s is gone or belongs to another socket",
			       o->name);
	return remove_file(ctx, o, -1, o->name, o->kind_data[0], o->kind_data[1], S_IFSOCK,
			   flags, unix_check, e);
}

static const struct limit_def unix_limits[] = {
	{ "UNIX_DGRAM_QLEN", "datagrams queued on a unix socket", "net.unix.max_dgram_qlen",
	  IPK_UNIT_COUNT, "net/unix/max_dgram_qlen", 0, 0, false, false },
};

const struct ipk_kind kind_unix = {
	.name = "unix",
	.description = "unix-___domain socket",
	.family = IPK_FAMILY_FD,
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
};
