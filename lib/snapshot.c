/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Snapshots: records keyed by identity, in two hash tables (by identity,
 * by REF), so that a watch puts what it reads in O(1) and a poll of
 * unchanged objects allocates, sorts and reports nothing.  Diffs of
 * records go field by field through the field table; rates are lazily
 * decayed averages kept per entry.
 */
#include "snapshot/snapshot.h"

#include <stdlib.h>

#define RATE_TAU_NS 5e9		/* the time constant of the smoothed rates */

int64_t snap_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static struct timespec ts_of(int64_t ns)
{
	return (struct timespec){ .tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000 };
}

const char *ipk_event_name(enum ipk_event_type t)
{
	switch (t) {
	case IPK_EVENT_CREATE: return "create";
	case IPK_EVENT_REMOVE: return "remove";
	case IPK_EVENT_CHANGE: return "change";
	}
	return "?";
}

/* ------------------------------------------------------------- identity */

static uint64_t mix(uint64_t h, uint64_t v)
{
	/* splitmix64's finaliser over the running hash */
	h ^= v + UINT64_C(0x9e3779b97f4a7c15) + (h << 6) + (h >> 2);
	h ^= h >> 30;
	h *= UINT64_C(0xbf58476d1ce4e5b9);
	h ^= h >> 27;
	h *= UINT64_C(0x94d049bb133111eb);
	return h ^ (h >> 31);
}

static uint64_t str_hash(const char *s)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
	return h;
}

uint64_t snap_ident_key(const struct ipk_object *o)
{
	uint64_t h = mix(0, ipk_kind_index(o->kind));

	switch (o->kind->identity.by) {
	case IDENT_SYSV:
		return mix(mix(h, o->ns), (uint64_t)o->id);
	case IDENT_FILE:
		return mix(mix(h, o->dev), o->ino);
	case IDENT_REF:
		break;
	}
	return mix(h, str_hash(o->ref));
}

uint64_t snap_ref_key(const char *ref)
{
	return str_hash(ref);
}

/* The same key: what the kind names its objects by. */
static bool ident_eq(const struct ipk_object *a, const struct ipk_object *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind->identity.by) {
	case IDENT_SYSV:
		return a->ns == b->ns && a->id == b->id;
	case IDENT_FILE:
		return a->dev == b->dev && a->ino == b->ino;
	case IDENT_REF:
		break;
	}
	return a->ref && b->ref && strcmp(a->ref, b->ref) == 0;
}

/* Field sets as one word: snapshots take at most 64 fields (internal.h asserts it). */
static uint64_t bits(const struct fieldset *s)
{
	return s->w[0];
}

static bool known(const struct ipk_object *o, int f)
{
	return fieldset_has(&o->present, field_data(f));
}

static bool fixed_same(const struct ipk_object *was, const struct ipk_object *now, int f)
{
	if (!known(was, f) || !known(now, f) || obj_num(was, f) == obj_num(now, f))
		return true;
	/* IPC_RMID of an attached segment keeps it, as IPC_PRIVATE, until the last detach */
	return f == IPK_F_KEY && obj_num(now, f) == 0 && (now->status & IPK_ST_DEST);
}

bool ipk_object_same_identity(const struct ipk_object *was, const struct ipk_object *now)
{
	const struct kind_identity *id = &was->kind->identity;

	if (!ident_eq(was, now))
		return false;
	if (id->by != IDENT_SYSV)
		return true;
	for (uint64_t m = id->fixed; m; m &= m - 1)
		if (!fixed_same(was, now, __builtin_ctzll(m)))
			return false;
	/* a time never goes back, nor becomes "never" again */
	for (uint64_t m = id->rising; m; m &= m - 1) {
		int f = __builtin_ctzll(m);
		if (known(was, f) && (!known(now, f) || obj_num(now, f) < obj_num(was, f)))
			return false;
	}
	return true;
}

