/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pingpong-ref: a minimal ping-pong for every ipc-bench method, written
 * without libipckit, to check ipc-bench's figures against (make
 * bench-compare).  Each method is the plainest code that does the same
 * thing: the same objects, the same system calls, the same message size;
 * no harness, no checksum, no histogram (a sorted array).
 *
 *   pingpong-ref METHOD SIZE COUNT WARMUP CLIENT-CPU SERVER-CPU
 *
 * prints "METHOD p50 p99" in nanoseconds of round trip.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { UP, DOWN };		/* client to server, server to client */

static size_t size;
static int role;		/* 0 client, 1 server */
static char *shm;		/* shared memory of the shm methods */
static int fds[4];
static int ids[2];

static void die(const char *what)
{
	fprintf(stderr, "pingpong-ref: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void write_all(int fd, const void *buf, size_t n)
{
	for (const char *p = buf; n;) {
		ssize_t w = write(fd, p, n);
		if (w < 0)
			die("write");
		p += w;
		n -= (size_t)w;
	}
}

static void read_all(int fd, void *buf, size_t n)
{
	for (char *p = buf; n;) {
		ssize_t r = read(fd, p, n);
		if (r <= 0)
			die("read");
		p += r;
		n -= (size_t)r;
	}
}

/* ---------------------------------------------- pipe, fifo: fds[2*dir+end] */

static void pipe_setup(void)
{
	if (pipe(fds) || pipe(fds + 2))
		die("pipe");
}

static void fifo_setup(void)
{
	char dir[] = "/tmp/pingpong-ref-XXXXXX", path[64];

	if (!mkdtemp(dir))
		die("mkdtemp");
	for (int d = 0; d < 2; d++) {
		snprintf(path, sizeof(path), "%s/%d", dir, d);
		if (mkfifo(path, 0600))
			die("mkfifo");
		fds[2 * d] = open(path, O_RDONLY | O_NONBLOCK);
		fds[2 * d + 1] = open(path, O_WRONLY);
		if (fds[2 * d] < 0 || fds[2 * d + 1] < 0)
			die("open");
		fcntl(fds[2 * d], F_SETFL, 0);
		unlink(path);
	}
	rmdir(dir);
}

static void pipe_send(int dir, const void *b) { write_all(fds[2 * dir + 1], b, size); }
static void pipe_recv(int dir, void *b) { read_all(fds[2 * dir], b, size); }

/* ------------------------------------ sockets: fds[0] client, fds[1] server */

static void sock_setup(int type)
{
	if (socketpair(AF_UNIX, type, 0, fds))
		die("socketpair");
}

static void ustream_setup(void) { sock_setup(SOCK_STREAM); }
static void udgram_setup(void) { sock_setup(SOCK_DGRAM); }
static void useq_setup(void) { sock_setup(SOCK_SEQPACKET); }
static void stream_send(int dir, const void *b) { (void)dir; write_all(fds[role], b, size); }
static void stream_recv(int dir, void *b) { (void)dir; read_all(fds[role], b, size); }

static void msg_send(int dir, const void *b)
{
	(void)dir;
	if (send(fds[role], b, size, 0) != (ssize_t)size)
		die("send");
}

static void msg_recv(int dir, void *b)
{
	(void)dir;
	if (recv(fds[role], b, size, 0) != (ssize_t)size)
		die("recv");
}

static void tcp_setup(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int one = 1, l = socket(AF_INET, SOCK_STREAM, 0);

	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &len))
		die("listen");
	fds[0] = socket(AF_INET, SOCK_STREAM, 0);
	if (fds[0] < 0 || connect(fds[0], (struct sockaddr *)&a, sizeof(a)))
		die("connect");
	fds[1] = accept(l, NULL, NULL);
	if (fds[1] < 0)
		die("accept");
	close(l);
	setsockopt(fds[0], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fds[1], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* fd-pass: an eventfd passed with every message over a seqpacket pair. */
static void fdpass_setup(void)
{
	sock_setup(SOCK_SEQPACKET);
	fds[2] = eventfd(0, 0);
}

static void fdpass_send(int dir, const void *b)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { (void *)b, size };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

	(void)dir;
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fds[2], sizeof(int));
	if (sendmsg(fds[role], &mh, 0) != (ssize_t)size)
		die("sendmsg");
}

