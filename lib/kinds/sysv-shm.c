/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sysv-shm: System V shared memory segments (struct shmid64_ds). */
#include "../internal.h"
#include "../scenario/scn.h"

#include <inttypes.h>
#include <stdio.h>
#include <sys/shm.h>

static const struct sysv_column shm_columns[] = {
	{ "key", IPK_F_KEY, 10 },
	{ "shmid", IPK_F_ID, 10 },
	{ "perms", IPK_F_PERMS, 8 },
	{ "size", IPK_F_SIZE, 10 },
	{ "cpid", IPK_F_CPID, 10 },
	{ "lpid", IPK_F_LPID, 10 },
	{ "nattch", IPK_F_NATTCH, 10 },
	{ "uid", IPK_F_UID, 10 },
	{ "gid", IPK_F_GID, 10 },
	{ "cuid", IPK_F_CUID, 10 },
	{ "cgid", IPK_F_CGID, 10 },
	{ "atime", IPK_F_ATIME, 10 },
	{ "dtime", IPK_F_DTIME, 10 },
	{ "ctime", IPK_F_CTIME, 10 },
	{ "rss", IPK_F_RSS, 10 },
	{ "swap", IPK_F_SWAP, 10 },
};

/* IPC_INFO: SHM_INFO would give the same index after adding up every segment's pages. */
static int shm_max_index(void)
{
	struct shminfo info;

	return shmctl(0, IPC_INFO, (struct shmid_ds *)(void *)&info);
}

static int shm_stat_index(int idx, union sysv_ds *ds)
{
	return shmctl(idx, SHM_STAT_ANY, (struct shmid_ds *)(void *)ds);
}

static void shm_fill(struct ipk_object *o, const union sysv_ds *ds)
{
	const struct shmid_ds *shm = (const struct shmid_ds *)(const void *)ds;

	sysv_set_perm(o, &shm->shm_perm, true);
	obj_set_unum(o, IPK_F_SIZE, shm->shm_segsz);
	obj_set_num(o, IPK_F_CPID, shm->shm_cpid);
	obj_set_num(o, IPK_F_LPID, shm->shm_lpid);
	obj_set_unum(o, IPK_F_NATTCH, shm->shm_nattch);
	sysv_set_time(o, IPK_F_ATIME, shm->shm_atime);
	sysv_set_time(o, IPK_F_DTIME, shm->shm_dtime);
	sysv_set_time(o, IPK_F_CTIME, shm->shm_ctime);
}

static int shm_finish(struct ipk_scan *s, struct ipk_object *o)
{
	(void)s;
	if (o->nattch == 0 && !(o->status & IPK_ST_DEST))
		obj_set_num(o, IPK_F_STATUS, o->status | IPK_ST_ORPHAN);
	return 0;
}

/*
 * /proc/sysvipc/shm is the only place with rss and swap: it is read when
 * they are wanted.  Otherwise SHM_STAT_ANY gives the rest in one call per
 * segment, without the kernel formatting and us parsing a line of text per
 * segment (half the cost of a listing).
 */
static bool shm_prefer_proc(const struct ipk_ctx *ctx)
{
	return ctx_wants(ctx, IPK_F_RSS) || ctx_wants(ctx, IPK_F_SWAP);
}

static const struct sysv_source shm_source = {
	.proc_file = "shm",
	.shm_mode = true,
	.columns = shm_columns,
	.ncolumns = ARRAY_SIZE(shm_columns),
	.max_index = shm_max_index,
	.stat_index = shm_stat_index,
	.fill = shm_fill,
	.finish = shm_finish,
	.prefer_proc = shm_prefer_proc,
};

static int shm_scan(struct ipk_scan *s)
{
	return sysv_scan(s, &shm_source);
}

extern const struct ipk_kind kind_sysv_shm;

static int shm_get(const struct ipk_create *c, key_t key, int flags)
{
	return shmget(key, (flags & IPC_CREAT) ? c->size : 0, flags);
}

