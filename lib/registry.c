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

#include <stdlib.h>
#include <strings.h>
#include <unistd.h>

#define IPK_KINDS(X)		\
	X(sysv_msg)		\
	X(sysv_sem)		\
	X(sysv_shm)		\
	X(posix_mq)		\
	X(posix_sem)		\
	X(posix_shm)

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

/* One listing: every wanted kind scanned, filtered and sorted on its own. */
struct scan_job {
	struct ipk_ctx *ctx;
	const struct ipk_filter *filter;
	unsigned flags;
	time_t now;
	size_t next;			/* the next kind to take, shared */
	struct ipk_list found[ARRAY_SIZE(kinds)];
	int rc[ARRAY_SIZE(kinds)];
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

	for (size_t j = 0; j < found->n; j++) {
		struct ipk_object *o = found->v[j];

		o->arena = NULL;	/* the scan is done with it */
		if (!rc && ipk_filter_match(job->filter, o, job->now) &&
		    (!(job->flags & IPK_SCAN_DETAIL) || (rc = kind_detail(job->ctx, o)) != -ENOMEM)) {
			rc = 0;
			found->v[kept++] = o;
		} else {
			ipk_object_free(o);
		}
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
		if (ipk_filter_wants_kind(job->filter, kinds[k]))
			scan_kind(job, k);
	}
}

/*
 * Kinds are independent and most of a scan is waiting on the kernel, so
 * they are scanned in parallel, one thread per CPU (at most four); the
 * results are joined in registry order, the same as a serial scan.
 */
struct ipk_list *ipk_scan(struct ipk_ctx *ctx, const struct ipk_filter *f, unsigned flags)
{
	struct scan_job *job = calloc(1, sizeof(*job));
	struct ipk_list *all = calloc(1, sizeof(*all));
	pthread_t threads[4];
	size_t nthreads = 0, wanted = 0;
	int rc = 0;

	if (!job || !all) {
		free(job);
		free(all);
		errno = ENOMEM;
		return NULL;
	}
	*job = (struct scan_job){ .ctx = ctx, .filter = f, .flags = flags, .now = time(NULL) };
	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++)
		job->found[k].pooled = true;
	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++)
		wanted += ipk_filter_wants_kind(f, kinds[k]);
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

	size_t total = 0;
	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
		total += job->found[k].n;
		if (job->rc[k] && !rc)
			rc = job->rc[k];
	}
	all->v = malloc((total ? total : 1) * sizeof(*all->v));
	if (!all->v && !rc)
		rc = -ENOMEM;
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
	all->cap = total;
	free(job);
	if (rc) {
		ipk_list_free(all);
		errno = -rc;
		return NULL;
	}
	return all;
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
	rc = kind_scan(&s);
	*out = NULL;
	for (size_t i = 0; i < found.n; i++) {
		if (!rc && !*out && strcmp(found.v[i]->ref, canon) == 0)
			*out = found.v[i];
		else
			ipk_object_free(found.v[i]);
	}
	free(found.v);
	free(canon);
	if (rc)
		return rc;
	if (!*out)
		return -ESRCH;
	rc = kind_detail(ctx, *out);
	if (rc == -ENOMEM) {
		ipk_object_free(*out);
		*out = NULL;
		return rc;
	}
	return 0;
}
