/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the operations of several kinds share (sends and receives on a
 * descriptor, shared memory, POSIX semaphores), the scenario's own object
 * types (socketpair, posix-sem-unnamed), the process operations (signal),
 * and the registry of every type with the vocabulary it gives.
 */
#include "scn.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <limits.h>
#include <semaphore.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

/* What one receive takes without size: (a pipe's default capacity, a large datagram). */
#define DEFAULT_RX	65536
/* What a read of memory without size: reads at most: a C string up to its NUL. */
#define DEFAULT_MEM_READ 4096

const char *scn_object_key(const char *op)
{
	if (strcmp(op, "send") == 0 || strcmp(op, "write") == 0 || strcmp(op, "post") == 0)
		return "to";
	if (strcmp(op, "recv") == 0 || strcmp(op, "read") == 0)
		return "from";
	return "on";
}

/* ----------------------------------------------------------- parameters */

const struct scn_param scn_open_params[] = {
	SCN_P_MODE,
	SCN_P_LAST,
};

const struct scn_param scn_mem_rw_params[] = {
	SCN_P_OFFSET,
	SCN_P_DATA,
	SCN_P_SIZE,
	SCN_P_LAST,
};

const struct scn_param scn_mem_read_params[] = {
	SCN_P_OFFSET,
	{ "size", SP_SIZE, A_SIZE, NULL, "bytes to read (a written pattern is checked)" },
	SCN_P_LAST,
};

const struct scn_param scn_attach_params[] = {
	SCN_P_READONLY,
	SCN_P_LAST,
};

const struct scn_param scn_send_params[] = {
	SCN_P_DATA,
	SCN_P_SIZE,
	SCN_P_LAST,
};

const struct scn_param scn_recv_params[] = {
	SCN_P_RSIZE,
	SCN_P_LAST,
};

const struct scn_param scn_close_end_params[] = {
	SCN_P_PIPE_END,
	SCN_P_LAST,
};

/* -------------------------------------------------------------- arguments */

bool scn_has(const struct scn_exec *x, enum scn_slot s)
{
	return x->st->arg[s].kind != V_NONE;
}

static int val_int(const struct scn_val *a, const int64_t *vars, int64_t dflt, int64_t *v)
{
	switch (a->kind) {
	case V_INT:
		*v = a->i;
		return 0;
	case V_EXPR:
		return scn_expr_eval(a->e, vars, v);
	default:
		*v = dflt;
		return 0;
	}
}

int scn_int(struct scn_exec *x, enum scn_slot s, int64_t dflt, int64_t *v)
{
	return val_int(&x->st->arg[s], x->w->vars, dflt, v);
}

bool scn_bool(const struct scn_exec *x, enum scn_slot s)
{
	return x->st->arg[s].kind == V_INT && x->st->arg[s].i;
}

int scn_ints(struct scn_exec *x, enum scn_slot s, int64_t *v, size_t max)
{
	const struct scn_val *a = &x->st->arg[s];

	if (a->kind != V_LIST)
		return max ? (val_int(a, x->w->vars, 0, v) ? -EDOM : 1) : 0;
	size_t n = a->n < max ? a->n : max;
	for (size_t i = 0; i < n; i++) {
		int rc = val_int(&a->list[i], x->w->vars, 0, &v[i]);
		if (rc)
			return rc;
	}
	return (int)n;
}

/* ----------------------------------------------------------- descriptors */

int scn_handle_fds(struct scn_worker *w, const struct scn_obj *o, struct scn_handle *h)
{
	h->fd = o->fd[0];
	h->fd2 = o->fd[1];
	/* The other threads of a process get descriptors of their own: a close is theirs. */
	if (w->thread > 0) {
		if (h->fd >= 0 && (h->fd = fcntl(o->fd[0], F_DUPFD_CLOEXEC, 0)) < 0)
			return -errno;
		if (h->fd2 >= 0 && (h->fd2 = fcntl(o->fd[1], F_DUPFD_CLOEXEC, 0)) < 0)
			return -errno;
	}
	return 0;
}

