/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* posix-sem: POSIX named semaphores, /dev/shm/sem.NAME (glibc's struct new_sem). */
#include "../internal.h"
#include "../scenario/scn.h"

#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * glibc keeps a named semaphore as a file holding one sem_t.  With 64-bit
 * atomics its first word is the value (low 32 bits) and the number of
 * waiters (high 32 bits); elsewhere the value is shifted left by one and
 * bit 0 says whether anyone waits.  A pread needs read permission only:
 * sem_getvalue would need sem_open, which wants read-write.
 */
static void psem_read(struct ipk_scan *s, int fd, const struct stat *st, struct ipk_object *o)
{
	unsigned char raw[32];
	ssize_t n = fd < 0 ? -1 : pread(fd, raw, sizeof(raw), 0);

	(void)s;
	obj_set_unum(o, IPK_F_SIZE, (uint64_t)st->st_size);
	if (fd < 0) {
		obj_set_noaccess(o, IPK_F_VALUE);
		obj_set_noaccess(o, IPK_F_WAITERS);
		return;
	}
	if (n < 8)
		return;		/* not (yet) a semaphore: glibc writes it whole */
	uint64_t word;
	memcpy(&word, raw, sizeof(word));
#if UINTPTR_MAX > 0xffffffffu
	obj_set_num(o, IPK_F_VALUE, (int64_t)(word & 0xffffffffu));
	obj_set_unum(o, IPK_F_WAITERS, word >> 32);
#else
	uint32_t value;
	memcpy(&value, raw, sizeof(value));
	obj_set_num(o, IPK_F_VALUE, value >> 1);
	obj_set_unum(o, IPK_F_WAITERS, value & 1);
#endif
}

static int psem_each(struct ipk_scan *s, int dfd, const char *file, const struct stat *unused)
{
	(void)unused;
	return posix_add_read(s, dfd, file, file + 4, false, psem_read);
}

static int psem_scan(struct ipk_scan *s)
{
	return posix_shm_dir_scan(s, "sem.", NULL, false, psem_each);
}

/* The file is "sem." + NAME: four bytes less for the name. */
static int psem_ref_arg(const char *arg, struct ipk_buf *canon)
{
	size_t before = canon->len;
	int rc = ref_arg_posix_name(arg, canon);

	if (!rc && canon->len - before - 1 > NAME_MAX - 4)
		return -EINVAL;
	return rc;
}

extern const struct ipk_kind kind_posix_sem;

static int psem_create(struct ipk_ctx *ctx, const struct ipk_create *c, char **ref,
		       bool *existed, struct ipk_error *e)
{
	uint32_t mode = (c->set & IPK_ATTR_BIT(IPK_ATTR_MODE)) ? c->mode : 0600;
	int64_t value = (c->set & IPK_ATTR_BIT(IPK_ATTR_VALUE)) ? c->value : 0;
	struct ipk_buf name = { 0 }, file = { 0 };
	int rc = 0;

	if (value < 0 || value > SEM_VALUE_MAX)
		return err_set(e, EINVAL, "value %" PRId64 " is outside 0..SEM_VALUE_MAX (%d)",
			       value, SEM_VALUE_MAX);
	if (psem_ref_arg(c->name, &name) || ipk_buf_printf(&file, "sem.%s", name.s + 1)) {
		rc = err_set(e, EINVAL, "not a semaphore name: one component, /NAME, "
			     "at most %d bytes", NAME_MAX - 4);
		goto out;
	}
	/* read and write for us until the mode is set: the fchmod needs an open */
	sem_t *sem = sem_open(name.s, O_CREAT | O_EXCL, mode | 0600, (unsigned)value);
	if (sem == SEM_FAILED) {
		if (errno == EEXIST && !c->exclusive) {
			rc = posix_existing(ctx, file.s, e);
			*existed = rc == 0;
		} else {
			rc = err_set(e, errno, "%s", errno == EEXIST ? "it exists already"
								      : ipk_strerror(errno));
		}
		goto out;
	}
	sem_close(sem);
	/* sem_open's mode went through the umask: give the one asked for */
	int dfd = devshm_open(ctx);
	struct stat st;
	int fd = dfd < 0 ? dfd : posix_open_regular(dfd, file.s, &st);
	if (fd < 0 || fchmod(fd, mode) < 0) {
		int err = fd < 0 ? -fd : errno;
		rc = err_set(e, err, "cannot set mode %03o: %s", mode, ipk_strerror(err));
		if (dfd >= 0)
			unlinkat(dfd, file.s, 0);
	}
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
out:
	if (!rc && !(*ref = ref_make(&kind_posix_sem, name.s))) {
		rc = err_set(e, ENOMEM, "%s", ipk_strerror(ENOMEM));
	}
	ipk_buf_free(&name);
	ipk_buf_free(&file);
	return rc;
}

/* A file of a semaphore's size, not waited on or held. */
static int psem_check(struct ipk_ctx *ctx, const struct ipk_object *o, const struct stat *st,
		      unsigned flags, struct ipk_error *e)
{
	if (st->st_size != (off_t)sizeof(sem_t))
		return err_set(e, EINVAL, "not a semaphore: %jd bytes, where a semaphore has %zu",
			       (intmax_t)st->st_size, sizeof(sem_t));
	if (flags & IPK_RM_FORCE)
		return 0;
	/*
	 * glibc counts waiters in the file and a waiter killed never takes
	 * itself off: the count is believed only while someone may map it.
	 */
	bool waiters = obj_unum(o, IPK_F_WAITERS) &&
		       (o->nholders || !obj_has(o, IPK_F_HOLDERS) || ctx->unreadable_procs);
	if (waiters || o->nholders) {
		char how[64];
		snprintf(how, sizeof(how), "%s%sheld by", waiters ? "a process waits on it, " : "",
			 o->nholders ? "" : "perhaps ");
		return refuse_in_use(ctx, o, how, e);
	}
	return 0;
}

/* Only sem.NAME of /dev/shm, a regular file of a semaphore's size, not waited on or held. */
static int psem_remove(struct ipk_ctx *ctx, const struct ipk_object *o, unsigned flags,
		       struct ipk_error *e)
{
	char file[NAME_MAX + 1];

	if (snprintf(file, sizeof(file), "sem.%s", o->name + 1) >= (int)sizeof(file))
		return err_set(e, ENAMETOOLONG, "not a semaphore name");
	int dfd = devshm_open(ctx);
	if (dfd < 0)
		return err_set(e, -dfd, "cannot open /dev/shm: %s", ipk_strerror(-dfd));
	int rc = remove_file(ctx, o, dfd, file, o->dev, o->ino, S_IFREG, flags, psem_check, e);
	close(dfd);
	return rc;
}

/* ----------------------------------------------------------- scenarios */

static int psem_smake(struct scn_obj *o, struct ipk_error *e)
{
	sem_t *sem = sem_open(scn_ref_arg(o), 0);

	if (sem == SEM_FAILED)
		return err_set(e, errno, "sem_open: %s", ipk_strerror(errno));
	o->mem = sem;
	return 0;
}

static void psem_unmake(struct scn_obj *o)
{
	if (o->mem)
		sem_close(o->mem);
	o->mem = NULL;
}

static int psem_handle(struct scn_worker *w, const struct scn_obj *o, struct scn_handle *h)
{
	(void)w;
	h->sem = o->mem;
	return 0;
}

static int psem_open(struct scn_exec *x)
{
	sem_t *sem = sem_open(scn_ref_arg(x->o), 0);

	if (sem == SEM_FAILED)
		return -errno;
	x->h->sem = sem;
	return 0;
}

static int psem_close(struct scn_exec *x)
{
	if (!x->h->sem)
		return -EBADF;
	int rc = sem_close(x->h->sem) ? -errno : 0;
	x->h->sem = NULL;
	return rc;
}

static int psem_unlink(struct scn_exec *x)
{
	return sem_unlink(scn_ref_arg(x->o)) ? -errno : 0;
}

static const struct scn_param psem_count_params[] = { SCN_P_COUNT, SCN_P_LAST };
static const struct scn_param psem_value_params[] = { SCN_P_VALUE, SCN_P_LAST };

static const struct scn_op posix_sem_ops[] = {
	{ "post", "sem_post(3), count: times", psem_count_params, 0, scn_psem_post,
	  "- post: items" },
	{ "wait", "sem_wait(3) (sem_trywait with nowait, sem_clockwait with timeout)",
	  psem_count_params, SCN_BLOCKS, scn_psem_wait, "- wait: { on: slots, timeout: 1s }" },
	{ "set", "take what is there, then post up to value:", psem_value_params, 0,
	  scn_psem_set, "- set: { on: slots, value: 4 }" },
	{ "get", "sem_getvalue(3)", NULL, SCN_OUT_VALUE, scn_psem_get,
	  "- get: { on: slots, expect: 4 }" },
	{ "open", "sem_open(3) it again", NULL, 0, psem_open, "- open: slots" },
	{ "close", "sem_close(3) this process's handle", NULL, 0, psem_close, "- close: slots" },
	{ "remove", "sem_unlink(3): the name goes, open handles still work", NULL, 0,
	  psem_unlink, "- remove: slots" },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};

static const struct scn_type posix_sem_scenario = {
	.name = "posix-sem",
	.help = "a POSIX named semaphore, made as ipc-mk makes it",
	.flags = SCN_T_NAMED,
	.ops = posix_sem_ops,
	.make = psem_smake,
	.unmake = psem_unmake,
	.handle = psem_handle,
};

/* ----------------------------------------------------------- actions */

/*
 * A named semaphore is its file: mapped, it is the sem_t that sem_open()
 * would map.  Opened without following a link, below the root of the
 * process whose namespace it was read through.
 */
static int psem_act(struct ipk_ctx *ctx, const struct kind_act *a)
{
	char path[PATH_MAX];
	const char *name = a->o->name ? a->o->name : "";

	if (a->o->ns_pid)
		snprintf(path, sizeof(path), "/proc/%d/root/dev/shm/sem.%s", (int)a->o->ns_pid,
			 name + (name[0] == '/'));
	else
		snprintf(path, sizeof(path), "/dev/shm/sem.%s", name + (name[0] == '/'));
	int fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return err_kernel(ctx, a->o, errno, a->e);
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size < sizeof(sem_t) ||
	    st.st_dev != a->o->dev || st.st_ino != a->o->ino) {
		close(fd);
		return err_set(a->e, ESTALE, "the name now belongs to another file");
	}
	sem_t *s = mmap(NULL, sizeof(sem_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (s == MAP_FAILED)
		return err_kernel(ctx, a->o, errno, a->e);
	int rc = 0;
	if (a->what == IPK_ACTION_POST ? sem_post(s) : sem_trywait(s))
		rc = errno == EAGAIN ? err_set(a->e, EAGAIN, "its value is 0: a wait would block")
				     : err_set(a->e, errno, "%s", ipk_strerror(errno));
	munmap(s, sizeof(sem_t));
	return rc;
}

/* glibc keeps semaphore NAME in /dev/shm/sem.NAME. */
static bool psem_watch_name(const char *file, char *arg, size_t size)
{
	return strncmp(file, "sem.", 4) == 0 && ref_arg_of_file(file + 4, arg, size);
}

const struct ipk_kind kind_posix_sem = {
	.name = "posix-sem",
	.alias = "psem",
	.description = "POSIX named semaphore",
	.family = IPK_FAMILY_POSIX,
	.mount_scoped = true,
	.holders = HOLDERS_FILES,
	.holder_procs = PROCS_FDS | PROCS_MAPS | PROCS_WAITS,
	.fields = FIELDS(POSIX_FIELDS, IPK_F_INODE, IPK_F_SIZE, IPK_F_VALUE, IPK_F_NATTCH,
			 IPK_F_HOLDERS, IPK_F_WAITERS),
	.ref_arg = psem_ref_arg,
	.scan = psem_scan,
	.create_attrs = IPK_ATTR_BIT(IPK_ATTR_MODE) | IPK_ATTR_BIT(IPK_ATTR_VALUE),
	.create_named = true,
	.create = psem_create,
	.remove = psem_remove,
	.scenario = &posix_sem_scenario,
	/* our own pread moves the file's atime */
	.actions = KIND_ACTS_SEM,
	.act = psem_act,
	.identity = { .by = IDENT_FILE, .noisy = F(ATIME) },
	.watch_dir = WATCH_DEVSHM,
	.watch_name = psem_watch_name,
	/* sem_open() closes the file it opened to map it */
	.watch_opened = IN_CLOSE_WRITE,
};
