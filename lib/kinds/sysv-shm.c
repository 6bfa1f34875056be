/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sysv-shm: System V shared memory segments (struct shmid64_ds). */
#include "../internal.h"

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

static int shm_finish(struct ipk_scan *s, struct ipk_object *o)
{
	(void)s;
	if (o->nattch == 0 && !(o->status & IPK_ST_DEST))
		obj_set_num(o, IPK_F_STATUS, o->status | IPK_ST_ORPHAN);
	return 0;
}

/* One segment by its index, where /proc/sysvipc is missing. */
static int shm_one(struct ipk_scan *s, int idx)
{
	/* zeroed: valgrind does not know that SHM_STAT_ANY fills it */
	struct shmid_ds ds = { 0 };
	int id = shmctl(idx, SHM_STAT_ANY, &ds);

	if (id < 0)
		return 0;	/* a free slot, or gone since */
	struct ipk_object *o = scan_obj_new(s);
	if (!o)
		return -ENOMEM;
	int skip = sysv_set_id(s, o, id);
	if (skip) {
		ipk_object_free(o);
		return skip < 0 ? skip : 0;
	}
	sysv_set_perm(o, &ds.shm_perm);
	obj_set_unum(o, IPK_F_SIZE, ds.shm_segsz);
	obj_set_num(o, IPK_F_CPID, ds.shm_cpid);
	obj_set_num(o, IPK_F_LPID, ds.shm_lpid);
	obj_set_unum(o, IPK_F_NATTCH, ds.shm_nattch);
	sysv_set_time(o, IPK_F_ATIME, ds.shm_atime);
	sysv_set_time(o, IPK_F_DTIME, ds.shm_dtime);
	sysv_set_time(o, IPK_F_CTIME, ds.shm_ctime);
	shm_finish(s, o);
	return scan_add(s, o);
}

/*
 * /proc/sysvipc/shm is the only place with rss and swap: it is read when
 * they are wanted.  Otherwise, and where the file is missing, SHM_STAT_ANY
 * gives the rest in one call per segment, without the kernel formatting
 * and us parsing a line of text per segment (half the cost of a listing).
 */
static int shm_scan(struct ipk_scan *s)
{
	int rc = -ENOENT;

	if (!s->ctx->live || ctx_wants(s->ctx, F(RSS) | F(SWAP)))
		rc = sysv_proc_scan(s, "shm", shm_columns, ARRAY_SIZE(shm_columns), shm_finish);
	if (rc == -ENOENT && s->ctx->live) {
		/* IPC_INFO: SHM_INFO gives the same index but adds up every segment's pages */
		struct shminfo info;
		int max = shmctl(0, IPC_INFO, (struct shmid_ds *)(void *)&info);

		if (max < 0) {
			ctx_diag(s->ctx, errno, "read", "shmctl(IPC_INFO)");
			return 0;
		}
		return sysv_each_index(s, max, shm_one);
	}
	if (rc == -ENOENT)
		ctx_diag(s->ctx, ENOENT, "read", "/proc/sysvipc/shm");
	return rc == -ENOENT ? 0 : rc;
}

const struct ipk_kind ipk_kind_sysv_shm = {
	.name = "sysv-shm",
	.alias = "shm",
	.description = "System V shared memory segment",
	.family = IPK_FAMILY_SYSV,
	.fields = SYSV_FIELDS | F(SIZE) | F(NATTCH) | F(HOLDERS) | F(CPID) | F(LPID) |
		  F(ATIME) | F(DTIME) | F(RSS) | F(SWAP),
	.ref_arg = ref_arg_sysv_id,
	.scan = shm_scan,
};
