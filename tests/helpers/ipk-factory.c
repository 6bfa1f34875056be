/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ipk-factory: creates real IPC objects for the tests, prints their REFs,
 * and with --hold keeps them open, attached or waited on until its stdin
 * closes or it gets SIGTERM.  It uses the kernel directly, not libipckit,
 * so the tests check the library against an independent creator.
 *
 *   ipk-factory [--hold] [--count N] KIND [PARAM=VALUE...] [KIND ...]
 *
 * With --count, "%d" in a name becomes 0..N-1.  Prints one REF per line,
 * then with --hold "ready PID".  The parameters of each kind are in its
 * row of the factories table.  The fd kinds (pipe, fifo, unix, eventfd,
 * timerfd, signalfd, memfd) only live as long as a process holds them:
 * use them with --hold.
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <semaphore.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <stddef.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_PARAMS 16

struct params {
	const char *key[MAX_PARAMS];
	const char *value[MAX_PARAMS];
	int n;
	int index;		/* 0..count-1 */
};

struct factory {
	const char *kind;
	const char *params;	/* for --help */
	int (*create)(const struct params *p, char *ref, size_t size);
};

static bool hold;

static void die(const char *what, const char *obj)
{
	fprintf(stderr, "ipk-factory: cannot %s '%s': %s\n", what, obj, strerror(errno));
	exit(1);
}

static const char *param(const struct params *p, const char *key, const char *def)
{
	for (int i = 0; i < p->n; i++)
		if (strcmp(p->key[i], key) == 0)
			return p->value[i];
	return def;
}

static long num(const struct params *p, const char *key, long def)
{
	const char *v = param(p, key, NULL);

	return v ? strtol(v, NULL, 0) : def;
}

static unsigned long size_param(const struct params *p, const char *key, unsigned long def)
{
	const char *v = param(p, key, NULL);
	char *end;

	if (!v)
		return def;
	unsigned long n = strtoul(v, &end, 0);
	switch (*end) {
	case 'K': case 'k': n <<= 10; break;
	case 'M': case 'm': n <<= 20; break;
	case 'G': case 'g': n <<= 30; break;
	}
	return n;
}

static mode_t mode_param(const struct params *p)
{
	return (mode_t)strtol(param(p, "mode", "0600"), NULL, 8);
}

static key_t key_param(const struct params *p)
{
	const char *v = param(p, "key", NULL);

	if (!v)
		return IPC_PRIVATE;
	if (strncmp(v, "ftok:", 5) == 0) {
		/* key=ftok:PATH:PROJ, computed by ftok(3) itself */
		char path[4096];
		const char *colon = strrchr(v + 5, ':');
		snprintf(path, sizeof(path), "%.*s", (int)(colon - v - 5), v + 5);
		key_t k = ftok(path, (int)strtol(colon + 1, NULL, 0));
		if (k == -1)
			die("ftok", path);
		return k;
	}
	return (key_t)(strtoul(v, NULL, 0) + (unsigned long)p->index);
}

/* The name, with "%d" replaced by the index of --count. */
static void name_param(const struct params *p, const char *def, char *out, size_t size)
{
	const char *name = param(p, "name", def);
	const char *at = strstr(name, "%d");

	if (!at)
		snprintf(out, size, "%s", name);
	else
		snprintf(out, size, "%.*s%d%s", (int)(at - name), name, p->index, at + 2);
}

/* A child that blocks on the object, so counts of waiters are real. */
static void spawn_waiter(void (*block)(const void *arg), const void *arg)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork", "waiter");
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		block(arg);
		_exit(0);
	}
}

static void block_msgrcv(const void *arg)
{
	struct {
		long type;
		char text[16];
	} m;

	msgrcv((int)(intptr_t)arg, &m, sizeof(m.text), 999, 0);
}

