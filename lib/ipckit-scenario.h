/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libipckit's scenario API: the engine of ipc-scenario.  Part of the same
 * library as ipckit.h (link with -lipckit); include this header beside it.
 *
 * A scenario is a YAML file (man 5 ipc-scenario) that names IPC objects,
 * the processes (actors) that use them and what each does step by step,
 * and what must hold at the end.  Loading parses, checks and compiles it:
 * every problem is a "FILE:LINE:COL: message" diagnostic, and nothing is
 * created.  Running creates the objects, forks the actors (each in its own
 * process group, dying with the caller), measures every operation, checks
 * the expectations, and removes every object the run made before it
 * returns, whatever happened (a failed expectation, a timeout, a stall, a
 * crashed actor, ipk_scenario_interrupt()).
 *
 *	struct ipk_scenario *s;
 *	struct ipk_scenario_diags *d;
 *	if (ipk_scenario_load("bb.yaml", NULL, 0, &s, &d) < 0) {
 *		for (size_t i = 0; i < ipk_scenario_diag_count(d); i++)
 *			puts(ipk_scenario_diag_text(d, i));
 *	} else {
 *		struct ipk_scenario_options o = IPK_SCENARIO_OPTIONS_INIT;
 *		struct ipk_scenario_result *r;
 *		if (ipk_scenario_run(s, &o, &r) == 0)
 *			use(ipk_scenario_result_outcome(r));
 *		ipk_scenario_result_free(r);
 *	}
 *	ipk_scenario_diags_free(d);
 *	ipk_scenario_free(s);
 *
 * A scenario, a result and the strings they give stay valid until they are
 * freed; a result refers to its scenario, which must outlive it.  One run
 * at a time per process: the run forks, and ipk_scenario_interrupt() stops
 * whichever is in progress.
 */
#ifndef IPCKIT_SCENARIO_H
#define IPCKIT_SCENARIO_H

#include "ipckit.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ipk_scenario;		/* a scenario file, checked and compiled */
struct ipk_scenario_diags;	/* what is wrong with one */
struct ipk_scenario_result;	/* what one run did */

/* ---------------------------------------------------------------- loading */

/* One --set: "vars.n" (or "n"), "timeout" or "stall", and its new value. */
struct ipk_scenario_set {
	const char *key;
	const char *value;
};

/*
 * Reads, checks and compiles the scenario in @path, with @sets overriding
 * its numbers.  0 and *out; -EINVAL for an invalid file (or set), -errno
 * when it cannot be read; in both cases *diags (when given) says why, one
 * "FILE:LINE:COL: message" each.  Free *diags in every case.
 */
int ipk_scenario_load(const char *path, const struct ipk_scenario_set *sets, size_t nsets,
		      struct ipk_scenario **out, struct ipk_scenario_diags **diags);
void ipk_scenario_free(struct ipk_scenario *s);

size_t ipk_scenario_diag_count(const struct ipk_scenario_diags *d);
const char *ipk_scenario_diag_text(const struct ipk_scenario_diags *d, size_t i);
void ipk_scenario_diags_free(struct ipk_scenario_diags *d);

const char *ipk_scenario_name(const struct ipk_scenario *s);		/* the file's stem by default */
const char *ipk_scenario_description(const struct ipk_scenario *s);	/* "" when none */
const char *ipk_scenario_file(const struct ipk_scenario *s);

/* What --set accepts for @s: "vars.NAME" for each of its vars, "timeout", "stall". */
size_t ipk_scenario_set_key_count(const struct ipk_scenario *s);
const char *ipk_scenario_set_key(const struct ipk_scenario *s, size_t i);

/*
 * The name and description of a scenario file without checking the rest
 * (for listings); malloc'd, *description "" when none.  -EINVAL when it is
 * not YAML with a mapping at the top.
 */
int ipk_scenario_peek(const char *path, char **name, char **description);

/* ---------------------------------------------------------------- running */

struct ipk_scenario_options {
	uint64_t timeout_ns;	/* the whole run; 0: the file's timeout (60 s without) */
	uint64_t stall_ns;	/* no operation done this long while some wait: stop; */
	bool no_stall;		/* 0: the file's stall, 2 s without; no_stall: never */
	double slow;		/* stretches sleeps, paces, timeouts by this (>= 1) */
	uint64_t step_delay_ns;	/* a pause after every operation of every actor */
	int trace_fd;		/* one JSON line per operation written here; -1: none */
	bool keep;		/* leave the named objects made (their REFs in the result) */
};

