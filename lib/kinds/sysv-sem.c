/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sysv-sem: System V semaphore arrays (struct semid64_ds, struct sem). */
#include "../internal.h"
#include "../scenario/scn.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <sys/sem.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <limits.h>

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
int sysv_sem_values(struct ipk_object *o)
{
	size_t n = obj_unum(o, IPK_F_NSEMS);
	unsigned short small[64];

	if (!n) {
		int64_t *none = obj_alloc_list(o, 0);
		return none ? obj_set_list(o, IPK_F_VALUE, none, 0) : -ENOMEM;
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
	return obj_set_list(o, IPK_F_VALUE, v, n);
}

/* Values come from the live kernel only: frozen copies have none. */
static int sem_finish(struct ipk_scan *s, struct ipk_object *o)
{
	return s->ctx->live && ctx_wants(s->ctx, IPK_F_VALUE) ? sysv_sem_values(o) : 0;
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
	size_t n = obj_unum(o, IPK_F_NSEMS);

	if (!ctx->live)
		return 0;
	if (!obj_has(o, IPK_F_VALUE) && !obj_noaccess_has(o, IPK_F_VALUE)) {
		int rc = sysv_sem_values(o);
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
				obj_free_list(o, v);
				v = NULL;
				break;
			}
			v[i] = r;
		}
		if (v && obj_set_list(o, per_sem[f].field, v, n))
			return -ENOMEM;
		if (!v)
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

	sysv_set_perm(o, &sem->sem_perm, false);
	obj_set_unum(o, IPK_F_NSEMS, sem->sem_nsems);
	sysv_set_time(o, IPK_F_ATIME, sem->sem_otime);
	sysv_set_time(o, IPK_F_CTIME, sem->sem_ctime);
}

/* semop sets otime, SETVAL and SETALL ctime: the values move with one of them */
static int64_t sem_moved_at(const union sysv_ds *ds)
{
	const struct semid_ds *sem = (const struct semid_ds *)(const void *)ds;

	return sem->sem_otime > sem->sem_ctime ? sem->sem_otime : sem->sem_ctime;
}

static const struct sysv_source sem_source = {
	.proc_file = "sem",
	.columns = sem_columns,
	.ncolumns = ARRAY_SIZE(sem_columns),
	.max_index = sem_max_index,
	.stat_index = sem_stat_index,
	.fill = sem_fill,
	.finish = sem_finish,
	.moved_at = sem_moved_at,
};

static int sem_scan(struct ipk_scan *s)
{
	return sysv_scan(s, &sem_source);
}

extern const struct ipk_kind kind_sysv_sem;

/* The number of semaphores asked for: --nsems, the count of --values, or 1. */
static uint64_t sem_count(const struct ipk_create *c)
{
	if (c->set & IPK_ATTR_BIT(IPK_ATTR_VALUES))
		return c->nvalues;
	return (c->set & IPK_ATTR_BIT(IPK_ATTR_NSEMS)) ? c->nsems : 1;
}

static int sem_get(const struct ipk_create *c, key_t key, int flags)
{
	/* owner write too until the values are set: SETALL needs it */
	int mode = flags & 0777;
	if (flags & IPC_CREAT)
		flags = (flags & ~0777) | mode | 0600;
	return semget(key, (flags & IPC_CREAT) ? (int)sem_count(c) : 0, flags);
}

