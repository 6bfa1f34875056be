/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* eventfd: counters, from /proc/PID/fdinfo (eventfd-count, -id, -semaphore). */
#include "../internal.h"

/*
 * Kernels that print eventfd-id join the fds of one eventfd across
 * processes into one object, eventfd:ID; older ones give eventfd:PID:FD.
 */
static int eventfd_make(struct ipk_scan *s, const struct held *h, size_t n)
{
	char arg[48];

	if (h->info->eventfd_id >= 0)
		fmt_i64(arg, h->info->eventfd_id);
	else
		snprintf(arg, sizeof(arg), "%d:%d", (int)held_proc(s, h)->pid, (int)h->fd);
	if (!scan_wants(s, arg))
		return 0;
	struct ipk_object *o;
	int rc = held_obj_new(s, arg, h, n, &o);
	if (rc)
		return rc;
	obj_set_unum(o, IPK_F_VALUE, h->info->eventfd_count);
	obj_set_num(o, IPK_F_STATUS, h->info->eventfd_semaphore > 0 ? IPK_ST_SEMAPHORE : 0);
	return scan_add(s, o);
}

static int eventfd_scan(struct ipk_scan *s)
{
	return procs_each_object(s, HELD_EVENTFD, true, eventfd_make);
}

static int eventfd_ref_arg(const char *arg, struct ipk_buf *canon)
{
	return strchr(arg, ':') ? ref_arg_pid_fd(arg, canon) : ref_arg_number(arg, canon);
}

const struct ipk_kind ipk_kind_eventfd = {
	.name = "eventfd",
	.description = "event counter (eventfd)",
	.family = IPK_FAMILY_FD,
	.procs = PROCS_FDS | PROCS_FDINFO,
	.fields = F(REF) | F(NS) | F(VALUE) | F(HOLDERS) | F(STATUS),
	.ref_arg = eventfd_ref_arg,
	.scan = eventfd_scan,
	.no_name = "an eventfd has no name to remove",
	.identity = { .by = IDENT_REF },
};
