/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* posix-shm: POSIX shared memory objects, regular files on /dev/shm. */
#include "../internal.h"
#include "../scenario/scn.h"

#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <unistd.h>

static int pshm_each(struct ipk_scan *s, int dfd, const char *file, const struct stat *st)
{
	struct ipk_object *o = scan_obj_new(s);
	int rc;

	(void)dfd;
	if (!o)
		return -ENOMEM;
	rc = obj_set_posix_name(o, file);
	if (rc) {
		ipk_object_free(o);
		return rc;
	}
	obj_set_stat(o, st);
	obj_set_unum(o, IPK_F_SIZE, (uint64_t)st->st_size);
	obj_set_num(o, IPK_F_STATUS, 0);
	return scan_add(s, o);
}

static int pshm_scan(struct ipk_scan *s)
{
	/* sem.* files are POSIX semaphores: the posix-sem kind lists them. */
	return posix_shm_dir_scan(s, "", "sem.", true, pshm_each);
}

extern const struct ipk_kind kind_posix_shm;

/*
 * ftruncate() beyond RLIMIT_FSIZE (ulimit -f) raises SIGXFSZ, which by
 * default kills the process and leaves the new file behind.  A library
 * must not change the process's disposition: block the signal in this
 * thread for the call, take back the one the call raised, restore the
 * mask.  EFBIG then reaches the caller, whose cleanup removes the file.
 */
static int ftruncate_no_sigxfsz(int fd, off_t size)
{
	static const struct timespec now = { 0, 0 };
	sigset_t xfsz, old;
	int rc, err;

	sigemptyset(&xfsz);
	sigaddset(&xfsz, SIGXFSZ);
	if (pthread_sigmask(SIG_BLOCK, &xfsz, &old) != 0)
		return ftruncate(fd, size);
	rc = ftruncate(fd, size);
	err = errno;
	/* one the caller blocked itself stays pending, as it would without us */
	if (rc < 0 && err == EFBIG && !sigismember(&old, SIGXFSZ))
		while (sigtimedwait(&xfsz, NULL, &now) < 0 && errno == EINTR)
			;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = err;
	return rc;
}

/* Why ftruncate() could not make the object @size bytes. */
static int size_failed(int err, uint64_t size, struct ipk_error *e)
{
	struct rlimit fsize;

	if (err == EFBIG && getrlimit(RLIMIT_FSIZE, &fsize) == 0 && fsize.rlim_cur != RLIM_INFINITY &&
	    size > fsize.rlim_cur)
		return err_set(e, err, "cannot make it %" PRIu64 " bytes: above the file size limit "
			       "of %llu bytes (RLIMIT_FSIZE, ulimit -f)", size,
			       (unsigned long long)fsize.rlim_cur);
	return err_set(e, err, "cannot make it %" PRIu64 " bytes: %s", size, ipk_strerror(err));
}

static int pshm_create(struct ipk_ctx *ctx, const struct ipk_create *c, char **ref,
		       bool *existed, struct ipk_error *e)
{
	uint32_t mode = (c->set & IPK_ATTR_BIT(IPK_ATTR_MODE)) ? c->mode : 0600;
	struct ipk_buf name = { 0 };
	int rc;

	if (ref_arg_posix_name(c->name, &name))
		return err_set(e, EINVAL, "not a POSIX name: one component, /NAME");
	if (strncmp(name.s, "/sem.", 5) == 0) {
		ipk_buf_free(&name);
		return err_set(e, EINVAL, "/dev/shm/sem.* are named semaphores: use posix-sem");
	}
	int fd = shm_open(name.s, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0 && errno == EEXIST && !c->exclusive) {
		rc = posix_existing(ctx, name.s + 1, e);
		*existed = rc == 0;
	} else if (fd < 0) {
		rc = err_set(e, errno, "%s", errno == EEXIST ? "it exists already" : ipk_strerror(errno));
	} else {
		/* the umask has had its say over shm_open's mode: give the one asked for */
		rc = fchmod(fd, mode) < 0 ? err_set(e, errno, "cannot set mode %03o: %s", mode,
						    ipk_strerror(errno)) : 0;
		if (!rc && c->size && ftruncate_no_sigxfsz(fd, (off_t)c->size) < 0)
			rc = size_failed(errno, c->size, e);
		if (!rc && !(*ref = ref_make(&kind_posix_shm, name.s)))
			rc = err_set(e, ENOMEM, "%s", ipk_strerror(ENOMEM));
		if (rc)
			shm_unlink(name.s);
	}
	if (!rc && *existed && !(*ref = ref_make(&kind_posix_shm, name.s)))
		rc = err_set(e, ENOMEM, "%s", ipk_strerror(ENOMEM));
	if (fd >= 0)
		close(fd);
	ipk_buf_free(&name);
	return rc;
}

static int pshm_check(struct ipk_ctx *ctx, const struct ipk_object *o, const struct stat *st,
		      unsigned flags, struct ipk_error *e)
{
	(void)st;
	if (!(flags & IPK_RM_FORCE) && o->nholders)
		return refuse_in_use(ctx, o, "held by", e);
	return 0;
}

/* Only a regular file of /dev/shm, the one selected, held by nobody. */
static int pshm_remove(struct ipk_ctx *ctx, const struct ipk_object *o, unsigned flags,
		       struct ipk_error *e)
{
	int dfd = devshm_open(ctx);

	if (dfd < 0)
		return err_set(e, -dfd, "cannot open /dev/shm: %s", ipk_strerror(-dfd));
	int rc = remove_file(ctx, o, dfd, o->name + 1, o->dev, o->ino, S_IFREG, flags,
			     pshm_check, e);
	close(dfd);
	return rc;
}

