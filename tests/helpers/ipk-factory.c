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
 * row of the factories table.
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <semaphore.h>
#include <signal.h>
#include <stdbool.h>
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
	for (long i = 0; i < n; i++)
		if (msgsnd(id, m, (size_t)len, IPC_NOWAIT) < 0)
			die("send to", "sysv-msg");
	free(m);
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

static const struct factory factories[] = {
	{ "sysv-msg", "key mode qbytes send msgsize", mk_sysv_msg },
	{ "sysv-sem", "key mode nsems values=1,0,3 waiter=IDX", mk_sysv_sem },
	{ "sysv-shm", "key mode size attach=1 touch=BYTES lock=1 rmid=1", mk_sysv_shm },
	{ "posix-mq", "name mode maxmsg msgsize send len notify=1", mk_posix_mq },
	{ "posix-sem", "name mode value waiter=1", mk_posix_sem },
	{ "posix-shm", "name mode size map=1", mk_posix_shm },
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
			char ref[300];
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
