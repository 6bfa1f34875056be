/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mq-nopriority.so: an LD_PRELOAD shim that breaks one documented
 * behaviour of POSIX message queues, as a faulty libc port or a sandbox
 * emulation might: every message is sent at priority 0, so a queue gives
 * them back oldest first instead of highest priority first.  The
 * conformance suite must say that posix-mq deviates, and at which step.
 *
 *   LD_PRELOAD=build/tests/mq-nopriority.so ipc-scenario conform
 */
#include <dlfcn.h>
#include <mqueue.h>
#include <stddef.h>

typedef int (*timedsend_fn)(mqd_t, const char *, size_t, unsigned, const struct timespec *);

/* mq_send is mq_timedsend without a timeout; glibc declares the latter's
 * timeout nonnull, so both go through the real function here. */
static int send_at_priority_zero(mqd_t q, const char *msg, size_t len, const struct timespec *ts)
{
	static timedsend_fn real;

	if (!real)
		real = (timedsend_fn)dlsym(RTLD_NEXT, "mq_timedsend");
	return real(q, msg, len, 0, ts);
}

int mq_timedsend(mqd_t q, const char *msg, size_t len, unsigned prio, const struct timespec *ts)
{
	(void)prio;
	return send_at_priority_zero(q, msg, len, ts);
}

int mq_send(mqd_t q, const char *msg, size_t len, unsigned prio)
{
	(void)prio;
	return send_at_priority_zero(q, msg, len, NULL);
}
