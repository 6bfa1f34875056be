/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kind registry: the one list of every kind ipckit knows.
 *
 * To add a kind:
 *   1. write lib/kinds/<kind>.c ending in
 *        const struct ipk_kind ipk_kind_<kind> = { .name = ..., ... };
 *      (see struct ipk_kind in internal.h for what each slot means);
 *   2. add X(<kind>) to IPK_KINDS below, where it should sort in listings.
 * Nothing in cmd/ or tui/ changes: they go through this table.
 */
#include "internal.h"

#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>

#define IPK_KINDS(X)		\
	X(sysv_msg)		\
	X(sysv_sem)		\
	X(sysv_shm)		\
	X(posix_mq)		\
	X(posix_sem)		\
	X(posix_shm)		\
	X(fifo)			\
	X(pipe)			\
	X(unix)			\
	X(eventfd)		\
	X(timerfd)		\
	X(signalfd)		\
	X(memfd)

#define DECLARE(k) extern const struct ipk_kind ipk_kind_##k;
IPK_KINDS(DECLARE)
#undef DECLARE

#define ENTRY(k) &ipk_kind_##k,
static const struct ipk_kind *const kinds[] = { IPK_KINDS(ENTRY) };
#undef ENTRY

_Static_assert(ARRAY_SIZE(kinds) <= 64, "kind masks are one uint64_t");

size_t ipk_kind_count(void)
{
	return ARRAY_SIZE(kinds);
}

const struct ipk_kind *ipk_kind_at(size_t i)
{
	return i < ARRAY_SIZE(kinds) ? kinds[i] : NULL;
}

const struct ipk_kind *ipk_kind_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (strcasecmp(name, kinds[i]->name) == 0 ||
		    (kinds[i]->alias && strcasecmp(name, kinds[i]->alias) == 0))
			return kinds[i];
	}
	return NULL;
}

size_t ipk_kind_index(const struct ipk_kind *k)
{
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (kinds[i] == k)
			return i;
	return ARRAY_SIZE(kinds);
}

const char *ipk_kind_name(const struct ipk_kind *k)
{
	return k->name;
}

const char *ipk_kind_alias(const struct ipk_kind *k)
{
	return k->alias;
}

const char *ipk_kind_description(const struct ipk_kind *k)
{
	return k->description;
}

enum ipk_family ipk_kind_family(const struct ipk_kind *k)
{
	return k->family;
}

bool ipk_kind_has_field(const struct ipk_kind *k, int field)
{
	if (field < 0 || field >= IPK_F_COUNT)
		return false;
	return field == IPK_F_KIND || (k->fields & FIELD_BIT(field));
}

int kind_scan(struct ipk_scan *s)
{
	return s->kind->scan ? s->kind->scan(s) : 0;
}

int kind_detail(struct ipk_ctx *ctx, struct ipk_object *o)
{
	return o->kind->detail ? o->kind->detail(ctx, o) : 0;
}

int ipk_object_fill_detail(struct ipk_ctx *ctx, struct ipk_object *o)
{
	return kind_detail(ctx, o);
}

/* Whether a live process that started by @t is behind @pid. */
static bool pid_alive_since(const struct proc_index *idx, int64_t pid, int64_t t)
{
	const struct proc *p = pid > 0 ? procs_pid(idx, (pid_t)pid) : NULL;

	return p && proc_started_by(p->start, t);
}

/*
 * SysV objects are held by no fd: their creator and last operators tell
 * whether anyone still uses them.  GONE when every pid we know is dead or
 * reused; nothing is concluded from no pid at all.  (A semaphore array
 * keeps a pid per semaphore only, which a listing does not read: arrays
 * are never judged, rather than judged one way in a list and another in
 * ipc-ls -i.)
 */
