/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fifo: named pipes, as processes hold them, or by the path a user gives. */
#include "../internal.h"

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
	if (s->ctx->live && n)
		fd_queue_size(o, s->ctx->procs, h, n);
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
	return HOLD_CLAIMED | HOLD_STAT | HOLD_MODE;
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

const struct ipk_kind kind_fifo = {
	.name = "fifo",
	.description = "named pipe",
	.family = IPK_FAMILY_FD,
	.procs = PROCS_FDS,
	.holder_procs = PROCS_WAITS,
	.claim = fifo_claim,
	.fields = FIELDS(IPK_F_REF, IPK_F_NS, IPK_F_NAME, IPK_F_OWNER, IPK_F_UID, IPK_F_GROUP,
			 IPK_F_GID, IPK_F_PERMS, IPK_F_INODE, IPK_F_SIZE, IPK_F_CAPACITY,
			 IPK_F_HOLDERS, IPK_F_CTIME, IPK_F_ATIME, IPK_F_STATUS),
	.ref_arg = fifo_ref_arg,
	.scan = fifo_scan,
	.create_attrs = IPK_ATTR_BIT(IPK_ATTR_MODE),
	.create_named = true,
	.create = fifo_create,
	.remove = fifo_remove,
};