/* ---------------------------------------------------------------- fields */

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static bool holder_list_eq(const struct ipk_holder *x, const struct ipk_holder *y, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (x[i].pid != y[i].pid || x[i].fd != y[i].fd || strcmp(x[i].comm, y[i].comm) != 0 ||
		    strcmp(x[i].mode, y[i].mode) != 0)
			return false;
	return true;
}

/* Two values ipk_object_get() gave, of one field. */
static bool value_eq(const struct ipk_value *a, const struct ipk_value *b)
{
	if (a->presence != b->presence)
		return false;
	if (a->presence != IPK_PRESENT)
		return true;
	if (a->is_list != b->is_list)
		return false;
	switch (a->type) {
	case IPK_T_STRING:
	case IPK_T_KIND:
		return str_eq(a->s, b->s);
	case IPK_T_STRINGS:
		if (a->strings.n != b->strings.n)
			return false;
		for (size_t i = 0; i < a->strings.n; i++)
			if (!str_eq(a->strings.v[i], b->strings.v[i]))
				return false;
		return true;
	case IPK_T_HOLDERS:
		return a->holders.n == b->holders.n &&
		       holder_list_eq(a->holders.v, b->holders.v, a->holders.n);
	default:
		if (a->is_list)
			return a->list.n == b->list.n &&
			       (!a->list.n || memcmp(a->list.v, b->list.v, a->list.n * sizeof(int64_t)) == 0);
		return a->u == b->u;
	}
}

/*
 * Whether field @f has the same value (or the same absence) in both: the
 * members of struct ipk_object read in place, the rest (extras, arrays)
 * through ipk_object_get().
 */
static bool field_eq(const struct ipk_object *a, const struct ipk_object *b, int f)
{
	const struct field_store_def *d = &field_store[f];
	int data = field_data(f);

	if (fieldset_has(&a->present, data) != fieldset_has(&b->present, data) ||
	    obj_noaccess_has(a, data) != obj_noaccess_has(b, data))
		return false;
	if (!fieldset_has(&a->present, data))
		return true;
	const void *ma = (const char *)a + d->offset, *mb = (const char *)b + d->offset;
	switch (d->store) {
	case STORE_I64:
		return *(const int64_t *)ma == *(const int64_t *)mb;
	case STORE_U64:
		return *(const uint64_t *)ma == *(const uint64_t *)mb;
	case STORE_U32:
		return *(const uint32_t *)ma == *(const uint32_t *)mb;
	case STORE_I32:
		return *(const int32_t *)ma == *(const int32_t *)mb;
	case STORE_STR:
		return str_eq(*(const char *const *)ma, *(const char *const *)mb);
	case STORE_HOLDERS:
		return a->nholders == b->nholders && holder_list_eq(a->holders, b->holders, a->nholders);
	case STORE_KIND:
		return true;
	case STORE_VALUE:
		if (!a->kind->value_is_list)
			return a->value == b->value;
		break;
	default:
		break;
	}
	struct ipk_value va, vb;
	ipk_object_get(a, f, &va);
	ipk_object_get(b, f, &vb);
	return value_eq(&va, &vb);
}

uint64_t ipk_object_changes(const struct ipk_object *was, const struct ipk_object *now,
			    uint64_t fields)
{
	uint64_t look = fields ? fields : ~was->kind->identity.noisy;
	uint64_t changed = 0;

	/* a field either record knows, or knows it may not read (views go with theirs) */
	struct fieldset was_na = obj_noaccess(was), now_na = obj_noaccess(now);
	uint64_t any = bits(&was->present) | bits(&was_na) | bits(&now->present) | bits(&now_na);
	static uint64_t views;		/* fields shown from another's data: OWNER ... */
	if (!views)
		for (int f = 0; f < IPK_F_COUNT; f++)
			if (field_data(f) != f)
				views |= FIELD_MASK(f);
	for (uint64_t m = views; m; m &= m - 1)
		if (any & FIELD_MASK(field_data(__builtin_ctzll(m))))
			any |= m & -m;
	/* only the fields one of them has: a poll of unchanged objects costs little */
	for (uint64_t m = look & any & ~FIELD_MASK(IPK_F_KIND); m; m &= m - 1) {
		int f = __builtin_ctzll(m);
		if (!field_eq(was, now, f))
			changed |= FIELD_MASK(f);
	}
	return changed;
}

