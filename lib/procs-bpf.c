/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The process scan's records read through BPF iterators: the object of
 * lib/bpf/procs.bpf.c, embedded as bpftool's light skeleton
 * (build/obj/lib/bpf/procs.skel.h: the kernel relocates it against its own
 * BTF, no libbpf at run time), loaded once a process, its two iterators
 * read once a scan in large reads.
 * Where BPF is not to be had (no CAP_BPF, no BTF, an older kernel, a
 * seccomp filter, a /proc of another pid namespace) procs_bpf_start()
 * fails and lib/procs.c reads /proc, saying nothing: the records tell
 * exactly what /proc would, where they cannot they say so per entry, so
 * which path was taken shows in no output.
 */
#include "internal.h"
#include "procs-bpf.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpf/procs.skel.h"

_Static_assert(sizeof(struct ipk_bpf_task) == 112, "records.h: struct ipk_bpf_task");
_Static_assert(sizeof(struct ipk_bpf_fd) == 88, "records.h: struct ipk_bpf_fd");
_Static_assert(sizeof(struct ipk_bpf_vma) == 40, "records.h: struct ipk_bpf_vma");

#define READ_SIZE (256 * 1024)	/* what one read() of an iterator may take */

/* The loaded object, for the life of the process: 0 not tried, 1 loaded, -errno failed. */
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;
static int load_state;
static struct procs_bpf *skel;

/* Our /proc counts pids as the iterators do: in our own pid namespace. */
static bool proc_is_ours(void)
{
	char link[32];
	ssize_t n = readlink("/proc/self", link, sizeof(link) - 1);

	if (n <= 0)
		return false;
	link[n] = '\0';
	const char *p = link;
	uint64_t pid;
	return text_dec(&p, &pid) && !*p && pid == (uint64_t)getpid();
}

/*
 * The boottime offset of our time namespace (/proc/self/timens_offsets),
 * which /proc/PID/stat adds to a start time and the iterators do not.
 */
static uint64_t boot_offset;

static int read_boot_offset(void)
{
	char text[256];
	int fd = open("/proc/self/timens_offsets", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;	/* no time namespaces: no offset */
	ssize_t n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	text[n] = '\0';
	const char *line = strstr(text, "boottime ");
	if (!line)
		return 0;
	long long sec, nsec;
	if (sscanf(line + 9, "%lld %lld", &sec, &nsec) != 2 || sec < 0 || nsec < 0)
		return -ENOTSUP;	/* a clock set back: not what we add */
	boot_offset = (uint64_t)sec * 1000000000u + (uint64_t)nsec;
	return 0;
}

uint64_t procs_bpf_boot_offset(void)
{
	return boot_offset;
}

/* Our root, where the walk up from a mapped file stops, as d_path() does (procs.bpf.c). */
static int root_fd = -1;

/* The object goes at exit: a leak checker sees nothing held. */
__attribute__((destructor)) static void unload(void)
{
	procs_bpf__destroy(skel);
	skel = NULL;
	if (root_fd >= 0)
		close(root_fd);
	root_fd = -1;
}

static int load(void)
{
	int rc = read_boot_offset();

	if (rc)
		return rc;
	errno = 0;
	skel = procs_bpf__open_and_load();
	if (!skel)
		return errno ? -errno : -ENOSYS;
	root_fd = open("/", O_PATH | O_CLOEXEC);
	if (root_fd >= 0)
		skel->bss->root_fd_1 = root_fd + 1;	/* else each mapping is read from /proc */
	rc = procs_bpf__attach(skel);
	if (rc) {
		unload();
		return rc < 0 ? rc : -ENOSYS;
	}
	return 0;
}

static int stream_open(struct bpf_stream *s, int link_fd)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.iter_create.link_fd = (uint32_t)link_fd;
	s->fd = (int)syscall(__NR_bpf, BPF_ITER_CREATE, &attr, sizeof(attr));
	s->pos = s->len = 0;
	s->eof = false;
	return s->fd < 0 ? -errno : 0;
}