static bool sysv_gone(const struct proc_index *idx, const struct ipk_object *o)
{
	int64_t op_time = o->atime > o->dtime ? o->atime : o->dtime;
	bool known = false;

	if (obj_has(o, IPK_F_CPID) && o->cpid > 0) {
		known = true;
		if (pid_alive_since(idx, o->cpid, o->ctime))
			return false;
	}
	const int64_t pids[] = {
		obj_has(o, IPK_F_LPID) ? o->lpid : 0,
		obj_has(o, IPK_F_LSPID) ? o->lspid : 0,
		obj_has(o, IPK_F_LRPID) ? o->lrpid : 0,
	};
	for (size_t i = 0; i < ARRAY_SIZE(pids); i++) {
		if (pids[i] > 0) {
			known = true;
			if (pid_alive_since(idx, pids[i], op_time ? op_time : o->ctime))
				return false;
		}
	}
	return known;
}

/*
 * What the process scan adds to an object: its holders (named kinds),
 * NATTCH as the processes holding a POSIX object, and the ORPHAN and GONE
 * flags.  ORPHAN says what the readable processes show; where some could
 * not be read (ipk_ctx_unreadable_procs), a command that removes orphans
 * must not take the flag alone as proof.
 */
int kind_post(struct ipk_ctx *ctx, struct ipk_object *o)
{
	const struct proc_index *idx = ctx->procs;
	const struct ipk_kind *k = o->kind;
	uint32_t status = o->status;
	int rc = 0;

	/* a frozen copy without processes tells nothing of who uses what */
	if (!idx || !idx->nprocs)
		return 0;
	if (k->holder_class != HELD_NONE && (idx->what & k->holder_procs) == k->holder_procs) {
		size_t n;
		const struct held *h = procs_find(idx, k->holder_class, o->dev, o->ino, &n);
		rc = obj_set_holders(o, idx, h, n);
		if (!rc && k->family == IPK_FAMILY_POSIX)
			obj_set_unum(o, IPK_F_NATTCH, o->nprocs);
	}
	if (k->family == IPK_FAMILY_SYSV) {
		if (sysv_gone(idx, o))
			status |= IPK_ST_GONE;
		/* an attached segment has users, whoever made it */
		if ((status & IPK_ST_GONE) && !(k->fields & F(NATTCH)))
			status |= IPK_ST_ORPHAN;
	} else if (obj_has(o, IPK_F_HOLDERS) && !o->nholders) {
		status |= IPK_ST_ORPHAN;
	}
	if (status != o->status || obj_has(o, IPK_F_STATUS))
		obj_set_num(o, IPK_F_STATUS, status);
	return rc;
}

/* Whether objects of @k need the process scan, and what of it. */
static unsigned procs_needed(const struct ipk_ctx *ctx, const struct ipk_filter *f,
			     const struct ipk_kind *k, bool *any)
{
	bool holders = ctx_wants(ctx, F(HOLDERS) | F(NATTCH) | F(STATUS)) ||
		       (f && (f->has_pid || f->orphan));

	*any |= k->procs || holders;
	return k->procs | (holders ? k->holder_procs : 0);
}

/* Builds ctx->procs when the kinds of @f need it. */
static int procs_prepare(struct ipk_ctx *ctx, const struct ipk_filter *f,
			 const struct ipk_kind *only)
{
	unsigned what = 0;
	bool any = false;

	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++)
		if (only ? kinds[k] == only : ipk_filter_wants_kind(f, kinds[k]))
			what |= procs_needed(ctx, f, kinds[k], &any);
	procs_free(ctx->procs);
	ctx->procs = NULL;
	if (!any && !ctx->ns_mode)
		return 0;
	ctx->procs = procs_scan(ctx, what);
	if (!ctx->procs)
		return -ENOMEM;
	ctx->unreadable_procs = ctx->procs->unreadable;
	return 0;
}

size_t ipk_ctx_unreadable_procs(const struct ipk_ctx *ctx)
{
	return ctx->unreadable_procs;
}

static void procs_done(struct ipk_ctx *ctx)
{
	procs_free(ctx->procs);
	ctx->procs = NULL;
}