static int sem_create(struct ipk_ctx *ctx, const struct ipk_create *c, char **ref,
		      bool *existed, struct ipk_error *e)
{
	bool values = c->set & (IPK_ATTR_BIT(IPK_ATTR_VALUE) | IPK_ATTR_BIT(IPK_ATTR_VALUES));
	uint32_t mode = (c->set & IPK_ATTR_BIT(IPK_ATTR_MODE)) ? c->mode : 0600;
	uint64_t n = sem_count(c), max = 0;
	char no_room[96];
	int rc;

	if ((c->set & IPK_ATTR_BIT(IPK_ATTR_VALUES)) && (c->set & IPK_ATTR_BIT(IPK_ATTR_NSEMS)) &&
	    c->nsems != c->nvalues)
		return err_set(e, EINVAL, "nsems %" PRIu64 " but %zu values", c->nsems, c->nvalues);
	if ((c->set & IPK_ATTR_BIT(IPK_ATTR_VALUES)) && (c->set & IPK_ATTR_BIT(IPK_ATTR_VALUE)))
		return err_set(e, EINVAL, "value and values: give one");
	if (n == 0)
		return err_set(e, EINVAL, "nsems 0: an array holds at least one semaphore");
	if ((rc = check_limit(ctx, "nsems", n, "SEMMSL", e)))
		return rc;
	for (uint64_t i = 0; values && i < n; i++) {
		int64_t v = (c->set & IPK_ATTR_BIT(IPK_ATTR_VALUES)) ? c->values[i] : c->value;
		if (v < 0)
			return err_set(e, EINVAL, "value %" PRId64 ": semaphores are not negative", v);
		if ((rc = check_limit(ctx, "value", (uint64_t)v, "SEMVMX", e)))
			return rc;
	}
	limit_value(ctx, "SEMMNI", &max);
	snprintf(no_room, sizeof(no_room),
		 "SEMMNI in kernel.sem (%" PRIu64 ") arrays exist, or SEMMNS is used up", max);
	int id = sysv_get(&kind_sysv_sem, c, sem_get, no_room, existed, e);
	if (id < 0)
		return id;
	if (!*existed) {
		unsigned short small[64], *raw = n <= ARRAY_SIZE(small) ? small : calloc(n, 2);
		rc = raw ? 0 : err_set(e, ENOMEM, "%s", ipk_strerror(ENOMEM));
		for (uint64_t i = 0; !rc && values && i < n; i++)
			raw[i] = (unsigned short)((c->set & IPK_ATTR_BIT(IPK_ATTR_VALUES)) ?
						  c->values[i] : c->value);
		if (!rc && values && semctl(id, 0, SETALL, (union semun){ .array = raw }) < 0)
			rc = err_set(e, errno, "cannot set the values: %s", ipk_strerror(errno));
		if (raw != small)
			free(raw);
		struct semid_ds ds = { 0 };
		ds.sem_perm.uid = geteuid();
		ds.sem_perm.gid = getegid();
		ds.sem_perm.mode = mode;
		if (!rc && (mode & 0600) != 0600 &&
		    semctl(id, 0, IPC_SET, (union semun){ .buf = &ds }) < 0)
			rc = err_set(e, errno, "cannot set mode %03o: %s", mode, ipk_strerror(errno));
		if (rc) {
			semctl(id, 0, IPC_RMID);
			return rc;
		}
	}
	char arg[24];
	fmt_i64(arg, id);
	if (!(*ref = ref_make(&kind_sysv_sem, arg))) {
		if (!*existed)
			semctl(id, 0, IPC_RMID);
		return err_set(e, ENOMEM, "%s", ipk_strerror(ENOMEM));
	}
	return 0;
}

/*
 * In use while a process waits on it or the last process to operate on
 * one of its semaphores runs, read fresh: the listing reads no waiters.
 * An array whose semaphores we may not read is judged by nothing.
 */
static int sem_remove(struct ipk_ctx *ctx, const struct ipk_object *o, unsigned flags,
		      struct ipk_error *e)
{
	struct ipk_object now;
	const struct ipk_object *cur;
	int rc = sysv_still(&sem_source, o, flags, &now, &cur, e);

	if (!rc)
		rc = may_remove_sysv(ctx, cur, e);
	int id = (int)o->id;
	uint64_t nsems = obj_unum(cur, IPK_F_NSEMS);
	/* the last operators already found dead: most arrays have one for all */
	int64_t dead[4];
	size_t ndead = 0;