static int shm_create(struct ipk_ctx *ctx, const struct ipk_create *c, char **ref,
		      bool *existed, struct ipk_error *e)
{
	uint64_t mni = 0, all = 0;
	char no_room[128];
	int rc;

	if (!(c->set & IPK_ATTR_BIT(IPK_ATTR_SIZE)))
		return err_set(e, EINVAL, "a segment needs a size (--size)");
	if (c->size == 0)
		return err_set(e, EINVAL, "size 0 is below SHMMIN (1)");
	if ((rc = check_limit(ctx, "size", c->size, "SHMMAX", e)) ||
	    (rc = check_limit(ctx, "size", c->size, "SHMALL", e)))
		return rc;
	limit_value(ctx, "SHMMNI", &mni);
	limit_value(ctx, "SHMALL", &all);
	snprintf(no_room, sizeof(no_room), "kernel.shmmni (%" PRIu64 ") segments exist, or "
		 "kernel.shmall (%" PRIu64 " bytes) is used up", mni, all);
	int id = sysv_get(&kind_sysv_shm, c, shm_get, no_room, existed, e);
	if (id < 0)
		return id;
	char arg[24];
	fmt_i64(arg, id);
	if (!(*ref = ref_make(&kind_sysv_shm, arg))) {
		if (!*existed)
			shmctl(id, IPC_RMID, NULL);
		return err_set(e, ENOMEM, "%s", ipk_strerror(ENOMEM));
	}
	return 0;
}

/* In use while attached: the kernel's count, read right before the removal. */
static int shm_remove(struct ipk_ctx *ctx, const struct ipk_object *o, unsigned flags,
		      struct ipk_error *e)
{
	struct ipk_object now;
	const struct ipk_object *cur;
	int rc = sysv_still(&shm_source, o, flags, &now, &cur, e);

	if (!rc)
		rc = may_remove_sysv(ctx, cur, e);

	if (!rc && !(flags & IPK_RM_FORCE) && cur->nattch > 0) {
		char how[64];
		snprintf(how, sizeof(how), "attached %" PRIu64 " time%s%s", cur->nattch,
			 cur->nattch == 1 ? "" : "s", o->nholders ? ", by" : "");
		rc = refuse_in_use(ctx, o, how, e);
	}
	if (!rc && !(flags & IPK_RM_CHECK) && shmctl((int)o->id, IPC_RMID, NULL) < 0)
		rc = err_kernel(ctx, cur, errno, e);
	obj_clear(&now);
	return rc;
}

/* Its creator and last operator. */
static size_t shm_users(const struct ipk_object *o, struct obj_user *v)
{
	int64_t op = o->atime > o->dtime ? o->atime : o->dtime;

	v[0] = (struct obj_user){ o->cpid, o->ctime, "creator" };
	v[1] = (struct obj_user){ o->lpid, op ? op : o->ctime, "last operator" };
	return 2;
}

/*
 * A claim of the maps scan: "/SYSV<key> (deleted)" with the shmid as its
 * inode.  shmids are per IPC namespace: the process's namespace is the
 * device.
 */
static unsigned shm_claim(const struct held_probe *p, struct held *h)
{
	if (p->fd >= 0 || strncmp(p->link, "/SYSV", 5) != 0)
		return 0;
	h->dev = p->proc->ipc_ns;
	h->ino = p->map_ino;
	return HOLD_CLAIMED;
}

static void shm_limits_read(struct ipk_ctx *ctx, struct ipk_limit *rows)
{
	struct shm_info info;

	if (!ctx->live || shmctl(0, SHM_INFO, (struct shmid_ds *)(void *)&info) < 0)
		return;
	rows[0].has_used = true;
	rows[0].used = (uint64_t)info.used_ids;
	uint64_t bytes;
	if (!__builtin_mul_overflow((uint64_t)info.shm_tot, (uint64_t)ctx->pagesize, &bytes)) {
		rows[1].has_used = true;
		rows[1].used = bytes;
	}
}

