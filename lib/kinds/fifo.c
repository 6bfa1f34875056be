/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fifo: named pipes, as processes hold them, or by the path a user gives. */
#include "../internal.h"
#include "../scenario/scn.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static int fifo_add(struct ipk_scan *s, const char *path, const struct stat *st,
		    const struct held *h, size_t n)
{
	struct ipk_object *o;
	int rc = held_obj_new(s, path, h, n, &o);

	if (rc)
		return rc;
	rc = obj_set_name(o, path);
	if (rc) {
		ipk_object_free(o);
		return rc;
	}
	obj_set_stat(o, st);
	obj_set_num(o, IPK_F_STATUS, 0);
	if (scan_read_fds(s) && n)
		fd_queue_size(s, o, h, n);
	else if (!n)
		obj_set_unum(o, IPK_F_SIZE, 0);	/* nobody holds it: nothing is queued */
	return scan_add(s, o);
}

/* An fd whose link is a path to a FIFO: its path, identity and stat. */
static unsigned fifo_claim(const struct held_probe *p, struct held *h)
{
	if (p->fd < 0 || p->link[0] != '/')
		return 0;
	const struct stat *st = p->stat(p);
	if (!st || !S_ISFIFO(st->st_mode))
		return 0;
	h->dev = st->st_dev;
	h->ino = st->st_ino;
	h->path = p->link;
	return HOLD_CLAIMED | HOLD_STAT | HOLD_MODE | HOLD_DUP;
}

/*
 * The path as /proc shows it: one removed since it was opened ends in
 * " (deleted)", which keeps it apart from a new FIFO of the same name.
 */
static int fifo_make(struct ipk_scan *s, const struct held *h, size_t n)
{
	if (!h->path || !h->st || !scan_wants(s, h->path))
		return 0;
	return fifo_add(s, h->path, h->st, h, n);
}

/*
 * A lookup by path finds a FIFO nobody holds too; a path that is not a
 * FIFO (not even through a symlink) is no FIFO object.
 */
static int fifo_lookup(struct ipk_scan *s)
{
	struct stat st;
	size_t n;

	if (lstat(s->only, &st) < 0 || !S_ISFIFO(st.st_mode))
		return 0;
	const struct held *h = procs_find(s->ctx->procs, (unsigned)ipk_kind_index(s->kind),
					  st.st_dev, st.st_ino, &n);
	return fifo_add(s, s->only, &st, h, n);
}

static int fifo_scan(struct ipk_scan *s)
{
	if (s->only && s->ctx->live)
		return fifo_lookup(s);
	return procs_each_object(s, true, fifo_make);
}

/* An absolute path, as the kernel would name it. */
static int fifo_ref_arg(const char *arg, struct ipk_buf *canon)
{
	if (arg[0] != '/' || strlen(arg) >= PATH_MAX)
		return -EINVAL;
	return ipk_buf_puts(canon, arg);
}

extern const struct ipk_kind kind_fifo;

