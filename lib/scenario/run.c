/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The runner: makes the objects in the order of the file, forks every
 * actor process into one process group of the run (each dies with the
 * runner, PR_SET_PDEATHSIG), starts them together, and watches them: an
 * actor that crashes, the run's timeout, a stall (nobody finished an
 * operation for the stall time while some wait, the shape of a deadlock)
 * and ipk_scenario_interrupt() all end it the same way: the group is
 * killed, every process reaped, then the expectations read, then every
 * object the run made removed.
 */
#include "scn.h"
#include "../bench/bench.h"

#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <poll.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STAT_HEADER	((sizeof(struct scn_stat) + 63) / 64 * 64)
/* How long the actors may take to be ready: forking and opening, not running. */
#define START_TIMEOUT	(UINT64_C(30) * 1000000000)

/* The run in progress, for ipk_scenario_interrupt() in a signal handler. */
static volatile sig_atomic_t interrupted;
static volatile pid_t running_group;

void ipk_scenario_interrupt(void)
{
	int saved = errno;
	pid_t g = running_group;

	interrupted = 1;
	if (g > 0)
		kill(-g, SIGKILL);
	errno = saved;
}

const char *ipk_scenario_outcome_name(enum ipk_scenario_outcome o)
{
	static const char *const names[] = {
		[IPK_SCENARIO_PASS] = "pass", [IPK_SCENARIO_FAIL] = "fail",
		[IPK_SCENARIO_TIMEOUT] = "timeout", [IPK_SCENARIO_ERROR] = "error",
		[IPK_SCENARIO_UNSUPPORTED] = "unsupported", [IPK_SCENARIO_INVALID] = "invalid",
		[IPK_SCENARIO_INTERRUPTED] = "interrupted",
	};

	return (unsigned)o < ARRAY_SIZE(names) ? names[o] : "error";
}

static long futex(_Atomic uint32_t *word, int op, uint32_t val)
{
	return syscall(SYS_futex, (uint32_t *)word, op, val, NULL, NULL, 0);
}

/* What an errno of making an object says about the run. */
static enum ipk_scenario_outcome make_outcome(int err)
{
	switch (err) {
	case ENOSYS:
	case EOPNOTSUPP:
	case EAFNOSUPPORT:
	case EPROTONOSUPPORT:
	case ESOCKTNOSUPPORT:
		return IPK_SCENARIO_UNSUPPORTED;
	case EEXIST:
	case EADDRINUSE:
	case EINVAL:
	case ENAMETOOLONG:
		return IPK_SCENARIO_INVALID;
	default:
		return IPK_SCENARIO_ERROR;
	}
}

/* ----------------------------------------------------------- objects */

/* Why @o could not be made, as the outcome of the run. */
static int make_failed(struct ipk_scenario_result *res, const struct scn_obj *o, const char *what,
		       int rc, const struct ipk_error *e)
{
	if (rc == -EEXIST || (rc == -EADDRINUSE && !o->reuse))
		scn_result_set(res, IPK_SCENARIO_INVALID, "object '%s': %s exists already "
			       "(remove it, or say existing: reuse)", o->name, what);
	else
		scn_result_set(res, make_outcome(-rc), "object '%s': cannot make %s: %s", o->name,
			       what, e->text[0] ? e->text : ipk_strerror(-rc));
	return rc;
}

static int make_object(struct ipk_ctx *ctx, struct scn_obj *o, struct ipk_scenario_result *res)
{
	struct ipk_error e = { 0 };
	char what[PATH_MAX + 64];
	int rc = 0;

	scn_obj_describe(o, what, sizeof(what));
	if (o->type->flags & SCN_T_NAMED) {
		bool existed = false;
		char *ref = NULL;
		rc = ipk_create(ctx, o->kind, &o->c, &ref, &existed, &e);
		if (rc)
			return make_failed(res, o, what, rc, &e);
		o->ref = ref;
		o->made = !existed;
		const char *colon = strchr(ref, ':');
		if (ipk_kind_family(o->kind) == IPK_FAMILY_SYSV && colon)
			o->id = (int)strtol(colon + 1, NULL, 10);
		if (o->made && ipk_lookup(ctx, ref, &o->was))
			o->was = NULL;
	}
	if (o->type->make) {
		rc = o->type->make(o, &e);
		if (rc)
			return make_failed(res, o, what, rc, &e);
	}
	if (!o->ref && o->type->ref_arg && o->kind) {
		struct ipk_buf arg = { 0 };
		if (o->type->ref_arg(o, &arg) == 0 && arg.s)
			o->ref = ref_make(o->kind, arg.s);
		ipk_buf_free(&arg);
	}
	return 0;
}

