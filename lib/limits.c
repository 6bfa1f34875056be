/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Kernel limits on IPC objects and how much of each is in use. */
#include "internal.h"

#include <stdlib.h>
#include <sys/msg.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* Where the use of a limit comes from. */
enum usage {
	USE_NONE,
	USE_SHM_SEGMENTS,	/* shm_info.used_ids */
	USE_SHM_PAGES,		/* shm_info.shm_tot */
	USE_MSG_QUEUES,		/* msginfo.msgpool under MSG_INFO */
	USE_SEM_ARRAYS,		/* seminfo.semusz under SEM_INFO */
	USE_SEMS,		/* seminfo.semaem under SEM_INFO */
	USE_MQ_QUEUES,		/* files of the mqueue filesystem */
	USE_MQ_BYTES,		/* what this user's queues charge to RLIMIT_MSGQUEUE */
	USE_DEVSHM_BYTES,
	USE_DEVSHM_FILES,
};

/* Where the limit comes from. */
enum source {
	SRC_SYSCTL,		/* a number in /proc/sys/<path> (the nth word) */
	SRC_CONSTANT,
	SRC_RLIMIT_MSGQUEUE,
	SRC_DEVSHM_BYTES,
	SRC_DEVSHM_FILES,
};

struct limit_def {
	const char *resource;
	const char *description;
	const char *shown;	/* how users name the setting */
	enum source src;
	const char *path;	/* below /proc/sys, for SRC_SYSCTL */
	int word;		/* which number of the file */
	uint64_t constant;
	bool pages;		/* the kernel counts pages: show bytes */
	bool zero_unlimited;	/* 0 means "no limit" */
	enum ipk_unit unit;
	enum usage usage;
};