int scn_fd_close(struct scn_exec *x)
{
	struct scn_handle *h = x->h;

	if (h->fd < 0 && h->fd2 < 0)
		return -EBADF;
	if (h->fd >= 0)
		close(h->fd);
	if (h->fd2 >= 0)
		close(h->fd2);
	h->fd = h->fd2 = -1;
	return 0;
}

int scn_noop(struct scn_exec *x)
{
	return x->h->fd >= 0 || x->h->fd2 >= 0 || x->h->sem || x->h->id >= 0 ? 0 : -EBADF;
}

int scn_pass_fd(struct scn_exec *x, int obj)
{
	const struct scn_handle *h = &x->w->h[obj];

	if (h->fd >= 0)
		return h->fd;
	if (h->fd2 >= 0)
		return h->fd2;
	return -EBADF;
}

/* What fds: names: each object's descriptor, or N copies of /dev/null's. */
static int collect_fds(struct scn_exec *x, int *fds, size_t *nfds)
{
	const struct scn_val *a = &x->st->arg[A_FDS];
	static __thread int devnull = -1;
	size_t n = 0;

	if (a->kind != V_OBJS)
		return 0;
	if (!a->n) {
		if (devnull < 0 && (devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
			return -errno;
		for (int64_t i = 0; i < a->i && n < XPORT_MAX_FDS; i++)
			fds[n++] = devnull;
	}
	for (size_t i = 0; i < a->n && n < XPORT_MAX_FDS; i++) {
		int fd = scn_pass_fd(x, a->objs[i]);
		if (fd < 0)
			return fd;
		fds[n++] = fd;
	}
	*nfds = n;
	return 0;
}

int scn_send_on(struct scn_exec *x, int fd, bool stream)
{
	int fds[XPORT_MAX_FDS];
	size_t nfds = 0;
	const void *buf;
	size_t len;
	ssize_t r;

	if (fd < 0)
		return -EBADF;
	int rc = scn_payload(x, &buf, &len);
	if (!rc)
		rc = collect_fds(x, fds, &nfds);
	if (rc)
		return rc;
	if (stream && !nfds) {
		r = xport_write(fd, buf, len, &x->wait);
	} else if (stream && len > 1) {
		/* The descriptors ride on the first byte; the rest is a stream like any. */
		r = xport_send(fd, buf, 1, fds, nfds, &x->wait);
		if (r >= 0)
			r = xport_write(fd, (const char *)buf + 1, len - 1, &x->wait);
	} else {
		r = xport_send(fd, buf, len, fds, nfds, &x->wait);
	}
	return r < 0 ? (int)r : 0;
}

/* The length of the text expect: wants, when it is a literal rather than a glob. */
static bool expected_literal(const struct scn_exec *x, size_t *len)
{
	const char *s;

	if (!x->st->expect.data || !scn_tmpl_literal(x->st->expect.data, &s, len))
		return false;
	return !strpbrk(s, "*?[\\");
}

int scn_recv_on(struct scn_exec *x, int fd, bool stream)
{
	size_t dflt = DEFAULT_RX, cap;
	bool whole = scn_has(x, A_SIZE);
	void *buf;
	ssize_t r;

	if (fd < 0)
		return -EBADF;
	size_t want;
	/* The text expected, as many bytes; "" is the end of the file, read as any. */
	if (stream && !whole && expected_literal(x, &want) && want) {
		dflt = want;
		whole = true;
	}
	int rc = scn_rxbuf(x, dflt, &buf, &cap);
	if (rc)
		return rc;
	if (stream && !(x->st->op->flags & SCN_OUT_FDS)) {
		r = xport_read(fd, buf, cap, whole, &x->wait);
	} else {
		int fds[XPORT_MAX_FDS], flags = 0;
		int64_t room = XPORT_MAX_FDS;
		if (scn_int(x, A_FDS, XPORT_MAX_FDS, &room) || room < 0)
			return -EINVAL;
		size_t nfds = (size_t)(room < XPORT_MAX_FDS ? room : XPORT_MAX_FDS);
		r = xport_recv(fd, buf, cap, fds, &nfds, &flags, &x->wait);
		for (size_t i = 0; r >= 0 && i < nfds; i++)
			close(fds[i]);
		/* A stream's first read may be short: the rest of size: comes as a stream. */
		if (stream && whole && r > 0 && (size_t)r < cap) {
			ssize_t more = xport_read(fd, (char *)buf + r, cap - (size_t)r, true,
						  &x->wait);
			r = more < 0 ? more : r + more;
		}
		if (r >= 0) {
			x->nfds = nfds;
			x->has_fds = true;
			x->truncated = (size_t)r > cap || (flags & MSG_TRUNC);
			if ((size_t)r > cap)
				r = (ssize_t)cap;
		}
	}
	if (r < 0)
		return (int)r;
	x->data = buf;
	x->len = (size_t)r;
	x->has_data = true;
	return 0;
}

int scn_fdinfo(int fd, const char *key, int base, uint64_t *v)
{
	char path[64], buf[1024];
	size_t klen = strlen(key);

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	int f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return -errno;
	ssize_t n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			*v = strtoull(line + klen + 1, NULL, base);
			return 0;
		}
	}
	return -ENOENT;
}