/* The runner's handles first, then the names of what the run made. */
static void remove_objects(struct ipk_ctx *ctx, struct ipk_scenario *s, bool keep,
			   struct ipk_scenario_result *res)
{
	for (size_t i = 0; i < s->nobjs; i++) {
		struct scn_obj *o = &s->objs[i];
		if (o->type && o->type->unmake)
			o->type->unmake(o);
	}
	for (size_t i = s->nobjs; i-- > 0;) {
		struct scn_obj *o = &s->objs[i];
		if (!o->type || !o->made)
			continue;
		if (keep) {
			if (o->ref)
				scn_result_keep(res, o->ref);
			continue;
		}
		if (!(o->type->flags & SCN_T_NAMED)) {
			if (o->type->remove)
				o->type->remove(o);
			continue;
		}
		struct ipk_object *now = NULL;
		struct ipk_error e = { 0 };
		int rc = ipk_lookup(ctx, o->ref, &now);
		if (rc == -ESRCH || (!rc && !now))
			continue;	/* an actor removed it */
		if (!rc && o->was && !ipk_object_same(o->was, now, &e)) {
			scn_result_note(res, "left '%s': it is another object now (%s)", o->ref,
					e.text);
		} else if (!rc) {
			rc = ipk_remove(ctx, now, IPK_RM_FORCE, &e);
			if (rc && rc != -ENOENT)
				scn_result_note(res, "cannot remove '%s': %s", o->ref,
						e.text[0] ? e.text : ipk_strerror(-rc));
		} else {
			scn_result_note(res, "cannot find '%s' to remove it: %s", o->ref, ipk_strerror(-rc));
		}
		ipk_object_free(now);
	}
	for (size_t i = 0; i < s->nobjs; i++) {
		struct scn_obj *o = &s->objs[i];
		ipk_object_free(o->was);
		o->was = NULL;
		free(o->ref);
		o->ref = NULL;
		o->made = false;
		o->fd[0] = o->fd[1] = -1;
		o->id = -1;
	}
}

/* ----------------------------------------------------------- processes */

struct thread_arg {
	struct scn_run *r;
	const struct scn_actor *a;
	int index, thread;
	int rc;
};

static void *thread_main(void *p)
{
	struct thread_arg *t = p;

	t->rc = scn_worker_main(t->r, t->a, t->index, t->thread);
	return NULL;
}

/*
 * user:: the process takes the uid and gid, with no supplementary groups
 * and so no capabilities.  When it may not (the runner is not root, or the
 * uid is not mapped in its user namespace), the actor still meets the
 * others at barriers but runs no operation, and the result says so: a
 * permission check nobody could make is no deviation.
 */
