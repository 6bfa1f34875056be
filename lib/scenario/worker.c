/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A worker: one thread of one actor process, running the actor's program.
 * Around each operation it publishes in shared memory what it is in and
 * since when (so the runner sees a stall without ptrace), then records the
 * latency in its own histogram.  The loop reads the clock twice per
 * operation and does no allocation and no formatting of what is constant.
 */
#include "scn.h"
#include "../bench/bench.h"

#include <fnmatch.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define STAT_HEADER	((sizeof(struct scn_stat) + 63) / 64 * 64)
#define TEXT_BUF	4096

struct scn_stat *scn_stat_at(const struct scn_run *r, int worker, int key)
{
	return (struct scn_stat *)(r->stats + ((size_t)worker * r->maxkeys + (size_t)key) *
					      r->stride);
}

struct ipk_hist *scn_stat_hist(struct scn_stat *st)
{
	return (struct ipk_hist *)((char *)st + STAT_HEADER);
}

static long futex(_Atomic uint32_t *word, int op, uint32_t val)
{
	return syscall(SYS_futex, (uint32_t *)word, op, val, NULL, NULL, 0);
}

static void pause_until(struct scn_worker *w, uint64_t when)
{
	struct timespec ts = { (time_t)(when / 1000000000), (long)(when % 1000000000) };

	atomic_store_explicit(&w->slot->state, W_SLEEPING, memory_order_relaxed);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
	atomic_store_explicit(&w->slot->state, W_RUNNING, memory_order_relaxed);
}

/* ------------------------------------------------------------ arguments */

/* A template's text: the literal, this worker's expansion, or expanded now into @buf. */
static ssize_t text_of(struct scn_worker *w, const struct scn_tmpl *t, char *buf, size_t size,
		       const char **out)
{
	size_t len;

	if (scn_tmpl_literal(t, out, &len))
		return (ssize_t)len;
	if (t->id >= 0 && w->cache[t->id]) {
		*out = w->cache[t->id];
		return (ssize_t)w->cachelen[t->id];
	}
	*out = buf;
	return scn_tmpl_expand(t, w->vars, buf, size);
}

static int grow(char **buf, size_t *cap, size_t want)
{
	if (want <= *cap)
		return 0;
	char *p = realloc(*buf, want);
	if (!p)
		return -ENOMEM;
	*buf = p;
	*cap = want;
	return 0;
}

int scn_payload(struct scn_exec *x, const void **buf, size_t *len)
{
	struct scn_worker *w = x->w;
	const struct scn_val *d = &x->st->arg[A_DATA];

	if (d->kind == V_TEXT) {
		const char *s;
		ssize_t n = text_of(w, d->t, w->tx, w->txcap, &s);
		if (n < 0)
			return (int)n;
		*buf = s;
		*len = (size_t)n;
		return 0;
	}
	if (x->st->arg[A_SIZE].kind != V_NONE && (x->st->op->flags & SCN_IN_DATA)) {
		int64_t n;
		int rc = scn_int(x, A_SIZE, 0, &n);
		if (rc)
			return rc;
		if (n < 0)
			return -EINVAL;
		rc = grow(&w->tx, &w->txcap, (size_t)n + 1);
		if (rc)
			return rc;
		/* A pattern carries its sequence number when it has room for it. */
		uint64_t seq = n < 8 ? 0 : ((uint64_t)(w->id + 1) << 32) | ++w->seq;
		bench_msg_fill((unsigned char *)w->tx, (size_t)n, seq);
		*buf = w->tx;
		*len = (size_t)n;
		return 0;
	}
	*buf = "";
	*len = 0;
	return 0;
}

int scn_rxbuf(struct scn_exec *x, size_t dflt, void **buf, size_t *n)
{
	struct scn_worker *w = x->w;
	int64_t want = (int64_t)dflt;

	if (scn_has(x, A_SIZE) && !(x->st->op->flags & SCN_IN_DATA)) {
		int rc = scn_int(x, A_SIZE, (int64_t)dflt, &want);
		if (rc)
			return rc;
		if (want < 0)
			return -EINVAL;
	}
	int rc = grow(&w->rx, &w->rxcap, (size_t)want + 1);
	if (rc)
		return rc;
	*buf = w->rx;
	*n = (size_t)want;
	return 0;
}