	for (uint64_t i = 0; !rc && !(flags & IPK_RM_FORCE) && i < nsems; i++) {
		int waiting = semctl(id, (int)i, GETNCNT), zero = semctl(id, (int)i, GETZCNT);
		if (waiting > 0 || zero > 0) {
			rc = err_set(e, EBUSY, "in use: %d process%s wait%s on semaphore %" PRIu64,
				     waiting + zero, waiting + zero == 1 ? "" : "es",
				     waiting + zero == 1 ? "s" : "", i);
			break;
		}
		const struct obj_user last = { semctl(id, (int)i, GETPID), cur->atime,
					       "last operator" };
		bool known = false;
		for (size_t d = 0; d < ndead && !known; d++)
			known = dead[d] == last.pid;
		if (known)
			continue;
		rc = refuse_live_users(&last, 1, e);
		if (!rc && ndead < ARRAY_SIZE(dead))
			dead[ndead++] = last.pid;
	}
	if (!rc && !(flags & IPK_RM_CHECK) && semctl(id, 0, IPC_RMID) < 0)
		rc = err_kernel(ctx, cur, errno, e);
	obj_clear(&now);
	return rc;
}

/* A process blocked in semop or semtimedop waits on the array of its first argument. */
static unsigned sem_claim_wait(const struct held_probe *p, long nr, const uint64_t args[6],
			       struct held *h)
{
	if ((nr != SYS_semop && nr != SYS_semtimedop) || args[0] > INT_MAX)
		return 0;
	h->dev = p->proc->ipc_ns;
	h->ino = args[0];
	return HOLD_CLAIMED;
}

/* seminfo under SEM_INFO: semusz is the arrays in use, semaem the semaphores. */
static void sem_limits_read(struct ipk_ctx *ctx, struct ipk_limit *rows)
{
	struct seminfo info;

	if (!ctx->live || semctl(0, 0, SEM_INFO, (union semun){ .__buf = &info }) < 0)
		return;
	rows[0].has_used = true;
	rows[0].used = (uint64_t)info.semusz;
	rows[2].has_used = true;
	rows[2].used = (uint64_t)info.semaem;
}

static const struct limit_def sem_limits[] = {
	{ "SEMMNI", "number of semaphore arrays", "kernel.sem (field 4)", IPK_UNIT_COUNT,
	  "kernel/sem", 3, 0, false, false },
	{ "SEMMSL", "semaphores per array", "kernel.sem (field 1)", IPK_UNIT_COUNT,
	  "kernel/sem", 0, 0, false, false },
	{ "SEMMNS", "semaphores in all arrays", "kernel.sem (field 2)", IPK_UNIT_COUNT,
	  "kernel/sem", 1, 0, false, false },
	{ "SEMOPM", "operations per semop call", "kernel.sem (field 3)", IPK_UNIT_COUNT,
	  "kernel/sem", 2, 0, false, false },
	{ "SEMVMX", "largest semaphore value", "kernel", IPK_UNIT_COUNT, NULL, 0, 32767,
	  false, false },
};

/* ----------------------------------------------------------- scenarios */

#define SEMS_MAX	64	/* semaphores one step operates on together */

static int ssem_handle(struct scn_worker *w, const struct scn_obj *o, struct scn_handle *h)
{
	(void)w;
	h->id = o->id;
	return 0;
}

/* One semop(2) over the semaphores of sem: (0 by default), each by @op. */
static int ssem_op(struct scn_exec *x, bool wait)
{
	int64_t sems[SEMS_MAX], count;
	struct sembuf ops[SEMS_MAX];
	int n = scn_has(x, A_SEM) ? scn_ints(x, A_SEM, sems, SEMS_MAX) : 1;
	int rc = scn_int(x, A_COUNT, 1, &count);

	if (!scn_has(x, A_SEM))
		sems[0] = 0;
	if (n < 0 || rc)
		return n < 0 ? n : rc;
	if (x->h->id < 0)
		return -EIDRM;
	if (count < 0 || count > SHRT_MAX)
		return -ERANGE;
	short op = wait ? (scn_bool(x, A_ZERO) ? 0 : (short)-count) : (short)count;
	for (int i = 0; i < n; i++) {
		if (sems[i] < 0 || sems[i] > USHRT_MAX)
			return -EFBIG;
		ops[i] = (struct sembuf){ .sem_num = (unsigned short)sems[i], .sem_op = op,
					  .sem_flg = scn_bool(x, A_UNDO) ? SEM_UNDO : 0 };
	}
	/* zeros: in the same semop, semaphores that must be 0 (a writer's flag). */
	int64_t zeros[SEMS_MAX];
	int nz = scn_has(x, A_ZEROS) ? scn_ints(x, A_ZEROS, zeros, SEMS_MAX - (size_t)n) : 0;
	if (nz < 0)
		return nz;
	for (int i = 0; i < nz; i++) {
		if (zeros[i] < 0 || zeros[i] > USHRT_MAX)
			return -EFBIG;
		ops[n + i] = (struct sembuf){ .sem_num = (unsigned short)zeros[i], .sem_op = 0 };
	}
	scn_note_sem(x, (int)sems[0]);
	return xport_semop(x->h->id, ops, (size_t)(n + nz), &x->wait);
}

