/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Listings: the process scan the kinds need, every wanted kind scanned
 * (in parallel), judged for use, filtered and sorted; and the same across
 * several IPC namespaces for --ns.
 */
#include "internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Whether objects of @k need the process scan, and what of it. */
static unsigned procs_needed(const struct ipk_ctx *ctx, const struct ipk_filter *f,
			     const struct ipk_kind *k, bool *any)
{
	bool holders = ctx_wants(ctx, IPK_F_HOLDERS) || ctx_wants(ctx, IPK_F_NATTCH) ||
		       ctx_wants(ctx, IPK_F_STATUS) || (f && (f->has_pid || f->orphan));

	*any |= k->procs || holders;
	return k->procs | (holders ? k->holder_procs : 0);
}

int scan_procs_prepare(struct ipk_ctx *ctx, const struct ipk_filter *f,
		       const struct ipk_kind *only)
{
	unsigned what = 0;
	uint64_t kinds = 0;
	bool any = false;

	for (size_t k = 0; k < ipk_kind_count(); k++) {
		const struct ipk_kind *kind = ipk_kind_at(k);
		if (only ? kind == only : ipk_filter_wants_kind(f, kind)) {
			what |= procs_needed(ctx, f, kind, &any);
			kinds |= UINT64_C(1) << k;
		}
	}
	procs_free(ctx->procs);
	ctx->procs = NULL;
	if (!any && !ctx->ns_mode)
		return 0;
	/* --min-size looks at the bytes queued in pipes and FIFOs, shown or not */
	struct fieldset wanted = ctx->wanted;
	if (f && f->has_min_size)
		fieldset_add(&ctx->wanted, IPK_F_SIZE);
	size_t diags = ipk_ctx_ndiags(ctx);
	ctx->procs = procs_scan(ctx, what, kinds);
	ctx->wanted = wanted;
	if (!ctx->procs)
		return -ENOMEM;
	/* /proc could not be read: the kinds only processes hold are not known */
	if (ipk_ctx_ndiags(ctx) != diags) {
		uint64_t held = 0;
		for (size_t k = 0; k < ipk_kind_count(); k++)
			if ((kinds & (UINT64_C(1) << k)) && ipk_kind_at(k)->procs)
				held |= UINT64_C(1) << k;
		ctx_kinds_partial(ctx, held);
	}
	ctx->unreadable_procs = ctx->procs->unreadable;
	/* what --pid selects is what that process holds: unknown is not nothing */
	if (f && f->has_pid) {
		const struct proc *p = procs_pid(ctx->procs, f->pid);
		char pid[16];
		snprintf(pid, sizeof(pid), "%" PRId32, f->pid);
		if (!p || p->denied)
			ctx_diag(ctx, p ? EACCES : ESRCH, "read process", pid);
	}
	return 0;
}

void scan_procs_done(struct ipk_ctx *ctx)
{
	procs_free(ctx->procs);
	ctx->procs = NULL;
}

size_t ipk_ctx_unreadable_procs(const struct ipk_ctx *ctx)
{
	return ctx ? ctx->unreadable_procs : 0;
}

bool ipk_ctx_kind_partial(const struct ipk_ctx *ctx, const struct ipk_kind *k)
{
	return ctx && k && (ctx->partial_kinds & (UINT64_C(1) << ipk_kind_index(k)));
}

#define MAX_KINDS 64

/* One listing: every wanted kind scanned, filtered and sorted on its own. */
struct scan_job {
	struct ipk_ctx *ctx;
	const struct ipk_filter *filter;
	unsigned flags;
	time_t now;
	size_t nkinds;
	size_t next;			/* the next kind to take, shared */
	struct ipk_list found[MAX_KINDS];
	int rc[MAX_KINDS];
	bool skip[MAX_KINDS];
	bool partial[MAX_KINDS];	/* read in part (scan_diag) */
};

static void scan_kind(struct scan_job *job, size_t k)
{
	struct ipk_list *found = &job->found[k];
	struct ipk_scan s = {
		.ctx = job->ctx, .kind = ipk_kind_at(k), .filter = job->filter,
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
			rc = inuse_judge(job->ctx, o);
		o->arena = NULL;	/* the scan is done with it */
		if (!rc && ipk_filter_match(job->filter, o, job->now))
			found->v[kept++] = o;
		else
			ipk_object_free(o);
	}
	found->n = kept;
	list_sort(found);
	job->rc[k] = rc;
	job->partial[k] = s.partial;
}