/* ---------------------------------------------------------------- memory */

int scn_mem_io(struct scn_exec *x, void *mem, size_t len, bool ro, bool write)
{
	int64_t off;
	int rc = scn_int(x, A_OFFSET, 0, &off);

	if (rc)
		return rc;
	if (off < 0 || (uint64_t)off > len)
		return -EFAULT;
	char *at = (char *)mem + off;
	size_t room = len - (size_t)off;
	if (write) {
		const void *buf;
		size_t n;
		if (ro)
			return -EACCES;
		rc = scn_payload(x, &buf, &n);
		if (rc)
			return rc;
		if (n > room)
			return -EFAULT;
		memcpy(at, buf, n);
		return 0;
	}
	size_t n = room < DEFAULT_MEM_READ ? room : DEFAULT_MEM_READ;
	bool cstring = !scn_has(x, A_SIZE) && !expected_literal(x, &n);
	if (scn_has(x, A_SIZE)) {
		int64_t want;
		rc = scn_int(x, A_SIZE, 0, &want);
		if (rc || want < 0)
			return rc ? rc : -EINVAL;
		n = (size_t)want;
	}
	if (n > room)
		return -EFAULT;
	void *buf;
	size_t cap;
	rc = scn_rxbuf(x, n ? n : 1, &buf, &cap);
	if (rc)
		return rc;
	memcpy(buf, at, n);
	x->data = buf;
	x->len = cstring ? strnlen(buf, n) : n;
	x->has_data = true;
	return 0;
}