static int mk_sysv_msg(const struct params *p, char *ref, size_t size)
{
	int id = msgget(key_param(p), IPC_CREAT | IPC_EXCL | (int)mode_param(p));

	if (id < 0)
		die("create", "sysv-msg");
	long qbytes = num(p, "qbytes", 0);
	if (qbytes) {
		struct msqid_ds ds;
		if (msgctl(id, IPC_STAT, &ds) < 0)
			die("stat", "sysv-msg");
		ds.msg_qbytes = (msglen_t)qbytes;
		if (msgctl(id, IPC_SET, &ds) < 0)
			die("set qbytes of", "sysv-msg");
	}
	long n = num(p, "send", 0), len = num(p, "msgsize", 16);
	struct {
		long type;
		char text[65536];
	} *m = calloc(1, sizeof(*m));
	if (!m)
		die("allocate", "message");
	m->type = 1;
	/* sender=exited: a child sends and exits, so the last sender is dead */
	pid_t sender = strcmp(param(p, "sender", "self"), "exited") == 0 ? fork() : 0;
	if (sender < 0)
		die("fork", "sender");
	if (sender == 0) {
		for (long i = 0; i < n; i++)
			if (msgsnd(id, m, (size_t)len, IPC_NOWAIT) < 0)
				die("send to", "sysv-msg");
		if (strcmp(param(p, "sender", "self"), "exited") == 0)
			_exit(0);
	} else {
		waitpid(sender, NULL, 0);
	}
	free(m);
	/* receiver=1: a child blocks in msgrcv for a type nobody sends */
	if (num(p, "receiver", 0))
		spawn_waiter(block_msgrcv, (const void *)(intptr_t)id);
	snprintf(ref, size, "sysv-msg:%d", id);
	return 0;
}

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

static void sem_block(const void *arg)
{
	const int *w = arg;
	struct sembuf op = { .sem_num = (unsigned short)w[1], .sem_op = -1 };

	semop(w[0], &op, 1);
}

static int mk_sysv_sem(const struct params *p, char *ref, size_t size)
{
	int nsems = (int)num(p, "nsems", 1);
	int id = semget(key_param(p), nsems, IPC_CREAT | IPC_EXCL | (int)mode_param(p));

	if (id < 0)
		die("create", "sysv-sem");
	const char *values = param(p, "values", NULL);
	if (values) {
		unsigned short *v = calloc((size_t)nsems, sizeof(*v));
		char *copy = strdup(values), *save = NULL;
		int i = 0;
		for (char *w = strtok_r(copy, ",", &save); w && i < nsems;
		     w = strtok_r(NULL, ",", &save))
			v[i++] = (unsigned short)atoi(w);
		if (semctl(id, 0, SETALL, (union semun){ .array = v }) < 0)
			die("set values of", "sysv-sem");
		free(v);
		free(copy);
	}
	/* waiter=IDX: a child blocks decrementing semaphore IDX (semncnt). */
	const char *w = param(p, "waiter", NULL);
	if (w) {
		static int arg[2];
		arg[0] = id;
		arg[1] = atoi(w);
		spawn_waiter(sem_block, arg);
	}
	snprintf(ref, size, "sysv-sem:%d", id);
	return 0;
}

static int mk_sysv_shm(const struct params *p, char *ref, size_t size)
{
	int id = shmget(key_param(p), size_param(p, "size", 4096),
			IPC_CREAT | IPC_EXCL | (int)mode_param(p));

	if (id < 0)
		die("create", "sysv-shm");
	if (num(p, "attach", 0)) {
		char *addr = shmat(id, NULL, 0);
		if (addr == (void *)-1)
			die("attach", "sysv-shm");
		memset(addr, 1, size_param(p, "touch", 0));
	}
	if (num(p, "lock", 0) && shmctl(id, SHM_LOCK, NULL) < 0)
		die("lock", "sysv-shm");
	if (num(p, "rmid", 0) && shmctl(id, IPC_RMID, NULL) < 0)
		die("remove", "sysv-shm");
	snprintf(ref, size, "sysv-shm:%d", id);
	return 0;
}