static void *scan_worker(void *arg)
{
	struct scan_job *job = arg;

	for (;;) {
		size_t k = __atomic_fetch_add(&job->next, 1, __ATOMIC_RELAXED);
		if (k >= job->nkinds)
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
	*job = (struct scan_job){ .ctx = ctx, .filter = f, .flags = flags, .now = time(NULL),
				  .nkinds = ipk_kind_count() };
	for (size_t k = 0; k < job->nkinds; k++) {
		const struct ipk_kind *kind = ipk_kind_at(k);
		job->found[k].pooled = true;
		/* a kind not scanned counts as done */
		job->skip[k] = !ipk_filter_wants_kind(f, kind) ||
			       !(families & (1u << kind->family));
		wanted += !job->skip[k];
	}
	ctx_ipc_ns(ctx);	/* read once, before threads share the context */
	if (posix_shm_share_begin(ctx)) {
		free(job);
		return -ENOMEM;
	}

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
	posix_shm_share_end(ctx);

	size_t total = all->n;
	uint64_t partial = 0;
	for (size_t k = 0; k < job->nkinds; k++) {
		total += job->found[k].n;
		partial |= (uint64_t)job->partial[k] << k;
		if (job->rc[k] && !rc)
			rc = job->rc[k];
	}
	ctx_kinds_partial(ctx, partial);
	struct ipk_object **v = realloc(all->v, (total ? total : 1) * sizeof(*v));
	if (!v && !rc)
		rc = -ENOMEM;
	if (v) {
		all->v = v;
		all->cap = total;
	}
	for (size_t k = 0; k < job->nkinds; k++) {
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

/* ------------------------------------------------------------ namespaces */

struct ns_scan {
	const struct ipk_filter *filter;
	unsigned flags;
	pid_t pid;
	uint64_t ns;
	struct ipk_list found;
};

static int ns_scan_in(struct ipk_ctx *sub, void *arg)
{
	struct ns_scan *n = arg;

	return scan_kinds(sub, n->filter, n->flags, NAMED_FAMILIES, &n->found);
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

/* The namespaces to read: one process of each that is not ours (or of --ns PID). */
static int ns_targets(struct ipk_ctx *ctx, const struct ipk_filter *f, unsigned flags,
		      struct ns_scan **out, size_t *count)
{
	const struct proc_index *idx = ctx->procs;
	uint64_t own = ctx_ipc_ns(ctx);
	size_t cap = 8, nns = 0;
	struct ns_scan *ns = calloc(cap, sizeof(*ns));

	if (!ns)
		return -ENOMEM;
	for (size_t i = 0; i < idx->nprocs; i++) {
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
				free(ns);
				return -ENOMEM;
			}
			ns = v;
			cap *= 2;
		}
		ns[nns++] = (struct ns_scan){ .filter = f, .flags = flags, .pid = p->pid,
					      .ns = p->ipc_ns };
	}
	*out = ns;
	*count = nns;
	return 0;
}

/* --ns PID: the fd kinds of processes in that namespace only. */
static void keep_fd_kinds_of(struct ipk_ctx *ctx, struct ipk_list *all)
{
	const struct proc_index *idx = ctx->procs;
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
	struct ns_scan *ns;
	size_t nns;
	int rc = ns_targets(ctx, f, flags, &ns, &nns);

	if (rc)
		return rc;
	/* ours first, fd kinds of every process included */
	const struct proc *target = ctx->ns_pid ? procs_pid(idx, ctx->ns_pid) : NULL;
	bool ours = !ctx->ns_pid || (target && target->ipc_ns == own);
	rc = scan_kinds(ctx, f, flags, ours ? ALL_FAMILIES : (1u << IPK_FAMILY_FD), all);
	struct file_set files = { 0 };
	if (!rc)
		rc = file_set_add(&files, all, 0);
	for (size_t i = 0; i < nns && !rc; i++) {
		size_t before = all->n;
		bool entered;

		rc = ns_run(ctx, ns[i].pid, ns[i].ns, ns_scan_in, &ns[i], &entered);
		if (!entered) {
			char what[64];
			ns_name(what, ns[i].ns, ns[i].pid);
			/* a process that left or exited since the walk: nothing to list */
			if (rc != -ESRCH && rc != -ESTALE && rc != -ENOMEM)
				ctx_diag(ctx, -rc, "enter the IPC namespace", what);
			rc = rc == -ENOMEM ? rc : 0;
		}
		for (size_t j = 0; j < ns[i].found.n; j++) {
			struct ipk_object *o = ns[i].found.v[j];
			/* IPC namespaces that share a /dev/shm show its files once */
			if (rc || file_set_has(&files, o)) {
				ipk_object_free(o);
				continue;
			}
			/*
			 * beside ours, a REF names its namespace: sysv-shm:0@ns:4026532179
			 * (one that could be misread names it already: scan_add())
			 */
			if (!ctx->ns_pid && !ref_has_ns(o->ref))
				rc = obj_ref_qualify(o, ns[i].ns);
			if (rc || list_add(all, o))
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
	if (ctx->ns_pid)
		keep_fd_kinds_of(ctx, all);
	if (all->n > 1)
		qsort(all->v, all->n, sizeof(all->v[0]), cmp_ns_objects);
	return 0;
}

struct ipk_list *ipk_scan(struct ipk_ctx *ctx, const struct ipk_filter *f, unsigned flags)
{
	if (!ctx) {
		errno = EINVAL;
		return NULL;
	}
	struct ipk_list *all = calloc(1, sizeof(*all));
	int rc;

	if (!all) {
		errno = ENOMEM;
		return NULL;
	}
	ctx_ipc_ns(ctx);
	ctx->partial_kinds = 0;
	rc = scan_procs_prepare(ctx, f, NULL);
	if (!rc && ctx->ns_mode)
		rc = scan_namespaces(ctx, f, flags, all);
	else if (!rc)
		rc = scan_kinds(ctx, f, flags, ALL_FAMILIES, all);
	scan_procs_done(ctx);
	if (rc) {
		ipk_list_free(all);
		errno = -rc;
		return NULL;
	}
	return all;
}