/* ---------------------------------------------------------------- copies */

static void *memdup(const void *p, size_t n)
{
	void *c = malloc(n ? n : 1);

	if (c && n)
		memcpy(c, p, n);
	return c;
}

struct ipk_object *ipk_object_dup(const struct ipk_object *o)
{
	struct ipk_object *c = malloc(obj_size(o->kind));
	const char *name = obj_name(o);

	if (!c)
		return NULL;
	memcpy(c, o, obj_size(o->kind));
	c->arena = NULL;
	c->pooled = false;
	c->heap = c->ref_heap = c->holders_heap = c->extras_heap = true;
	c->ref = o->ref ? strdup(o->ref) : NULL;
	/* a System V record has no name: those bytes are its id and key */
	if (kind_part(o->kind) == OBJ_PART_FILE) {
		c->name = name ? strdup(name) : NULL;
		c->name_heap = true;
	}
	c->holders = o->nholders ? memdup(o->holders, o->nholders * sizeof(*o->holders)) : NULL;
	c->extras = o->nextras ? memdup(o->extras, o->nextras * sizeof(*o->extras)) : NULL;
	c->extras_cap = o->nextras;
	bool bad = (o->ref && !c->ref) || (name && !c->name) || (o->nholders && !c->holders) ||
		   (o->nextras && !c->extras);
	/* what an extra points to is the copy's own too */
	for (size_t i = 0; c->extras && i < c->nextras; i++) {
		struct obj_extra *x = &c->extras[i];
		if (bad) {
			x->heap = false;
			continue;
		}
		switch (x->form) {
		case EXTRA_STR:
			x->v.p = x->v.s ? strdup(x->v.s) : NULL;
			x->heap = x->v.p != NULL;
			bad |= o->extras[i].v.s && !x->v.p;
			break;
		case EXTRA_WORDS:
			x->v.p = x->n ? memdup(x->v.words, x->n * sizeof(*x->v.words)) : NULL;
			x->heap = x->v.p != NULL;
			bad |= x->n && !x->v.p;
			break;
		case EXTRA_LIST:
			x->v.p = x->n ? memdup(x->v.list, x->n * sizeof(*x->v.list)) : NULL;
			x->heap = x->v.p != NULL;
			bad |= x->n && !x->v.p;
			break;
		default:
			x->heap = false;
		}
	}
	if (bad) {
		ipk_object_free(c);
		errno = ENOMEM;
		return NULL;
	}
	return c;
}

/* -------------------------------------------------------------- entries */

struct ipk_snapshot *ipk_snapshot_new(void)
{
	struct ipk_snapshot *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->nbuckets = 256;
	s->keys = calloc(s->nbuckets, sizeof(*s->keys));
	s->refs = calloc(s->nbuckets, sizeof(*s->refs));
	if (!s->keys || !s->refs) {
		ipk_snapshot_free(s);
		return NULL;
	}
	return s;
}

void ipk_snapshot_free(struct ipk_snapshot *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		ipk_object_free(s->v[i]->obj);
		free(s->v[i]->raw);
		free(s->v[i]);
	}
	free(s->v);
	free(s->keys);
	free(s->refs);
	free(s->sorted);
	free(s->came);
	free(s->went);
	free(s);
}

static uint64_t obj_ns(const struct ipk_object *o)
{
	return obj_has(o, IPK_F_NS) ? o->ns : 0;
}

