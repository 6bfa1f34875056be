/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Creating and removing objects: what every kind shares (attribute checks,
 * limits in words, the namespace an object lives in, whether it is in use,
 * files reached without following links); each kind's create and remove
 * slots do the rest.
 */
#include "internal.h"

#include <stdlib.h>

/* ------------------------------------------------------------ create */

static const char *const attr_names[IPK_ATTR_COUNT] = {
	[IPK_ATTR_KEY] = "key", [IPK_ATTR_MODE] = "mode", [IPK_ATTR_SIZE] = "size",
	[IPK_ATTR_NSEMS] = "nsems", [IPK_ATTR_VALUE] = "value", [IPK_ATTR_VALUES] = "values",
	[IPK_ATTR_MAXMSG] = "maxmsg", [IPK_ATTR_MSGSIZE] = "msgsize",
	[IPK_ATTR_QBYTES] = "qbytes",
};

const char *ipk_attr_name(enum ipk_attr a)
{
	return a < IPK_ATTR_COUNT ? attr_names[a] : NULL;
}

bool ipk_kind_can_create(const struct ipk_kind *k)
{
	return k && k->create != NULL;
}

bool ipk_kind_can_remove(const struct ipk_kind *k)
{
	return k && k->remove != NULL;
}

unsigned ipk_kind_create_attrs(const struct ipk_kind *k)
{
	return k && k->create ? k->create_attrs : 0;
}

bool ipk_kind_create_named(const struct ipk_kind *k)
{
	return k && k->create && k->create_named;
}

int ipk_create(struct ipk_ctx *ctx, const struct ipk_kind *k, const struct ipk_create *c,
	       char **ref, bool *existed, struct ipk_error *e)
{
	if (!ctx || !k || !c || !ref || !existed || !e)
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	*ref = NULL;
	*existed = false;
	if (!k->create)
		return err_set(e, EOPNOTSUPP, "%s objects are not made by name: %s", k->name,
			       k->no_name ? k->no_name : "processes make them");
	if (!ctx->live || ctx->parent)
		return err_set(e, EROFS, "only objects of this system are created");
	for (int a = 0; a < IPK_ATTR_COUNT; a++)
		if ((c->set & IPK_ATTR_BIT(a)) && !(k->create_attrs & IPK_ATTR_BIT(a)))
			return err_set(e, EINVAL, "%s: not an attribute of %s", attr_names[a],
				       k->name);
	if (k->create_named && !c->name)
		return err_set(e, EINVAL, "%s needs a %s", k->name,
			       k->family == IPK_FAMILY_POSIX ? "NAME" : "PATH");
	if (!k->create_named && c->name)
		return err_set(e, EINVAL, "%s objects have no name: select them by --key", k->name);
	if ((c->set & IPK_ATTR_BIT(IPK_ATTR_MODE)) && c->mode > 0777)
		return err_set(e, EINVAL, "mode %o: only permission bits (at most 0777)", c->mode);
	int rc = k->create(ctx, c, ref, existed, e);
	/* a name ending in @ns:DIGITS: its REF names our namespace, as a scan's does */
	uint64_t ns = ctx_ipc_ns(ctx);
	if (!rc && *ref && ns && k->family != IPK_FAMILY_FD && ref_has_ns(*ref)) {
		struct ipk_buf b = { 0 };
		/* out of memory, the REF stays the name: the object is made */
		if (ipk_buf_puts(&b, *ref) == 0 && ref_append_ns(&b, ns) == 0) {
			free(*ref);
			*ref = b.s;
		} else {
			ipk_buf_free(&b);
		}
	}
	return rc;
}

/* --------------------------------------------------------------- remove */

struct ns_remove {
	const struct ipk_object *o;
	unsigned flags;
	struct ipk_error *e;
};

static int remove_in(struct ipk_ctx *sub, void *arg)
{
	struct ns_remove *r = arg;

	return r->o->kind->remove(sub, r->o, r->flags, r->e);
}

int ipk_remove(struct ipk_ctx *ctx, const struct ipk_object *o, unsigned flags,
	       struct ipk_error *e)
{
	if (!ctx || !o || !e)
		return -EINVAL;
	const struct ipk_kind *k = o->kind;

