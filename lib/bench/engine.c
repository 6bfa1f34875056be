/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The engine: for each phase (round trips, then the stream) the parent sets
 * the method up, forks a server and then a client, each in its own process
 * group, pinned, and waits for both under a hard timeout; then it removes
 * what the method made.  The children share a control block with the
 * parent: readiness, the last sequence number, errors, and the client's
 * histogram.
 *
 * What is timed is the round trip alone: the client builds a message before
 * its clock starts and checks the answer after it stops; the server echoes
 * each message first and checks it afterwards.  Throughput is timed where
 * the messages arrive, after they are checked.
 */
#include "bench.h"

#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT_NS	(UINT64_C(60) * 1000000000)

/* Shared by the parent and both children of one phase. */
struct ctl {
	_Atomic uint32_t ready;		/* futex: the server has attached */
	_Atomic uint32_t done;		/* futex: the stream's receiver has counted all */
	_Atomic pid_t pid[2];		/* [role] */
	_Atomic uint64_t last;		/* sequence of the final message; 0: not known yet */
	_Atomic int err[2];		/* positive errno a child failed with */
	const char *what[2];		/* and the call that failed */
	uint64_t bad_seq[2];		/* a message that did not check */
	uint64_t t_first, t_last;	/* stream: the receiver's clock */
	uint64_t received;		/* stream: messages counted */
	uint64_t hist_off;		/* the client's histogram, at this offset */
};

struct phase {
	const struct ipk_bench_config *cfg;
	enum bench_mode mode;
	size_t size;
	uint64_t warmup;
	struct ctl *ctl;
	struct ipk_hist *hist;		/* in the control block's mapping */
	pid_t parent;
	unsigned flags;
};

/* The run in progress, for ipk_bench_interrupt() in a signal handler. */
static volatile sig_atomic_t interrupted;
static volatile pid_t running[2];

uint64_t bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

static void kill_group(pid_t pid)
{
	if (pid > 0) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
}

void ipk_bench_interrupt(void)
{
	int saved = errno;

	interrupted = 1;
	kill_group(running[0]);
	kill_group(running[1]);
	errno = saved;
}

const char *ipk_bench_status_name(enum ipk_bench_status s)
{
	static const char *const names[] = {
		[IPK_BENCH_OK] = "ok",
		[IPK_BENCH_UNSUPPORTED] = "unsupported",
		[IPK_BENCH_NO_RESOURCE] = "no-resource",
		[IPK_BENCH_FAILED] = "failed",
		[IPK_BENCH_INTERRUPTED] = "interrupted",
	};

	return (unsigned)s < ARRAY_SIZE(names) ? names[s] : "failed";
}

enum ipk_bench_status bench_classify(int err)
{
	if (ipk_errno_unsupported(err))
		return IPK_BENCH_UNSUPPORTED;
	switch (err) {
	case 0:
		return IPK_BENCH_OK;
	/* a method's setup: no loopback address, no mount of its filesystem */
	case EADDRNOTAVAIL:
	case ENETUNREACH:
	case ENOENT:
		return IPK_BENCH_UNSUPPORTED;
	case ENOSPC:
	case ENOMEM:
	case EMFILE:
	case ENFILE:
	case ENOBUFS:
	case EAGAIN:
	case ETOOMANYREFS:
		return IPK_BENCH_NO_RESOURCE;
	case EINTR:
		return interrupted ? IPK_BENCH_INTERRUPTED : IPK_BENCH_FAILED;
	default:
		return IPK_BENCH_FAILED;
	}
}

/* ------------------------------------------------------------------ CPUs */

bool ipk_bench_cpu_allowed(int cpu)
{
	cpu_set_t set;

	if (cpu < 0 || cpu >= CPU_SETSIZE || sched_getaffinity(0, sizeof(set), &set))
		return false;
	return CPU_ISSET(cpu, &set);
}

int ipk_bench_cpus(int *cpus, int n)
{
	cpu_set_t set;
	int found = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -errno;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &set))
			continue;
		if (found < n)
			cpus[found] = cpu;
		found++;
	}
	return found;
}

