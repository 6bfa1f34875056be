/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* eventfd: counters, from /proc/PID/fdinfo (eventfd-count, -id, -semaphore). */
#include "../internal.h"

#include <inttypes.h>
#include <stdlib.h>

/* What fdinfo tells of an eventfd. */
struct eventfd_info {
	uint64_t count;		/* "eventfd-count: <hex>" */
	int64_t id;		/* "eventfd-id: N", -1 where the kernel gives none */
	bool semaphore;		/* "eventfd-semaphore: 1" */
};

static unsigned eventfd_claim(const struct held_probe *p, struct held *h)
{
	(void)h;
	return p->fd >= 0 && strcmp(p->link, "anon_inode:[eventfd]") == 0
		       ? HOLD_CLAIMED | HOLD_FDINFO : 0;
}

static int eventfd_fdinfo(const char *text, struct held *h, struct ipk_arena *arena)
{
	const char *count = fdinfo_line(text, "eventfd-count");
	const char *id = fdinfo_line(text, "eventfd-id");
	const char *sem = fdinfo_line(text, "eventfd-semaphore");
	struct eventfd_info *e = ipk_arena_alloc(arena, sizeof(*e));
	char *end;

	if (!e)
		return -ENOMEM;
	if (!count)
		return -ENOENT;
	errno = 0;
	e->count = strtoull(count, &end, 16);
	if (errno || end == count)
		return -ENOENT;
	e->id = -1;
	if (id) {
		long long v = strtoll(id, &end, 10);
		if (!errno && end != id && v >= 0)
			e->id = v;
	}
	e->semaphore = sem && *sem == '1';
	/*
	 * Kernels that print eventfd-id join the fds of one eventfd across
	 * processes; without it each fd is its own object.
	 */
	if (e->id >= 0) {
		h->dev = 0;
		h->ino = (uint64_t)e->id;
	} else {
		h->dev = 1;
		h->ino = (uint64_t)h->proc << 32 | (uint32_t)h->fd;
	}
	h->info = e;
	return 0;
}

static int eventfd_make(struct ipk_scan *s, const struct held *h, size_t n)
{
	const struct eventfd_info *e = h->info;
	char arg[24];

	if (e->id >= 0)
		fmt_i64(arg, e->id);
	else
		ref_arg_pid_fd_make(arg, held_proc(s->ctx->procs, h)->pid, h->fd);
	if (!scan_wants(s, arg))
		return 0;
	struct ipk_object *o = NULL;
	int rc = held_obj_new(s, arg, h, n, &o);
	if (!rc)
		rc = obj_set_unum(o, IPK_F_VALUE, e->count);
	if (rc) {
		ipk_object_free(o);
		return rc;
	}
	obj_set_num(o, IPK_F_STATUS, e->semaphore ? IPK_ST_SEMAPHORE : 0);
	return scan_add(s, o);
}

static int eventfd_scan(struct ipk_scan *s)
{
	return procs_each_object(s, true, eventfd_make);
}

static int eventfd_ref_arg(const char *arg, struct ipk_buf *canon)
{
	return strchr(arg, ':') ? ref_arg_pid_fd(arg, canon) : ref_arg_number(arg, canon);
}

const struct ipk_kind kind_eventfd = {
	.name = "eventfd",
	.description = "event counter (eventfd)",
	.family = IPK_FAMILY_FD,
	.procs = PROCS_FDS | PROCS_FDINFO,
	.holder_procs = PROCS_WAITS,
	.claim = eventfd_claim,
	.fdinfo = eventfd_fdinfo,
	.fields = FIELDS(IPK_F_REF, IPK_F_NS, IPK_F_VALUE, IPK_F_HOLDERS, IPK_F_STATUS),
	.ref_arg = eventfd_ref_arg,
	.scan = eventfd_scan,
	.no_name = "an eventfd has no name to remove",
};
