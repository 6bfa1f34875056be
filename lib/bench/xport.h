/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Transports: moving one message or one count through each kind of IPC
 * object, shared by the benchmark methods (lib/bench/) and the scenario
 * operations (lib/scenario/, lib/kinds/), so a send on a pipe is the same
 * code whoever sends.
 *
 * Every call takes how long it may wait.  A NULL wait blocks until done
 * (what ipc-bench uses); otherwise @deadline (CLOCK_MONOTONIC ns, 0: none)
 * bounds the wait with -ETIMEDOUT, and @nowait makes one attempt and
 * returns what the kernel says when it would block (-EAGAIN, -ENOMSG for
 * a SysV queue).  A descriptor may be blocking or not: on a non-blocking
 * one the call waits in poll(2) itself, so a process-shared open file
 * description can be waited on by one process and tried by another.
 * Interrupted calls are retried, except when the deadline has passed: a
 * call with no timed form (msgsnd, msgrcv, open of a FIFO ...) is cut short
 * by xport_alarm_arm(), whose signal interrupts it.
 */
#ifndef IPCKIT_XPORT_H
#define IPCKIT_XPORT_H

#include <mqueue.h>
#include <semaphore.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/sem.h>
#include <sys/types.h>

struct xport_wait {
	uint64_t deadline;	/* CLOCK_MONOTONIC ns; 0: no limit */
	bool nowait;		/* one attempt, never block */
};

/*
 * Most descriptors one call passes: four times the kernel's SCM_MAX_FD
 * (253), so that what lies beyond it can be tried.
 */
#define XPORT_MAX_FDS	1012

uint64_t xport_now(void);
/* Waits until @fd is ready for @events (POLLIN, POLLOUT), within @w; -errno. */
int xport_wait_fd(int fd, short events, const struct xport_wait *w);

/*
 * Byte streams (pipes, FIFOs, stream sockets).  xport_write() writes all
 * @n bytes and returns @n; with nowait it makes one attempt and returns
 * what was written (fewer than @n when the queue had less room).
 * xport_read() with @whole reads exactly @n bytes or up to end of file;
 * without, what one read gives (at least one byte unless end of file).
 * Both return -errno.
 */
ssize_t xport_write(int fd, const void *buf, size_t n, const struct xport_wait *w);
ssize_t xport_read(int fd, void *buf, size_t n, bool whole, const struct xport_wait *w);

/*
 * One datagram or record (or one chunk of a stream) with @nfds descriptors
 * passed by SCM_RIGHTS.  A send that the kernel cuts is -EMSGSIZE.
 * xport_recv() returns the message's real length (MSG_TRUNC: a longer one
 * than @cap is seen, and cut); the descriptors received go to @fds (room
 * for *nfds on entry, how many came on return), close-on-exec; *flags gets
 * msg_flags (MSG_TRUNC, MSG_CTRUNC).  Never raises SIGPIPE.
 */
ssize_t xport_send(int fd, const void *buf, size_t n, const int *fds, size_t nfds,
		   const struct xport_wait *w);
ssize_t xport_recv(int fd, void *buf, size_t cap, int *fds, size_t *nfds, int *flags,
		   const struct xport_wait *w);

/* An eventfd: adds @v to the counter; takes the counter (or one, EFD_SEMAPHORE). */
int xport_eventfd_add(int fd, uint64_t v, const struct xport_wait *w);
int xport_eventfd_take(int fd, uint64_t *v, const struct xport_wait *w);

/* A POSIX queue (with nowait, @q must be open O_NONBLOCK: the flag is the queue's). */
int xport_mq_send(mqd_t q, const void *buf, size_t n, unsigned prio,
		  const struct xport_wait *w);
ssize_t xport_mq_recv(mqd_t q, void *buf, size_t cap, unsigned *prio,
		      const struct xport_wait *w);

/*
 * A System V queue: @msg is a struct msgbuf (a long type, then the text).
 * xport_msg_recv() returns the text's length.
 */
int xport_msg_send(int id, const void *msg, size_t n, const struct xport_wait *w);
ssize_t xport_msg_recv(int id, void *msg, size_t cap, long type, int flags,
		       const struct xport_wait *w);

/* System V semaphores: one semop over @n operations (IPC_NOWAIT added by nowait). */
int xport_semop(int id, struct sembuf *ops, size_t n, const struct xport_wait *w);

/* POSIX semaphores, named or not. */
int xport_sem_post(sem_t *s);
int xport_sem_wait(sem_t *s, const struct xport_wait *w);

/*
 * The interrupting alarm of calls with no timed form: xport_alarm_init()
 * once per process (installs the handler of XPORT_ALARM_SIGNAL, with no
 * SA_RESTART), then around such a call xport_alarm_arm(w) and
 * xport_alarm_disarm().  The timer belongs to the calling thread.  Returns
 * -errno; with no deadline it does nothing.  Not SIGRTMAX: valgrind keeps
 * that one for itself, and a run under it could not start its actors.
 */
#define XPORT_ALARM_SIGNAL	(SIGRTMAX - 1)
int xport_alarm_init(void);
int xport_alarm_arm(const struct xport_wait *w);
void xport_alarm_disarm(void);
/* Whether the deadline of @w has passed. */
bool xport_expired(const struct xport_wait *w);

#endif