/* One listing: every wanted kind scanned, filtered and sorted on its own. */
struct scan_job {
	struct ipk_ctx *ctx;
	const struct ipk_filter *filter;
	unsigned flags;
	time_t now;
	size_t next;			/* the next kind to take, shared */
	struct ipk_list found[ARRAY_SIZE(kinds)];
	int rc[ARRAY_SIZE(kinds)];
	bool skip[ARRAY_SIZE(kinds)];
};

static void scan_kind(struct scan_job *job, size_t k)
{
	struct ipk_list *found = &job->found[k];
	struct ipk_scan s = {
		.ctx = job->ctx, .kind = kinds[k], .filter = job->filter,
		.flags = job->flags, .list = found,
	};
	size_t kept = 0;
	int rc = kind_scan(&s);
	bool detail = job->flags & IPK_SCAN_DETAIL;

	for (size_t j = 0; j < found->n; j++) {
		struct ipk_object *o = found->v[j];

		if (!rc && detail)
			rc = kind_detail(job->ctx, o) == -ENOMEM ? -ENOMEM : 0;
		if (!rc)
			rc = kind_post(job->ctx, o);
		o->arena = NULL;	/* the scan is done with it */
		if (!rc && ipk_filter_match(job->filter, o, job->now))
			found->v[kept++] = o;
		else
			ipk_object_free(o);
	}
	found->n = kept;
	list_sort(found);
	job->rc[k] = rc;
}

static void *scan_worker(void *arg)
{
	struct scan_job *job = arg;

	for (;;) {
		size_t k = __atomic_fetch_add(&job->next, 1, __ATOMIC_RELAXED);
		if (k >= ARRAY_SIZE(kinds))
			return NULL;
		if (!job->skip[k])
			scan_kind(job, k);
	}
}

/*
 * Scans the kinds of @families (bit per enum ipk_family) that @f wants
 * into @all.  Kinds are independent and most of a scan is waiting on the
 * kernel, so they are scanned in parallel, one thread per CPU (at most
 * four); the results are joined in registry order, as a serial scan would.
 */
static int scan_kinds(struct ipk_ctx *ctx, const struct ipk_filter *f, unsigned flags,
		      unsigned families, struct ipk_list *all)
{
	struct scan_job *job = calloc(1, sizeof(*job));
	pthread_t threads[4];
	size_t nthreads = 0, wanted = 0;
	int rc = 0;

	if (!job)
		return -ENOMEM;
	*job = (struct scan_job){ .ctx = ctx, .filter = f, .flags = flags, .now = time(NULL) };
	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
		job->found[k].pooled = true;
		/* a kind not scanned counts as done */
		job->skip[k] = !ipk_filter_wants_kind(f, kinds[k]) ||
			       !(families & (1u << kinds[k]->family));
		wanted += !job->skip[k];
	}
	ctx_ipc_ns(ctx);	/* read once, before threads share the context */

	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t want = cpus > 1 ? (size_t)cpus : 1;
	if (want > ARRAY_SIZE(threads))
		want = ARRAY_SIZE(threads);
	if (want > wanted)
		want = wanted;
	/* The calling thread works too: start one thread fewer. */
	while (nthreads + 1 < want && pthread_create(&threads[nthreads], NULL, scan_worker, job) == 0)
		nthreads++;
	scan_worker(job);
	for (size_t i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);

	size_t total = all->n;
	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
		total += job->found[k].n;
		if (job->rc[k] && !rc)
			rc = job->rc[k];
	}
	struct ipk_object **v = realloc(all->v, (total ? total : 1) * sizeof(*v));
	if (!v && !rc)
		rc = -ENOMEM;
	if (v) {
		all->v = v;
		all->cap = total;
	}
	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
		for (size_t j = 0; j < job->found[k].n; j++) {
			if (rc)
				ipk_object_free(job->found[k].v[j]);
			else
				all->v[all->n++] = job->found[k].v[j];
		}
		free(job->found[k].v);
		ipk_arena_move(&all->arena, &job->found[k].arena);
	}
	free(job);
	return rc;
}