static int mk_posix_mq(const struct params *p, char *ref, size_t size)
{
	char name[256];
	struct mq_attr a = {
		.mq_maxmsg = num(p, "maxmsg", 4),
		.mq_msgsize = num(p, "msgsize", 64),
	};

	name_param(p, "/ipk-mq%d", name, sizeof(name));
	mqd_t q = mq_open(name, O_CREAT | O_EXCL | O_RDWR, mode_param(p), &a);
	if (q == (mqd_t)-1)
		die("create", name);
	char msg[65536] = "";
	for (long i = 0, n = num(p, "send", 0); i < n; i++)
		if (mq_send(q, msg, (size_t)num(p, "len", 8), 0) < 0)
			die("send to", name);
	if (num(p, "notify", 0)) {
		struct sigevent ev = { .sigev_notify = SIGEV_NONE };
		if (mq_notify(q, &ev) < 0)
			die("notify", name);
	}
	if (!hold)
		mq_close(q);
	snprintf(ref, size, "posix-mq:%s", name);
	return 0;
}

static void psem_block(const void *arg)
{
	sem_wait((sem_t *)arg);
}

static int mk_posix_sem(const struct params *p, char *ref, size_t size)
{
	char name[256];

	name_param(p, "/ipk-sem%d", name, sizeof(name));
	sem_t *s = sem_open(name, O_CREAT | O_EXCL, mode_param(p), (unsigned)num(p, "value", 0));
	if (s == SEM_FAILED)
		die("create", name);
	if (num(p, "waiter", 0))
		spawn_waiter(psem_block, s);
	if (!hold)
		sem_close(s);
	snprintf(ref, size, "posix-sem:%s", name);
	return 0;
}

static int mk_posix_shm(const struct params *p, char *ref, size_t size)
{
	char name[256];

	name_param(p, "/ipk-shm%d", name, sizeof(name));
	int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, mode_param(p));
	if (fd < 0)
		die("create", name);
	off_t len = (off_t)size_param(p, "size", 4096);
	if (ftruncate(fd, len) < 0)
		die("size", name);
	if (num(p, "map", 0) && mmap(NULL, (size_t)len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) ==
				       MAP_FAILED)
		die("map", name);
	if (!hold)
		close(fd);
	snprintf(ref, size, "posix-shm:%s", name);
	return 0;
}

/* ------------------------------------------------------------ fd kinds */

static ino_t fd_inode(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		die("stat", "fd");
	return st.st_ino;
}

/* A child that holds @fd (and nothing else we made), for the other end of a pipe. */
static void spawn_holder(int keep, int close_fd)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork", "holder");
	if (pid == 0) {
		/* hold @keep and nothing else this process made */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (int fd = 3; fd < 1024; fd++)
			if (fd != keep)
				close(fd);
		(void)close_fd;
		for (;;)
			pause();
	}
}

static int mk_pipe(const struct params *p, char *ref, size_t size)
{
	int fds[2];
	char data[65536] = "";

	if (pipe(fds) < 0)
		die("create", "pipe");
	long n = num(p, "data", 0);
	if (n > 0 && write(fds[1], data, (size_t)n) != n)
		die("write to", "pipe");
	/* split=1: a child keeps the read end, this process the write end */
	if (num(p, "split", 0)) {
		spawn_holder(fds[0], fds[1]);
		close(fds[0]);
	}
	snprintf(ref, size, "pipe:%lu", (unsigned long)fd_inode(fds[1]));
	return 0;
}

static int mk_fifo(const struct params *p, char *ref, size_t size)
{
	char path[4096];

	name_param(p, "/tmp/ipk-fifo%d", path, sizeof(path));
	if (mkfifo(path, mode_param(p)) < 0 && errno != EEXIST)
		die("create", path);
	const char *open_mode = param(p, "open", "rw");
	if (strcmp(open_mode, "none") != 0) {
		int flags = strcmp(open_mode, "r") == 0 ? O_RDONLY | O_NONBLOCK :
			    strcmp(open_mode, "w") == 0 ? O_WRONLY : O_RDWR;
		int fd = open(path, flags);
		if (fd < 0)
			die("open", path);
		long n = num(p, "data", 0);
		char data[4096] = "";
		if (n > 0 && write(fd, data, (size_t)n) != n)
			die("write to", path);
	}
	snprintf(ref, size, "fifo:%s", path);
	return 0;
}