static void fdpass_recv(int dir, void *b)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { b, size };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct stat st;
	int fd;

	(void)dir;
	if (recvmsg(fds[role], &mh, 0) != (ssize_t)size || !CMSG_FIRSTHDR(&mh))
		die("recvmsg");
	memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&mh)), sizeof(int));
	fstat(fd, &st);
	close(fd);
}

/* ------------------------------------------------------- sysv-msg, posix-mq */

static struct {
	long type;
	char text[1 << 16];
} sysv_buf;

static void sysvmsg_setup(void)
{
	ids[0] = msgget(IPC_PRIVATE, 0600);
	if (ids[0] < 0)
		die("msgget");
}

static void sysvmsg_send(int dir, const void *b)
{
	sysv_buf.type = dir + 1;
	memcpy(sysv_buf.text, b, size);
	if (msgsnd(ids[0], &sysv_buf, size, 0))
		die("msgsnd");
}

static void sysvmsg_recv(int dir, void *b)
{
	if (msgrcv(ids[0], &sysv_buf, size, dir + 1, 0) != (ssize_t)size)
		die("msgrcv");
	memcpy(b, sysv_buf.text, size);
}

static void mq_setup(void)
{
	struct mq_attr attr = { .mq_maxmsg = 10, .mq_msgsize = (long)size };
	char name[64];

	for (int d = 0; d < 2; d++) {
		snprintf(name, sizeof(name), "/pingpong-ref-%d-%d", getpid(), d);
		fds[d] = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
		if (fds[d] < 0)
			die("mq_open");
		mq_unlink(name);
	}
}

static void mq_send_(int dir, const void *b)
{
	if (mq_send(fds[dir], b, size, 0))
		die("mq_send");
}

static void mq_recv_(int dir, void *b)
{
	if (mq_receive(fds[dir], b, size, NULL) != (ssize_t)size)
		die("mq_receive");
}

/*
 * Shared memory: a 4 KiB header, then a slot per direction, one after the
 * other in whole cache lines (as ipc-bench lays its rings out: the layout
 * alone moves shm-spin by a quarter).
 */
#define SLOT(dir) (shm + 4096 + (size_t)(dir) * ((size + 63) / 64 * 64))
/* The client's and the server's pids, at the end of the header. */
#define PIDS ((volatile pid_t *)(shm + 2048))

static void map_shm(void)
{
	shm = mmap(NULL, 4096 + 2 * ((size + 4095) / 4096 * 4096), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED)
		die("mmap");
}

/* shm-sysv-sem: a SysV segment and one SysV semaphore per direction. */
static void sysvsem_setup(void)
{
	int id = shmget(IPC_PRIVATE, 4096 + 2 * ((size + 4095) / 4096 * 4096), 0600);

	shm = id < 0 ? NULL : shmat(id, NULL, 0);
	if (!shm || shm == (void *)-1)
		die("shmget");
	shmctl(id, IPC_RMID, NULL);
	ids[0] = semget(IPC_PRIVATE, 2, 0600);
	if (ids[0] < 0)
		die("semget");
}

static void sysvsem_send(int dir, const void *b)
{
	struct sembuf op = { (unsigned short)dir, 1, 0 };

	memcpy(SLOT(dir), b, size);
	semop(ids[0], &op, 1);
}

static void sysvsem_recv(int dir, void *b)
{
	struct sembuf op = { (unsigned short)dir, -1, 0 };

	semop(ids[0], &op, 1);
	memcpy(b, SLOT(dir), size);
}

/* shm-posix-sem: unnamed process-shared semaphores in the header. */
static void psem_setup(void)
{
	map_shm();
	sem_init((sem_t *)shm, 1, 0);
	sem_init((sem_t *)shm + 1, 1, 0);
}

static void psem_send(int dir, const void *b)
{
	memcpy(SLOT(dir), b, size);
	sem_post((sem_t *)shm + dir);
}

static void psem_recv(int dir, void *b)
{
	while (sem_wait((sem_t *)shm + dir))
		;
	memcpy(b, SLOT(dir), size);
}