void *scn_scratch(struct scn_exec *x, size_t n)
{
	struct scn_worker *w = x->w;

	return grow(&w->rx, &w->rxcap, n + 1) ? NULL : w->rx;
}

pid_t scn_worker_pid(const struct scn_run *r, const struct scn_actor *a, int index)
{
	return atomic_load(&r->slots[a->first_worker + index * a->threads].pid);
}

void scn_mark_killed(const struct scn_run *r, const struct scn_actor *a, int index, int sig)
{
	for (int t = 0; t < a->threads; t++)
		atomic_store(&r->slots[a->first_worker + index * a->threads + t].killed_by, sig);
}

/* ------------------------------------------------------------- judging */

enum verdict { V_OK, V_ERROR, V_MISMATCH };

static int64_t value_of(struct scn_worker *w, const struct scn_val *v, bool *ok)
{
	int64_t x = 0;

	*ok = v->kind == V_INT || (v->kind == V_EXPR && !scn_expr_eval(v->e, w->vars, &x));
	return v->kind == V_INT ? v->i : x;
}

/* Printable text of data for a message: at most @max bytes, others as '.'. */
static void show_data(char *out, size_t size, const char *data, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len && n + 4 < size; i++)
		out[n++] = data[i] >= 0x20 && data[i] < 0x7f ? data[i] : '.';
	if (len > n)
		n = n + 3 < size ? n : size - 4;
	out[n] = '\0';
	if (len > n && n + 3 < size)
		strcat(out, "...");
}

static enum verdict judge(struct scn_exec *x, int rc, char *obs, size_t size)
{
	const struct scn_step *st = x->st;
	const struct scn_expect1 *e = &st->expect;
	struct scn_worker *w = x->w;
	bool ok;

	if (e->err) {
		if (rc == -e->err)
			return V_OK;
		if (!rc)
			snprintf(obs, size, "succeeded");
		else
			snprintf(obs, size, "%s", scn_errno_name(-rc) ? scn_errno_name(-rc)
								    : ipk_strerror(-rc));
		return V_MISMATCH;
	}
	if (rc) {
		snprintf(obs, size, "%s", scn_errno_name(-rc) ? scn_errno_name(-rc) : ipk_strerror(-rc));
		return V_ERROR;
	}
	if (x->has_data) {
		char *data = (char *)x->data;
		/* Received data is in the receive buffer, with room for a NUL. */
		if (data >= w->rx && data + x->len < w->rx + w->rxcap)
			data[x->len] = '\0';
		if (e->data) {
			const char *glob;
			ssize_t n = text_of(w, e->data, w->tb, w->tbcap, &glob);
			if (n < 0 || memchr(data, '\0', x->len) ||
			    fnmatch(glob, data, 0) != 0) {
				char shown[72];
				show_data(shown, sizeof(shown), x->data, x->len);
				snprintf(obs, size, "data '%s'", shown);
				return V_MISMATCH;
			}
		} else if (scn_has(x, A_SIZE) && !(st->op->flags & SCN_IN_DATA)) {
			int64_t want = 0;
			scn_int(x, A_SIZE, 0, &want);
			uint64_t seq = 0;
			if (x->len >= 8)
				memcpy(&seq, x->data, sizeof(seq));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
			seq = __builtin_bswap64(seq);
#endif
			if ((int64_t)x->len != want || x->truncated) {
				snprintf(obs, size, "%s%zu bytes, where size: is %" PRId64,
					 x->truncated ? "more than " : "", x->len, want);
				return V_MISMATCH;
			}
			if (bench_msg_check((const unsigned char *)x->data, x->len,
					    x->len < 8 ? 0 : seq)) {
				snprintf(obs, size, "%zu bytes that are not the pattern size: sends",
					 x->len);
				return V_MISMATCH;
			}
		}
	}
	if (e->value.kind) {
		int64_t want = value_of(w, &e->value, &ok);
		if (!ok || !x->has_value || x->value != want) {
			const char *sig = (st->op->flags & SCN_OUT_SIGNAL) && x->has_value ?
					  scn_signal_name((int)x->value) : NULL;
			if (sig)
				snprintf(obs, size, "signal %s", sig);
			else
				snprintf(obs, size, "value %" PRId64, x->value);
			return V_MISMATCH;
		}
	}
	if (e->min.kind || e->max.kind) {
		bool ok2 = true;
		ok = true;
		int64_t lo = e->min.kind ? value_of(w, &e->min, &ok) : INT64_MIN;
		int64_t hi = e->max.kind ? value_of(w, &e->max, &ok2) : INT64_MAX;
		if (!ok || !ok2 || !x->has_value || x->value < lo || x->value > hi) {
			snprintf(obs, size, "value %" PRId64, x->value);
			return V_MISMATCH;
		}
	}
	if (e->aux.kind) {
		int64_t want = value_of(w, &e->aux, &ok);
		if (!ok || !x->has_aux || x->aux != want) {
			snprintf(obs, size, "%s %" PRId64,
				 st->op->flags & SCN_OUT_PRIO ? "priority" : "type", x->aux);
			return V_MISMATCH;
		}
	}
	if (e->fds.kind) {
		int64_t want = value_of(w, &e->fds, &ok);
		if (!ok || (int64_t)x->nfds != want) {
			snprintf(obs, size, "%zu descriptors", x->nfds);
			return V_MISMATCH;
		}
	} else if (x->has_fds && scn_has(x, A_FDS) && (st->op->flags & SCN_OUT_FDS)) {
		int64_t want = 0;
		scn_int(x, A_FDS, 0, &want);
		if ((int64_t)x->nfds != want) {
			snprintf(obs, size, "%zu descriptors, where fds: is %" PRId64, x->nfds, want);
			return V_MISMATCH;
		}
	}
	return V_OK;
}

