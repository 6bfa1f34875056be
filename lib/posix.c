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
	/* not snprintf(): it took 15% of the instructions of a /dev/shm scan */
	char self[32] = "/proc/self/fd/";
	fmt_u64(self + strlen("/proc/self/fd/"), (unsigned)path);
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

/*
 * One entry of a POSIX directory: given to @each when it may be an object
 * of the kind (its name has @prefix and not @exclude; a regular file, or a
 * type readdir did not tell).  < 0 only to stop the scan.
 */
static int dir_entry(struct ipk_scan *s, int dfd, const char *n, unsigned char type,
		     const char *prefix, size_t plen, const char *exclude, size_t elen,
		     bool stat_first,
		     int (*each)(struct ipk_scan *s, int dfd, const char *file,
				 const struct stat *st))
{
	if (strncmp(n, prefix, plen) != 0 || (elen && strncmp(n, exclude, elen) == 0))
		return 0;
	/* The d_type hint saves a stat for what is surely no object. */
	if (type != DT_REG && type != DT_UNKNOWN)
		return 0;
	if (n[plen] == '\0' || strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
		return 0;
	if (!stat_first)
		return each(s, dfd, n, NULL);

	struct stat st;
	if (fstatat(dfd, n, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;	/* removed since readdir */
	if (!S_ISREG(st.st_mode))
		return 0;
	return each(s, dfd, n, &st);
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
		scan_diag(s, errno, "read", shown);
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
				scan_diag(s, errno, "read", shown);
			break;
		}
		rc = dir_entry(s, dirfd(dir), d->d_name, d->d_type, prefix, plen, exclude, elen,
			       stat_first, each);
		if (rc < 0)
			break;
		rc = 0;
	}
	closedir(dir);
	return rc;
}

/*
 * /dev/shm read once for both kinds that live there (posix-shm and
 * posix-sem) during one scan: whichever comes first reads the names, the
 * other walks them.  What went wrong is told to each, as two reads would.
 */
struct devshm_names {
	pthread_mutex_t lock;
	bool read;
	int dfd;		/* -errno when it could not be opened */
	int err;		/* of readdir, 0 when it read to the end */
	char shown[PATH_MAX];
	struct devshm_entry {
		const char *name;
		unsigned char type;
	} *v;
	size_t n, cap;
	struct ipk_arena arena;
};

int posix_shm_share_begin(struct ipk_ctx *ctx)
{
	struct devshm_names *d = calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	pthread_mutex_init(&d->lock, NULL);
	d->dfd = -1;
	ctx->devshm = d;
	return 0;
}

void posix_shm_share_end(struct ipk_ctx *ctx)
{
	struct devshm_names *d = ctx->devshm;

	if (!d)
		return;
	ctx->devshm = NULL;
	if (d->dfd >= 0)
		close(d->dfd);
	free(d->v);
	ipk_arena_free(&d->arena);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

static int cmp_entries(const void *a, const void *b)
{
	return strcmp(((const struct devshm_entry *)a)->name, ((const struct devshm_entry *)b)->name);
}

/*
 * Reads the names of /dev/shm into @d, sorted: objects made from them in
 * this order are in the order of a listing already (by name), which
 * list_sort() then finds with one look.  -ENOMEM only.
 */
static int devshm_read(struct ipk_ctx *ctx, struct devshm_names *d)
{
	d->read = true;
	if (ctx_path(ctx, "/dev/shm", d->shown, sizeof(d->shown))) {
		d->shown[0] = '\0';
		return 0;
	}
	d->dfd = devshm_open(ctx);
	if (d->dfd < 0)
		return 0;
	/* readdir on a duplicate: closedir() takes it, d->dfd stays for openat */
	int dup = fcntl(d->dfd, F_DUPFD_CLOEXEC, 0);
	DIR *dir = dup < 0 ? NULL : fdopendir(dup);
	if (!dir) {
		d->err = errno;
		if (dup >= 0)
			close(dup);
		return 0;
	}
	for (;;) {
		errno = 0;
		struct dirent *e = readdir(dir);
		if (!e) {
			d->err = errno;
			break;
		}
		if (e->d_type != DT_REG && e->d_type != DT_UNKNOWN)
			continue;
		size_t len = strlen(e->d_name);
		char *name = ipk_arena_alloc(&d->arena, len + 1);
		if (name && d->n == d->cap) {
			size_t cap = d->cap ? 2 * d->cap : 256;
			struct devshm_entry *v = realloc(d->v, cap * sizeof(*v));
			if (v) {
				d->v = v;
				d->cap = cap;
			}
		}
		if (!name || d->n == d->cap) {
			closedir(dir);
			return -ENOMEM;
		}
		memcpy(name, e->d_name, len + 1);
		d->v[d->n++] = (struct devshm_entry){ name, e->d_type };
	}
	closedir(dir);
	if (d->n > 1)
		qsort(d->v, d->n, sizeof(*d->v), cmp_entries);
	return 0;
}

/* posix_shm_dir_scan() from the names another kind read, or reads them. */
static int shared_scan(struct ipk_scan *s, struct devshm_names *d, const char *prefix,
		       const char *exclude, bool stat_first,
		       int (*each)(struct ipk_scan *s, int dfd, const char *file,
				   const struct stat *st))
{
	size_t plen = strlen(prefix), elen = exclude ? strlen(exclude) : 0;
	int rc = 0;

	pthread_mutex_lock(&d->lock);
	if (!d->read)
		rc = devshm_read(s->ctx, d);
	pthread_mutex_unlock(&d->lock);
	if (rc || !d->shown[0])
		return rc;
	if (d->dfd < 0) {
		/* No /dev/shm: no POSIX objects, nothing to report. */
		if (d->dfd != -ENOENT)
			scan_diag(s, -d->dfd, "open", d->shown);
		return 0;
	}
	for (size_t i = 0; i < d->n; i++) {
		rc = dir_entry(s, d->dfd, d->v[i].name, d->v[i].type, prefix, plen, exclude, elen,
			       stat_first, each);
		if (rc < 0)
			return rc;
	}
	if (d->err)
		scan_diag(s, d->err, "read", d->shown);
	return 0;
}

int posix_shm_dir_scan(struct ipk_scan *s, const char *prefix, const char *exclude,
		       bool stat_first,
		       int (*each)(struct ipk_scan *s, int dfd, const char *file,
				   const struct stat *st))
{
	char shown[PATH_MAX];

	if (s->ctx->devshm && !s->only)
		return shared_scan(s, s->ctx->devshm, prefix, exclude, stat_first, each);

	int dfd = devshm_open(s->ctx);

	if (ctx_path(s->ctx, "/dev/shm", shown, sizeof(shown)))
		return 0;
	if (dfd < 0) {
		/* No /dev/shm: no POSIX objects, nothing to report. */
		if (dfd != -ENOENT)
			scan_diag(s, -dfd, "open", shown);
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
