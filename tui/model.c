/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The model of ipc-top: the columns, what is remembered of each object
 * (when it came, what changed, its queue depth over the last minute,
 * whether it is tagged), and the rows of the table built from the
 * watch's snapshot for the view, the filters, the order and the tree.
 */
#include "top.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

/* --------------------------------------------------------------- columns */

/* The rates, after the library's fields: one row each. */
static const struct column rate_columns[] = {
	{ COL_MSG_RATE, "MSG/S", true, false },
	{ COL_OPS_RATE, "OPS/S", true, false },
	{ COL_HOLD_RATE, "HOLD/S", true, false },
};
#define NRATES (sizeof(rate_columns) / sizeof(rate_columns[0]))

static struct column field_columns[IPK_F_COUNT];

static void columns_init(void)
{
	if (field_columns[0].name)
		return;
	for (int f = 0; f < IPK_F_COUNT; f++) {
		const struct ipk_field_info *fi = ipk_field_info(f);
		field_columns[f] = (struct column){ f, fi->column, (fi->flags & IPK_FIELD_RIGHT) != 0,
						    (fi->flags & IPK_FIELD_WIDE) != 0 };
	}
}

size_t column_count(void)
{
	return IPK_F_COUNT + NRATES;
}

const struct column *column_at(size_t i)
{
	columns_init();
	if (i < IPK_F_COUNT)
		return &field_columns[i];
	return i < column_count() ? &rate_columns[i - IPK_F_COUNT] : NULL;
}

const struct column *column_find(const char *name)
{
	int f = ipk_field_find(name);

	columns_init();
	if (f >= 0 && f < IPK_F_COUNT)
		return &field_columns[f];
	for (size_t i = 0; i < NRATES; i++)
		if (strcasecmp(name, rate_columns[i].name) == 0)
			return &rate_columns[i];
	return NULL;
}

bool columns_parse(const char *spec, const struct column ***out, size_t *n, char *bad,
		   size_t badlen)
{
	const struct column **v = calloc(column_count() * 2 + ls_default_fields_count + 4,
					 sizeof(*v));
	size_t k = 0;

	if (!v)
		return false;
	if (!spec || *spec == '+') {
		for (size_t i = 0; i < ls_default_fields_count; i++)
			v[k++] = column_at((size_t)ls_default_fields[i]);
		v[k++] = column_find("MSG/S");
		v[k++] = column_find("OPS/S");
	}
	char *copy = strdup(spec ? spec + (*spec == '+') : "");
	char *save = NULL;
	bool ok = copy != NULL;
	for (char *w = copy ? strtok_r(copy, ",", &save) : NULL; w && ok; w = strtok_r(NULL, ",", &save)) {
		const struct column *c = column_find(w);
		if (!c) {
			snprintf(bad, badlen, "%s", w);
			ok = false;
			break;
		}
		bool dup = false;
		for (size_t i = 0; i < k; i++)
			dup |= v[i] == c;
		if (!dup && k < column_count())
			v[k++] = c;
	}
	free(copy);
	if (!ok || !k) {
		if (ok)
			snprintf(bad, badlen, "(none)");
		free(v);
		return false;
	}
	free(*out);
	*out = v;
	*n = k;
	return true;
}

/* ---------------------------------------------------------------- tracks */

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211u;
	return h;
}

static int tracks_grow(struct top *t)
{
	size_t cap = t->tracks_cap ? t->tracks_cap * 2 : 1024;
	struct track **v = calloc(cap, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < t->tracks_cap; i++) {
		struct track *tr = t->tracks[i];
		if (!tr)
			continue;
		size_t j = hash(tr->ref) & (cap - 1);
		while (v[j])
			j = (j + 1) & (cap - 1);
		v[j] = tr;
	}
	free(t->tracks);
	t->tracks = v;
	t->tracks_cap = cap;
	return 0;
}