#define IPK_SCENARIO_OPTIONS_INIT { .slow = 1, .trace_fd = -1 }

/*
 * Runs @s once.  0 with *out whatever the outcome (see below); a negative
 * errno only when memory or the process table ran out, and then *out is
 * NULL.  The caller's signal mask and handlers are left as they were.
 */
int ipk_scenario_run(struct ipk_scenario *s, const struct ipk_scenario_options *o,
		     struct ipk_scenario_result **out);
/*
 * Async-signal-safe: stops the run in progress (its processes are killed,
 * its objects removed by ipk_scenario_run(), whose outcome is then
 * INTERRUPTED), and every later one.
 */
void ipk_scenario_interrupt(void);

enum ipk_scenario_outcome {
	IPK_SCENARIO_PASS,		/* every expectation held */
	IPK_SCENARIO_FAIL,		/* an expectation (or a step's expect:) did not */
	IPK_SCENARIO_TIMEOUT,		/* the run's time ran out, or it stalled */
	IPK_SCENARIO_ERROR,		/* an object could not be made, an actor crashed */
	IPK_SCENARIO_UNSUPPORTED,	/* a kind or operation this system lacks */
	IPK_SCENARIO_INVALID,		/* the file does not load, or what it asks cannot
					   be (an object exists) */
	IPK_SCENARIO_INTERRUPTED,	/* ipk_scenario_interrupt() */
};

/* "pass", "fail", "timeout", "error", "unsupported", "invalid", "interrupted" */
const char *ipk_scenario_outcome_name(enum ipk_scenario_outcome o);

/* Latency of an operation, nanoseconds, from the bench's histograms. */
struct ipk_scenario_latency {
	uint64_t min, p50, p90, p99, p999, max;
	double mean;
};

/* One row of results: an actor's operation on an object, every process together. */
struct ipk_scenario_op {
	const char *actor;
	const char *op;
	const char *object;	/* local name; the target actor for signal */
	uint64_t count;		/* done, including expected errors */
	uint64_t errors;	/* failed, or a step's expect: did not hold */
	double rate;		/* count per second, first start to last end */
	struct ipk_scenario_latency latency;
	const char *first_error;	/* "EAGAIN", "expected data 'x*', got 'y'"; NULL */
};

/* One expectation of the file's expect: list. */
struct ipk_scenario_expect {
	const char *expr;	/* as written */
	bool pass;
	const char *observed;	/* "97", "[1,0,1]", "absent" */
};

/* A process that was blocked when the run stopped. */
struct ipk_scenario_blocked {
	const char *actor;
	int index;		/* its process number */
	int thread;		/* its thread, 0 without threads: */
	pid_t pid;
	const char *op;
	const char *object;	/* local name ("forks"), barrier name, or target */
	int sem;		/* the semaphore of a SysV array, -1 */
	double since_s;		/* how long */
};

enum ipk_scenario_outcome ipk_scenario_result_outcome(const struct ipk_scenario_result *r);
/* Why the outcome is not PASS, in one line; "" for PASS. */
const char *ipk_scenario_result_reason(const struct ipk_scenario_result *r);
double ipk_scenario_result_duration(const struct ipk_scenario_result *r);
size_t ipk_scenario_result_op_count(const struct ipk_scenario_result *r);
const struct ipk_scenario_op *ipk_scenario_result_op(const struct ipk_scenario_result *r,
						     size_t i);
size_t ipk_scenario_result_expect_count(const struct ipk_scenario_result *r);
const struct ipk_scenario_expect *ipk_scenario_result_expect(const struct ipk_scenario_result *r,
							     size_t i);