int scn_mem_attach(struct scn_exec *x)
{
	struct scn_handle *h = x->h;
	struct stat st;

	if (h->mem)
		return -EALREADY;
	if (h->fd < 0)
		return -EBADF;
	if (fstat(h->fd, &st))
		return -errno;
	if (st.st_size == 0)
		return -EINVAL;	/* as mmap(2) says of a zero length */
	bool ro = scn_bool(x, A_READONLY);
	void *p = mmap(NULL, (size_t)st.st_size, PROT_READ | (ro ? 0 : PROT_WRITE), MAP_SHARED,
		       h->fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	h->mem = p;
	h->len = (size_t)st.st_size;
	h->ro = ro;
	return 0;
}

int scn_mem_detach(struct scn_exec *x)
{
	struct scn_handle *h = x->h;

	if (!h->mem)
		return -EINVAL;
	munmap(h->mem, h->len);
	h->mem = NULL;
	return 0;
}

/* Not attached: pwrite and pread of the file, as far as it goes. */
static int fd_io(struct scn_exec *x, bool write)
{
	struct scn_handle *h = x->h;
	struct stat st;

	if (h->fd < 0)
		return -EBADF;
	if (fstat(h->fd, &st))
		return -errno;
	if (write) {
		int64_t off;
		const void *buf;
		size_t n;
		int rc = scn_int(x, A_OFFSET, 0, &off);
		if (!rc)
			rc = scn_payload(x, &buf, &n);
		if (rc)
			return rc;
		ssize_t w = pwrite(h->fd, buf, n, off);
		return w < 0 ? -errno : (size_t)w < n ? -ENOSPC : 0;
	}
	/* Reading a copy as memory: at most what the object holds. */
	size_t len = (size_t)st.st_size;
	void *tmp = len ? mmap(NULL, len, PROT_READ, MAP_SHARED, h->fd, 0) : NULL;
	if (tmp == MAP_FAILED)
		return -errno;
	int rc = scn_mem_io(x, tmp ? tmp : (void *)"", len, true, false);
	if (tmp)
		munmap(tmp, len);
	return rc;
}

int scn_mem_write(struct scn_exec *x)
{
	struct scn_handle *h = x->h;

	return h->mem ? scn_mem_io(x, h->mem, h->len, h->ro, true) : fd_io(x, true);
}

int scn_mem_read(struct scn_exec *x)
{
	struct scn_handle *h = x->h;

	return h->mem ? scn_mem_io(x, h->mem, h->len, h->ro, false) : fd_io(x, false);
}

int scn_mem_resize(struct scn_exec *x)
{
	int64_t size;
	int rc = scn_int(x, A_SIZE, 0, &size);

	if (rc)
		return rc;
	if (x->h->fd < 0)
		return -EBADF;
	return ftruncate(x->h->fd, (off_t)size) ? -errno : 0;
}

/* --------------------------------------------------------- POSIX semaphores */

/* The count: of a post or a wait (1 by default): an error below 0, or with no semaphore. */
static int psem_count(struct scn_exec *x, int64_t *n)
{
	int rc = scn_int(x, A_COUNT, 1, n);

	if (!rc && *n < 0)
		rc = -EINVAL;
	if (!rc && !x->h->sem)
		rc = -EBADF;
	return rc;
}

int scn_psem_post(struct scn_exec *x)
{
	int64_t n;
	int rc = psem_count(x, &n);

	for (int64_t i = 0; !rc && i < n; i++)
		rc = xport_sem_post(x->h->sem);
	return rc;
}

int scn_psem_wait(struct scn_exec *x)
{
	int64_t n;
	int rc = psem_count(x, &n);

	for (int64_t i = 0; !rc && i < n; i++)
		rc = xport_sem_wait(x->h->sem, &x->wait);
	return rc;
}

/* There is no sem_setvalue: take what is there, then post up to the value. */
int scn_psem_set(struct scn_exec *x)
{
	int64_t v;
	int rc = scn_int(x, A_VALUE, 0, &v);

	if (rc)
		return rc;
	if (!x->h->sem)
		return -EBADF;
	if (v < 0 || v > SEM_VALUE_MAX)
		return -EINVAL;
	while (sem_trywait(x->h->sem) == 0)
		;
	for (int64_t i = 0; i < v && !rc; i++)
		rc = xport_sem_post(x->h->sem);
	return rc;
}

int scn_psem_get(struct scn_exec *x)
{
	int v;

	if (!x->h->sem)
		return -EBADF;
	if (sem_getvalue(x->h->sem, &v))
		return -errno;
	x->value = v;
	x->has_value = true;
	return 0;
}

/* ------------------------------------------------------------ socketpair */

static const struct scn_param socketpair_attrs[] = {
	{ "type", SP_WORD, A_SOCKTYPE, "stream dgram seqpacket", "the socket type (stream)" },
	SCN_P_LAST,
};

static int socketpair_make(struct scn_obj *o, struct ipk_error *e)
{
	int sv[2];

	if (socketpair(AF_UNIX, o->socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv))
		return err_set(e, errno, "socketpair: %s", ipk_strerror(errno));
	o->fd[0] = sv[0];
	o->fd[1] = sv[1];
	return 0;
}

void scn_fds_unmake(struct scn_obj *o)
{
	for (int i = 0; i < 2; i++) {
		if (o->fd[i] >= 0)
			close(o->fd[i]);
		o->fd[i] = -1;
	}
}

static int socketpair_handle(struct scn_worker *w, const struct scn_obj *o, struct scn_handle *h)
{
	h->end = w->actor->end[o->index];
	return scn_handle_fds(w, o, h);
}

static int inode_ref(int fd, struct ipk_buf *ref)
{
	struct stat st;

	if (fd < 0 || fstat(fd, &st))
		return -ENOENT;
	return ipk_buf_printf(ref, "%llu", (unsigned long long)st.st_ino);
}

static int socketpair_ref(const struct scn_obj *o, struct ipk_buf *ref)
{
	return inode_ref(o->fd[0], ref);
}

/* The end a step uses: end: 0 or 1, else the actor's. */
static int pair_fd(struct scn_exec *x)
{
	int64_t end = x->h->end;

	if (scn_int(x, A_END, x->h->end, &end))
		return -EINVAL;
	return end ? x->h->fd2 : x->h->fd;
}

static int socketpair_send(struct scn_exec *x)
{
	return scn_send_on(x, pair_fd(x), x->o->socktype == SOCK_STREAM);
}

static int socketpair_recv(struct scn_exec *x)
{
	return scn_recv_on(x, pair_fd(x), x->o->socktype == SOCK_STREAM);
}

static int socketpair_close(struct scn_exec *x)
{
	if (!scn_has(x, A_END))
		return scn_fd_close(x);
	int64_t end = 0;
	scn_int(x, A_END, 0, &end);
	int *fd = end ? &x->h->fd2 : &x->h->fd;
	if (*fd < 0)
		return -EBADF;
	close(*fd);
	*fd = -1;
	return 0;
}

static const struct scn_param pair_send_params[] = {
	SCN_P_DATA, SCN_P_SIZE, SCN_P_FDS, SCN_P_END, SCN_P_LAST,
};

static const struct scn_param pair_recv_params[] = {
	SCN_P_RSIZE, SCN_P_RFDS, SCN_P_END, SCN_P_LAST,
};

static const struct scn_param pair_close_params[] = {
	SCN_P_END, SCN_P_LAST,
};

static const struct scn_op socketpair_ops[] = {
	{ "send", "send a message (a stream: the bytes) on its end", pair_send_params,
	  SCN_BLOCKS | SCN_IN_DATA, socketpair_send, "- send: { to: pair, data: \"ping {i}\" }" },
	{ "recv", "receive on its end", pair_recv_params,
	  SCN_BLOCKS | SCN_OUT_DATA | SCN_OUT_FDS, socketpair_recv,
	  "- recv: { from: pair, expect: \"ping *\" }" },
	{ "write", "the same as send", pair_send_params, SCN_BLOCKS | SCN_IN_DATA,
	  socketpair_send, "- write: { to: pair, data: x }" },
	{ "read", "the same as recv", pair_recv_params, SCN_BLOCKS | SCN_OUT_DATA | SCN_OUT_FDS,
	  socketpair_recv, "- read: { from: pair, size: 1 }" },
	{ "open", "nothing: every actor has both ends from the start", NULL, 0, scn_noop,
	  "- open: pair" },
	{ "close", "close both ends in this process, or end: 0 or 1", pair_close_params, 0,
	  socketpair_close, "- close: { on: pair, end: 1 }" },
	{ "remove", "the same as close: it has no name", NULL, 0, scn_fd_close, "- remove: pair" },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};

const struct scn_type scn_type_socketpair = {
	.name = "socketpair",
	.help = "a connected pair of unix sockets (socketpair(2))",
	.flags = SCN_T_NONAME | SCN_T_ENDS,
	.attrs = socketpair_attrs,
	.ops = socketpair_ops,
	.make = socketpair_make,
	.unmake = scn_fds_unmake,
	.handle = socketpair_handle,
	.ref_arg = socketpair_ref,
};

/* ------------------------------------------------------ posix-sem-unnamed */

static const struct scn_param psem_unnamed_attrs[] = {
	{ "value", SP_INT, A_VALUE, NULL, "the initial value (0)" },
	SCN_P_LAST,
};

static int psem_unnamed_make(struct scn_obj *o, struct ipk_error *e)
{
	void *p = mmap(NULL, sizeof(sem_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		       -1, 0);

	if (p == MAP_FAILED)
		return err_set(e, errno, "mmap: %s", ipk_strerror(errno));
	if (o->value < 0 || o->value > SEM_VALUE_MAX || sem_init(p, 1, (unsigned)o->value)) {
		int err = o->value < 0 || o->value > SEM_VALUE_MAX ? EINVAL : errno;
		munmap(p, sizeof(sem_t));
		return err_set(e, err, "sem_init: %s", ipk_strerror(err));
	}
	o->mem = p;
	o->mem_len = sizeof(sem_t);
	return 0;
}

static void psem_unnamed_unmake(struct scn_obj *o)
{
	if (!o->mem)
		return;
	sem_destroy(o->mem);
	munmap(o->mem, o->mem_len);
	o->mem = NULL;
}

static int psem_unnamed_handle(struct scn_worker *w, const struct scn_obj *o,
			       struct scn_handle *h)
{
	(void)w;
	h->sem = o->mem;
	return 0;
}

static int psem_unnamed_destroy(struct scn_exec *x)
{
	if (!x->h->sem)
		return -EBADF;
	return sem_destroy(x->h->sem) ? -errno : 0;
}

static int psem_unnamed_forget(struct scn_exec *x)
{
	if (!x->h->sem)
		return -EBADF;
	x->h->sem = NULL;
	return 0;
}

static const struct scn_param psem_post_params[] = { SCN_P_COUNT, SCN_P_LAST };
static const struct scn_param psem_set_params[] = { SCN_P_VALUE, SCN_P_LAST };

static const struct scn_op psem_unnamed_ops[] = {
	{ "post", "sem_post(3), count: times", psem_post_params, 0, scn_psem_post,
	  "- post: ready" },
	{ "wait", "sem_wait(3) (sem_trywait with nowait, sem_clockwait with timeout)",
	  psem_post_params, SCN_BLOCKS, scn_psem_wait, "- wait: { on: ready, timeout: 1s }" },
	{ "set", "take what is there, then post up to value:", psem_set_params, 0, scn_psem_set,
	  "- set: { on: ready, value: 3 }" },
	{ "get", "sem_getvalue(3)", NULL, SCN_OUT_VALUE, scn_psem_get,
	  "- get: { on: ready, expect: 0 }" },
	{ "open", "nothing: it is in memory every actor shares", NULL, 0, scn_noop,
	  "- open: ready" },
	{ "close", "forget it in this process", NULL, 0, psem_unnamed_forget, "- close: ready" },
	{ "remove", "sem_destroy(3): nobody may wait on it then", NULL, 0, psem_unnamed_destroy,
	  "- remove: ready" },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};

const struct scn_type scn_type_psem_unnamed = {
	.name = "posix-sem-unnamed",
	.help = "a process-shared POSIX semaphore in shared memory (sem_init(3), pshared 1)",
	.flags = SCN_T_NONAME,
	.attrs = psem_unnamed_attrs,
	.ops = psem_unnamed_ops,
	.make = psem_unnamed_make,
	.unmake = psem_unnamed_unmake,
	.handle = psem_unnamed_handle,
};

/* --------------------------------------------------------------- process */

/*
 * signal: to: an actor (every process of it) or ACTOR[INDEX]; the target
 * is resolved when the step runs, as its index may be a template.
 */
static int proc_signal(struct scn_exec *x)
{
	const struct scn_val *t = &x->st->arg[A_TARGET];
	const struct ipk_scenario *s = x->w->s;
	int64_t sig;
	int actor = -1;
	int64_t index = -1;

	if (scn_int(x, A_SIGNAL, SIGTERM, &sig))
		return -EINVAL;
	if (t->kind == V_OBJS) {
		actor = t->objs[0];
		index = t->i;
	} else if (t->kind == V_TEXT) {
		char buf[256];
		ssize_t n = scn_tmpl_expand(t->t, x->w->vars, buf, sizeof(buf));
		if (n < 0)
			return (int)n;
		char *br = strchr(buf, '[');
		actor = scn_actor_find(s, buf, br ? (size_t)(br - buf) : (size_t)n);
		if (br) {
			char *end;
			index = strtoll(br + 1, &end, 10);
			if (*end != ']' || end[1])
				return -EINVAL;
		}
	}
	if (actor < 0)
		return -ESRCH;
	const struct scn_actor *a = &s->actors[actor];
	if (index >= a->processes)
		return -ESRCH;
	x->sem = -1;
	for (int p = index < 0 ? 0 : (int)index; p < (index < 0 ? a->processes : index + 1); p++) {
		pid_t pid = scn_worker_pid(x->w->run, a, p);
		if (pid <= 0)
			return -ESRCH;
		scn_mark_killed(x->w->run, a, p, (int)sig);
		if (kill(pid, (int)sig))
			return -errno;
	}
	return 0;
}

static const struct scn_param signal_params[] = {
	{ "to", SP_TARGET, A_TARGET, NULL, "an actor (all its processes) or ACTOR[INDEX]" },
	{ "signal", SP_SIGNAL, A_SIGNAL, NULL, "USR1, SIGTERM, 10 ... (default TERM)" },
	SCN_P_LAST,
};

static const struct scn_op process_ops[] = {
	{ "signal", "kill(2) the processes of an actor; a signalfd's wait receives it",
	  signal_params, 0, proc_signal, "- signal: { to: \"worker[0]\", signal: USR1 }" },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};

const struct scn_type scn_type_process = {
	.name = "process",
	.help = "the actors' processes themselves",
	.ops = process_ops,
};

/* -------------------------------------------------------------- registry */

static const struct scn_type *const own_types[] = {
	&scn_type_socketpair,
	&scn_type_psem_unnamed,
	&scn_type_process,
};

/* The kinds with a scenario side (a kind without one cannot be an object). */
static size_t kinds_with_ops(void)
{
	size_t n = 0;

	for (size_t i = 0; i < ipk_kind_count(); i++)
		n += ipk_kind_at(i)->scenario != NULL;
	return n;
}

size_t scn_type_count(void)
{
	return kinds_with_ops() + ARRAY_SIZE(own_types);
}

const struct scn_type *scn_type_at(size_t i, const struct ipk_kind **kind)
{
	for (size_t k = 0; k < ipk_kind_count(); k++) {
		const struct ipk_kind *kk = ipk_kind_at(k);
		if (!kk->scenario)
			continue;
		if (i-- == 0) {
			*kind = kk;
			return kk->scenario;
		}
	}
	if (i >= ARRAY_SIZE(own_types))
		return NULL;
	*kind = own_types[i] == &scn_type_socketpair ? ipk_kind_find("unix") : NULL;
	return own_types[i];
}

const struct scn_type *scn_type_find(const char *name, const struct ipk_kind **kind)
{
	const struct ipk_kind *k = ipk_kind_find(name);

	if (k && k->scenario) {
		*kind = k;
		return k->scenario;
	}
	for (size_t i = 0; i < ARRAY_SIZE(own_types); i++) {
		if (own_types[i] != &scn_type_process && strcmp(own_types[i]->name, name) == 0)
			return scn_type_at(kinds_with_ops() + i, kind);
	}
	return NULL;
}

const struct scn_op *scn_op_find(const struct scn_type *t, const char *name)
{
	for (const struct scn_op *op = t ? t->ops : NULL; op && op->name; op++)
		if (strcmp(op->name, name) == 0)
			return op;
	return NULL;
}

/* ------------------------------------------------------------ vocabulary */

size_t ipk_scenario_op_count(void)
{
	size_t n = 0;
	const struct ipk_kind *k;

	for (size_t i = 0; i < scn_type_count(); i++) {
		const struct scn_type *t = scn_type_at(i, &k);
		for (const struct scn_op *op = t ? t->ops : NULL; op && op->name; op++)
			n++;
	}
	return n;
}

/* The parameters of @op as one line: its own, then everyone's. */
static void param_words(const struct scn_op *op, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (const struct scn_param *p = op->params; p && p->name; p++)
		n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s", n ? " " : "",
				      p->name);
	if (op->flags & SCN_BLOCKS)
		n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%stimeout nowait",
				      n ? " " : "");
	if ((op->flags & SCN_OUT_VALUE) && !(op->flags & SCN_OUT_SIGNAL))
		n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%sinto", n ? " " : "");
	snprintf(buf + n, n < size ? size - n : 0, "%sexpect", n ? " " : "");
}