static const struct limit_def limit_defs[] = {
	{ "MSGMNI", "number of message queues", "kernel.msgmni", SRC_SYSCTL,
	  "kernel/msgmni", 0, 0, false, false, IPK_UNIT_COUNT, USE_MSG_QUEUES },
	{ "MSGMAX", "largest message", "kernel.msgmax", SRC_SYSCTL,
	  "kernel/msgmax", 0, 0, false, false, IPK_UNIT_BYTES, USE_NONE },
	{ "MSGMNB", "bytes a new queue holds", "kernel.msgmnb", SRC_SYSCTL,
	  "kernel/msgmnb", 0, 0, false, false, IPK_UNIT_BYTES, USE_NONE },
	{ "SHMMNI", "number of shared memory segments", "kernel.shmmni", SRC_SYSCTL,
	  "kernel/shmmni", 0, 0, false, false, IPK_UNIT_COUNT, USE_SHM_SEGMENTS },
	{ "SHMALL", "shared memory in all segments", "kernel.shmall", SRC_SYSCTL,
	  "kernel/shmall", 0, 0, true, false, IPK_UNIT_BYTES, USE_SHM_PAGES },
	{ "SHMMAX", "largest segment", "kernel.shmmax", SRC_SYSCTL,
	  "kernel/shmmax", 0, 0, false, false, IPK_UNIT_BYTES, USE_NONE },
	{ "SHMMIN", "smallest segment", "kernel", SRC_CONSTANT,
	  NULL, 0, 1, false, false, IPK_UNIT_BYTES, USE_NONE },
	{ "SEMMNI", "number of semaphore arrays", "kernel.sem (field 4)", SRC_SYSCTL,
	  "kernel/sem", 3, 0, false, false, IPK_UNIT_COUNT, USE_SEM_ARRAYS },
	{ "SEMMSL", "semaphores per array", "kernel.sem (field 1)", SRC_SYSCTL,
	  "kernel/sem", 0, 0, false, false, IPK_UNIT_COUNT, USE_NONE },
	{ "SEMMNS", "semaphores in all arrays", "kernel.sem (field 2)", SRC_SYSCTL,
	  "kernel/sem", 1, 0, false, false, IPK_UNIT_COUNT, USE_SEMS },
	{ "SEMOPM", "operations per semop call", "kernel.sem (field 3)", SRC_SYSCTL,
	  "kernel/sem", 2, 0, false, false, IPK_UNIT_COUNT, USE_NONE },
	{ "SEMVMX", "largest semaphore value", "kernel", SRC_CONSTANT,
	  NULL, 0, 32767, false, false, IPK_UNIT_COUNT, USE_NONE },
	{ "MQ_QUEUES", "number of POSIX message queues", "fs.mqueue.queues_max", SRC_SYSCTL,
	  "fs/mqueue/queues_max", 0, 0, false, false, IPK_UNIT_COUNT, USE_MQ_QUEUES },
	{ "MQ_MSGMAX", "messages per POSIX queue", "fs.mqueue.msg_max", SRC_SYSCTL,
	  "fs/mqueue/msg_max", 0, 0, false, false, IPK_UNIT_COUNT, USE_NONE },
	{ "MQ_MSGSIZEMAX", "largest POSIX message", "fs.mqueue.msgsize_max", SRC_SYSCTL,
	  "fs/mqueue/msgsize_max", 0, 0, false, false, IPK_UNIT_BYTES, USE_NONE },
	{ "MQ_MSGDEFAULT", "messages per queue by default", "fs.mqueue.msg_default", SRC_SYSCTL,
	  "fs/mqueue/msg_default", 0, 0, false, false, IPK_UNIT_COUNT, USE_NONE },
	{ "MQ_MSGSIZEDEFAULT", "message size by default", "fs.mqueue.msgsize_default",
	  SRC_SYSCTL, "fs/mqueue/msgsize_default", 0, 0, false, false, IPK_UNIT_BYTES,
	  USE_NONE },
	{ "MQ_BYTES", "bytes your POSIX queues may take", "RLIMIT_MSGQUEUE (ulimit -q)",
	  SRC_RLIMIT_MSGQUEUE, NULL, 0, 0, false, false, IPK_UNIT_BYTES, USE_MQ_BYTES },
	{ "SHM_FS", "size of /dev/shm", "/dev/shm (mount -o size=)", SRC_DEVSHM_BYTES,
	  NULL, 0, 0, false, false, IPK_UNIT_BYTES, USE_DEVSHM_BYTES },
	{ "SHM_FS_FILES", "files on /dev/shm", "/dev/shm (mount -o nr_inodes=)",
	  SRC_DEVSHM_FILES, NULL, 0, 0, false, false, IPK_UNIT_COUNT, USE_DEVSHM_FILES },
	{ "UNIX_DGRAM_QLEN", "datagrams queued on a unix socket", "net.unix.max_dgram_qlen",
	  SRC_SYSCTL, "net/unix/max_dgram_qlen", 0, 0, false, false, IPK_UNIT_COUNT, USE_NONE },
	{ "PIPE_MAX", "largest pipe buffer", "fs.pipe-max-size", SRC_SYSCTL,
	  "fs/pipe-max-size", 0, 0, false, false, IPK_UNIT_BYTES, USE_NONE },
	{ "PIPE_USER_SOFT", "pipe buffers per user before pipes shrink",
	  "fs.pipe-user-pages-soft", SRC_SYSCTL, "fs/pipe-user-pages-soft", 0, 0, true, true,
	  IPK_UNIT_BYTES, USE_NONE },
	{ "PIPE_USER_HARD", "pipe buffers per user", "fs.pipe-user-pages-hard", SRC_SYSCTL,
	  "fs/pipe-user-pages-hard", 0, 0, true, true, IPK_UNIT_BYTES, USE_NONE },
};

/* The kernel's usage counters, read once. */
struct usage_counts {
	bool shm, msg, sem, mq, devshm;
	struct shm_info shm_info;
	struct msginfo msg_info;
	struct seminfo sem_info;
	uint64_t mq_queues, mq_bytes;
	struct statvfs vfs;
};