/* ---------------------------------------------------------------- trace */

static void trace(struct scn_worker *w, const struct scn_step *st, int obj, uint64_t t1,
		  uint64_t lat, enum verdict v, int rc)
{
	const struct ipk_scenario *s = w->s;
	char line[512];
	const char *object = obj >= 0 ? s->objs[obj].name : "";
	char target[96];
	const char *result = v == V_MISMATCH ? "mismatch" : rc ? scn_errno_name(-rc) : "ok";

	if (!result)
		result = "error";
	if (st->op == scn_op_find(&scn_type_process, "signal")) {
		const struct scn_val *t = &st->arg[A_TARGET];
		if (t->kind == V_OBJS)
			snprintf(target, sizeof(target), "%s", s->actors[t->objs[0]].name);
		else
			snprintf(target, sizeof(target), "%s", t->t->src);
		object = target;
	}
	char thread[32] = "";
	if (w->actor->threads > 1)
		snprintf(thread, sizeof(thread), "\"thread\": %d, ", w->thread);
	int n = snprintf(line, sizeof(line), "{\"t_ns\": %" PRIu64 ", \"actor\": \"%s\", "
			 "\"index\": %d, %s\"pid\": %" PRId64 ", \"op\": \"%s\", "
			 "\"object\": \"%s\", \"result\": \"%s\"%s, \"latency_ns\": %" PRIu64 "}\n",
			 t1 - w->run->hdr->t0, w->actor->name, w->index, thread, w->vars[VAR_PID],
			 st->op->name, object, result,
			 rc && v == V_OK ? ", \"expected\": true" : "", lat);
	if (n > 0) {
		ssize_t r = write(w->run->opt.trace_fd, line, (size_t)n < sizeof(line) ? (size_t)n
										 : sizeof(line));
		(void)r;
	}
}

/* ------------------------------------------------------------ operations */

static int find_key(const struct scn_actor *a, const char *op, int obj)
{
	for (size_t i = 0; i < a->nkeys; i++)
		if (a->keys[i].obj == obj && strcmp(a->keys[i].op, op) == 0)
			return (int)i;
	return -1;
}

