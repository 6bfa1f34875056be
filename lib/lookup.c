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
	struct ipk_scan s = {
		.ctx = ctx, .kind = k, .list = &found,
		.only = canon + strlen(k->name) + 1,
	};
	rc = scan_procs_prepare(ctx, NULL, k);
	const struct proc *target = ctx->ns_pid && ctx->procs ? procs_pid(ctx->procs, ctx->ns_pid)
							      : NULL;
	if (!rc && target && target->ipc_ns != ctx_ipc_ns(ctx) && k->family != IPK_FAMILY_FD) {
		/* a named kind of the namespace of --ns PID, read from inside it */
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