static int read_word(struct ipk_ctx *ctx, const char *path, int word, uint64_t *v)
{
	char full[128], *buf, *p, *end;

	snprintf(full, sizeof(full), "/proc/sys/%s", path);
	int rc = ctx_read_file(ctx, full, &buf, NULL);
	if (rc)
		return rc;
	p = buf;
	rc = -EINVAL;
	for (int i = 0; i <= word; i++) {
		errno = 0;
		unsigned long long n = strtoull(p, &end, 10);
		if (errno || end == p)
			break;
		if (i == word) {
			*v = n;
			rc = 0;
		}
		p = end;
	}
	free(buf);
	return rc;
}

/* What the kernel charges a queue to RLIMIT_MSGQUEUE (ipc/mqueue.c). */
uint64_t mq_charge(uint64_t maxmsg, uint64_t msgsize)
{
	const uint64_t msg_msg = 48, tree_node = 48, prio_max = 32768;
	uint64_t bytes, tree;

	if (__builtin_mul_overflow(maxmsg, msgsize, &bytes))
		return UINT64_MAX;
	tree = maxmsg * msg_msg + (maxmsg < prio_max ? maxmsg : prio_max) * tree_node;
	return bytes + tree < bytes ? UINT64_MAX : bytes + tree;
}

static void read_usage(struct ipk_ctx *ctx, struct usage_counts *u)
{
	char path[4096];

	if (ctx->live) {
		union {
			struct seminfo *__buf;
		} arg = { .__buf = &u->sem_info };
		u->shm = shmctl(0, SHM_INFO, (struct shmid_ds *)(void *)&u->shm_info) >= 0;
		u->msg = msgctl(0, MSG_INFO, (struct msqid_ds *)(void *)&u->msg_info) >= 0;
		u->sem = semctl(0, 0, SEM_INFO, arg) >= 0;
	}

	struct ipk_filter f = { 0 };
	ipk_filter_add_kind(&f, ipk_kind_find("posix-mq"));
	size_t saved = ctx->ndiags;
	/* the queues' owners and sizes, not who holds them */
	uint64_t wanted = ctx->wanted;
	ctx->wanted = F(UID) | F(MAXMSG) | F(MSGSIZE);
	struct ipk_list *l = ipk_scan(ctx, &f, 0);
	ctx->wanted = wanted;
	/* The limits table reports what it cannot read in its own way. */
	while (ctx->ndiags > saved) {
		ctx->ndiags--;
		free((char *)ctx->diags[ctx->ndiags].verb);
		free((char *)ctx->diags[ctx->ndiags].object);
	}
	if (l) {
		uid_t me = getuid();
		u->mq = true;
		for (size_t i = 0; i < l->n; i++) {
			const struct ipk_object *o = l->v[i];
			u->mq_queues++;
			if (o->uid == me && obj_has(o, IPK_F_MAXMSG) && obj_has(o, IPK_F_MSGSIZE)) {
				uint64_t c = mq_charge(o->maxmsg, o->msgsize);
				u->mq_bytes = u->mq_bytes + c < u->mq_bytes ? UINT64_MAX
									   : u->mq_bytes + c;
			}
		}
		ipk_list_free(l);
	}
	if (!ctx_path(ctx, "/dev/shm", path, sizeof(path)))
		u->devshm = statvfs(path, &u->vfs) == 0;
}

static bool scale_pages(struct ipk_ctx *ctx, uint64_t *v)
{
	return !__builtin_mul_overflow(*v, (uint64_t)ctx->pagesize, v);
}

static void fill_limit(struct ipk_ctx *ctx, const struct limit_def *d, struct ipk_limit *l)
{
	struct rlimit rl;

	switch (d->src) {
	case SRC_SYSCTL:
		l->has_limit = read_word(ctx, d->path, d->word, &l->limit) == 0;
		break;
	case SRC_CONSTANT:
		l->limit = d->constant;
		l->has_limit = true;
		break;
	case SRC_RLIMIT_MSGQUEUE:
		if (ctx->live && getrlimit(RLIMIT_MSGQUEUE, &rl) == 0) {
			l->has_limit = true;
			l->unlimited = rl.rlim_cur == RLIM_INFINITY;
			l->limit = l->unlimited ? 0 : rl.rlim_cur;
		}
		break;
	case SRC_DEVSHM_BYTES:
	case SRC_DEVSHM_FILES:
		break;	/* filled with the usage, from the same statvfs */
	}
	if (l->has_limit && d->zero_unlimited && l->limit == 0)
		l->unlimited = true;
	if (l->has_limit && !l->unlimited && d->pages && !scale_pages(ctx, &l->limit))
		l->unlimited = true;	/* more than 2^64 bytes: no limit in practice */
}