#define NAMED_FAMILIES ((1u << IPK_FAMILY_SYSV) | (1u << IPK_FAMILY_POSIX))
#define ALL_FAMILIES (NAMED_FAMILIES | (1u << IPK_FAMILY_FD))

/*
 * A scan of another IPC namespace, in a thread of its own: the IPC
 * namespace belongs to a thread, so setns() here moves no other thread,
 * and SysV calls, /proc/sysvipc and a detached mqueue mount all see that
 * namespace.  /dev/shm is the one of a process there, through
 * /proc/PID/root.
 */
struct ns_scan {
	struct ipk_ctx *parent;
	const struct ipk_filter *filter;
	unsigned flags;
	pid_t pid;
	uint64_t ns;
	struct ipk_list found;
	int rc, err;
};

static void *ns_scan_thread(void *arg)
{
	struct ns_scan *n = arg;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/ipc", (int)n->pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWIPC) < 0) {
		n->err = errno;
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	close(fd);
	struct ipk_ctx *sub = ctx_for_ns(n->parent, n->pid, n->ns);
	if (!sub) {
		n->rc = -ENOMEM;
		return NULL;
	}
	n->rc = scan_kinds(sub, n->filter, n->flags, NAMED_FAMILIES, &n->found);
	ctx_for_ns_free(sub);
	return NULL;
}

/* The /dev/shm files a listing of several namespaces has, sorted: each once. */
struct file_set {
	struct file_key {
		const struct ipk_kind *kind;
		uint64_t dev, ino;
	} *v;
	size_t n, cap;
};

static int cmp_file_key(const void *a, const void *b)
{
	const struct file_key *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return (x->ino > y->ino) - (x->ino < y->ino);
}

/* Adds the mount-scoped objects of @all[from..]; sorted again after. */
static int file_set_add(struct file_set *fs, const struct ipk_list *all, size_t from)
{
	for (size_t i = from; i < all->n; i++) {
		const struct ipk_object *o = all->v[i];
		if (!o->kind->mount_scoped)
			continue;
		if (fs->n == fs->cap) {
			size_t cap = fs->cap ? 2 * fs->cap : 64;
			struct file_key *v = realloc(fs->v, cap * sizeof(*v));
			if (!v)
				return -ENOMEM;
			fs->v = v;
			fs->cap = cap;
		}
		fs->v[fs->n++] = (struct file_key){ o->kind, o->dev, o->ino };
	}
	if (fs->n > 1)
		qsort(fs->v, fs->n, sizeof(*fs->v), cmp_file_key);
	return 0;
}

/* Whether @o is a /dev/shm file already listed from another namespace. */
static bool file_set_has(const struct file_set *fs, const struct ipk_object *o)
{
	struct file_key key = { o->kind, o->dev, o->ino };

	return o->kind->mount_scoped && fs->n &&
	       bsearch(&key, fs->v, fs->n, sizeof(*fs->v), cmp_file_key);
}

/* By kind, then namespace, then id or name: a listing of several namespaces. */
static int cmp_ns_objects(const void *a, const void *b)
{
	const struct ipk_object *x = *(struct ipk_object *const *)a;
	const struct ipk_object *y = *(struct ipk_object *const *)b;
	size_t kx = ipk_kind_index(x->kind), ky = ipk_kind_index(y->kind);

	if (kx != ky)
		return kx < ky ? -1 : 1;
	if (x->ns != y->ns)
		return x->ns < y->ns ? -1 : 1;
	return obj_compare(x, y);
}

/*
 * Every IPC namespace that a process of @ctx->procs is in (--ns all), or
 * the one of process ns_pid: the named kinds of each, read from inside
 * it; fd kinds once, of the processes in the namespaces asked for.
 */
