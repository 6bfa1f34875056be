/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * deny-syscalls: runs a command in which some system calls fail with
 * ENOSYS, as on a kernel built without them or in a sandbox that filters
 * them, so tests can see what the tools say about a system that lacks a
 * primitive.
 *
 *   deny-syscalls NAME[,NAME...] COMMAND [ARG...]
 *
 * NAMEs are system call names of this architecture (mq_open, shmget ...).
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static const struct {
	const char *name;
	int nr;
} calls[] = {
	{ "mq_open", SYS_mq_open }, { "mq_unlink", SYS_mq_unlink },
	{ "mq_timedsend", SYS_mq_timedsend }, { "mq_timedreceive", SYS_mq_timedreceive },
	{ "mq_getsetattr", SYS_mq_getsetattr }, { "mq_notify", SYS_mq_notify },
	{ "msgget", SYS_msgget }, { "msgsnd", SYS_msgsnd }, { "msgrcv", SYS_msgrcv },
	{ "msgctl", SYS_msgctl }, { "semget", SYS_semget }, { "semop", SYS_semop },
	{ "semtimedop", SYS_semtimedop }, { "semctl", SYS_semctl }, { "shmget", SYS_shmget },
	{ "shmat", SYS_shmat }, { "shmdt", SYS_shmdt }, { "shmctl", SYS_shmctl },
	{ "eventfd2", SYS_eventfd2 }, { "timerfd_create", SYS_timerfd_create },
	{ "signalfd4", SYS_signalfd4 }, { "memfd_create", SYS_memfd_create },
	{ "pipe2", SYS_pipe2 }, { "socketpair", SYS_socketpair }, { "mknodat", SYS_mknodat },
	{ "futex", SYS_futex }, { "pidfd_open", SYS_pidfd_open },
	{ "pidfd_getfd", SYS_pidfd_getfd }, { "bpf", SYS_bpf },
};

static int lookup(const char *name)
{
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (strcmp(calls[i].name, name) == 0)
			return calls[i].nr;
	fprintf(stderr, "deny-syscalls: unknown system call '%s'\n", name);
	exit(2);
}

int main(int argc, char **argv)
{
	struct sock_filter prog[2 + 2 * 32 + 1];
	size_t n = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: deny-syscalls NAME[,NAME...] COMMAND [ARG...]\n");
		return 2;
	}
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						 offsetof(struct seccomp_data, nr));
	char *list = strdup(argv[1]), *save = NULL;
	for (char *w = strtok_r(list, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (n + 3 > sizeof(prog) / sizeof(prog[0])) {
			fprintf(stderr, "deny-syscalls: too many system calls\n");
			return 2;
		}
		prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
							 (unsigned)lookup(w), 0, 1);
		prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
							 SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA));
	}
	free(list);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog fprog = { .len = (unsigned short)n, .filter = prog };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog) < 0) {
		perror("deny-syscalls: seccomp");
		return 2;
	}
	execvp(argv[2], argv + 2);
	fprintf(stderr, "deny-syscalls: cannot run '%s': %s\n", argv[2], strerror(errno));
	return 127;
}
