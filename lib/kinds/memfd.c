/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* memfd: anonymous shared memory files (/proc/PID/fd -> /memfd:NAME (deleted)). */
#include "../internal.h"
#include "../scenario/scn.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

static const struct {
	int seal;
	const char *name;
} seal_names[] = {
	{ F_SEAL_SEAL, "seal" },
	{ F_SEAL_SHRINK, "shrink" },
	{ F_SEAL_GROW, "grow" },
	{ F_SEAL_WRITE, "write" },
	{ F_SEAL_FUTURE_WRITE, "future_write" },
	{ 0x20 /* F_SEAL_EXEC, Linux 6.3 */, "exec" },
};

/* Seals through a duplicate of a holder's fd: F_GET_SEALS wants an fd. */
static int memfd_fd_read(const struct held_probe *p, int fd, struct held *h,
			 struct ipk_arena *arena)
{
	int *seals = ipk_arena_alloc(arena, sizeof(*seals));

	(void)p;
	if (!seals)
		return -ENOMEM;
	*seals = fcntl(fd, F_GET_SEALS);
	h->info = seals;
	return 0;
}

static int memfd_seals(struct ipk_scan *s, struct ipk_object *o, const struct held *h, size_t n)
{
	struct ipk_arena tmp = { 0 };
	bool denied;
	const int *read = held_fd_info(s, h, n, &tmp, &denied);
	int seals = read ? *read : -2;

	ipk_arena_free(&tmp);
	if (seals == -2) {
		/* none of its holders let us look, or it is only mapped */
		obj_set_noaccess(o, IPK_F_SEALS);
		return 0;
	}
	if (seals < 0)
		return 0;
	const char *names[ARRAY_SIZE(seal_names)];
	size_t count = 0;
	for (size_t k = 0; k < ARRAY_SIZE(seal_names); k++)
		if (seals & seal_names[k].seal)
			names[count++] = seal_names[k].name;
	return obj_set_words(o, IPK_F_SEALS, names, count);
}

/*
 * "/memfd:NAME (deleted)", an fd's link or a mapping's path: the name is
 * all between, spaces and all.  Live, the fd's stat tells its identity
 * and size; in a frozen copy its fdinfo's "ino:".
 */
static unsigned memfd_claim(const struct held_probe *p, struct held *h)
{
	static const char deleted[] = " (deleted)";
	const size_t dlen = sizeof(deleted) - 1;

	if (strncmp(p->link, "/memfd:", 7) != 0)
		return 0;
	size_t len = p->len - 7;
	if (len >= dlen && memcmp(p->link + p->len - dlen, deleted, dlen) == 0)
		len -= dlen;
	if (len >= PATH_MAX)
		len = PATH_MAX - 1;
	memcpy(p->scratch, p->link + 7, len);
	p->scratch[len] = '\0';
	h->path = p->scratch;
	/* every memfd is a file of the kernel's one internal shmem mount: its inode is it */
	h->dev = 0;
	if (p->fd < 0) {
		h->ino = p->map_ino;
		return HOLD_CLAIMED;
	}
	if (!p->live)
		return HOLD_CLAIMED | HOLD_FDINFO;
	const struct stat *st = p->stat(p);
	if (!st)
		return 0;	/* closed since */
	h->ino = st->st_ino;
	return HOLD_CLAIMED | HOLD_STAT | HOLD_DUP;
}

/* A frozen copy: the identity from fdinfo's "ino:" line. */
static int memfd_fdinfo(const char *text, struct held *h, struct ipk_arena *arena)
{
	const char *ino = fdinfo_line(text, "ino");
	char *end;

	(void)arena;
	if (!ino)
		return -ENOENT;
	errno = 0;
	h->ino = strtoull(ino, &end, 10);
	return errno || end == ino ? -ENOENT : 0;
}

/*
 * One memfd, whoever holds an fd to it or maps it: the size and owner come
 * from a holder's fd (a mapping alone tells neither).
 */
static int memfd_make(struct ipk_scan *s, const struct held *h, size_t n)
{
	const struct held *with_fd = NULL;
	char arg[24];

	fmt_u64(arg, h->ino);
	if (!scan_wants(s, arg))
		return 0;
	for (size_t i = 0; i < n && !with_fd; i++)
		if (h[i].st)
			with_fd = &h[i];
	const struct held *named = with_fd;
	for (size_t i = 0; i < n && !named; i++)
		if (h[i].path)
			named = &h[i];
	struct ipk_object *o;
	int rc = held_obj_new(s, arg, h, n, &o);
	if (rc)
		return rc;
	if (named)
		rc = obj_set_name(o, named->path);
	if (rc) {
		ipk_object_free(o);
		return rc;
	}
	if (with_fd) {
		obj_set_stat(o, with_fd->st);
		obj_set_unum(o, IPK_F_SIZE, (uint64_t)with_fd->st->st_size);
	}
	obj_set_unum(o, IPK_F_INODE, h->ino);
	obj_set_unum(o, IPK_F_NATTCH, o->nprocs);
	obj_set_num(o, IPK_F_STATUS, 0);
	if (scan_read_fds(s))
		rc = memfd_seals(s, o, h, n);
	if (rc) {
		ipk_object_free(o);
		return rc;
	}
	return scan_add(s, o);
}

static int memfd_scan(struct ipk_scan *s)
{
	return procs_each_object(s, true, memfd_make);
}

/* ----------------------------------------------------------- scenarios */

/* The words of seals:, in the order of the table below. */
static const int scn_seals[] = { F_SEAL_SEAL, F_SEAL_SHRINK, F_SEAL_GROW, F_SEAL_WRITE,
				 F_SEAL_FUTURE_WRITE };

