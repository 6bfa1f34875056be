/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sem-noundo.so: an LD_PRELOAD shim that breaks SEM_UNDO, as an emulation
 * without per-process undo lists would: the flag is dropped from every
 * semop, so what a process took or gave stays when it ends.  The
 * conformance suite must say that sysv-sem deviates, at the step that
 * waits for the undo.
 *
 *   LD_PRELOAD=build/tests/sem-noundo.so ipc-scenario conform
 */
#include <dlfcn.h>
#include <stddef.h>
#include <sys/sem.h>
#include <time.h>

typedef int (*timedop_fn)(int, struct sembuf *, size_t, const struct timespec *);

static void drop_undo(struct sembuf *ops, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ops[i].sem_flg &= (short)~SEM_UNDO;
}

int semtimedop(int id, struct sembuf *ops, size_t n, const struct timespec *ts)
{
	static timedop_fn real;

	if (!real)
		real = (timedop_fn)dlsym(RTLD_NEXT, "semtimedop");
	drop_undo(ops, n);
	return real(id, ops, n, ts);
}

int semop(int id, struct sembuf *ops, size_t n)
{
	return semtimedop(id, ops, n, NULL);
}
