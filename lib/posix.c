/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the POSIX kinds share: walking /dev/shm and the mqueue filesystem
 * without following links, opening anything read-write, or mistaking a
 * directory or a device for an object.
 */
#include "internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <unistd.h>

/*
 * Opening a FIFO, even O_NONBLOCK for reading, makes it a reader: a writer
 * blocked in open() goes on, and its first write after we close gets
 * SIGPIPE.  So the name is opened O_PATH (which opens nothing for I/O),
 * its type checked on that fd, and only a regular file opened for reading,
 * through /proc/self/fd: the same inode, whatever the name holds by then.
 */
int posix_open_regular(int dfd, const char *file, struct stat *st)
{
	int path = openat(dfd, file, O_PATH | O_NOFOLLOW | O_CLOEXEC);

	if (path < 0)
		return -ENOENT;		/* gone since readdir */
	if (fstat(path, st) < 0 || !S_ISREG(st->st_mode)) {
		close(path);
		return -ENOENT;		/* a FIFO, a symlink, a directory: no object */
	}
	char self[32];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", path);
	int fd = open(self, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	int err = errno;
	close(path);
	if (fd >= 0)
		return fd;
	return err == EACCES || err == EPERM ? -EACCES : -ENOENT;
}

/* A file of the mqueue filesystem, which holds nothing but queues: no FIFO to fear. */
static int open_queue(int dfd, const char *file, struct stat *st)
{
	int fd = openat(dfd, file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	if (fd >= 0) {
		if (fstat(fd, st) == 0 && S_ISREG(st->st_mode))
			return fd;
		close(fd);
		return -ENOENT;
	}
	if ((errno == EACCES || errno == EPERM) &&
	    fstatat(dfd, file, st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st->st_mode))
		return -EACCES;
	return -ENOENT;
}

int posix_add_read(struct ipk_scan *s, int dfd, const char *file, const char *name,
		   bool queue,
		   void (*read)(struct ipk_scan *s, int fd, const struct stat *st,
				struct ipk_object *o))
{
	struct stat st;
	int fd = queue ? open_queue(dfd, file, &st) : posix_open_regular(dfd, file, &st);

	if (fd == -ENOENT)
		return 0;
	struct ipk_object *o = scan_obj_new(s);
	int rc = o ? obj_set_posix_name(o, name) : -ENOMEM;
	if (rc) {
		if (fd >= 0)
			close(fd);
		ipk_object_free(o);
		return rc;
	}
	obj_set_num(o, IPK_F_STATUS, 0);
	obj_set_stat(o, &st);
	read(s, fd, &st, o);
	if (fd >= 0)
		close(fd);
	return scan_add(s, o);
}

int posix_dir_scan(struct ipk_scan *s, int dfd, const char *shown,
		   const char *prefix, const char *exclude, bool stat_first,
		   int (*each)(struct ipk_scan *s, int dfd, const char *file,
			       const struct stat *st))
{
	size_t plen = strlen(prefix), elen = exclude ? strlen(exclude) : 0;
	DIR *dir = fdopendir(dfd);
	int rc = 0;

	if (!dir) {
		ctx_diag(s->ctx, errno, "read", shown);
		close(dfd);
		return 0;
	}
	if (s->only) {
		/* A lookup: stat the one name instead of reading the directory. */
		char file[NAME_MAX + 1];
		struct stat st;
		int n = snprintf(file, sizeof(file), "%s%s", prefix, s->only + 1);

		if (n > 0 && (size_t)n < sizeof(file) && !(elen && strncmp(file, exclude, elen) == 0)) {
			if (!stat_first)
				rc = each(s, dfd, file, NULL);
			else if (fstatat(dfd, file, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
				 S_ISREG(st.st_mode))
				rc = each(s, dfd, file, &st);
		}
		closedir(dir);
		return rc < 0 ? rc : 0;
	}
	for (;;) {
		errno = 0;
		struct dirent *d = readdir(dir);
		if (!d) {
			if (errno)
				ctx_diag(s->ctx, errno, "read", shown);
			break;
		}
		const char *n = d->d_name;
		if (strncmp(n, prefix, plen) != 0 || (elen && strncmp(n, exclude, elen) == 0))
			continue;
		/* The d_type hint saves a stat for what is surely no object. */
		if (d->d_type != DT_REG && d->d_type != DT_UNKNOWN)
			continue;
		if (n[plen] == '\0' || strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
			continue;

		struct stat st;
		if (!stat_first) {
			rc = each(s, dirfd(dir), n, NULL);
		} else {
			if (fstatat(dirfd(dir), n, &st, AT_SYMLINK_NOFOLLOW) < 0)
				continue;	/* removed since readdir */
			if (!S_ISREG(st.st_mode))
				continue;
			rc = each(s, dirfd(dir), n, &st);
		}
		if (rc < 0)
			break;
		rc = 0;
	}
	closedir(dir);
	return rc;
}

int posix_shm_dir_scan(struct ipk_scan *s, const char *prefix, const char *exclude,
		       bool stat_first,
		       int (*each)(struct ipk_scan *s, int dfd, const char *file,
				   const struct stat *st))
{
	char shown[PATH_MAX];
	int dfd = devshm_open(s->ctx);

	if (ctx_path(s->ctx, "/dev/shm", shown, sizeof(shown)))
		return 0;
	if (dfd < 0) {
		/* No /dev/shm: no POSIX objects, nothing to report. */
		if (dfd != -ENOENT)
			ctx_diag(s->ctx, -dfd, "open", shown);
		return 0;
	}
	return posix_dir_scan(s, dfd, shown, prefix, exclude, stat_first, each);
}

/* The last mqueue mount in the caller's mount table; it shadows the others. */
static int mqueue_from_mountinfo(char *mnt, size_t size)
{
	char *buf, *save = NULL;
	int rc = -ENOENT;

	int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ENOENT;
	int err = read_fd_all(fd, &buf, NULL);
	close(fd);
	if (err)
		return -ENOENT;
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		/* id parent major:minor root mountpoint options... - fstype source ... */
		char *sep = strstr(line, " - ");
		if (!sep || strncmp(sep + 3, "mqueue ", 7) != 0)
			continue;
		char point[PATH_MAX];
		if (sscanf(line, "%*s %*s %*s %*s %4095s", point) != 1)
			continue;
		/* mountinfo escapes blanks as \040: undo it. */
		char *w = point;
		for (char *r = point; *r; r++) {
			unsigned c;
			if (r[0] == '\\' && sscanf(r + 1, "%3o", &c) == 1) {
				*w++ = (char)c;
				r += 3;
			} else {
				*w++ = *r;
			}
		}
		*w = '\0';
		if (strlen(point) < size) {
			strcpy(mnt, point);
			rc = 0;
		}
	}
	free(buf);
	return rc;
}

/*
 * A detached, read-only mount of the caller's own mqueue instance: exact
 * even where /dev/mqueue belongs to another IPC namespace or is absent,
 * and invisible to everyone else.  Needs CAP_SYS_ADMIN.
 */
static int mqueue_detached(void)
{
	int fs = fsopen("mqueue", FSOPEN_CLOEXEC);

	if (fs < 0)
		return -errno;
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		int err = -errno;
		close(fs);
		return err;
	}
	int mnt = fsmount(fs, FSMOUNT_CLOEXEC,
			  MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
			  MOUNT_ATTR_NOEXEC);
	int err = -errno;
	close(fs);
	if (mnt < 0)
		return err;
	int dfd = openat(mnt, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	err = -errno;
	close(mnt);
	return dfd < 0 ? err : dfd;
}

int posix_mqueue_dir(struct ipk_ctx *ctx, char *shown, size_t size)
{
	char mnt[PATH_MAX];
	int dfd;

	if (!ctx->live) {
		if (ctx_path(ctx, "/dev/mqueue", shown, size))
			return -ENAMETOOLONG;
		return ctx_open(ctx, "/dev/mqueue", O_RDONLY | O_DIRECTORY);
	}
	if (ctx->has_mqueue_dir) {
		snprintf(shown, size, "mqueue");
		dfd = openat(ctx->mqueue_dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		return dfd < 0 ? -errno : dfd;
	}
	dfd = mqueue_detached();
	if (dfd >= 0) {
		snprintf(shown, size, "mqueue");
		return dfd;
	}
	if (mqueue_from_mountinfo(mnt, sizeof(mnt)) == 0) {
		snprintf(shown, size, "%s", mnt);
		dfd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		return dfd < 0 ? -errno : dfd;
	}
	snprintf(shown, size, "mqueue filesystem (not mounted: mount -t mqueue none /dev/mqueue)");
	return -ENOENT;
}

int posix_existing(struct ipk_ctx *ctx, const char *file, struct ipk_error *e)
{
	struct stat st;
	int dfd = devshm_open(ctx);

	if (dfd < 0)
		return err_set(e, -dfd, "cannot open /dev/shm: %s", ipk_strerror(-dfd));
	int fd = posix_open_regular(dfd, file, &st);
	close(dfd);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	char uid[24];
	if (fd == -EACCES)
		return err_set(e, EACCES, "it exists, and you may not open it (owner %s)",
			       owner_name(ctx, st.st_uid, uid));
	return err_set(e, EEXIST, "/dev/shm/%s exists and is not a regular file: left alone",
		       file);
}

int devshm_open(struct ipk_ctx *ctx)
{
	return ctx_open(ctx, "/dev/shm", O_RDONLY | O_DIRECTORY);
}