/* shm-futex: a futex word per direction, one cache line apart. */
static uint32_t *word(int dir) { return (uint32_t *)(shm + 64 * dir); }

static void futex_send(int dir, const void *b)
{
	memcpy(SLOT(dir), b, size);
	__atomic_fetch_add(word(dir), 1, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, word(dir), FUTEX_WAKE, 1, NULL, NULL, 0);
}

static void futex_recv(int dir, void *b)
{
	for (;;) {
		uint32_t v = __atomic_load_n(word(dir), __ATOMIC_SEQ_CST);
		if (v && __atomic_compare_exchange_n(word(dir), &v, v - 1, 0, __ATOMIC_SEQ_CST,
						     __ATOMIC_SEQ_CST))
			break;
		if (!v)
			syscall(SYS_futex, word(dir), FUTEX_WAIT, 0, NULL, NULL, 0);
	}
	memcpy(b, SLOT(dir), size);
}

/* eventfd: an eventfd per direction. */
static void efd_setup(void)
{
	map_shm();
	fds[0] = eventfd(0, EFD_SEMAPHORE);
	fds[1] = eventfd(0, EFD_SEMAPHORE);
}

static void efd_send(int dir, const void *b)
{
	uint64_t one = 1;

	memcpy(SLOT(dir), b, size);
	write_all(fds[dir], &one, sizeof(one));
}

static void efd_recv(int dir, void *b)
{
	uint64_t v;

	read_all(fds[dir], &v, sizeof(v));
	memcpy(b, SLOT(dir), size);
}

/* signal: sigqueue SIGRTMIN+dir to the peer, sigwaitinfo with it blocked. */
static void sig_setup(void)
{
	sigset_t set;

	map_shm();
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	sigaddset(&set, SIGRTMIN + 1);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

static void sig_send(int dir, const void *b)
{
	union sigval v = { 0 };

	memcpy(SLOT(dir), b, size);
	if (sigqueue(PIDS[dir == UP], SIGRTMIN + dir, v))
		die("sigqueue");
}

static void sig_recv(int dir, void *b)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN + dir);
	while (sigwaitinfo(&set, NULL) < 0)
		;
	memcpy(b, SLOT(dir), size);
}

/*
 * shm-spin: poll the slot's first byte, which every message changes (it
 * starts with its sequence number).  Pinned to one CPU, yield after every
 * poll that finds nothing, so the other end can run; with a CPU each, only
 * every 4096 polls.  The same protocol as ipc-bench's shm-spin.
 */
static int one_cpu;

static void relax(unsigned *n)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
	if (one_cpu || (++*n & 4095) == 0)
		sched_yield();
}

/*
 * One slot for both directions, a mailbox: the reply overwrites the
 * request, with the top bit of its first byte flipped (a request and its
 * reply share a sequence number).  last_first: the byte the slot had.
 */
static unsigned char last_first;

static void spin_send(int dir, const void *b)
{
	unsigned char bell = *(const unsigned char *)b ^ (dir ? 0x80 : 0);

	memcpy(SLOT(0) + 1, (const char *)b + 1, size - 1);
	__atomic_store_n((unsigned char *)SLOT(0), bell, __ATOMIC_RELEASE);
	last_first = bell;
}

static void spin_recv(int dir, void *b)
{
	unsigned char c;
	unsigned n = 0;

	while ((c = __atomic_load_n((unsigned char *)SLOT(0), __ATOMIC_ACQUIRE)) == last_first)
		relax(&n);
	last_first = c;
	memcpy(b, SLOT(0), size);
	*(unsigned char *)b ^= dir ? 0x80 : 0;
}

/* cacheline: one shared word; each side stores the next odd or even number. */
static void cl_send(int dir, const void *b)
{
	uint64_t seq;

	(void)dir;
	memcpy(&seq, b, sizeof(seq));
	__atomic_store_n((uint64_t *)shm, seq << 1 | (uint64_t)role, __ATOMIC_RELEASE);
}