static const struct limit_def shm_limits[] = {
	{ "SHMMNI", "number of shared memory segments", "kernel.shmmni", IPK_UNIT_COUNT,
	  "kernel/shmmni", 0, 0, false, false },
	{ "SHMALL", "shared memory in all segments", "kernel.shmall", IPK_UNIT_BYTES,
	  "kernel/shmall", 0, 0, true, false },
	{ "SHMMAX", "largest segment", "kernel.shmmax", IPK_UNIT_BYTES,
	  "kernel/shmmax", 0, 0, false, false },
	{ "SHMMIN", "smallest segment", "kernel", IPK_UNIT_BYTES, NULL, 0, 1, false, false },
};

/* ----------------------------------------------------------- scenarios */

static int sshm_handle(struct scn_worker *w, const struct scn_obj *o, struct scn_handle *h)
{
	(void)w;
	h->id = o->id;
	return 0;
}

static int sshm_size(int id, size_t *len)
{
	struct shmid_ds ds;

	if (shmctl(id, IPC_STAT, &ds) < 0)
		return -errno;
	*len = ds.shm_segsz;
	return 0;
}

static int sshm_attach(struct scn_exec *x)
{
	struct scn_handle *h = x->h;
	bool ro = scn_bool(x, A_READONLY);

	if (h->mem)
		return -EALREADY;
	if (h->id < 0)
		return -EIDRM;
	int rc = sshm_size(h->id, &h->len);
	if (rc)
		return rc;
	void *p = shmat(h->id, NULL, ro ? SHM_RDONLY : 0);
	if (p == (void *)-1)
		return -errno;
	h->mem = p;
	h->ro = ro;
	return 0;
}

static int sshm_detach(struct scn_exec *x)
{
	if (!x->h->mem)
		return -EINVAL;
	int rc = shmdt(x->h->mem) ? -errno : 0;
	x->h->mem = NULL;
	return rc;
}

/* Not attached: attached for the step alone, so NATTCH is what the steps made it. */
static int sshm_io(struct scn_exec *x, bool write)
{
	struct scn_handle *h = x->h;

	if (h->mem)
		return scn_mem_io(x, h->mem, h->len, h->ro, write);
	if (h->id < 0)
		return -EIDRM;
	size_t len = 0;
	int rc = sshm_size(h->id, &len);
	if (rc)
		return rc;
	void *p = shmat(h->id, NULL, write ? 0 : SHM_RDONLY);
	if (p == (void *)-1)
		return -errno;
	rc = scn_mem_io(x, p, len, !write, write);
	shmdt(p);
	return rc;
}

static int sshm_write(struct scn_exec *x)
{
	return sshm_io(x, true);
}

static int sshm_read(struct scn_exec *x)
{
	return sshm_io(x, false);
}

static int sshm_open(struct scn_exec *x)
{
	if (!(x->o->c.set & IPK_ATTR_BIT(IPK_ATTR_KEY)))
		return x->h->id >= 0 ? 0 : -ENOENT;
	int id = shmget(x->o->c.key, 0, 0);
	if (id < 0)
		return -errno;
	x->h->id = id;
	return 0;
}

static int sshm_close(struct scn_exec *x)
{
	if (x->h->id < 0 && !x->h->mem)
		return -EBADF;
	if (x->h->mem)
		shmdt(x->h->mem);
	x->h->mem = NULL;
	x->h->id = -1;
	return 0;
}

static int sshm_rmid(struct scn_exec *x)
{
	if (x->h->id < 0)
		return -EIDRM;
	return shmctl(x->h->id, IPC_RMID, NULL) ? -errno : 0;
}

