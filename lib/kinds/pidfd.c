/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pidfd: handles on processes (pidfd_open, clone3 CLONE_PIDFD), which a
 * holder signals and waits on; from /proc/PID/fdinfo ("Pid:", "ino:").
 */
#include "../internal.h"

#include <stdlib.h>

/* What fdinfo tells of a pidfd. */
struct pidfd_info {
	int64_t target;		/* "Pid: N", the process it refers to; -1 once it is gone */
	uint64_t ino;		/* "ino: N": since Linux 6.9 (pidfs), one inode per process */
};

static unsigned pidfd_claim(const struct held_probe *p, struct held *h)
{
	(void)h;
	if (p->fd < 0 || (strcmp(p->link, "anon_inode:[pidfd]") != 0 &&
			  strncmp(p->link, "pidfd:[", 7) != 0))
		return 0;
	return HOLD_CLAIMED | HOLD_FDINFO;
}

static int pidfd_fdinfo(const char *text, struct held *h, struct ipk_arena *arena)
{
	const char *pid = fdinfo_line(text, "Pid");
	const char *ino = fdinfo_line(text, "ino");
	struct pidfd_info *info = ipk_arena_alloc(arena, sizeof(*info));
	char *end;

	if (!info)
		return -ENOMEM;
	if (!pid)
		return -ENOENT;
	errno = 0;
	info->target = strtoll(pid, &end, 10);
	if (errno || end == pid)
		return -ENOENT;
	info->ino = ino ? strtoull(ino, NULL, 10) : 0;
	/* pidfs: the fds of one process's handles share its inode; else each fd alone */
	if (info->ino) {
		h->dev = 0;
		h->ino = info->ino;
	} else {
		held_own_identity(h);
	}
	h->info = info;
	return 0;
}

static int pidfd_make(struct ipk_scan *s, const struct held *h, size_t n)
{
	const struct pidfd_info *info = h->info;
	char arg[24];

	if (info->ino)
		fmt_u64(arg, info->ino);
	else
		ref_arg_pid_fd_make(arg, held_proc(s->ctx->procs, h)->pid, h->fd);
	if (!scan_wants(s, arg))
		return 0;
	struct ipk_object *o = NULL;
	int rc = held_obj_new(s, arg, h, n, &o);
	if (!rc)
		rc = obj_set_num(o, IPK_F_TARGET, info->target);
	if (!rc && info->ino)
		rc = obj_set_unum(o, IPK_F_INODE, info->ino);
	if (rc) {
		ipk_object_free(o);
		return rc;
	}
	/* a handle on a process that has exited and was reaped */
	obj_set_num(o, IPK_F_STATUS, info->target < 0 ? IPK_ST_GONE : 0);
	return scan_add(s, o);
}

static int pidfd_scan(struct ipk_scan *s)
{
	return procs_each_object(s, true, pidfd_make);
}

static int pidfd_ref_arg(const char *arg, struct ipk_buf *canon)
{
	return strchr(arg, ':') ? ref_arg_pid_fd(arg, canon) : ref_arg_number(arg, canon);
}

const struct ipk_kind kind_pidfd = {
	.name = "pidfd",
	.description = "process handle (pidfd)",
	.family = IPK_FAMILY_FD,
	.procs = PROCS_FDS | PROCS_FDINFO,
	.claim = pidfd_claim,
	.fdinfo = pidfd_fdinfo,
	.fields = FIELDS(IPK_F_REF, IPK_F_NS, IPK_F_INODE, IPK_F_TARGET, IPK_F_HOLDERS,
			 IPK_F_STATUS),
	.ref_arg = pidfd_ref_arg,
	.scan = pidfd_scan,
	.no_name = "a pidfd has no name to remove",
	.identity = { .by = IDENT_REF },
};
