/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Acting on one object, as ipc-top's keys do: post or wait on a semaphore,
 * send or receive one message.  Nothing here ever blocks (IPC_NOWAIT,
 * O_NONBLOCK, sem_trywait): a wait that would block is -EAGAIN.  A kind
 * that takes actions says which in its descriptor (.actions) and does
 * them (.act); here they are checked and the object is acted on in its
 * own IPC namespace, as ipk_remove() does.
 */
#include "internal.h"

unsigned ipk_kind_actions(const struct ipk_kind *k)
{
	return k ? k->actions : 0;
}

static int act_in(struct ipk_ctx *sub, void *arg)
{
	const struct kind_act *a = arg;

	return a->o->kind->act(sub, a);
}

static int act(struct ipk_ctx *ctx, struct kind_act *a)
{
	const struct ipk_kind *k = a->o->kind;

	if (!k->act || !(k->actions & IPK_ACTION_BIT(a->what)))
		return err_set(a->e, EOPNOTSUPP, "%s objects take no %s", a->o->kind->name,
			       a->what == IPK_ACTION_POST ? "post" :
			       a->what == IPK_ACTION_WAIT ? "wait" :
			       a->what == IPK_ACTION_SEND ? "message sent" : "message received");
	if (!ctx->live)
		return err_set(a->e, EROFS, "a frozen copy (--sysroot): nothing is done there");
	if (!a->o->ns_pid)
		return k->act(ctx, a);
	bool entered;
	uint64_t ns = obj_has(a->o, IPK_F_NS) ? a->o->ns : 0;
	int rc = ns_run(ctx, a->o->ns_pid, ns, act_in, a, &entered);
	if (entered)
		return rc;
	return err_set(a->e, -rc == ESRCH ? ENOENT : -rc, "cannot enter its IPC namespace: %s",
		       ipk_strerror(-rc));
}

int ipk_sem_op(struct ipk_ctx *ctx, const struct ipk_object *o, enum ipk_action what,
	       size_t member, struct ipk_error *e)
{
	if (!ctx || !o || !e || (what != IPK_ACTION_POST && what != IPK_ACTION_WAIT))
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	struct kind_act a = { .o = o, .what = what, .member = member, .e = e };
	return act(ctx, &a);
}

int ipk_msg_send(struct ipk_ctx *ctx, const struct ipk_object *o, const void *data, size_t len,
		 long type, struct ipk_error *e)
{
	if (!ctx || !o || !e || (!data && len))
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	struct kind_act a = { .o = o, .what = IPK_ACTION_SEND, .data = data ? data : "",
			      .len = len, .type = type, .e = e };
	return act(ctx, &a);
}

int ipk_msg_receive(struct ipk_ctx *ctx, const struct ipk_object *o, struct ipk_buf *out,
		    long *type, struct ipk_error *e)
{
	if (!ctx || !o || !out || !e)
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	struct kind_act a = { .o = o, .what = IPK_ACTION_RECEIVE, .out = out, .got_type = type,
			      .e = e };
	return act(ctx, &a);
}
