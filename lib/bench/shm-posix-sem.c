/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * shm-posix-sem: a POSIX shared memory object, unlinked as soon as it is
 * mapped, holding process-shared POSIX semaphores (sem_init(3) with
 * pshared) in front of the rings.
 */
#include "bench.h"

#include <fcntl.h>
#include <limits.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <sys/statvfs.h>
#include <unistd.h>

static int shm_posix_sem_max(uint64_t *max, const char **source)
{
	struct statvfs sv;

	*source = "the size of /dev/shm";
	if (statvfs("/dev/shm", &sv))
		return -errno;
	*max = (uint64_t)sv.f_bavail * sv.f_frsize / 2;
	return 0;
}

static sem_t *sems(const struct bench_chan *c)
{
	return c->mem;
}

static int shm_posix_sem_setup(struct bench_chan *c)
{
	char name[64];

	ring_geometry(c);
	ring_set_base(c, RING_NSEMS * sizeof(sem_t));
	size_t len = c->ring_off + ring_bytes(c);

	bench_posix_name(name, sizeof(name));
	int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return bench_fail(c, "shm_open");
	shm_unlink(name);
	int rc = ftruncate(fd, (off_t)len) ? bench_fail(c, "ftruncate") : 0;
	if (!rc) {
		void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED) {
			rc = bench_fail(c, "mmap");
		} else {
			c->mem = p;
			c->mem_len = len;
		}
	}
	close(fd);
	for (int i = 0; i < RING_NSEMS && !rc; i++)
		if (sem_init(&sems(c)[i], 1, ring_initial(c, i)))
			rc = bench_fail(c, "sem_init");
	return rc;
}

static int shm_posix_sem_post(struct bench_chan *c, int sem)
{
	int rc = xport_sem_post(&sems(c)[sem]);

	return rc ? bench_failed(c, "sem_post", rc) : 0;
}

static int shm_posix_sem_wait(struct bench_chan *c, int sem)
{
	int rc = xport_sem_wait(&sems(c)[sem], NULL);

	return rc ? bench_failed(c, "sem_wait", rc) : 0;
}

static int shm_posix_sem_limits(struct ipk_bench_limits *l)
{
	sem_t s;
	int rc = shm_posix_sem_max(&l->max_msg, &l->max_source);

	if (rc)
		return rc;
	/* What the semaphore allows: SEM_VALUE_MAX, then EOVERFLOW. */
	if (sem_init(&s, 0, SEM_VALUE_MAX))
		return -errno;
	l->bounded = true;
	l->queued_msgs = SEM_VALUE_MAX;
	l->full_err = sem_post(&s) ? errno : 0;
	sem_destroy(&s);
	snprintf(l->note, sizeof(l->note), "messages wait in ipc-bench's ring; a semaphore "
		 "counts to SEM_VALUE_MAX");
	return 0;
}

const struct ipk_bench_method bench_shm_posix_sem = {
	.name = "shm-posix-sem",
	.description = "POSIX shared memory, process-shared POSIX semaphores",
	.max_size = shm_posix_sem_max,
	.setup = shm_posix_sem_setup,
	.send = ring_send,
	.recv = ring_recv,
	.post = shm_posix_sem_post,
	.wait = shm_posix_sem_wait,
	.limits = shm_posix_sem_limits,
};