static int sock_type(const struct params *p)
{
	const char *t = param(p, "type", "stream");

	return strcmp(t, "dgram") == 0 ? SOCK_DGRAM :
	       strcmp(t, "seqpacket") == 0 ? SOCK_SEQPACKET : SOCK_STREAM;
}

/*
 * pair=1: a socketpair (the REF of the first end); path=/x or path=@name:
 * a bound socket, listening for stream and seqpacket, and with connect=1
 * a client connected to it.
 */
static int mk_unix(const struct params *p, char *ref, size_t size)
{
	int type = sock_type(p);

	/* inflight=1: a socket sent over another with SCM_RIGHTS, never received */
	if (num(p, "inflight", 0)) {
		int carrier[2], payload[2];
		char byte = 0, cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
		struct iovec iov = { &byte, 1 };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
				    .msg_controllen = sizeof(cbuf) };
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, carrier) < 0 ||
		    socketpair(AF_UNIX, type, 0, payload) < 0)
			die("create", "socketpair");
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &payload[0], sizeof(int));
		if (sendmsg(carrier[0], &m, 0) < 0)
			die("send", "fd");
		snprintf(ref, size, "unix:%lu", (unsigned long)fd_inode(payload[0]));
		close(payload[0]);
		return 0;
	}
	if (num(p, "pair", 0)) {
		int sv[2];
		if (socketpair(AF_UNIX, type, 0, sv) < 0)
			die("create", "socketpair");
		const char *data = param(p, "data", NULL);
		if (data && write(sv[1], data, strlen(data)) < 0)
			die("write to", "socketpair");
		if (num(p, "split", 0)) {
			spawn_holder(sv[1], sv[0]);
			close(sv[1]);
		}
		snprintf(ref, size, "unix:%lu", (unsigned long)fd_inode(sv[0]));
		return 0;
	}
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	const char *path = param(p, "path", "/tmp/ipk.sock");
	socklen_t len = offsetof(struct sockaddr_un, sun_path) + strlen(path);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (path[0] == '@')
		a.sun_path[0] = '\0';	/* abstract */
	else
		unlink(path);
	int fd = socket(AF_UNIX, type, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, len) < 0)
		die("bind", path);
	if (type != SOCK_DGRAM && listen(fd, (int)num(p, "backlog", 5)) < 0)
		die("listen on", path);
	if (num(p, "connect", 0)) {
		int c = socket(AF_UNIX, type, 0);
		if (c < 0 || connect(c, (struct sockaddr *)&a, len) < 0)
			die("connect to", path);
	}
	snprintf(ref, size, "unix:%lu", (unsigned long)fd_inode(fd));
	return 0;
}

static int mk_eventfd(const struct params *p, char *ref, size_t size)
{
	int fd = eventfd((unsigned)num(p, "value", 0), num(p, "semaphore", 0) ? EFD_SEMAPHORE : 0);
	char path[64], text[512];

	if (fd < 0)
		die("create", "eventfd");
	/* add=N: a 64-bit write, beyond what eventfd()'s unsigned int value gives */
	const char *add = param(p, "add", NULL);
	if (add) {
		uint64_t n = strtoull(add, NULL, 0);
		if (write(fd, &n, sizeof(n)) != (ssize_t)sizeof(n))
			die("write", "eventfd");
	}
	/* share=1: a child holds it too */
	if (num(p, "share", 0))
		spawn_holder(fd, -1);
	/* the kernel's eventfd-id names it; older kernels have none */
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	FILE *f = fopen(path, "r");
	long id = -1;
	while (f && fgets(text, sizeof(text), f))
		sscanf(text, "eventfd-id: %ld", &id);
	if (f)
		fclose(f);
	if (id >= 0)
		snprintf(ref, size, "eventfd:%ld", id);
	else
		snprintf(ref, size, "eventfd:%d:%d", (int)getpid(), fd);
	return 0;
}