/* What IPC_STAT says, as a value: the attach count, SHM_DEST (1 or 0), the size. */
static int sshm_get(struct scn_exec *x)
{
	struct shmid_ds ds;
	int64_t field = 0;

	if (x->h->id < 0)
		return -EIDRM;
	scn_int(x, A_FIELD, 0, &field);
	if (shmctl(x->h->id, IPC_STAT, &ds) < 0)
		return -errno;
	x->value = field == 0 ? (int64_t)ds.shm_nattch :
		   field == 1 ? (ds.shm_perm.mode & SHM_DEST) != 0 : (int64_t)ds.shm_segsz;
	x->has_value = true;
	return 0;
}

static const struct scn_param sshm_get_params[] = {
	{ "field", SP_WORD, A_FIELD, "nattch dest size", "what to give (nattch)" },
	SCN_P_LAST,
};

static const struct scn_op sysv_shm_ops[] = {
	{ "attach", "shmat(2); readonly: true attaches it SHM_RDONLY", scn_attach_params, 0,
	  sshm_attach, "- attach: seg" },
	{ "detach", "shmdt(2)", NULL, 0, sshm_detach, "- detach: seg" },
	{ "write", "write data: or a size: pattern at offset: (attached for the step if not)",
	  scn_mem_rw_params, SCN_IN_DATA, sshm_write,
	  "- write: { to: seg, offset: 0, data: \"{index}\" }" },
	{ "read", "read size: bytes at offset: (without size: a string up to its NUL)",
	  scn_mem_read_params, SCN_OUT_DATA, sshm_read, "- read: { from: seg, expect: \"?\" }" },
	{ "get", "shmctl(2) IPC_STAT: field: nattch, dest (1 once removed while attached) or size",
	  sshm_get_params, SCN_OUT_VALUE, sshm_get,
	  "- get: { on: seg, field: dest, expect: 1 }" },
	{ "open", "shmget(2) its key again", NULL, 0, sshm_open, "- open: seg" },
	{ "close", "detach, and forget its id in this process", NULL, 0, sshm_close,
	  "- close: seg" },
	{ "remove", "IPC_RMID: it lives on, marked dest, while attached", NULL, 0, sshm_rmid,
	  "- remove: seg" },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};

static const struct scn_type sysv_shm_scenario = {
	.name = "sysv-shm",
	.help = "a System V shared memory segment, made as ipc-mk makes it",
	.flags = SCN_T_NAMED,
	.ops = sysv_shm_ops,
	.handle = sshm_handle,
};

const struct ipk_kind kind_sysv_shm = {
	.name = "sysv-shm",
	.alias = "shm",
	.description = "System V shared memory segment",
	.family = IPK_FAMILY_SYSV,
	.holders = HOLDERS_CLAIMED,
	.holder_procs = PROCS_MAPS,
	.claim = shm_claim,
	.fields = FIELDS(SYSV_FIELDS, IPK_F_SIZE, IPK_F_NATTCH, IPK_F_HOLDERS, IPK_F_CPID,
			 IPK_F_LPID, IPK_F_ATIME, IPK_F_DTIME, IPK_F_RSS, IPK_F_SWAP),
	.ref_arg = ref_arg_sysv_id,
	.scan = shm_scan,
	.users = shm_users,
	.same_fields = FIELDS(SYSV_SAME_FIELDS, IPK_F_SIZE),
	.limits = shm_limits,
	.nlimits = ARRAY_SIZE(shm_limits),
	.limits_read = shm_limits_read,
	.create_attrs = IPK_ATTR_BIT(IPK_ATTR_KEY) | IPK_ATTR_BIT(IPK_ATTR_MODE) |
			IPK_ATTR_BIT(IPK_ATTR_SIZE),
	.create = shm_create,
	.remove = shm_remove,
	.scenario = &sysv_shm_scenario,
	.identity = { .by = IDENT_SYSV, .fixed = F(KEY) | F(CUID) | F(CGID) | F(CPID) | F(SIZE),
		      .rising = F(CTIME) | F(ATIME) | F(DTIME) },
};