static void exec_op(struct scn_worker *w, const struct scn_step *st, int pc)
{
	const struct ipk_scenario *s = w->s;
	struct scn_exec x = { .w = w, .st = st, .sem = -1 };
	const struct scn_op *op = st->op;
	int obj = st->obj, key = st->stat, rc = 0;

	if (st->objt) {
		const char *name;
		ssize_t n = text_of(w, st->objt, w->tb, w->tbcap, &name);
		obj = n < 0 ? -1 : scn_obj_find(s, name, (size_t)n);
		op = obj >= 0 ? scn_op_find(s->objs[obj].type, st->op->name) : NULL;
		rc = n < 0 ? (int)n : obj < 0 ? -ENOENT : !op ? -EOPNOTSUPP : 0;
		key = op ? find_key(w->actor, op->name, obj) : -1;
		if (!op)
			op = st->op;
	} else if (key < 0 && st->arg[A_TARGET].kind == V_TEXT) {
		const char *name;
		ssize_t n = text_of(w, st->arg[A_TARGET].t, w->tb, w->tbcap, &name);
		const char *br = n < 0 ? NULL : memchr(name, '[', (size_t)n);
		int actor = n < 0 ? -1 : scn_actor_find(s, name, br ? (size_t)(br - name) : (size_t)n);
		key = actor < 0 ? -1 : find_key(w->actor, "signal", actor);
	}
	if (obj >= 0) {
		x.o = &s->objs[obj];
		x.h = &w->h[obj];
	}
	uint64_t now = xport_now();
	uint64_t t0 = w->sched ? w->sched : now;
	w->sched = 0;
	if (st->timeout_ns)
		x.wait.deadline = now + (uint64_t)((double)st->timeout_ns * w->slow);
	x.wait.nowait = st->nowait;

	struct scn_wslot *slot = w->slot;
	atomic_store_explicit(&slot->obj, obj, memory_order_relaxed);
	atomic_store_explicit(&slot->sem, -1, memory_order_relaxed);
	atomic_store_explicit(&slot->timed, st->timeout_ns != 0, memory_order_relaxed);
	atomic_store_explicit(&slot->since, t0, memory_order_relaxed);
	atomic_store_explicit(&slot->step, (uint32_t)pc + 1, memory_order_relaxed);
	atomic_store_explicit(&slot->state, W_BLOCKED, memory_order_release);
	if (!rc)
		rc = op->run(&x);
	uint64_t t1 = xport_now();
	atomic_store_explicit(&slot->state, W_RUNNING, memory_order_relaxed);
	atomic_store_explicit(&slot->last, t1, memory_order_relaxed);
	atomic_fetch_add_explicit(&slot->ops, 1, memory_order_release);

	char obs[sizeof(((struct scn_stat *)0)->observed)];
	enum verdict v;
	/* The failure an until: loop waits for is what it expected: it ends the loop. */
	if (w->until && rc == -w->until && !st->expect.err) {
		v = V_OK;
		w->until_hit = true;
	} else {
		v = judge(&x, rc, obs, sizeof(obs));
	}
	w->last_pc = pc;
	w->last_key = key;
	if (st->into && !rc && x.has_value)
		w->vars[st->into] = x.value;
	if (key >= 0) {
		struct scn_stat *sp = scn_stat_at(w->run, w->id, key);
		struct ipk_hist *h = scn_stat_hist(sp);
		if (!sp->count && !sp->errors) {
			bench_hist_init(h);
			sp->first = t0;
		}
		sp->last = t1;
		if (v == V_OK) {
			sp->count++;
			ipk_hist_add(h, t1 - t0);
		} else {
			sp->errors++;
			if (v == V_MISMATCH)
				sp->mismatches++;
			if (sp->fail_step < 0) {
				sp->fail_step = pc;
				sp->fail_err = v == V_MISMATCH ? 0 : -rc;
				memcpy(sp->observed, obs, sizeof(obs));
			}
		}
	}
	if (w->run->opt.trace_fd >= 0)
		trace(w, st, obj, t1, t1 - t0, v, rc);
	if (w->run->opt.step_delay_ns)
		pause_until(w, t1 + w->run->opt.step_delay_ns);
}