int ipk_scenario_op_info(size_t i, struct ipk_scenario_opinfo *out)
{
	static __thread char params[256];
	const struct ipk_kind *k;

	for (size_t ti = 0; ti < scn_type_count(); ti++) {
		const struct scn_type *t = scn_type_at(ti, &k);
		for (const struct scn_op *op = t ? t->ops : NULL; op && op->name; op++) {
			if (i--)
				continue;
			param_words(op, params, sizeof(params));
			*out = (struct ipk_scenario_opinfo){
				.type = t->name, .op = op->name,
				.object_key = t == &scn_type_process ? "-" : scn_object_key(op->name),
				.params = params, .help = op->help, .example = op->example,
			};
			return 0;
		}
	}
	return -ENOENT;
}

size_t ipk_scenario_type_count(void)
{
	return scn_type_count();
}

int ipk_scenario_type_info(size_t i, struct ipk_scenario_typeinfo *out)
{
	static __thread char attrs[256];
	const struct ipk_kind *k;
	const struct scn_type *t = scn_type_at(i, &k);
	size_t n = 0;

	if (!t)
		return -ENOENT;
	attrs[0] = '\0';
	if (t != &scn_type_process) {
		n += (size_t)snprintf(attrs, sizeof(attrs), "kind");
		if ((t->flags & SCN_T_NAMED) && k && ipk_kind_create_named(k))
			n += (size_t)snprintf(attrs + n, sizeof(attrs) - n, " name");
		if (t->flags & SCN_T_PATH)
			n += (size_t)snprintf(attrs + n, sizeof(attrs) - n, " path");
		if ((t->flags & SCN_T_NAMED) && k) {
			for (int a = 0; a < IPK_ATTR_COUNT && n < sizeof(attrs); a++)
				if (ipk_kind_create_attrs(k) & IPK_ATTR_BIT(a))
					n += (size_t)snprintf(attrs + n, sizeof(attrs) - n, " %s",
							      ipk_attr_name((enum ipk_attr)a));
		}
		for (const struct scn_param *p = t->attrs; p && p->name && n < sizeof(attrs); p++)
			n += (size_t)snprintf(attrs + n, sizeof(attrs) - n, " %s", p->name);
		if ((t->flags & (SCN_T_NAMED | SCN_T_PATH)) && n < sizeof(attrs))
			snprintf(attrs + n, sizeof(attrs) - n, " existing");
	}
	*out = (struct ipk_scenario_typeinfo){ .type = t->name, .attrs = attrs, .help = t->help };
	return 0;
}