static int ssem_post(struct scn_exec *x)
{
	return ssem_op(x, false);
}

static int ssem_wait(struct scn_exec *x)
{
	return ssem_op(x, true);
}

/* The one semaphore of a semctl(2) (0 by default), as the kernel judges one outside the array. */
static int ssem_one(struct scn_exec *x, int64_t *sem)
{
	int rc = scn_int(x, A_SEM, 0, sem);

	if (rc)
		return rc;
	if (*sem < 0 || *sem > INT_MAX)
		return -EINVAL;
	return x->h->id < 0 ? -EIDRM : 0;
}

static int ssem_set(struct scn_exec *x)
{
	int64_t sem, v;
	int rc = ssem_one(x, &sem);

	if (!rc)
		rc = scn_int(x, A_VALUE, 0, &v);
	if (rc)
		return rc;
	/* what the kernel says of a value past SEMVMX, before a cast could wrap it */
	if (v < INT_MIN || v > INT_MAX)
		return -ERANGE;
	return semctl(x->h->id, (int)sem, SETVAL, (int)v) < 0 ? -errno : 0;
}

static int ssem_get(struct scn_exec *x)
{
	int64_t sem;
	int rc = ssem_one(x, &sem);

	if (rc)
		return rc;
	int v = semctl(x->h->id, (int)sem, GETVAL);
	if (v < 0)
		return -errno;
	x->value = v;
	x->has_value = true;
	return 0;
}

static int ssem_open(struct scn_exec *x)
{
	if (!(x->o->c.set & IPK_ATTR_BIT(IPK_ATTR_KEY)))
		return x->h->id >= 0 ? 0 : -ENOENT;
	int id = semget(x->o->c.key, 0, 0);
	if (id < 0)
		return -errno;
	x->h->id = id;
	return 0;
}

static int ssem_close(struct scn_exec *x)
{
	if (x->h->id < 0)
		return -EBADF;
	x->h->id = -1;
	return 0;
}

static int ssem_rmid(struct scn_exec *x)
{
	if (x->h->id < 0)
		return -EIDRM;
	return semctl(x->h->id, 0, IPC_RMID) < 0 ? -errno : 0;
}

#define SSEM_SEM	{ "sem", SP_INTS, A_SEM, NULL, "the semaphore, or a list done at once (0)" }

#define SSEM_ZEROS { "zeros", SP_INTS, A_ZEROS, NULL, \
		     "semaphores that must be 0, in the same semop (all at once)" }

static const struct scn_param ssem_post_params[] = {
	SSEM_SEM,
	SCN_P_COUNT,
	{ "undo", SP_BOOL, A_UNDO, NULL, "SEM_UNDO: taken back when the process ends" },
	SSEM_ZEROS,
	SCN_P_LAST,
};

static const struct scn_param ssem_wait_params[] = {
	SSEM_SEM,
	SCN_P_COUNT,
	{ "zero", SP_BOOL, A_ZERO, NULL, "wait until it is 0 instead" },
	{ "undo", SP_BOOL, A_UNDO, NULL, "SEM_UNDO: given back when the process ends" },
	SSEM_ZEROS,
	SCN_P_LAST,
};

static const struct scn_param ssem_set_params[] = {
	{ "sem", SP_INT, A_SEM, NULL, "the semaphore (0)" },
	SCN_P_VALUE,
	SCN_P_LAST,
};

static const struct scn_param ssem_get_params[] = {
	{ "sem", SP_INT, A_SEM, NULL, "the semaphore (0)" },
	SCN_P_LAST,
};

