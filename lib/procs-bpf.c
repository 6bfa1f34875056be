/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The process scan's records read through BPF iterators: the object of
 * lib/bpf/procs.bpf.c, embedded (build/obj/lib/bpf/procs.skel.h), loaded
 * once a process, its two iterators read once a scan in large reads.
 * Where BPF is not to be had (no CAP_BPF, no BTF, an older kernel, a
 * seccomp filter, a /proc of another pid namespace) procs_bpf_start()
 * fails and lib/procs.c reads /proc, saying nothing: the records tell
 * exactly what /proc would, where they cannot they say so per entry, so
 * which path was taken shows in no output.
 */
#include "internal.h"
#include "procs-bpf.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "bpf/procs.skel.h"

_Static_assert(sizeof(struct ipk_bpf_task) == 104, "records.h: struct ipk_bpf_task");
_Static_assert(sizeof(struct ipk_bpf_fd) == 88, "records.h: struct ipk_bpf_fd");
_Static_assert(sizeof(struct ipk_bpf_vma) == 40, "records.h: struct ipk_bpf_vma");

#define READ_SIZE (256 * 1024)	/* what one read() of an iterator may take */

/* The loaded object, for the life of the process: 0 not tried, 1 loaded, -errno failed. */
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;
static int load_state;
static struct procs_bpf *skel;
static struct bpf_link *task_link, *fd_link;

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

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

static int load(void)
{
	/* libbpf says why it fails on stderr: the caller reads /proc instead, silently */
	int rc = read_boot_offset();
	if (rc)
		return rc;
	libbpf_print_fn_t was = libbpf_set_print(quiet);

	skel = procs_bpf__open_and_load();
	if (!skel)
		rc = errno ? -errno : -ENOSYS;
	if (!rc) {
		task_link = bpf_program__attach_iter(skel->progs.ipk_tasks, NULL);
		fd_link = task_link ? bpf_program__attach_iter(skel->progs.ipk_fds, NULL) : NULL;
		if (!fd_link)
			rc = errno ? -errno : -ENOSYS;
	}
	libbpf_set_print(was);
	if (rc) {
		bpf_link__destroy(task_link);
		task_link = NULL;
		procs_bpf__destroy(skel);
		skel = NULL;
	}
	return rc;
}

/* The object goes at exit: a leak checker sees nothing held. */
__attribute__((destructor)) static void unload(void)
{
	bpf_link__destroy(fd_link);
	bpf_link__destroy(task_link);
	procs_bpf__destroy(skel);
	fd_link = task_link = NULL;
	skel = NULL;
}

static int stream_open(struct bpf_stream *s, struct bpf_link *link)
{
	s->fd = bpf_iter_create(bpf_link__fd(link));
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
	rc = stream_open(&r->tasks, task_link);
	if (!rc && fds)
		rc = stream_open(&r->fds, fd_link);
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

const struct ipk_bpf_task *procs_bpf_task(struct procs_bpf_read *r)
{
	/* areas of the last process not taken: skipped */
	while (take(r, &r->tasks, IPK_BPF_VMA, sizeof(struct ipk_bpf_vma)))
		;
	const struct ipk_bpf_task *t = take(r, &r->tasks, IPK_BPF_TASK, sizeof(*t));
	if (!t && peek(r, &r->tasks) && !r->err)
		r->err = -EPROTO;
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

const struct ipk_bpf_fd *procs_bpf_fd(struct procs_bpf_read *r, pid_t pid)
{
	for (;;) {
		const struct ipk_bpf_fd *f = peek(r, &r->fds);
		if (!f)
			return NULL;
		if (f->type != IPK_BPF_FD || f->size < sizeof(*f) ||
		    (f->link_len != IPK_BPF_NO_LINK &&
		     (sizeof(*f) + f->link_len + 1u + f->info_len > f->size ||
		      ((const char *)(f + 1))[f->link_len]))) {
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
