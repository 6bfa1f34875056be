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

	sysv_set_perm(o, &shm->shm_perm);
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
	/* processes' maps show the shmid as inode; the namespace tells ids apart */
	o->ino = (uint64_t)o->id;
	o->dev = ctx_ipc_ns(s->ctx);
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
	return ctx_wants(ctx, F(RSS) | F(SWAP));
}

static const struct sysv_source shm_source = {
	.proc_file = "shm",
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

extern const struct ipk_kind ipk_kind_sysv_shm;

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
	int id = sysv_get(&ipk_kind_sysv_shm, c, shm_get, no_room, existed, e);
	if (id < 0)
		return id;
	if (asprintf(ref, "sysv-shm:%d", id) < 0) {
		*ref = NULL;
		if (!*existed)
			shmctl(id, IPC_RMID, NULL);
		return err_set(e, ENOMEM, "%s", err_text(ENOMEM));
	}
	return 0;
}

/* In use while attached: the kernel's count, read right before the removal. */
static int shm_remove(struct ipk_ctx *ctx, const struct ipk_object *o, unsigned flags,
		      struct ipk_error *e)
{
	struct ipk_object now;
	int rc = sysv_still(&shm_source, o, &now, e);

	if (!rc)
		rc = may_remove_sysv(ctx, &now, e);

	if (!rc && !(flags & IPK_RM_FORCE) && now.nattch > 0) {
		char how[64];
		snprintf(how, sizeof(how), "attached %" PRIu64 " time%s%s", now.nattch,
			 now.nattch == 1 ? "" : "s", o->nholders ? ", by" : "");
		rc = refuse_in_use(ctx, o, how, e);
	}
	if (rc || (flags & IPK_RM_CHECK))
		return rc;
	if (shmctl((int)o->id, IPC_RMID, NULL) < 0)
		return err_kernel(ctx, &now, errno, e);
	return 0;
}

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

static const struct scn_op sysv_shm_ops[] = {
	{ "attach", "shmat(2); readonly: true attaches it SHM_RDONLY", scn_attach_params, 0,
	  sshm_attach, "- attach: seg" },
	{ "detach", "shmdt(2)", NULL, 0, sshm_detach, "- detach: seg" },
	{ "write", "write data: or a size: pattern at offset: (attached for the step if not)",
	  scn_mem_rw_params, SCN_IN_DATA, sshm_write,
	  "- write: { to: seg, offset: 0, data: \"{index}\" }" },
	{ "read", "read size: bytes at offset: (without size: a string up to its NUL)",
	  scn_mem_read_params, SCN_OUT_DATA, sshm_read, "- read: { from: seg, expect: \"?\" }" },
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

const struct ipk_kind ipk_kind_sysv_shm = {
	.name = "sysv-shm",
	.alias = "shm",
	.description = "System V shared memory segment",
	.family = IPK_FAMILY_SYSV,
	.holder_class = HELD_SYSV_SHM,
	.holder_procs = PROCS_MAPS,
	.fields = SYSV_FIELDS | F(SIZE) | F(NATTCH) | F(HOLDERS) | F(CPID) | F(LPID) |
		  F(ATIME) | F(DTIME) | F(RSS) | F(SWAP),
	.ref_arg = ref_arg_sysv_id,
	.scan = shm_scan,
	.create_attrs = IPK_ATTR_BIT(IPK_ATTR_KEY) | IPK_ATTR_BIT(IPK_ATTR_MODE) |
			IPK_ATTR_BIT(IPK_ATTR_SIZE),
	.create = shm_create,
	.remove = shm_remove,
	.scenario = &sysv_shm_scenario,
};