/* A handle on a process: this one, or with exited=1 a child that has exited and been reaped. */
static int mk_pidfd(const struct params *p, char *ref, size_t size)
{
	pid_t target = getpid();

	if (num(p, "exited", 0)) {
		target = fork();
		if (target < 0)
			die("fork", "pidfd target");
		if (target == 0)
			_exit(0);
	}
	int fd = (int)syscall(SYS_pidfd_open, target, 0);
	if (fd < 0)
		die("create", "pidfd");
	if (target != getpid())
		waitpid(target, NULL, 0);
	char path[64], text[256];
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	FILE *f = fopen(path, "r");
	unsigned long long ino = 0;
	while (f && fgets(text, sizeof(text), f))
		sscanf(text, "ino: %llu", &ino);
	if (f)
		fclose(f);
	if (ino)
		snprintf(ref, size, "pidfd:%llu", ino);
	else
		snprintf(ref, size, "pidfd:%d:%d", (int)getpid(), fd);
	return 0;
}

static int mk_timerfd(const struct params *p, char *ref, size_t size)
{
	int clock = strcmp(param(p, "clock", "monotonic"), "realtime") == 0 ? CLOCK_REALTIME
									 : CLOCK_MONOTONIC;
	int fd = timerfd_create(clock, 0);
	long value = num(p, "value", 0), interval = num(p, "interval", 0);	/* ms */
	struct itimerspec its = {
		.it_value = { value / 1000, (value % 1000) * 1000000 },
		.it_interval = { interval / 1000, (interval % 1000) * 1000000 },
	};

	if (fd < 0 || timerfd_settime(fd, 0, &its, NULL) < 0)
		die("create", "timerfd");
	snprintf(ref, size, "timerfd:%d:%d", (int)getpid(), fd);
	return 0;
}

static int mk_signalfd(const struct params *p, char *ref, size_t size)
{
	char *copy = strdup(param(p, "signals", "USR1")), *save = NULL;
	sigset_t mask;

	sigemptyset(&mask);
	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		int sig = strcmp(w, "USR1") == 0 ? SIGUSR1 : strcmp(w, "USR2") == 0 ? SIGUSR2 :
			  strcmp(w, "RTMIN") == 0 ? SIGRTMIN : strcmp(w, "HUP") == 0 ? SIGHUP :
			  atoi(w);
		sigaddset(&mask, sig);
	}
	free(copy);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	int fd = signalfd(-1, &mask, 0);
	if (fd < 0)
		die("create", "signalfd");
	snprintf(ref, size, "signalfd:%d:%d", (int)getpid(), fd);
	return 0;
}

