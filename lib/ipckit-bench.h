/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libipckit's benchmark API: the engine of ipc-bench.  Part of the same
 * library as ipckit.h (link with -lipckit); include this header beside it.
 */
#ifndef IPCKIT_BENCH_H
#define IPCKIT_BENCH_H

#include "ipckit.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ benchmarks */
/*
 * The engine of ipc-bench: latency (ping-pong round trips) and throughput
 * (one-way streaming) of every IPC method between two processes, each in
 * its own process group under a hard timeout.  Every message carries its
 * sequence number and a checksum, checked on arrival; times are
 * CLOCK_MONOTONIC nanoseconds.  Whatever a run creates is private or
 * unlinked at once and is removed before ipk_bench_run() returns, also
 * after ipk_bench_interrupt().
 *
 *	const struct ipk_bench_method *m = ipk_bench_method_find("pipe");
 *	struct ipk_bench_config cfg = { .method = m, .size = 64,
 *					.count = 10000, .warmup = 1000,
 *					.cpu = { 0, 1 } };
 *	struct ipk_bench_result res;
 *	if (ipk_bench_run(&cfg, &res) == 0)
 *		use(res.rtt.p50, res.msgs_per_s);
 *	ipk_bench_result_free(&res);
 */

struct ipk_bench_method;	/* one IPC method: "pipe", "shm-futex" ... */
struct ipk_hist;		/* a latency histogram of bounded size */
struct ipk_bench_figures;	/* the figures of an earlier run */

size_t ipk_bench_method_count(void);
const struct ipk_bench_method *ipk_bench_method_at(size_t i);
/* NULL when there is no method of that name. */
const struct ipk_bench_method *ipk_bench_method_find(const char *name);
const char *ipk_bench_method_name(const struct ipk_bench_method *m);
const char *ipk_bench_method_description(const struct ipk_bench_method *m);
/* The cacheline row: a physical floor printed for reference, not a method. */
bool ipk_bench_method_is_reference(const struct ipk_bench_method *m);
/*
 * Message size the method always uses whatever the size asked (the
 * cacheline row moves one 8-byte word), or 0 when it takes any size.
 */
size_t ipk_bench_method_fixed_size(const struct ipk_bench_method *m);
/*
 * The largest message the method carries here, and *source the setting
 * that limits it ("kernel.msgmax", "fs.mqueue.msgsize_max" ...).  A negative
 * errno when the kernel lacks the method.
 */
int ipk_bench_method_max_size(const struct ipk_bench_method *m, uint64_t *max,
			      const char **source);

/*
 * Histograms: exact below 128, then 64 buckets per power of two (under
 * 1.6 % apart), about 30 KiB whatever the number of values.
 */
struct ipk_hist *ipk_hist_new(void);
void ipk_hist_free(struct ipk_hist *h);
void ipk_hist_add(struct ipk_hist *h, uint64_t v);
uint64_t ipk_hist_count(const struct ipk_hist *h);
uint64_t ipk_hist_min(const struct ipk_hist *h);		/* exact */
uint64_t ipk_hist_max(const struct ipk_hist *h);		/* exact */
double ipk_hist_mean(const struct ipk_hist *h);		/* exact */
/* The value below which a fraction @q (0..1) of the values lie. */
uint64_t ipk_hist_quantile(const struct ipk_hist *h, double q);
/*
 * The non-empty buckets in increasing order: start with *it = 0; each call
 * gives one bucket [*lo, *hi] holding *count values; false after the last.
 */
bool ipk_hist_next(const struct ipk_hist *h, size_t *it, uint64_t *lo, uint64_t *hi,
		   uint64_t *count);

enum ipk_bench_status {
	IPK_BENCH_OK,
	IPK_BENCH_UNSUPPORTED,	/* the kernel or the system lacks the method */
	IPK_BENCH_NO_RESOURCE,	/* a limit was reached: ids, memory, signals */
	IPK_BENCH_FAILED,	/* an error, a message that did not check, a hang */
	IPK_BENCH_INTERRUPTED,	/* ipk_bench_interrupt() stopped it */
};

/* "ok", "unsupported", "no-resource", "failed", "interrupted" */
const char *ipk_bench_status_name(enum ipk_bench_status s);

#define IPK_BENCH_NO_LATENCY	(1u << 0)	/* skip the round trips */
#define IPK_BENCH_NO_STREAM	(1u << 1)	/* skip the throughput */
/* For tests of the engine itself: a broken method, a hung peer. */
#define IPK_BENCH_FAULT_CORRUPT	(1u << 8)	/* the server alters one message */
#define IPK_BENCH_FAULT_HANG	(1u << 9)	/* the server stops answering */

struct ipk_bench_config {
	const struct ipk_bench_method *method;
	uint64_t size;		/* bytes per message; ignored with a fixed size */
	uint64_t count;		/* round trips timed, and messages streamed */
	uint64_t duration_ns;	/* instead, when count is 0: time per phase */
	uint64_t warmup;	/* round trips (and messages) first, not counted */
	int cpu[2];		/* client and server CPU; -1: not pinned */
	uint64_t timeout_ns;	/* each phase is killed after this; 0: 60 s
				   (and twice duration_ns) */
	unsigned flags;		/* IPK_BENCH_* */
};

/* Round-trip times in nanoseconds. */
struct ipk_bench_rtt {
	uint64_t min, p50, p90, p99, p999, max;
	double mean;
};