static void cl_recv(int dir, void *b)
{
	static uint64_t seen;
	uint64_t w;
	unsigned n = 0;

	(void)dir;
	while (w = __atomic_load_n((uint64_t *)shm, __ATOMIC_ACQUIRE),
	       (w & 1) == (uint64_t)role || w == seen)
		relax(&n);
	seen = w;
	w >>= 1;
	memcpy(b, &w, sizeof(w));
}

/* ------------------------------------------------------------------ driver */

static const struct method {
	const char *name;
	void (*setup)(void);
	void (*send)(int dir, const void *buf);
	void (*recv)(int dir, void *buf);
} methods[] = {
	{ "cacheline", map_shm, cl_send, cl_recv },
	{ "pipe", pipe_setup, pipe_send, pipe_recv },
	{ "fifo", fifo_setup, pipe_send, pipe_recv },
	{ "unix-stream", ustream_setup, stream_send, stream_recv },
	{ "unix-dgram", udgram_setup, msg_send, msg_recv },
	{ "unix-seqpacket", useq_setup, msg_send, msg_recv },
	{ "tcp", tcp_setup, stream_send, stream_recv },
	{ "sysv-msg", sysvmsg_setup, sysvmsg_send, sysvmsg_recv },
	{ "posix-mq", mq_setup, mq_send_, mq_recv_ },
	{ "shm-sysv-sem", sysvsem_setup, sysvsem_send, sysvsem_recv },
	{ "shm-posix-sem", psem_setup, psem_send, psem_recv },
	{ "shm-futex", map_shm, futex_send, futex_recv },
	{ "shm-spin", map_shm, spin_send, spin_recv },
	{ "eventfd", efd_setup, efd_send, efd_recv },
	{ "signal", sig_setup, sig_send, sig_recv },
	{ "fd-pass", fdpass_setup, fdpass_send, fdpass_recv },
};

static uint64_t now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000 + (uint64_t)t.tv_nsec;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity");
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	const struct method *m = NULL;

	if (argc != 7) {
		fprintf(stderr, "usage: pingpong-ref METHOD SIZE COUNT WARMUP CLIENT-CPU SERVER-CPU\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(argv[1], methods[i].name) == 0)
			m = &methods[i];
	size = strtoul(argv[2], NULL, 0);
	long count = atol(argv[3]), warm = atol(argv[4]), total = count + warm;
	if (!m || size < 8 || count < 1) {
		fprintf(stderr, "pingpong-ref: unknown method or size below 8\n");
		return 2;
	}
	if (strcmp(m->name, "cacheline") == 0)
		size = 8;
	one_cpu = atoi(argv[5]) == atoi(argv[6]);
	m->setup();
	/* The signal method needs both pids in shared memory: in the header. */
	if (!shm)
		map_shm();

	unsigned char *buf = calloc(1, size);
	uint64_t *lat = calloc((size_t)count, sizeof(*lat));
	pid_t server = fork();
	if (server == 0) {
		role = 1;
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		pin(atoi(argv[6]));
		PIDS[1] = getpid();
		for (long i = 0; i < total; i++) {
			m->recv(UP, buf);
			m->send(DOWN, buf);
		}
		_exit(0);
	}
	pin(atoi(argv[5]));
	PIDS[0] = getpid();
	while (!PIDS[1])
		usleep(1000);
	for (long i = 0; i < total; i++) {
		uint64_t seq = (uint64_t)i + 1;

		memcpy(buf, &seq, sizeof(seq));
		uint64_t t0 = now();
		m->send(UP, buf);
		m->recv(DOWN, buf);
		uint64_t t1 = now();
		if (i >= warm)
			lat[i - warm] = t1 - t0;
	}
	waitpid(server, NULL, 0);
	if (ids[0] > 0 && strcmp(m->name, "sysv-msg") == 0)
		msgctl(ids[0], IPC_RMID, NULL);
	if (ids[0] > 0 && strcmp(m->name, "shm-sysv-sem") == 0)
		semctl(ids[0], 0, IPC_RMID);
	qsort(lat, (size_t)count, sizeof(*lat), cmp);
	printf("%s %llu %llu\n", m->name, (unsigned long long)lat[count / 2],
	       (unsigned long long)lat[count * 99 / 100]);
	return 0;
}
