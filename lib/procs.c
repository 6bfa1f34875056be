/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One pass over /proc: what every process holds that is an IPC object or
 * keeps one alive.  It knows no kind: each fd link and each shared mapping
 * is offered to the kinds' claim slots, in registry order; the claiming
 * kind says what identifies the object and what else to read (the target's
 * stat, the access mode, the fdinfo, which the kind itself parses).  What
 * no kind claims and is a regular file is kept as a plain file held, where
 * the named kinds find their holders.
 *
 * Per process: /proc/PID/stat (command, start time); with PROCS_FDS each
 * fd's link; with PROCS_MAPS the shared mappings.  Processes exit and fds
 * close while we read: whatever vanished is skipped; only running out of
 * memory fails the scan.
 */
#include "internal.h"
#include "procs-bpf.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

struct procs_build {
	struct ipk_ctx *ctx;
	struct proc_index *idx;
	size_t procs_cap, held_cap;
	int64_t boot_time;	/* seconds since the epoch the system booted */
	long ticks;		/* clock ticks a second */
	/* the kinds offered fds and mappings: claim slots of the kinds asked for */
	const struct ipk_kind *claimers[64];
	uint8_t claimer_index[64];
	size_t nclaimers;
	char scratch[PATH_MAX];	/* for claims: h->path before it is kept */
	/* kinds with a claim_wait slot, of those asked for */
	const struct ipk_kind *waiters[64];
	uint8_t waiter_index[64];
	size_t nwaiters;
	/* the shared mappings of the process being read: where a futex waits */
	struct map_range {
		size_t held;
		uint64_t start, end;
	} *ranges;
	size_t nranges, ranges_cap;
	bool need_ns;		/* each process's IPC namespace is asked for */
	/* the process being read: a pidfd, opened at its first HOLD_DUP */
	pid_t pid;
	int pidfd;		/* -1: not opened yet; -2: cannot be */
	int pidfd_err;
	/* objects read through a duplicate of a holder's fd already: each once */
	struct dup_seen {
		uint64_t dev, ino;
		unsigned owner;		/* 0: an empty slot; else the owner + 1 */
	} *seen;
	size_t nseen, seen_cap;	/* seen_cap a power of two */
	char fd_dents[4096] __attribute__((aligned(8)));	/* a process's fd directory */
	/*
	 * The BPF path (procs-bpf.c): the records, and the /proc directories of
	 * the process being read, opened only where a record sends us there
	 * (-1 not yet, -2 cannot be)
	 */
	struct procs_bpf_read *bpf;
	int procfd, bpf_piddir, bpf_fddir;
	uint64_t bpf_boot_offset;	/* ns: our time namespace's boottime offset */
};

#define PROC_DENTS 32768	/* what getdents64 reads of /proc at a time */

/* What fd_read_queue() read of a pipe or FIFO; -1 unknown. */
struct fd_queue {
	int64_t queued, capacity;
};

/* A decimal number of at most @max, the whole of @s; -1 when it is not one. */
static long long small_number(const char *s, long long max)
{
	uint64_t v;

	return text_dec(&s, &v) && !*s && v <= (uint64_t)max ? (long long)v : -1;
}

