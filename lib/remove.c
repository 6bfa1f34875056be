/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What removing an object takes, whatever its kind: the permission rules
 * of IPC_RMID and unlink(), and files reached without following a link.
 */
#include "internal.h"

#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * The caller's effective uid and capabilities (in its user namespace),
 * read once per context: a removal of 20,000 objects asks the kernel
 * nothing 20,000 times.
 */
static void read_creds(struct ipk_ctx *ctx)
{
	struct __user_cap_header_struct head = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };

	if (ctx->creds_read)
		return;
	ctx->euid = geteuid();
	if (syscall(SYS_capget, &head, data) < 0)
		ctx->caps = ctx->euid == 0 ? ~UINT64_C(0) : 0;
	else
		ctx->caps = (uint64_t)data[1].effective << 32 | data[0].effective;
	ctx->creds_read = true;
}

/* Whether the caller has capability @cap in effect. */
static bool has_cap(struct ipk_ctx *ctx, int cap)
{
	read_creds(ctx);
	return (ctx->caps >> cap) & 1;
}

static uid_t my_uid(struct ipk_ctx *ctx)
{
	read_creds(ctx);
	return ctx->euid;
}

static int denied(struct ipk_ctx *ctx, const struct ipk_object *o, struct ipk_error *e)
{
	return err_kernel(ctx, o, EPERM, e);
}

int may_remove_sysv(struct ipk_ctx *ctx, const struct ipk_object *o, struct ipk_error *e)
{
	uid_t me = my_uid(ctx);

	/* IPC_RMID: the owner, the creator, or CAP_SYS_ADMIN */
	if ((obj_has(o, IPK_F_UID) && o->uid == me) || (obj_has(o, IPK_F_CUID) && o->cuid == me) ||
	    has_cap(ctx, CAP_SYS_ADMIN))
		return 0;
	return denied(ctx, o, e);
}

int may_unlink(struct ipk_ctx *ctx, int dfd, const struct stat *st, const struct ipk_object *o,
	       struct ipk_error *e)
{
	struct stat dir;
	uid_t me = my_uid(ctx);

	if (has_cap(ctx, CAP_FOWNER) && has_cap(ctx, CAP_DAC_OVERRIDE))
		return 0;
	/* no directory at hand: a root-owned sticky one, as the mqueue filesystem's */
	if (dfd < 0)
		return st->st_uid == me || has_cap(ctx, CAP_FOWNER) ? 0 : denied(ctx, o, e);
	if (fstat(dfd, &dir) < 0)
		return 0;	/* unknown: unlink will say */
	/* in a sticky directory (/dev/shm, /tmp) only the owner of the file or the directory */
	if ((dir.st_mode & S_ISVTX) && st->st_uid != me && dir.st_uid != me &&
	    !has_cap(ctx, CAP_FOWNER))
		return denied(ctx, o, e);
	if (faccessat(dfd, ".", W_OK | X_OK, AT_EACCESS) < 0 && errno == EACCES)
		return denied(ctx, o, e);
	return 0;
}


int open_parent(const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];

	if (path[0] != '/' || !slash || !slash[1] || strcmp(slash + 1, ".") == 0 ||
	    strcmp(slash + 1, "..") == 0)
		return -EINVAL;
	size_t len = slash == path ? 1 : (size_t)(slash - path);
	if (len >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, path, len);
	dir[len] = '\0';
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	*base = slash + 1;
	return fd;
}

static const char *type_word(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "a regular file";
	case S_IFDIR: return "a directory";
	case S_IFLNK: return "a symbolic link";
	case S_IFIFO: return "a FIFO";
	case S_IFSOCK: return "a socket";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	}
	return "of an unknown type";
}

/*
 * Checks that @file in @dfd is still the file of @dev and @ino (both 0:
 * any), not followed if a symlink, and of type @type; fills @st.  -ENOENT
 * gone, -ESTALE another file now, -EINVAL another type.
 */
static int file_still(int dfd, const char *file, uint64_t dev, uint64_t ino, mode_t type,
		      struct stat *st, struct ipk_error *e)
{
	if (fstatat(dfd, file, st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return err_set(e, ENOENT, "gone since it was selected");
		return err_set(e, errno, "%s", ipk_strerror(errno));
	}
	if ((st->st_mode & S_IFMT) != type)
		return err_set(e, EINVAL, "not %s but %s: left alone", type_word(type),
			       type_word(st->st_mode));
	if ((dev || ino) && (st->st_dev != dev || st->st_ino != ino))
		return err_set(e, ESTALE, "the name now belongs to another file (inode %" PRIu64
			       ", was %" PRIu64 ")", (uint64_t)st->st_ino, ino);
	return 0;
}

int remove_file(struct ipk_ctx *ctx, const struct ipk_object *o, int dfd, const char *file,
		uint64_t dev, uint64_t ino, mode_t type, unsigned flags,
		int (*check)(struct ipk_ctx *ctx, const struct ipk_object *o,
			     const struct stat *st, unsigned flags, struct ipk_error *e),
		struct ipk_error *e)
{
	const char *base = file;
	bool own_dir = dfd < 0;
	struct stat st;

	if (own_dir) {
		dfd = open_parent(file, &base);
		if (dfd < 0)
			return err_set(e, -dfd, "cannot open its directory: %s", ipk_strerror(-dfd));
	}
	int rc = file_still(dfd, base, dev, ino, type, &st, e);
	if (!rc)
		rc = may_unlink(ctx, dfd, &st, o, e);
	if (!rc && check)
		rc = check(ctx, o, &st, flags, e);
	if (!rc && !(flags & IPK_RM_CHECK) && unlinkat(dfd, base, 0) < 0)
		rc = err_kernel(ctx, o, errno, e);
	if (own_dir)
		close(dfd);
	return rc;
}