static void link_entry(struct ipk_snapshot *s, struct snap_entry *e)
{
	size_t mask = s->nbuckets - 1;

	e->next_key = s->keys[e->key & mask];
	s->keys[e->key & mask] = e;
	e->next_ref = s->refs[e->ref_key & mask];
	s->refs[e->ref_key & mask] = e;
}

static void unlink_entry(struct ipk_snapshot *s, struct snap_entry *e)
{
	size_t mask = s->nbuckets - 1;
	struct snap_entry **p;

	for (p = &s->keys[e->key & mask]; *p && *p != e; p = &(*p)->next_key)
		;
	if (*p)
		*p = e->next_key;
	for (p = &s->refs[e->ref_key & mask]; *p && *p != e; p = &(*p)->next_ref)
		;
	if (*p)
		*p = e->next_ref;
}

/* Twice the buckets when there are more entries than buckets. */
static int grow(struct ipk_snapshot *s)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 256;
		struct snap_entry **v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	if (2 * s->n < s->nbuckets)
		return 0;
	size_t nb = 2 * s->nbuckets;
	struct snap_entry **keys = calloc(nb, sizeof(*keys)), **refs = calloc(nb, sizeof(*refs));
	if (!keys || !refs) {
		free(keys);
		free(refs);
		return 0;	/* longer chains, still right */
	}
	free(s->keys);
	free(s->refs);
	s->keys = keys;
	s->refs = refs;
	s->nbuckets = nb;
	for (size_t i = 0; i < s->n; i++)
		link_entry(s, s->v[i]);
	return 0;
}

struct snap_entry *snap_find(const struct ipk_snapshot *s, const struct ipk_object *o)
{
	uint64_t key = snap_ident_key(o);
	struct snap_entry *e;

	/*
	 * A poll reads objects in the order it first did (System V by index,
	 * fd kinds by inode): the entry after the last one found is usually
	 * the next, and it is next in memory too.
	 */
	for (size_t h = s->hint ? s->hint - 1 : 0; h <= s->hint && h < s->n; h++)
		if ((e = s->v[h])->key == key && ident_eq(e->obj, o))
			goto found;
	for (e = s->keys[key & (s->nbuckets - 1)]; e; e = e->next_key)
		if (e->key == key && ident_eq(e->obj, o))
			goto found;
	return NULL;
found:
	((struct ipk_snapshot *)s)->hint = e->pos + 1;
	return e;
}

struct snap_entry *snap_next_if(struct ipk_snapshot *s, uint32_t source, int64_t id)
{
	struct snap_entry *e = s->hint < s->n ? s->v[s->hint] : NULL;

	if (!e || e->source != source || e->obj->id != id)
		return NULL;
	s->hint = e->pos + 1;
	return e;
}

struct snap_entry *snap_find_ref(const struct ipk_snapshot *s, const char *ref, const uint64_t *ns)
{
	uint64_t key = snap_ref_key(ref);

	for (struct snap_entry *e = s->refs[key & (s->nbuckets - 1)]; e; e = e->next_ref)
		if (e->ref_key == key && strcmp(e->obj->ref, ref) == 0 && (!ns || obj_ns(e->obj) == *ns))
			return e;
	return NULL;
}

const struct ipk_object *ipk_snapshot_find(const struct ipk_snapshot *s, const char *ref)
{
	struct snap_entry *e = s ? snap_find_ref(s, ref, NULL) : NULL;

	return e ? e->obj : NULL;
}

static struct snap_entry *entry_new(struct ipk_snapshot *s, struct ipk_object *o, int64_t now)
{
	struct snap_entry *e = calloc(1, sizeof(*e));

	if (!e || grow(s)) {
		free(e);
		return NULL;
	}
	e->obj = o;
	e->key = snap_ident_key(o);
	e->ref_key = snap_ref_key(o->ref);
	e->first_seen = e->last_change = now;
	e->pos = s->n;
	s->v[s->n++] = e;
	link_entry(s, e);
	s->sorted_ok = false;
	return e;
}

