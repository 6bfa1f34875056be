/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Transports shared by the benchmark methods and the scenario operations: see xport.h. */
#include "xport.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

uint64_t xport_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

bool xport_expired(const struct xport_wait *w)
{
	return w && w->deadline && xport_now() >= w->deadline;
}

static bool nowait(const struct xport_wait *w)
{
	return w && w->nowait;
}

/* The time left before the deadline of @w; false when there is none. */
static bool time_left(const struct xport_wait *w, struct timespec *ts)
{
	if (!w || !w->deadline)
		return false;
	uint64_t now = xport_now();
	uint64_t left = w->deadline > now ? w->deadline - now : 0;

	ts->tv_sec = (time_t)(left / 1000000000);
	ts->tv_nsec = (long)(left % 1000000000);
	return true;
}

/* Ready for @events, or hung up, or in error: the next call says which. */
int xport_wait_fd(int fd, short events, const struct xport_wait *w)
{
	if (nowait(w))
		return -EAGAIN;
	for (;;) {
		struct timespec ts;
		bool timed = time_left(w, &ts);
		struct pollfd p = { .fd = fd, .events = events };

		if (timed && ts.tv_sec == 0 && ts.tv_nsec == 0)
			return -ETIMEDOUT;
		int r = ppoll(&p, 1, timed ? &ts : NULL, NULL);
		if (r > 0)
			return 0;
		if (r == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

/* After EINTR: go on, unless the deadline is past. */
static int interrupted(const struct xport_wait *w)
{
	return xport_expired(w) ? -ETIMEDOUT : 0;
}

ssize_t xport_write(int fd, const void *buf, size_t n, const struct xport_wait *w)
{
	const char *p = buf;
	size_t done = 0;

	while (done < n || n == 0) {
		ssize_t r = write(fd, p + done, n - done);

		if (r >= 0) {
			done += (size_t)r;
			if (nowait(w) || n == 0)
				break;
			continue;
		}
		int rc = -errno;
		if (errno == EINTR)
			rc = interrupted(w);
		else if (errno == EAGAIN)
			rc = done && nowait(w) ? 1 : xport_wait_fd(fd, POLLOUT, w);
		if (rc == 1)
			break;
		if (rc)
			return rc;
	}
	return (ssize_t)done;
}

ssize_t xport_read(int fd, void *buf, size_t n, bool whole, const struct xport_wait *w)
{
	char *p = buf;
	size_t done = 0;

	while (done < n || n == 0) {
		ssize_t r = read(fd, p + done, n - done);

		if (r > 0) {
			done += (size_t)r;
			if (!whole || nowait(w))
				break;
			continue;
		}
		if (r == 0)
			break;		/* end of file */
		int rc = -errno;
		if (errno == EINTR)
			rc = interrupted(w);
		else if (errno == EAGAIN)
			rc = done && nowait(w) ? 1 : xport_wait_fd(fd, POLLIN, w);
		if (rc == 1)
			break;
		if (rc)
			return rc;
	}
	return (ssize_t)done;
}

union xport_cmsg {
	struct cmsghdr h;
	char buf[CMSG_SPACE(XPORT_MAX_FDS * sizeof(int))];
};

ssize_t xport_send(int fd, const void *buf, size_t n, const int *fds, size_t nfds,
		   const struct xport_wait *w)
{
	union xport_cmsg u;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = n };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (nfds > XPORT_MAX_FDS)
		return -EINVAL;
	if (nfds) {
		memset(u.buf, 0, CMSG_SPACE(nfds * sizeof(int)));
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	for (;;) {
		ssize_t r = sendmsg(fd, &mh, MSG_NOSIGNAL | (nowait(w) ? MSG_DONTWAIT : 0));

		if (r == (ssize_t)n)
			return r;
		if (r >= 0)
			return -EMSGSIZE;
		int rc = -errno;
		if (errno == EINTR)
			rc = interrupted(w);
		else if (errno == EAGAIN)
			rc = xport_wait_fd(fd, POLLOUT, w);
		if (rc)
			return rc;
	}
}

ssize_t xport_recv(int fd, void *buf, size_t cap, int *fds, size_t *nfds, int *flags,
		   const struct xport_wait *w)
{
	union xport_cmsg u;
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	size_t room = nfds ? *nfds : 0;
	struct msghdr mh;
	ssize_t r;

	if (room > XPORT_MAX_FDS)
		room = XPORT_MAX_FDS;
	for (;;) {
		mh = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1 };
		if (room) {
			mh.msg_control = u.buf;
			mh.msg_controllen = CMSG_SPACE(room * sizeof(int));
		}
		r = recvmsg(fd, &mh, MSG_TRUNC | MSG_CMSG_CLOEXEC | (nowait(w) ? MSG_DONTWAIT : 0));
		if (r >= 0)
			break;
		int rc = -errno;
		if (errno == EINTR)
			rc = interrupted(w);
		else if (errno == EAGAIN)
			rc = xport_wait_fd(fd, POLLIN, w);
		if (rc)
			return rc;
	}
	size_t got = 0;
	for (struct cmsghdr *cm = room ? CMSG_FIRSTHDR(&mh) : NULL; cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++) {
			int one;

			memcpy(&one, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (got < room)
				fds[got++] = one;
			else
				close(one);
		}
	}
	if (nfds)
		*nfds = got;
	if (flags)
		*flags = mh.msg_flags;
	return r;
}

int xport_eventfd_add(int fd, uint64_t v, const struct xport_wait *w)
{
	ssize_t r = xport_write(fd, &v, sizeof(v), w);

	return r < 0 ? (int)r : r == sizeof(v) ? 0 : -EIO;
}

int xport_eventfd_take(int fd, uint64_t *v, const struct xport_wait *w)
{
	ssize_t r = xport_read(fd, v, sizeof(*v), true, w);

	return r < 0 ? (int)r : r == sizeof(*v) ? 0 : -EIO;
}

/* The CLOCK_REALTIME time of the deadline of @w, for the mq_timed* calls. */
static struct timespec realtime_deadline(const struct xport_wait *w)
{
	struct timespec ts, left = { 0, 0 };

	time_left(w, &left);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += left.tv_sec;
	ts.tv_nsec += left.tv_nsec;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	return ts;
}

int xport_mq_send(mqd_t q, const void *buf, size_t n, unsigned prio, const struct xport_wait *w)
{
	for (;;) {
		int r;

		if (w && w->deadline && !w->nowait) {
			struct timespec ts = realtime_deadline(w);
			r = mq_timedsend(q, buf, n, prio, &ts);
		} else {
			r = mq_send(q, buf, n, prio);
		}
		if (r == 0)
			return 0;
		if (errno != EINTR)
			return -errno;
		if (interrupted(w))
			return -ETIMEDOUT;
	}
}

ssize_t xport_mq_recv(mqd_t q, void *buf, size_t cap, unsigned *prio, const struct xport_wait *w)
{
	for (;;) {
		ssize_t r;

		if (w && w->deadline && !w->nowait) {
			struct timespec ts = realtime_deadline(w);
			r = mq_timedreceive(q, buf, cap, prio, &ts);
		} else {
			r = mq_receive(q, buf, cap, prio);
		}
		if (r >= 0)
			return r;
		if (errno != EINTR)
			return -errno;
		if (interrupted(w))
			return -ETIMEDOUT;
	}
}

/* A SysV call with no timed form, under the alarm when there is a deadline. */
int xport_msg_send(int id, const void *msg, size_t n, const struct xport_wait *w)
{
	int rc = xport_alarm_arm(w);

	while (!rc) {
		if (msgsnd(id, msg, n, nowait(w) ? IPC_NOWAIT : 0) == 0)
			break;
		rc = errno == EINTR ? interrupted(w) : -errno;
	}
	xport_alarm_disarm();
	return rc;
}

ssize_t xport_msg_recv(int id, void *msg, size_t cap, long type, int flags,
		       const struct xport_wait *w)
{
	ssize_t r = xport_alarm_arm(w);

	while (!r) {
		r = msgrcv(id, msg, cap, type, flags | (nowait(w) ? IPC_NOWAIT : 0));
		if (r >= 0)
			break;
		r = errno == EINTR ? interrupted(w) : -errno;
	}
	xport_alarm_disarm();
	return r;
}

int xport_semop(int id, struct sembuf *ops, size_t n, const struct xport_wait *w)
{
	if (nowait(w))
		for (size_t i = 0; i < n; i++)
			ops[i].sem_flg |= IPC_NOWAIT;
	for (;;) {
		struct timespec ts;
		int r;

		if (!nowait(w) && time_left(w, &ts)) {
			r = semtimedop(id, ops, n, &ts);
			/* A timed wait that runs out says EAGAIN: it is a timeout. */
			if (r < 0 && errno == EAGAIN)
				return -ETIMEDOUT;
		} else {
			r = semop(id, ops, n);
		}
		if (r == 0)
			return 0;
		if (errno != EINTR)
			return -errno;
		if (interrupted(w))
			return -ETIMEDOUT;
	}
}

int xport_sem_post(sem_t *s)
{
	return sem_post(s) ? -errno : 0;
}

int xport_sem_wait(sem_t *s, const struct xport_wait *w)
{
	for (;;) {
		int r;

		if (nowait(w)) {
			r = sem_trywait(s);
		} else if (w && w->deadline) {
			struct timespec ts = {
				.tv_sec = (time_t)(w->deadline / 1000000000),
				.tv_nsec = (long)(w->deadline % 1000000000),
			};
			r = sem_clockwait(s, CLOCK_MONOTONIC, &ts);
		} else {
			r = sem_wait(s);
		}
		if (r == 0)
			return 0;
		if (errno != EINTR)
			return -errno;
		if (interrupted(w))
			return -ETIMEDOUT;
	}
}

/* ------------------------------------------------------------------- alarm */

static __thread timer_t alarm_timer;
static __thread bool alarm_made, alarm_armed;

static void on_alarm(int sig)
{
	(void)sig;
}

int xport_alarm_init(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };

	/* No SA_RESTART: the call in progress must return EINTR. */
	sigemptyset(&sa.sa_mask);
	return sigaction(XPORT_ALARM_SIGNAL, &sa, NULL) ? -errno : 0;
}

int xport_alarm_arm(const struct xport_wait *w)
{
	struct timespec left;

	if (nowait(w) || !time_left(w, &left))
		return 0;
	if (left.tv_sec == 0 && left.tv_nsec == 0)
		return -ETIMEDOUT;
	if (!alarm_made) {
		struct sigevent ev = {
			.sigev_notify = SIGEV_THREAD_ID,
			.sigev_signo = XPORT_ALARM_SIGNAL,
		};
		ev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
		if (timer_create(CLOCK_MONOTONIC, &ev, &alarm_timer))
			return -errno;
		alarm_made = true;
	}
	/* Then again every millisecond, should the first come before the call blocks. */
	struct itimerspec it = { .it_value = left, .it_interval = { 0, 1000000 } };
	if (timer_settime(alarm_timer, 0, &it, NULL))
		return -errno;
	alarm_armed = true;
	return 0;
}

void xport_alarm_disarm(void)
{
	struct itimerspec none = { { 0, 0 }, { 0, 0 } };

	if (alarm_armed)
		timer_settime(alarm_timer, 0, &none, NULL);
	alarm_armed = false;
}
