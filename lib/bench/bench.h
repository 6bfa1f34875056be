/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The benchmark engine and its methods.
 *
 * To add a method:
 *   1. write lib/bench/<method>.c ending in
 *        const struct ipk_bench_method bench_<method> = { .name = ..., ... };
 *      (struct ipk_bench_method below says what each slot means);
 *   2. add X(<method>) to BENCH_METHODS in lib/bench/methods.c, where it
 *      should sort in the output;
 *   3. describe it under METHODS in man/ipc-bench.1 (a test checks).
 * The engine (processes, pinning, warm-up, timing, histogram, payload check,
 * throughput) and cmd/ipc-bench.c do not change.
 */
#ifndef IPCKIT_BENCH_INTERNAL_H
#define IPCKIT_BENCH_INTERNAL_H

#include "internal.h"
#include "ipckit-bench.h"
#include "xport.h"

#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

/* The client sends on BENCH_UP and the server answers on BENCH_DOWN. */
enum bench_role { BENCH_CLIENT, BENCH_SERVER };
enum bench_dir { BENCH_UP, BENCH_DOWN };

/*
 * PINGPONG: at most one message in flight in each direction, the next one
 * sent only after the answer came (latency).  STREAM: the client sends and
 * the server receives, as fast as they can (throughput).
 */
enum bench_mode { BENCH_PINGPONG, BENCH_STREAM };

/* Largest message of a method with no limit of its own. */
#define BENCH_MAX_SIZE		(UINT64_C(16) << 20)
#define CACHELINE		64

#define BM_REFERENCE	(1u << 0)	/* a reference row, not an IPC method */
#define BM_SPIN		(1u << 1)	/* polls memory instead of blocking */

/*
 * One session of a method: what the parent creates before forking the two
 * processes, and what each of them then keeps.  The slots are generic so a
 * method needs no state of its own; each method's file says which it uses.
 */
struct bench_chan {
	const struct ipk_bench_method *m;
	enum bench_mode mode;
	size_t size;			/* bytes of every message */
	enum bench_role role;		/* in a child: which one it is */
	bool one_cpu;			/* both ends pinned to the same CPU */
	_Atomic pid_t *pids;		/* [role], in shared memory; 0 until known */
	const char *what;		/* the call that failed */

	int fd[4];			/* -1 when unused */
	int id;				/* a SysV id, -1 when none */
	void *mem;			/* shared memory, NULL when none */
	size_t mem_len;
	bool mem_shmat;			/* mem is a SysV attach, not a mapping */
	ino_t ino;			/* fd-pass: the inode of what is passed */
	void *scratch;			/* private memory, freed by teardown */

	/* Rings in shared memory (ring.c): one per direction. */
	uint32_t nslots;		/* slots per ring */
	size_t slot_size;
	size_t ring_off;		/* where the rings start in mem */
	uint64_t head[2];		/* this process: next slot to write, per dir */
	uint64_t tail[2];		/* this process: next slot to read, per dir */
	uint8_t seen[2][64];		/* shm-spin: the doorbell byte each slot had */
	uint32_t credits[4];		/* signal: what a semaphore starts with */
};

/* Records the failing call and returns -errno, for "return fail(c, ...)". */
static inline int bench_fail(struct bench_chan *c, const char *what)
{
	int err = errno ? errno : EIO;

	c->what = what;
	return -err;
}

/* The same for a call that returned @rc, a negative errno (xport.h). */
static inline int bench_failed(struct bench_chan *c, const char *what, int rc)
{
	c->what = what;
	return rc;
}

/*
 * One method.  NULL slots are "not needed"; the engine reaches them only
 * through the wrappers in methods.c.  Every function returns 0 or -errno
 * and sets c->what on failure, where it can.
 */