static void entry_drop(struct ipk_snapshot *s, struct snap_entry *e)
{
	unlink_entry(s, e);
	s->v[e->pos] = s->v[--s->n];
	s->v[e->pos]->pos = e->pos;
	s->sorted_ok = false;
	ipk_object_free(e->obj);
	free(e->raw);
	free(e);
}

/* Replaces the record of @e by @o (the REF and namespace may differ: a rename). */
static void entry_replace(struct ipk_snapshot *s, struct snap_entry *e, struct ipk_object *o)
{
	bool moved = !str_eq(e->obj->ref, o->ref) || obj_ns(e->obj) != obj_ns(o) ||
		     !str_eq(obj_name(e->obj), obj_name(o));

	if (moved)
		unlink_entry(s, e);
	ipk_object_free(e->obj);
	e->obj = o;
	if (moved) {
		e->key = snap_ident_key(o);
		e->ref_key = snap_ref_key(o->ref);
		link_entry(s, e);
		s->sorted_ok = false;
	}
}

int ipk_snapshot_add(struct ipk_snapshot *s, struct ipk_object *o)
{
	struct snap_entry *e = snap_find(s, o);

	if (e) {
		entry_replace(s, e, o);
		return 0;
	}
	if (!entry_new(s, o, snap_now())) {
		ipk_object_free(o);
		return -ENOMEM;
	}
	return 0;
}

struct ipk_snapshot *ipk_snapshot_take(struct ipk_ctx *ctx, const struct ipk_filter *f)
{
	struct ipk_list *l = ipk_scan(ctx, f, 0);
	struct ipk_snapshot *s = l ? ipk_snapshot_new() : NULL;
	int rc = s ? 0 : -ENOMEM;

	for (size_t i = 0; i < ipk_list_len(l) && !rc; i++) {
		struct ipk_object *o = ipk_object_dup(ipk_list_at(l, i));
		rc = o ? ipk_snapshot_add(s, o) : -ENOMEM;
	}
	ipk_list_free(l);
	if (rc) {
		ipk_snapshot_free(s);
		errno = ENOMEM;
		return NULL;
	}
	return s;
}

size_t ipk_snapshot_len(const struct ipk_snapshot *s)
{
	return s ? s->n : 0;
}

static int cmp_entries(const void *a, const void *b)
{
	const struct ipk_object *x = (*(struct snap_entry *const *)a)->obj;
	const struct ipk_object *y = (*(struct snap_entry *const *)b)->obj;
	size_t kx = ipk_kind_index(x->kind), ky = ipk_kind_index(y->kind);

	if (kx != ky)
		return kx < ky ? -1 : 1;
	if (obj_ns(x) != obj_ns(y))
		return obj_ns(x) < obj_ns(y) ? -1 : 1;
	int c = obj_compare(x, y);
	if (c)
		return c;
	/* two files once of one name: the older inode first */
	return (x->ino > y->ino) - (x->ino < y->ino);
}

const struct ipk_object *ipk_snapshot_at(struct ipk_snapshot *s, size_t i)
{
	if (!s || i >= s->n)
		return NULL;
	if (!s->sorted_ok) {
		struct snap_entry **v = realloc(s->sorted, (s->cap ? s->cap : 1) * sizeof(*v));
		if (!v)
			return s->v[i]->obj;	/* out of memory: in no order */
		s->sorted = v;
		memcpy(v, s->v, s->n * sizeof(*v));
		qsort(v, s->n, sizeof(*v), cmp_entries);
		s->sorted_ok = true;
	}
	return s->sorted[i]->obj;
}

/* ---------------------------------------------------------------- rates */

/*
 * e^x for x <= 0, to a few parts in a million: halved into a short series,
 * then squared back (libm is not needed for one decay).
 */
