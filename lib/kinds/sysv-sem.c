/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sysv-sem: System V semaphore arrays (struct semid64_ds, struct sem). */
#include "../internal.h"

#include <stdlib.h>
#include <sys/sem.h>

/* semctl(2): the caller must define it. */
union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
	struct seminfo *__buf;
};

static const struct sysv_column sem_columns[] = {
	{ "key", IPK_F_KEY, 10 },
	{ "semid", IPK_F_ID, 10 },
	{ "perms", IPK_F_PERMS, 8 },
	{ "nsems", IPK_F_NSEMS, 10 },
	{ "uid", IPK_F_UID, 10 },
	{ "gid", IPK_F_GID, 10 },
	{ "cuid", IPK_F_CUID, 10 },
	{ "cgid", IPK_F_CGID, 10 },
	{ "otime", IPK_F_ATIME, 10 },
	{ "ctime", IPK_F_CTIME, 10 },
};

/* An array removed while we read it is dropped, not reported. */
static bool gone(int err)
{
	return err == EIDRM || err == EINVAL;
}

/* Every value of the array with one GETALL; > 0 when the array is gone. */
static int sem_read_values(struct ipk_object *o)
{
	size_t n = o->nsems;
	unsigned short small[64];

	if (!n) {
		obj_set_list(o, IPK_F_VALUE, obj_alloc_list(o, 0), 0);
		return 0;
	}
	unsigned short *raw = n <= ARRAY_SIZE(small) ? small : calloc(n, sizeof(*raw));
	if (!raw)
		return -ENOMEM;
	int err = semctl((int)o->id, 0, GETALL, (union semun){ .array = raw }) < 0 ? errno : 0;
	int64_t *v = err ? NULL : obj_alloc_list(o, n);
	if (v)
		for (size_t i = 0; i < n; i++)
			v[i] = raw[i];
	if (raw != small)
		free(raw);
	if (err && gone(err))
		return 1;
	if (err) {
		obj_set_noaccess(o, IPK_F_VALUE);
		return 0;
	}
	if (!v)
		return -ENOMEM;
	obj_set_list(o, IPK_F_VALUE, v, n);
	return 0;
}

/* Values come from the live kernel only: frozen copies have none. */
static int sem_finish(struct ipk_scan *s, struct ipk_object *o)
{
	return s->ctx->live && ctx_wants(s->ctx, F(VALUE)) ? sem_read_values(o) : 0;
}

/* Per semaphore: waiters for an increase, for zero, and the last pid. */
static int sem_detail(struct ipk_ctx *ctx, struct ipk_object *o)
{
	static const struct {
		int field, cmd;
	} per_sem[] = {
		{ IPK_F_SEMNCNT, GETNCNT },
		{ IPK_F_SEMZCNT, GETZCNT },
		{ IPK_F_SEMPID, GETPID },
	};
	size_t n = o->nsems;

	if (!ctx->live)
		return 0;
	if (!obj_has(o, IPK_F_VALUE) && !(o->noaccess & F(VALUE))) {
		int rc = sem_read_values(o);
		if (rc)
			return rc < 0 ? rc : 0;
	}
	for (size_t f = 0; f < ARRAY_SIZE(per_sem); f++) {
		int64_t *v = obj_alloc_list(o, n);
		if (!v)
			return -ENOMEM;
		for (size_t i = 0; i < n; i++) {
			int r = semctl((int)o->id, (int)i, per_sem[f].cmd);
			if (r < 0) {
				if (!o->arena)	/* arena memory goes with the listing */
					free(v);
				v = NULL;
				break;
			}
			v[i] = r;
		}
		if (v)
			obj_set_list(o, per_sem[f].field, v, n);
		else
			obj_set_noaccess(o, per_sem[f].field);
	}
	return 0;
}

/*
 * Live, SEM_STAT_ANY and GETALL are two calls per array, where the
 * /proc/sysvipc/sem path is the same GETALL plus formatting and parsing
 * text; the file is read from frozen copies.
 */
static int sem_max_index(void)
{
	struct seminfo info;

	return semctl(0, 0, IPC_INFO, (union semun){ .__buf = &info });
}

static int sem_stat_index(int idx, union sysv_ds *ds)
{
	return semctl(idx, 0, SEM_STAT_ANY, (union semun){ .buf = (struct semid_ds *)(void *)ds });
}

static void sem_fill(struct ipk_object *o, const union sysv_ds *ds)
{
	const struct semid_ds *sem = (const struct semid_ds *)(const void *)ds;

	sysv_set_perm(o, &sem->sem_perm);
	obj_set_unum(o, IPK_F_NSEMS, sem->sem_nsems);
	sysv_set_time(o, IPK_F_ATIME, sem->sem_otime);
	sysv_set_time(o, IPK_F_CTIME, sem->sem_ctime);
}

static const struct sysv_source sem_source = {
	.proc_file = "sem",
	.columns = sem_columns,
	.ncolumns = ARRAY_SIZE(sem_columns),
	.max_index = sem_max_index,
	.stat_index = sem_stat_index,
	.fill = sem_fill,
	.finish = sem_finish,
};

static int sem_scan(struct ipk_scan *s)
{
	return sysv_scan(s, &sem_source);
}

const struct ipk_kind ipk_kind_sysv_sem = {
	.name = "sysv-sem",
	.alias = "sem",
	.description = "System V semaphore array",
	.family = IPK_FAMILY_SYSV,
	.fields = SYSV_FIELDS | F(VALUE) | F(ATIME) | F(NSEMS) | F(SEMNCNT) |
		  F(SEMZCNT) | F(SEMPID),
	.value_is_list = true,
	.ref_arg = ref_arg_sysv_id,
	.scan = sem_scan,
	.detail = sem_detail,
};
