/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * floor-rm: the honest denominator of bench-rm.  It removes every SysV
 * queue, segment and semaphore array of its IPC namespace with the system
 * calls `ipc-rm --kind msg,shm,sem --all --yes` needs to do it safely and
 * nothing else: no records, no names, no report.
 *
 *   first, who holds and waits: one pass over /proc (each process's stat,
 *   its shared mappings through PROCMAP_QUERY, the syscall file of a
 *   sleeping one);
 *   then per index of each kind (IPC_INFO gives the highest): the
 *   *_STAT_ANY that selects the object and is the reading its checks
 *   judge, for a semaphore array GETNCNT, GETZCNT and GETPID of each
 *   semaphore, and IPC_RMID.
 *
 * With --select-first it makes the calls of a removal that lists first
 * (ipc-rm with REFs or a confirmation): IPC_INFO and one *_STAT_ANY per
 * index, the pass over /proc, one more for who waits (stat, syscall), and
 * per object the *_STAT_ANY that proves the id still names the object
 * selected (key and ctime) right before the checks and IPC_RMID.
 *
 * It checks what it reads only as far as a removal must (same key and
 * ctime, nobody waiting): what is left is ipc-rm's own cost.  It prints
 * how many objects went.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <unistd.h>
#include <dirent.h>

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
	struct seminfo *__buf;
};

struct procmap_query {
	uint64_t size, query_flags, query_addr, vma_start, vma_end, vma_flags, vma_page_size,
		 vma_offset, inode;
	uint32_t dev_major, dev_minor, vma_name_size, build_id_size;
	uint64_t vma_name_addr, build_id_addr;
};

#define PROCMAP_QUERY_IOCTL _IOWR('f', 17, struct procmap_query)

struct picked {
	char kind;		/* m, s, S (semaphores) */
	int id;
	key_t key;
	int64_t ctime;
	unsigned long nsems;
};

static struct picked *picked;
static size_t npicked, cap;

static void pick(char kind, int id, key_t key, int64_t ctime, unsigned long nsems)
{
	if (npicked == cap) {
		cap = cap ? 2 * cap : 4096;
		picked = realloc(picked, cap * sizeof(*picked));
		if (!picked)
			exit(1);
	}
	picked[npicked++] = (struct picked){ kind, id, key, ctime, nsems };
}

static void read_small(int dir, const char *name, char *buf, size_t size)
{
	int f = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	ssize_t n = f < 0 ? -1 : read(f, buf, size - 1);

	buf[n > 0 ? n : 0] = '\0';
	if (f >= 0)
		close(f);
}

