/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One pass over /proc: what every process holds that is an IPC object or
 * keeps one alive.  Every kind reads this one index: its fd kinds are made
 * of it, the named kinds find their holders in it.
 *
 * Per process: /proc/PID/stat (command, start time); with PROCS_FDS each
 * fd's link, and a stat where the link is a path or a memfd, an lstat for
 * the access mode of pipes and FIFOs; with PROCS_FDINFO the fdinfo of
 * eventfds, timerfds and signalfds; with PROCS_MAPS the shared mappings.
 * Processes exit and fds close while we read: whatever vanished is skipped.
 */
#include "internal.h"

#include <ctype.h>
#include <inttypes.h>
#include <dirent.h>
#include <fcntl.h>
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
};

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

static char *keep(struct procs_build *b, const char *s, size_t len)
{
	char *copy = ipk_arena_alloc(&b->idx->arena, len + 1);

	if (copy) {
		memcpy(copy, s, len);
		copy[len] = '\0';
	}
	return copy;
}

/* The object's stat, kept for the kinds (a FIFO's owner, a memfd's size). */
static const struct stat *keep_stat(struct procs_build *b, const struct stat *st)
{
	struct stat *copy = ipk_arena_alloc(&b->idx->arena, sizeof(*copy));

	if (copy)
		*copy = *st;
	return copy;
}

/* "pipe:[1234]" -> 1234, for the prefix @what ("pipe"). */
static bool bracketed(const char *link, const char *what, uint64_t *ino)
{
	size_t n = strlen(what);
	char *end;

	if (strncmp(link, what, n) != 0 || link[n] != ':' || link[n + 1] != '[')
		return false;
	errno = 0;
	*ino = strtoull(link + n + 2, &end, 10);
	return !errno && *end == ']';
}