size_t ipk_scenario_result_blocked_count(const struct ipk_scenario_result *r);
const struct ipk_scenario_blocked *
ipk_scenario_result_blocked(const struct ipk_scenario_result *r, size_t i);
/* "philosopher.3 (pid 812) blocked 5.0 s in wait fork4": the wait-for list as text. */
int ipk_scenario_blocked_text(const struct ipk_scenario_blocked *b, struct ipk_buf *out);
/* Notes of the run: crashed actors, the first error of each operation, cleanup problems. */
size_t ipk_scenario_result_note_count(const struct ipk_scenario_result *r);
const char *ipk_scenario_result_note(const struct ipk_scenario_result *r, size_t i);
/* With options.keep: the REFs of the named objects left, one each. */
size_t ipk_scenario_result_kept_count(const struct ipk_scenario_result *r);
const char *ipk_scenario_result_kept(const struct ipk_scenario_result *r, size_t i);

/*
 * JSON.  The whole document: {"scenario", "result", "duration_s", "ops",
 * "expect", "blocked", "objects", ...}; one op row; or one member of the
 * document by its key ("scenario", "result", "reason", "duration_s",
 * "expect", "blocked", "objects", "notes", "kept"), for a renderer that
 * prints the ops itself.
 */
int ipk_scenario_result_json(const struct ipk_scenario_result *r, struct ipk_buf *out);
int ipk_scenario_op_json(const struct ipk_scenario_op *op, struct ipk_buf *out);
int ipk_scenario_result_member_json(const struct ipk_scenario_result *r, const char *key,
				    struct ipk_buf *out);
void ipk_scenario_result_free(struct ipk_scenario_result *r);

/*
 * The result of a file that did not load (@diags from ipk_scenario_load()),
 * so that a caller reports it as it reports a run: outcome INVALID, the
 * reason its first diagnostic, nothing run, made or measured; the name the
 * file gives, or its stem.  NULL when memory ran out.
 */
struct ipk_scenario_result *ipk_scenario_result_unloaded(const char *path,
							 const struct ipk_scenario_diags *diags);

/*
 * Enters a private IPC and mount namespace (through a user namespace when
 * not root), with a fresh /dev/shm and mqueue filesystem, so a run can
 * neither see nor touch the host's objects.  -errno and @e when it cannot.
 */
int ipk_scenario_isolate(struct ipk_error *e);

/* ------------------------------------------------------------ conformance */

/* The primitives of the conformance suite, in the order of its table. */
size_t ipk_scenario_primitive_count(void);
const char *ipk_scenario_primitive(size_t i);

/*
 * What a run of a conformance scenario says about its primitive (the
 * scenario's name): "works", "missing" (the system lacks it) or "deviates"
 * (with the step, what was expected and what was observed).
 */
struct ipk_scenario_verdict {
	const char *name;
	const char *result;	/* "works", "missing", "deviates" */
	char step[160];		/* "consumer: recv from q (line 12)"; "" */
	char expected[160];
	char observed[160];
};

void ipk_scenario_verdict(const struct ipk_scenario_result *r, struct ipk_scenario_verdict *v);
int ipk_scenario_verdict_json(const struct ipk_scenario_verdict *v, struct ipk_buf *out);
/* {"kernel", "machine", "libc", "seccomp", "uid", "ipckit"}: what the verdicts depend on. */
int ipk_scenario_system_json(struct ipk_buf *out);

/* --------------------------------------------------------- the vocabulary */

/*
 * Every operation of every object type, from the tables the kinds declare
 * (what check enforces, the man page lists and the completions offer).
 */
struct ipk_scenario_opinfo {
	const char *type;	/* "posix-mq", "socketpair", "process" ... */
	const char *op;		/* "send" */
	const char *object_key;	/* "to", "from" or "on" */
	const char *params;	/* "priority data size timeout nowait expect" */
	const char *help;
	const char *example;	/* one step, as YAML */
};

size_t ipk_scenario_op_count(void);
/* The @i-th; -ENOENT past the last.  @out->params is the thread's until its next call. */
int ipk_scenario_op_info(size_t i, struct ipk_scenario_opinfo *out);

/* The object types (kinds and the scenario's own) with the attributes each takes. */
struct ipk_scenario_typeinfo {
	const char *type;
	const char *attrs;	/* "name mode maxmsg msgsize existing" */
	const char *help;
};

size_t ipk_scenario_type_count(void);
/* The @i-th; -ENOENT past the last.  @out->attrs is the thread's until its next call. */
int ipk_scenario_type_info(size_t i, struct ipk_scenario_typeinfo *out);

#ifdef __cplusplus
}
#endif
#endif