/* One pass over /proc: stat and syscall of each process, and with @maps its shared mappings. */
static void walk(bool maps)
{
	static char dents[32768] __attribute__((aligned(8)));
	char text[1024], name[4096];
	int procdir = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	for (long got; procdir >= 0 && (got = getdents64(procdir, dents, sizeof(dents))) > 0;) {
		for (long pos = 0; pos < got;) {
			struct dirent64 *d = (void *)(dents + pos);
			pos += d->d_reclen;
			if (d->d_name[0] < '0' || d->d_name[0] > '9')
				continue;
			int piddir = openat(procdir, d->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (piddir < 0)
				continue;
			read_small(piddir, "stat", text, sizeof(text));
			const char *paren = strrchr(text, ')');
			int f = maps ? openat(piddir, "maps", O_RDONLY | O_CLOEXEC) : -1;
			for (uint64_t addr = 0; f >= 0;) {
				struct procmap_query q = {
					.size = sizeof(q), .query_flags = 0x38, .query_addr = addr,
					.vma_name_addr = (uint64_t)(uintptr_t)name,
					.vma_name_size = sizeof(name),
				};
				if (ioctl(f, PROCMAP_QUERY_IOCTL, &q) < 0 || q.vma_end <= addr)
					break;
				addr = q.vma_end;
			}
			if (f >= 0)
				close(f);
			if (paren && paren[1] && (paren[2] == 'S' || paren[2] == 'D'))
				read_small(piddir, "syscall", text, sizeof(text));
			close(piddir);
		}
	}
	if (procdir >= 0)
		close(procdir);
}

/* Every semaphore of array @id: nobody waits (the last operator is read too). */
static bool sems_idle(int id, unsigned long nsems)
{
	bool idle = true;

	for (unsigned long s = 0; idle && s < nsems; s++) {
		idle = semctl(id, (int)s, GETNCNT) == 0 && semctl(id, (int)s, GETZCNT) == 0;
		semctl(id, (int)s, GETPID);
	}
	return idle;
}

/* The pass over /proc, then each object removed as it is read. */
static size_t as_read(void)
{
	struct msginfo mi;
	struct shminfo si;
	struct seminfo ei;
	size_t gone = 0;

	walk(true);
	int max = msgctl(0, IPC_INFO, (struct msqid_ds *)(void *)&mi);
	for (int i = 0; i <= max; i++) {
		struct msqid_ds ds;
		int id = msgctl(i, MSG_STAT_ANY, &ds);
		gone += id >= 0 && msgctl(id, IPC_RMID, NULL) == 0;
	}
	max = shmctl(0, IPC_INFO, (struct shmid_ds *)(void *)&si);
	for (int i = 0; i <= max; i++) {
		struct shmid_ds ds;
		int id = shmctl(i, SHM_STAT_ANY, &ds);
		gone += id >= 0 && ds.shm_nattch == 0 && shmctl(id, IPC_RMID, NULL) == 0;
	}
	max = semctl(0, 0, IPC_INFO, (union semun){ .__buf = &ei });
	for (int i = 0; i <= max; i++) {
		struct semid_ds ds;
		int id = semctl(i, 0, SEM_STAT_ANY, (union semun){ .buf = &ds });
		gone += id >= 0 && sems_idle(id, ds.sem_nsems) && semctl(id, 0, IPC_RMID) == 0;
	}
	return gone;
}

int main(int argc, char **argv)
{
	struct msginfo mi;
	struct shminfo si;
	struct seminfo ei;
	size_t gone = 0;

	if (argc < 2 || strcmp(argv[1], "--select-first") != 0) {
		printf("%zu removed\n", as_read());
		return 0;
	}

	int max = msgctl(0, IPC_INFO, (struct msqid_ds *)(void *)&mi);
	for (int i = 0; i <= max; i++) {
		struct msqid_ds ds;
		int id = msgctl(i, MSG_STAT_ANY, &ds);
		if (id >= 0)
			pick('m', id, ds.msg_perm.__key, ds.msg_ctime, 0);
	}
	max = shmctl(0, IPC_INFO, (struct shmid_ds *)(void *)&si);
	for (int i = 0; i <= max; i++) {
		struct shmid_ds ds;
		int id = shmctl(i, SHM_STAT_ANY, &ds);
		if (id >= 0)
			pick('s', id, ds.shm_perm.__key, ds.shm_ctime, 0);
	}
	max = semctl(0, 0, IPC_INFO, (union semun){ .__buf = &ei });
	for (int i = 0; i <= max; i++) {
		struct semid_ds ds;
		int id = semctl(i, 0, SEM_STAT_ANY, (union semun){ .buf = &ds });
		if (id >= 0)
			pick('S', id, ds.sem_perm.__key, ds.sem_ctime, ds.sem_nsems);
	}
	walk(true);
	walk(false);
	for (size_t i = 0; i < npicked; i++) {
		const struct picked *p = &picked[i];
		int idx = p->id & 0x7fff;
		bool same = false;
		if (p->kind == 'm') {
			struct msqid_ds ds;
			same = msgctl(idx, MSG_STAT_ANY, &ds) == p->id && ds.msg_perm.__key == p->key &&
			       ds.msg_ctime == p->ctime;
			gone += same && msgctl(p->id, IPC_RMID, NULL) == 0;
		} else if (p->kind == 's') {
			struct shmid_ds ds;
			same = shmctl(idx, SHM_STAT_ANY, &ds) == p->id && ds.shm_perm.__key == p->key &&
			       ds.shm_ctime == p->ctime && ds.shm_nattch == 0;
			gone += same && shmctl(p->id, IPC_RMID, NULL) == 0;
		} else {
			struct semid_ds ds;
			same = semctl(idx, 0, SEM_STAT_ANY, (union semun){ .buf = &ds }) == p->id &&
			       ds.sem_perm.__key == p->key && ds.sem_ctime == p->ctime;
			gone += same && sems_idle(p->id, p->nsems) && semctl(p->id, 0, IPC_RMID) == 0;
		}
	}
	printf("%zu removed\n", gone);
	free(picked);
	return 0;
}
