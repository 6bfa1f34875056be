/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pipe: anonymous pipes, as processes hold them (/proc/PID/fd -> pipe:[INODE]). */
#include "../internal.h"

/* "pipe:[INODE]": who reads and who writes is in the fd link's mode. */
static unsigned pipe_claim(const struct held_probe *p, struct held *h)
{
	if (p->fd < 0 || !link_inode(p->link, "pipe", &h->ino))
		return 0;
	h->dev = 0;
	return HOLD_CLAIMED | HOLD_MODE;
}

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
	return procs_each_object(s, true, pipe_make);
}

static const struct limit_def pipe_limits[] = {
	{ "PIPE_MAX", "largest pipe buffer", "fs.pipe-max-size", IPK_UNIT_BYTES,
	  "fs/pipe-max-size", 0, 0, false, false },
	{ "PIPE_USER_SOFT", "pipe buffers per user before pipes shrink",
	  "fs.pipe-user-pages-soft", IPK_UNIT_BYTES, "fs/pipe-user-pages-soft", 0, 0, true, true },
	{ "PIPE_USER_HARD", "pipe buffers per user", "fs.pipe-user-pages-hard", IPK_UNIT_BYTES,
	  "fs/pipe-user-pages-hard", 0, 0, true, true },
};

const struct ipk_kind kind_pipe = {
	.name = "pipe",
	.description = "anonymous pipe",
	.family = IPK_FAMILY_FD,
	.procs = PROCS_FDS,
	.holder_procs = PROCS_WAITS,
	.claim = pipe_claim,
	.fields = FIELDS(IPK_F_REF, IPK_F_NS, IPK_F_INODE, IPK_F_SIZE, IPK_F_CAPACITY,
			 IPK_F_HOLDERS, IPK_F_STATUS),
	.ref_arg = ref_arg_number,
	.scan = pipe_scan,
	.limits = pipe_limits,
	.nlimits = ARRAY_SIZE(pipe_limits),
	.no_name = "a pipe has no name to remove",
};