static void barrier(struct scn_worker *w, const struct scn_step *st, int pc)
{
	struct scn_barrier *b = &w->run->bars[st->barrier];
	uint32_t parties = w->s->parties[st->barrier];
	uint32_t gen = atomic_load(&b->gen);

	atomic_store_explicit(&w->slot->obj, -1, memory_order_relaxed);
	atomic_store_explicit(&w->slot->sem, -1, memory_order_relaxed);
	atomic_store_explicit(&w->slot->timed, 0, memory_order_relaxed);
	atomic_store_explicit(&w->slot->since, xport_now(), memory_order_relaxed);
	atomic_store_explicit(&w->slot->step, (uint32_t)pc + 1, memory_order_relaxed);
	atomic_store_explicit(&w->slot->state, W_BLOCKED, memory_order_release);
	if (atomic_fetch_add(&b->count, 1) + 1 >= parties) {
		atomic_store(&b->count, 0);
		atomic_fetch_add(&b->gen, 1);
		futex(&b->gen, FUTEX_WAKE, INT_MAX);
	} else {
		while (atomic_load(&b->gen) == gen)
			futex(&b->gen, FUTEX_WAIT, gen);
	}
	uint64_t t1 = xport_now();
	atomic_store_explicit(&w->slot->state, W_RUNNING, memory_order_relaxed);
	atomic_store_explicit(&w->slot->last, t1, memory_order_relaxed);
}

struct frame {
	int64_t n;		/* iterations; -1: until the duration ends */
	uint64_t i, end, start, period;
	int until;		/* until:'s errno; 0 none */
	int outer_until;	/* the enclosing loops', restored at the end */
	size_t next;		/* its SC_NEXT */
};

/* An until: loop that ran out: a mismatch of the last operation it ran. */
static void until_missed(struct scn_worker *w, const struct frame *f)
{
	if (w->last_key < 0)
		return;
	struct scn_stat *sp = scn_stat_at(w->run, w->id, w->last_key);
	if (!sp->count && !sp->errors)
		bench_hist_init(scn_stat_hist(sp));
	sp->errors++;
	sp->mismatches++;
	if (sp->fail_step < 0) {
		sp->fail_step = w->last_pc;
		sp->fail_err = 0;
		snprintf(sp->observed, sizeof(sp->observed), "no %s in %" PRIu64 " iterations",
			 scn_errno_name(f->until), f->i);
	}
}

/*
 * What a program cannot go on from (a loop count below 0, or one that
 * cannot be worked out): the first worker to meet one says why for the
 * run, which ends in error; this worker's program ends here.
 */
