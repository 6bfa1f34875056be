/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * posix-mq: two POSIX message queues, one per direction, unlinked as soon
 * as they are open.  As many messages a queue as an unprivileged user may
 * have (fs.mqueue.msg_max, at most 10).
 */
#include "bench.h"

#include <fcntl.h>
#include <mqueue.h>
#include <stdlib.h>

#define QUEUE_MSGS	10

static int posix_mq_max(uint64_t *max, const char **source)
{
	*source = "fs.mqueue.msgsize_max";
	return bench_limit("MQ_MSGSIZEMAX", max);
}

static long queue_msgs(void)
{
	uint64_t max = QUEUE_MSGS;

	bench_limit("MQ_MSGMAX", &max);
	return max < QUEUE_MSGS ? (long)max : QUEUE_MSGS;
}

static mqd_t open_queue(struct bench_chan *c, size_t size, int flags)
{
	char name[64];
	struct mq_attr attr = { .mq_maxmsg = queue_msgs(), .mq_msgsize = (long)size };

	bench_posix_name(name, sizeof(name));
	mqd_t q = mq_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | flags, 0600, &attr);
	if (q == (mqd_t)-1)
		return (mqd_t)bench_fail(c, "mq_open");
	mq_unlink(name);
	return q;
}

static int posix_mq_setup(struct bench_chan *c)
{
	for (int d = 0; d < 2; d++) {
		mqd_t q = open_queue(c, c->size, 0);

		if (q < 0)
			return (int)q;
		c->fd[d] = (int)q;
	}
	return 0;
}

static int posix_mq_send(struct bench_chan *c, const void *buf)
{
	int rc = xport_mq_send((mqd_t)c->fd[bench_send_dir(c)], buf, c->size, 0, NULL);

	return rc ? bench_failed(c, "mq_send", rc) : 0;
}

static int posix_mq_recv(struct bench_chan *c, void *buf)
{
	ssize_t r = xport_mq_recv((mqd_t)c->fd[bench_recv_dir(c)], buf, c->size, NULL, NULL);

	if (r < 0)
		return bench_failed(c, "mq_receive", (int)r);
	return (size_t)r != c->size ? bench_failed(c, "mq_receive", -EBADMSG) : 0;
}

static int posix_mq_limits(struct ipk_bench_limits *l)
{
	struct bench_chan c = { .fd = { -1, -1, -1, -1 } };
	uint64_t msg_max = 0;
	int rc = posix_mq_max(&l->max_msg, &l->max_source);

	if (rc)
		return rc;
	mqd_t q = open_queue(&c, l->probe_size, O_NONBLOCK);
	if (q < 0)
		return (int)q;
	char *buf = calloc(1, l->probe_size);
	bool ok = buf != NULL;
	l->bounded = true;
	while (buf) {
		if (mq_send(q, buf, l->probe_size, 0) == 0) {
			l->queued_msgs++;
			l->queued_bytes += l->probe_size;
		} else if (errno != EINTR) {
			l->full_err = errno;
			break;
		}
	}
	free(buf);
	mq_close(q);
	bench_limit("MQ_MSGMAX", &msg_max);
	snprintf(l->note, sizeof(l->note), "fs.mqueue.msg_max %llu messages a queue; "
		 "maxmsg x msgsize within RLIMIT_MSGQUEUE (EMFILE)",
		 (unsigned long long)msg_max);
	return ok ? 0 : -ENOMEM;
}

const struct ipk_bench_method bench_posix_mq = {
	.name = "posix-mq",
	.description = "two POSIX message queues, unlinked once open",
	.max_size = posix_mq_max,
	.setup = posix_mq_setup,
	.send = posix_mq_send,
	.recv = posix_mq_recv,
	.limits = posix_mq_limits,
};