static const struct scn_op sysv_sem_ops[] = {
	{ "post", "semop(2) +count: on sem: (a list: all at once)", ssem_post_params, SCN_BLOCKS,
	  ssem_post, "- post: { to: forks, sem: \"{index}\" }" },
	{ "wait", "semop(2) -count: on sem:, or zero: true to wait for 0", ssem_wait_params,
	  SCN_BLOCKS, ssem_wait,
	  "- wait: { on: forks, sem: [\"{index}\", \"{(index + 1) % processes}\"] }" },
	{ "set", "semctl(2) SETVAL", ssem_set_params, 0, ssem_set,
	  "- set: { on: forks, sem: 2, value: 1 }" },
	{ "get", "semctl(2) GETVAL", ssem_get_params, SCN_OUT_VALUE, ssem_get,
	  "- get: { on: forks, sem: 2, expect: 1 }" },
	{ "open", "semget(2) its key again", NULL, 0, ssem_open, "- open: forks" },
	{ "close", "forget its id in this process", NULL, 0, ssem_close, "- close: forks" },
	{ "remove", "IPC_RMID: gone at once, waiters wake with EIDRM", NULL, 0, ssem_rmid,
	  "- remove: forks" },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};

static const struct scn_type sysv_sem_scenario = {
	.name = "sysv-sem",
	.help = "a System V semaphore array, made as ipc-mk makes it",
	.flags = SCN_T_NAMED,
	.ops = sysv_sem_ops,
	.handle = ssem_handle,
};

/* ----------------------------------------------------------- actions */

static int sem_act(struct ipk_ctx *ctx, const struct kind_act *a)
{
	struct ipk_value n;

	ipk_object_get(a->o, IPK_F_NSEMS, &n);
	if (n.presence == IPK_PRESENT && a->member >= (uint64_t)n.i)
		return err_set(a->e, EINVAL, "no semaphore %zu: the array has %lld", a->member,
			       (long long)n.i);
	struct sembuf op = {
		.sem_num = (unsigned short)a->member,
		.sem_op = a->what == IPK_ACTION_POST ? 1 : -1,
		.sem_flg = IPC_NOWAIT,
	};
	if (semop((int)a->o->id, &op, 1) == 0)
		return 0;
	if (errno == EAGAIN)
		return err_set(a->e, EAGAIN, "semaphore %zu is 0: a wait would block", a->member);
	return err_kernel(ctx, a->o, errno, a->e);
}

const struct ipk_kind kind_sysv_sem = {
	.name = "sysv-sem",
	.alias = "sem",
	.description = "System V semaphore array",
	.family = IPK_FAMILY_SYSV,
	.fields = FIELDS(SYSV_FIELDS, IPK_F_VALUE, IPK_F_ATIME, IPK_F_HOLDERS, IPK_F_NSEMS,
			 IPK_F_SEMNCNT, IPK_F_SEMZCNT, IPK_F_SEMPID),
	/* its holders are the processes blocked on it */
	.holders = HOLDERS_CLAIMED,
	.holder_procs = PROCS_WAITS,
	.claim_wait = sem_claim_wait,
	.value_is_list = true,
	.ref_arg = ref_arg_sysv_id,
	.scan = sem_scan,
	.detail = sem_detail,
	.same_fields = FIELDS(SYSV_SAME_FIELDS, IPK_F_NSEMS),
	.limits = sem_limits,
	.nlimits = ARRAY_SIZE(sem_limits),
	.limits_read = sem_limits_read,
	.create_attrs = IPK_ATTR_BIT(IPK_ATTR_KEY) | IPK_ATTR_BIT(IPK_ATTR_MODE) |
			IPK_ATTR_BIT(IPK_ATTR_NSEMS) | IPK_ATTR_BIT(IPK_ATTR_VALUE) |
			IPK_ATTR_BIT(IPK_ATTR_VALUES),
	.create = sem_create,
	.remove = sem_remove,
	.scenario = &sysv_sem_scenario,
	.actions = KIND_ACTS_SEM,
	.act = sem_act,
	.identity = { .by = IDENT_SYSV, .fixed = F(KEY) | F(CUID) | F(CGID) | F(NSEMS),
		      .rising = F(CTIME) | F(ATIME) },
};
