/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * --limits: what the kernel allows each method here, found by trying it in
 * a child process, so whatever a probe leaves (pending signals, a full
 * queue) dies with that child.
 */
#include "bench.h"

#include <sys/mman.h>

#define PROBE_TIMEOUT_NS	(UINT64_C(20) * 1000000000)

struct probe_arg {
	const struct ipk_bench_method *m;
	struct ipk_bench_limits *l;	/* shared with the child */
};

static int probe(void *arg)
{
	struct probe_arg *a = arg;

	return bench_method_limits(a->m, a->l);
}

int ipk_bench_limits(const struct ipk_bench_method *m, uint64_t probe_size,
		     struct ipk_bench_limits *l)
{
	struct ipk_bench_limits *shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
					       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	memset(l, 0, sizeof(*l));
	l->probe_size = probe_size;
	if (shared == MAP_FAILED)
		return -errno;
	*shared = *l;
	struct probe_arg a = { .m = m, .l = shared };
	int rc = m->limits ? bench_in_child(probe, &a, PROBE_TIMEOUT_NS) : -EOPNOTSUPP;
	if (!rc)
		*l = *shared;
	munmap(shared, sizeof(*shared));
	return rc;
}
