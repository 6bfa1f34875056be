/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* posix-mq: POSIX message queues, files of the mqueue filesystem (struct mq_attr). */
#include "../internal.h"

#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <stdio.h>
#include <unistd.h>

static const int mq_read_fields[] = {
	IPK_F_SIZE, IPK_F_CAPACITY, IPK_F_MESSAGES, IPK_F_MAXMSG, IPK_F_MSGSIZE,
	IPK_F_NOTIFY_PID,
};

/*
 * Reading a queue's file gives "QSIZE:%-10lu NOTIFY:%-5d SIGNO:%-5d
 * NOTIFY_PID:%-6d".  The same O_RDONLY fd is a queue descriptor, so
 * mq_getattr needs no mq_open (which would look the name up in the
 * caller's IPC namespace rather than in this filesystem's).
 */
static void pmq_read(struct ipk_scan *s, int fd, const struct stat *st, struct ipk_object *o)
{
	char text[256];
	ssize_t n;

	/*
	 * Reading the QSIZE line sets the queue's atime and ctime (the kernel
	 * does), so those would say when someone last listed it.  mtime moves
	 * on every send and receive and never on a read: it is the time of
	 * the last change and use here, the same in every listing.
	 */
	obj_set_num(o, IPK_F_CTIME, st->st_mtim.tv_sec);
	obj_set_num(o, IPK_F_ATIME, st->st_mtim.tv_sec);
	if (fd < 0) {
		for (size_t i = 0; i < ARRAY_SIZE(mq_read_fields); i++)
			obj_set_noaccess(o, mq_read_fields[i]);
		return;
	}
	n = pread(fd, text, sizeof(text) - 1, 0);
	if (n > 0) {
		unsigned long long qsize;
		int notify_pid;

		text[n] = '\0';
		if (sscanf(text, "QSIZE:%llu", &qsize) == 1)
			obj_set_unum(o, IPK_F_SIZE, qsize);
		const char *p = strstr(text, "NOTIFY_PID:");
		if (p && sscanf(p, "NOTIFY_PID:%d", &notify_pid) == 1) {
			obj_set_num(o, IPK_F_NOTIFY_PID, notify_pid);
			if (notify_pid)
				obj_set_num(o, IPK_F_STATUS, o->status | IPK_ST_NOTIFY);
		}
	}
	struct mq_attr attr;
	if (s->ctx->live && mq_getattr(fd, &attr) == 0) {
		uint64_t capacity;

		obj_set_unum(o, IPK_F_MAXMSG, (uint64_t)attr.mq_maxmsg);
		obj_set_unum(o, IPK_F_MSGSIZE, (uint64_t)attr.mq_msgsize);
		obj_set_unum(o, IPK_F_MESSAGES, (uint64_t)attr.mq_curmsgs);
		if (!__builtin_mul_overflow((uint64_t)attr.mq_maxmsg, (uint64_t)attr.mq_msgsize,
					    &capacity))
			obj_set_unum(o, IPK_F_CAPACITY, capacity);
	}
}

static int pmq_each(struct ipk_scan *s, int dfd, const char *file, const struct stat *unused)
{
	(void)unused;
	return posix_add_read(s, dfd, file, file, pmq_read);
}

static int pmq_scan(struct ipk_scan *s)
{
	char shown[PATH_MAX];
	int dfd = posix_mqueue_dir(s->ctx, shown, sizeof(shown));

	if (dfd < 0) {
		if (dfd != -ENOENT || s->ctx->live)
			ctx_diag(s->ctx, -dfd, "open", shown);
		return 0;
	}
	return posix_dir_scan(s, dfd, shown, "", NULL, false, pmq_each);
}

const struct ipk_kind ipk_kind_posix_mq = {
	.name = "posix-mq",
	.alias = "mq",
	.description = "POSIX message queue",
	.family = IPK_FAMILY_POSIX,
	.holder_class = HELD_FILE,
	.holder_procs = PROCS_FDS,
	.fields = POSIX_FIELDS | F(INODE) | F(SIZE) | F(CAPACITY) | F(MESSAGES) | F(NATTCH) |
		  F(MAXMSG) |
		  F(MSGSIZE) | F(HOLDERS) | F(NOTIFY_PID),
	.ref_arg = ref_arg_posix_name,
	.scan = pmq_scan,
};