int procs_bpf_start(const struct ipk_ctx *ctx, struct procs_bpf_read *r, bool fds)
{
	*r = (struct procs_bpf_read){ .tasks.fd = -1, .fds.fd = -1 };
	if (!ctx->live || ctx->root[0] || ctx->no_bpf || ctx->force_maps_text)
		return -ENOTSUP;
	if (!proc_is_ours())
		return -ENOTSUP;
	pthread_mutex_lock(&load_lock);
	if (!load_state)
		load_state = load() ?: 1;
	int rc = load_state < 0 ? load_state : 0;
	pthread_mutex_unlock(&load_lock);
	if (rc)
		return rc;
	r->tasks.buf = malloc(READ_SIZE);
	r->fds.buf = malloc(READ_SIZE);
	if (!r->tasks.buf || !r->fds.buf) {
		procs_bpf_end(r);
		return -ENOMEM;
	}
	rc = stream_open(&r->tasks, skel->links.ipk_tasks_fd);
	if (!rc && fds)
		rc = stream_open(&r->fds, skel->links.ipk_fds_fd);
	else
		r->fds.eof = true;
	if (rc)
		procs_bpf_end(r);
	return rc;
}

void procs_bpf_end(struct procs_bpf_read *r)
{
	if (r->tasks.fd >= 0)
		close(r->tasks.fd);
	if (r->fds.fd >= 0)
		close(r->fds.fd);
	free(r->tasks.buf);
	free(r->fds.buf);
	*r = (struct procs_bpf_read){ .tasks.fd = -1, .fds.fd = -1 };
}

/*
 * The next record of @s without taking it; NULL at the end.  A read that
 * fails ends the stream and is kept in r->err: the scan is then not whole.
 */
static const void *peek(struct procs_bpf_read *r, struct bpf_stream *s)
{
	if (s->pos + 8 > s->len && !s->eof) {
		/* whole records only: an iterator never splits one between reads */
		size_t left = s->len - s->pos;
		memmove(s->buf, s->buf + s->pos, left);
		s->pos = 0;
		s->len = left;
		ssize_t n;
		do
			n = read(s->fd, s->buf + s->len, READ_SIZE - s->len);
		while (n < 0 && errno == EINTR);
		if (n <= 0) {
			s->eof = true;
			if (n < 0 && !r->err)
				r->err = -errno;
		} else {
			s->len += (size_t)n;
		}
	}
	if (s->pos + 8 > s->len)
		return NULL;
	const uint8_t *rec = (const uint8_t *)s->buf + s->pos;
	uint16_t size;
	memcpy(&size, rec, sizeof(size));
	if (size < 8 || s->pos + size > s->len) {
		/* not a record we wrote: nothing after it can be trusted */
		if (!r->err)
			r->err = -EPROTO;
		s->eof = true;
		s->pos = s->len;
		return NULL;
	}
	return rec;
}

static const void *take(struct procs_bpf_read *r, struct bpf_stream *s, uint8_t type,
			size_t min)
{
	const uint8_t *rec = peek(r, s);

	if (!rec || rec[2] != type)
		return NULL;
	uint16_t size;
	memcpy(&size, rec, sizeof(size));
	if (size < min) {
		if (!r->err)
			r->err = -EPROTO;
		return NULL;
	}
	s->pos += size;
	return rec;
}

/*
 * The inode of the IPC namespace of @t's process (key: the address of its
 * set of namespaces), as /proc/PID/ns/ipc has it, read once a set a scan;
 * 0 where it has none or has gone, as the iterator would have told.
 */
