/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* eventfd: counters, from /proc/PID/fdinfo (eventfd-count, -id, -semaphore). */
#include "../internal.h"
#include "../scenario/scn.h"

#include <inttypes.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

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
		held_own_identity(h);
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

/* ----------------------------------------------------------- scenarios */

static const struct scn_param eventfd_attrs[] = {
	{ "value", SP_INT, A_VALUE, NULL, "the counter's first value (0)" },
	{ "semaphore", SP_BOOL, A_SEMAPHORE, NULL, "EFD_SEMAPHORE: a wait takes one" },
	SCN_P_LAST,
};

static int efd_make(struct scn_obj *o, struct ipk_error *e)
{
	/* Non-blocking for all: a step waits in poll, another may try at once. */
	int flags = EFD_NONBLOCK | EFD_CLOEXEC | (o->semaphore ? EFD_SEMAPHORE : 0);
	uint64_t v = (uint64_t)o->value;
	int fd = eventfd(v <= UINT32_MAX ? (unsigned)v : 0, flags);

	if (fd < 0)
		return err_set(e, errno, "eventfd: %s", ipk_strerror(errno));
	if (v > UINT32_MAX && xport_eventfd_add(fd, v, NULL)) {
		close(fd);
		return err_set(e, EINVAL, "value %llu is beyond the counter", (unsigned long long)v);
	}
	o->fd[0] = fd;
	return 0;
}

static int efd_ref(const struct scn_obj *o, struct ipk_buf *ref)
{
	uint64_t id;

	if (o->fd[0] < 0)
		return -ENOENT;
	if (scn_fdinfo(o->fd[0], "eventfd-id", 10, &id) == 0)
		return ipk_buf_printf(ref, "%llu", (unsigned long long)id);
	return ipk_buf_printf(ref, "%d:%d", (int)getpid(), o->fd[0]);
}

static int efd_post(struct scn_exec *x)
{
	int64_t n;
	int rc = scn_int(x, A_COUNT, 1, &n);

	if (rc)
		return rc;
	if (n < 0)
		return -EINVAL;
	return x->h->fd < 0 ? -EBADF : xport_eventfd_add(x->h->fd, (uint64_t)n, &x->wait);
}

static int efd_wait(struct scn_exec *x)
{
	uint64_t v;
	int rc = x->h->fd < 0 ? -EBADF : xport_eventfd_take(x->h->fd, &v, &x->wait);

	if (!rc) {
		x->value = (int64_t)v;
		x->has_value = true;
	}
	return rc;
}

/* The counter as fdinfo shows it: a get takes nothing. */
static int efd_get(struct scn_exec *x)
{
	uint64_t v;
	int rc = x->h->fd < 0 ? -EBADF : scn_fdinfo(x->h->fd, "eventfd-count", 16, &v);

	if (!rc) {
		x->value = (int64_t)v;
		x->has_value = true;
	}
	return rc;
}

static int efd_set(struct scn_exec *x)
{
	const struct xport_wait once = { .nowait = true };
	int64_t v;
	uint64_t old;
	int rc = scn_int(x, A_VALUE, 0, &v);

	if (rc)
		return rc;
	if (x->h->fd < 0)
		return -EBADF;
	if (v < 0)
		return -EINVAL;
	/* In semaphore mode a read takes one: read until it is empty. */
	while ((rc = xport_eventfd_take(x->h->fd, &old, &once)) == 0)
		;
	if (rc != -EAGAIN)
		return rc;
	return v ? xport_eventfd_add(x->h->fd, (uint64_t)v, &once) : 0;
}

static const struct scn_param efd_post_params[] = { SCN_P_COUNT, SCN_P_LAST };
static const struct scn_param efd_set_params[] = { SCN_P_VALUE, SCN_P_LAST };

static const struct scn_op eventfd_ops[] = {
	{ "post", "add count: (1) to the counter (write(2))", efd_post_params, SCN_BLOCKS,
	  efd_post, "- post: { to: ready, count: 2 }" },
	{ "wait", "take the counter, or one in semaphore mode (read(2)); gives the value",
	  NULL, SCN_BLOCKS | SCN_OUT_VALUE, efd_wait, "- wait: { on: ready, expect: 2 }" },
	{ "set", "empty the counter, then add value:", efd_set_params, 0, efd_set,
	  "- set: { on: ready, value: 5 }" },
	{ "get", "the counter, from fdinfo, taking nothing", NULL, SCN_OUT_VALUE, efd_get,
	  "- get: { on: ready, expect: 0 }" },
	{ "open", "nothing: every actor has it from the start", NULL, 0, scn_noop,
	  "- open: ready" },
	SCN_OP_CLOSE(scn_fd_close),
	{ "remove", "the same as close: it has no name", NULL, 0, scn_fd_close, "- remove: ready" },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};

static const struct scn_type eventfd_scenario = {
	.name = "eventfd",
	.help = "an event counter, made before the actors start (eventfd(2))",
	.flags = SCN_T_NONAME,
	.attrs = eventfd_attrs,
	.ops = eventfd_ops,
	.make = efd_make,
	.unmake = scn_fds_unmake,
	.handle = scn_handle_fds,
	.ref_arg = efd_ref,
};

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
	.scenario = &eventfd_scenario,
	.identity = { .by = IDENT_REF },
};
