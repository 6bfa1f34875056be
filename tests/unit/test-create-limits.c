/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ipk_create() under a file size limit (ulimit -f), inside the private
 * namespace of tests/run-in-ns: a posix-shm object larger than the limit
 * fails with EFBIG and leaves nothing, the process is not killed by
 * SIGXFSZ, and the library leaves its signal mask and dispositions as
 * they were (a library must not change them).
 */
#include "ipckit.h"
#include "test.h"

#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#define LIMIT (64 * 1024)

static int create_pshm(const char *name, uint64_t size, struct ipk_error *e)
{
	struct ipk_ctx *ctx = ipk_ctx_new();
	struct ipk_create c = { .name = name, .set = IPK_ATTR_BIT(IPK_ATTR_SIZE), .size = size };
	char *ref = NULL;
	bool existed = false;
	int rc = ipk_create(ctx, ipk_kind_find("posix-shm"), &c, &ref, &existed, e);

	free(ref);
	ipk_ctx_free(ctx);
	return rc;
}

static bool pending_xfsz(void)
{
	sigset_t set;

	sigpending(&set);
	return sigismember(&set, SIGXFSZ);
}

/* Only the signals the kernel has: the rest of a sigset_t is not filled in. */
static bool same_mask(const sigset_t *a, const sigset_t *b)
{
	for (int sig = 1; sig <= SIGRTMAX; sig++)
		if (sigismember(a, sig) != sigismember(b, sig))
			return false;
	return true;
}

static void test_above_the_limit(void)
{
	struct ipk_error e = { 0 };
	struct sigaction before, after;
	sigset_t mask_before, mask_after;

	sigaction(SIGXFSZ, NULL, &before);
	pthread_sigmask(SIG_SETMASK, NULL, &mask_before);

	CHECK_INT(create_pshm("/ipk-xfsz", 4 * LIMIT, &e), -EFBIG);
	CHECK_INT(e.err, EFBIG);
	CHECK(strstr(e.text, "file size limit of 65536 bytes (RLIMIT_FSIZE, ulimit -f)") != NULL);
	printf("# %s\n", e.text);
	/* nothing half-made: the 0-byte object is gone */
	CHECK(access("/dev/shm/ipk-xfsz", F_OK) < 0 && errno == ENOENT);
	/* the signal the call raised was taken back, not left for later */
	CHECK(!pending_xfsz());
	/* and the process's signal state is what it was */
	sigaction(SIGXFSZ, NULL, &after);
	pthread_sigmask(SIG_SETMASK, NULL, &mask_after);
	CHECK(after.sa_handler == before.sa_handler && after.sa_handler == SIG_DFL);
	CHECK(!sigismember(&mask_after, SIGXFSZ));
	CHECK(same_mask(&mask_before, &mask_after));

	/* within the limit it is made, and the limit does not get in the way */
	CHECK_INT(create_pshm("/ipk-xfsz-ok", LIMIT / 2, &e), 0);
	CHECK_INT(unlink("/dev/shm/ipk-xfsz-ok"), 0);
}

/* A caller that blocks SIGXFSZ itself gets it pending, as without the library. */
static void test_caller_blocks_it(void)
{
	struct ipk_error e = { 0 };
	sigset_t xfsz, old, now;

	sigemptyset(&xfsz);
	sigaddset(&xfsz, SIGXFSZ);
	pthread_sigmask(SIG_BLOCK, &xfsz, &old);
	CHECK_INT(create_pshm("/ipk-xfsz", 4 * LIMIT, &e), -EFBIG);
	CHECK(access("/dev/shm/ipk-xfsz", F_OK) < 0 && errno == ENOENT);
	CHECK(pending_xfsz());
	pthread_sigmask(SIG_SETMASK, NULL, &now);
	CHECK(sigismember(&now, SIGXFSZ));
	int sig = 0;
	sigwait(&xfsz, &sig);
	CHECK_INT(sig, SIGXFSZ);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

int main(void)
{
	struct rlimit fsize = { LIMIT, LIMIT };

	if (!getenv("IPCKIT_TEST_NS")) {
		printf("1..0 # SKIP needs the private namespace of tests/run-in-ns\n");
		return 0;
	}
	/*
	 * SIGXFSZ kills by default, and a blocked one stays pending: a parent
	 * that ignores it (Python does, and exec keeps an ignored signal
	 * ignored) would leave neither to prove
	 */
	signal(SIGXFSZ, SIG_DFL);
	if (setrlimit(RLIMIT_FSIZE, &fsize) < 0) {
		printf("1..0 # SKIP cannot set RLIMIT_FSIZE: %s\n", strerror(errno));
		return 0;
	}
	RUN(test_above_the_limit);
	RUN(test_caller_blocks_it);
	return test_done();
}