static int scan_namespaces(struct ipk_ctx *ctx, const struct ipk_filter *f, unsigned flags,
			   struct ipk_list *all)
{
	const struct proc_index *idx = ctx->procs;
	uint64_t own = ctx_ipc_ns(ctx);
	size_t cap = 8, nns = 0;
	struct ns_scan *ns = calloc(cap, sizeof(*ns));
	int rc = 0;

	if (!ns)
		return -ENOMEM;
	for (size_t i = 0; i < idx->nprocs && !rc; i++) {
		const struct proc *p = &idx->procs[i];
		bool seen = p->ipc_ns == own;

		if (!p->ipc_ns || (ctx->ns_pid && p->pid != ctx->ns_pid))
			continue;
		for (size_t j = 0; j < nns && !seen; j++)
			seen = ns[j].ns == p->ipc_ns;
		if (seen)
			continue;
		if (nns == cap) {
			struct ns_scan *v = realloc(ns, 2 * cap * sizeof(*v));
			if (!v) {
				rc = -ENOMEM;
				break;
			}
			ns = v;
			cap *= 2;
		}
		ns[nns++] = (struct ns_scan){ .parent = ctx, .filter = f, .flags = flags,
					      .pid = p->pid, .ns = p->ipc_ns };
	}
	/* ours first, fd kinds of every process included */
	bool ours = !ctx->ns_pid || (procs_pid(idx, ctx->ns_pid) &&
				     procs_pid(idx, ctx->ns_pid)->ipc_ns == own);
	if (!rc)
		rc = scan_kinds(ctx, f, flags, ours ? ALL_FAMILIES : (1u << IPK_FAMILY_FD), all);
	struct file_set files = { 0 };
	if (!rc)
		rc = file_set_add(&files, all, 0);
	for (size_t i = 0; i < nns && !rc; i++) {
		pthread_t t;
		size_t before = all->n;

		if (pthread_create(&t, NULL, ns_scan_thread, &ns[i])) {
			ns[i].err = EAGAIN;
			continue;
		}
		pthread_join(t, NULL);
		if (ns[i].err) {
			char what[64];
			snprintf(what, sizeof(what), "ipc:[%" PRIu64 "] (pid %d)", ns[i].ns,
				 (int)ns[i].pid);
			ctx_diag(ctx, ns[i].err, "enter the IPC namespace", what);
		}
		rc = ns[i].rc;
		for (size_t j = 0; j < ns[i].found.n; j++) {
			struct ipk_object *o = ns[i].found.v[j];
			/* IPC namespaces that share a /dev/shm show its files once */
			if (rc || file_set_has(&files, o) || list_add(all, o))
				ipk_object_free(o);
		}
		free(ns[i].found.v);
		ipk_arena_move(&all->arena, &ns[i].found.arena);
		if (!rc)
			rc = file_set_add(&files, all, before);
	}
	free(files.v);
	free(ns);
	if (rc)
		return rc;
	/* --ns PID: the fd kinds of processes in that namespace only */
	if (ctx->ns_pid) {
		const struct proc *target = procs_pid(idx, ctx->ns_pid);
		size_t kept = 0;
		for (size_t i = 0; i < all->n; i++) {
			struct ipk_object *o = all->v[i];
			bool keep = o->kind->family != IPK_FAMILY_FD;
			for (size_t h = 0; !keep && target && h < o->nholders; h++) {
				const struct proc *p = procs_pid(idx, o->holders[h].pid);
				keep = p && p->ipc_ns == target->ipc_ns;
			}
			if (keep)
				all->v[kept++] = o;
			else
				ipk_object_free(o);
		}
		all->n = kept;
	}
	if (all->n > 1)
		qsort(all->v, all->n, sizeof(all->v[0]), cmp_ns_objects);
	return 0;
}