static int mk_memfd(const struct params *p, char *ref, size_t size)
{
	char name[64];

	name_param(p, "ipk-memfd%d", name, sizeof(name));
	const char *seals = param(p, "seals", NULL);
	int fd = memfd_create(name, seals ? MFD_ALLOW_SEALING : 0);
	off_t len = (off_t)size_param(p, "size", 4096);
	if (fd < 0 || ftruncate(fd, len) < 0)
		die("create", name);
	if (num(p, "map", 0) &&
	    mmap(NULL, (size_t)len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED)
		die("map", name);
	if (seals) {
		int add = (strstr(seals, "shrink") ? F_SEAL_SHRINK : 0) |
			  (strstr(seals, "grow") ? F_SEAL_GROW : 0) |
			  (strstr(seals, "seal") && !strstr(seals, "seals") ? F_SEAL_SEAL : 0);
		if (fcntl(fd, F_ADD_SEALS, add) < 0)
			die("seal", name);
	}
	/* map=only: keep the mapping, close the fd */
	if (strcmp(param(p, "map", ""), "only") == 0) {
		if (mmap(NULL, (size_t)len, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED)
			die("map", name);
	}
	snprintf(ref, size, "memfd:%lu", (unsigned long)fd_inode(fd));
	if (strcmp(param(p, "map", ""), "only") == 0)
		close(fd);
	return 0;
}

static const struct factory factories[] = {
	{ "sysv-msg", "key mode qbytes send msgsize sender=exited receiver=1", mk_sysv_msg },
	{ "sysv-sem", "key mode nsems values=1,0,3 waiter=IDX", mk_sysv_sem },
	{ "sysv-shm", "key mode size attach=1 touch=BYTES lock=1 rmid=1", mk_sysv_shm },
	{ "posix-mq", "name mode maxmsg msgsize send len notify=1", mk_posix_mq },
	{ "posix-sem", "name mode value waiter=1", mk_posix_sem },
	{ "posix-shm", "name mode size map=1", mk_posix_shm },
	{ "pipe", "data=BYTES split=1 (a child reads)", mk_pipe },
	{ "fifo", "name=PATH mode open=rw|r|w|none data=BYTES", mk_fifo },
	{ "unix", "pair=1 split=1 data=TEXT | path=/x|@x connect=1 backlog | inflight=1; type",
	  mk_unix },
	{ "eventfd", "value add=U64 semaphore=1 share=1 (a child holds it too)", mk_eventfd },
	{ "timerfd", "value=MS interval=MS clock=monotonic|realtime", mk_timerfd },
	{ "signalfd", "signals=USR1,RTMIN,...", mk_signalfd },
	{ "memfd", "name size seals=shrink,grow map=1|only", mk_memfd },
	{ "pidfd", "exited=1 (a child that has exited and been reaped)", mk_pidfd },
};

static const struct factory *find(const char *kind)
{
	for (size_t i = 0; i < sizeof(factories) / sizeof(factories[0]); i++)
		if (strcmp(kind, factories[i].kind) == 0)
			return &factories[i];
	return NULL;
}

static void usage(void)
{
	fprintf(stderr, "usage: ipk-factory [--hold] [--count N] KIND [PARAM=VALUE...] ...\n");
	for (size_t i = 0; i < sizeof(factories) / sizeof(factories[0]); i++)
		fprintf(stderr, "  %-10s %s\n", factories[i].kind, factories[i].params);
	exit(2);
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	long count = 1;
	int i = 1;

	/* hold what we are asked to and nothing inherited (bats keeps fd 3) */
	for (int fd = 3; fd < 1024; fd++)
		close(fd);

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--hold") == 0)
			hold = true;
		else if (strcmp(argv[i], "--count") == 0 && i + 1 < argc)
			count = strtol(argv[++i], NULL, 10);
		else
			usage();
	}
	if (i >= argc)
		usage();
	while (i < argc) {
		const struct factory *f = find(argv[i]);
		struct params p = { 0 };

		if (!f) {
			fprintf(stderr, "ipk-factory: unknown kind '%s'\n", argv[i]);
			usage();
		}
		for (i++; i < argc && strchr(argv[i], '='); i++) {
			if (p.n == MAX_PARAMS)
				usage();
			char *eq = strchr(argv[i], '=');
			*eq = '\0';
			p.key[p.n] = argv[i];
			p.value[p.n++] = eq + 1;
		}
		for (p.index = 0; p.index < count; p.index++) {
			char ref[4200];
			f->create(&p, ref, sizeof(ref));
			if (count <= 100)
				printf("%s\n", ref);
		}
	}
	if (!hold)
		return fflush(stdout) == 0 ? 0 : 1;

	/*
	 * Hold until SIGTERM or SIGINT, or until a pipe on stdin closes; never
	 * longer than ten minutes, so a failed test leaves nothing running.
	 */
	struct sigaction sa = { .sa_handler = on_signal };
	struct stat st;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	alarm(600);
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	bool watch_stdin = fstat(STDIN_FILENO, &st) == 0 && S_ISFIFO(st.st_mode);
	char c;
	while (!stop) {
		if (watch_stdin) {
			if (read(STDIN_FILENO, &c, 1) <= 0 && !stop)
				break;
		} else {
			pause();
		}
	}
	return 0;
}