struct ipk_bench_method {
	const char *name;		/* stable: the JSON and the man page use it */
	const char *description;	/* one line */
	unsigned flags;			/* BM_* */
	size_t fixed_size;		/* always this size, or 0 */
	/*
	 * The largest message here, and the setting behind it; NULL means
	 * BENCH_MAX_SIZE, a limit of the engine's own.
	 */
	int (*max_size)(uint64_t *max, const char **source);
	/*
	 * In the parent, before the fork: creates everything the session
	 * needs, private or unlinked at once (so nothing outlives the three
	 * processes but what teardown removes).  A method the kernel lacks
	 * fails here with the errno that says so (ENOSYS, EAFNOSUPPORT ...).
	 */
	int (*setup)(struct bench_chan *c);
	/* In each child after the fork: drops what the other end uses. */
	int (*attach)(struct bench_chan *c);
	/*
	 * Moves one message of c->size bytes, blocking (or polling) while the
	 * channel is full or empty; a byte stream loops until it is whole.
	 * The direction follows c->role.
	 */
	int (*send)(struct bench_chan *c, const void *buf);
	int (*recv)(struct bench_chan *c, void *buf);
	/*
	 * Ring methods (ring.c) only: counting semaphores.  Semaphore
	 * RING_ITEMS(dir) counts messages ready in ring dir, RING_SPACES(dir)
	 * the free slots (used in STREAM mode only).
	 */
	int (*post)(struct bench_chan *c, int sem);
	int (*wait)(struct bench_chan *c, int sem);
	/* In the parent, after both children are gone, on every path. */
	void (*teardown)(struct bench_chan *c);
	/* --limits, in a child process of its own; see struct ipk_bench_limits. */
	int (*limits)(struct ipk_bench_limits *l);
};

/* Wrappers that give the NULL slots their meaning. */
int bench_max_size(const struct ipk_bench_method *m, uint64_t *max, const char **source);
int bench_setup(struct bench_chan *c);
int bench_attach(struct bench_chan *c);
void bench_teardown(struct bench_chan *c);
int bench_method_limits(const struct ipk_bench_method *m, struct ipk_bench_limits *l);

/* ----------------------------------------------------------------- helpers */

static inline enum bench_dir bench_send_dir(const struct bench_chan *c)
{
	return c->role == BENCH_CLIENT ? BENCH_UP : BENCH_DOWN;
}

static inline enum bench_dir bench_recv_dir(const struct bench_chan *c)
{
	return c->role == BENCH_CLIENT ? BENCH_DOWN : BENCH_UP;
}

/*
 * Pipes and FIFOs: fd[2 * dir] reads direction dir, fd[2 * dir + 1] writes
 * it.  Attach keeps a process's two ends; send and recv use them.
 */
int bench_pair_attach(struct bench_chan *c);
int bench_pair_send(struct bench_chan *c, const void *buf);
int bench_pair_recv(struct bench_chan *c, void *buf);
/* Fills a non-blocking fd with probe_size writes: the queue and what then. */
void bench_fill_fd(struct ipk_bench_limits *l, int fd);
/* Whether one write much larger than the queue is accepted in part. */
void bench_partial_fd(struct ipk_bench_limits *l, int fd);

/*
 * Sockets: fd[BENCH_CLIENT] and fd[BENCH_SERVER] are the two ends of one
 * connection; attach keeps a process's own.  Message sockets (dgram,
 * seqpacket) carry one message per send.
 */
int bench_socketpair(struct bench_chan *c, int type);
int bench_sock_attach(struct bench_chan *c);
int bench_sock_send_stream(struct bench_chan *c, const void *buf);
int bench_sock_recv_stream(struct bench_chan *c, void *buf);
int bench_sock_send_msg(struct bench_chan *c, const void *buf);
int bench_sock_recv_msg(struct bench_chan *c, void *buf);
/* The largest message one unix socket of @type takes, by trying. */
int bench_unix_max_msg(int type, uint64_t *max);
/* --limits of a unix socket pair of @type. */
int bench_unix_limits(int type, struct ipk_bench_limits *l);