static int program_error(struct scn_worker *w, const struct scn_step *st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int program_error(struct scn_worker *w, const struct scn_step *st, const char *fmt, ...)
{
	struct scn_shm *hdr = w->run->hdr;
	va_list ap;

	if (atomic_exchange(&hdr->stopping, 1) == 0) {
		int n = snprintf(hdr->stop_why, sizeof(hdr->stop_why), "%s.%d: line %d: ",
				 w->actor->name, w->index, st->line);
		va_start(ap, fmt);
		if (n > 0 && (size_t)n < sizeof(hdr->stop_why))
			vsnprintf(hdr->stop_why + n, sizeof(hdr->stop_why) - (size_t)n, fmt, ap);
		va_end(ap);
		atomic_store_explicit(&hdr->stopped, 1, memory_order_release);
	}
	return -EINVAL;
}

/* The iterations of a counted loop; -1 for one that runs for its duration. */
static int loop_count(struct scn_worker *w, const struct scn_step *st, int64_t *n)
{
	*n = -1;
	if (st->count.kind == V_NONE)
		return 0;
	int rc = 0;
	if (st->count.kind == V_INT)
		*n = st->count.i;
	else
		rc = scn_expr_eval(st->count.e, w->vars, n);
	if (rc)
		return program_error(w, st, "repeat: cannot be worked out: %s",
				     scn_expr_strerror(rc));
	if (*n < 0)
		return program_error(w, st, "repeat: %" PRId64 " is below 0: a loop runs 0 times "
				     "or more", *n);
	return 0;
}

static int run_program(struct scn_worker *w)
{
	const struct scn_actor *a = w->actor;
	struct frame stack[16];
	int sp = 0;

	for (size_t pc = 0; pc < a->nprog;) {
		const struct scn_step *st = &a->prog[pc];
		struct frame *f;

		/* An actor that could not become its user: only meets the others at barriers. */
		if (w->skip && (st->code == SC_OP || st->code == SC_SLEEP)) {
			pc++;
			continue;
		}
		switch (st->code) {
		case SC_OP:
			exec_op(w, st, (int)pc);
			pc++;
			/*
			 * Its failure ends the innermost until: loop: the rest of the
			 * body, and the loops inside it, are left for its SC_NEXT.
			 */
			if (w->until_hit) {
				while (sp > 1 && !stack[sp - 1].until) {
					sp--;
					w->sched = 0;
				}
				if (sp)
					pc = stack[sp - 1].next;
			}
			break;
		case SC_LOOP: {
			int64_t n;
			int rc = loop_count(w, st, &n);
			if (rc)
				return rc;
			if (n == 0 || sp == (int)ARRAY_SIZE(stack) || (w->skip && n < 0)) {
				pc = (size_t)st->jump + 1;
				break;
			}
			f = &stack[sp++];
			f->n = n;
			f->i = 0;
			f->start = (st->duration_ns || st->period_ns) ? xport_now() : 0;
			f->end = st->duration_ns ? f->start +
				 (uint64_t)((double)st->duration_ns * w->slow) : 0;
			f->period = (uint64_t)((double)st->period_ns * w->slow);
			f->next = (size_t)st->jump;
			f->outer_until = w->until;
			f->until = st->until;
			if (st->until) {
				w->until = st->until;
				w->until_hit = false;
			}
			w->vars[VAR_I] = 0;
			if (f->period)
				w->sched = f->start;
			pc++;
			break;
		}
		case SC_NEXT:
			f = &stack[sp - 1];
			f->i++;
			bool hit = f->until && w->until_hit;
			if (hit || (f->n >= 0 && f->i >= (uint64_t)f->n) ||
			    (f->end && xport_now() >= f->end)) {
				if (f->until && !hit)
					until_missed(w, f);
				if (f->until) {
					w->until = f->outer_until;
					w->until_hit = false;
				}
				sp--;
				w->vars[VAR_I] = sp ? (int64_t)stack[sp - 1].i : 0;
				w->sched = 0;
				pc++;
				break;
			}
			w->vars[VAR_I] = (int64_t)f->i;
			if (f->period) {
				/* Open loop: each iteration at its time, late or not. */
				uint64_t when = f->start + f->i * f->period;
				if (f->end && when >= f->end) {
					if (f->until) {
						until_missed(w, f);
						w->until = f->outer_until;
						w->until_hit = false;
					}
					sp--;
					w->vars[VAR_I] = sp ? (int64_t)stack[sp - 1].i : 0;
					pc++;
					break;
				}
				if (xport_now() < when)
					pause_until(w, when);
				w->sched = when;
			}
			pc = (size_t)st->jump + 1;
			break;
		case SC_SLEEP:
			pause_until(w, xport_now() + (uint64_t)((double)st->sleep_ns * w->slow));
			pc++;
			break;
		case SC_BARRIER:
			barrier(w, st, (int)pc);
			pc++;
			break;
		case SC_END:
			return 0;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- start */

/* Expands once what only this worker's constants change, wherever it is. */
static int cache_one(struct scn_worker *w, const struct scn_tmpl *t)
{
	if (!t || t->id < 0 || w->cache[t->id])
		return 0;
	char buf[TEXT_BUF];
	ssize_t n = scn_tmpl_expand(t, w->vars, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	w->cache[t->id] = strndup(buf, (size_t)n);
	w->cachelen[t->id] = (size_t)n;
	return w->cache[t->id] ? 0 : -ENOMEM;
}

static int cache_templates(struct scn_worker *w)
{
	const struct scn_actor *a = w->actor;
	int rc = 0;

	for (size_t pc = 0; pc < a->nprog && !rc; pc++) {
		const struct scn_step *st = &a->prog[pc];
		rc = cache_one(w, st->objt);
		for (int s = 0; s < A_COUNT_SLOTS && !rc; s++)
			if (st->arg[s].kind == V_TEXT)
				rc = cache_one(w, st->arg[s].t);
		if (!rc)
			rc = cache_one(w, st->expect.data);
	}
	return rc;
}

static void fail_start(struct scn_worker *w, const char *what, int err)
{
	struct scn_shm *hdr = w->run->hdr;

	if (atomic_fetch_add(&hdr->failed, 1) == 0)
		snprintf(hdr->why, sizeof(hdr->why), "%s.%d: %s: %s", w->actor->name, w->index,
			 what, ipk_strerror(err));
}

/* What a worker allocated: the process ends next, but valgrind should see it go. */
static int worker_end(struct scn_worker *w, int rc)
{
	for (int i = 0; w->cache && i < w->s->ntmpl; i++)
		free(w->cache[i]);
	free(w->cache);
	free(w->cachelen);
	free(w->h);
	free(w->tx);
	free(w->rx);
	free(w->tb);
	return rc;
}

int scn_worker_main(struct scn_run *r, const struct scn_actor *a, int index, int thread)
{
	const struct ipk_scenario *s = r->s;
	struct scn_worker w = {
		.run = r, .s = s, .actor = a, .index = index, .thread = thread,
		.id = a->first_worker + index * a->threads + thread,
		.slow = r->opt.slow,
	};
	int rc = 0;

	w.slot = &r->slots[w.id];
	w.last_key = -1;
	w.skip = atomic_load(&r->slots[a->first_worker + index * a->threads].skipped) != 0;
	w.vars[VAR_INDEX] = index;
	w.vars[VAR_THREAD] = thread;
	w.vars[VAR_PID] = getpid();
	w.h = calloc(s->nobjs ? s->nobjs : 1, sizeof(*w.h));
	w.cache = calloc(s->ntmpl ? (size_t)s->ntmpl : 1, sizeof(*w.cache));
	w.cachelen = calloc(s->ntmpl ? (size_t)s->ntmpl : 1, sizeof(*w.cachelen));
	w.txcap = a->max_tx > 256 ? a->max_tx + 1 : 257;
	w.rxcap = (a->max_rx > 65536 ? a->max_rx : 65536) + 1;
	w.tbcap = TEXT_BUF;
	w.tx = malloc(w.txcap);
	w.rx = malloc(w.rxcap);
	w.tb = malloc(w.tbcap);
	if (!w.h || !w.cache || !w.cachelen || !w.tx || !w.rx || !w.tb) {
		fail_start(&w, "start", ENOMEM);
		return worker_end(&w, -ENOMEM);
	}
	for (size_t i = 0; i < s->nobjs && !rc; i++) {
		const struct scn_obj *o = &s->objs[i];
		struct scn_handle *h = &w.h[i];
		h->fd = h->fd2 = h->nb = -1;
		h->id = o->id;
		h->end = a->end[i];
		if (o->type->handle && (rc = o->type->handle(&w, o, h)))
			fail_start(&w, o->name, -rc);
	}
	if (!rc && (rc = cache_templates(&w)))
		fail_start(&w, "templates", -rc);
	if (rc)
		return worker_end(&w, rc);

	atomic_store(&w.slot->pid, (int32_t)getpid());
	atomic_store(&w.slot->state, W_READY);
	atomic_fetch_add(&r->hdr->ready, 1);
	while (atomic_load(&r->hdr->go) == 0)
		futex(&r->hdr->go, FUTEX_WAIT, 0);
	if (atomic_load(&r->hdr->go) != 1)
		return worker_end(&w, -ECANCELED);
	atomic_store(&w.slot->state, W_RUNNING);
	rc = run_program(&w);
	atomic_store(&w.slot->state, W_DONE);
	return worker_end(&w, rc);
}
