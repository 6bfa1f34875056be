/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The scenario engine: what its parts share, and what the kinds see when
 * they declare and implement their operations.
 *
 *   yaml.c     the file as a tree of nodes that keep libyaml's marks
 *   expr.c     templates ("item {index}.{i}") and integer expressions
 *   load.c     checks every key against the tables and compiles each
 *              actor's steps into a flat program
 *   expect.c   the expect: lines, parsed at load and evaluated at the end
 *   ops.c      what operations share, the scenario's own object types
 *              (socketpair, posix-sem-unnamed) and the process operations
 *   worker.c   an actor process: runs its program, publishes its state
 *   run.c      the runner: objects, processes, stalls, cleanup
 *   result.c   results, JSON, conformance verdicts
 *   isolate.c  --isolate
 *
 * To add an operation to a kind: one struct scn_op in the kind's table
 * (lib/kinds/<kind>.c, the kind descriptor's .scenario), with its
 * parameters and its run function.  Nothing here changes.
 */
#ifndef IPCKIT_SCENARIO_INTERNAL_H
#define IPCKIT_SCENARIO_INTERNAL_H

#include "../internal.h"
#include "../ipckit-scenario.h"
#include "../bench/xport.h"

#include <stdatomic.h>

/* ------------------------------------------------------------------ YAML */

enum ynode_type { Y_SCALAR, Y_SEQ, Y_MAP };

struct ynode {
	enum ynode_type type;
	int line, col;			/* 1-based, of the node's start */
	bool quoted;			/* a scalar written in quotes or as a block */
	const char *s;			/* scalar text */
	size_t len;
	struct ynode **items;		/* SEQ: n items; MAP: key, value, key, value ... */
	size_t n;			/* items (MAP: pairs) */
};

/* A map's value for @key, or NULL (and *key_node of it when found). */
const struct ynode *scn_ymap_get(const struct ynode *map, const char *key);

/* ----------------------------------------------------------- diagnostics */

struct ipk_scenario_diags {
	char **v;
	size_t n, cap;
	bool oom;
};

#define SCN_MAX_DIAGS	50

void scn_diag(struct ipk_scenario_diags *d, const char *file, int line, int col,
	      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * Loads @path into a tree allocated from @a.  0, or -errno / -EINVAL with
 * a diagnostic.
 */
int scn_yaml_load(const char *path, struct ipk_arena *a, const struct ynode **root,
	      struct ipk_scenario_diags *d);

void *scn_zalloc(struct ipk_arena *a, size_t n);
char *scn_strndup(struct ipk_arena *a, const char *s, size_t n);

/* ------------------------------------------------- expressions, templates */

/* What changes while a program runs; everything else is folded at load. */
enum scn_var {
	VAR_INDEX,		/* the process number in its actor */
	VAR_THREAD,		/* the thread number in its process */
	VAR_PID,
	VAR_I,			/* the innermost loop's iteration */
	VAR_INTO,		/* the first of the values steps keep with into: */
	VAR_COUNT = VAR_INTO + 8
};

#define SCN_MAX_INTO	(VAR_COUNT - VAR_INTO)

#define DEP(v)		(1u << (v))
/* What a worker knows from its start: a template of these only is expanded once. */
#define DEPS_WORKER	(DEP(VAR_INDEX) | DEP(VAR_THREAD) | DEP(VAR_PID))

enum scn_xop {
	X_NUM, X_VAR, X_NEG, X_NOT, X_ADD, X_SUB, X_MUL, X_DIV, X_MOD,
	X_EQ, X_NE, X_LT, X_LE, X_GT, X_GE, X_AND, X_OR, X_COND,
};

struct scn_xcode {
	uint8_t op;		/* enum scn_xop */
	int64_t v;		/* X_NUM: the number; X_VAR: the variable */
};

/* An integer expression as postfix code. */
struct scn_expr {
	unsigned deps;
	size_t n;
	struct scn_xcode code[];
};

/* What a name in a template stands for. */
struct scn_sym {
	enum { SYM_NONE, SYM_INT, SYM_STR, SYM_VAR } kind;
	int64_t i;
	const char *s;
	int var;		/* enum scn_var */
};

/* Resolves names for the parser: fills @sym, false for an unknown name. */
typedef bool (*scn_lookup_fn)(void *ctx, const char *name, size_t len, struct scn_sym *sym);

struct scn_seg {
	const char *lit;	/* literal text, or NULL */
	size_t len;
	struct scn_expr *e;	/* or an expression whose value is printed */
};

struct scn_tmpl {
	unsigned deps;
	int id;			/* its cache slot in a worker; -1: not cached */
	size_t nseg;
	struct scn_seg *seg;
	const char *src;	/* as written */
};

/*
 * Parses an expression (without braces) or a template.  Names resolve
 * through @lookup; what depends on no variable is folded.  0, or -EINVAL
 * with @err saying why and *at the offset in @s where.
 */
int scn_expr_parse(const char *s, size_t len, scn_lookup_fn lookup, void *ctx,
		   struct ipk_arena *a, struct scn_expr **out, char *err, size_t errsize,
		   size_t *at);
int scn_tmpl_parse(const char *s, size_t len, scn_lookup_fn lookup, void *ctx,
		   struct ipk_arena *a, struct scn_tmpl **out, char *err, size_t errsize,
		   size_t *at);
/* -EDOM (division by zero) or -ERANGE (overflow); 0 and *out otherwise. */
int scn_expr_eval(const struct scn_expr *e, const int64_t *vars, int64_t *out);
/* What an error of scn_expr_eval() means, as a phrase. */
const char *scn_expr_strerror(int rc);
/* The constant value of an expression with no variables. */
bool scn_expr_const(const struct scn_expr *e, int64_t *v);
/* Whether the template is one literal (and it, with its length). */
bool scn_tmpl_literal(const struct scn_tmpl *t, const char **s, size_t *len);
/*
 * Expands into @buf of @size bytes (always NUL-terminated): the length,
 * or -ENOSPC when it does not fit, -EDOM / -ERANGE from an expression.
 */
ssize_t scn_tmpl_expand(const struct scn_tmpl *t, const int64_t *vars, char *buf, size_t size);

/* --------------------------------------------------- parameters and ops */

/* What a parameter holds. */
enum scn_ptype {
	SP_INT,		/* an integer, or an expression of the variables */
	SP_SIZE,	/* bytes: 64, 4K */
	SP_DURATION,	/* 5ms, 2s */
	SP_BOOL,
	SP_TEXT,	/* a template */
	SP_WORD,	/* one of .words */
	SP_INTS,	/* an integer, or a list of them */
	SP_OBJECTS,	/* a list of object names, or a number of copies */
	SP_SIGNAL,	/* USR1, SIGUSR1, 10 */
	SP_SIGNALS,	/* a list of signals */
	SP_TARGET,	/* an actor, or ACTOR[INDEX] */
	SP_WORDS,	/* a list of .words */
	SP_NAME,	/* a name: a POSIX name, a path */
};

/* Where a parameter's value goes: each names one argument of a step or object. */
enum scn_slot {
	A_DATA, A_SIZE, A_OFFSET, A_TYPE, A_PRIORITY, A_SEM, A_COUNT, A_VALUE, A_ZERO,
	A_UNDO, A_READONLY, A_AFTER, A_INTERVAL, A_END, A_MODE, A_ACCEPT, A_FDS,
	A_SIGNAL, A_TARGET, A_SEALS, A_NOERROR, A_EXCEPT, A_FIELD, A_ZEROS,
	/* object attributes of the process-held kinds */
	A_SOCKTYPE, A_SEMAPHORE, A_CLOCK, A_SIGNALS, A_PATH,
	A_COUNT_SLOTS
};

struct scn_param {
	const char *name;	/* as written in the file */
	enum scn_ptype type;
	enum scn_slot slot;
	const char *words;	/* SP_WORD(S): "stream dgram seqpacket" */
	const char *help;
};

#define SCN_BLOCKS	(1u << 0)	/* may wait: takes timeout and nowait */
#define SCN_OUT_DATA	(1u << 1)	/* gives data: expect a glob */
#define SCN_OUT_VALUE	(1u << 2)	/* gives a number: expect a value */
#define SCN_OUT_FDS	(1u << 3)	/* may receive descriptors: expect fds */
#define SCN_OUT_PRIO	(1u << 4)	/* expect priority (posix-mq) */
#define SCN_OUT_TYPE	(1u << 5)	/* expect type (sysv-msg) */
#define SCN_OUT_SIGNAL	(1u << 6)	/* the value is a signal: expect: USR1 */
#define SCN_NB_TWIN	(1u << 7)	/* nowait needs a non-blocking descriptor of its own */
#define SCN_IN_DATA	(1u << 8)	/* sends data: data or size */

struct scn_exec;

/* One operation of an object type. */
struct scn_op {
	const char *name;		/* "send" */
	const char *help;		/* one line */
	const struct scn_param *params;	/* its own, name NULL last; the object, timeout,
					   nowait and expect are everyone's */
	unsigned flags;			/* SCN_* */
	int (*run)(struct scn_exec *x);	/* 0 or -errno */
	const char *example;		/* one step, in YAML */
};

struct scn_obj;
struct scn_handle;
struct scn_worker;

#define SCN_T_NAMED	(1u << 0)	/* made by ipk_create() from ipc-mk's attributes */
#define SCN_T_PATH	(1u << 1)	/* its name is a path (path: is accepted too) */
#define SCN_T_NONAME	(1u << 2)	/* lives only in processes: remove closes */
#define SCN_T_ENDS	(1u << 3)	/* its ends count (end of file, EPIPE): once the
					   actors have them, the runner lets its own go */

/*
 * An object type: a kind's scenario side (struct ipk_kind's .scenario), or
 * one of the scenario's own.  NULL slots: nothing to do.
 */
struct scn_type {
	const char *name;		/* the kind's name, "socketpair" ... */
	const char *help;
	unsigned flags;			/* SCN_T_* */
	const struct scn_param *attrs;	/* attributes besides kind, name, existing and,
					   for named kinds, ipc-mk's; name NULL last */
	const struct scn_op *ops;	/* name NULL last */
	/*
	 * In the runner, before the fork: makes a process-held object, or for
	 * a named kind opens the handle every actor inherits (after
	 * ipk_create()).  -errno with @e.
	 */
	int (*make)(struct scn_obj *o, struct ipk_error *e);
	/* The runner's handles, closed once the actors are gone. */
	void (*unmake)(struct scn_obj *o);
	/* Removes what make() gave a name (a unix socket's path); named kinds use ipk_remove(). */
	void (*remove)(struct scn_obj *o);
	/* A worker's own handle of @o, when it starts. */
	int (*handle)(struct scn_worker *w, const struct scn_obj *o, struct scn_handle *h);
	/*
	 * What follows "kind:" in the REF of what make() made ("7971",
	 * "812:5"), appended to @arg; -ENOENT when it has none.  The runner
	 * makes the REF of it and the object's kind.
	 */
	int (*ref_arg)(const struct scn_obj *o, struct ipk_buf *arg);
};

/* The scenario's own types, and the process operations (signal). */
extern const struct scn_type scn_type_socketpair;
extern const struct scn_type scn_type_psem_unnamed;
extern const struct scn_type scn_type_process;
/* The type of a kind or of the scenario's own, by name or alias; NULL if none. */
const struct scn_type *scn_type_find(const char *name, const struct ipk_kind **kind);
size_t scn_type_count(void);
const struct scn_type *scn_type_at(size_t i, const struct ipk_kind **kind);
const struct scn_op *scn_op_find(const struct scn_type *t, const char *name);
/* "to" for send, write and post; "from" for recv and read; "on" otherwise. */
const char *scn_object_key(const char *op);

/* ------------------------------------------------------------ the model */

/* A parameter's value: a constant, or what depends on the variables. */
enum scn_vkind { V_NONE, V_INT, V_EXPR, V_TEXT, V_LIST, V_OBJS };

struct scn_val {
	enum scn_vkind kind;
	int64_t i;			/* V_INT; V_OBJS: copies of each */
	struct scn_expr *e;		/* V_EXPR */
	struct scn_tmpl *t;		/* V_TEXT */
	struct scn_val *list;		/* V_LIST: INT or EXPR each */
	int *objs;			/* V_OBJS: object indexes */
	size_t n;
};

struct scn_obj {
	const char *name;		/* local name */
	int line, col;
	int index;
	const struct scn_type *type;
	const struct ipk_kind *kind;	/* the kind of its REF; NULL: none */
	/* attributes */
	struct ipk_create c;		/* named kinds: for ipk_create() */
	const char *path;		/* unix: path or @name; fifo: path */
	int socktype;
	int64_t value;
	bool semaphore;
	int clock;
	uint64_t sigmask;		/* bit n-1: signal n */
	unsigned seals;
	uint64_t size;
	bool reuse;			/* existing: reuse */
	/* made in the runner before the fork: every actor inherits them */
	int fd[2];
	int id;
	void *mem;
	size_t mem_len;
	char *ref;			/* malloc'd */
	bool made;			/* by this run: removed at the end */
	struct ipk_object *was;		/* its record when made, to know it at removal */
	uint64_t dev, ino;		/* a unix socket's file */
};

/* A worker's own handle of one object. */
struct scn_handle {
	int fd, fd2;			/* the kind's descriptors; -1 none */
	int id;				/* SysV id */
	void *mem;			/* attached memory */
	size_t len;
	bool ro;
	void *sem;			/* sem_t * */
	int nb;				/* a non-blocking twin descriptor, -1 */
	int end;			/* socketpair: the end this actor uses */
	bool opened;			/* fd is the worker's own (FIFO, connection) */
};

/* What an operation expects of itself (expect:). */
struct scn_expect1 {
	int err;			/* an errno name: the failure expected; 0 none */
	struct scn_tmpl *data;		/* a glob */
	struct scn_val value;		/* V_NONE: none */
	struct scn_val min, max;	/* a value in a range (timer ticks): V_NONE none */
	struct scn_val aux;		/* priority or type */
	struct scn_val fds;		/* descriptors received */
	const char *text;		/* as a phrase: "EAGAIN", "data 'x*'" */
};

enum scn_code { SC_OP, SC_LOOP, SC_NEXT, SC_SLEEP, SC_BARRIER, SC_END };

/* One instruction of an actor's program. */
struct scn_step {
	enum scn_code code;
	int line, col;
	const char *desc;		/* "wait slots", "barrier start" */
	const char *label;		/* name: */
	/* SC_OP */
	const struct scn_op *op;
	const struct scn_type *type;	/* of the object; NULL with objt */
	int obj;			/* object index, -1: named by objt */
	struct scn_tmpl *objt;
	int stat;			/* the actor's stat key, -1 with objt */
	struct scn_val arg[A_COUNT_SLOTS];
	uint64_t timeout_ns;		/* 0: none */
	bool nowait;
	int into;			/* the var (VAR_INTO + k) its value goes to; 0 none */
	struct scn_expect1 expect;
	/* SC_LOOP: a count or a duration, an optional pace; the SC_NEXT at @jump */
	struct scn_val count;
	uint64_t duration_ns;
	uint64_t period_ns;
	int jump;			/* SC_LOOP: its SC_NEXT; SC_NEXT: its SC_LOOP */
	int until;			/* SC_LOOP: ends at the first failure with this errno */
	int depth;			/* of the loop */
	/* SC_SLEEP */
	uint64_t sleep_ns;
	/* SC_BARRIER */
	int barrier;
};

/* What the statistics of an actor are kept by: an operation on an object. */
struct scn_skey {
	const char *op;
	int obj;			/* object; for signal, the target actor */
};

#define SCN_MAX_RLIMITS	8

struct scn_actor {
	const char *name;
	int line, col;
	int index;
	int processes, threads;
	int *cpus;
	size_t ncpus;
	struct scn_step *prog;
	size_t nprog;
	struct scn_skey *keys;
	size_t nkeys;
	int first_worker;		/* worker of process p, thread t: first + p * threads + t */
	bool *twin;			/* per object: needs a non-blocking twin */
	int *end;			/* per object: the socketpair end it uses */
	size_t max_tx, max_rx;		/* buffer sizes its steps need */
	/* user: and group: its processes switch to (-1: the runner's), and rlimits: */
	int64_t uid, gid;
	const char *user;		/* as written, for reports */
	struct scn_rlimit {
		int resource;		/* RLIMIT_* */
		uint64_t value;
	} rlim[SCN_MAX_RLIMITS];
	size_t nrlim;
};

enum scn_stat_id {
	ST_COUNT, ST_ERRORS, ST_RATE, ST_MEAN, ST_MIN, ST_P50, ST_P90, ST_P99, ST_P999, ST_MAX,
};

enum scn_cmp { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE };

#define FIELD_EXISTS	(-2)	/* OBJECT.exists: whether it is there at the end */

/* One line of expect:. */
struct scn_expect {
	const char *text;
	int line, col;
	bool on_object;
	/* ACTOR.OP[@OBJECT].STAT */
	int actor;			/* -1: every actor (*) */
	const char *op;
	int obj;			/* -1: every object */
	enum scn_stat_id stat;
	/* OBJECT.FIELD[ELEM] */
	int field;			/* enum ipk_field_id, or FIELD_EXISTS */
	int elem;			/* -1: the whole value */
	enum scn_cmp cmp;
	/* the right side: a number, a list of numbers, or text */
	enum { RHS_NUM, RHS_LIST, RHS_TEXT } rhs;
	double num;
	int64_t *list;
	size_t nlist;
	const char *str;
};

struct ipk_scenario {
	struct ipk_arena arena;
	char *file;
	const char *name, *description;
	uint64_t timeout_ns, stall_ns;
	struct scn_obj *objs;
	size_t nobjs;
	struct scn_actor *actors;
	size_t nactors;
	struct scn_expect *expects;
	size_t nexpects;
	const char **barriers;
	uint32_t *parties;		/* workers that reach each barrier */
	size_t nbarriers;
	size_t nworkers;
	int ntmpl;			/* templates a worker caches */
	const char **setkeys;
	size_t nsetkeys;
	uint64_t sigmask;		/* every signalfd's signals */
	const char *into[SCN_MAX_INTO];	/* the names into: gives values, in a worker's vars */
	size_t ninto;
};

/* What follows "kind:" in a named object's REF: its canonical name, path or id. */
static inline const char *scn_ref_arg(const struct scn_obj *o)
{
	const char *c = o->ref ? strchr(o->ref, ':') : NULL;

	return c ? c + 1 : "";
}

/* An object by its local name; -1 if none. */
int scn_obj_find(const struct ipk_scenario *s, const char *name, size_t len);
/* A scenario's name when it gives none: its file's, without directory or extension (malloc'd). */
char *scn_file_stem(const char *path);
/* "posix-mq /bb-queue", "sysv-sem key 0x00001234": how a user knows the object. */
void scn_obj_describe(const struct scn_obj *o, char *buf, size_t size);
int scn_actor_find(const struct ipk_scenario *s, const char *name, size_t len);

/* expect.c: one expect: line of @s; 0, or -EINVAL with a diagnostic. */
int scn_expect_parse(struct ipk_scenario *s, const char *text, size_t len, int line, int col,
		     struct scn_expect *out, struct ipk_scenario_diags *d);

/* ---------------------------------------------------------------- running */

/* A worker's state, as the runner sees it. */
enum scn_wstate { W_STARTING, W_READY, W_RUNNING, W_BLOCKED, W_SLEEPING, W_DONE };

/* One worker's corner of the shared memory. */
struct scn_wslot {
	_Atomic int32_t pid;
	_Atomic uint32_t state;		/* enum scn_wstate */
	_Atomic uint32_t step;		/* blocked in this step + 1 */
	_Atomic int32_t obj;		/* ... on this object */
	_Atomic int32_t sem;		/* ... semaphore, -1 */
	_Atomic uint64_t since;		/* since then (ns) */
	_Atomic uint64_t last;		/* when its last operation ended */
	_Atomic uint64_t ops;		/* operations done */
	_Atomic int32_t killed_by;	/* a signal step sent its process this signal */
	_Atomic uint32_t timed;		/* the wait it is in has a timeout of its own */
	_Atomic int32_t skipped;	/* could not become user: (errno): it runs barriers only */
	char pad[4];
};

struct scn_barrier {
	_Atomic uint32_t count;
	_Atomic uint32_t gen;		/* futex */
};

/* The statistics of one stat key of one worker, followed by its histogram. */
struct scn_stat {
	uint64_t count, errors, mismatches;
	uint64_t first, last;		/* first start, last end (ns) */
	int32_t fail_step;		/* the first error or mismatch: step, -1 */
	int32_t fail_err;		/* its errno; 0: a mismatch */
	char observed[112];
};

struct scn_shm {
	_Atomic uint32_t go;		/* futex: 1 start, 2 stop */
	_Atomic uint32_t ready;		/* workers ready */
	_Atomic uint32_t failed;	/* workers that could not start */
	uint64_t t0;			/* when they started */
	char why[160];			/* the first worker that could not start: why */
	_Atomic uint32_t stopping;	/* a worker's program cannot go on: claimed */
	_Atomic uint32_t stopped;	/* ... and stop_why says why */
	char stop_why[200];
};

struct scn_run {
	struct ipk_scenario *s;
	struct ipk_scenario_options opt;
	pid_t runner;
	void *shm;
	size_t shm_len;
	struct scn_shm *hdr;
	struct scn_wslot *slots;
	struct scn_barrier *bars;
	char *stats;			/* worker w, key k: stats + (w * maxkeys + k) * stride */
	size_t stride, maxkeys;
	uint64_t t0;
};

struct scn_stat *scn_stat_at(const struct scn_run *r, int worker, int key);
struct ipk_hist *scn_stat_hist(struct scn_stat *st);

struct scn_worker {
	struct scn_run *run;
	const struct ipk_scenario *s;
	const struct scn_actor *actor;
	int index, thread, id;
	struct scn_wslot *slot;
	struct scn_handle *h;		/* one per object */
	int64_t vars[VAR_COUNT];
	char *tx, *rx, *tb;		/* send, receive and template buffers */
	size_t txcap, rxcap, tbcap;
	char **cache;			/* per template: its expansion, for this worker */
	size_t *cachelen;
	uint64_t seq;			/* patterns sent */
	uint64_t sched;			/* a paced iteration's scheduled start; 0 */
	double slow;
	bool skip;			/* could not become its actor's user: barriers only */
	int until;			/* the innermost until: loop's errno; 0 none */
	bool until_hit;			/* ... and an operation of its body failed so */
	int last_pc, last_key;		/* the last operation run, for a loop that never hit */
};

/* What an operation sees, and what it gives back for its expect:. */
struct scn_exec {
	struct scn_worker *w;
	const struct scn_step *st;
	const struct scn_obj *o;
	struct scn_handle *h;
	struct xport_wait wait;
	int64_t value;			/* SCN_OUT_VALUE */
	bool has_value;
	const char *data;		/* SCN_OUT_DATA */
	size_t len;
	bool has_data;
	bool truncated;			/* a message longer than the buffer */
	int64_t aux;			/* priority, type */
	bool has_aux;
	size_t nfds;			/* SCN_OUT_FDS */
	bool has_fds;
	int sem;			/* for reports: the semaphore, -1 */
};

/* The arguments of the step being run. */
bool scn_has(const struct scn_exec *x, enum scn_slot s);
int scn_int(struct scn_exec *x, enum scn_slot s, int64_t dflt, int64_t *v);
bool scn_bool(const struct scn_exec *x, enum scn_slot s);
/* A list argument (sem: [0, 2]): up to @max into @v; the count, or -errno. */
int scn_ints(struct scn_exec *x, enum scn_slot s, int64_t *v, size_t max);
/* The bytes to send or write: data: expanded, or the checked pattern of size:. */
int scn_payload(struct scn_exec *x, const void **buf, size_t *len);
/* A receive buffer of at least @n bytes (size: when given, else @dflt). */
int scn_rxbuf(struct scn_exec *x, size_t dflt, void **buf, size_t *n);
/* For the blocked list: the semaphore of an array a step waits on. */
static inline void scn_note_sem(struct scn_exec *x, int sem)
{
	x->sem = sem;
	atomic_store_explicit(&x->w->slot->sem, sem, memory_order_relaxed);
}
/* The worker's descriptor of object @obj for passing (SCN fds:). */
int scn_pass_fd(struct scn_exec *x, int obj);
/* The runner's pid, and a worker's by process, for signal. */
pid_t scn_worker_pid(const struct scn_run *r, const struct scn_actor *a, int index);
void scn_mark_killed(const struct scn_run *r, const struct scn_actor *a, int index, int sig);

/*
 * Shared implementations of what several kinds do.  A send on @fd: the
 * payload as a byte stream (@stream) or one message, with the descriptors
 * of fds:; a receive: size: bytes (or the expected text's length) of a
 * stream, else what one read gives; one message with room for fds:.
 */
int scn_send_on(struct scn_exec *x, int fd, bool stream);
int scn_recv_on(struct scn_exec *x, int fd, bool stream);
int scn_fd_close(struct scn_exec *x);		/* closes the handle's descriptors */
/* Closes the runner's o->fd[], for a type's unmake. */
void scn_fds_unmake(struct scn_obj *o);
/* Scratch memory of at least @n bytes (the receive buffer), for building a message. */
void *scn_scratch(struct scn_exec *x, size_t n);
/* A worker's handle of @o: the inherited descriptors (duplicates in other threads). */
int scn_handle_fds(struct scn_worker *w, const struct scn_obj *o, struct scn_handle *h);
int scn_noop(struct scn_exec *x);		/* open of an inherited object */
/* Reads or writes attached memory @mem of @len bytes at offset:. */
int scn_mem_io(struct scn_exec *x, void *mem, size_t len, bool ro, bool write);
int scn_mem_attach(struct scn_exec *x);		/* mmap of h->fd */
int scn_mem_detach(struct scn_exec *x);
int scn_mem_write(struct scn_exec *x);		/* the mapping, or pwrite */
int scn_mem_read(struct scn_exec *x);
int scn_mem_resize(struct scn_exec *x);
/* Reads /proc/self/fdinfo/@fd's "@key:" value (base @base). */
int scn_fdinfo(int fd, const char *key, int base, uint64_t *v);
/* POSIX semaphores, named or not: on h->sem. */
int scn_psem_post(struct scn_exec *x);
int scn_psem_wait(struct scn_exec *x);
int scn_psem_set(struct scn_exec *x);
int scn_psem_get(struct scn_exec *x);

/* Shared parameter rows. */
#define SCN_P_DATA	{ "data", SP_TEXT, A_DATA, NULL, "the bytes, a template" }
#define SCN_P_SIZE	{ "size", SP_SIZE, A_SIZE, NULL, "bytes of a checked pattern instead of data" }
#define SCN_P_RSIZE	{ "size", SP_SIZE, A_SIZE, NULL, "bytes to receive (a pattern is checked)" }
#define SCN_P_OFFSET	{ "offset", SP_SIZE, A_OFFSET, NULL, "where in the memory" }
#define SCN_P_END	{ "end", SP_WORD, A_END, "0 1", "the end this step uses (the actor's)" }
#define SCN_P_PIPE_END	{ "end", SP_WORD, A_END, "read write", "only this end" }
#define SCN_P_FDS	{ "fds", SP_OBJECTS, A_FDS, NULL, "objects whose descriptors go (SCM_RIGHTS)" }
#define SCN_P_RFDS	{ "fds", SP_INT, A_FDS, NULL, "descriptors to receive at most" }
#define SCN_P_READONLY	{ "readonly", SP_BOOL, A_READONLY, NULL, "map it read-only" }
#define SCN_P_VALUE	{ "value", SP_INT, A_VALUE, NULL, "the new value" }
#define SCN_P_COUNT	{ "count", SP_INT, A_COUNT, NULL, "how much (default 1)" }
#define SCN_P_MODE	{ "mode", SP_WORD, A_MODE, "read write rw", "how to open it (default rw)" }
#define SCN_P_NEWSIZE	{ "size", SP_SIZE, A_SIZE, NULL, "the new size" }
#define SCN_P_LAST	{ NULL, 0, 0, NULL, NULL }

/* Operation rows several kinds share. */
#define SCN_OP_CLOSE(fn)	{ "close", "close this process's handle", NULL, 0, fn, "- close: OBJ" }
#define SCN_OP_OPEN(fn, fl)	{ "open", "open it again in this process", scn_open_params, fl, fn, \
				  "- open: OBJ" }
#define SCN_OP_REMOVE(fn)	{ "remove", "remove its name (it lives on while open)", NULL, 0, fn, \
				  "- remove: OBJ" }
