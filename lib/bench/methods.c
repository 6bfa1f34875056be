/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The method registry: the one list of every method ipc-bench measures, in
 * the order of its tables.  To add one, see bench.h.
 */
#include "bench.h"

#include <stdlib.h>
#include <strings.h>

#define BENCH_METHODS(X)	\
	X(cacheline)		\
	X(pipe)			\
	X(pipe_packet)		\
	X(fifo)			\
	X(unix_stream)		\
	X(unix_dgram)		\
	X(unix_seqpacket)	\
	X(tcp)			\
	X(sysv_msg)		\
	X(posix_mq)		\
	X(shm_sysv_sem)		\
	X(shm_posix_sem)	\
	X(shm_futex)		\
	X(shm_spin)		\
	X(eventfd)		\
	X(signal)		\
	X(fd_pass)

#define DECLARE(m) extern const struct ipk_bench_method bench_##m;
BENCH_METHODS(DECLARE)
#undef DECLARE

#define ENTRY(m) &bench_##m,
static const struct ipk_bench_method *const methods[] = { BENCH_METHODS(ENTRY) };
#undef ENTRY

size_t ipk_bench_method_count(void)
{
	return ARRAY_SIZE(methods);
}

const struct ipk_bench_method *ipk_bench_method_at(size_t i)
{
	return i < ARRAY_SIZE(methods) ? methods[i] : NULL;
}

const struct ipk_bench_method *ipk_bench_method_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(methods); i++)
		if (strcasecmp(name, methods[i]->name) == 0)
			return methods[i];
	return NULL;
}

const char *ipk_bench_method_name(const struct ipk_bench_method *m)
{
	return m->name;
}

const char *ipk_bench_method_description(const struct ipk_bench_method *m)
{
	return m->description;
}

bool ipk_bench_method_is_reference(const struct ipk_bench_method *m)
{
	return m->flags & BM_REFERENCE;
}

size_t ipk_bench_method_fixed_size(const struct ipk_bench_method *m)
{
	return m->fixed_size;
}

int ipk_bench_method_max_size(const struct ipk_bench_method *m, uint64_t *max,
			      const char **source)
{
	return bench_max_size(m, max, source);
}

/* ---------------------------------------------------------------- wrappers */

int bench_max_size(const struct ipk_bench_method *m, uint64_t *max, const char **source)
{
	*source = NULL;
	if (m->fixed_size) {
		*max = m->fixed_size;
		*source = "a fixed size";
		return 0;
	}
	if (!m->max_size) {
		*max = BENCH_MAX_SIZE;
		*source = "ipc-bench's own limit";
		return 0;
	}
	int rc = m->max_size(max, source);
	if (!rc && *max > BENCH_MAX_SIZE) {
		*max = BENCH_MAX_SIZE;
		*source = "ipc-bench's own limit";
	}
	return rc;
}

int bench_setup(struct bench_chan *c)
{
	errno = 0;
	return c->m->setup ? c->m->setup(c) : 0;
}

int bench_attach(struct bench_chan *c)
{
	errno = 0;
	return c->m->attach ? c->m->attach(c) : 0;
}

void bench_teardown(struct bench_chan *c)
{
	if (c->m->teardown)
		c->m->teardown(c);
	bench_close_fds(c);
	bench_unmap(c);
	free(c->scratch);
	c->scratch = NULL;
}

int bench_method_limits(const struct ipk_bench_method *m, struct ipk_bench_limits *l)
{
	return m->limits ? m->limits(l) : -EOPNOTSUPP;
}