struct ipk_list *ipk_scan(struct ipk_ctx *ctx, const struct ipk_filter *f, unsigned flags)
{
	struct ipk_list *all = calloc(1, sizeof(*all));
	int rc;

	if (!all) {
		errno = ENOMEM;
		return NULL;
	}
	ctx_ipc_ns(ctx);
	rc = procs_prepare(ctx, f, NULL);
	if (!rc && ctx->ns_mode)
		rc = scan_namespaces(ctx, f, flags, all);
	else if (!rc)
		rc = scan_kinds(ctx, f, flags, ALL_FAMILIES, all);
	procs_done(ctx);
	if (rc) {
		ipk_list_free(all);
		errno = -rc;
		return NULL;
	}
	return all;
}

struct ns_lookup {
	struct ipk_scan *s;
	const struct proc *target;
	int rc, err;
};

static void *ns_lookup_thread(void *arg)
{
	struct ns_lookup *l = arg;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/ipc", (int)l->target->pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWIPC) < 0) {
		l->err = errno;
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	close(fd);
	struct ipk_ctx *parent = l->s->ctx;
	struct ipk_ctx *sub = ctx_for_ns(parent, l->target->pid, l->target->ipc_ns);
	if (!sub) {
		l->rc = -ENOMEM;
		return NULL;
	}
	l->s->ctx = sub;
	l->rc = kind_scan(l->s);
	l->s->ctx = parent;
	ctx_for_ns_free(sub);
	return NULL;
}

/* A lookup of a named kind in the namespace of --ns PID, from a thread inside it. */
static int lookup_in_ns(struct ipk_scan *s, const struct proc *target)
{
	struct ns_lookup l = { .s = s, .target = target };
	pthread_t t;

	if (pthread_create(&t, NULL, ns_lookup_thread, &l))
		return 0;
	pthread_join(t, NULL);
	if (l.err) {
		char what[64];
		snprintf(what, sizeof(what), "ipc:[%" PRIu64 "] (pid %d)", target->ipc_ns,
			 (int)target->pid);
		ctx_diag(s->ctx, l.err, "enter the IPC namespace", what);
	}
	return l.rc;
}

int ipk_lookup(struct ipk_ctx *ctx, const char *ref, struct ipk_object **out)
{
	const struct ipk_kind *k;
	struct ipk_list found = { 0 };
	char *canon;
	int rc = ipk_ref_parse(ref, &k, &canon);

	if (rc)
		return rc;
	struct ipk_scan s = {
		.ctx = ctx, .kind = k, .list = &found,
		.only = canon + strlen(k->name) + 1,
	};
	rc = procs_prepare(ctx, NULL, k);
	const struct proc *target = ctx->ns_pid && ctx->procs ? procs_pid(ctx->procs, ctx->ns_pid) : NULL;
	if (!rc && target && target->ipc_ns != ctx_ipc_ns(ctx) && k->family != IPK_FAMILY_FD)
		rc = lookup_in_ns(&s, target);
	else if (!rc)
		rc = kind_scan(&s);
	*out = NULL;
	/* a REF by path (unix:/run/x.sock) names the object of that name */
	const char *path = s.only[0] == '/' ? s.only : NULL;
	for (size_t i = 0; i < found.n; i++) {
		const struct ipk_object *o = found.v[i];
		if (!rc && !*out && (strcmp(o->ref, canon) == 0 ||
				     (path && o->name && strcmp(o->name, path) == 0)))
			*out = found.v[i];
		else
			ipk_object_free(found.v[i]);
	}
	free(found.v);
	free(canon);
	if (!rc && *out) {
		rc = kind_detail(ctx, *out);
		if (rc != -ENOMEM)
			rc = kind_post(ctx, *out);
	}
	procs_done(ctx);
	if (rc && rc != -ENOMEM)
		rc = 0;
	if (!rc && !*out)
		return -ESRCH;
	if (rc == -ENOMEM) {
		ipk_object_free(*out);
		*out = NULL;
		return rc;
	}
	return 0;
}
