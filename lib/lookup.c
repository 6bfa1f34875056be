/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Lookups: the one object a REF names, with its detail filled. */
#include "internal.h"

#include <stdlib.h>

static int lookup_in(struct ipk_ctx *sub, void *arg)
{
	struct ipk_scan *s = arg;
	struct ipk_ctx *parent = s->ctx;

	s->ctx = sub;
	int rc = kind_scan(s);
	s->ctx = parent;
	return rc;
}

/* A process of IPC namespace @ns, to read it through; NULL when none is left. */
static const struct proc *proc_in_ns(const struct proc_index *idx, uint64_t ns)
{
	for (size_t i = 0; idx && i < idx->nprocs; i++)
		if (idx->procs[i].ipc_ns == ns)
			return &idx->procs[i];
	return NULL;
}

int ipk_lookup(struct ipk_ctx *ctx, const char *ref, struct ipk_object **out)
{
	const struct ipk_kind *k;
	struct ipk_list found = { 0 };
	char *canon;

	if (!ctx || !ref || !out)
		return -EINVAL;
	*out = NULL;
	int rc = ipk_ref_parse(ref, &k, &canon);
	if (rc)
		return rc;
	/* KIND:ARG@ns:INODE names an object of that namespace, whatever --ns says */
	uint64_t want_ns = 0, own = ctx_ipc_ns(ctx);
	canon[ref_ns_split(canon, &want_ns)] = '\0';
	if (want_ns == own)
		want_ns = 0;
	struct ipk_scan s = {
		.ctx = ctx, .kind = k, .list = &found,
		.only = canon + strlen(k->name) + 1,
	};
	ctx->procs_ns = want_ns != 0;	/* a process of that namespace is looked for */
	rc = scan_procs_prepare(ctx, NULL, k);
	ctx->procs_ns = false;
	if (!rc && want_ns && !ctx->procs && !(ctx->procs = procs_scan(ctx, 0, 0)))
		rc = -ENOMEM;
	const struct proc *target = NULL;
	if (want_ns)
		target = proc_in_ns(ctx->procs, want_ns);
	else if (ctx->ns_pid && ctx->procs)
		target = procs_pid(ctx->procs, ctx->ns_pid);
	if (!rc && want_ns && !target) {
		rc = 0;		/* no process left in that namespace: nothing to find */
	} else if (!rc && target && target->ipc_ns != own && k->family != IPK_FAMILY_FD) {
		/* a named kind of another namespace, read from inside it */
		bool entered;
		rc = ns_run(ctx, target->pid, target->ipc_ns, lookup_in, &s, &entered);
		if (!entered && rc != -ENOMEM) {
			char what[64];
			ns_name(what, target->ipc_ns, target->pid);
			ctx_diag(ctx, -rc, "enter the IPC namespace", what);
			rc = 0;
		}
	} else if (!rc) {
		rc = kind_scan(&s);
	}
	/* a REF by path (unix:/run/x.sock) names the object of that name */
	const char *path = s.only[0] == '/' ? s.only : NULL;
	for (size_t i = 0; i < found.n; i++) {
		const struct ipk_object *o = found.v[i];
		/* a name ending in @ns:DIGITS has its own namespace in its REF: scan_add() */
		uint64_t its_ns = 0;
		size_t base = o->kind->family != IPK_FAMILY_FD ? ref_ns_split(o->ref, &its_ns) :
							       strlen(o->ref);
		bool same = strcmp(o->ref, canon) == 0 ||
			    (its_ns && strlen(canon) == base && strncmp(o->ref, canon, base) == 0);
		if (!rc && !*out && (same || (path && obj_name(o) && strcmp(o->name, path) == 0)))
			*out = found.v[i];
		else
			ipk_object_free(found.v[i]);
	}
	free(found.v);
	free(canon);
	if (!rc && *out && want_ns && !ref_has_ns((*out)->ref))
		rc = obj_ref_qualify(*out, want_ns);
	if (!rc && *out) {
		rc = kind_detail(ctx, *out);
		if (rc != -ENOMEM)
			rc = inuse_judge(ctx, *out);
	}
	scan_procs_done(ctx);
	if (rc == -ENOMEM) {
		ipk_object_free(*out);
		*out = NULL;
		return rc;
	}
	return *out ? 0 : -ESRCH;
}

/* One process scan for the holders of every kind among @objs; -ENOMEM only. */
static int again_prepare(struct ipk_ctx *ctx, struct ipk_object *const *objs, size_t n)
{
	struct ipk_filter f = { 0 };

	for (size_t i = 0; i < n; i++)
		f.kinds |= UINT64_C(1) << ipk_kind_index(objs[i]->kind);
	return f.kinds ? scan_procs_prepare(ctx, &f, NULL) : 0;
}

int ipk_rejudge(struct ipk_ctx *ctx, struct ipk_object *const *objs, size_t n)
{
	if (!ctx || (n && !objs))
		return -EINVAL;
	int rc = again_prepare(ctx, objs, n);
	for (size_t i = 0; i < n && !rc; i++)
		rc = inuse_holders(ctx, objs[i]);
	scan_procs_done(ctx);
	return rc;
}

/* Whether @o was read through another IPC namespace: ipk_lookup() enters it. */
static bool read_elsewhere(const struct ipk_ctx *ctx, const struct ipk_object *o)
{
	uint64_t ns;

	return ctx->ns_mode || ctx->ns_pid || o->ns_pid || ref_ns_split(o->ref, &ns) != strlen(o->ref);
}

int ipk_reread(struct ipk_ctx *ctx, struct ipk_object *const *was, size_t n,
	       struct ipk_object **now)
{
	bool one_by_one = false;
	int rc = 0;

	if (!ctx || (n && (!was || !now)))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		now[i] = NULL;
		one_by_one |= read_elsewhere(ctx, was[i]);
	}
	if (one_by_one) {
		for (size_t i = 0; i < n && !rc; i++) {
			rc = ipk_lookup(ctx, was[i]->ref, &now[i]);
			rc = rc == -ENOMEM ? rc : 0;
		}
	} else {
		rc = again_prepare(ctx, was, n);
		for (size_t i = 0; i < n && !rc; i++) {
			const struct ipk_kind *k = was[i]->kind;
			struct ipk_list found = { 0 };
			struct ipk_scan s = {
				.ctx = ctx, .kind = k, .list = &found,
				.only = was[i]->ref + strlen(k->name) + 1,
			};
			rc = kind_scan(&s);
			for (size_t j = 0; j < found.n; j++) {
				struct ipk_object *o = found.v[j];
				o->arena = NULL;
				if (!rc && !now[i] && strcmp(o->ref, was[i]->ref) == 0)
					now[i] = o;
				else
					ipk_object_free(o);
			}
			free(found.v);
			if (!rc && now[i])
				rc = inuse_judge(ctx, now[i]);
		}
		scan_procs_done(ctx);
	}
	if (rc)
		for (size_t i = 0; i < n; i++) {
			ipk_object_free(now[i]);
			now[i] = NULL;
		}
	return rc;
}
