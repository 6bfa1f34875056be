/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* memfd: anonymous shared memory files (/proc/PID/fd -> /memfd:NAME (deleted)). */
#include "../internal.h"

#include <fcntl.h>
#include <unistd.h>

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
static void memfd_seals(struct ipk_object *o, const struct proc_index *idx,
			const struct held *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (h[i].fd < 0)
			continue;
		int fd = procs_dup_fd(idx->procs[h[i].proc].pid, h[i].fd);
		if (fd < 0)
			continue;
		int seals = fcntl(fd, F_GET_SEALS);
		close(fd);
		if (seals < 0)
			return;
		const char *names[ARRAY_SIZE(seal_names)];
		size_t count = 0;
		for (size_t k = 0; k < ARRAY_SIZE(seal_names); k++)
			if (seals & seal_names[k].seal)
				names[count++] = seal_names[k].name;
		obj_set_words(o, IPK_F_SEALS, names, count);
		return;
	}
	obj_set_noaccess(o, IPK_F_SEALS);
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
	struct ipk_object *o;
	int rc = held_obj_new(s, arg, h, n, &o);
	if (rc)
		return rc;
	if (with_fd && with_fd->path)
		rc = obj_set_name(o, with_fd->path);
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
	if (s->ctx->live)
		memfd_seals(o, s->ctx->procs, h, n);
	return scan_add(s, o);
}

static int memfd_scan(struct ipk_scan *s)
{
	return procs_each_object(s, HELD_MEMFD, true, memfd_make);
}

const struct ipk_kind ipk_kind_memfd = {
	.name = "memfd",
	.description = "anonymous shared memory file (memfd)",
	.family = IPK_FAMILY_FD,
	.procs = PROCS_FDS | PROCS_MAPS,
	.fields = F(REF) | F(NS) | F(NAME) | F(OWNER) | F(UID) | F(GROUP) | F(GID) | F(PERMS) |
		  F(INODE) | F(SIZE) | F(NATTCH) | F(HOLDERS) | F(CTIME) | F(ATIME) |
		  F(STATUS) | F(SEALS),
	.ref_arg = ref_arg_number,
	.scan = memfd_scan,
	.no_name = "a memfd's name is only a label: nothing to remove",
	.identity = { .by = IDENT_REF },
};