/* Access mode from the fd link's own permission bits (r-x, -wx, rwx). */
static uint8_t link_mode(int fddir, const char *name)
{
	struct stat st;

	if (fstatat(fddir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	return (st.st_mode & S_IRUSR ? HELD_READ : 0) | (st.st_mode & S_IWUSR ? HELD_WRITE : 0);
}

/*
 * fdinfo of an eventfd, timerfd or signalfd.  Values as the kernel prints
 * them: eventfd-count in hex, it_value as "(seconds, nanoseconds)", sigmask
 * as 16 hex digits.
 */
static const struct held_info *read_fdinfo(struct procs_build *b, int piddir, const char *fd)
{
	char path[NAME_MAX + 16], *text;
	struct held_info *info;

	snprintf(path, sizeof(path), "fdinfo/%s", fd);
	int f = openat(piddir, path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return NULL;
	int rc = read_fd_all(f, &text, NULL);
	close(f);
	if (rc)
		return NULL;
	info = ipk_arena_alloc(&b->idx->arena, sizeof(*info));
	if (info)
		*info = held_info_parse(text);
	free(text);
	return info;
}

struct held_info held_info_parse(const char *text)
{
	struct held_info info = { .eventfd_id = -1, .eventfd_semaphore = -1, .clockid = -1 };
	long long s, ns;

	for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (sscanf(line, "flags: %o", &info.flags) == 1)
			info.has_flags = true;
		else if (sscanf(line, "eventfd-count: %" SCNx64, &info.eventfd_count) == 1)
			info.has_eventfd = true;
		else if (sscanf(line, "eventfd-id: %" SCNd64, &info.eventfd_id) == 1)
			continue;
		else if (sscanf(line, "eventfd-semaphore: %d", &info.eventfd_semaphore) == 1)
			continue;
		else if (sscanf(line, "clockid: %d", &info.clockid) == 1)
			info.has_timer = true;
		else if (sscanf(line, "ticks: %" SCNu64, &info.ticks) == 1)
			continue;
		else if (sscanf(line, "settime flags: %o", &info.settime_flags) == 1)
			continue;
		else if (sscanf(line, "it_value: (%lld, %lld)", &s, &ns) == 2)
			info.value_ns = s * 1000000000LL + ns;
		else if (sscanf(line, "it_interval: (%lld, %lld)", &s, &ns) == 2)
			info.interval_ns = s * 1000000000LL + ns;
		else if (sscanf(line, "sigmask: %" SCNx64, &info.sigmask) == 1)
			info.has_sigmask = true;
	}
	return info;
}

/* The fds of one process; -EACCES when they may not be read. */
static int scan_fds(struct procs_build *b, int piddir, uint32_t proc)
{
	bool live = b->ctx->live;
	int fddir = openat(piddir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fddir < 0)
		return -errno;
	DIR *dir = fdopendir(fddir);
	if (!dir) {
		/* its fstat fails (ENOENT) on a process that exits meanwhile */
		int err = errno == ENOMEM ? -ENOMEM : -ENOENT;
		close(fddir);
		return err;
	}
	int rc = 0;
	struct dirent *d;
	while (!rc && (d = readdir(dir))) {
		char link[PATH_MAX];
		struct held h = { .proc = proc };
		struct stat st;

		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		ssize_t n = readlinkat(dirfd(dir), d->d_name, link, sizeof(link) - 1);
		if (n <= 0) {
			/* listing the fds may be allowed where reading them is not */
			if (errno == EACCES || errno == EPERM)
				rc = -EACCES;
			if (rc)
				break;
			continue;	/* closed since */
		}
		link[n] = '\0';
		h.fd = atoi(d->d_name);

		if (bracketed(link, "pipe", &h.ino)) {
			h.class = HELD_PIPE;
			h.mode = live ? link_mode(dirfd(dir), d->d_name) : 0;
		} else if (bracketed(link, "socket", &h.ino)) {
			h.class = HELD_SOCKET;
		} else if (strncmp(link, "anon_inode:[", 12) == 0) {
			if (strcmp(link + 12, "eventfd]") == 0)
				h.class = HELD_EVENTFD;
			else if (strcmp(link + 12, "timerfd]") == 0)
				h.class = HELD_TIMERFD;
			else if (strcmp(link + 12, "signalfd]") == 0)
				h.class = HELD_SIGNALFD;
			else
				continue;
			if (!(b->idx->what & PROCS_FDINFO))
				continue;
			h.info = read_fdinfo(b, piddir, d->d_name);
			if (!h.info)
				continue;
			/* fds of one eventfd in several processes: one object */
			h.ino = h.class == HELD_EVENTFD && h.info->eventfd_id >= 0 ?
					(uint64_t)h.info->eventfd_id : 0;
		} else if (strncmp(link, "/memfd:", 7) == 0) {
			h.class = HELD_MEMFD;
			h.path = keep(b, link + 7, strcspn(link + 7, " "));
			if (live) {
				if (fstatat(dirfd(dir), d->d_name, &st, 0) < 0)
					continue;
				h.dev = st.st_dev;
				h.ino = st.st_ino;
				h.st = keep_stat(b, &st);
			}
		} else if (link[0] == '/' && live) {
			/* a FIFO, a POSIX object, a queue: only the stat tells */
			if (fstatat(dirfd(dir), d->d_name, &st, 0) < 0)
				continue;
			if (S_ISFIFO(st.st_mode)) {
				h.class = HELD_FIFO;
				h.mode = link_mode(dirfd(dir), d->d_name);
				h.path = keep(b, link, (size_t)n);
				h.st = keep_stat(b, &st);
			} else if (S_ISREG(st.st_mode)) {
				h.class = HELD_FILE;
			} else {
				continue;
			}
			h.dev = st.st_dev;
			h.ino = st.st_ino;
		} else {
			continue;
		}
		rc = add_held(b, &h);
	}
	closedir(dir);
	return rc;
}

/*
 * Shared mappings: "start-end perms offset major:minor inode path".  A
 * SysV segment shows as "/SYSV<key> (deleted)" with its shmid as inode.
 */
static int scan_maps(struct procs_build *b, int piddir, uint32_t proc)
{
	int f = openat(piddir, "maps", O_RDONLY | O_CLOEXEC);
	char *text;
	int rc;

	if (f < 0)
		return -errno;
	rc = read_fd_all(f, &text, NULL);
	close(f);
	if (rc)
		return rc;
	struct held last = { .class = 255 };
	for (char *line = text, *next; line && *line; line = next) {
		char perms[8], path[PATH_MAX];
		unsigned maj, min;
		unsigned long long ino;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		path[0] = '\0';
		if (sscanf(line, "%*s %7s %*s %x:%x %llu %4095[^\n]", perms, &maj, &min, &ino, path) < 4 ||
		    path[0] != '/')
			continue;
		struct held h = { .proc = proc, .fd = -1, .dev = makedev(maj, min), .ino = ino };
		if (strncmp(path, "/SYSV", 5) == 0) {
			/* shmids are per IPC namespace: the namespace is the device */
			h.class = HELD_SYSV_SHM;
			h.dev = b->idx->procs[proc].ipc_ns;
		} else if (strncmp(path, "/memfd:", 7) == 0) {
			h.class = HELD_MEMFD;
		} else if (perms[3] == 's' && ino) {
			h.class = HELD_FILE;
		} else {
			continue;
		}
		/* one holder per mapped object, however many areas map it */
		if (h.class == last.class && h.dev == last.dev && h.ino == last.ino)
			continue;
		last = h;
		h.mode = (perms[0] == 'r' ? HELD_READ : 0) | (perms[1] == 'w' ? HELD_WRITE : 0);
		if (add_held(b, &h)) {
			free(text);
			return -ENOMEM;
		}
	}
	free(text);
	return 0;
}

/*
 * The /proc/PID/stat of the directory @piddir: "pid (comm) state ...
 * starttime(22nd) ...".  Its command name, state and the seconds since the
 * epoch it started (0 unknown), given the boot time and clock ticks.
 */
static int read_stat(int piddir, int64_t boot_time, long ticks, char comm[16], char *state,
		     int64_t *start)
{
	char text[1024];
	int f = openat(piddir, "stat", O_RDONLY | O_CLOEXEC);

	if (f < 0)
		return -errno;
	ssize_t n = read(f, text, sizeof(text) - 1);
	close(f);
	if (n <= 0)
		return -ENOENT;
	text[n] = '\0';
	char *open = strchr(text, '('), *close_paren = strrchr(text, ')');
	if (!open || !close_paren || close_paren < open || !close_paren[1])
		return -EPROTO;
	size_t len = (size_t)(close_paren - open - 1);
	if (len > 15)
		len = 15;
	memcpy(comm, open + 1, len);
	comm[len] = '\0';
	*state = close_paren[2];
	/* after ") ": state is field 3, starttime field 22 */
	unsigned long long ticks_since_boot;
	*start = 0;
	if (sscanf(close_paren + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d "
		   "%*d %*d %*d %*d %llu", &ticks_since_boot) == 1 && ticks > 0 && boot_time)
		*start = boot_time + (int64_t)(ticks_since_boot / (unsigned long long)ticks);
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
	if (btime)
		boot_time = strtoll(btime + 7, NULL, 10);
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

	if (x->class != y->class)
		return x->class < y->class ? -1 : 1;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if (x->proc != y->proc)
		return x->proc < y->proc ? -1 : 1;
	return (x->fd > y->fd) - (x->fd < y->fd);
}

struct proc_index *procs_scan(struct ipk_ctx *ctx, unsigned what)
{
	struct proc_index *idx = calloc(1, sizeof(*idx));
	struct procs_build b = { .ctx = ctx, .idx = idx, .ticks = sysconf(_SC_CLK_TCK) };
	int rc = 0;

	if (!idx)
		return NULL;
	idx->what = what;
	b.boot_time = read_boot_time(ctx);
	int procfd = ctx_open(ctx, "/proc", O_RDONLY | O_DIRECTORY);
	DIR *dir = procfd >= 0 ? fdopendir(procfd) : NULL;
	if (!dir) {
		if (procfd >= 0)
			close(procfd);
		ctx_diag(ctx, procfd < 0 ? -procfd : ENOMEM, "read", "/proc");
		return idx;
	}
	struct dirent *d;
	while (!rc && (d = readdir(dir))) {
		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		pid_t pid = atoi(d->d_name);
		int piddir = openat(dirfd(dir), d->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (piddir < 0)
			continue;	/* exited */
		if (idx->nprocs == b.procs_cap) {
			size_t cap = b.procs_cap ? b.procs_cap * 2 : 256;
			struct proc *v = realloc(idx->procs, cap * sizeof(*v));
			if (!v) {
				close(piddir);
				rc = -ENOMEM;
				break;
			}
			idx->procs = v;
			b.procs_cap = cap;
		}
		struct proc *p = &idx->procs[idx->nprocs];
		*p = (struct proc){ .pid = pid };
		char state;
		if (read_stat(piddir, b.boot_time, b.ticks, p->comm, &state, &p->start) < 0) {
			close(piddir);
			continue;	/* exited */
		}
		uint32_t i = (uint32_t)idx->nprocs++;
		bool denied = false;
		struct stat ns;
		if (fstatat(piddir, "ns/ipc", &ns, 0) == 0)
			p->ipc_ns = ns.st_ino;
		else if (errno == EACCES || errno == EPERM)
			denied = true;	/* its namespace, and what is in it, we miss */
		if (what & PROCS_FDS) {
			int r = scan_fds(&b, piddir, i);
			denied |= r == -EACCES || r == -EPERM;
			rc = r == -ENOMEM ? r : 0;
		}
		if (!rc && (what & PROCS_MAPS)) {
			int r = scan_maps(&b, piddir, i);
			denied |= r == -EACCES || r == -EPERM;
			rc = r == -ENOMEM ? r : 0;
		}
		idx->unreadable += denied;
		close(piddir);
	}
	closedir(dir);
	if (rc) {
		procs_free(idx);
		errno = -rc;
		return NULL;
	}
	if (idx->nheld)
		qsort(idx->held, idx->nheld, sizeof(*idx->held), cmp_held);
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

const struct held *procs_find(const struct proc_index *idx, int class, uint64_t dev,
			      uint64_t ino, size_t *n)
{
	size_t lo = 0, hi = idx ? idx->nheld : 0;
	struct held key = { .class = (uint8_t)class, .dev = dev, .ino = ino, .proc = 0, .fd = INT32_MIN };

	*n = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp_held(&idx->held[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t end = lo;
	while (end < (idx ? idx->nheld : 0) && idx->held[end].class == class &&
	       idx->held[end].dev == dev && idx->held[end].ino == ino)
		end++;
	*n = end - lo;
	return *n ? &idx->held[lo] : NULL;
}

const struct held *procs_class(const struct proc_index *idx, int class, size_t *n)
{
	size_t lo = 0, hi = idx ? idx->nheld : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (idx->held[mid].class < class)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t end = lo;
	while (end < (idx ? idx->nheld : 0) && idx->held[end].class == class)
		end++;
	*n = end - lo;
	return *n ? &idx->held[lo] : NULL;
}

const struct proc *procs_pid(const struct proc_index *idx, pid_t pid)
{
	size_t lo = 0, hi = idx ? idx->nprocs : 0;

	/* /proc lists processes in pid order */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (idx->procs[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < (idx ? idx->nprocs : 0) && idx->procs[lo].pid == pid ? &idx->procs[lo] : NULL;
}

int obj_set_holders(struct ipk_object *o, const struct proc_index *idx,
		    const struct held *h, size_t n)
{
	struct ipk_holder *v = NULL;
	size_t procs = 0;

	if (n) {
		v = o->arena ? ipk_arena_alloc(o->arena, n * sizeof(*v)) : calloc(n, sizeof(*v));
		if (!v)
			return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const struct proc *p = &idx->procs[h[i].proc];
		struct ipk_holder *x = &v[i];

		memset(x, 0, sizeof(*x));
		x->pid = p->pid;
		x->fd = h[i].fd;
		memcpy(x->comm, p->comm, sizeof(x->comm));
		snprintf(x->mode, sizeof(x->mode), "%s%s", h[i].mode & HELD_READ ? "r" : "",
			 h[i].mode & HELD_WRITE ? "w" : "");
		procs += i == 0 || h[i].proc != h[i - 1].proc;
	}
	if (!o->holders_pooled)
		free(o->holders);
	o->holders = v;
	o->nholders = (uint32_t)n;
	/* an fd kind lives in no namespace: show the one of its (first) holder */
	if (n && (o->kind->fields & F(NS)) && !obj_has(o, IPK_F_NS) && idx->procs[h[0].proc].ipc_ns)
		obj_set_unum(o, IPK_F_NS, idx->procs[h[0].proc].ipc_ns);
	o->holders_pooled = o->arena != NULL;
	o->heap |= n && !o->holders_pooled;
	o->present |= F(HOLDERS);
	o->noaccess &= ~F(HOLDERS);
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

int procs_each_object(struct ipk_scan *s, int class, bool join,
		      int (*make)(struct ipk_scan *s, const struct held *h, size_t n))
{
	size_t n;
	const struct held *h = procs_class(s->ctx->procs, class, &n);
	int rc = 0;

	for (size_t i = 0, j; i < n && !rc; i = j) {
		j = i + 1;
		while (join && j < n && h[j].dev == h[i].dev && h[j].ino == h[i].ino)
			j++;
		rc = make(s, &h[i], j - i);
	}
	return rc;
}

int procs_dup_fd(pid_t pid, int fd)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (pidfd < 0)
		return -errno;
	int dup = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	int err = errno;
	close(pidfd);
	return dup < 0 ? -err : dup;
}

const struct proc *held_proc(const struct ipk_scan *s, const struct held *h)
{
	return &s->ctx->procs->procs[h->proc];
}

/*
 * Bytes queued (FIONREAD) and capacity (F_GETPIPE_SZ) of a pipe or FIFO,
 * through a duplicate of a holder's fd: opening /proc/PID/fd/N would add
 * a reader or a writer, and wake or unblock the other end.
 */
void fd_queue_size(struct ipk_object *o, const struct proc_index *idx,
		   const struct held *h, size_t n)
{
	int err = EPERM;

	for (size_t i = 0; i < n; i++) {
		if (h[i].fd < 0)
			continue;
		int fd = procs_dup_fd(idx->procs[h[i].proc].pid, h[i].fd);
		if (fd < 0) {
			err = -fd;
			continue;	/* exited, or not ours to look at: try another */
		}
		int queued, size = fcntl(fd, F_GETPIPE_SZ);
		if (ioctl(fd, FIONREAD, &queued) == 0)
			obj_set_unum(o, IPK_F_SIZE, (uint64_t)queued);
		if (size > 0)
			obj_set_unum(o, IPK_F_CAPACITY, (uint64_t)size);
		close(fd);
		return;
	}
	if (err == EPERM || err == EACCES) {
		obj_set_noaccess(o, IPK_F_SIZE);
		obj_set_noaccess(o, IPK_F_CAPACITY);
	}
}
