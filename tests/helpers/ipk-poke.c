/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ipk-poke: does one thing to an IPC object that exists, for the tests of
 * ipc-watch: sends, receives, posts, attaches, changes modes, and with
 * --hold keeps what it opened until SIGTERM.  Like
 * ipk-factory it uses the kernel directly, not libipckit.
 *
 *   ipk-poke [--hold] OP ARGS...   (--hold: until SIGTERM, printing "ready PID")
 *
 *   mq-send NAME [N]          N messages (default 1) to POSIX queue NAME
 *   mq-recv NAME [N]          receive N messages
 *   mq-open NAME              open it (with --hold: a holder)
 *   sem-post NAME [N]         sem_post N times
 *   sem-wait NAME             sem_wait once
 *   shm-open NAME             open and map a POSIX segment (a holder)
 *   msg-send ID [N]           N messages to SysV queue ID
 *   msg-recv ID [N]           receive N
 *   msg-wait ID               block in msgrcv for a type nobody sends (a waiting holder)
 *   msg-chmod ID MODE         IPC_SET of the mode
 *   sem-op ID IDX DELTA       semop on SysV array ID
 *   sem-set ID IDX VALUE      SETVAL
 *   shm-attach ID             shmat (with --hold: attached until the end)
 *   fd-write PID FD N         write N bytes to fd FD of process PID (pidfd_getfd)
 *   eventfd-add PID FD N      add N to an eventfd of process PID
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
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void die(const char *what, const char *obj)
{
	fprintf(stderr, "ipk-poke: cannot %s '%s': %s\n", what, obj, strerror(errno));
	exit(1);
}

static long arg(int argc, char **argv, int i, long def)
{
	return i < argc ? strtol(argv[i], NULL, 0) : def;
}

static int peer_fd(const char *pid, const char *fd)
{
	int pidfd = (int)syscall(SYS_pidfd_open, atoi(pid), 0);
	int f = pidfd < 0 ? -1 : (int)syscall(SYS_pidfd_getfd, pidfd, atoi(fd), 0);

	if (f < 0)
		die("get the fd of", pid);
	return f;
}

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	int i = 1;
	bool hold = false;
	struct {
		long type;
		char text[64];
	} m = { .type = 1 };

	if (i < argc && strcmp(argv[i], "--hold") == 0) {
		hold = true;
		i++;
	}
	if (argc - i < 2) {
		fprintf(stderr, "usage: ipk-poke [--hold] OP ARGS... (see the source)\n");
		return 2;
	}
	const char *op = argv[i], *a = argv[i + 1];
	long n = arg(argc, argv, i + 2, 1);

	if (strcmp(op, "mq-send") == 0 || strcmp(op, "mq-recv") == 0 || strcmp(op, "mq-open") == 0) {
		mqd_t q = mq_open(a, op[3] == 's' ? O_WRONLY : O_RDONLY);
		char buf[65536];
		if (q == (mqd_t)-1)
			die("open", a);
		for (long k = 0; op[3] == 's' && k < n; k++)
			if (mq_send(q, "ipk", 3, 0) < 0)
				die("send to", a);
		for (long k = 0; op[3] == 'r' && k < n; k++)
			if (mq_receive(q, buf, sizeof(buf), NULL) < 0)
				die("receive from", a);
	} else if (strcmp(op, "sem-post") == 0 || strcmp(op, "sem-wait") == 0) {
		sem_t *s = sem_open(a, 0);
		if (s == SEM_FAILED)
			die("open", a);
		for (long k = 0; k < n; k++)
			if ((op[4] == 'p' ? sem_post(s) : sem_wait(s)) < 0)
				die("operate on", a);
	} else if (strcmp(op, "shm-open") == 0) {
		int fd = shm_open(a, O_RDWR, 0);
		if (fd < 0 || mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED)
			die("map", a);
	} else if (strcmp(op, "msg-send") == 0 || strcmp(op, "msg-recv") == 0) {
		int id = atoi(a);
		for (long k = 0; k < n; k++) {
			if (op[4] == 's' ? msgsnd(id, &m, 8, IPC_NOWAIT) < 0
					 : msgrcv(id, &m, sizeof(m.text), 0, IPC_NOWAIT) < 0)
				die("use", a);
		}
	} else if (strcmp(op, "msg-wait") == 0) {
		if (msgrcv(atoi(a), &m, sizeof(m.text), 0x7fffffff, 0) < 0)
			die("wait on", a);
	} else if (strcmp(op, "msg-chmod") == 0) {
		struct msqid_ds ds;
		if (msgctl(atoi(a), IPC_STAT, &ds) < 0)
			die("stat", a);
		ds.msg_perm.mode = (unsigned short)strtol(argv[i + 2], NULL, 8);
		if (msgctl(atoi(a), IPC_SET, &ds) < 0)
			die("set the mode of", a);
	} else if (strcmp(op, "sem-op") == 0 || strcmp(op, "sem-set") == 0) {
		int idx = (int)arg(argc, argv, i + 2, 0);
		long v = arg(argc, argv, i + 3, 1);
		struct sembuf sb = { .sem_num = (unsigned short)idx, .sem_op = (short)v };
		if (op[4] == 'o' ? semop(atoi(a), &sb, 1) < 0
				 : semctl(atoi(a), idx, SETVAL, (union semun){ .val = (int)v }) < 0)
			die("operate on", a);
	} else if (strcmp(op, "shm-attach") == 0) {
		if (shmat(atoi(a), NULL, 0) == (void *)-1)
			die("attach", a);
	} else if (strcmp(op, "fd-write") == 0 || strcmp(op, "eventfd-add") == 0) {
		int fd = peer_fd(a, argv[i + 2]);
		long k = arg(argc, argv, i + 3, 1);
		char buf[4096] = "";
		uint64_t add = (uint64_t)k;
		if (op[0] == 'e' ? write(fd, &add, 8) != 8 : write(fd, buf, (size_t)k) != k)
			die("write to", a);
	} else {
		fprintf(stderr, "ipk-poke: unknown operation '%s'\n", op);
		return 2;
	}
	if (!hold)
		return 0;
	/* hold until SIGTERM; never more than ten minutes */
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL);
	alarm(600);
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	while (!stop)
		pause();
	return 0;
}