extern const struct scn_param scn_open_params[];
extern const struct scn_param scn_mem_rw_params[];
extern const struct scn_param scn_mem_read_params[];
extern const struct scn_param scn_attach_params[];
extern const struct scn_param scn_send_params[];
extern const struct scn_param scn_recv_params[];
extern const struct scn_param scn_close_end_params[];

/* run.c, worker.c */
int scn_worker_main(struct scn_run *r, const struct scn_actor *a, int index, int thread);
const char *scn_errno_name(int err);
int scn_errno_parse(const char *name, size_t len);
int scn_signal_parse(const char *name, size_t len);
const char *scn_signal_name(int sig);

/* result.c */
struct ipk_scenario_result *scn_result_new(struct ipk_scenario *s);
int scn_result_collect(struct ipk_scenario_result *res, struct scn_run *r);
int scn_result_note(struct ipk_scenario_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void scn_result_set(struct ipk_scenario_result *res, enum ipk_scenario_outcome o,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int scn_result_blocked(struct ipk_scenario_result *res, struct scn_run *r, uint64_t now);
int scn_result_expect(struct ipk_scenario_result *res, struct ipk_ctx *ctx);
int scn_result_objects(struct ipk_scenario_result *res, struct ipk_ctx *ctx);
int scn_result_keep(struct ipk_scenario_result *res, const char *ref);
void scn_result_duration(struct ipk_scenario_result *res, double s);

#endif