static int add_held(struct procs_build *b, const struct held *h)
{
	struct proc_index *idx = b->idx;

	if (idx->nheld == b->held_cap) {
		size_t cap = b->held_cap ? b->held_cap * 2 : 1024;
		struct held *v = realloc(idx->held, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		idx->held = v;
		b->held_cap = cap;
	}
	idx->held[idx->nheld++] = *h;
	return 0;
}

static const char *keep(struct procs_build *b, const char *s)
{
	size_t len = strlen(s);
	char *copy = ipk_arena_alloc(&b->idx->arena, len + 1);

	if (copy)
		memcpy(copy, s, len + 1);
	return copy;
}

static const struct stat *keep_stat(struct procs_build *b, const struct stat *st)
{
	struct stat *copy = ipk_arena_alloc(&b->idx->arena, sizeof(*copy));

	if (copy)
		*copy = *st;
	return copy;
}

/* ------------------------------------------------------------- probing */

/* What procs.c keeps behind a probe: how to stat its target, once. */
struct probe_state {
	struct procs_build *b;
	int fddir;		/* /proc/PID/fd, for an fd */
	const char *name;	/* the fd's entry there */
	const struct ipk_bpf_fd *rec;	/* the BPF path's record of the fd */
	bool tried, ok;
	struct stat st;
};

static int bpf_fddir(struct procs_build *b);

/* What fstat shows of the record's inode (vfs_getattr() of these filesystems: generic_fillattr()). */
static void rec_stat(const struct ipk_bpf_fd *f, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = makedev(f->s_dev >> 20, f->s_dev & 0xfffff);
	st->st_ino = f->ino;
	st->st_mode = f->i_mode;
	st->st_uid = f->uid;
	st->st_gid = f->gid;
	st->st_size = f->i_size;
	st->st_atim.tv_sec = f->atime;
	st->st_ctim.tv_sec = f->ctime;
}

/*
 * The fd's target: live, a stat through the fd link; in a frozen copy, an
 * lstat of the link's path below the root, never followed out of it.
 */
static const struct stat *probe_stat(const struct held_probe *p)
{
	struct probe_state *ps = p->priv;

	if (ps->tried)
		return ps->ok ? &ps->st : NULL;
	ps->tried = true;
	if (p->fd < 0)
		return NULL;
	if (ps->rec && (ps->rec->flags & IPK_BPF_FD_STAT)) {
		rec_stat(ps->rec, &ps->st);
		ps->ok = true;
	} else if (ps->rec) {
		int fddir = bpf_fddir(ps->b);
		ps->ok = fddir >= 0 && fstatat(fddir, ps->name, &ps->st, 0) == 0;
	} else if (p->live) {
		ps->ok = fstatat(ps->fddir, ps->name, &ps->st, 0) == 0;
	} else if (p->link[0] == '/') {
		char path[PATH_MAX];
		ps->ok = !ctx_path(ps->b->ctx, p->link, path, sizeof(path)) &&
			 lstat(path, &ps->st) == 0;
	}
	return ps->ok ? &ps->st : NULL;
}

/* The first of the kinds asked for that claims @p, into @h; 0 when none does. */
static unsigned offer(struct procs_build *b, const struct held_probe *p, struct held *h)
{
	for (size_t i = 0; i < b->nclaimers; i++) {
		unsigned got = b->claimers[i]->claim(p, h);
		if (got & HOLD_CLAIMED) {
			h->owner = b->claimer_index[i];
			return got;
		}
	}
	return 0;
}

/* Access mode from the fd link's own permission bits (r-x, -wx, rwx). */
static uint8_t link_mode(int fddir, const char *name)
{
	struct stat st;

	if (fstatat(fddir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	return (st.st_mode & S_IRUSR ? HELD_READ : 0) | (st.st_mode & S_IWUSR ? HELD_WRITE : 0);
}

bool link_inode(const char *link, const char *what, uint64_t *ino)
{
	size_t n = strlen(what);

	if (strncmp(link, what, n) != 0 || link[n] != ':' || link[n + 1] != '[')
		return false;
	const char *p = link + n + 2;
	return text_dec(&p, ino) && p[0] == ']' && !p[1];
}

const char *fdinfo_line(const char *text, const char *name)
{
	size_t n = strlen(name);

	for (const char *line = text; line && *line;) {
		if (line[0] == name[0] && strncmp(line, name, n) == 0 && line[n] == ':') {
			const char *v = line + n + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			return v;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return NULL;
}

/* /proc/PID/fdinfo/FD given to its owner's parser; -ENOENT drops the entry. */
static int read_fdinfo(struct procs_build *b, int piddir, const char *fd, struct held *h)
{
	char path[NAME_MAX + 16], text[4096];
	const struct ipk_kind *k = ipk_kind_at(h->owner);

	if (!(b->idx->what & PROCS_FDINFO) || !k || !k->fdinfo)
		return -ENOENT;
	snprintf(path, sizeof(path), "fdinfo/%s", fd);
	int f = openat(piddir, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (f < 0)
		return -ENOENT;
	/* fdinfo of these kinds is a few short lines: one read, bounded */
	ssize_t n = read(f, text, sizeof(text) - 1);
	close(f);
	if (n < 0)
		return -ENOENT;
	text[n] = '\0';
	return k->fdinfo(text, h, &b->idx->arena);
}

static size_t seen_slot(const struct procs_build *b, unsigned owner, uint64_t dev, uint64_t ino)
{
	uint64_t x = (ino ^ dev * UINT64_C(0x9e3779b97f4a7c15) ^ owner) * UINT64_C(0xff51afd7ed558ccd);
	size_t mask = b->seen_cap - 1, i = (size_t)(x ^ x >> 29) & mask;

	while (b->seen[i].owner &&
	       (b->seen[i].owner != owner + 1 || b->seen[i].dev != dev || b->seen[i].ino != ino))
		i = (i + 1) & mask;
	return i;
}

static bool seen_has(const struct procs_build *b, const struct held *h)
{
	return b->seen_cap && b->seen[seen_slot(b, h->owner, h->dev, h->ino)].owner;
}

static int seen_add(struct procs_build *b, const struct held *h)
{
	if (2 * (b->nseen + 1) > b->seen_cap) {
		size_t cap = b->seen_cap ? 2 * b->seen_cap : 1024;
		struct dup_seen *old = b->seen, *v = calloc(cap, sizeof(*v));
		if (!v)
			return -ENOMEM;
		size_t old_cap = b->seen_cap;
		b->seen = v;
		b->seen_cap = cap;
		for (size_t i = 0; i < old_cap; i++)
			if (old[i].owner)
				b->seen[seen_slot(b, old[i].owner - 1, old[i].dev, old[i].ino)] = old[i];
		free(old);
	}
	b->seen[seen_slot(b, h->owner, h->dev, h->ino)] =
		(struct dup_seen){ .dev = h->dev, .ino = h->ino, .owner = h->owner + 1u };
	b->nseen++;
	return 0;
}

/*
 * HOLD_DUP: the kind's fd_read slot given a duplicate of the fd, for the
 * first holder of each object that lets us; one pidfd for every fd of the
 * process.  What failed is kept in h->dup_err; -ENOMEM only.
 */
static int read_dup(struct procs_build *b, const struct held_probe *p, struct held *h)
{
	const struct ipk_kind *k = ipk_kind_at(h->owner);

	if (!p->live || p->fd < 0 || !(b->idx->dup_kinds & (UINT64_C(1) << h->owner)) ||
	    !k->fd_read || seen_has(b, h))
		return 0;
	if (b->pidfd == -1) {
		b->pidfd = (int)syscall(SYS_pidfd_open, b->pid, 0);
		if (b->pidfd < 0) {
			b->pidfd = -2;
			b->pidfd_err = errno;
		}
	}
	int fd = b->pidfd >= 0 ? (int)syscall(SYS_pidfd_getfd, b->pidfd, p->fd, 0) : -1;
	if (fd < 0) {
		int err = b->pidfd >= 0 ? errno : b->pidfd_err;
		h->dup_err = (uint8_t)(err > 0 && err < 256 ? err : EPERM);
		return 0;
	}
	int rc = k->fd_read(p, fd, h, &b->idx->arena);
	close(fd);
	return rc == -ENOMEM ? rc : seen_add(b, h);
}

/*
 * What add_claimed() and add_claimed_rec() keep alike: the stat a claim
 * asked for and the path it found. 1 when the fd is gone since, -ENOMEM.
 */
static int keep_claim(struct procs_build *b, unsigned got, const struct held_probe *p,
		      struct held *h)
{
	if (got & HOLD_STAT) {
		const struct stat *st = p->stat(p);
		if (!st)
			return 1;
		if (!(h->st = keep_stat(b, st)))
			return -ENOMEM;
	}
	if (h->path && !(h->path = keep(b, h->path)))
		return -ENOMEM;
	return 0;
}

/* Adds what the claim asked for to @h, and @h to the index; -ENOMEM only. */
static int add_claimed(struct procs_build *b, int piddir, int fddir, const char *name,
		       unsigned got, const struct held_probe *p, struct held *h)
{
	if (got & HOLD_FDINFO) {
		int rc = read_fdinfo(b, piddir, name, h);
		if (rc < 0)
			return rc == -ENOMEM ? rc : 0;
	}
	if ((got & HOLD_MODE) && p->live && fddir >= 0)
		h->mode = link_mode(fddir, name);
	int kept = keep_claim(b, got, p, h);
	if (kept)
		return kept < 0 ? kept : 0;	/* gone since: nothing to add */
	if (got & HOLD_DUP) {
		int rc = read_dup(b, p, h);
		if (rc)
			return rc;
	}
	return add_held(b, h);
}

/* ---------------------------------------------------- the BPF path's fds */

/* /proc/PID of the process being read, opened at the first fact no record has. */
static int bpf_piddir(struct procs_build *b)
{
	if (b->bpf_piddir == -1) {
		char name[16];
		snprintf(name, sizeof(name), "%d", (int)b->pid);
		b->bpf_piddir = openat(b->procfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (b->bpf_piddir < 0)
			b->bpf_piddir = -2;
	}
	return b->bpf_piddir;
}

static int bpf_fddir(struct procs_build *b)
{
	if (b->bpf_fddir == -1) {
		int piddir = bpf_piddir(b);
		b->bpf_fddir = piddir < 0 ? -1 : openat(piddir, "fd", O_RDONLY | O_DIRECTORY |
								      O_NOFOLLOW | O_CLOEXEC);
		if (b->bpf_fddir < 0)
			b->bpf_fddir = -2;
	}
	return b->bpf_fddir;
}

static void bpf_close_dirs(struct procs_build *b)
{
	if (b->bpf_fddir >= 0)
		close(b->bpf_fddir);
	if (b->bpf_piddir >= 0)
		close(b->bpf_piddir);
	b->bpf_piddir = b->bpf_fddir = -1;
}

/* read_dup() of a pipe or FIFO whose queue the record read: what fd_read_queue() would. */
static int rec_queue(struct procs_build *b, const struct held_probe *p, const struct ipk_bpf_fd *f,
		     struct held *h)
{
	if (!(b->idx->dup_kinds & (UINT64_C(1) << h->owner)) || seen_has(b, h))
		return 0;
	struct fd_queue *q = ipk_arena_alloc(&b->idx->arena, sizeof(*q));
	if (!q)
		return -ENOMEM;
	*q = (struct fd_queue){ -1, -1 };
	if (fieldset_has(p->wanted, IPK_F_SIZE) && f->queued >= 0 && f->queued <= INT_MAX)
		q->queued = f->queued;
	/* pipe_fcntl(F_GETPIPE_SZ): pages of the ring */
	if (fieldset_has(p->wanted, IPK_F_CAPACITY) && f->capacity > 0 &&
	    f->capacity * b->ctx->pagesize <= INT_MAX)
		q->capacity = f->capacity * b->ctx->pagesize;
	h->info = q;
	return seen_add(b, h);
}

/* add_claimed() of an fd the BPF record @f tells: /proc only for what it does not. */
static int add_claimed_rec(struct procs_build *b, const struct ipk_bpf_fd *f, const char *name,
			   unsigned got, const struct held_probe *p, struct held *h)
{
	if (got & HOLD_FDINFO) {
		const struct ipk_kind *k = ipk_kind_at(h->owner);
		int rc = -ENOENT;
		if (!(b->idx->what & PROCS_FDINFO) || !k || !k->fdinfo) {
			rc = -ENOENT;
		} else if (f->info != IPK_BPF_INFO_NONE) {
			char text[IPK_BPF_INFO_MAX];
			rc = procs_bpf_fdinfo(f, text, sizeof(text)) ? k->fdinfo(text, h, &b->idx->arena)
								     : -ENOENT;
		} else if (bpf_piddir(b) >= 0) {
			rc = read_fdinfo(b, bpf_piddir(b), name, h);
		}
		if (rc < 0)
			return rc == -ENOMEM ? rc : 0;
	}
	/* tid_fd_update_inode(): the link's mode bits are the file's FMODE_READ and _WRITE */
	if (got & HOLD_MODE)
		h->mode = (f->f_mode & 1 ? HELD_READ : 0) | (f->f_mode & 2 ? HELD_WRITE : 0);
	int kept = keep_claim(b, got, p, h);
	if (kept)
		return kept < 0 ? kept : 0;	/* gone since: nothing to add */
	if (got & HOLD_DUP) {
		const struct ipk_kind *k = ipk_kind_at(h->owner);
		int rc = (f->flags & IPK_BPF_FD_QUEUE) && k->fd_read == fd_read_queue
				 ? rec_queue(b, p, f, h) : read_dup(b, p, h);
		if (rc)
			return rc;
	}
	return add_held(b, h);
}

/* A regular file no kind claims (a POSIX object or queue), by dev and ino; 0 when it is not one. */
static int add_file(struct procs_build *b, const struct held_probe *p, uint32_t proc)
{
	const struct stat *st = probe_stat(p);

	if (!st || !S_ISREG(st->st_mode))
		return 0;
	struct held h = { .proc = proc, .fd = p->fd, .owner = HELD_FILE,
			  .dev = st->st_dev, .ino = st->st_ino };
	return add_held(b, &h);
}

/* scan_fds() from the records of the process being read; -EACCES, -ENOMEM. */
static int scan_fds_bpf(struct procs_build *b, uint32_t proc)
{
	const struct ipk_bpf_fd *f;
	int rc = 0;

	while (!rc && (f = procs_bpf_fd(b->bpf, b->pid))) {
		char link[PATH_MAX], name[16];
		size_t n;
		const char *lk = procs_bpf_link(f, link, &n);

		name[fmt_u64(name, (uint64_t)(uint32_t)f->fd)] = '\0';
		if (!lk) {
			/* longer than the record holds: as scan_fds() reads it */
			int fddir = bpf_fddir(b);
			ssize_t m = fddir < 0 ? -1 : readlinkat(fddir, name, link, sizeof(link) - 1);
			if (m <= 0) {
				if (fddir >= 0 && (errno == EACCES || errno == EPERM))
					rc = -EACCES;
				continue;
			}
			link[m] = '\0';
			lk = link;
			n = (size_t)m;
		}
		struct probe_state ps = { .b = b, .fddir = -1, .name = name, .rec = f };
		struct held_probe p = {
			.proc = &b->idx->procs[proc], .fd = (int)f->fd, .link = lk,
			.len = n, .live = true, .wanted = &b->ctx->wanted,
			.stat = probe_stat,
			.scratch = b->scratch, .priv = &ps,
		};
		struct held h = { .proc = proc, .fd = p.fd };
		unsigned got = offer(b, &p, &h);
		if (!got && lk[0] == '/')
			rc = add_file(b, &p, proc);
		else if (got)
			rc = add_claimed_rec(b, f, name, got, &p, &h);
	}
	return rc;
}

/*
 * The entries of a directory we opened, read with getdents64 into @buf:
 * a DIR would cost an fstat and two fcntl per directory, one per process.
 */
struct dents {
	int fd;
	size_t pos, len;
	char *buf;
	size_t size;
};

/* The next entry's name, or NULL at the end (or on an error: what vanished). */
static const char *dents_next(struct dents *d)
{
	struct entry {
		uint64_t ino;
		int64_t off;
		unsigned short reclen;
		unsigned char type;
		char name[];
	};

	if (d->pos >= d->len) {
		ssize_t n = getdents64(d->fd, d->buf, d->size);
		if (n <= 0)
			return NULL;
		d->len = (size_t)n;
		d->pos = 0;
	}
	const struct entry *e = (const struct entry *)(void *)(d->buf + d->pos);
	d->pos += e->reclen;
	return e->name;
}

/* The fds of one process; -EACCES when they may not be read, -ENOMEM. */
static int scan_fds(struct procs_build *b, int piddir, uint32_t proc)
{
	int fddir = openat(piddir, "fd", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fddir < 0)
		return errno == EACCES || errno == EPERM ? -EACCES : 0;
	struct dents dir = { .fd = fddir, .buf = b->fd_dents, .size = sizeof(b->fd_dents) };
	const char *name;
	int rc = 0;
	while (!rc && (name = dents_next(&dir))) {
		char link[PATH_MAX];

		long long fd = small_number(name, INT_MAX);
		if (fd < 0)
			continue;
		ssize_t n = readlinkat(fddir, name, link, sizeof(link) - 1);
		if (n <= 0) {
			/* listing the fds may be allowed where reading them is not */
			if (errno == EACCES || errno == EPERM)
				rc = -EACCES;
			continue;	/* closed since */
		}
		link[n] = '\0';
		struct probe_state ps = { .b = b, .fddir = fddir, .name = name };
		struct held_probe p = {
			.proc = &b->idx->procs[proc], .fd = (int)fd, .link = link,
			.len = (size_t)n, .live = b->ctx->live, .wanted = &b->ctx->wanted,
			.stat = probe_stat,
			.scratch = b->scratch, .priv = &ps,
		};
		struct held h = { .proc = proc, .fd = p.fd };
		unsigned got = offer(b, &p, &h);
		if (!got && link[0] == '/' && p.live)
			rc = add_file(b, &p, proc);
		else if (got)
			rc = add_claimed(b, piddir, fddir, name, got, &p, &h);
	}
	close(fddir);
	return rc;
}

/* Where entry @held is mapped, [start, end): for waits in it. */
static int add_range(struct procs_build *b, size_t held, uint64_t start, uint64_t end)
{
	if (b->nranges == b->ranges_cap) {
		size_t cap = b->ranges_cap ? 2 * b->ranges_cap : 64;
		struct map_range *v = realloc(b->ranges, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		b->ranges = v;
		b->ranges_cap = cap;
	}
	b->ranges[b->nranges++] = (struct map_range){ held, start, end };
	return 0;
}

/* One mapping of a file, as a maps line or PROCMAP_QUERY tells it. */
struct mapping {
	uint64_t start, end;
	bool read, write, shared;
	uint64_t dev, ino;
	const char *path;	/* the rest of the line: it may hold spaces */
	size_t len;
};

/*
 * One shared mapping offered to the claims, or kept as a plain file: one
 * holder per mapped object however many areas map it in a row (@last).
 */
static int add_mapping(struct procs_build *b, int piddir, uint32_t proc, const struct mapping *m,
		       struct held *last)
{
	if (m->path[0] != '/' || !m->shared)
		return 0;
	struct probe_state ps = { .b = b, .fddir = -1 };
	struct held_probe pr = {
		.proc = &b->idx->procs[proc], .fd = -1, .link = m->path, .len = m->len,
		.map_dev = m->dev, .map_ino = m->ino, .live = b->ctx->live,
		.wanted = &b->ctx->wanted, .stat = probe_stat, .scratch = b->scratch, .priv = &ps,
	};
	struct held h = { .proc = proc, .fd = -1 };
	unsigned got = offer(b, &pr, &h);
	if (!got) {
		if (!m->ino)
			return 0;
		h = (struct held){ .proc = proc, .fd = -1, .owner = HELD_FILE,
				   .dev = m->dev, .ino = m->ino };
	}
	if (h.owner == last->owner && h.dev == last->dev && h.ino == last->ino)
		return add_range(b, b->idx->nheld - 1, m->start, m->end);
	h.mode = (m->read ? HELD_READ : 0) | (m->write ? HELD_WRITE : 0);
	*last = h;
	size_t before = b->idx->nheld;
	int rc = got ? add_claimed(b, piddir, -1, NULL, got & ~(unsigned)HOLD_FDINFO, &pr, &h)
		     : add_held(b, &h);
	if (!rc && b->idx->nheld > before)
		rc = add_range(b, before, m->start, m->end);
	return rc;
}

bool text_hex(const char **p, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;
	int n = 0;

	for (;; s++, n++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else
			break;
		if (n == 16)
			return false;
		x = x << 4 | d;
	}
	*p = s;
	*v = x;
	return n > 0;
}

bool text_dec(const char **p, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;
	int n = 0;

	for (; *s >= '0' && *s <= '9'; s++, n++) {
		if (n == 19)
			return false;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	*p = s;
	*v = x;
	return n > 0;
}

/*
 * A maps line: "start-end perms offset major:minor inode   path", the
 * path the rest of the line; false when it is not one.  A SysV segment
 * shows as "/SYSV<key> (deleted)" with its shmid as inode.
 */
static bool parse_maps_line(const char *s, const char *eol, struct mapping *m)
{
	uint64_t offset, maj, min;

	if (!text_hex(&s, &m->start) || *s++ != '-' || !text_hex(&s, &m->end) || *s++ != ' ')
		return false;
	if (eol - s < 5 || s[4] != ' ')
		return false;
	m->read = s[0] == 'r';
	m->write = s[1] == 'w';
	m->shared = s[3] == 's';
	s += 5;
	if (!text_hex(&s, &offset) || *s++ != ' ' || !text_hex(&s, &maj) || *s++ != ':' ||
	    !text_hex(&s, &min) || *s++ != ' ' || !text_dec(&s, &m->ino) ||
	    maj > 0xfff || min > 0xfffff)
		return false;
	if (*s != ' ' && s != eol)
		return false;
	while (s < eol && *s == ' ')
		s++;
	m->dev = makedev(maj, min);
	m->path = s;
	m->len = (size_t)(eol - s);
	return true;
}

static int maps_text(struct procs_build *b, int f, int piddir, uint32_t proc)
{
	char *text;
	int rc = read_fd_all(f, &text, NULL);

	if (rc)
		return rc == -ENOMEM ? rc : rc == -EACCES || rc == -EPERM ? -EACCES : 0;
	struct held last = { .owner = HELD_FILE };
	for (char *line = text, *next; !rc && line && *line; line = next) {
		struct mapping m;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		const char *eol = next ? next - 1 : line + strlen(line);
		if (parse_maps_line(line, eol, &m))
			rc = add_mapping(b, piddir, proc, &m, &last);
	}
	free(text);
	return rc;
}

/*
 * PROCMAP_QUERY (Linux 6.11, <linux/fs.h>), declared here for older
 * headers: the kernel walks the areas and hands back only shared ones
 * backed by a file, one call each, with no text to make or parse.
 */
struct procmap_query {
	uint64_t size;
	uint64_t query_flags;
	uint64_t query_addr;
	uint64_t vma_start;
	uint64_t vma_end;
	uint64_t vma_flags;
	uint64_t vma_page_size;
	uint64_t vma_offset;
	uint64_t inode;
	uint32_t dev_major;
	uint32_t dev_minor;
	uint32_t vma_name_size;
	uint32_t build_id_size;
	uint64_t vma_name_addr;
	uint64_t build_id_addr;
};

enum {
	MAPQ_READABLE = 0x01,
	MAPQ_WRITABLE = 0x02,
	MAPQ_SHARED = 0x08,
	MAPQ_COVERING_OR_NEXT = 0x10,
	MAPQ_FILE_BACKED = 0x20,
};

#define IPK_PROCMAP_QUERY _IOWR('f', 17, struct procmap_query)
_Static_assert(sizeof(struct procmap_query) == 104, "struct procmap_query of Linux 6.11");

/* Whether this kernel has PROCMAP_QUERY: 1 yes, -1 no, 0 not known yet. */
static int procmap_query_works;

bool procs_maps_queried(void)
{
	return __atomic_load_n(&procmap_query_works, __ATOMIC_RELAXED) > 0;
}

/* The shared file mappings through PROCMAP_QUERY; -ENOTTY: not this kernel. */
static int maps_query(struct procs_build *b, int f, int piddir, uint32_t proc)
{
	/* static, so zeroed: valgrind cannot know that the kernel fills it */
	static __thread char name[PATH_MAX];
	struct held last = { .owner = HELD_FILE };
	uint64_t addr = 0;
	int rc = 0;

	for (;;) {
		struct procmap_query q = {
			.size = sizeof(q),
			.query_flags = MAPQ_COVERING_OR_NEXT | MAPQ_FILE_BACKED | MAPQ_SHARED,
			.query_addr = addr,
			.vma_name_addr = (uint64_t)(uintptr_t)name,
			.vma_name_size = sizeof(name),
		};
		if (ioctl(f, IPK_PROCMAP_QUERY, &q) < 0) {
			int err = errno;
			if (err == ENOENT)
				break;		/* no area after this one */
			if (err == ENOTTY || (err == EINVAL && !addr))
				return -ENOTTY;
			return err == EACCES || err == EPERM ? -EACCES : 0;
		}
		if (q.vma_end <= addr)
			break;
		addr = q.vma_end;
		if (!q.vma_name_size)
			continue;
		struct mapping m = {
			.start = q.vma_start, .end = q.vma_end,
			.read = q.vma_flags & MAPQ_READABLE, .write = q.vma_flags & MAPQ_WRITABLE,
			.shared = true, .dev = makedev(q.dev_major, q.dev_minor), .ino = q.inode,
			.path = name, .len = q.vma_name_size - 1,
		};
		name[sizeof(name) - 1] = '\0';
		rc = add_mapping(b, piddir, proc, &m, &last);
		if (rc)
			break;
	}
	return rc;
}

/*
 * The shared mappings of one process: through PROCMAP_QUERY where the
 * kernel has it (and the context does not ask for the text), else
 * /proc/PID/maps read as text.  Private mappings share nothing.
 */
static int scan_maps(struct procs_build *b, int piddir, uint32_t proc)
{
	int f = openat(piddir, "maps", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	int rc = -ENOTTY;

	if (f < 0)
		return errno == EACCES || errno == EPERM ? -EACCES : 0;
	int works = __atomic_load_n(&procmap_query_works, __ATOMIC_RELAXED);
	if (b->ctx->live && !b->ctx->force_maps_text && works >= 0) {
		size_t before = b->idx->nheld;
		rc = maps_query(b, f, piddir, proc);
		if (rc == -ENOTTY && b->idx->nheld == before)
			__atomic_store_n(&procmap_query_works, -1, __ATOMIC_RELAXED);
		else if (!works)
			__atomic_store_n(&procmap_query_works, 1, __ATOMIC_RELAXED);
	}
	if (rc == -ENOTTY)
		rc = maps_text(b, f, piddir, proc);
	close(f);
	return rc;
}

/* --------------------------------------------------------------- waits */

/* Calls whose first argument is the fd they block on. */
static bool waits_on_fd(long nr)
{
	static const long calls[] = {
		SYS_read, SYS_readv, SYS_pread64, SYS_preadv, SYS_write, SYS_writev,
		SYS_pwrite64, SYS_pwritev, SYS_recvfrom, SYS_recvmsg, SYS_recvmmsg, SYS_sendto,
		SYS_sendmsg, SYS_sendmmsg, SYS_accept, SYS_accept4, SYS_connect,
		SYS_mq_timedsend, SYS_mq_timedreceive,
	};

	for (size_t i = 0; i < ARRAY_SIZE(calls); i++)
		if (calls[i] == nr)
			return true;
	return false;
}

/* futex(uaddr, FUTEX_WAIT ...), private or not, of either clock: a sleep on memory. */
static bool waits_in_memory(long nr, const uint64_t *args)
{
	unsigned op = (unsigned)args[1] & ~(128u | 256u);	/* PRIVATE_FLAG, CLOCK_REALTIME */

	return nr == SYS_futex && (op == 0 || op == 9);		/* FUTEX_WAIT, _WAIT_BITSET */
}

/*
 * /proc/PID/syscall of a blocked process: "NR ARG1 ... ARG6 SP PC", the
 * arguments in hex; "running" or "-1 SP PC" when it is in no call.  What
 * it waits on becomes a holder in mode waiting: an object a kind claims
 * (a SysV id), the fd it blocks on, or the shared mapping of its futex.
 */
static int add_wait(struct procs_build *b, uint32_t proc, size_t first, long nr,
		    const uint64_t *args);

static int read_wait(struct procs_build *b, int piddir, uint32_t proc, size_t first)
{
	char text[512];
	int f = openat(piddir, "syscall", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (f < 0)
		return 0;	/* not ours to read, or gone */
	ssize_t n = read(f, text, sizeof(text) - 1);
	close(f);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	const char *p = text;
	uint64_t nr, args[6] = { 0 };
	if (!text_dec(&p, &nr) || nr > INT_MAX)
		return 0;	/* "running", or "-1 SP PC": in no call */
	for (int i = 0; i < 6; i++)
		if (*p++ != ' ' || p[0] != '0' || p[1] != 'x' || (p += 2, !text_hex(&p, &args[i])))
			return 0;
	return add_wait(b, proc, first, (long)nr, args);
}

/* What process @proc, blocked in call @nr with @args, waits on (its entries from @first). */
static int add_wait(struct procs_build *b, uint32_t proc, size_t first, long nr,
		    const uint64_t *args)
{
	const struct proc *pr = &b->idx->procs[proc];
	struct held_probe probe = { .proc = pr, .fd = -1, .link = "", .live = b->ctx->live };
	for (size_t i = 0; i < b->nwaiters; i++) {
		struct held h = { .proc = proc, .fd = -1, .mode = HELD_WAIT };
		if (b->waiters[i]->claim_wait(&probe, nr, args, &h) & HOLD_CLAIMED) {
			h.owner = b->waiter_index[i];
			return add_held(b, &h);
		}
	}
	if (waits_on_fd(nr)) {
		for (size_t i = first; i < b->idx->nheld; i++)
			if (b->idx->held[i].fd >= 0 && (uint64_t)b->idx->held[i].fd == args[0])
				b->idx->held[i].mode = HELD_WAIT;
	} else if (waits_in_memory(nr, args)) {
		for (size_t i = 0; i < b->nranges; i++)
			if (args[0] >= b->ranges[i].start && args[0] < b->ranges[i].end)
				b->idx->held[b->ranges[i].held].mode = HELD_WAIT;
	}
	return 0;
}

/* ------------------------------------------------------------ processes */

/*
 * The /proc/PID/stat of the directory @piddir: "pid (comm) state ...
 * starttime(22nd) ...".  Its command name, state and the seconds since the
 * epoch it started (0 unknown), given the boot time and clock ticks.
 */
static int read_stat(int piddir, int64_t boot_time, long ticks, char comm[16], char *state,
		     int64_t *start)
{
	char text[1024];
	int f = openat(piddir, "stat", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (f < 0)
		return -errno;
	ssize_t n = read(f, text, sizeof(text) - 1);
	close(f);
	if (n <= 0)
		return -ENOENT;
	text[n] = '\0';
	char *open = strchr(text, '('), *close_paren = strrchr(text, ')');
	if (!open || !close_paren || close_paren < open || !close_paren[1] || !close_paren[2])
		return -EPROTO;
	size_t len = (size_t)(close_paren - open - 1);
	if (len > 15)
		len = 15;
	memcpy(comm, open + 1, len);
	comm[len] = '\0';
	*state = close_paren[2];
	/* after ") ": state is field 3, starttime field 22: 19 spaces on */
	const char *p = close_paren + 2;
	for (int spaces = 0; *p && spaces < 19; p++)
		spaces += *p == ' ';
	uint64_t ticks_since_boot;
	*start = 0;
	if (text_dec(&p, &ticks_since_boot) && ticks > 0 && boot_time > 0 &&
	    ticks_since_boot / (uint64_t)ticks < (uint64_t)INT64_MAX - (uint64_t)boot_time)
		*start = boot_time + (int64_t)(ticks_since_boot / (uint64_t)ticks);
	return 0;
}

/* The "btime" of /proc/stat below the root of @ctx, or of the live system (NULL); 0 unknown. */
static int64_t read_boot_time(struct ipk_ctx *ctx)
{
	int64_t boot_time = 0;
	char *text = NULL;
	int rc;

	if (ctx) {
		rc = ctx_read_file(ctx, "/proc/stat", &text, NULL);
	} else {
		int fd = open("/proc/stat", O_RDONLY | O_CLOEXEC);
		rc = fd < 0 ? -errno : read_fd_all(fd, &text, NULL);
		if (fd >= 0)
			close(fd);
	}
	if (rc)
		return 0;
	const char *btime = strstr(text, "\nbtime ");
	if (btime) {
		char *end;
		errno = 0;
		long long t = strtoll(btime + 7, &end, 10);
		if (!errno && end != btime + 7 && t > 0)
			boot_time = t;
	}
	free(text);
	return boot_time;
}

bool proc_started_by(int64_t start, int64_t t)
{
	/* a process started after the object changed cannot have made it: reused */
	return !start || !t || start <= t + 1;
}

bool pid_running_since(pid_t pid, int64_t t, char comm[16])
{
	static int64_t boot_time_cache;	/* the same for every thread that reads it */
	char path[32], state;
	int64_t start;

	if (pid <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	int dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return false;
	int64_t boot_time = __atomic_load_n(&boot_time_cache, __ATOMIC_RELAXED);
	if (!boot_time) {
		boot_time = read_boot_time(NULL);
		__atomic_store_n(&boot_time_cache, boot_time, __ATOMIC_RELAXED);
	}
	int rc = read_stat(dir, boot_time, sysconf(_SC_CLK_TCK), comm, &state, &start);
	close(dir);
	/* a zombie uses nothing any more */
	return !rc && state != 'Z' && state != 'X' && proc_started_by(start, t);
}

static int cmp_held(const void *a, const void *b)
{
	const struct held *x = a, *y = b;

	if (x->owner != y->owner)
		return x->owner < y->owner ? -1 : 1;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if (x->proc != y->proc)
		return x->proc < y->proc ? -1 : 1;
	return (x->fd > y->fd) - (x->fd < y->fd);
}

/*
 * The entries in cmp_held() order: by owner first (a counting sort, which
 * keeps the order of the scan: process, then fd), then each owner's by
 * what they hold, where they are not in that order already.  Inodes are
 * handed out in increasing order, so the scan order mostly is it.
 */
static int sort_held(struct proc_index *idx)
{
	size_t count[257] = { 0 };
	struct held *v = malloc(idx->nheld * sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < idx->nheld; i++)
		count[idx->held[i].owner + 1]++;
	for (size_t o = 1; o < ARRAY_SIZE(count); o++)
		count[o] += count[o - 1];
	size_t at[256];
	memcpy(at, count, sizeof(at));
	for (size_t i = 0; i < idx->nheld; i++)
		v[at[idx->held[i].owner]++] = idx->held[i];
	free(idx->held);
	idx->held = v;
	for (size_t o = 0; o < 256; o++) {
		struct held *h = v + count[o];
		size_t n = count[o + 1] - count[o];
		for (size_t i = 1; i < n; i++) {
			if (cmp_held(&h[i - 1], &h[i]) > 0) {
				qsort(h, n, sizeof(*h), cmp_held);
				break;
			}
		}
	}
	return 0;
}

static int cmp_proc(const void *a, const void *b)
{
	const struct proc *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* One process: its stat, and what @what asks of its fds and mappings. */
static int scan_proc(struct procs_build *b, int procdir, const char *name, unsigned what)
{
	struct proc_index *idx = b->idx;
	long long pid = small_number(name, INT_MAX);
	if (pid <= 0)
		return 0;
	/* never a link: a frozen copy's /proc/1 pointing at the live one */
	int piddir = openat(procdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (piddir < 0)
		return errno == ENOMEM ? -ENOMEM : 0;	/* exited */
	if (idx->nprocs == b->procs_cap) {
		size_t cap = b->procs_cap ? b->procs_cap * 2 : 256;
		struct proc *v = realloc(idx->procs, cap * sizeof(*v));
		if (!v) {
			close(piddir);
			return -ENOMEM;
		}
		idx->procs = v;
		b->procs_cap = cap;
	}
	struct proc *p = &idx->procs[idx->nprocs];
	*p = (struct proc){ .pid = (pid_t)pid };
	char state;
	if (read_stat(piddir, b->boot_time, b->ticks, p->comm, &state, &p->start) < 0) {
		close(piddir);
		return 0;	/* exited */
	}
	uint32_t i = (uint32_t)idx->nprocs++;
	bool denied = false;
	struct stat ns;
	if (!b->need_ns)
		;
	else if (fstatat(piddir, "ns/ipc", &ns, 0) == 0)
		p->ipc_ns = ns.st_ino;
	else if (errno == EACCES || errno == EPERM)
		denied = true;	/* its namespace, and what is in it, we miss */
	int rc = 0;
	size_t first = idx->nheld;
	b->nranges = 0;
	b->pid = (pid_t)pid;
	b->pidfd = -1;
	if (what & PROCS_FDS) {
		rc = scan_fds(b, piddir, i);
		denied |= rc == -EACCES;
		rc = rc == -ENOMEM ? rc : 0;
	}
	if (!rc && (what & PROCS_MAPS)) {
		rc = scan_maps(b, piddir, i);
		denied |= rc == -EACCES;
		rc = rc == -ENOMEM ? rc : 0;
	}
	/* only a sleeping process waits: the others cost no read */
	if (!rc && (what & PROCS_WAITS) && (state == 'S' || state == 'D'))
		rc = read_wait(b, piddir, i, first);
	idx->procs[i].denied = denied;
	idx->unreadable += denied;
	if (b->pidfd >= 0)
		close(b->pidfd);
	close(piddir);
	return rc;
}

/* ---------------------------------------------------- the BPF path */

/* get_task_state(): the letter /proc/PID/stat shows of these states. */
static char task_state_letter(uint32_t state, uint32_t exit_state)
{
	static const char letters[] = "RSDTtXZPI";
	unsigned s = (state | exit_state) & 0x7f;		/* TASK_REPORT */

	if ((state & 0x402) == 0x402)				/* TASK_IDLE */
		s = 0x80;
	if (state & (0x1000 | 0x8000))				/* TASK_RTLOCK_WAIT, TASK_FROZEN */
		s = 0x2;
	int i = s ? 32 - __builtin_clz(s) : 0;			/* fls() */
	return i < (int)sizeof(letters) - 1 ? letters[i] : '?';
}

/* The shared mappings of the records after the process's; -ENOTTY: read /proc for them. */
static int scan_maps_bpf(struct procs_build *b, uint32_t proc)
{
	struct held last = { .owner = HELD_FILE };
	const struct ipk_bpf_vma *v;
	size_t held = b->idx->nheld, ranges = b->nranges;
	int rc = 0;

	while (!rc && (v = procs_bpf_vma(b->bpf))) {
		char path[NAME_MAX + 16];
		const char *name = (const char *)(v + 1);
		if (v->path_len == IPK_BPF_NO_LINK || v->path_len > NAME_MAX) {
			/* one area it could not tell: what it told of the others is dropped */
			b->idx->nheld = held;
			b->nranges = ranges;
			return -ENOTTY;
		}
		/* simple_dname() of a pseudo file; else the first component, all claims read */
		int len = snprintf(path, sizeof(path), v->flags & IPK_BPF_VMA_PSEUDO ? "/%s (deleted)"
										: "/%s", name);
		struct mapping m = {
			.start = v->start, .end = v->end,
			.read = v->flags & IPK_BPF_VMA_READ, .write = v->flags & IPK_BPF_VMA_WRITE,
			.shared = true, .dev = makedev(v->s_dev >> 20, v->s_dev & 0xfffff),
			.ino = v->ino, .path = path, .len = (size_t)len,
		};
		rc = add_mapping(b, -1, proc, &m, &last);
	}
	return rc;
}

/*
 * scan_proc() of the process of record @t: its fds and mappings from the
 * records after it, /proc only for what a record does not tell.
 */
static int scan_proc_bpf(struct procs_build *b, const struct ipk_bpf_task *t, unsigned what)
{
	struct proc_index *idx = b->idx;

	if (idx->nprocs == b->procs_cap) {
		size_t cap = b->procs_cap ? b->procs_cap * 2 : 256;
		struct proc *v = realloc(idx->procs, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		idx->procs = v;
		b->procs_cap = cap;
	}
	struct proc *p = &idx->procs[idx->nprocs];
	*p = (struct proc){ .pid = t->pid };
	b->pid = t->pid;
	b->pidfd = -1;
	b->bpf_piddir = b->bpf_fddir = -1;
	char state = task_state_letter(t->state, t->exit_state);
	if (t->flags & IPK_BPF_TASK_WQ) {
		/* a workqueue worker's name in /proc/PID/stat says what it works on */
		int64_t start;
		if (bpf_piddir(b) < 0 ||
		    read_stat(b->bpf_piddir, b->boot_time, b->ticks, p->comm, &state, &start) < 0) {
			bpf_close_dirs(b);
			return 0;	/* exited */
		}
	} else {
		memcpy(p->comm, t->comm, 15);
		p->comm[15] = '\0';
	}
	/* do_task_stat(): starttime in clock ticks since boot */
	if (b->ticks > 0 && 1000000000 % b->ticks == 0 && b->boot_time > 0) {
		uint64_t ticks = (t->start_boottime + b->bpf_boot_offset) /
				 (uint64_t)(1000000000 / b->ticks);
		p->start = b->boot_time + (int64_t)(ticks / (uint64_t)b->ticks);
	}
	uint32_t i = (uint32_t)idx->nprocs++;
	bool denied = false;
	if (b->need_ns)
		p->ipc_ns = t->ipc_ns;
	int rc = 0;
	size_t first = idx->nheld;
	b->nranges = 0;
	if (what & PROCS_FDS) {
		rc = scan_fds_bpf(b, i);
		denied |= rc == -EACCES;
		rc = rc == -ENOMEM ? rc : 0;
	}
	if (!rc && (what & PROCS_MAPS)) {
		rc = t->flags & IPK_BPF_TASK_NO_MAPS ? -ENOTTY : scan_maps_bpf(b, i);
		if (rc == -ENOTTY)
			rc = bpf_piddir(b) < 0 ? 0 : scan_maps(b, b->bpf_piddir, i);
		denied |= rc == -EACCES;
		rc = rc == -ENOMEM ? rc : 0;
	}
	if (!rc && (what & PROCS_WAITS) && (state == 'S' || state == 'D')) {
		/* proc_pid_syscall(): "nr args...", from a task that stays blocked */
		if ((t->flags & IPK_BPF_TASK_REGS) && !(t->flags & IPK_BPF_TASK_COMPAT)) {
			int nr = (int)t->nr;
			uint64_t args[6];
			for (int a = 0; a < 6; a++)
				args[a] = t->args[a];
			if (nr >= 0)
				rc = add_wait(b, i, first, nr, args);
		} else if (bpf_piddir(b) >= 0) {
			rc = read_wait(b, b->bpf_piddir, i, first);
		}
	}
	idx->procs[i].denied = denied;
	idx->unreadable += denied;
	if (b->pidfd >= 0)
		close(b->pidfd);
	bpf_close_dirs(b);
	return rc;
}

/*
 * Loading the iterators costs about 3.7 ms of CPU, what /proc takes for
 * some 400 processes of a few fds each (measured, perf stat, processes of
 * three fds: 200 processes 6.8 ms through BPF, 5.1 through /proc; 300,
 * 7.8 against 6.9; 400, 8.7-9.0 either way): fewer, and /proc is read.
 */
#ifndef BPF_MIN_PROCS		/* -DBPF_MIN_PROCS=1 for a build that measures the iterators alone */
#define BPF_MIN_PROCS 400
#endif

/*
 * Whether /proc lists BPF_MIN_PROCS processes; the directory is read again
 * from its start after.  In small reads: /proc makes a dentry and an inode
 * for each process it lists (proc_fill_cache()), and a full buffer would
 * list three times the processes we count (1.5 ms of CPU at 1,000).
 */
#define COUNT_DENTS 4096

static bool many_procs(int procfd, char *buf)
{
	struct dents dir = { .fd = procfd, .buf = buf, .size = COUNT_DENTS };
	const char *name;
	size_t n = 0;

	while (n < BPF_MIN_PROCS && (name = dents_next(&dir)))
		n += isdigit((unsigned char)name[0]) != 0;
	lseek(procfd, 0, SEEK_SET);
	return n >= BPF_MIN_PROCS;
}

/* Every process through the BPF iterators; -ENOTSUP (and nothing read) where there are none. */
static int scan_bpf(struct procs_build *b, int procfd, unsigned what)
{
	struct procs_bpf_read r;
	int rc = procs_bpf_start(b->ctx, &r, what & PROCS_FDS);

	if (rc)
		return -ENOTSUP;
	b->bpf = &r;
	b->procfd = procfd;
	b->bpf_boot_offset = procs_bpf_boot_offset();
	const struct ipk_bpf_task *t;
	rc = 0;
	while (!rc && (t = procs_bpf_task(&r)))
		rc = scan_proc_bpf(b, t, what);
	/* a read that failed midway: the /proc path reads it all again */
	if (!rc && r.err)
		rc = -EAGAIN;
	procs_bpf_end(&r);
	b->bpf = NULL;
	return rc;
}

struct proc_index *procs_scan(struct ipk_ctx *ctx, unsigned what, uint64_t kinds)
{
	struct proc_index *idx = calloc(1, sizeof(*idx));
	struct procs_build b = { .ctx = ctx, .idx = idx, .ticks = sysconf(_SC_CLK_TCK) };
	int rc = 0;

	if (!idx) {
		errno = ENOMEM;
		return NULL;
	}
	idx->what = what;
	for (size_t k = 0; k < ipk_kind_count() && k < ARRAY_SIZE(b.claimers); k++) {
		const struct ipk_kind *kind = ipk_kind_at(k);
		if (!(kinds & (UINT64_C(1) << k)))
			continue;
		if (kind->claim) {
			b.claimer_index[b.nclaimers] = (uint8_t)k;
			b.claimers[b.nclaimers++] = kind;
		}
		if (kind->claim_wait) {
			b.waiter_index[b.nwaiters] = (uint8_t)k;
			b.waiters[b.nwaiters++] = kind;
		}
		for (const int16_t *f = kind->fd_read ? kind->fd_fields : NULL; f && *f >= 0; f++)
			if (ctx_wants(ctx, *f))
				idx->dup_kinds |= UINT64_C(1) << k;
		/* waits on SysV ids name the namespace; other kinds of it look there */
		b.need_ns |= kind->family != IPK_FAMILY_FD;
	}
	/* fds live in no namespace: theirs is their holder's, shown when asked */
	b.need_ns |= !kinds || ctx->procs_ns || ctx->ns_mode || ctx->ns_pid || ctx->parent ||
		     ctx_wants(ctx, IPK_F_NS);
	b.boot_time = read_boot_time(ctx);
	int procfd = ctx_open(ctx, "/proc", O_RDONLY | O_DIRECTORY);
	char *buf = procfd >= 0 ? malloc(PROC_DENTS) : NULL;
	if (!buf) {
		int err = procfd < 0 ? -procfd : ENOMEM;
		if (procfd >= 0)
			close(procfd);
		if (err == ENOMEM) {
			procs_free(idx);
			errno = ENOMEM;
			return NULL;
		}
		ctx_diag(ctx, err, "read", "/proc");
		return idx;
	}
	rc = ctx->force_bpf || many_procs(procfd, buf) ? scan_bpf(&b, procfd, what) : -ENOTSUP;
	if (rc == -EAGAIN) {
		/* start again from /proc: what the records told is dropped */
		ipk_arena_free(&idx->arena);
		idx->nprocs = idx->nheld = 0;
		idx->unreadable = 0;
		b.nseen = 0;
		if (b.seen)
			memset(b.seen, 0, b.seen_cap * sizeof(*b.seen));
	}
	if (rc == -ENOTSUP || rc == -EAGAIN) {
		struct dents dir = { .fd = procfd, .buf = buf, .size = PROC_DENTS };
		const char *name;
		rc = 0;
		while (!rc && (name = dents_next(&dir)))
			if (isdigit((unsigned char)name[0]))
				rc = scan_proc(&b, procfd, name, what);
	}
	close(procfd);
	free(buf);
	free(b.ranges);
	free(b.seen);
	if (rc) {
		procs_free(idx);
		errno = -rc;
		return NULL;
	}
	/* /proc lists processes in pid order, a frozen copy in any order */
	for (size_t i = 1; i < idx->nprocs; i++) {
		if (idx->procs[i - 1].pid >= idx->procs[i].pid) {
			/* entries name processes by index: sort those too */
			struct proc *sorted = malloc(idx->nprocs * sizeof(*sorted));
			uint32_t *where = malloc(idx->nprocs * sizeof(*where));
			if (!sorted || !where) {
				free(sorted);
				free(where);
				procs_free(idx);
				errno = ENOMEM;
				return NULL;
			}
			memcpy(sorted, idx->procs, idx->nprocs * sizeof(*sorted));
			qsort(sorted, idx->nprocs, sizeof(*sorted), cmp_proc);
			for (size_t j = 0; j < idx->nprocs; j++) {
				const struct proc *p = bsearch(&idx->procs[j], sorted, idx->nprocs,
							       sizeof(*sorted), cmp_proc);
				where[j] = (uint32_t)(p - sorted);
			}
			for (size_t j = 0; j < idx->nheld; j++)
				idx->held[j].proc = where[idx->held[j].proc];
			free(idx->procs);
			idx->procs = sorted;
			free(where);
			break;
		}
	}
	if (idx->nheld && sort_held(idx) < 0) {
		procs_free(idx);
		errno = ENOMEM;
		return NULL;
	}
	return idx;
}

void procs_free(struct proc_index *idx)
{
	if (!idx)
		return;
	ipk_arena_free(&idx->arena);
	free(idx->procs);
	free(idx->held);
	free(idx);
}

/* ----------------------------------------------------------- lookups */

const struct held *procs_find(const struct proc_index *idx, unsigned owner, uint64_t dev,
			      uint64_t ino, size_t *n)
{
	size_t lo = 0, hi = idx ? idx->nheld : 0;
	struct held key = { .owner = (uint8_t)owner, .dev = dev, .ino = ino, .proc = 0,
			    .fd = INT32_MIN };

	*n = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp_held(&idx->held[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t end = lo;
	while (end < (idx ? idx->nheld : 0) && idx->held[end].owner == owner &&
	       idx->held[end].dev == dev && idx->held[end].ino == ino)
		end++;
	*n = end - lo;
	return *n ? &idx->held[lo] : NULL;
}

const struct held *procs_owned(const struct proc_index *idx, unsigned owner, size_t *n)
{
	size_t lo = 0, hi = idx ? idx->nheld : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (idx->held[mid].owner < owner)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t end = lo;
	while (end < (idx ? idx->nheld : 0) && idx->held[end].owner == owner)
		end++;
	*n = end - lo;
	return *n ? &idx->held[lo] : NULL;
}

const struct proc *procs_pid(const struct proc_index *idx, pid_t pid)
{
	size_t lo = 0, hi = idx ? idx->nprocs : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (idx->procs[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < (idx ? idx->nprocs : 0) && idx->procs[lo].pid == pid ? &idx->procs[lo] : NULL;
}

const struct proc *held_proc(const struct proc_index *idx, const struct held *h)
{
	return &idx->procs[h->proc];
}

/* What a holder entry shows of an entry of the process scan. */
static void holder_of(struct ipk_holder *x, const struct proc_index *idx, const struct held *h)
{
	const struct proc *p = &idx->procs[h->proc];
	char *m = x->mode;

	memset(x, 0, sizeof(*x));
	x->pid = p->pid;
	x->fd = h->fd;
	memcpy(x->comm, p->comm, sizeof(x->comm));
	if (h->mode & HELD_WAIT) {
		memcpy(m, "waiting", 8);
	} else {
		if (h->mode & HELD_READ)
			*m++ = 'r';
		if (h->mode & HELD_WRITE)
			*m++ = 'w';
		*m = '\0';
	}
}

bool holder_is(const struct ipk_holder *x, const struct proc_index *idx, const struct held *h)
{
	struct ipk_holder now;

	holder_of(&now, idx, h);
	return memcmp(x, &now, sizeof(now)) == 0;
}

int obj_set_holders(struct ipk_object *o, const struct proc_index *idx,
		    const struct held *h, size_t n)
{
	struct ipk_holder *v = NULL;
	size_t procs = 0;
	bool heap = false;

	if (n) {
		v = o->arena ? ipk_arena_alloc(o->arena, n * sizeof(*v)) : calloc(n, sizeof(*v));
		if (!v)
			return -ENOMEM;
		heap = !o->arena;
	}
	for (size_t i = 0; i < n; i++) {
		holder_of(&v[i], idx, &h[i]);
		procs += i == 0 || h[i].proc != h[i - 1].proc;
	}
	if (o->holders_heap)
		free(o->holders);
	o->holders = v;
	o->nholders = (uint32_t)n;
	o->holders_heap = heap;
	o->heap |= heap;
	/* an fd kind lives in no namespace: show the one of its (first) holder */
	if (n && kind_has(o->kind, IPK_F_NS) && !obj_has(o, IPK_F_NS) && idx->procs[h[0].proc].ipc_ns)
		obj_set_unum(o, IPK_F_NS, idx->procs[h[0].proc].ipc_ns);
	fieldset_add(&o->present, IPK_F_HOLDERS);
	obj_noaccess_del(o, IPK_F_HOLDERS);
	o->nprocs = (uint32_t)procs;
	return 0;
}

int held_obj_new(struct ipk_scan *s, const char *arg, const struct held *h, size_t n,
		 struct ipk_object **out)
{
	struct ipk_object *o = scan_obj_new(s);
	int rc = o ? obj_set_ref(o, arg) : -ENOMEM;

	if (!rc)
		rc = obj_set_holders(o, s->ctx->procs, h, n);
	if (rc) {
		ipk_object_free(o);
		return rc;
	}
	*out = o;
	return 0;
}

int procs_each_object(struct ipk_scan *s, bool join,
		      int (*make)(struct ipk_scan *s, const struct held *h, size_t n))
{
	size_t n;
	const struct held *h = procs_owned(s->ctx->procs, (unsigned)ipk_kind_index(s->kind), &n);
	int rc = 0;

	for (size_t i = 0, j; i < n && !rc; i = j) {
		j = i + 1;
		while (join && j < n && h[j].dev == h[i].dev && h[j].ino == h[i].ino)
			j++;
		rc = make(s, &h[i], j - i);
	}
	return rc;
}

bool scan_read_fds(const struct ipk_scan *s)
{
	const struct proc_index *idx = s->ctx->procs;

	return s->ctx->live && idx && (idx->dup_kinds & (UINT64_C(1) << ipk_kind_index(s->kind)));
}

const void *held_fd_info(const struct ipk_scan *s, const struct held *h, size_t n,
			 struct ipk_arena *tmp, bool *denied)
{
	bool untried = false;
	int err = EPERM;

	*denied = false;
	for (size_t i = 0; i < n; i++) {
		if (h[i].fd < 0)
			continue;
		if (h[i].info)
			return h[i].info;
		if (h[i].dup_err)
			err = h[i].dup_err;	/* exited, or not ours to look at: another one */
		else
			untried = true;
	}
	for (size_t i = 0; untried && i < n; i++) {
		if (h[i].fd < 0 || h[i].dup_err)
			continue;
		int pidfd = (int)syscall(SYS_pidfd_open, s->ctx->procs->procs[h[i].proc].pid, 0);
		int fd = pidfd < 0 ? -1 : (int)syscall(SYS_pidfd_getfd, pidfd, h[i].fd, 0);
		if (fd < 0)
			err = errno;
		if (pidfd >= 0)
			close(pidfd);
		if (fd < 0)
			continue;
		struct held now = h[i];
		struct held_probe p = { .proc = &s->ctx->procs->procs[h[i].proc], .fd = h[i].fd,
					.link = "", .live = true, .wanted = &s->ctx->wanted };
		int rc = s->kind->fd_read(&p, fd, &now, tmp);
		close(fd);
		if (rc)
			return NULL;	/* out of memory: unknown, not refused */
		return now.info;
	}
	*denied = err == EPERM || err == EACCES;
	return NULL;
}

/*
 * Through a duplicate of a holder's fd: opening /proc/PID/fd/N would add
 * a reader or a writer, and wake or unblock the other end.
 */
int fd_read_queue(const struct held_probe *p, int fd, struct held *h, struct ipk_arena *arena)
{
	struct fd_queue *q = ipk_arena_alloc(arena, sizeof(*q));
	int queued;

	if (!q)
		return -ENOMEM;
	*q = (struct fd_queue){ -1, -1 };
	if (fieldset_has(p->wanted, IPK_F_SIZE) && ioctl(fd, FIONREAD, &queued) == 0 && queued >= 0)
		q->queued = queued;
	if (fieldset_has(p->wanted, IPK_F_CAPACITY)) {
		int size = fcntl(fd, F_GETPIPE_SZ);
		if (size > 0)
			q->capacity = size;
	}
	h->info = q;
	return 0;
}

void fd_queue_size(struct ipk_scan *s, struct ipk_object *o, const struct held *h, size_t n)
{
	struct ipk_arena tmp = { 0 };
	bool denied;
	const struct fd_queue *q = held_fd_info(s, h, n, &tmp, &denied);

	if (q) {
		if (q->queued >= 0)
			obj_set_unum(o, IPK_F_SIZE, (uint64_t)q->queued);
		if (q->capacity >= 0)
			obj_set_unum(o, IPK_F_CAPACITY, (uint64_t)q->capacity);
	} else if (denied) {
		obj_set_noaccess(o, IPK_F_SIZE);
		obj_set_noaccess(o, IPK_F_CAPACITY);
	}
	ipk_arena_free(&tmp);
}