struct ipk_bench_result {
	const struct ipk_bench_method *method;
	int cpu[2];		/* client and server CPU, as configured */
	enum ipk_bench_status status;
	int err;		/* positive errno when not OK */
	char why[160];		/* "mq_open: function not implemented" */
	uint64_t size;		/* bytes per message, as run */
	uint64_t count;		/* round trips timed */
	struct ipk_bench_rtt rtt;
	struct ipk_hist *hist;	/* their distribution; NULL without */
	uint64_t cpu_ns;	/* user + system time of both processes in them */
	double cpu_ns_per_rtt;	/* the same per round trip, warm-up included */
	uint64_t stream_count;	/* messages the receiver checked */
	uint64_t stream_ns;	/* the receiver's time for them */
	double msgs_per_s, mb_per_s;	/* 0 when not measured */
	uint64_t steal_ns;	/* time the hypervisor took from this machine's CPUs */
};

/*
 * Runs one method: the round trips, then the stream.  Returns 0 (with
 * res->status IPK_BENCH_OK) or a negative errno with res->status saying
 * which kind of failure it was and res->why what failed.  -EINVAL for a
 * bad configuration (a size beyond the method's limit, a CPU that is not
 * there).  Free the result with ipk_bench_result_free() in every case.
 */
int ipk_bench_run(const struct ipk_bench_config *cfg, struct ipk_bench_result *res);
void ipk_bench_result_free(struct ipk_bench_result *res);
/*
 * Async-signal-safe: stops the run in progress (its processes are killed,
 * its objects removed by ipk_bench_run(), which returns -EINTR) and every
 * later one, so a SIGINT handler can call it.
 */
void ipk_bench_interrupt(void);

/* "same" (one CPU), "cross" (two) or "any" (not pinned): the JSON's word. */
const char *ipk_bench_placement(const int cpu[2]);

/* What ipk_bench_result_json() adds to a result's figures. */
struct ipk_bench_json {
	bool histogram;			/* the buckets: [[low, high, count], ...] */
	double vs_cacheline;		/* p50 over the cacheline's; NaN: null */
	bool with_baseline;		/* "vs_baseline": ratios to @baseline, */
	const struct ipk_bench_figures *baseline;	/* or null without one */
};

/*
 * A result as one JSON object: {"method", "size", "placement", "pin",
 * "count", "rtt_ns": {"min", "mean", "p50", "p90", "p99", "p999", "max"},
 * "msgs_per_s", "mb_per_s", ...} for a measured one; {"method", "size",
 * "placement", "pin", "status", "error"} for one that was not.
 */
int ipk_bench_result_json(const struct ipk_bench_result *r, const struct ipk_bench_json *opt,
			  struct ipk_buf *out);

/* Whether the caller may run on @cpu (sched_getaffinity). */
bool ipk_bench_cpu_allowed(int cpu);
/* The first @n CPUs the caller may run on; returns how many there are (<= @n). */
int ipk_bench_cpus(int *cpus, int n);

/* What the figures depend on, printed with them. */
struct ipk_bench_machine {
	int cpus;			/* online */
	char model[96];			/* /proc/cpuinfo "model name" */
	char hypervisor[32];		/* "KVM", "" on bare metal */
	char cpuidle_driver[32];	/* "haltpoll", "intel_idle" ... */
	char cpuidle_governor[32];
	int64_t guest_halt_poll_ns;	/* -1 when not a haltpoll guest */
	char clocksource[32];		/* "tsc", "kvm-clock" ... */
	char kernel[64];		/* uname -r */
	double loadavg[3];
	uint64_t clock_cost_ns;		/* one clock_gettime(CLOCK_MONOTONIC) */
	uint64_t clock_resolution_ns;
};

int ipk_bench_machine(struct ipk_bench_machine *m);
/* The machine as one JSON object, with the steal time of the run. */
int ipk_bench_machine_json(const struct ipk_bench_machine *m, uint64_t steal_ns,
			   struct ipk_buf *out);
/* The steal time of every CPU so far (/proc/stat), in nanoseconds. */
uint64_t ipk_bench_steal_ns(void);

/* What the kernel allows a method here, found by trying it. */
struct ipk_bench_limits {
	uint64_t max_msg;		/* largest message in bytes; 0: a byte stream */
	const char *max_source;		/* the setting that limits it */
	uint64_t probe_size;		/* bytes per message filling the queue */
	uint64_t queued_msgs;		/* accepted before a sender would block; */
	uint64_t queued_bytes;		/* 0 and 0 when unbounded */
	bool bounded;			/* the queue has a limit here */
	int full_err;			/* errno a non-blocking sender sees then; 0: none */
	bool partial;			/* a large write is accepted in part */
	char note[160];
};

/* Runs the probes in a child process; -errno as ipk_bench_run(). */
int ipk_bench_limits(const struct ipk_bench_method *m, uint64_t probe_size,
		     struct ipk_bench_limits *l);

/*
 * An earlier run's JSON (ipc-bench --json), to compare figures with.
 * -EINVAL (and *line set) when it is not such a file.
 */
struct ipk_bench_baseline;

struct ipk_bench_figures {
	struct ipk_bench_rtt rtt;
	double msgs_per_s, mb_per_s;
	double cpu_ns_per_rtt;
};

int ipk_bench_baseline_load(const char *path, struct ipk_bench_baseline **out, int *line);
/* The figures for @method at @size and @placement ("same", "cross"), or NULL. */
const struct ipk_bench_figures *ipk_bench_baseline_find(const struct ipk_bench_baseline *b,
							 const char *method, uint64_t size,
							 const char *placement);
void ipk_bench_baseline_free(struct ipk_bench_baseline *b);

#ifdef __cplusplus
}
#endif
#endif