static double decay(double x)
{
	int halvings = 0;

	if (x < -60)
		return 0;
	while (x < -0.25) {
		x /= 2;
		halvings++;
	}
	double e = 1 + x * (1 + x / 2 * (1 + x / 3 * (1 + x / 4 * (1 + x / 5))));
	while (halvings--)
		e *= e;
	return e;
}

static void ewma_add(struct ewma *w, double amount, int64_t now)
{
	double dt = (double)(now - w->t);

	if (w->t && dt > 0)
		w->r *= decay(-dt / RATE_TAU_NS);
	w->r += amount * 1e9 / RATE_TAU_NS;
	w->t = now;
}

static double ewma_at(const struct ewma *w, int64_t now)
{
	double dt = (double)(now - w->t);

	return w->t && dt > 0 ? w->r * decay(-dt / RATE_TAU_NS) : w->r;
}

/* The values of a semaphore (one, or a sysv-sem's array); n 0 when unknown. */
static size_t sem_values(const struct ipk_object *o, const int64_t **v, int64_t *one)
{
	struct ipk_value val;

	ipk_object_get(o, IPK_F_VALUE, &val);
	if (val.presence != IPK_PRESENT)
		return 0;
	if (val.is_list) {
		*v = val.list.v;
		return val.list.n;
	}
	*one = val.i;
	*v = one;
	return 1;
}

/* What a change from @was to @now counts: messages, operations, holders. */
static void count_change(struct snap_entry *e, const struct ipk_object *was,
			 const struct ipk_object *now, size_t came, size_t went, int64_t t)
{
	const struct ipk_kind *k = was->kind;
	int64_t dm = 0;

	if (known(was, IPK_F_MESSAGES) && known(now, IPK_F_MESSAGES))
		dm = (int64_t)now->messages - (int64_t)was->messages;
	uint64_t in = dm > 0 ? (uint64_t)dm : 0, out = dm < 0 ? (uint64_t)-dm : 0;
	/* SysV queues keep the time of the last send (ATIME) and receive (DTIME) */
	if (kind_has(k, IPK_F_LSPID)) {
		if (!in && known(now, IPK_F_ATIME) && (!known(was, IPK_F_ATIME) || now->atime > was->atime))
			in = 1;
		if (!out && known(now, IPK_F_DTIME) && (!known(was, IPK_F_DTIME) || now->dtime > was->dtime))
			out = 1;
	}
	/* semaphores: how far the values moved; an operation that left them as they were still moved otime */
	bool sysv_sem = kind_has(k, IPK_F_SEMNCNT);
	bool sem = sysv_sem || kind_has(k, IPK_F_WAITERS);
	uint64_t ops = 0;
	if (sem) {
		const int64_t *a, *b;
		int64_t one_a, one_b;
		size_t na = sem_values(was, &a, &one_a), nb = sem_values(now, &b, &one_b);
		for (size_t i = 0; na && nb && i < (na > nb ? na : nb); i++) {
			int64_t d = (i < nb ? b[i] : 0) - (i < na ? a[i] : 0);
			ops += (uint64_t)(d < 0 ? -d : d);
		}
	}
	if (sysv_sem && !ops && known(now, IPK_F_ATIME) &&
	    (!known(was, IPK_F_ATIME) || now->atime > was->atime))
		ops = 1;
	double db = 0;
	if (known(was, IPK_F_SIZE) && known(now, IPK_F_SIZE))
		db = (double)now->size - (double)was->size;
	ewma_add(&e->msgs_in, (double)in, t);
	ewma_add(&e->msgs_out, (double)out, t);
	ewma_add(&e->bytes, db, t);
	ewma_add(&e->sem_ops, (double)ops, t);
	ewma_add(&e->came, (double)came, t);
	ewma_add(&e->went, (double)went, t);
	ewma_add(&e->changes, 1, t);
	e->total_msgs_in += in;
	e->total_msgs_out += out;
	e->total_sem_ops += ops;
	e->total_came += came;
	e->total_went += went;
	e->total_changes++;
}