static uint32_t ipc_ns_inode(struct procs_bpf_read *r, const struct ipk_bpf_task *t)
{
	if (!t->nsproxy_key)
		return 0;
	for (unsigned i = 0; i < r->nns; i++)
		if (r->ns[i].key == t->nsproxy_key)
			return r->ns[i].ino;
	char path[48];
	struct stat st;
	snprintf(path, sizeof(path), "/proc/%d/ns/ipc", (int)t->pid);
	if (stat(path, &st) < 0)
		return 0;
	unsigned i = r->nns < PROCS_BPF_NS ? r->nns++ : r->ns_next++ % PROCS_BPF_NS;
	r->ns[i].key = t->nsproxy_key;
	r->ns[i].ino = (uint32_t)st.st_ino;
	return r->ns[i].ino;
}

const struct ipk_bpf_task *procs_bpf_task(struct procs_bpf_read *r)
{
	/* areas of the last process not taken: skipped */
	while (take(r, &r->tasks, IPK_BPF_VMA, sizeof(struct ipk_bpf_vma)))
		;
	struct ipk_bpf_task *t = (struct ipk_bpf_task *)take(r, &r->tasks, IPK_BPF_TASK, sizeof(*t));
	if (!t && peek(r, &r->tasks) && !r->err)
		r->err = -EPROTO;
	if (t)
		t->ipc_ns = ipc_ns_inode(r, t);
	return t;
}

const struct ipk_bpf_vma *procs_bpf_vma(struct procs_bpf_read *r)
{
	const struct ipk_bpf_vma *v = take(r, &r->tasks, IPK_BPF_VMA, sizeof(*v));

	if (v && v->path_len != IPK_BPF_NO_LINK &&
	    (sizeof(*v) + v->path_len >= v->size || ((const char *)(v + 1))[v->path_len])) {
		if (!r->err)
			r->err = -EPROTO;
		return NULL;
	}
	return v;
}

/* Where the values of @f start: after its link, 8-aligned. */
static size_t values_at(const struct ipk_bpf_fd *f)
{
	size_t at = sizeof(*f);

	if (!(f->flags & (IPK_BPF_FD_PIPE | IPK_BPF_FD_SOCKET)) && f->link_len != IPK_BPF_NO_LINK)
		at += f->link_len + 1u;
	return (at + 7) & ~(size_t)7;
}

static bool fd_record_ok(const struct ipk_bpf_fd *f)
{
	if (f->type != IPK_BPF_FD || f->size < sizeof(*f))
		return false;
	if (!(f->flags & (IPK_BPF_FD_PIPE | IPK_BPF_FD_SOCKET)) && f->link_len != IPK_BPF_NO_LINK &&
	    (sizeof(*f) + f->link_len + 1u > f->size || ((const char *)(f + 1))[f->link_len]))
		return false;
	static const uint8_t values[] = {
		[IPK_BPF_INFO_NONE] = 0, [IPK_BPF_INFO_EVENTFD] = 3, [IPK_BPF_INFO_SIGNALFD] = 1,
		[IPK_BPF_INFO_TIMERFD] = 7,
	};
	return f->info < sizeof(values) && f->info_len == values[f->info] * sizeof(uint64_t) &&
	       values_at(f) + f->info_len <= f->size;
}

const struct ipk_bpf_fd *procs_bpf_fd(struct procs_bpf_read *r, pid_t pid)
{
	for (;;) {
		const struct ipk_bpf_fd *f = peek(r, &r->fds);
		if (!f)
			return NULL;
		if (!fd_record_ok(f)) {
			if (!r->err)
				r->err = -EPROTO;
			r->fds.eof = true;
			r->fds.pos = r->fds.len;
			return NULL;
		}
		if (f->pid > pid)
			return NULL;	/* the next process's */
		r->fds.pos += f->size;
		if (f->pid == pid)
			return f;
		/* a process that started between the two iterators: not in the list */
	}
}

