/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sysv-msg: one private System V message queue; the message type says the
 * direction.  The queue exists until teardown removes it: a SysV queue
 * cannot be removed while still in use.
 */
#include "bench.h"

#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/msg.h>

struct msg {
	long type;
	char text[];
};

static int sysv_msg_max(uint64_t *max, const char **source)
{
	uint64_t msgmax, msgmnb;
	int rc = bench_limit("MSGMAX", &msgmax);

	if (rc || (rc = bench_limit("MSGMNB", &msgmnb))) {
		*source = rc ? "kernel.msgmax" : "kernel.msgmnb";
		return rc;
	}
	/* A message larger than the queue would wait forever. */
	*max = msgmax < msgmnb ? msgmax : msgmnb;
	*source = msgmax <= msgmnb ? "kernel.msgmax" : "kernel.msgmnb";
	return 0;
}

static int sysv_msg_setup(struct bench_chan *c)
{
	c->scratch = malloc(sizeof(struct msg) + c->size);
	if (!c->scratch)
		return bench_fail(c, "malloc");
	c->id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	if (c->id < 0)
		return bench_fail(c, "msgget");
	return 0;
}

static int sysv_msg_send(struct bench_chan *c, const void *buf)
{
	struct msg *m = c->scratch;

	m->type = 1 + bench_send_dir(c);
	memcpy(m->text, buf, c->size);
	int rc = xport_msg_send(c->id, m, c->size, NULL);
	return rc ? bench_failed(c, "msgsnd", rc) : 0;
}

static int sysv_msg_recv(struct bench_chan *c, void *buf)
{
	struct msg *m = c->scratch;
	ssize_t r = xport_msg_recv(c->id, m, c->size, 1 + bench_recv_dir(c), 0, NULL);

	if (r < 0)
		return bench_failed(c, "msgrcv", (int)r);
	if ((size_t)r != c->size)
		return bench_failed(c, "msgrcv", -EBADMSG);
	memcpy(buf, m->text, c->size);
	return 0;
}

static void sysv_msg_teardown(struct bench_chan *c)
{
	if (c->id >= 0)
		msgctl(c->id, IPC_RMID, NULL);
	c->id = -1;
}

static int sysv_msg_limits(struct ipk_bench_limits *l)
{
	struct msqid_ds ds;
	int rc = sysv_msg_max(&l->max_msg, &l->max_source);

	if (rc)
		return rc;
	struct msg *m = calloc(1, sizeof(*m) + l->probe_size);
	int id = m ? msgget(IPC_PRIVATE, IPC_CREAT | 0600) : -1;
	if (id < 0) {
		rc = m ? -errno : -ENOMEM;
		free(m);
		return rc;
	}
	m->type = 1;
	l->bounded = true;
	for (;;) {
		if (msgsnd(id, m, l->probe_size, IPC_NOWAIT) == 0) {
			l->queued_msgs++;
			l->queued_bytes += l->probe_size;
			continue;
		}
		if (errno != EINTR) {
			l->full_err = errno;
			break;
		}
	}
	msgctl(id, IPC_STAT, &ds);
	msgctl(id, IPC_RMID, NULL);
	free(m);
	snprintf(l->note, sizeof(l->note), "%llu bytes a queue (kernel.msgmnb, msg_qbytes); "
		 "a larger message than the queue blocks forever",
		 (unsigned long long)ds.msg_qbytes);
	return 0;
}

const struct ipk_bench_method bench_sysv_msg = {
	.name = "sysv-msg",
	.description = "a System V message queue, one message type per direction",
	.max_size = sysv_msg_max,
	.setup = sysv_msg_setup,
	.send = sysv_msg_send,
	.recv = sysv_msg_recv,
	.teardown = sysv_msg_teardown,
	.limits = sysv_msg_limits,
};