static bool cpu_ok(int cpu)
{
	return cpu == -1 || ipk_bench_cpu_allowed(cpu);
}

static int pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

/* ---------------------------------------------------------------- children */

static long futex(_Atomic uint32_t *word, int op, uint32_t val, const struct timespec *ts)
{
	return syscall(SYS_futex, (uint32_t *)word, op, val, ts, NULL, 0);
}

/* A child that failed: the reason goes to the parent through the block. */
static int child_fail(struct phase *ph, struct bench_chan *c, int rc, uint64_t seq)
{
	atomic_store(&ph->ctl->err[c->role], -rc);
	ph->ctl->what[c->role] = c->what;
	ph->ctl->bad_seq[c->role] = seq;
	return rc;
}

/* Waits until @word is set; the parent's timeout ends a wait that never does. */
static void wait_word(_Atomic uint32_t *word)
{
	const struct timespec tick = { 0, 100 * 1000 * 1000 };

	while (!atomic_load(word))
		futex(word, FUTEX_WAIT, 0, &tick);
}

static void set_word(_Atomic uint32_t *word)
{
	atomic_store(word, 1);
	futex(word, FUTEX_WAKE, INT_MAX, NULL);
}

static bool duration_over(const struct phase *ph, uint64_t start, uint64_t now)
{
	return ph->cfg->count == 0 && start && now - start >= ph->cfg->duration_ns;
}

static int client_pingpong(struct phase *ph, struct bench_chan *c, unsigned char *tx,
			   unsigned char *rx)
{
	uint64_t last = atomic_load(&ph->ctl->last), start = 0, t1 = 0;

	for (uint64_t seq = 1;; seq++) {
		bench_msg_fill(tx, ph->size, seq);
		if (!last && duration_over(ph, start, t1)) {
			last = seq;
			atomic_store(&ph->ctl->last, seq);
		}
		uint64_t t0 = bench_now();
		int rc = c->m->send(c, tx);
		if (!rc)
			rc = c->m->recv(c, rx);
		t1 = bench_now();
		if (rc)
			return child_fail(ph, c, rc, seq);
		if (seq > ph->warmup) {
			ipk_hist_add(ph->hist, t1 - t0);
			if (!start)
				start = t0;
		}
		if (bench_msg_check(rx, ph->size, seq)) {
			c->what = "an answer did not check";
			return child_fail(ph, c, -EBADMSG, seq);
		}
		if (seq == last)
			return 0;
	}
}

static void hang(void)
{
	for (;;)
		pause();
}

static int server_pingpong(struct phase *ph, struct bench_chan *c, unsigned char *rx)
{
	for (uint64_t seq = 1;; seq++) {
		int rc = c->m->recv(c, rx);

		if (rc)
			return child_fail(ph, c, rc, seq);
		if (seq == ph->warmup + 1) {
			if (ph->flags & IPK_BENCH_FAULT_CORRUPT)
				rx[ph->size - 1] ^= 0x20;
			if (ph->flags & IPK_BENCH_FAULT_HANG)
				hang();
		}
		rc = c->m->send(c, rx);
		if (rc)
			return child_fail(ph, c, rc, seq);
		if (bench_msg_check(rx, ph->size, seq)) {
			c->what = "a request did not check";
			return child_fail(ph, c, -EBADMSG, seq);
		}
		if (seq == atomic_load(&ph->ctl->last))
			return 0;
	}
}

static int client_stream(struct phase *ph, struct bench_chan *c, unsigned char *tx)
{
	uint64_t last = atomic_load(&ph->ctl->last), start = 0;

	for (uint64_t seq = 1;; seq++) {
		bench_msg_fill(tx, ph->size, seq);
		/* The clock every 64 messages: a read costs as much as a message here. */
		if (!last && seq > ph->warmup && (!start || (seq & 63) == 0)) {
			uint64_t now = bench_now();

			if (!start)
				start = now;
			else if (duration_over(ph, start, now))
				atomic_store(&ph->ctl->last, last = seq);
		}
		int rc = c->m->send(c, tx);
		if (rc)
			return child_fail(ph, c, rc, seq);
		if (seq == last) {
			/*
			 * The receiver may still signal that it took the last
			 * ones (signal posts to this process): stay until it
			 * has counted them all.
			 */
			wait_word(&ph->ctl->done);
			return 0;
		}
	}
}

