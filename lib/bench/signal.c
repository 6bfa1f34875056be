/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * signal: anonymous shared memory for the messages; each post is one
 * queued real-time signal (sigqueue(3)) to the process that waits, each
 * wait a sigwaitinfo(2) with the signal blocked, so nothing runs in a
 * handler and no signal is lost.  A signal counts one, as a semaphore.
 */
#include "bench.h"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

static int signo(int sem)
{
	return SIGRTMIN + sem;
}

/* Who waits on @sem: the receiver of ITEMS(dir), the sender of SPACES(dir). */
static enum bench_role waiter(int sem)
{
	enum bench_dir dir = sem >= RING_SPACES(0) ? sem - RING_SPACES(0) : sem;
	bool items = sem < RING_SPACES(0);

	return (dir == BENCH_UP) == items ? BENCH_SERVER : BENCH_CLIENT;
}

static int signal_setup(struct bench_chan *c)
{
	if (signo(RING_NSEMS - 1) > SIGRTMAX) {
		errno = ENOSYS;
		return bench_fail(c, "real-time signals");
	}
	ring_geometry(c);
	ring_set_base(c, 0);
	return bench_map(c, ring_bytes(c));
}

static int signal_attach(struct bench_chan *c)
{
	sigset_t set;

	/* Blocked before the peer may send: the server attaches first. */
	sigemptyset(&set);
	for (int i = 0; i < RING_NSEMS; i++) {
		sigaddset(&set, signo(i));
		/* A first value no signal carries: credit for the waiter. */
		c->credits[i] = waiter(i) == c->role ? ring_initial(c, i) : 0;
	}
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return bench_fail(c, "sigprocmask");
	return 0;
}

static int signal_post(struct bench_chan *c, int sem)
{
	pid_t pid = atomic_load(&c->pids[waiter(sem)]);
	union sigval v = { .sival_int = sem };

	while (sigqueue(pid, signo(sem), v))
		if (errno != EINTR)
			return bench_fail(c, "sigqueue");
	return 0;
}

static int signal_wait(struct bench_chan *c, int sem)
{
	sigset_t set;

	if (c->credits[sem]) {
		c->credits[sem]--;
		return 0;
	}
	sigemptyset(&set);
	sigaddset(&set, signo(sem));
	while (sigwaitinfo(&set, NULL) < 0)
		if (errno != EINTR)
			return bench_fail(c, "sigwaitinfo");
	return 0;
}

static int signal_limits(struct ipk_bench_limits *l)
{
	struct rlimit rl;
	sigset_t set;
	union sigval v = { .sival_int = 0 };
	int sig = SIGRTMIN;

	l->max_source = "ipc-bench's own limit";
	l->max_msg = BENCH_MAX_SIZE;
	/* This runs in a child of its own: what stays pending dies with it. */
	sigemptyset(&set);
	sigaddset(&set, sig);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	l->bounded = true;
	for (;;) {
		if (sigqueue(getpid(), sig, v) == 0) {
			l->queued_msgs++;
			continue;
		}
		if (errno != EINTR) {
			l->full_err = errno;
			break;
		}
	}
	getrlimit(RLIMIT_SIGPENDING, &rl);
	snprintf(l->note, sizeof(l->note), "messages wait in ipc-bench's ring; queued "
		 "signals of a user: RLIMIT_SIGPENDING (%llu)",
		 (unsigned long long)rl.rlim_cur);
	return 0;
}

const struct ipk_bench_method bench_signal = {
	.name = "signal",
	.description = "shared memory, a queued real-time signal per post",
	.setup = signal_setup,
	.attach = signal_attach,
	.send = ring_send,
	.recv = ring_recv,
	.post = signal_post,
	.wait = signal_wait,
	.limits = signal_limits,
};