static void fill_usage(struct ipk_ctx *ctx, const struct limit_def *d,
		       const struct usage_counts *u, struct ipk_limit *l)
{
	uint64_t v = 0;
	bool known = false;

	switch (d->usage) {
	case USE_NONE:
		break;
	case USE_SHM_SEGMENTS:
		known = u->shm;
		v = (uint64_t)u->shm_info.used_ids;
		break;
	case USE_SHM_PAGES:
		known = u->shm;
		v = (uint64_t)u->shm_info.shm_tot;
		known = known && scale_pages(ctx, &v);
		break;
	case USE_MSG_QUEUES:
		known = u->msg;
		v = (uint64_t)u->msg_info.msgpool;
		break;
	case USE_SEM_ARRAYS:
		known = u->sem;
		v = (uint64_t)u->sem_info.semusz;
		break;
	case USE_SEMS:
		known = u->sem;
		v = (uint64_t)u->sem_info.semaem;
		break;
	case USE_MQ_QUEUES:
		known = u->mq;
		v = u->mq_queues;
		break;
	case USE_MQ_BYTES:
		known = u->mq && ctx->live;
		v = u->mq_bytes;
		break;
	case USE_DEVSHM_BYTES:
		if (u->devshm) {
			uint64_t frsize = u->vfs.f_frsize ? u->vfs.f_frsize : u->vfs.f_bsize;
			uint64_t total, avail = 0;
			l->has_limit = !__builtin_mul_overflow((uint64_t)u->vfs.f_blocks, frsize, &total);
			l->limit = total;
			known = l->has_limit &&
				!__builtin_mul_overflow((uint64_t)(u->vfs.f_blocks - u->vfs.f_bfree),
							frsize, &avail);
			v = avail;
		}
		break;
	case USE_DEVSHM_FILES:
		if (u->devshm && u->vfs.f_files) {
			l->has_limit = true;
			l->limit = u->vfs.f_files;
			known = true;
			v = u->vfs.f_files - u->vfs.f_ffree;
		}
		break;
	}
	l->has_used = known;
	l->used = known ? v : 0;
}

int ipk_limits(struct ipk_ctx *ctx, struct ipk_limit **out, size_t *n)
{
	struct ipk_limit *v = calloc(ARRAY_SIZE(limit_defs), sizeof(*v));
	struct usage_counts u = { 0 };

	if (!v)
		return -ENOMEM;
	read_usage(ctx, &u);
	for (size_t i = 0; i < ARRAY_SIZE(limit_defs); i++) {
		const struct limit_def *d = &limit_defs[i];

		v[i].resource = d->resource;
		v[i].description = d->description;
		v[i].source = d->shown;
		v[i].unit = d->unit;
		fill_limit(ctx, d, &v[i]);
		fill_usage(ctx, d, &u, &v[i]);
	}
	*out = v;
	*n = ARRAY_SIZE(limit_defs);
	return 0;
}

int limit_get(struct ipk_ctx *ctx, const char *resource, struct ipk_limit *l)
{
	for (size_t i = 0; i < ARRAY_SIZE(limit_defs); i++) {
		const struct limit_def *d = &limit_defs[i];
		if (strcmp(d->resource, resource) != 0)
			continue;
		*l = (struct ipk_limit){ .resource = d->resource, .description = d->description,
					 .source = d->shown, .unit = d->unit };
		fill_limit(ctx, d, l);
		return l->has_limit && !l->unlimited ? 0 : -ENOENT;
	}
	return -ENOENT;
}

double ipk_limit_percent(const struct ipk_limit *l)
{
	if (!l->has_limit || !l->has_used || l->unlimited || l->limit == 0)
		return -1;
	return (double)((long double)l->used * 100.0L / (long double)l->limit);
}