struct track *track_get(struct top *t, const char *ref, bool create)
{
	if (!ref)
		return NULL;
	if (t->tracks_cap) {
		for (size_t j = hash(ref) & (t->tracks_cap - 1); t->tracks[j];
		     j = (j + 1) & (t->tracks_cap - 1))
			if (strcmp(t->tracks[j]->ref, ref) == 0)
				return t->tracks[j];
	}
	if (!create)
		return NULL;
	if ((t->ntracks + 1) * 2 > t->tracks_cap && tracks_grow(t))
		return NULL;
	struct track *tr = calloc(1, sizeof(*tr));
	if (!tr || !(tr->ref = strdup(ref))) {
		free(tr);
		return NULL;
	}
	size_t j = hash(ref) & (t->tracks_cap - 1);
	while (t->tracks[j])
		j = (j + 1) & (t->tracks_cap - 1);
	t->tracks[j] = tr;
	t->ntracks++;
	return tr;
}

/* Drops what is remembered of objects gone, once their highlight is over. */
static void tracks_purge(struct top *t, int64_t now)
{
	struct track **old = t->tracks;
	size_t cap = t->tracks_cap;

	if (!cap)
		return;
	t->tracks = calloc(cap, sizeof(*t->tracks));
	if (!t->tracks) {
		t->tracks = old;
		return;
	}
	t->ntracks = 0;
	for (size_t i = 0; i < cap; i++) {
		struct track *tr = old[i];
		if (!tr)
			continue;
		bool keep = ipk_snapshot_find(t->snap, tr->ref) != NULL ||
			    now - tr->changed_at < HIGHLIGHT_NS;
		if (!keep) {
			free(tr->ref);
			free(tr);
			continue;
		}
		size_t j = hash(tr->ref) & (cap - 1);
		while (t->tracks[j])
			j = (j + 1) & (cap - 1);
		t->tracks[j] = tr;
		t->ntracks++;
	}
	free(old);
}

/* ---------------------------------------------------------------- events */