int ipk_snapshot_rates(const struct ipk_snapshot *s, const struct ipk_object *o,
		       const struct timespec *now, struct ipk_rates *r)
{
	struct snap_entry *e = snap_find(s, o);
	int64_t t = now ? (int64_t)now->tv_sec * 1000000000 + now->tv_nsec : snap_now();

	if (!e || e->obj != o)
		return -ENOENT;
	*r = (struct ipk_rates){
		.msgs_in = ewma_at(&e->msgs_in, t),
		.msgs_out = ewma_at(&e->msgs_out, t),
		.bytes = ewma_at(&e->bytes, t),
		.sem_ops = ewma_at(&e->sem_ops, t),
		.holders_came = ewma_at(&e->came, t),
		.holders_went = ewma_at(&e->went, t),
		.changes = ewma_at(&e->changes, t),
		.total_msgs_in = e->total_msgs_in,
		.total_msgs_out = e->total_msgs_out,
		.total_sem_ops = e->total_sem_ops,
		.total_holders_came = e->total_came,
		.total_holders_went = e->total_went,
		.total_changes = e->total_changes,
		.first_seen = ts_of(e->first_seen),
		.last_change = ts_of(e->last_change),
		.last_changed = e->last_changed,
	};
	return 0;
}

/* --------------------------------------------------------------- events */

static bool matches(const struct emit *em, const struct ipk_object *o)
{
	return !em->filter || ipk_filter_match(em->filter, o, (time_t)(em->now / 1000000000));
}

static void emit(struct emit *em, const struct ipk_event *ev)
{
	if (em->quiet || em->rc)
		return;
	em->count++;
	if (em->fn)
		em->rc = em->fn(ev, em->arg);
}

static int holder_cmp(const struct ipk_holder *a, const struct ipk_holder *b)
{
	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	return (a->fd > b->fd) - (a->fd < b->fd);
}

