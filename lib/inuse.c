/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Who uses an object: its holders from the process scan, NATTCH of the
 * POSIX kinds as the processes that hold it, and the ORPHAN and GONE
 * flags.  The rules are the same for every kind; what differs is where
 * the holders are (the kind's .holders) and who is known to have used it
 * (its .users slot).
 */
#include "internal.h"

/* Whether a live process that started by @t is behind @pid. */
static bool pid_alive_since(const struct proc_index *idx, int64_t pid, int64_t t)
{
	const struct proc *p = pid > 0 ? procs_pid(idx, (pid_t)pid) : NULL;

	return p && proc_started_by(p->start, t);
}

/*
 * GONE: every process known to have used it is dead, or its pid reused.
 * Nothing is concluded from no pid at all.
 */
static bool users_gone(const struct proc_index *idx, const struct ipk_object *o)
{
	struct obj_user users[OBJ_USERS_MAX];
	size_t n = kind_users(o, users);
	bool known = false;

	for (size_t i = 0; i < n; i++) {
		if (users[i].pid <= 0)
			continue;
		known = true;
		if (pid_alive_since(idx, users[i].pid, users[i].since))
			return false;
	}
	return known;
}

/* Whether the process scan read where @k's holders are. */
static bool holders_read(const struct proc_index *idx, const struct ipk_kind *k)
{
	return k->holders != HOLDERS_NONE && (idx->what & k->holder_procs) == k->holder_procs;
}

static const struct held *holders_of(const struct proc_index *idx, const struct ipk_object *o,
				     size_t *n)
{
	const struct ipk_kind *k = o->kind;
	unsigned owner = k->holders == HOLDERS_FILES ? HELD_FILE : (unsigned)ipk_kind_index(k);
	uint64_t dev, ino;

	obj_held_key(o, &dev, &ino);
	return procs_find(idx, owner, dev, ino, n);
}

bool inuse_unheld(const struct ipk_object *o)
{
	return !o->kind->users && obj_has(o, IPK_F_HOLDERS) && !o->nholders;
}

/*
 * Whether no holder means none: a System V object's holders are the
 * kernel's word (nattch) or its users' pids; a POSIX or fd object may be
 * held by a process that could not be read.
 */
static bool unheld_proven(const struct proc_index *idx, const struct ipk_kind *k)
{
	return !idx->unreadable || k->family == IPK_FAMILY_SYSV;
}

/*
 * @o's status with the flags its holders (set) and users imply: flags are
 * only added, what a kind's reading set stays.
 */
static uint32_t judged_status(const struct proc_index *idx, const struct ipk_object *o)
{
	const struct ipk_kind *k = o->kind;
	uint32_t status = o->status;

	/* a process blocked on it uses it, whoever else is gone */
	if (k->users && !o->nholders && users_gone(idx, o)) {
		status |= IPK_ST_GONE;
		/* an attached segment has users, whoever made it */
		if (!kind_has(k, IPK_F_NATTCH))
			status |= IPK_ST_ORPHAN;
	} else if (inuse_unheld(o) && unheld_proven(idx, k)) {
		status |= IPK_ST_ORPHAN;
	}
	return status;
}

int inuse_holders(struct ipk_ctx *ctx, struct ipk_object *o)
{
	const struct proc_index *idx = ctx->procs;
	int rc = 0;

	if (!idx || !idx->nprocs)
		return 0;
	if (holders_read(idx, o->kind)) {
		size_t n;
		const struct held *h = holders_of(idx, o, &n);
		rc = obj_set_holders(o, idx, h, n);
		if (!rc && o->kind->family == IPK_FAMILY_POSIX)
			rc = obj_set_unum(o, IPK_F_NATTCH, o->nprocs);
	}
	return rc;
}

/*
 * ORPHAN is proof: where some processes could not be read
 * (ipk_ctx_unreadable_procs), an object only processes show held is not
 * flagged, however few holders the readable ones show.
 */
int inuse_judge(struct ipk_ctx *ctx, struct ipk_object *o)
{
	const struct proc_index *idx = ctx->procs;

	/* a frozen copy without processes tells nothing of who uses what */
	if (!idx || !idx->nprocs)
		return 0;
	int rc = inuse_holders(ctx, o);
	uint32_t status = judged_status(idx, o);
	if (status != o->status || obj_has(o, IPK_F_STATUS))
		obj_set_num(o, IPK_F_STATUS, status);
	return rc;
}

bool inuse_same(const struct ipk_ctx *ctx, const struct ipk_object *o)
{
	const struct proc_index *idx = ctx->procs;

	if (!idx || !idx->nprocs)
		return true;
	if (holders_read(idx, o->kind)) {
		size_t n;
		const struct held *h = holders_of(idx, o, &n);
		if (!obj_has(o, IPK_F_HOLDERS) || n != o->nholders)
			return false;
		for (size_t i = 0; i < n; i++)
			if (!holder_is(&o->holders[i], idx, &h[i]))
				return false;
	}
	return judged_status(idx, o) == o->status;
}
