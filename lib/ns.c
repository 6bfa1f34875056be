/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Work done inside another IPC namespace.  The IPC namespace belongs to a
 * thread, so a thread that setns()es moves no other: SysV calls,
 * /proc/sysvipc and a detached mqueue mount made there all see that
 * namespace.  Its /dev/shm is a process's there, through /proc/PID/root.
 * Every listing, lookup and removal of another namespace goes through
 * ns_run(); nothing else calls setns().
 */
#include "internal.h"

#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

void ns_name(char out[64], uint64_t ns, pid_t pid)
{
	snprintf(out, 64, "ipc:[%" PRIu64 "] (pid %d)", ns, (int)pid);
}

/* A context for the namespace of @pid, of @parent's settings and caches. */
static struct ipk_ctx *sub_ctx(struct ipk_ctx *parent, pid_t pid, uint64_t ns)
{
	struct ipk_ctx *ctx = calloc(1, sizeof(*ctx));

	if (!ctx || asprintf(&ctx->root, "/proc/%d/root", (int)pid) < 0) {
		free(ctx);
		return NULL;
	}
	/* still the live system, seen from a process of that namespace */
	ctx->live = true;
	ctx->parent = parent;
	ctx->via_pid = pid;
	ctx->wanted = parent->wanted;
	ctx->pagesize = parent->pagesize;
	ctx->users = parent->users;
	ctx->groups = parent->groups;
	ctx->ipc_ns_read = true;
	ctx->ipc_ns = ns;
	ctx->procs = parent->procs;
	pthread_mutex_init(&ctx->lock, NULL);
	return ctx;
}

static void sub_ctx_free(struct ipk_ctx *ctx)
{
	pthread_mutex_destroy(&ctx->lock);
	free(ctx->root);
	free(ctx);
}

struct ns_job {
	struct ipk_ctx *parent;
	pid_t pid;
	uint64_t ns;
	int (*fn)(struct ipk_ctx *sub, void *arg);
	void *arg;
	bool entered;
	int rc;
};

static void *ns_thread(void *arg)
{
	struct ns_job *j = arg;
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/ipc", (int)j->pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		j->rc = errno == ENOENT ? -ESRCH : -errno;
		return NULL;
	}
	/* the pid may name a process of another namespace now */
	if (fstat(fd, &st) < 0 || (j->ns && (uint64_t)st.st_ino != j->ns)) {
		close(fd);
		j->rc = -ESTALE;
		return NULL;
	}
	if (setns(fd, CLONE_NEWIPC) < 0) {
		j->rc = -errno;
		close(fd);
		return NULL;
	}
	close(fd);
	struct ipk_ctx *sub = sub_ctx(j->parent, j->pid, (uint64_t)st.st_ino);
	if (!sub) {
		j->rc = -ENOMEM;
		return NULL;
	}
	j->entered = true;
	j->rc = j->fn(sub, j->arg);
	sub_ctx_free(sub);
	return NULL;
}

int ns_run(struct ipk_ctx *parent, pid_t pid, uint64_t ns,
	   int (*fn)(struct ipk_ctx *sub, void *arg), void *arg, bool *entered)
{
	struct ns_job j = { .parent = parent, .pid = pid, .ns = ns, .fn = fn, .arg = arg };
	pthread_t t;

	*entered = false;
	int err = pthread_create(&t, NULL, ns_thread, &j);
	if (err)
		return -err;
	pthread_join(t, NULL);
	*entered = j.entered;
	return j.rc;
}