static int server_stream(struct phase *ph, struct bench_chan *c, unsigned char *rx)
{
	for (uint64_t seq = 1;; seq++) {
		int rc = c->m->recv(c, rx);

		if (rc)
			return child_fail(ph, c, rc, seq);
		if (seq == ph->warmup + 1 && (ph->flags & IPK_BENCH_FAULT_CORRUPT))
			rx[ph->size - 1] ^= 0x20;
		if (bench_msg_check(rx, ph->size, seq)) {
			c->what = "a message did not check";
			return child_fail(ph, c, -EBADMSG, seq);
		}
		/* The clock starts when the warm-up is in, and stops at the last. */
		if (seq == ph->warmup)
			ph->ctl->t_first = bench_now();
		if (seq == atomic_load(&ph->ctl->last)) {
			ph->ctl->t_last = bench_now();
			ph->ctl->received = seq - ph->warmup;
			set_word(&ph->ctl->done);
			return 0;
		}
	}
}

static __attribute__((noreturn)) void child(struct phase *ph, struct bench_chan *c,
					    enum bench_role role)
{
	static const int defaults[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD };
	unsigned char *tx = NULL, *rx = NULL;
	sigset_t none;
	int rc;

	/*
	 * Its own group, so a terminal's ^C reaches the parent alone, which
	 * then removes everything; and death with the parent, whatever kills it.
	 */
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != ph->parent)
		_exit(1);
	for (size_t i = 0; i < ARRAY_SIZE(defaults); i++)
		signal(defaults[i], SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	c->role = role;
	rc = pin(ph->cfg->cpu[role]);
	if (rc) {
		c->what = "sched_setaffinity";
		goto fail;
	}
	atomic_store(&ph->ctl->pid[role], getpid());
	/* The server is ready (listening, its signals blocked) before the client starts. */
	if (role == BENCH_CLIENT)
		wait_word(&ph->ctl->ready);
	rc = bench_attach(c);
	if (rc)
		goto fail;
	if (role == BENCH_SERVER)
		set_word(&ph->ctl->ready);

	tx = malloc(ph->size);
	rx = malloc(ph->size);
	if (!tx || !rx) {
		rc = -ENOMEM;
		c->what = "malloc";
		goto fail;
	}
	memset(rx, 0, ph->size);
	if (ph->mode == BENCH_PINGPONG)
		rc = role == BENCH_CLIENT ? client_pingpong(ph, c, tx, rx)
					  : server_pingpong(ph, c, rx);
	else
		rc = role == BENCH_CLIENT ? client_stream(ph, c, tx) : server_stream(ph, c, rx);
	/* No free(): _exit() is next, and the parent's memory is not ours to tidy. */
	_exit(rc ? 1 : 0);
fail:
	child_fail(ph, c, rc, 0);
	_exit(1);
}

/* ------------------------------------------------------------------ parent */