static void become(struct scn_run *r, const struct scn_actor *a, int index)
{
	int err = 0;

	if (setgroups(0, NULL) && errno != EPERM)
		err = errno;
	if (!err && setgid((gid_t)a->gid))
		err = errno;
	if (!err && setuid((uid_t)a->uid))
		err = errno;
	if (err) {
		atomic_store(&r->slots[a->first_worker + index * a->threads].skipped, err);
		return;
	}
	/* A change of credentials clears these: death with the runner, and holders in /proc. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_DUMPABLE, 1);
	if (getppid() != r->runner)
		_exit(1);
}

static __attribute__((noreturn)) void child(struct scn_run *r, const struct scn_actor *a,
					    int index, pid_t group, int alive_rd)
{
	static const int defaults[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1,
					SIGUSR2, SIGALRM };
	sigset_t mask;

	/*
	 * The run's group, so a terminal's ^C reaches the runner alone, which
	 * then removes everything; and death with the runner, whatever kills it.
	 */
	setpgid(0, group);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != r->runner)
		_exit(1);
	/* The write end stays open until this process ends: the runner sees the last go. */
	close(alive_rd);
	for (size_t i = 0; i < ARRAY_SIZE(defaults); i++)
		signal(defaults[i], SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	/* The signals of signalfds stay blocked: they are read, never delivered. */
	sigemptyset(&mask);
	for (int sig = 1; sig <= 64; sig++)
		if (r->s->sigmask & (UINT64_C(1) << (sig - 1)))
			sigaddset(&mask, sig);
	sigprocmask(SIG_SETMASK, &mask, NULL);
	prctl(PR_SET_NAME, a->name);
	int arc = xport_alarm_init();
	if (arc) {
		if (atomic_fetch_add(&r->hdr->failed, 1) == 0)
			snprintf(r->hdr->why, sizeof(r->hdr->why), "%s.%d: cannot set up timeouts: %s",
				 a->name, index, ipk_strerror(-arc));
		_exit(1);
	}
	if (a->ncpus) {
		cpu_set_t set;
		int cpu = a->cpus[(size_t)index % a->ncpus];
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			int err = errno;
			if (atomic_fetch_add(&r->hdr->failed, 1) == 0)
				snprintf(r->hdr->why, sizeof(r->hdr->why), "%s.%d: cannot run on "
					 "CPU %d: %s", a->name, index, cpu, ipk_strerror(err));
			_exit(1);
		}
	}
	for (size_t i = 0; i < a->nrlim; i++) {
		struct rlimit rl;
		if (getrlimit(a->rlim[i].resource, &rl) == 0) {
			rl.rlim_cur = a->rlim[i].value;
			if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < rl.rlim_cur)
				rl.rlim_max = rl.rlim_cur;	/* raising it needs root */
		}
		if (setrlimit(a->rlim[i].resource, &rl)) {
			int err = errno;
			if (atomic_fetch_add(&r->hdr->failed, 1) == 0)
				snprintf(r->hdr->why, sizeof(r->hdr->why), "%s.%d: cannot set "
					 "rlimits: %s", a->name, index, ipk_strerror(err));
			_exit(1);
		}
	}
	if (a->uid >= 0)
		become(r, a, index);
	int rc = 0;
	if (a->threads > 1) {
		struct thread_arg *t = calloc((size_t)a->threads, sizeof(*t));
		pthread_t *tid = calloc((size_t)a->threads, sizeof(*tid));
		if (!t || !tid)
			_exit(1);
		for (int i = 1; i < a->threads; i++) {
			t[i] = (struct thread_arg){ r, a, index, i, 0 };
			if (pthread_create(&tid[i], NULL, thread_main, &t[i])) {
				if (atomic_fetch_add(&r->hdr->failed, 1) == 0)
					snprintf(r->hdr->why, sizeof(r->hdr->why),
						 "%s.%d: cannot start thread %d", a->name, index, i);
				_exit(1);
			}
		}
		rc = scn_worker_main(r, a, index, 0);
		for (int i = 1; i < a->threads; i++) {
			pthread_join(tid[i], NULL);
			rc |= t[i].rc;
		}
		free(t);
		free(tid);
	} else {
		rc = scn_worker_main(r, a, index, 0);
	}
	_exit(rc ? 1 : 0);
}

struct actor_proc {
	pid_t pid;
	int actor, index;
	bool alive;
};

/* Which process a pid is. */
static struct actor_proc *proc_of(struct actor_proc *v, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].pid == pid)
			return &v[i];
	return NULL;
}

static void kill_all(pid_t group, struct actor_proc *v, size_t n)
{
	if (group > 0)
		kill(-group, SIGKILL);
	for (size_t i = 0; i < n; i++)
		if (v[i].alive && v[i].pid > 0)
			kill(v[i].pid, SIGKILL);
}

/* Reaps what has ended; with @block, everything. */
static size_t reap(pid_t group, struct actor_proc *v, size_t n, bool block,
		   void (*ended)(void *arg, struct actor_proc *p, int status), void *arg)
{
	size_t alive = 0;

	for (size_t i = 0; i < n; i++)
		alive += v[i].alive;
	while (alive && group > 0) {
		int status;
		pid_t pid = waitpid(-group, &status, block ? 0 : WNOHANG);
		if (pid == 0)
			break;
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			/* none left in the group: the rest were reaped elsewhere */
			for (size_t i = 0; i < n; i++)
				v[i].alive = false;
			return 0;
		}
		struct actor_proc *p = proc_of(v, n, pid);
		if (!p || !p->alive)
			continue;
		p->alive = false;
		alive--;
		if (ended)
			ended(arg, p, status);
	}
	return alive;
}

