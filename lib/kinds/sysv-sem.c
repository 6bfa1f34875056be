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

	if (!n) {
		obj_set_list(o, IPK_F_VALUE, NULL, 0);
		return 0;
	}
	unsigned short *raw = calloc(n, sizeof(*raw));
	int64_t *v = calloc(n, sizeof(*v));
	if (!raw || !v) {
		free(raw);
		free(v);
		return -ENOMEM;
	}
	if (semctl((int)o->id, 0, GETALL, (union semun){ .array = raw }) < 0) {
		int err = errno;
		free(raw);
		free(v);
		if (gone(err))
			return 1;
		obj_set_noaccess(o, IPK_F_VALUE);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = raw[i];
	free(raw);
	obj_set_list(o, IPK_F_VALUE, v, n);
	return 0;
}

static int sem_finish(struct ipk_scan *s, struct ipk_object *o)
{
	return s->ctx->live ? sem_read_values(o) : 0;
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
		int64_t *v = calloc(n ? n : 1, sizeof(*v));
		if (!v)
			return -ENOMEM;
		for (size_t i = 0; i < n; i++) {
			int r = semctl((int)o->id, (int)i, per_sem[f].cmd);
			if (r < 0) {
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

static int sem_stat_any_scan(struct ipk_scan *s)
{
	struct seminfo info;
	int max = semctl(0, 0, SEM_INFO, (union semun){ .__buf = &info });
	int rc = 0;

	if (max < 0) {
		ctx_diag(s->ctx, errno, "read", "semctl(SEM_INFO)");
		return 0;
	}
	for (int idx = 0; idx <= max && !rc; idx++) {
		struct semid_ds ds;
		int id = semctl(idx, 0, SEM_STAT_ANY, (union semun){ .buf = &ds });
		if (id < 0)
			continue;
		struct ipk_object *o = obj_new(s->kind);
		if (!o)
			return -ENOMEM;
		int skip = sysv_set_id(s, o, id);
		if (skip) {
			ipk_object_free(o);
			rc = skip < 0 ? skip : 0;
			continue;
		}
		sysv_set_perm(o, &ds.sem_perm);
		obj_set_unum(o, IPK_F_NSEMS, ds.sem_nsems);
		sysv_set_time(o, IPK_F_ATIME, ds.sem_otime);
		sysv_set_time(o, IPK_F_CTIME, ds.sem_ctime);
		int drop = sem_finish(s, o);
		if (drop) {
			ipk_object_free(o);
			rc = drop < 0 ? drop : 0;
			continue;
		}
		rc = scan_add(s, o);
	}
	return rc;
}

static int sem_scan(struct ipk_scan *s)
{
	int rc = sysv_proc_scan(s, "sem", sem_columns, ARRAY_SIZE(sem_columns), sem_finish);

	if (rc == -ENOENT && s->ctx->live)
		return sem_stat_any_scan(s);
	if (rc == -ENOENT)
		ctx_diag(s->ctx, ENOENT, "read", "/proc/sysvipc/sem");
	return rc == -ENOENT ? 0 : rc;
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