static int fifo_create(struct ipk_ctx *ctx, const struct ipk_create *c, char **ref,
		       bool *existed, struct ipk_error *e)
{
	uint32_t mode = (c->set & IPK_ATTR_BIT(IPK_ATTR_MODE)) ? c->mode : 0600;
	const char *base;
	struct stat st;
	int rc = 0;

	(void)ctx;
	if (c->name[0] != '/' || strlen(c->name) >= PATH_MAX)
		return err_set(e, EINVAL, "a FIFO needs an absolute path");
	/* what open_parent() refuses as EINVAL: a directory, not a file to make */
	const char *last = strrchr(c->name, '/') + 1;
	if (!*last || strcmp(last, ".") == 0 || strcmp(last, "..") == 0)
		return err_set(e, EINVAL, "the path ends in '/', '.' or '..': a FIFO needs a file "
			       "name last");
	int dfd = open_parent(c->name, &base);
	if (dfd < 0)
		return err_set(e, -dfd, "cannot open its directory: %s", ipk_strerror(-dfd));
	if (mkfifoat(dfd, base, 0600) == 0) {
		/*
		 * mkfifo's mode goes through the umask: give the one asked for,
		 * through an fd of the FIFO just made (O_NONBLOCK: no writer
		 * needed), never through a name someone could swap for a link.
		 */
		int fd = openat(dfd, base, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
		int err = 0;
		if (fd < 0 || fstat(fd, &st) < 0)
			err = errno;
		else if (!S_ISFIFO(st.st_mode))
			err = EEXIST;	/* swapped for something else already */
		else if (fchmod(fd, mode) < 0)
			err = errno;
		if (err) {
			struct stat now;
			rc = err_set(e, err, "cannot set mode %03o: %s", mode, ipk_strerror(err));
			/* take back the FIFO made here, and nothing else */
			if (fd >= 0 && S_ISFIFO(st.st_mode) &&
			    fstatat(dfd, base, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
			    now.st_dev == st.st_dev && now.st_ino == st.st_ino)
				unlinkat(dfd, base, 0);
		}
		if (fd >= 0)
			close(fd);
	} else if (errno == EEXIST && !c->exclusive) {
		if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISFIFO(st.st_mode))
			*existed = true;
		else
			rc = err_set(e, EEXIST, "it exists and is not a FIFO: left alone");
	} else {
		rc = err_set(e, errno, "%s", errno == EEXIST ? "it exists already" : ipk_strerror(errno));
	}
	close(dfd);
	if (!rc && !(*ref = ref_make(&kind_fifo, c->name)))
		rc = err_set(e, ENOMEM, "%s", ipk_strerror(ENOMEM));
	return rc;
}

static int fifo_check(struct ipk_ctx *ctx, const struct ipk_object *o, const struct stat *st,
		      unsigned flags, struct ipk_error *e)
{
	(void)st;
	if (!(flags & IPK_RM_FORCE) && o->nholders)
		return refuse_in_use(ctx, o, "held by", e);
	return 0;
}

/* Only a FIFO, the inode selected, that no process holds open. */
static int fifo_remove(struct ipk_ctx *ctx, const struct ipk_object *o, unsigned flags,
		       struct ipk_error *e)
{
	return remove_file(ctx, o, -1, o->name, o->dev, o->ino, S_IFIFO, flags, fifo_check, e);
}

/* ----------------------------------------------------------- scenarios */

/*
 * A FIFO is opened by each worker when it first sends (for writing) or
 * receives (for reading), so an open waits for the other end as open(2)
 * does; with nowait it fails as the kernel says (ENXIO: no reader yet).
 * fd reads, fd2 writes; a descriptor opened read-write is both.
 */
static int fifo_open_end(struct scn_exec *x, int flags, int *fd)
{
	const struct xport_wait *w = &x->wait;
	int rc = xport_alarm_arm(w);

	while (!rc) {
		int f = open(scn_ref_arg(x->o), flags | O_CLOEXEC | (w->nowait ? O_NONBLOCK : 0));
		if (f >= 0) {
			/* Waits go through poll from now on, whoever shares it. */
			fcntl(f, F_SETFL, fcntl(f, F_GETFL) | O_NONBLOCK);
			*fd = f;
			break;
		}
		rc = errno == EINTR ? (xport_expired(w) ? -ETIMEDOUT : 0) : -errno;
	}
	xport_alarm_disarm();
	return rc;
}

static int fifo_send(struct scn_exec *x)
{
	int rc = x->h->fd2 < 0 ? fifo_open_end(x, O_WRONLY, &x->h->fd2) : 0;

	return rc ? rc : scn_send_on(x, x->h->fd2, true);
}

static int fifo_recv(struct scn_exec *x)
{
	int rc = x->h->fd < 0 ? fifo_open_end(x, O_RDONLY, &x->h->fd) : 0;

	return rc ? rc : scn_recv_on(x, x->h->fd, true);
}

static int fifo_close_handle(struct scn_exec *x)
{
	struct scn_handle *h = x->h;

	if (h->fd < 0 && h->fd2 < 0)
		return -EBADF;
	if (h->fd >= 0)
		close(h->fd);
	if (h->fd2 >= 0 && h->fd2 != h->fd)
		close(h->fd2);
	h->fd = h->fd2 = -1;
	return 0;
}

static int fifo_sopen(struct scn_exec *x)
{
	static const int modes[] = { O_RDONLY, O_WRONLY, O_RDWR };
	int64_t mode = 2;
	int fd = -1;

	scn_int(x, A_MODE, 2, &mode);
	int rc = fifo_open_end(x, modes[mode], &fd);
	if (rc)
		return rc;
	if (mode != 1) {
		if (x->h->fd >= 0 && x->h->fd != x->h->fd2)
			close(x->h->fd);
		x->h->fd = fd;
	}
	if (mode != 0) {
		if (x->h->fd2 >= 0 && x->h->fd2 != fd && x->h->fd2 != x->h->fd)
			close(x->h->fd2);
		x->h->fd2 = fd;
	}
	return 0;
}

static int fifo_unlink(struct scn_exec *x)
{
	return unlink(scn_ref_arg(x->o)) ? -errno : 0;
}

static const struct scn_op fifo_ops[] = {
	{ "send", "write the bytes (opening it for writing first: waits for a reader)",
	  scn_send_params, SCN_BLOCKS | SCN_IN_DATA, fifo_send,
	  "- send: { to: ctl, data: \"status {index}\" }" },
	{ "recv", "read size: bytes, or what one read gives (opening it for reading first)",
	  scn_recv_params, SCN_BLOCKS | SCN_OUT_DATA, fifo_recv,
	  "- recv: { from: ctl, expect: \"status *\" }" },
	{ "write", "the same as send", scn_send_params, SCN_BLOCKS | SCN_IN_DATA, fifo_send,
	  "- write: { to: ctl, data: x }" },
	{ "read", "the same as recv", scn_recv_params, SCN_BLOCKS | SCN_OUT_DATA, fifo_recv,
	  "- read: { from: ctl, size: 1 }" },
	{ "open", "open(2) it: mode: read, write or rw (waits for the other end)",
	  scn_open_params, SCN_BLOCKS, fifo_sopen, "- open: { on: ctl, mode: read }" },
	{ "close", "close this process's descriptors", NULL, 0, fifo_close_handle,
	  "- close: ctl" },
	{ "remove", "unlink(2) it: open descriptors still work", NULL, 0, fifo_unlink,
	  "- remove: ctl" },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};

static int fifo_handle(struct scn_worker *w, const struct scn_obj *o, struct scn_handle *h)
{
	(void)w;
	(void)o;
	h->fd = h->fd2 = -1;
	return 0;
}

static const struct scn_type fifo_scenario = {
	.name = "fifo",
	.help = "a named pipe at a path, made as ipc-mk makes it; each actor opens it itself",
	.flags = SCN_T_NAMED | SCN_T_PATH,
	.ops = fifo_ops,
	.handle = fifo_handle,
};

const struct ipk_kind kind_fifo = {
	.name = "fifo",
	.description = "named pipe",
	.family = IPK_FAMILY_FD,
	.procs = PROCS_FDS,
	.holder_procs = PROCS_WAITS,
	.claim = fifo_claim,
	.fd_read = fd_read_queue,
	.fd_fields = FIELDS(IPK_F_SIZE, IPK_F_CAPACITY),
	.fields = FIELDS(IPK_F_REF, IPK_F_NS, IPK_F_NAME, IPK_F_OWNER, IPK_F_UID, IPK_F_GROUP,
			 IPK_F_GID, IPK_F_PERMS, IPK_F_INODE, IPK_F_SIZE, IPK_F_CAPACITY,
			 IPK_F_HOLDERS, IPK_F_CTIME, IPK_F_ATIME, IPK_F_STATUS),
	.ref_arg = fifo_ref_arg,
	.scan = fifo_scan,
	.create_attrs = IPK_ATTR_BIT(IPK_ATTR_MODE),
	.create_named = true,
	.create = fifo_create,
	.remove = fifo_remove,
	.scenario = &fifo_scenario,
	.identity = { .by = IDENT_FILE },
};