	memset(e, 0, sizeof(*e));
	flags &= ~IPK_RM_FRESH;		/* only ipk_remove_each() knows a read is fresh */
	if (!k->remove)
		return refuse_no_name(ctx, o, k->no_name, e);
	if (!ctx->live)
		return err_set(e, EROFS, "a frozen copy (--sysroot): nothing is removed there");
	if (!o->ns_pid)
		return k->remove(ctx, o, flags, e);

	/* in the IPC namespace of the process it was read through */
	struct ns_remove r = { .o = o, .flags = flags, .e = e };
	bool entered;
	uint64_t ns = obj_has(o, IPK_F_NS) ? o->ns : 0;
	int rc = ns_run(ctx, o->ns_pid, ns, remove_in, &r, &entered);
	if (entered)
		return rc;
	switch (-rc) {
	case ESRCH:
		return err_set(e, ENOENT, "process %d of its namespace is gone", (int)o->ns_pid);
	case ESTALE:
		return err_set(e, ESTALE, "process %d is no longer in its namespace",
			       (int)o->ns_pid);
	}
	return err_set(e, -rc, "cannot enter its IPC namespace: %s", ipk_strerror(-rc));
}

struct each {
	unsigned flags;
	int (*done)(void *arg, const struct ipk_object *o, int rc, const struct ipk_error *e);
	void *arg;
};

/*
 * The sink of a scan by *_STAT_ANY: @o was read this moment, by the call
 * that names its id, and goes now, judged by that read and by the holders
 * the pass over /proc found before the scan.  A process found waiting on
 * or mapping this id did so before the read: it uses this object, or an
 * older one of the same id, and refuses it either way.  Who starts to use
 * it after the pass is missed, as by any removal that reads /proc before
 * it acts.
 */
static int remove_read(struct ipk_scan *s, struct ipk_object *o)
{
	struct each *x = s->sink_arg;
	struct ipk_error e = { 0 };
	int rc = inuse_holders(s->ctx, o);

	if (!rc) {
		rc = o->kind->remove(s->ctx, o, x->flags | IPK_RM_FRESH, &e);
		rc = x->done(x->arg, o, rc, &e);
	}
	ipk_object_free(o);
	/* the object and all it points to were all the arena held */
	arena_reset(&s->list->arena);
	return rc;
}

int ipk_remove_each(struct ipk_ctx *ctx, const struct ipk_kind *const *kinds, size_t n,
		    unsigned flags,
		    int (*done)(void *arg, const struct ipk_object *o, int rc,
				const struct ipk_error *e),
		    void *arg)
{
	struct ipk_filter f = { 0 };

	if (!ctx || !done || (n && !kinds))
		return -EINVAL;
	if (!ctx->live || ctx->parent || ctx->ns_mode || ctx->ns_pid || ctx->via_pid)
		return -EOPNOTSUPP;
	for (size_t i = 0; i < n; i++) {
		if (!kinds[i] || kinds[i]->family != IPK_FAMILY_SYSV || !kinds[i]->remove)
			return -EOPNOTSUPP;
		f.kinds |= UINT64_C(1) << ipk_kind_index(kinds[i]);
	}
	struct each x = { .flags = flags & ~IPK_RM_FRESH, .done = done, .arg = arg };
	/* who holds and waits is what the checks judge by, whatever the caller wants shown */
	struct fieldset wanted = ctx->wanted;
	fieldset_add(&ctx->wanted, IPK_F_HOLDERS);
	/* every read by *_STAT_ANY, never from /proc/sysvipc, which is read ahead */
	bool stat_any = ctx->force_stat_any;
	int rc = n ? scan_procs_prepare(ctx, &f, NULL) : 0;
	ctx->force_stat_any = true;
	for (size_t i = 0; i < n && !rc; i++) {
		struct ipk_list none = { .pooled = true };
		struct ipk_scan s = {
			.ctx = ctx, .kind = kinds[i], .list = &none, .sink = remove_read, .sink_arg = &x,
		};
		rc = kind_scan(&s);
		/* the sink keeps nothing in the list: anything there is freed */
		for (size_t j = 0; j < none.n; j++)
			ipk_object_free(none.v[j]);
		free(none.v);
		ipk_arena_free(&none.arena);
	}
	ctx->force_stat_any = stat_any;
	ctx->wanted = wanted;
	scan_procs_done(ctx);
	return rc;
}