const char *procs_bpf_link(const struct ipk_bpf_fd *f, char buf[32], size_t *len)
{
	if (f->flags & (IPK_BPF_FD_PIPE | IPK_BPF_FD_SOCKET)) {
		/* "pipe:[%lu]", "socket:[%lu]", without printf: one a fd */
		size_t n = f->flags & IPK_BPF_FD_PIPE ? 5 : 7;
		memcpy(buf, f->flags & IPK_BPF_FD_PIPE ? "pipe:[" : "socket:[", n + 1);
		n += 1 + fmt_u64(buf + n + 1, f->ino);
		buf[n++] = ']';
		buf[n] = '\0';
		*len = n;
		return buf;
	}
	if (f->link_len == IPK_BPF_NO_LINK)
		return NULL;
	*len = f->link_len;
	return (const char *)(f + 1);
}

/*
 * The fdinfo lines of the kernel's show_fdinfo, written by hand: snprintf
 * of them was a tenth of the instructions of a BPF listing of fd kinds.
 * At most IPK_BPF_INFO_MAX bytes: seven numbers of 22 characters and the
 * labels.
 */
struct info_text {
	char *s;
	size_t len;
};

static void info_put(struct info_text *t, const char *s)
{
	size_t n = strlen(s);

	memcpy(t->s + t->len, s, n);
	t->len += n;
}

static void info_dec(struct info_text *t, uint64_t v)
{
	t->len += fmt_u64(t->s + t->len, v);
}

static void info_int(struct info_text *t, int v)
{
	t->len += fmt_i64(t->s + t->len, v);
}

/* @v in base 2^@shift, at least @width digits, padded with @pad */
static void info_digits(struct info_text *t, uint64_t v, unsigned shift, size_t width, char pad)
{
	char digits[24];
	size_t n = 0;

	do {
		digits[n++] = "0123456789abcdef"[v & ((1u << shift) - 1)];
		v >>= shift;
	} while (v);
	for (; width > n; width--)
		t->s[t->len++] = pad;
	while (n)
		t->s[t->len++] = digits[--n];
}

size_t procs_bpf_fdinfo(const struct ipk_bpf_fd *f, char *out, size_t size)
{
	struct info_text t = { out, 0 };
	uint64_t v[7];

	if (size < IPK_BPF_INFO_MAX)
		return 0;
	memcpy(v, (const char *)f + values_at(f), f->info_len);
	switch (f->info) {
	case IPK_BPF_INFO_EVENTFD:
		/* "eventfd-count: %16llx\neventfd-id: %d\neventfd-semaphore: %d\n" */
		info_put(&t, "eventfd-count: ");
		info_digits(&t, v[0], 4, 16, ' ');
		info_put(&t, "\neventfd-id: ");
		info_int(&t, (int)v[1]);
		info_put(&t, "\neventfd-semaphore: ");
		info_int(&t, (int)v[2]);
		break;
	case IPK_BPF_INFO_SIGNALFD:
		/* "sigmask:\t%016llx\n" */
		info_put(&t, "sigmask:\t");
		info_digits(&t, v[0], 4, 16, '0');
		break;
	case IPK_BPF_INFO_TIMERFD:
		/* "clockid: %d\nticks: %llu\nsettime flags: 0%o\n"
		 * "it_value: (%llu, %llu)\nit_interval: (%llu, %llu)\n" */
		info_put(&t, "clockid: ");
		info_int(&t, (int)v[0]);
		info_put(&t, "\nticks: ");
		info_dec(&t, v[1]);
		info_put(&t, "\nsettime flags: 0");
		info_digits(&t, (unsigned)v[2], 3, 1, '0');
		info_put(&t, "\nit_value: (");
		info_dec(&t, v[3]);
		info_put(&t, ", ");
		info_dec(&t, v[4]);
		info_put(&t, ")\nit_interval: (");
		info_dec(&t, v[5]);
		info_put(&t, ", ");
		info_dec(&t, v[6]);
		info_put(&t, ")");
		break;
	default:
		return 0;
	}
	info_put(&t, "\n");
	out[t.len] = '\0';
	return t.len;
}