/* Closes the fds of c->fd[] (and sets them to -1). */
void bench_close_fds(struct bench_chan *c);
/* Closes c->fd[i] unless it is @keep1 or @keep2. */
void bench_keep_fds(struct bench_chan *c, int keep1, int keep2);
/* Whole messages over a byte stream: loops over short reads and writes. */
int bench_write_full(struct bench_chan *c, int fd, const void *buf, size_t n);
int bench_read_full(struct bench_chan *c, int fd, void *buf, size_t n);
/* One datagram or record of exactly n bytes. */
int bench_send_msg(struct bench_chan *c, int fd, const void *buf, size_t n);
int bench_recv_msg(struct bench_chan *c, int fd, void *buf, size_t n);

/* Anonymous shared memory for c->mem, zeroed; released by bench_unmap(). */
int bench_map(struct bench_chan *c, size_t len);
void bench_unmap(struct bench_chan *c);

/* A kernel limit of lib/limits.c's table ("MSGMAX"), read now; -ENOENT if unknown. */
int bench_limit(const char *resource, uint64_t *v);
/* A private name for a POSIX object: "/ipckit-bench-PID-N". */
void bench_posix_name(char *buf, size_t size);

/*
 * Polling.  With a CPU each, the two ends poll on and yield only every
 * BENCH_SPIN_POLLS polls (tens of microseconds), in case the other was
 * descheduled; pinned to one CPU, a poll that finds nothing yields at once,
 * since only then can the other end run.  Yielding sooner across CPUs would
 * add a system call to round trips of a few hundred nanoseconds.  Part of
 * what shm-spin and cacheline measure: tests/helpers/pingpong-ref.c polls
 * the same way.
 */
#define BENCH_SPIN_POLLS	4096

static inline void bench_relax(const struct bench_chan *c, unsigned *polls)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
	if (c->one_cpu || (++*polls & (BENCH_SPIN_POLLS - 1)) == 0)
		sched_yield();
}

/* ------------------------------------------------------------------ rings */

/*
 * Message rings in shared memory for the methods that only signal: the
 * payload is copied into a slot of c->mem and a semaphore of the method
 * (post/wait) says it is there.  In PINGPONG mode a ring has one slot and
 * only the ITEMS semaphores are used, as a request/response protocol needs
 * no more; in STREAM mode SPACES keep the sender from overwriting a slot
 * not read yet.
 */
#define RING_ITEMS(dir)		(dir)
#define RING_SPACES(dir)	(2 + (dir))
#define RING_NSEMS		4

/* Sizes the rings for c->mode and c->size: sets nslots, slot_size. */
void ring_geometry(struct bench_chan *c);
/* Bytes of shared memory the rings need after @header bytes of the method's own. */
size_t ring_bytes(const struct bench_chan *c);
/* Where the rings start in c->mem: after the method's header. */
void ring_set_base(struct bench_chan *c, size_t header);
int ring_send(struct bench_chan *c, const void *buf);
int ring_recv(struct bench_chan *c, void *buf);
/* The value each semaphore starts with. */
unsigned ring_initial(const struct bench_chan *c, int sem);

/* ------------------------------------------------------------------ engine */

uint64_t bench_now(void);
/* The message of sequence @seq: its number, a checksum, and a body from both. */
void bench_msg_fill(unsigned char *buf, size_t size, uint64_t seq);
/* 0 when @buf is message @seq of @size bytes, -EBADMSG otherwise. */
int bench_msg_check(const unsigned char *buf, size_t size, uint64_t seq);

/* Histograms live in memory shared with the children: their size, and a reset. */
size_t bench_hist_size(void);
void bench_hist_init(struct ipk_hist *h);
/* Adds every value of @from to @to (the scenario's processes, put together). */
void bench_hist_merge(struct ipk_hist *to, const struct ipk_hist *from);

/* Classifies an errno met while setting up or running a method. */
enum ipk_bench_status bench_classify(int err);

/* Runs @fn(arg) in a child process of its own under a timeout; for probes. */
int bench_in_child(int (*fn)(void *arg), void *arg, uint64_t timeout_ns);

#endif