/* The tmpfs of /dev/shm: its size and inodes, and how much of each is used. */
static void pshm_limits_read(struct ipk_ctx *ctx, struct ipk_limit *rows)
{
	char path[4096];
	struct statvfs vfs;

	if (ctx_path(ctx, "/dev/shm", path, sizeof(path)) || statvfs(path, &vfs) < 0)
		return;
	uint64_t frsize = vfs.f_frsize ? vfs.f_frsize : vfs.f_bsize, total, used;
	if (!__builtin_mul_overflow((uint64_t)vfs.f_blocks, frsize, &total)) {
		rows[0].has_limit = true;
		rows[0].limit = total;
		if (!__builtin_mul_overflow((uint64_t)(vfs.f_blocks - vfs.f_bfree), frsize, &used)) {
			rows[0].has_used = true;
			rows[0].used = used;
		}
	}
	if (vfs.f_files) {
		rows[1].has_limit = true;
		rows[1].limit = vfs.f_files;
		rows[1].has_used = true;
		rows[1].used = vfs.f_files - vfs.f_ffree;
	}
}

static const struct limit_def pshm_limits[] = {
	{ "SHM_FS", "size of /dev/shm", "/dev/shm (mount -o size=)", IPK_UNIT_BYTES, NULL, 0, 0,
	  false, false },
	{ "SHM_FS_FILES", "files on /dev/shm", "/dev/shm (mount -o nr_inodes=)", IPK_UNIT_COUNT,
	  NULL, 0, 0, false, false },
};

/* ----------------------------------------------------------- scenarios */

static int pshm_smake(struct scn_obj *o, struct ipk_error *e)
{
	int fd = shm_open(scn_ref_arg(o), O_RDWR | O_CLOEXEC, 0);

	if (fd < 0)
		return err_set(e, errno, "shm_open: %s", ipk_strerror(errno));
	o->fd[0] = fd;
	return 0;
}

static int pshm_open(struct scn_exec *x)
{
	int64_t mode = 2;

	scn_int(x, A_MODE, 2, &mode);
	int fd = shm_open(scn_ref_arg(x->o), (mode == 0 ? O_RDONLY : O_RDWR) | O_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (x->h->fd >= 0)
		close(x->h->fd);
	x->h->fd = fd;
	return 0;
}

static int pshm_unlink(struct scn_exec *x)
{
	return shm_unlink(scn_ref_arg(x->o)) ? -errno : 0;
}

static const struct scn_param pshm_resize_params[] = { SCN_P_NEWSIZE, SCN_P_LAST };

static const struct scn_op posix_shm_ops[] = {
	{ "attach", "map it shared (mmap(2)); readonly: true maps it read-only", scn_attach_params,
	  0, scn_mem_attach, "- attach: { on: shm, readonly: true }" },
	{ "detach", "unmap it", NULL, 0, scn_mem_detach, "- detach: shm" },
	{ "write", "write data: or a size: pattern at offset: (the mapping, or pwrite(2))",
	  scn_mem_rw_params, SCN_IN_DATA, scn_mem_write,
	  "- write: { to: shm, offset: 64, data: \"hello\" }" },
	{ "read", "read size: bytes at offset: (without size: a string up to its NUL)",
	  scn_mem_read_params, SCN_OUT_DATA, scn_mem_read,
	  "- read: { from: shm, offset: 64, expect: hello }" },
	{ "resize", "ftruncate(2) to size:", pshm_resize_params, 0, scn_mem_resize,
	  "- resize: { on: shm, size: 1M }" },
	SCN_OP_OPEN(pshm_open, 0),
	SCN_OP_CLOSE(scn_fd_close),
	{ "remove", "shm_unlink(3): the name goes, mappings and descriptors still work", NULL, 0,
	  pshm_unlink, "- remove: shm" },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};

static const struct scn_type posix_shm_scenario = {
	.name = "posix-shm",
	.help = "a POSIX shared memory object, made as ipc-mk makes it",
	.flags = SCN_T_NAMED,
	.ops = posix_shm_ops,
	.make = pshm_smake,
	.unmake = scn_fds_unmake,
	.handle = scn_handle_fds,
};

/* The files of /dev/shm but glibc's semaphores (sem.NAME). */
static bool pshm_watch_name(const char *file, char *arg, size_t size)
{
	return strncmp(file, "sem.", 4) != 0 && ref_arg_of_file(file, arg, size);
}

const struct ipk_kind kind_posix_shm = {
	.name = "posix-shm",
	.alias = "pshm",
	.description = "POSIX shared memory object",
	.family = IPK_FAMILY_POSIX,
	.mount_scoped = true,
	.holders = HOLDERS_FILES,
	.holder_procs = PROCS_FDS | PROCS_MAPS | PROCS_WAITS,
	.fields = FIELDS(POSIX_FIELDS, IPK_F_INODE, IPK_F_SIZE, IPK_F_NATTCH, IPK_F_HOLDERS),
	.ref_arg = ref_arg_posix_name,
	.scan = pshm_scan,
	.limits = pshm_limits,
	.nlimits = ARRAY_SIZE(pshm_limits),
	.limits_read = pshm_limits_read,
	.create_attrs = IPK_ATTR_BIT(IPK_ATTR_MODE) | IPK_ATTR_BIT(IPK_ATTR_SIZE),
	.create_named = true,
	.create = pshm_create,
	.remove = pshm_remove,
	.scenario = &posix_shm_scenario,
	.identity = { .by = IDENT_FILE },
	.watch_dir = WATCH_DEVSHM,
	.watch_name = pshm_watch_name,
};
