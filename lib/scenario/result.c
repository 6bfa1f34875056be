/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a run did: the statistics of every worker put together per actor,
 * operation and object; the expectations checked against them and against
 * the objects' records (read through the library, as ipc-ls reads them);
 * the blocked list; JSON; and what a conformance run says of its primitive.
 */
#include "scn.h"
#include "../bench/bench.h"

#include <ctype.h>
#include <gnu/libc-version.h>
#include <inttypes.h>
#include <math.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/utsname.h>
#include <unistd.h>

/* One row of results with what the public struct does not show. */
struct row {
	struct ipk_scenario_op op;
	int actor, key, obj;
	struct ipk_hist *h;
	uint64_t first, last, mismatches;
	int fail_step, fail_err;
	char observed[112];
	char first_error[200];
};

struct expect_row {
	struct ipk_scenario_expect e;
	char observed[200];
	char json[200];		/* observed as JSON */
	int line;
};

struct blocked_row {
	struct ipk_scenario_blocked b;
	char object[96];
};

struct ipk_scenario_result {
	struct ipk_scenario *s;		/* NULL: the file did not load */
	const char *name, *file;	/* the scenario's, or the unloaded file's own copies */
	char *own_name, *own_file;
	enum ipk_scenario_outcome outcome;
	char reason[512];
	double duration;
	struct row *rows;
	size_t nrows;
	struct expect_row *expects;
	size_t nexpects;
	struct blocked_row *blocked;
	size_t nblocked;
	char **notes;
	size_t nnotes;
	char **kept;
	size_t nkept;
	struct ipk_buf objects;		/* JSON array */
};

struct ipk_scenario_result *scn_result_new(struct ipk_scenario *s)
{
	struct ipk_scenario_result *r = calloc(1, sizeof(*r));

	if (r) {
		r->s = s;
		r->name = s->name;
		r->file = s->file;
	}
	return r;
}

struct ipk_scenario_result *ipk_scenario_result_unloaded(const char *path,
							 const struct ipk_scenario_diags *d)
{
	struct ipk_scenario_result *r = calloc(1, sizeof(*r));
	char *description = NULL;

	if (!r)
		return NULL;
	/* The name it gives, when it gets that far. */
	if (ipk_scenario_peek(path, &r->own_name, &description) == 0)
		free(description);
	else
		r->own_name = scn_file_stem(path);
	r->own_file = strdup(path);
	if (!r->own_name || !r->own_file) {
		ipk_scenario_result_free(r);
		return NULL;
	}
	r->name = r->own_name;
	r->file = r->own_file;
	size_t n = ipk_scenario_diag_count(d);
	if (n > 1)
		scn_result_set(r, IPK_SCENARIO_INVALID, "%s (and %zu more)",
			       ipk_scenario_diag_text(d, 0), n - 1);
	else
		scn_result_set(r, IPK_SCENARIO_INVALID, "%s",
			       n ? ipk_scenario_diag_text(d, 0) : "it cannot be loaded");
	return r;
}

void scn_result_set(struct ipk_scenario_result *res, enum ipk_scenario_outcome o,
		    const char *fmt, ...)
{
	va_list ap;

	/* The first thing that went wrong says why; what follows from it does not. */
	if (res->outcome != IPK_SCENARIO_PASS)
		return;
	res->outcome = o;
	va_start(ap, fmt);
	vsnprintf(res->reason, sizeof(res->reason), fmt, ap);
	va_end(ap);
}

