/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pipe: anonymous pipes, as processes hold them (/proc/PID/fd -> pipe:[INODE]). */
#include "../internal.h"


static int pipe_make(struct ipk_scan *s, const struct held *h, size_t n)
{
	char arg[24];

	fmt_u64(arg, h->ino);
	if (!scan_wants(s, arg))
		return 0;
	struct ipk_object *o;
	int rc = held_obj_new(s, arg, h, n, &o);
	if (rc)
		return rc;
	obj_set_unum(o, IPK_F_INODE, h->ino);
	obj_set_num(o, IPK_F_STATUS, 0);
	if (s->ctx->live)
		fd_queue_size(o, s->ctx->procs, h, n);
	return scan_add(s, o);
}

static int pipe_scan(struct ipk_scan *s)
{
	return procs_each_object(s, HELD_PIPE, true, pipe_make);
}

const struct ipk_kind ipk_kind_pipe = {
	.name = "pipe",
	.description = "anonymous pipe",
	.family = IPK_FAMILY_FD,
	.procs = PROCS_FDS,
	.fields = F(REF) | F(NS) | F(INODE) | F(SIZE) | F(CAPACITY) | F(HOLDERS) | F(STATUS),
	.ref_arg = ref_arg_number,
	.scan = pipe_scan,
	.no_name = "a pipe has no name to remove",
	.identity = { .by = IDENT_REF },
};