#define MEMFD_SEALS	"seal shrink grow write future-write"

static const struct scn_param memfd_attrs[] = {
	{ "name", SP_NAME, A_PATH, NULL, "its label in /proc (memfd:NAME)" },
	{ "size", SP_SIZE, A_SIZE, NULL, "its size (0)" },
	{ "seals", SP_WORDS, A_SEALS, MEMFD_SEALS, "seals added once it is sized" },
	SCN_P_LAST,
};

static int seal_bits(unsigned words)
{
	int seals = 0;

	for (size_t i = 0; i < ARRAY_SIZE(scn_seals); i++)
		if (words & (1u << i))
			seals |= scn_seals[i];
	return seals;
}

static int mfd_make(struct scn_obj *o, struct ipk_error *e)
{
	int fd = memfd_create(o->path ? o->path : "ipc-scenario", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0)
		return err_set(e, errno, "memfd_create: %s", ipk_strerror(errno));
	if (o->size && ftruncate(fd, (off_t)o->size)) {
		int err = errno;
		close(fd);
		return err_set(e, err, "ftruncate: %s", ipk_strerror(err));
	}
	if (o->seals && fcntl(fd, F_ADD_SEALS, seal_bits(o->seals))) {
		int err = errno;
		close(fd);
		return err_set(e, err, "F_ADD_SEALS: %s", ipk_strerror(err));
	}
	o->fd[0] = fd;
	return 0;
}

static int mfd_ref(const struct scn_obj *o, struct ipk_buf *ref)
{
	struct stat st;

	if (o->fd[0] < 0 || fstat(o->fd[0], &st))
		return -ENOENT;
	return ipk_buf_printf(ref, "%llu", (unsigned long long)st.st_ino);
}

static int mfd_seal(struct scn_exec *x)
{
	int64_t words = 0;

	scn_int(x, A_SEALS, 0, &words);
	if (x->h->fd < 0)
		return -EBADF;
	return fcntl(x->h->fd, F_ADD_SEALS, seal_bits((unsigned)words)) ? -errno : 0;
}

static const struct scn_param mfd_seal_params[] = {
	{ "seals", SP_WORDS, A_SEALS, MEMFD_SEALS, "the seals to add" },
	SCN_P_LAST,
};

static const struct scn_param mfd_resize_params[] = { SCN_P_NEWSIZE, SCN_P_LAST };

static const struct scn_op memfd_ops[] = {
	{ "attach", "map it shared (mmap(2)); readonly: true maps it read-only", scn_attach_params,
	  0, scn_mem_attach, "- attach: { on: buf, readonly: true }" },
	{ "detach", "unmap it", NULL, 0, scn_mem_detach, "- detach: buf" },
	{ "write", "write data: or a size: pattern at offset: (the mapping, or pwrite(2))",
	  scn_mem_rw_params, SCN_IN_DATA, scn_mem_write,
	  "- write: { to: buf, offset: 0, data: \"frame {i}\" }" },
	{ "read", "read size: bytes at offset: (without size: a string up to its NUL)",
	  scn_mem_read_params, SCN_OUT_DATA, scn_mem_read,
	  "- read: { from: buf, offset: 0, expect: \"frame *\" }" },
	{ "resize", "ftruncate(2) to size: (a seal may refuse it: EPERM)", mfd_resize_params, 0,
	  scn_mem_resize, "- resize: { on: buf, size: 8K }" },
	{ "seal", "add seals: (F_ADD_SEALS)", mfd_seal_params, 0, mfd_seal,
	  "- seal: { on: buf, seals: [shrink, grow] }" },
	{ "open", "nothing: every actor has it from the start", NULL, 0, scn_noop,
	  "- open: buf" },
	SCN_OP_CLOSE(scn_fd_close),
	{ "remove", "the same as close: its name is only a label", NULL, 0, scn_fd_close,
	  "- remove: buf" },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};

static const struct scn_type memfd_scenario = {
	.name = "memfd",
	.help = "anonymous shared memory, made before the actors start (memfd_create(2))",
	.flags = SCN_T_NONAME,
	.attrs = memfd_attrs,
	.ops = memfd_ops,
	.make = mfd_make,
	.unmake = scn_fds_unmake,
	.handle = scn_handle_fds,
	.ref_arg = mfd_ref,
};

const struct ipk_kind kind_memfd = {
	.name = "memfd",
	.description = "anonymous shared memory file (memfd)",
	.family = IPK_FAMILY_FD,
	/* fdinfo only where no stat tells the inode: frozen copies */
	.procs = PROCS_FDS | PROCS_MAPS | PROCS_FDINFO,
	.claim = memfd_claim,
	.fdinfo = memfd_fdinfo,
	.fd_read = memfd_fd_read,
	.fd_fields = FIELDS(IPK_F_SEALS),
	.fields = FIELDS(IPK_F_REF, IPK_F_NS, IPK_F_NAME, IPK_F_OWNER, IPK_F_UID, IPK_F_GROUP,
			 IPK_F_GID, IPK_F_PERMS, IPK_F_INODE, IPK_F_SIZE, IPK_F_NATTCH,
			 IPK_F_HOLDERS, IPK_F_CTIME, IPK_F_ATIME, IPK_F_STATUS, IPK_F_SEALS),
	.ref_arg = ref_arg_number,
	.scan = memfd_scan,
	.no_name = "a memfd's name is only a label: nothing to remove",
	.scenario = &memfd_scenario,
	.identity = { .by = IDENT_REF },
};