static int reserve_holders(struct ipk_holder **v, size_t *cap, size_t n)
{
	if (n <= *cap)
		return 0;
	struct ipk_holder *nv = realloc(*v, n * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = n;
	return 0;
}

/* Holders of @now not in @was (came) and of @was not in @now (went), by pid and fd. */
static void holder_diff(struct ipk_snapshot *s, const struct ipk_object *was,
			const struct ipk_object *now, size_t *came, size_t *went)
{
	*came = *went = 0;
	if (reserve_holders(&s->came, &s->came_cap, now->nholders) ||
	    reserve_holders(&s->went, &s->went_cap, was->nholders))
		return;
	/* both are in pid order, then fd: lists of the process scan */
	uint32_t i = 0, j = 0;
	while (i < was->nholders || j < now->nholders) {
		int c = i == was->nholders ? 1 : j == now->nholders ? -1 :
			holder_cmp(&was->holders[i], &now->holders[j]);
		if (c < 0)
			s->went[(*went)++] = was->holders[i++];
		else if (c > 0)
			s->came[(*came)++] = now->holders[j++];
		else
			i++, j++;
	}
}

void snap_emit_create(struct ipk_snapshot *s, struct snap_entry *e, struct emit *em)
{
	(void)s;
	em->moved++;
	if (!matches(em, e->obj))
		return;
	struct ipk_event ev = { .type = IPK_EVENT_CREATE, .time = ts_of(em->now), .object = e->obj };
	emit(em, &ev);
}

void snap_remove(struct ipk_snapshot *s, struct snap_entry *e, struct emit *em)
{
	em->moved++;
	if (matches(em, e->obj)) {
		struct ipk_event ev = { .type = IPK_EVENT_REMOVE, .time = ts_of(em->now),
					.object = e->obj };
		emit(em, &ev);
	}
	entry_drop(s, e);
}

/* A change from @e's record to @o: reported, counted, and @o kept. */
static void change(struct ipk_snapshot *s, struct snap_entry *e, struct ipk_object *o,
		   struct emit *em)
{
	uint64_t all = ipk_object_changes(e->obj, o, ~e->obj->kind->identity.noisy | em->fields);

	if (!all) {
		/*
		 * Nothing to tell: the record kept is the one read before (its
		 * memory stays put), but for noisy fields, which are fresher now.
		 */
		if (ipk_object_changes(e->obj, o, e->obj->kind->identity.noisy))
			entry_replace(s, e, o);
		else
			ipk_object_free(o);
		return;
	}
	size_t came = 0, went = 0;
	em->moved++;
	if (all & FIELD_MASK(IPK_F_HOLDERS))
		holder_diff(s, e->obj, o, &came, &went);
	count_change(e, e->obj, o, came, went, em->now);
	e->last_change = em->now;
	e->last_changed = all;
	uint64_t shown = em->fields ? ipk_object_changes(e->obj, o, em->fields) : all;
	if (shown && (matches(em, e->obj) || matches(em, o))) {
		struct ipk_event ev = {
			.type = IPK_EVENT_CHANGE, .time = ts_of(em->now), .object = o,
			.old = e->obj, .changed = shown,
			.came = s->came, .ncame = came, .went = s->went, .nwent = went,
		};
		emit(em, &ev);
	}
	entry_replace(s, e, o);
}

struct snap_entry *snap_put(struct ipk_snapshot *s, struct ipk_object *o, uint32_t source,
			    uint32_t gen, struct emit *em, int *rc)
{
	struct snap_entry *e = snap_find(s, o);

	*rc = 0;
	if (e && !ipk_object_same_identity(e->obj, o)) {
		/* its id was taken by a new object: the old one is gone */
		snap_remove(s, e, em);
		e = NULL;
	}
	if (e) {
		change(s, e, o, em);
	} else {
		e = entry_new(s, o, em->now);
		if (!e) {
			ipk_object_free(o);
			*rc = -ENOMEM;
			return NULL;
		}
		snap_emit_create(s, e, em);
	}
	e->source = source;
	e->gen = gen;
	return e;
}

int ipk_snapshot_diff(struct ipk_snapshot *from, struct ipk_snapshot *to, uint64_t fields,
		      ipk_event_fn fn, void *arg)
{
	struct emit em = { .fn = fn, .arg = arg, .fields = fields, .now = snap_now() };
	size_t n = ipk_snapshot_len(to);

	/* removes first, in @from's order: what @to has of another identity is gone */
	for (size_t i = 0; i < ipk_snapshot_len(from) && !em.rc; i++) {
		const struct ipk_object *o = ipk_snapshot_at(from, i);
		struct snap_entry *e = snap_find(to, o);
		if (!e || !ipk_object_same_identity(o, e->obj)) {
			struct ipk_event ev = { .type = IPK_EVENT_REMOVE, .time = ts_of(em.now),
						.object = o };
			emit(&em, &ev);
		}
	}
	for (size_t i = 0; i < n && !em.rc; i++) {
		const struct ipk_object *o = ipk_snapshot_at(to, i);
		struct snap_entry *e = snap_find(from, o);
		if (!e || !ipk_object_same_identity(e->obj, o)) {
			struct ipk_event ev = { .type = IPK_EVENT_CREATE, .time = ts_of(em.now),
						.object = o };
			emit(&em, &ev);
			continue;
		}
		uint64_t shown = ipk_object_changes(e->obj, o, fields);
		if (!shown)
			continue;
		size_t came = 0, went = 0;
		if (shown & FIELD_MASK(IPK_F_HOLDERS))
			holder_diff(to, e->obj, o, &came, &went);
		struct ipk_event ev = {
			.type = IPK_EVENT_CHANGE, .time = ts_of(em.now), .object = o, .old = e->obj,
			.changed = shown, .came = to->came, .ncame = came, .went = to->went,
			.nwent = went,
		};
		emit(&em, &ev);
	}
	return em.rc;
}