static int add_string(char ***v, size_t *n, const char *s)
{
	char **p = realloc(*v, (*n + 1) * sizeof(*p));

	if (!p)
		return -ENOMEM;
	*v = p;
	p[*n] = strdup(s);
	if (!p[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

int scn_result_note(struct ipk_scenario_result *res, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return add_string(&res->notes, &res->nnotes, text);
}

int scn_result_keep(struct ipk_scenario_result *res, const char *ref)
{
	return add_string(&res->kept, &res->nkept, ref);
}

void scn_result_duration(struct ipk_scenario_result *res, double s)
{
	res->duration = s;
}

/* ------------------------------------------------------------ statistics */

static const char *key_object(const struct ipk_scenario *s, const struct scn_skey *k)
{
	if (strcmp(k->op, "signal") == 0)
		return k->obj >= 0 && (size_t)k->obj < s->nactors ? s->actors[k->obj].name : "";
	return k->obj >= 0 && (size_t)k->obj < s->nobjs ? s->objs[k->obj].name : "";
}

static void summarise(struct ipk_scenario_latency *l, const struct ipk_hist *h)
{
	l->min = ipk_hist_min(h);
	l->max = ipk_hist_max(h);
	l->mean = ipk_hist_mean(h);
	l->p50 = ipk_hist_quantile(h, 0.50);
	l->p90 = ipk_hist_quantile(h, 0.90);
	l->p99 = ipk_hist_quantile(h, 0.99);
	l->p999 = ipk_hist_quantile(h, 0.999);
}

static double rate_of(uint64_t count, uint64_t first, uint64_t last)
{
	return count > 1 && last > first ? (double)count / ((double)(last - first) / 1e9) : 0;
}

/* "consumer: recv from queue (line 12)" */
static void step_text(const struct ipk_scenario *s, int actor, int step, char *buf, size_t size)
{
	const struct scn_actor *a = &s->actors[actor];
	const struct scn_step *st = step >= 0 && (size_t)step < a->nprog ? &a->prog[step] : NULL;

	if (!st) {
		snprintf(buf, size, "%s", a->name);
		return;
	}
	snprintf(buf, size, "%s: %s%s%s%s (line %d)", a->name, st->label ? st->label : "",
		 st->label ? " (" : "", st->desc ? st->desc : "?", st->label ? ")" : "", st->line);
}

int scn_result_collect(struct ipk_scenario_result *res, struct scn_run *r)
{
	const struct ipk_scenario *s = r->s;
	size_t total = 0;

	for (size_t ai = 0; ai < s->nactors; ai++)
		total += s->actors[ai].nkeys;
	res->rows = calloc(total ? total : 1, sizeof(*res->rows));
	if (!res->rows)
		return -ENOMEM;
	for (size_t ai = 0; ai < s->nactors; ai++) {
		const struct scn_actor *a = &s->actors[ai];
		for (size_t k = 0; k < a->nkeys; k++) {
			struct row *row = &res->rows[res->nrows];
			bool fixed = false;
			for (size_t pc = 0; pc < a->nprog && !fixed; pc++)
				fixed = a->prog[pc].code == SC_OP && a->prog[pc].stat == (int)k;
			row->h = ipk_hist_new();
			if (!row->h)
				return -ENOMEM;
			row->actor = (int)ai;
			row->key = (int)k;
			row->obj = a->keys[k].obj;
			row->fail_step = -1;
			row->first = UINT64_MAX;
			size_t nw = (size_t)a->processes * (size_t)a->threads;
			for (size_t w = 0; w < nw; w++) {
				struct scn_stat *st = scn_stat_at(r, a->first_worker + (int)w, (int)k);
				if (!st->count && !st->errors)
					continue;
				bench_hist_merge(row->h, scn_stat_hist(st));
				row->op.count += st->count;
				row->op.errors += st->errors;
				row->mismatches += st->mismatches;
				if (st->first < row->first)
					row->first = st->first;
				if (st->last > row->last)
					row->last = st->last;
				if (st->fail_step >= 0 && (row->fail_step < 0 || st->fail_step < row->fail_step)) {
					row->fail_step = st->fail_step;
					row->fail_err = st->fail_err;
					memcpy(row->observed, st->observed, sizeof(row->observed));
				}
			}
			if (!fixed && !row->op.count && !row->op.errors) {
				ipk_hist_free(row->h);
				row->h = NULL;
				continue;
			}
			row->op.actor = a->name;
			row->op.op = a->keys[k].op;
			row->op.object = key_object(s, &a->keys[k]);
			row->op.rate = rate_of(row->op.count, row->first, row->last);
			summarise(&row->op.latency, row->h);
			if (row->fail_step >= 0) {
				const struct scn_step *st = &a->prog[row->fail_step];
				if (row->fail_err == 0)
					snprintf(row->first_error, sizeof(row->first_error),
						 "expected %s, got %s", st->expect.text ? st->expect.text
						 : "the pattern size: sends", row->observed);
				else
					snprintf(row->first_error, sizeof(row->first_error), "%s",
						 row->observed);
				row->op.first_error = row->first_error;
			}
			res->nrows++;
		}
	}
	/* A step's expect: that did not hold fails the run, as an expect: line does. */
	for (size_t i = 0; i < res->nrows; i++) {
		const struct row *row = &res->rows[i];
		if (row->mismatches && row->fail_step >= 0) {
			char where[200];
			step_text(s, row->actor, row->fail_step, where, sizeof(where));
			if (row->fail_err == 0)
				scn_result_set(res, IPK_SCENARIO_FAIL, "%s: %s", where, row->first_error);
			else
				scn_result_set(res, IPK_SCENARIO_FAIL, "%s: expected %s, got %s", where,
					       s->actors[row->actor].prog[row->fail_step].expect.text ?
					       s->actors[row->actor].prog[row->fail_step].expect.text :
					       "success", row->observed);
			break;
		}
	}
	return 0;
}

int scn_result_blocked(struct ipk_scenario_result *res, struct scn_run *r, uint64_t now)
{
	const struct ipk_scenario *s = r->s;

	for (size_t ai = 0; ai < s->nactors; ai++) {
		const struct scn_actor *a = &s->actors[ai];
		size_t nw = (size_t)a->processes * (size_t)a->threads;
		for (size_t w = 0; w < nw; w++) {
			struct scn_wslot *slot = &r->slots[a->first_worker + (int)w];
			if (atomic_load(&slot->state) != W_BLOCKED)
				continue;
			uint32_t step = atomic_load(&slot->step);
			if (!step || step > a->nprog)
				continue;
			const struct scn_step *st = &a->prog[step - 1];
			struct blocked_row *b = realloc(res->blocked, (res->nblocked + 1) * sizeof(*b));
			if (!b)
				return -ENOMEM;
			res->blocked = b;
			b = &b[res->nblocked++];
			memset(b, 0, sizeof(*b));
			int obj = atomic_load(&slot->obj);
			uint64_t since = atomic_load(&slot->since);
			if (st->code == SC_BARRIER)
				snprintf(b->object, sizeof(b->object), "%s", s->barriers[st->barrier]);
			else if (st->op == scn_op_find(&scn_type_process, "signal"))
				snprintf(b->object, sizeof(b->object), "%s",
					 st->arg[A_TARGET].kind == V_OBJS ?
					 s->actors[st->arg[A_TARGET].objs[0]].name : st->arg[A_TARGET].t->src);
			else
				snprintf(b->object, sizeof(b->object), "%s",
					 obj >= 0 && (size_t)obj < s->nobjs ? s->objs[obj].name : "?");
			b->b = (struct ipk_scenario_blocked){
				.actor = a->name, .index = (int)(w / (size_t)a->threads),
				.thread = (int)(w % (size_t)a->threads), .pid = atomic_load(&slot->pid),
				.op = st->code == SC_BARRIER ? "barrier" : st->op->name,
				.sem = atomic_load(&slot->sem),
				.since_s = now > since ? (double)(now - since) / 1e9 : 0,
			};
		}
	}
	/* The blocked row points at its own text: fix the pointers now the array is final. */
	for (size_t i = 0; i < res->nblocked; i++)
		res->blocked[i].b.object = res->blocked[i].object;
	return 0;
}

/* ---------------------------------------------------------- expectations */

static bool compare(double a, enum scn_cmp c, double b)
{
	switch (c) {
	case CMP_EQ: return a == b;
	case CMP_NE: return a != b;
	case CMP_LT: return a < b;
	case CMP_LE: return a <= b;
	case CMP_GT: return a > b;
	case CMP_GE: return a >= b;
	}
	return false;
}

/* Three significant digits and a unit: 312ns, 7.24us, 72.1us, 1.35ms. */
static void fmt_ns(double ns, char *buf, size_t n)
{
	struct ipk_buf b = { 0 };

	snprintf(buf, n, "%s", ipk_format_ns(ns, &b) == 0 && b.s ? b.s : "?");
	ipk_buf_free(&b);
}

static void eval_stat(struct ipk_scenario_result *res, const struct scn_expect *x,
		      struct expect_row *er)
{
	struct ipk_hist *h = ipk_hist_new();
	uint64_t count = 0, errors = 0, first = UINT64_MAX, last = 0;

	for (size_t i = 0; i < res->nrows; i++) {
		const struct row *row = &res->rows[i];
		if ((x->actor >= 0 && row->actor != x->actor) || strcmp(row->op.op, x->op) != 0 ||
		    (x->obj >= 0 && row->obj != x->obj))
			continue;
		if (h)
			bench_hist_merge(h, row->h);
		count += row->op.count;
		errors += row->op.errors;
		if (row->first < first)
			first = row->first;
		if (row->last > last)
			last = row->last;
	}
	double v = 0;
	bool latency = false;
	switch (x->stat) {
	case ST_COUNT: v = (double)count; break;
	case ST_ERRORS: v = (double)errors; break;
	case ST_RATE: v = rate_of(count, first, last); break;
	case ST_MEAN: v = h ? ipk_hist_mean(h) : 0; latency = true; break;
	case ST_MIN: v = h ? (double)ipk_hist_min(h) : 0; latency = true; break;
	case ST_P50: v = h ? (double)ipk_hist_quantile(h, 0.50) : 0; latency = true; break;
	case ST_P90: v = h ? (double)ipk_hist_quantile(h, 0.90) : 0; latency = true; break;
	case ST_P99: v = h ? (double)ipk_hist_quantile(h, 0.99) : 0; latency = true; break;
	case ST_P999: v = h ? (double)ipk_hist_quantile(h, 0.999) : 0; latency = true; break;
	case ST_MAX: v = h ? (double)ipk_hist_max(h) : 0; latency = true; break;
	}
	ipk_hist_free(h);
	if (latency && !count) {
		er->e.pass = false;
		snprintf(er->observed, sizeof(er->observed), "none (no operation succeeded)");
		snprintf(er->json, sizeof(er->json), "null");
		return;
	}
	er->e.pass = compare(v, x->cmp, x->num);
	if (latency)
		fmt_ns(v, er->observed, sizeof(er->observed));
	else if (x->stat == ST_RATE)
		snprintf(er->observed, sizeof(er->observed), "%.1f/s", v);
	else
		snprintf(er->observed, sizeof(er->observed), "%.0f", v);
	snprintf(er->json, sizeof(er->json), x->stat == ST_RATE ? "%.3f" : "%.0f", v);
}

/* Whether @word is one of the words of @text ("dest,orphan"). */
static bool has_word(const char *text, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = text; (p = strstr(p, word)); p += n)
		if ((p == text || !isalnum((unsigned char)p[-1])) && !isalnum((unsigned char)p[n]))
			return true;
	return false;
}

static void eval_field(struct ipk_scenario_result *res, struct ipk_ctx *ctx,
		       const struct scn_expect *x, struct expect_row *er)
{
	const struct scn_obj *o = &res->s->objs[x->obj];
	struct ipk_object *obj = NULL;
	int rc = o->ref ? ipk_lookup(ctx, o->ref, &obj) : -ENOENT;

	er->e.pass = false;
	if (x->field == FIELD_EXISTS) {
		bool there = o->type == &scn_type_psem_unnamed ? o->mem != NULL : rc == 0 && obj;
		er->e.pass = compare(there, x->cmp, x->num);
		snprintf(er->observed, sizeof(er->observed), "%s", there ? "true" : "false");
		snprintf(er->json, sizeof(er->json), "%s", there ? "true" : "false");
		ipk_object_free(obj);
		return;
	}
	if (o->type == &scn_type_psem_unnamed) {
		int v = 0;
		if (!o->mem || sem_getvalue(o->mem, &v)) {
			snprintf(er->observed, sizeof(er->observed), "absent");
			snprintf(er->json, sizeof(er->json), "null");
			return;
		}
		er->e.pass = x->rhs == RHS_NUM && compare(v, x->cmp, x->num);
		snprintf(er->observed, sizeof(er->observed), "%d", v);
		snprintf(er->json, sizeof(er->json), "%d", v);
		return;
	}
	if (rc || !obj) {
		snprintf(er->observed, sizeof(er->observed), "absent (%s is gone)",
			 o->ref ? o->ref : o->name);
		snprintf(er->json, sizeof(er->json), "null");
		return;
	}
	struct ipk_value v;
	ipk_object_get(obj, x->field, &v);
	if (v.presence != IPK_PRESENT) {
		snprintf(er->observed, sizeof(er->observed), "%s",
			 v.presence == IPK_NOACCESS ? "no access" : "absent");
		snprintf(er->json, sizeof(er->json), "null");
		ipk_object_free(obj);
		return;
	}
	struct ipk_format fmt = { .exact_bytes = true, .numeric_perms = true,
				  .time = IPK_TIME_EPOCH };
	struct ipk_buf text = { 0 }, json = { 0 };
	ipk_value_text(ctx, &v, &fmt, &text);
	ipk_field_json(ctx, obj, x->field, &json);
	snprintf(er->observed, sizeof(er->observed), "%s", text.s ? text.s : "");
	snprintf(er->json, sizeof(er->json), "%s", json.s ? json.s : "null");

	bool list = v.type == IPK_T_NUMBERS || (v.type == IPK_T_VALUE && v.is_list);
	if (list && x->elem >= 0) {
		if ((size_t)x->elem < v.list.n && x->rhs == RHS_NUM) {
			double e = (double)v.list.v[x->elem];
			er->e.pass = compare(e, x->cmp, x->num);
			snprintf(er->observed, sizeof(er->observed), "%" PRId64, v.list.v[x->elem]);
			snprintf(er->json, sizeof(er->json), "%" PRId64, v.list.v[x->elem]);
		} else if ((size_t)x->elem >= v.list.n) {
			snprintf(er->observed, sizeof(er->observed), "absent (%zu elements)", v.list.n);
			snprintf(er->json, sizeof(er->json), "null");
		}
	} else if (list) {
		bool same = x->rhs == RHS_LIST && x->nlist == v.list.n;
		for (size_t i = 0; same && i < v.list.n; i++)
			same = v.list.v[i] == x->list[i];
		if (x->rhs == RHS_LIST)
			er->e.pass = x->cmp == CMP_EQ ? same : !same;
		snprintf(er->observed, sizeof(er->observed), "%s", json.s ? json.s : "[]");
	} else if (x->rhs == RHS_NUM) {
		double n = 0;
		bool num = true;
		switch (v.type) {
		case IPK_T_NUMBER:
		case IPK_T_KEY:
		case IPK_T_TIME:
		case IPK_T_VALUE:
		case IPK_T_SECONDS:
			n = v.is_unsigned ? (double)v.u : (double)v.i;
			break;
		case IPK_T_BYTES:
		case IPK_T_PERMS:
		case IPK_T_USER:
		case IPK_T_GROUP:
			n = (double)v.u;
			break;
		case IPK_T_HOLDERS:
			n = (double)v.holders.n;
			break;
		default:
			num = false;
		}
		er->e.pass = num && compare(n, x->cmp, x->num);
	} else if (x->rhs == RHS_TEXT) {
		const char *t = text.s ? text.s : "";
		bool same = v.type == IPK_T_STATUS || v.type == IPK_T_STRINGS ? has_word(t, x->str)
									    : strcmp(t, x->str) == 0;
		er->e.pass = x->cmp == CMP_EQ ? same : !same;
	}
	ipk_buf_free(&text);
	ipk_buf_free(&json);
	ipk_object_free(obj);
}

int scn_result_expect(struct ipk_scenario_result *res, struct ipk_ctx *ctx)
{
	const struct ipk_scenario *s = res->s;

	res->expects = calloc(s->nexpects ? s->nexpects : 1, sizeof(*res->expects));
	if (!res->expects)
		return -ENOMEM;
	for (size_t i = 0; i < s->nexpects; i++) {
		const struct scn_expect *x = &s->expects[i];
		struct expect_row *er = &res->expects[res->nexpects++];
		er->e.expr = x->text;
		er->line = x->line;
		if (x->on_object)
			eval_field(res, ctx, x, er);
		else
			eval_stat(res, x, er);
		er->e.observed = er->observed;
		if (!er->e.pass)
			scn_result_set(res, IPK_SCENARIO_FAIL, "expectation failed: %s (observed %s)",
				       x->text, er->observed);
	}
	/* An operation the system lacks, where nothing expected its failure: not here. */
	if (res->outcome == IPK_SCENARIO_PASS) {
		for (size_t i = 0; i < res->nrows; i++) {
			const struct row *row = &res->rows[i];
			int err = row->fail_err;
			if (row->fail_step >= 0 && (err == ENOSYS || err == EOPNOTSUPP ||
						    err == EAFNOSUPPORT)) {
				scn_result_set(res, IPK_SCENARIO_UNSUPPORTED, "%s: %s on %s: %s",
					       row->op.actor, row->op.op, row->op.object, ipk_strerror(err));
				break;
			}
		}
	}
	return 0;
}

int scn_result_objects(struct ipk_scenario_result *res, struct ipk_ctx *ctx)
{
	const struct ipk_scenario *s = res->s;
	struct ipk_buf *b = &res->objects;
	int rc = ipk_buf_puts(b, "[");

	for (size_t i = 0; i < s->nobjs && !rc; i++) {
		const struct scn_obj *o = &s->objs[i];
		struct ipk_object *obj = NULL;
		if (i)
			rc = ipk_buf_puts(b, ", ");
		if (!rc)
			rc = ipk_buf_printf(b, "{\"object\": \"%s\", \"scenario_kind\": \"%s\"", o->name,
					    o->type->name);
		if (rc)
			break;
		if (o->type == &scn_type_psem_unnamed) {
			int v = 0;
			rc = ipk_buf_printf(b, ", \"kind\": null, \"value\": ");
			if (!rc)
				rc = o->mem && !sem_getvalue(o->mem, &v) ? ipk_buf_printf(b, "%d}", v)
									 : ipk_buf_puts(b, "null}");
			continue;
		}
		if (!o->ref || ipk_lookup(ctx, o->ref, &obj) || !obj) {
			rc = ipk_buf_puts(b, ", \"ref\": ");
			if (!rc)
				rc = o->ref ? ipk_buf_json_ref(b, o->ref) : ipk_buf_puts(b, "null");
			if (!rc)
				rc = ipk_buf_puts(b, ", \"exists\": false}");
			continue;
		}
		struct ipk_buf rec = { 0 };
		rc = ipk_object_json(ctx, obj, NULL, 0, &rec);
		/* The record, with the object's local name first. */
		if (!rc && rec.s && rec.s[0] == '{')
			rc = ipk_buf_printf(b, "%s%s", rec.s[1] == '}' ? "" : ", ", rec.s + 1);
		else if (!rc)
			rc = ipk_buf_puts(b, "}");
		ipk_buf_free(&rec);
		ipk_object_free(obj);
	}
	if (!rc)
		rc = ipk_buf_puts(b, "]");
	ipk_ctx_clear_diags(ctx);
	return rc;
}

/* ------------------------------------------------------------- accessors */

enum ipk_scenario_outcome ipk_scenario_result_outcome(const struct ipk_scenario_result *r)
{
	return r->outcome;
}

const char *ipk_scenario_result_reason(const struct ipk_scenario_result *r)
{
	return r->reason;
}

double ipk_scenario_result_duration(const struct ipk_scenario_result *r)
{
	return r->duration;
}

size_t ipk_scenario_result_op_count(const struct ipk_scenario_result *r)
{
	return r->nrows;
}

const struct ipk_scenario_op *ipk_scenario_result_op(const struct ipk_scenario_result *r, size_t i)
{
	return i < r->nrows ? &r->rows[i].op : NULL;
}

size_t ipk_scenario_result_expect_count(const struct ipk_scenario_result *r)
{
	return r->nexpects;
}

const struct ipk_scenario_expect *ipk_scenario_result_expect(const struct ipk_scenario_result *r,
							     size_t i)
{
	return i < r->nexpects ? &r->expects[i].e : NULL;
}

size_t ipk_scenario_result_blocked_count(const struct ipk_scenario_result *r)
{
	return r->nblocked;
}

const struct ipk_scenario_blocked *ipk_scenario_result_blocked(const struct ipk_scenario_result *r,
							       size_t i)
{
	return i < r->nblocked ? &r->blocked[i].b : NULL;
}

int ipk_scenario_blocked_text(const struct ipk_scenario_blocked *b, struct ipk_buf *out)
{
	char thread[32] = "", sem[32] = "";

	if (b->thread)
		snprintf(thread, sizeof(thread), " thread %d", b->thread);
	if (b->sem >= 0)
		snprintf(sem, sizeof(sem), "[%d]", b->sem);
	return ipk_buf_printf(out, "%s.%d%s (pid %d) blocked %.1f s in %s %s%s", b->actor, b->index,
			      thread, (int)b->pid, b->since_s, b->op, b->object, sem);
}

size_t ipk_scenario_result_note_count(const struct ipk_scenario_result *r)
{
	return r->nnotes;
}

const char *ipk_scenario_result_note(const struct ipk_scenario_result *r, size_t i)
{
	return i < r->nnotes ? r->notes[i] : NULL;
}

size_t ipk_scenario_result_kept_count(const struct ipk_scenario_result *r)
{
	return r->nkept;
}

const char *ipk_scenario_result_kept(const struct ipk_scenario_result *r, size_t i)
{
	return i < r->nkept ? r->kept[i] : NULL;
}

void ipk_scenario_result_free(struct ipk_scenario_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nrows; i++)
		ipk_hist_free(r->rows[i].h);
	free(r->rows);
	free(r->expects);
	free(r->blocked);
	for (size_t i = 0; i < r->nnotes; i++)
		free(r->notes[i]);
	free(r->notes);
	for (size_t i = 0; i < r->nkept; i++)
		free(r->kept[i]);
	free(r->kept);
	ipk_buf_free(&r->objects);
	free(r->own_name);
	free(r->own_file);
	free(r);
}

/* ------------------------------------------------------------------ JSON */

static int json_str(struct ipk_buf *b, const char *key, const char *v, bool comma)
{
	int rc = ipk_buf_printf(b, "%s\"%s\": ", comma ? ", " : "", key);

	if (!rc)
		rc = v ? ipk_buf_json_string(b, v) : ipk_buf_puts(b, "null");
	return rc;
}

int ipk_scenario_op_json(const struct ipk_scenario_op *op, struct ipk_buf *out)
{
	const struct ipk_scenario_latency *l = &op->latency;
	int rc = ipk_buf_puts(out, "{");

	if (!rc)
		rc = json_str(out, "actor", op->actor, false);
	if (!rc)
		rc = json_str(out, "op", op->op, true);
	if (!rc)
		rc = json_str(out, "object", op->object, true);
	if (!rc)
		rc = ipk_buf_printf(out, ", \"count\": %" PRIu64 ", \"errors\": %" PRIu64
				    ", \"rate\": %.3f, \"latency_ns\": ", op->count, op->errors, op->rate);
	if (!rc && op->count)
		rc = ipk_buf_printf(out, "{\"min\": %" PRIu64 ", \"mean\": %.1f, \"p50\": %" PRIu64
				    ", \"p90\": %" PRIu64 ", \"p99\": %" PRIu64 ", \"p999\": %" PRIu64
				    ", \"max\": %" PRIu64 "}", l->min, l->mean, l->p50, l->p90, l->p99,
				    l->p999, l->max);
	else if (!rc)
		rc = ipk_buf_puts(out, "null");
	if (!rc)
		rc = json_str(out, "first_error", op->first_error, true);
	if (!rc)
		rc = ipk_buf_puts(out, "}");
	return rc;
}

int ipk_scenario_result_member_json(const struct ipk_scenario_result *r, const char *key,
				    struct ipk_buf *out)
{
	int rc = 0;

	if (!strcmp(key, "scenario"))
		return ipk_buf_json_string(out, r->name);
	if (!strcmp(key, "file"))
		return ipk_buf_json_string(out, r->file);
	if (!strcmp(key, "result"))
		return ipk_buf_json_string(out, ipk_scenario_outcome_name(r->outcome));
	if (!strcmp(key, "reason"))
		return r->reason[0] ? ipk_buf_json_string(out, r->reason) : ipk_buf_puts(out, "null");
	if (!strcmp(key, "duration_s"))
		return ipk_buf_printf(out, "%.6f", r->duration);
	if (!strcmp(key, "objects"))
		return ipk_buf_puts(out, r->objects.s ? r->objects.s : "[]");
	if (!strcmp(key, "ops")) {
		rc = ipk_buf_puts(out, "[");
		for (size_t i = 0; i < r->nrows && !rc; i++) {
			if (i)
				rc = ipk_buf_puts(out, ", ");
			if (!rc)
				rc = ipk_scenario_op_json(&r->rows[i].op, out);
		}
		return rc ? rc : ipk_buf_puts(out, "]");
	}
	if (!strcmp(key, "expect")) {
		rc = ipk_buf_puts(out, "[");
		for (size_t i = 0; i < r->nexpects && !rc; i++) {
			const struct expect_row *e = &r->expects[i];
			rc = ipk_buf_printf(out, "%s{", i ? ", " : "");
			if (!rc)
				rc = json_str(out, "expr", e->e.expr, false);
			if (!rc)
				rc = ipk_buf_printf(out, ", \"result\": \"%s\", \"observed\": %s}",
						    e->e.pass ? "pass" : "fail",
						    e->json[0] ? e->json : "null");
		}
		return rc ? rc : ipk_buf_puts(out, "]");
	}
	if (!strcmp(key, "blocked")) {
		rc = ipk_buf_puts(out, "[");
		for (size_t i = 0; i < r->nblocked && !rc; i++) {
			const struct ipk_scenario_blocked *b = &r->blocked[i].b;
			rc = ipk_buf_printf(out, "%s{", i ? ", " : "");
			if (!rc)
				rc = json_str(out, "actor", b->actor, false);
			if (!rc)
				rc = ipk_buf_printf(out, ", \"index\": %d, \"thread\": %d, \"pid\": %d",
						    b->index, b->thread, (int)b->pid);
			if (!rc)
				rc = json_str(out, "op", b->op, true);
			if (!rc)
				rc = json_str(out, "object", b->object, true);
			if (!rc && b->sem >= 0)
				rc = ipk_buf_printf(out, ", \"sem\": %d", b->sem);
			if (!rc)
				rc = ipk_buf_printf(out, ", \"since_s\": %.3f}", b->since_s);
		}
		return rc ? rc : ipk_buf_puts(out, "]");
	}
	if (!strcmp(key, "notes") || !strcmp(key, "kept")) {
		char **v = key[0] == 'n' ? r->notes : r->kept;
		size_t n = key[0] == 'n' ? r->nnotes : r->nkept;
		rc = ipk_buf_puts(out, "[");
		for (size_t i = 0; i < n && !rc; i++) {
			if (i)
				rc = ipk_buf_puts(out, ", ");
			/* kept REFs as the commands take them back (ipc-rm) */
			if (!rc)
				rc = key[0] == 'k' ? ipk_buf_json_ref(out, v[i])
						   : ipk_buf_json_string(out, v[i]);
		}
		return rc ? rc : ipk_buf_puts(out, "]");
	}
	return -ENOENT;
}

int ipk_scenario_result_json(const struct ipk_scenario_result *r, struct ipk_buf *out)
{
	static const char *const keys[] = {
		"scenario", "file", "result", "reason", "duration_s", "ops", "expect", "blocked",
		"objects", "notes", "kept",
	};
	int rc = ipk_buf_puts(out, "{");

	for (size_t i = 0; i < ARRAY_SIZE(keys) && !rc; i++) {
		rc = ipk_buf_printf(out, "%s\"%s\": ", i ? ", " : "", keys[i]);
		if (!rc)
			rc = ipk_scenario_result_member_json(r, keys[i], out);
	}
	return rc ? rc : ipk_buf_puts(out, "}");
}

/* ------------------------------------------------------------ conformance */

static const char *const primitives[] = {
	"sysv-msg", "sysv-sem", "sysv-shm", "posix-mq", "posix-sem", "posix-sem-unnamed",
	"posix-shm", "fifo", "pipe", "unix-stream", "unix-dgram", "unix-seqpacket", "fd-pass",
	"eventfd", "timerfd", "signalfd", "memfd",
};

size_t ipk_scenario_primitive_count(void)
{
	return ARRAY_SIZE(primitives);
}

const char *ipk_scenario_primitive(size_t i)
{
	return i < ARRAY_SIZE(primitives) ? primitives[i] : NULL;
}

/* A copy cut to the size of its buffer. */
static void put(char *dst, size_t size, const char *s)
{
	snprintf(dst, size, "%.*s", (int)size - 1, s);
}

static bool missing_errno(int err)
{
	return err == ENOSYS || err == EOPNOTSUPP || err == EAFNOSUPPORT ||
	       err == EPROTONOSUPPORT || err == ESOCKTNOSUPPORT;
}

void ipk_scenario_verdict(const struct ipk_scenario_result *r, struct ipk_scenario_verdict *v)
{
	const struct ipk_scenario *s = r->s;

	memset(v, 0, sizeof(*v));
	v->name = r->name;
	v->result = "works";
	/* The first step that went otherwise, in the order of the file. */
	const struct row *first = NULL;
	for (size_t i = 0; i < r->nrows; i++) {
		const struct row *row = &r->rows[i];
		if (row->fail_step < 0)
			continue;
		int line = s->actors[row->actor].prog[row->fail_step].line;
		if (!first || line < s->actors[first->actor].prog[first->fail_step].line)
			first = row;
	}
	/* A works with a note (checks that could not be made) says so. */
	if (r->outcome == IPK_SCENARIO_PASS && r->nnotes)
		put(v->observed, sizeof(v->observed), r->notes[0]);
	switch (r->outcome) {
	case IPK_SCENARIO_UNSUPPORTED:
		v->result = "missing";
		put(v->observed, sizeof(v->observed), r->reason);
		break;
	case IPK_SCENARIO_PASS:
		break;
	default:
		v->result = "deviates";
		put(v->observed, sizeof(v->observed), r->reason);
		break;
	}
	if (first) {
		const struct scn_step *st = &s->actors[first->actor].prog[first->fail_step];
		if (first->fail_err && missing_errno(first->fail_err) && !st->expect.err) {
			v->result = "missing";
		} else {
			v->result = "deviates";
		}
		step_text(s, first->actor, first->fail_step, v->step, sizeof(v->step));
		put(v->expected, sizeof(v->expected),
		    st->expect.text && st->expect.text[0] ? st->expect.text : "success");
		put(v->observed, sizeof(v->observed), first->observed);
		return;
	}
	if (r->outcome == IPK_SCENARIO_FAIL) {
		for (size_t i = 0; i < r->nexpects; i++) {
			const struct expect_row *e = &r->expects[i];
			if (e->e.pass)
				continue;
			snprintf(v->step, sizeof(v->step), "expect (line %d)", e->line);
			put(v->expected, sizeof(v->expected), e->e.expr);
			put(v->observed, sizeof(v->observed), e->observed);
			return;
		}
	}
	if (r->outcome == IPK_SCENARIO_TIMEOUT && r->nblocked) {
		/* The operation that never ended, rather than who waits for it at a barrier. */
		const struct ipk_scenario_blocked *b = &r->blocked[0].b;
		for (size_t i = 0; i < r->nblocked; i++) {
			if (strcmp(r->blocked[i].b.op, "barrier") != 0) {
				b = &r->blocked[i].b;
				break;
			}
		}
		snprintf(v->step, sizeof(v->step), "%s: %s %s", b->actor, b->op, b->object);
		snprintf(v->expected, sizeof(v->expected), "it completes");
		snprintf(v->observed, sizeof(v->observed), "blocked %.1f s", b->since_s);
	}
}

int ipk_scenario_verdict_json(const struct ipk_scenario_verdict *v, struct ipk_buf *out)
{
	int rc = ipk_buf_puts(out, "{");

	if (!rc)
		rc = json_str(out, "name", v->name, false);
	if (!rc)
		rc = json_str(out, "result", v->result, true);
	if (!rc)
		rc = json_str(out, "step", v->step[0] ? v->step : NULL, true);
	if (!rc)
		rc = json_str(out, "expected", v->expected[0] ? v->expected : NULL, true);
	if (!rc)
		rc = json_str(out, "observed", v->observed[0] ? v->observed : NULL, true);
	return rc ? rc : ipk_buf_puts(out, "}");
}

int ipk_scenario_system_json(struct ipk_buf *out)
{
	struct utsname u;
	char seccomp[16] = "unknown", line[256];
	FILE *f = fopen("/proc/self/status", "re");

	if (uname(&u))
		memset(&u, 0, sizeof(u));
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Seccomp: %15s", seccomp) == 1)
			break;
	if (f)
		fclose(f);
	static const char *const modes[] = { "disabled", "strict", "filter" };
	int mode = atoi(seccomp);
	const char *shown = isdigit((unsigned char)seccomp[0]) && mode >= 0 && mode < 3 ? modes[mode]
										       : seccomp;
	int rc = ipk_buf_puts(out, "{");
	if (!rc)
		rc = json_str(out, "kernel", u.release, false);
	if (!rc)
		rc = json_str(out, "machine", u.machine, true);
	if (!rc) {
		char libc[64];
		snprintf(libc, sizeof(libc), "glibc %s", gnu_get_libc_version());
		rc = json_str(out, "libc", libc, true);
	}
	if (!rc)
		rc = json_str(out, "seccomp", shown, true);
	if (!rc)
		rc = ipk_buf_printf(out, ", \"uid\": %u", (unsigned)getuid());
	if (!rc)
		rc = json_str(out, "ipckit", IPCKIT_VERSION, true);
	return rc ? rc : ipk_buf_puts(out, "}");
}