static int ghost_add(struct top *t, const struct ipk_object *o)
{
	if (t->nghosts_next == t->ghosts_next_cap) {
		size_t cap = t->ghosts_next_cap ? t->ghosts_next_cap * 2 : 64;
		struct ipk_object **v = realloc(t->ghosts_next, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		t->ghosts_next = v;
		t->ghosts_next_cap = cap;
	}
	struct ipk_object *copy = ipk_object_dup(o);
	if (!copy)
		return -ENOMEM;
	t->ghosts_next[t->nghosts_next++] = copy;
	return 0;
}

int on_event(const struct ipk_event *ev, void *arg)
{
	struct top *t = arg;
	int64_t now = now_ns();
	struct track *tr;

	switch (ev->type) {
	case IPK_EVENT_CREATE:
		if ((tr = track_get(t, ipk_object_ref(ev->object), true))) {
			tr->born = now;
			tr->changed = 0;
			tr->ndepth = 0;
		}
		break;
	case IPK_EVENT_CHANGE:
		if ((tr = track_get(t, ipk_object_ref(ev->object), true))) {
			if (now - tr->changed_at >= HIGHLIGHT_NS)
				tr->changed = 0;
			tr->changed |= ev->changed;
			tr->changed_at = now;
		}
		break;
	case IPK_EVENT_REMOVE:
		ghost_add(t, ev->object);
		break;
	}
	return 0;
}

/* The ghosts gathered since the last refresh are shown at this one, then dropped. */
void ghosts_flip(struct top *t)
{
	for (size_t i = 0; i < t->nghosts; i++)
		ipk_object_free(t->ghosts[i]);
	struct ipk_object **v = t->ghosts;
	size_t cap = t->ghosts_cap;
	t->ghosts = t->ghosts_next;
	t->nghosts = t->nghosts_next;
	t->ghosts_cap = t->ghosts_next_cap;
	t->ghosts_next = v;
	t->ghosts_next_cap = cap;
	t->nghosts_next = 0;
}

/* Queue depths, a sample a second; and what is remembered of objects gone, dropped. */
void model_after_refresh(struct top *t)
{
	int64_t now = now_ns();
	size_t n = ipk_snapshot_len(t->snap);

	for (size_t i = 0; i < n; i++) {
		const struct ipk_object *o = ipk_snapshot_at(t->snap, i);
		struct ipk_value v;
		if (!ipk_kind_has_field(ipk_object_kind(o), IPK_F_MESSAGES))
			continue;
		ipk_object_get(o, IPK_F_MESSAGES, &v);
		struct track *tr = track_get(t, ipk_object_ref(o), true);
		if (!tr || v.presence != IPK_PRESENT)
			continue;
		int64_t secs = tr->ndepth ? (now - tr->depth_at) / 1000000000 : 1;
		if (secs <= 0)
			continue;
		if (secs > HISTORY)
			secs = HISTORY;
		for (int64_t s = 0; s < secs; s++) {
			if (tr->ndepth == HISTORY)
				memmove(tr->depth, tr->depth + 1, (HISTORY - 1) * sizeof(tr->depth[0]));
			else
				tr->ndepth++;
			tr->depth[tr->ndepth - 1] = v.u > UINT32_MAX ? UINT32_MAX : (uint32_t)v.u;
		}
		tr->depth_at = tr->ndepth == (unsigned)secs ? now : tr->depth_at + secs * 1000000000;
	}
	if (t->iterations % 16 == 0)
		tracks_purge(t, now);
}

/* ----------------------------------------------------------------- views */

/*
 * View 0 shows every kind the filters admit; view v > 0 the v-th of them
 * alone, so Tab and the digits never land on a kind --kind left out.
 */
const struct ipk_kind *view_kind(const struct top *t, size_t v)
{
	for (size_t i = 0, seen = 0; v && i < ipk_kind_count(); i++) {
		const struct ipk_kind *k = ipk_kind_at(i);
		if (ipk_filter_wants_kind(t->filter, k) && ++seen == v)
			return k;
	}
	return NULL;
}

size_t view_count(const struct top *t)
{
	size_t n = 1;

	for (size_t i = 0; i < ipk_kind_count(); i++)
		n += ipk_filter_wants_kind(t->filter, ipk_kind_at(i));
	return n;
}

const char *view_name(const struct top *t, size_t v)
{
	const struct ipk_kind *k = view_kind(t, v);

	return k ? ipk_kind_name(k) : "all";
}

/* ----------------------------------------------------------------- cells */

void cell_text(struct top *t, const struct ipk_object *o, const struct column *c,
	       struct ipk_buf *out)
{
	const struct ipk_kind *k = ipk_object_kind(o);
	struct ipk_rates r;

	ipk_buf_reset(out);
	if (c->id < IPK_F_COUNT) {
		struct ipk_buf raw = { 0 };
		ipk_field_text(t->ctx, o, c->id, &t->out.fmt, &raw);
		esc_text(raw.s ? raw.s : "", false, out);
		ipk_buf_free(&raw);
		return;
	}
	bool has_rates = ipk_snapshot_rates(t->snap, o, NULL, &r) == 0;
	switch (c->id) {
	case COL_MSG_RATE:
		if (has_rates && ipk_kind_has_field(k, IPK_F_MESSAGES))
			ipk_buf_printf(out, "%.1f/%.1f", r.msgs_in, r.msgs_out);
		break;
	case COL_OPS_RATE:
		if (has_rates && (ipk_kind_has_field(k, IPK_F_SEMNCNT) ||
				  ipk_kind_has_field(k, IPK_F_WAITERS)))
			ipk_buf_printf(out, "%.1f", r.sem_ops);
		break;
	case COL_HOLD_RATE:
		if (has_rates && ipk_kind_has_field(k, IPK_F_HOLDERS))
			ipk_buf_printf(out, "+%.1f-%.1f", r.holders_came, r.holders_went);
		break;
	}
	if (!out->len)
		ipk_buf_puts(out, "-");
}

/* ------------------------------------------------------------- filtering */

static bool contains(const char *hay, const char *needle)
{
	return hay && strcasestr(hay, needle) != NULL;
}

/* The F4 filter and the F3 search: REF, name, owner and holder names. */
bool row_matches_text(struct top *t, const struct ipk_object *o, const char *text)
{
	struct ipk_value v;

	if (!text || !*text)
		return true;
	if (contains(ipk_object_ref(o), text))
		return true;
	ipk_object_get(o, IPK_F_NAME, &v);
	if (v.presence == IPK_PRESENT && contains(v.s, text))
		return true;
	ipk_object_get(o, IPK_F_HOLDERS, &v);
	for (size_t i = 0; v.presence == IPK_PRESENT && i < v.holders.n; i++)
		if (contains(v.holders.v[i].comm, text))
			return true;
	struct ipk_buf b = { 0 };
	bool hit = ipk_field_text(t->ctx, o, IPK_F_OWNER, &t->out.fmt, &b) == 0 && contains(b.s, text);
	ipk_buf_free(&b);
	return hit;
}

static bool visible(struct top *t, const struct ipk_object *o, time_t now)
{
	if (t->view && ipk_object_kind(o) != view_kind(t, t->view))
		return false;
	if (t->keyf && !ipk_filter_match(t->keyf, o, now))
		return false;
	return row_matches_text(t, o, t->filter_find);
}

/* --------------------------------------------------------------- sorting */

static int cmp_value(const struct ipk_value *a, const struct ipk_value *b)
{
	if (a->presence != b->presence)
		return a->presence < b->presence ? -1 : 1;
	if (a->presence != IPK_PRESENT)
		return 0;
	switch (a->type) {
	case IPK_T_STRING:
	case IPK_T_KIND:
		return strcmp(a->s ? a->s : "", b->s ? b->s : "");
	case IPK_T_HOLDERS:
		return (a->holders.n > b->holders.n) - (a->holders.n < b->holders.n);
	case IPK_T_NUMBERS:
	case IPK_T_STRINGS:
		return (a->list.n > b->list.n) - (a->list.n < b->list.n);
	case IPK_T_VALUE:
		if (a->is_list || b->is_list) {
			int64_t x = 0, y = 0;
			for (size_t i = 0; a->is_list && i < a->list.n; i++)
				x += a->list.v[i];
			for (size_t i = 0; b->is_list && i < b->list.n; i++)
				y += b->list.v[i];
			return (x > y) - (x < y);
		}
		break;
	default:
		break;
	}
	if (a->is_unsigned || b->is_unsigned)
		return (a->u > b->u) - (a->u < b->u);
	return (a->i > b->i) - (a->i < b->i);
}

/* ipc-ls's order: kind, namespace, id, name (REF). */
static int cmp_default(const struct ipk_object *a, const struct ipk_object *b)
{
	size_t ka = ipk_kind_index(ipk_object_kind(a)), kb = ipk_kind_index(ipk_object_kind(b));
	struct ipk_value x, y;

	if (ka != kb)
		return ka < kb ? -1 : 1;
	ipk_object_get(a, IPK_F_ID, &x);
	ipk_object_get(b, IPK_F_ID, &y);
	int d = cmp_value(&x, &y);
	return d ? d : strcmp(ipk_object_ref(a), ipk_object_ref(b));
}

static int cmp_rows(const void *pa, const void *pb, void *arg)
{
	const struct row *a = pa, *b = pb;
	struct top *t = arg;
	int d = 0;

	if (t->sort && t->sort->id < IPK_F_COUNT) {
		struct ipk_value x, y;
		ipk_object_get(a->o, t->sort->id, &x);
		ipk_object_get(b->o, t->sort->id, &y);
		d = cmp_value(&x, &y);
	} else if (t->sort) {
		struct ipk_rates x = { 0 }, y = { 0 };
		ipk_snapshot_rates(t->snap, a->o, NULL, &x);
		ipk_snapshot_rates(t->snap, b->o, NULL, &y);
		double p = t->sort->id == COL_MSG_RATE ? x.msgs_in + x.msgs_out :
			   t->sort->id == COL_OPS_RATE ? x.sem_ops : x.holders_came + x.holders_went;
		double q = t->sort->id == COL_MSG_RATE ? y.msgs_in + y.msgs_out :
			   t->sort->id == COL_OPS_RATE ? y.sem_ops : y.holders_came + y.holders_went;
		d = (p > q) - (p < q);
	}
	if (t->sort_inverted)
		d = -d;
	return d ? d : cmp_default(a->o, b->o);
}

/* ------------------------------------------------------------------ rows */

static struct row *row_push(struct top *t)
{
	if (t->nrows == t->rows_cap) {
		size_t cap = t->rows_cap ? t->rows_cap * 2 : 256;
		struct row *v = realloc(t->rows, cap * sizeof(*v));
		if (!v)
			return NULL;
		t->rows = v;
		t->rows_cap = cap;
	}
	struct row *r = &t->rows[t->nrows++];
	memset(r, 0, sizeof(*r));
	return r;
}

static uint32_t uid_of(const struct ipk_object *o, bool *known)
{
	struct ipk_value v;

	ipk_object_get(o, IPK_F_UID, &v);
	*known = v.presence == IPK_PRESENT;
	return *known ? (uint32_t)v.u : 0;
}

/* A tree of kind, owner, object from rows sorted by kind, owner, order. */
static int cmp_kind_owner(const void *pa, const void *pb, void *arg)
{
	const struct row *a = pa, *b = pb;
	size_t ka = ipk_kind_index(ipk_object_kind(a->o)), kb = ipk_kind_index(ipk_object_kind(b->o));
	bool x, y;

	if (ka != kb)
		return ka < kb ? -1 : 1;
	uint32_t ua = uid_of(a->o, &x), ub = uid_of(b->o, &y);
	if (x != y || ua != ub)
		return x != y ? (x ? -1 : 1) : ua < ub ? -1 : 1;
	return cmp_rows(pa, pb, arg);
}

static void tree_kind(struct top *t, struct row *objs, size_t n)
{
	qsort_r(objs, n, sizeof(*objs), cmp_kind_owner, t);
	for (size_t i = 0; i < n;) {
		const struct ipk_kind *k = ipk_object_kind(objs[i].o);
		size_t kend = i;
		while (kend < n && ipk_object_kind(objs[kend].o) == k)
			kend++;
		struct row *g = row_push(t);
		if (!g)
			return;
		g->type = ROW_GROUP;
		g->count = kend - i;
		g->last = kend == n;
		snprintf(g->label, sizeof(g->label), "%s", ipk_kind_name(k));
		for (size_t j = i; j < kend;) {
			bool known, known2;
			uint32_t uid = uid_of(objs[j].o, &known);
			size_t oend = j;
			while (oend < kend && uid_of(objs[oend].o, &known2) == uid && known2 == known)
				oend++;
			struct row *og = row_push(t);
			if (!og)
				return;
			og->type = ROW_GROUP;
			og->depth = 1;
			og->count = oend - j;
			og->last = oend == kend;
			struct ipk_buf b = { 0 };
			ipk_field_text(t->ctx, objs[j].o, IPK_F_OWNER, &t->out.fmt, &b);
			/* as it is: the screen and --batch escape it, once */
			snprintf(og->label, sizeof(og->label), "%s", known && b.s ? b.s : "(no owner)");
			ipk_buf_free(&b);
			for (size_t m = j; m < oend; m++) {
				struct row *r = row_push(t);
				if (!r)
					return;
				*r = objs[m];
				r->depth = 2;
				r->last = m + 1 == oend;
			}
			j = oend;
		}
		i = kend;
	}
}

struct held_by {
	pid_t pid;
	char comm[16];
	struct row r;
};

static int cmp_held(const void *pa, const void *pb, void *arg)
{
	const struct held_by *a = pa, *b = pb;

	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	return cmp_rows(&a->r, &b->r, arg);
}

/* A tree of holder process, objects it holds; objects no process holds last. */
static void tree_holder(struct top *t, struct row *objs, size_t n)
{
	size_t cap = n + 16, m = 0;
	struct held_by *v = malloc(cap * sizeof(*v));

	if (!v)
		return;
	for (size_t i = 0; i < n; i++) {
		struct ipk_value h;
		ipk_object_get(objs[i].o, IPK_F_HOLDERS, &h);
		size_t nh = h.presence == IPK_PRESENT ? h.holders.n : 0;
		for (size_t j = 0; j <= nh; j++) {
			if (j == nh && nh)
				break;
			if (j && j < nh && h.holders.v[j].pid == h.holders.v[j - 1].pid)
				continue;
			if (m == cap) {
				struct held_by *w = realloc(v, (cap *= 2) * sizeof(*v));
				if (!w) {
					free(v);
					return;
				}
				v = w;
			}
			v[m].pid = nh ? h.holders.v[j].pid : INT32_MAX;
			snprintf(v[m].comm, sizeof(v[m].comm), "%s", nh ? h.holders.v[j].comm : "");
			v[m].r = objs[i];
			m++;
		}
	}
	qsort_r(v, m, sizeof(*v), cmp_held, t);
	for (size_t i = 0; i < m;) {
		size_t end = i;
		while (end < m && v[end].pid == v[i].pid)
			end++;
		struct row *g = row_push(t);
		if (!g)
			break;
		g->type = ROW_GROUP;
		g->count = end - i;
		g->last = end == m;
		if (v[i].pid == INT32_MAX) {
			snprintf(g->label, sizeof(g->label), "(held by no process)");
		} else {
			snprintf(g->label, sizeof(g->label), "%s[%d]", v[i].comm, (int)v[i].pid);
		}
		for (size_t j = i; j < end; j++) {
			struct row *r = row_push(t);
			if (!r)
				break;
			*r = v[j].r;
			r->depth = 1;
			r->last = j + 1 == end;
		}
		i = end;
	}
	free(v);
}

void rows_build(struct top *t)
{
	time_t now = time(NULL);
	size_t n = ipk_snapshot_len(t->snap);

	t->nrows = 0;
	memset(t->per_kind, 0, sizeof(t->per_kind));
	t->nobjects = n;
	for (size_t i = 0; i < n; i++) {
		const struct ipk_object *o = ipk_snapshot_at(t->snap, i);
		size_t k = ipk_kind_index(ipk_object_kind(o));
		if (k < sizeof(t->per_kind) / sizeof(t->per_kind[0]))
			t->per_kind[k]++;
		if (!visible(t, o, now))
			continue;
		struct row *r = row_push(t);
		if (!r)
			break;
		r->o = o;
		r->t = t->ntracks ? track_get(t, ipk_object_ref(o), false) : NULL;
	}
	for (size_t i = 0; i < t->nghosts; i++) {
		if (!visible(t, t->ghosts[i], now))
			continue;
		/* removed, and back already under its REF: the new one is shown */
		const struct ipk_object *now_there = ipk_snapshot_find(t->snap, ipk_object_ref(t->ghosts[i]));
		if (now_there && ipk_object_same_identity(t->ghosts[i], now_there))
			continue;
		struct row *r = row_push(t);
		if (!r)
			break;
		r->o = t->ghosts[i];
		r->ghost = true;
		r->t = track_get(t, ipk_object_ref(r->o), false);
	}
	if (t->tree == TREE_NONE) {
		if (t->sort || t->nghosts)
			qsort_r(t->rows, t->nrows, sizeof(*t->rows), cmp_rows, t);
		return;
	}
	/* a tree: the objects are copied out and come back under their headings */
	size_t nobj = t->nrows;
	struct row *objs = malloc((nobj + 1) * sizeof(*objs));
	if (!objs)
		return;
	memcpy(objs, t->rows, nobj * sizeof(*objs));
	t->nrows = 0;
	if (t->tree == TREE_KIND)
		tree_kind(t, objs, nobj);
	else
		tree_holder(t, objs, nobj);
	free(objs);
}

/* ------------------------------------------------------------- selection */

const struct row *row_selected(const struct top *t)
{
	return t->sel < t->nrows ? &t->rows[t->sel] : NULL;
}

static const char *row_key(const struct row *r)
{
	return r->type == ROW_OBJECT ? ipk_object_ref(r->o) : r->label;
}

void select_index(struct top *t, size_t i)
{
	if (!t->nrows) {
		t->sel = 0;
		return;
	}
	t->sel = i < t->nrows ? i : t->nrows - 1;
	free(t->sel_ref);
	t->sel_ref = strdup(row_key(&t->rows[t->sel]));
	t->detail_scroll = 0;
}

void select_ref(struct top *t, const char *ref)
{
	for (size_t i = 0; i < t->nrows; i++)
		if (strcmp(row_key(&t->rows[i]), ref) == 0) {
			select_index(t, i);
			return;
		}
}

/*
 * After the rows were built again: the cursor stays on its object; when
 * that went (a ghost now, or not there at all), on the next one.
 */
void keep_selection(struct top *t)
{
	if (!t->nrows) {
		t->sel = 0;
		return;
	}
	if (t->want_ref) {
		for (size_t i = 0; i < t->nrows; i++)
			if (t->rows[i].type == ROW_OBJECT && !t->rows[i].ghost &&
			    strcmp(ipk_object_ref(t->rows[i].o), t->want_ref) == 0) {
				select_index(t, i);
				free(t->want_ref);
				t->want_ref = NULL;
				return;
			}
		if (now_ns() > t->want_until) {
			free(t->want_ref);
			t->want_ref = NULL;
		}
	}
	if (!t->sel_ref) {
		select_index(t, t->sel);
		return;
	}
	size_t at = t->nrows;
	/* where it was first: most refreshes change nothing */
	if (t->sel < t->nrows && strcmp(row_key(&t->rows[t->sel]), t->sel_ref) == 0)
		at = t->sel;
	for (size_t i = 0; at == t->nrows && i < t->nrows; i++)
		if (strcmp(row_key(&t->rows[i]), t->sel_ref) == 0 && !t->rows[i].ghost)
			at = i;
	for (size_t i = 0; at == t->nrows && i < t->nrows; i++)
		if (strcmp(row_key(&t->rows[i]), t->sel_ref) == 0)
			at = i;
	if (at == t->nrows)
		at = t->sel < t->nrows ? t->sel : t->nrows - 1;
	size_t i = at;
	while (i < t->nrows && t->rows[i].ghost)
		i++;
	if (i == t->nrows) {
		i = at;
		while (i > 0 && t->rows[i].ghost)
			i--;
	}
	t->sel = i;
	if (strcmp(row_key(&t->rows[i]), t->sel_ref) != 0) {
		free(t->sel_ref);
		t->sel_ref = strdup(row_key(&t->rows[i]));
		t->detail_scroll = 0;
	}
}

/* ----------------------------------------------------------- permissions */

bool may_change(const struct top *t, const struct ipk_object *o, const char **why)
{
	static char buf[96];
	struct ipk_value v;

	if (t->readonly) {
		*why = "read-only (--readonly)";
		return false;
	}
	if (!o || geteuid() == 0)
		return true;
	ipk_object_get(o, IPK_F_UID, &v);
	if (v.presence == IPK_PRESENT && v.u != geteuid()) {
		snprintf(buf, sizeof(buf), "not yours (owner uid %llu)", (unsigned long long)v.u);
		*why = buf;
		return false;
	}
	return true;
}

void model_free(struct top *t)
{
	for (size_t i = 0; i < t->tracks_cap; i++)
		if (t->tracks[i]) {
			free(t->tracks[i]->ref);
			free(t->tracks[i]);
		}
	free(t->tracks);
	ghosts_flip(t);
	ghosts_flip(t);
	free(t->ghosts);
	free(t->ghosts_next);
	free(t->rows);
	free(t->sel_ref);
	free(t->want_ref);
}