struct watch {
	struct scn_run *r;
	struct ipk_scenario_result *res;
	bool stop;		/* something ended the run */
};

/* Whether a worker's program could not go on; the run's error says why. */
static bool program_stopped(struct scn_run *r, struct ipk_scenario_result *res)
{
	if (!atomic_load_explicit(&r->hdr->stopped, memory_order_acquire))
		return false;
	scn_result_set(res, IPK_SCENARIO_ERROR, "%s", r->hdr->stop_why);
	return true;
}

static void ended(void *arg, struct actor_proc *p, int status)
{
	struct watch *wt = arg;
	struct scn_run *r = wt->r;
	const struct scn_actor *a = &r->s->actors[p->actor];

	if (wt->stop)
		return;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return;
	if (program_stopped(r, wt->res)) {
		wt->stop = true;
		return;
	}
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		int32_t scripted = atomic_load(&r->slots[a->first_worker +
							 p->index * a->threads].killed_by);
		if (scripted == sig)
			return;		/* a signal step asked for it */
		scn_result_set(wt->res, IPK_SCENARIO_ERROR, "%s.%d (pid %d) was killed by "
			       "signal %d (%s)", a->name, p->index, (int)p->pid, sig,
			       strsignal(sig));
	} else if (atomic_load(&r->hdr->failed) && r->hdr->why[0]) {
		scn_result_set(wt->res, IPK_SCENARIO_ERROR, "cannot start: %s", r->hdr->why);
	} else {
		scn_result_set(wt->res, IPK_SCENARIO_ERROR, "%s.%d (pid %d) failed (exit %d)",
			       a->name, p->index, (int)p->pid,
			       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
	wt->stop = true;
}

/*
 * Whether the run is stuck: some wait with no end in sight, none sleeps or
 * waits with a timeout (it will go on), and nothing was done for a while.
 */
static bool stalled(struct scn_run *r, uint64_t now, uint64_t stall_ns)
{
	uint64_t last = r->t0;
	bool waiting = false;

	for (size_t i = 0; i < r->s->nworkers; i++) {
		struct scn_wslot *w = &r->slots[i];
		uint32_t st = atomic_load_explicit(&w->state, memory_order_acquire);
		uint64_t l = atomic_load_explicit(&w->last, memory_order_relaxed);
		if (l > last)
			last = l;
		/* A sleep and a wait with a timeout of its own end by themselves. */
		bool timed = atomic_load_explicit(&w->timed, memory_order_relaxed);
		if (st == W_SLEEPING || st == W_RUNNING || (st == W_BLOCKED && timed))
			return false;
		if (st == W_BLOCKED)
			waiting = true;
	}
	/* A worker's clock may be read after the runner's @now. */
	return waiting && now > last && now - last >= stall_ns;
}

/* ---------------------------------------------------------------- run */

static int setup_shm(struct scn_run *r)
{
	const struct ipk_scenario *s = r->s;
	size_t maxkeys = 1;

	for (size_t i = 0; i < s->nactors; i++)
		if (s->actors[i].nkeys > maxkeys)
			maxkeys = s->actors[i].nkeys;
	r->maxkeys = maxkeys;
	r->stride = (STAT_HEADER + bench_hist_size() + 63) / 64 * 64;
	size_t hdr = (sizeof(struct scn_shm) + 63) / 64 * 64;
	size_t slots = (s->nworkers * sizeof(struct scn_wslot) + 63) / 64 * 64;
	size_t bars = ((s->nbarriers ? s->nbarriers : 1) * sizeof(struct scn_barrier) + 63) / 64 * 64;
	size_t stats = s->nworkers * maxkeys * r->stride;
	r->shm_len = hdr + slots + bars + stats;
	/* MAP_NORESERVE: histograms take pages only where values fall. */
	void *p = mmap(NULL, r->shm_len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	r->shm = p;
	r->hdr = p;
	r->slots = (struct scn_wslot *)((char *)p + hdr);
	r->bars = (struct scn_barrier *)((char *)p + hdr + slots);
	r->stats = (char *)p + hdr + slots + bars;
	for (size_t i = 0; i < s->nworkers; i++) {
		atomic_store(&r->slots[i].obj, -1);
		atomic_store(&r->slots[i].sem, -1);
		for (size_t k = 0; k < maxkeys; k++)
			scn_stat_at(r, (int)i, (int)k)->fail_step = -1;
	}
	return 0;
}

static void block_signals(const struct ipk_scenario *s, sigset_t *old)
{
	sigset_t set;

	/* Until the children have their own handlers: a ^C now is the runner's alone. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	for (int sig = 1; sig <= 64; sig++)
		if (s->sigmask & (UINT64_C(1) << (sig - 1)))
			sigaddset(&set, sig);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

int ipk_scenario_run(struct ipk_scenario *s, const struct ipk_scenario_options *o,
		     struct ipk_scenario_result **out)
{
	struct ipk_scenario_result *res = scn_result_new(s);
	struct scn_run r = { .s = s, .opt = *o, .runner = getpid() };
	struct actor_proc *procs = NULL;
	size_t nprocs = 0;
	pid_t group = 0;
	int rc = 0;

	*out = NULL;
	if (!res)
		return -ENOMEM;
	if (!(r.opt.slow >= 1))
		r.opt.slow = 1;
	uint64_t timeout = o->timeout_ns ? o->timeout_ns : s->timeout_ns;
	uint64_t stall = o->no_stall ? 0 : o->stall_ns ? o->stall_ns : s->stall_ns;
	timeout = (uint64_t)((double)timeout * r.opt.slow);
	stall = (uint64_t)((double)stall * r.opt.slow) + r.opt.step_delay_ns;

	struct ipk_ctx *ctx = ipk_ctx_new();
	if (!ctx) {
		ipk_scenario_result_free(res);
		return -ENOMEM;
	}
	if (interrupted) {
		scn_result_set(res, IPK_SCENARIO_INTERRUPTED, "interrupted");
		goto done;
	}
	rc = setup_shm(&r);
	if (rc) {
		scn_result_set(res, IPK_SCENARIO_ERROR, "shared memory: %s", ipk_strerror(-rc));
		rc = 0;
		goto done;
	}
	for (size_t i = 0; i < s->nobjs; i++) {
		if (make_object(ctx, &s->objs[i], res))
			goto cleanup;
		if (interrupted) {
			scn_result_set(res, IPK_SCENARIO_INTERRUPTED, "interrupted");
			goto cleanup;
		}
	}

	procs = calloc(s->nworkers ? s->nworkers : 1, sizeof(*procs));
	if (!procs) {
		scn_result_set(res, IPK_SCENARIO_ERROR, "%s", ipk_strerror(ENOMEM));
		goto cleanup;
	}
	fflush(NULL);
	int alive[2];
	if (pipe2(alive, O_CLOEXEC)) {
		scn_result_set(res, IPK_SCENARIO_ERROR, "pipe: %s", ipk_strerror(errno));
		goto cleanup;
	}
	sigset_t old;
	block_signals(s, &old);
	for (size_t ai = 0; ai < s->nactors && !interrupted; ai++) {
		const struct scn_actor *a = &s->actors[ai];
		for (int p = 0; p < a->processes; p++) {
			pid_t pid = fork();
			if (pid == 0)
				child(&r, a, p, group, alive[0]);
			if (pid < 0) {
				scn_result_set(res, IPK_SCENARIO_ERROR, "cannot start %s.%d: fork: %s",
					       a->name, p, ipk_strerror(errno));
				break;
			}
			if (!group)
				group = pid;
			/* Also here, so the group exists before anyone may kill it. */
			setpgid(pid, group);
			running_group = group;
			procs[nprocs++] = (struct actor_proc){ .pid = pid, .actor = (int)ai, .index = p,
							 .alive = true };
		}
		if (ipk_scenario_result_outcome(res) != IPK_SCENARIO_PASS)
			break;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	close(alive[1]);
	/* A pipe's ends are the actors' now: the runner's would hide an end of file. */
	for (size_t i = 0; i < s->nobjs; i++)
		if ((s->objs[i].type->flags & SCN_T_ENDS) && s->objs[i].type->unmake)
			s->objs[i].type->unmake(&s->objs[i]);

	struct watch wt = { .r = &r, .res = res };
	/* Ready, all of them, before any starts: signals and barriers need everyone. */
	uint64_t deadline = xport_now() + START_TIMEOUT;
	while (ipk_scenario_result_outcome(res) == IPK_SCENARIO_PASS &&
	       atomic_load(&r.hdr->ready) < s->nworkers) {
		if (atomic_load(&r.hdr->failed)) {
			/* The worker counts its failure first, then says why: give it a moment. */
			for (int i = 0; i < 200 && !((volatile char *)r.hdr->why)[0]; i++)
				poll(NULL, 0, 1);
			scn_result_set(res, IPK_SCENARIO_ERROR, "cannot start: %s",
				       r.hdr->why[0] ? r.hdr->why : "an actor could not start");
			break;
		}
		if (interrupted) {
			scn_result_set(res, IPK_SCENARIO_INTERRUPTED, "interrupted");
			break;
		}
		if (xport_now() > deadline) {
			scn_result_set(res, IPK_SCENARIO_ERROR, "the actors were not ready after %d s",
				       (int)(START_TIMEOUT / 1000000000));
			break;
		}
		reap(group, procs, nprocs, false, ended, &wt);
		if (wt.stop)
			break;
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
	}
	bool started = ipk_scenario_result_outcome(res) == IPK_SCENARIO_PASS;
	if (started) {
		r.t0 = xport_now();
		r.hdr->t0 = r.t0;
		atomic_store(&r.hdr->go, 1);
	} else {
		atomic_store(&r.hdr->go, 2);
		kill_all(group, procs, nprocs);
	}
	futex(&r.hdr->go, FUTEX_WAKE, INT_MAX);

	/* Watch until all are gone, or something ends the run. */
	while (started && reap(group, procs, nprocs, false, ended, &wt)) {
		uint64_t now = xport_now();
		const char *why = NULL;
		enum ipk_scenario_outcome oc = IPK_SCENARIO_TIMEOUT;
		/* A thread's program that stopped: its process may go on a while. */
		if (wt.stop || program_stopped(&r, res))
			break;
		if (interrupted) {
			oc = IPK_SCENARIO_INTERRUPTED;
			why = "interrupted";
		} else if (now - r.t0 >= timeout) {
			why = "timeout";
		} else if (stall && stalled(&r, now, stall)) {
			why = "stall";
		}
		if (why) {
			scn_result_blocked(res, &r, now);
			if (oc == IPK_SCENARIO_INTERRUPTED)
				scn_result_set(res, oc, "interrupted");
			else if (why[0] == 't')
				scn_result_set(res, oc, "timeout: still running after %.3g s",
					       (double)timeout / 1e9);
			else
				scn_result_set(res, oc, "stalled: no operation ended for %.3g s "
					       "while %zu waited (a deadlock?)", (double)stall / 1e9,
					       ipk_scenario_result_blocked_count(res));
			break;
		}
		/* The pipe's end of file says at once that the last process is gone. */
		struct pollfd pf = { .fd = alive[0], .events = POLLIN };
		poll(&pf, 1, 10);
	}
	uint64_t end = xport_now();
	close(alive[0]);
	kill_all(group, procs, nprocs);
	reap(group, procs, nprocs, true, started ? ended : NULL, &wt);
	running_group = 0;
	scn_result_duration(res, started ? (double)(end - r.t0) / 1e9 : 0);
	if (started) {
		for (size_t ai = 0; ai < s->nactors; ai++) {
			const struct scn_actor *a = &s->actors[ai];
			int err = a->uid >= 0 ? atomic_load(&r.slots[a->first_worker].skipped) : 0;
			if (err)
				scn_result_note(res, "%s ran no operation: cannot become user %s: %s "
						"(its checks need root)", a->name, a->user,
						ipk_strerror(err));
		}
		rc = scn_result_collect(res, &r);
		if (!rc && ipk_scenario_result_outcome(res) != IPK_SCENARIO_INTERRUPTED) {
			rc = scn_result_expect(res, ctx);
			if (!rc)
				rc = scn_result_objects(res, ctx);
		}
	}
cleanup:
	/*
	 * Objects last: what the actors held is gone before their names are.
	 * An invalid run (an object exists already) keeps nothing, --keep or
	 * not: like an invalid file, it leaves the system as it found it.
	 */
	remove_objects(ctx, s, o->keep && ipk_scenario_result_outcome(res) != IPK_SCENARIO_INVALID,
		       res);
done:
	if (r.shm)
		munmap(r.shm, r.shm_len);
	free(procs);
	ipk_ctx_free(ctx);
	if (rc) {
		ipk_scenario_result_free(res);
		return rc;
	}
	*out = res;
	return 0;
}