static int pidfd_open_(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

struct reaped {
	int status[2];
	struct rusage ru[2];
};

/*
 * Waits for @n children under @timeout_ns.  A child that fails, a timeout
 * or an interrupt ends the others at once: a peer left alone may block
 * forever.  -ETIMEDOUT, -EINTR, or 0 once all are reaped.
 */
static int reap(pid_t *pid, int n, uint64_t timeout_ns, struct reaped *out)
{
	int pfd[2] = { -1, -1 };
	bool alive[2] = { false, false };
	int left = n, rc = 0;
	uint64_t deadline = bench_now() + timeout_ns;

	for (int i = 0; i < n; i++) {
		alive[i] = true;
		pfd[i] = pidfd_open_(pid[i]);
		out->status[i] = 0;
		memset(&out->ru[i], 0, sizeof(out->ru[i]));
	}
	while (left) {
		for (int i = 0; i < n; i++) {
			if (!alive[i])
				continue;
			/* Blocking once they are being killed, polling before. */
			pid_t r = wait4(pid[i], &out->status[i], rc ? 0 : WNOHANG, &out->ru[i]);
			if (r == pid[i] || (r < 0 && errno == ECHILD)) {
				alive[i] = false;
				left--;
				bool ok = WIFEXITED(out->status[i]) && WEXITSTATUS(out->status[i]) == 0;
				if (!ok && !rc) {
					rc = 1;	/* not an errno: the child told why */
					for (int j = 0; j < n; j++)
						if (alive[j])
							kill_group(pid[j]);
				}
			}
		}
		if (!left)
			break;
		if (rc)
			continue;
		uint64_t now = bench_now();
		if (interrupted || now >= deadline) {
			rc = interrupted ? -EINTR : -ETIMEDOUT;
			for (int j = 0; j < n; j++)
				if (alive[j])
					kill_group(pid[j]);
			continue;
		}
		uint64_t wait_ms = (deadline - now) / 1000000 + 1;
		if (wait_ms > 100)
			wait_ms = 100;
		if (pfd[0] >= 0 && (n < 2 || pfd[1] >= 0)) {
			struct pollfd p[2];
			int np = 0;
			for (int i = 0; i < n; i++)
				if (alive[i])
					p[np++] = (struct pollfd){ .fd = pfd[i], .events = POLLIN };
			poll(p, (nfds_t)np, (int)wait_ms);
		} else {
			/* No pidfds (Linux < 5.3): a short sleep between checks. */
			struct timespec ts = { 0, 2 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
	}
	for (int i = 0; i < n; i++)
		if (pfd[i] >= 0)
			close(pfd[i]);
	return rc;
}

static void set_why(struct ipk_bench_result *res, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_why(struct ipk_bench_result *res, int err, const char *fmt, ...)
{
	va_list ap;
	char what[80];

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (err)
		snprintf(res->why, sizeof(res->why), "%s: %s", what, ipk_strerror(err));
	else
		snprintf(res->why, sizeof(res->why), "%s", what);
	res->err = err;
	res->status = bench_classify(err);
}

static uint64_t ru_ns(const struct rusage *ru)
{
	return (uint64_t)ru->ru_utime.tv_sec * 1000000000 + (uint64_t)ru->ru_utime.tv_usec * 1000 +
	       (uint64_t)ru->ru_stime.tv_sec * 1000000000 + (uint64_t)ru->ru_stime.tv_usec * 1000;
}

static pid_t spawn(struct phase *ph, struct bench_chan *c, enum bench_role role, int slot)
{
	pid_t pid = fork();

	if (pid == 0)
		child(ph, c, role);
	if (pid > 0) {
		/* Also here, so the group exists before anyone may kill it. */
		setpgid(pid, pid);
		running[slot] = pid;
		if (interrupted)
			kill_group(pid);
	}
	return pid;
}

/* A phase's time limit: as configured, or 60 s beyond twice its duration. */
static uint64_t phase_timeout(const struct ipk_bench_config *cfg)
{
	if (cfg->timeout_ns)
		return cfg->timeout_ns;
	return DEFAULT_TIMEOUT_NS + (cfg->count ? 0 : 2 * cfg->duration_ns);
}

static int run_phase(struct phase *ph, struct ipk_bench_result *res)
{
	const struct ipk_bench_config *cfg = ph->cfg;
	struct bench_chan c = {
		.m = cfg->method, .mode = ph->mode, .size = ph->size,
		.fd = { -1, -1, -1, -1 }, .id = -1,
		.pids = ph->ctl->pid,
		.one_cpu = cfg->cpu[0] >= 0 && cfg->cpu[0] == cfg->cpu[1],
	};
	struct ctl *ctl = ph->ctl;
	pid_t pid[2] = { -1, -1 };
	struct reaped r;
	int rc;

	memset(ctl, 0, sizeof(*ctl));
	bench_hist_init(ph->hist);
	if (cfg->count)
		atomic_store(&ctl->last, ph->warmup + cfg->count);

	rc = bench_setup(&c);
	if (rc) {
		set_why(res, -rc, "%s", c.what ? c.what : "setup");
		bench_teardown(&c);
		return rc;
	}
	pid[1] = spawn(ph, &c, BENCH_SERVER, 1);
	if (pid[1] > 0)
		pid[0] = spawn(ph, &c, BENCH_CLIENT, 0);
	if (pid[1] < 0 || pid[0] < 0) {
		rc = -errno;
		if (pid[1] > 0) {
			kill_group(pid[1]);
			waitpid(pid[1], NULL, 0);
		}
		running[0] = running[1] = 0;
		set_why(res, -rc, "fork");
		bench_teardown(&c);
		return rc;
	}
	/* Children last: what they hold must go before the objects are removed. */
	rc = reap(pid, 2, phase_timeout(cfg), &r);
	running[0] = running[1] = 0;
	bench_teardown(&c);

	if (rc == -EINTR) {
		set_why(res, EINTR, "interrupted");
		return rc;
	}
	if (rc == -ETIMEDOUT) {
		double s = (double)phase_timeout(cfg) / 1e9;
		set_why(res, ETIMEDOUT, "no end after %.3g s: stopped", s);
		res->status = IPK_BENCH_FAILED;
		return rc;
	}
	if (rc) {
		/* The first child that failed says why; a killed one says nothing. */
		for (int role = BENCH_CLIENT; role <= BENCH_SERVER; role++) {
			int err = atomic_load(&ctl->err[role]);
			const char *who = role == BENCH_CLIENT ? "client" : "server";

			if (!err)
				continue;
			if (err == EBADMSG)
				set_why(res, err, "%s: %s (message %llu)", who, ctl->what[role],
					(unsigned long long)ctl->bad_seq[role]);
			else
				set_why(res, err, "%s: %s", who,
					ctl->what[role] ? ctl->what[role] : "failed");
			return -err;
		}
		for (int i = 0; i < 2; i++) {
			if (WIFSIGNALED(r.status[i])) {
				set_why(res, 0, "%s killed by signal %d",
					i == 0 ? "client" : "server", WTERMSIG(r.status[i]));
				res->err = EINTR;
				res->status = IPK_BENCH_FAILED;
				return -EINTR;
			}
		}
		set_why(res, EPROTO, "a process failed");
		return -EPROTO;
	}

	if (ph->mode == BENCH_PINGPONG) {
		res->cpu_ns = ru_ns(&r.ru[0]) + ru_ns(&r.ru[1]);
		res->count = ipk_hist_count(ph->hist);
		res->cpu_ns_per_rtt = (double)res->cpu_ns / (double)(res->count + ph->warmup);
	} else {
		res->stream_count = ctl->received;
		res->stream_ns = ctl->t_last - ctl->t_first;
		if (res->stream_ns) {
			double s = (double)res->stream_ns / 1e9;
			res->msgs_per_s = (double)ctl->received / s;
			res->mb_per_s = (double)ctl->received * (double)ph->size / s / 1e6;
		}
	}
	return 0;
}

static void summarise(struct ipk_bench_result *res, const struct ipk_hist *h)
{
	res->rtt.min = ipk_hist_min(h);
	res->rtt.max = ipk_hist_max(h);
	res->rtt.mean = ipk_hist_mean(h);
	res->rtt.p50 = ipk_hist_quantile(h, 0.50);
	res->rtt.p90 = ipk_hist_quantile(h, 0.90);
	res->rtt.p99 = ipk_hist_quantile(h, 0.99);
	res->rtt.p999 = ipk_hist_quantile(h, 0.999);
}

int ipk_bench_run(const struct ipk_bench_config *cfg, struct ipk_bench_result *res)
{
	const struct ipk_bench_method *m = cfg->method;
	uint64_t max;
	const char *source;
	int rc;

	memset(res, 0, sizeof(*res));
	res->method = m;
	res->cpu[0] = cfg->cpu[0];
	res->cpu[1] = cfg->cpu[1];
	if (!m || (!cfg->count && !cfg->duration_ns) ||
	    !cpu_ok(cfg->cpu[0]) || !cpu_ok(cfg->cpu[1])) {
		set_why(res, EINVAL, "configuration");
		return -EINVAL;
	}
	res->size = m->fixed_size ? m->fixed_size : cfg->size;
	if (res->size < 1) {
		set_why(res, EINVAL, "size");
		return -EINVAL;
	}
	rc = bench_max_size(m, &max, &source);
	if (rc) {
		set_why(res, -rc, "%s", source ? source : "limit");
		return rc;
	}
	if (res->size > max) {
		set_why(res, EMSGSIZE, "%llu bytes, above %s", (unsigned long long)res->size, source);
		return -EMSGSIZE;
	}
	if (interrupted) {
		set_why(res, EINTR, "interrupted");
		return -EINTR;
	}

	size_t hist_off = (sizeof(struct ctl) + CACHELINE - 1) / CACHELINE * CACHELINE;
	size_t len = hist_off + bench_hist_size();
	void *shared = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		rc = -errno;
		set_why(res, -rc, "mmap");
		return rc;
	}
	struct phase ph = {
		.cfg = cfg, .size = res->size, .ctl = shared,
		.hist = (struct ipk_hist *)((char *)shared + hist_off),
		.parent = getpid(), .flags = cfg->flags,
		/* The stream's clock starts at a message: at least one comes first. */
		.warmup = cfg->warmup,
	};
	uint64_t steal = ipk_bench_steal_ns();

	if (!(cfg->flags & IPK_BENCH_NO_LATENCY)) {
		ph.mode = BENCH_PINGPONG;
		rc = run_phase(&ph, res);
		if (!rc) {
			summarise(res, ph.hist);
			res->hist = ipk_hist_new();
			if (res->hist)
				memcpy(res->hist, ph.hist, bench_hist_size());
		}
	}
	if (!rc && !(cfg->flags & IPK_BENCH_NO_STREAM) && !(m->flags & BM_REFERENCE)) {
		ph.mode = BENCH_STREAM;
		ph.warmup = cfg->warmup ? cfg->warmup : 1;
		rc = run_phase(&ph, res);
	}
	uint64_t steal_end = ipk_bench_steal_ns();
	res->steal_ns = steal_end > steal ? steal_end - steal : 0;
	munmap(shared, len);
	if (!rc)
		res->status = IPK_BENCH_OK;
	return rc;
}

void ipk_bench_result_free(struct ipk_bench_result *res)
{
	ipk_hist_free(res->hist);
	res->hist = NULL;
}

/* ------------------------------------------------------------------ probes */

struct probe {
	int (*fn)(void *arg);
	void *arg;
	_Atomic int rc;
};

int bench_in_child(int (*fn)(void *arg), void *arg, uint64_t timeout_ns)
{
	struct probe p = { .fn = fn, .arg = arg };
	struct reaped r;
	pid_t parent = getpid();
	_Atomic int *shared_rc = mmap(NULL, sizeof(*shared_rc), PROT_READ | PROT_WRITE,
				      MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (shared_rc == MAP_FAILED)
		return -errno;
	if (interrupted) {
		munmap((void *)shared_rc, sizeof(*shared_rc));
		return -EINTR;
	}
	pid_t pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGPIPE, SIG_IGN);
		atomic_store(shared_rc, p.fn(p.arg));
		_exit(0);
	}
	if (pid < 0) {
		int err = errno;
		munmap((void *)shared_rc, sizeof(*shared_rc));
		return -err;
	}
	setpgid(pid, pid);
	running[0] = pid;
	if (interrupted)
		kill_group(pid);
	int rc = reap(&pid, 1, timeout_ns, &r);
	running[0] = 0;
	if (rc == 1)
		rc = -EPROTO;
	if (!rc)
		rc = atomic_load(shared_rc);
	munmap((void *)shared_rc, sizeof(*shared_rc));
	return rc;
}
