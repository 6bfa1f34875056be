/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * shm-sysv-sem: a private System V segment, removed as soon as it is
 * attached (it lives while attached), and a private set of System V
 * semaphores, one semop(2) a post or a wait, removed by teardown.
 */
#include "bench.h"

#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>

static int shm_sysv_sem_max(uint64_t *max, const char **source)
{
	*source = "kernel.shmmax";
	int rc = bench_limit("SHMMAX", max);
	/* Two rings of at least one message each. */
	*max /= 2;
	return rc;
}

static int shm_sysv_sem_setup(struct bench_chan *c)
{
	unsigned short init[RING_NSEMS];

	ring_geometry(c);
	ring_set_base(c, 0);
	int shmid = shmget(IPC_PRIVATE, c->ring_off + ring_bytes(c), IPC_CREAT | 0600);
	if (shmid < 0)
		return bench_fail(c, "shmget");
	void *p = shmat(shmid, NULL, 0);
	int rc = p == (void *)-1 ? bench_fail(c, "shmat") : 0;
	shmctl(shmid, IPC_RMID, NULL);
	if (rc)
		return rc;
	c->mem = p;
	c->mem_shmat = true;

	c->id = semget(IPC_PRIVATE, RING_NSEMS, IPC_CREAT | 0600);
	if (c->id < 0)
		return bench_fail(c, "semget");
	for (int i = 0; i < RING_NSEMS; i++)
		init[i] = (unsigned short)ring_initial(c, i);
	if (semctl(c->id, 0, SETALL, init))
		return bench_fail(c, "semctl SETALL");
	return 0;
}

static int semop1(struct bench_chan *c, int sem, short op)
{
	struct sembuf b = { .sem_num = (unsigned short)sem, .sem_op = op };
	int rc = xport_semop(c->id, &b, 1, NULL);

	return rc ? bench_failed(c, "semop", rc) : 0;
}

static int shm_sysv_sem_post(struct bench_chan *c, int sem)
{
	return semop1(c, sem, 1);
}

static int shm_sysv_sem_wait(struct bench_chan *c, int sem)
{
	return semop1(c, sem, -1);
}

static void shm_sysv_sem_teardown(struct bench_chan *c)
{
	if (c->id >= 0)
		semctl(c->id, 0, IPC_RMID);
	c->id = -1;
}

static int shm_sysv_sem_limits(struct ipk_bench_limits *l)
{
	uint64_t semmsl = 0, semmni = 0;
	int rc = shm_sysv_sem_max(&l->max_msg, &l->max_source);

	if (rc)
		return rc;
	bench_limit("SEMMSL", &semmsl);
	bench_limit("SEMMNI", &semmni);
	/* What the semaphore itself allows: a value up to SEMVMX, then ERANGE. */
	int id = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	if (id < 0)
		return -errno;
	struct sembuf up = { .sem_num = 0, .sem_op = 1, .sem_flg = IPC_NOWAIT };
	l->bounded = true;
	while (semop(id, &up, 1) == 0)
		l->queued_msgs++;
	l->full_err = errno;
	semctl(id, 0, IPC_RMID);
	snprintf(l->note, sizeof(l->note), "messages wait in ipc-bench's ring; a semaphore "
		 "counts to %llu (SEMVMX); kernel.sem: %llu a set, %llu sets",
		 (unsigned long long)l->queued_msgs, (unsigned long long)semmsl,
		 (unsigned long long)semmni);
	l->queued_bytes = 0;
	return 0;
}

const struct ipk_bench_method bench_shm_sysv_sem = {
	.name = "shm-sysv-sem",
	.description = "System V shared memory, System V semaphores",
	.max_size = shm_sysv_sem_max,
	.setup = shm_sysv_sem_setup,
	.send = ring_send,
	.recv = ring_recv,
	.post = shm_sysv_sem_post,
	.wait = shm_sysv_sem_wait,
	.teardown = shm_sysv_sem_teardown,
	.limits = shm_sysv_sem_limits,
};
