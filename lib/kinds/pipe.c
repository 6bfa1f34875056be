/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pipe: anonymous pipes, as processes hold them (/proc/PID/fd -> pipe:[INODE]). */
#include "../internal.h"
#include "../scenario/scn.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* "pipe:[INODE]": who reads and who writes is in the fd link's mode. */
static unsigned pipe_claim(const struct held_probe *p, struct held *h)
{
	if (p->fd < 0 || !link_inode(p->link, "pipe", &h->ino))
		return 0;
	h->dev = 0;
	return HOLD_CLAIMED | HOLD_MODE | HOLD_DUP;
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
	if (scan_read_fds(s))
		fd_queue_size(s, o, h, n);
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

/* ----------------------------------------------------------- scenarios */

static int pipe_smake(struct scn_obj *o, struct ipk_error *e)
{
	/* Non-blocking for all: a step waits in poll, another may try at once. */
	if (pipe2(o->fd, O_NONBLOCK | O_CLOEXEC))
		return err_set(e, errno, "pipe2: %s", ipk_strerror(errno));
	return 0;
}

static int pipe_sref(const struct scn_obj *o, struct ipk_buf *ref)
{
	struct stat st;

	if (o->fd[0] < 0 || fstat(o->fd[0], &st))
		return -ENOENT;
	return ipk_buf_printf(ref, "%llu", (unsigned long long)st.st_ino);
}

/* fd is the read end, fd2 the write end. */
static int pipe_send(struct scn_exec *x)
{
	return scn_send_on(x, x->h->fd2, true);
}

static int pipe_recv(struct scn_exec *x)
{
	return scn_recv_on(x, x->h->fd, true);
}

static int pipe_close(struct scn_exec *x)
{
	int64_t end = -1;

	if (!scn_has(x, A_END))
		return scn_fd_close(x);
	scn_int(x, A_END, -1, &end);
	int *fd = end == 1 ? &x->h->fd2 : &x->h->fd;
	if (*fd < 0)
		return -EBADF;
	close(*fd);
	*fd = -1;
	return 0;
}

/* F_GETPIPE_SZ, or the bytes queued now (FIONREAD), on whichever end this process has. */
static int pipe_get(struct scn_exec *x)
{
	int64_t field = 0;
	int fd = x->h->fd >= 0 ? x->h->fd : x->h->fd2, n = 0;

	if (fd < 0)
		return -EBADF;
	scn_int(x, A_FIELD, 0, &field);
	if (field == 0 && (n = fcntl(fd, F_GETPIPE_SZ)) < 0)
		return -errno;
	if (field == 1 && ioctl(fd, FIONREAD, &n) < 0)
		return -errno;
	x->value = n;
	x->has_value = true;
	return 0;
}

static const struct scn_param pipe_get_params[] = {
	{ "field", SP_WORD, A_FIELD, "capacity queued", "what to give (capacity)" },
	SCN_P_LAST,
};

static const struct scn_op pipe_ops[] = {
	{ "send", "write the bytes, all of them (write(2) to the write end)", scn_send_params,
	  SCN_BLOCKS | SCN_IN_DATA, pipe_send, "- send: { to: p, data: \"line {i}\" }" },
	{ "recv", "read size: bytes, or what one read gives", scn_recv_params,
	  SCN_BLOCKS | SCN_OUT_DATA, pipe_recv, "- recv: { from: p, expect: \"line *\" }" },
	{ "write", "the same as send", scn_send_params, SCN_BLOCKS | SCN_IN_DATA, pipe_send,
	  "- write: { to: p, size: 4K }" },
	{ "read", "the same as recv", scn_recv_params, SCN_BLOCKS | SCN_OUT_DATA, pipe_recv,
	  "- read: { from: p, size: 4K }" },
	{ "get", "field: capacity (F_GETPIPE_SZ) or queued (FIONREAD), in bytes",
	  pipe_get_params, SCN_OUT_VALUE, pipe_get,
	  "- get: { on: p, field: capacity, into: cap }" },
	{ "open", "nothing: every actor has both ends from the start", NULL, 0, scn_noop,
	  "- open: p" },
	{ "close", "close both ends in this process, or end: read or write", scn_close_end_params,
	  0, pipe_close, "- close: { on: p, end: write }" },
	{ "remove", "the same as close: it has no name", NULL, 0, scn_fd_close, "- remove: p" },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};

static const struct scn_type pipe_scenario = {
	.name = "pipe",
	.help = "an anonymous pipe, made before the actors start (pipe(2))",
	.flags = SCN_T_NONAME | SCN_T_ENDS,
	.ops = pipe_ops,
	.make = pipe_smake,
	.unmake = scn_fds_unmake,
	.handle = scn_handle_fds,
	.ref_arg = pipe_sref,
};

const struct ipk_kind kind_pipe = {
	.name = "pipe",
	.description = "anonymous pipe",
	.family = IPK_FAMILY_FD,
	.procs = PROCS_FDS,
	.holder_procs = PROCS_WAITS,
	.claim = pipe_claim,
	.fd_read = fd_read_queue,
	.fd_fields = FIELDS(IPK_F_SIZE, IPK_F_CAPACITY),
	.fields = FIELDS(IPK_F_REF, IPK_F_NS, IPK_F_INODE, IPK_F_SIZE, IPK_F_CAPACITY,
			 IPK_F_HOLDERS, IPK_F_STATUS),
	.ref_arg = ref_arg_number,
	.scan = pipe_scan,
	.limits = pipe_limits,
	.nlimits = ARRAY_SIZE(pipe_limits),
	.no_name = "a pipe has no name to remove",
	.scenario = &pipe_scenario,
	.identity = { .by = IDENT_REF },
};
