/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Objects and lists of them: where each field's value is kept (a member
 * or an extra, as lib/fields.c says), and what is freed with an object.
 * Nothing here knows a kind.
 */
#include "internal.h"

#include <assert.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>

struct ipk_object *obj_new(const struct ipk_kind *kind)
{
	struct ipk_object *o = calloc(1, obj_size(kind));

	if (o)
		o->kind = kind;
	return o;
}

struct ipk_object *scan_obj_new(struct ipk_scan *s)
{
	struct ipk_object *o;

	if (!s->list->pooled) {
		o = obj_new(s->kind);
	} else {
		o = ipk_arena_alloc(&s->list->arena, obj_size(s->kind));
		if (o) {
			/* the record's size known here: zeroed in place, not by a call */
			memset(o, 0, sizeof(*o));
			if (s->kind->tail)
				memset(obj_tail(o), 0, s->kind->tail);
			o->kind = s->kind;
			o->arena = &s->list->arena;
			o->pooled = true;
		}
	}
	/* what removes it must enter the namespace it was read in */
	if (o)
		o->ns_pid = s->ctx->via_pid;
	return o;
}

/* Memory an object keeps: from its arena while a scan fills it, else malloc'd. */
static void *obj_alloc(struct ipk_object *o, size_t n, bool *heap)
{
	void *p = o->arena ? ipk_arena_alloc(o->arena, n) : malloc(n ? n : 1);

	if (p) {
		*heap = !o->arena;
		o->heap |= *heap;
	}
	return p;
}

static char *obj_strdup(struct ipk_object *o, const char *s, bool *heap)
{
	size_t len = strlen(s);
	char *copy = obj_alloc(o, len + 1, heap);

	if (copy)
		memcpy(copy, s, len + 1);
	return copy;
}

static void extra_release(struct obj_extra *x)
{
	if (x->heap)
		free(x->v.p);
	x->heap = false;
	x->v.p = NULL;
	x->n = 0;
}

void obj_clear(struct ipk_object *o)
{
	if (o->ref_heap)
		free(o->ref);
	if (o->name_heap)
		free(o->name);
	if (o->holders_heap)
		free(o->holders);
	for (size_t i = 0; i < o->nextras; i++)
		extra_release(&o->extras[i]);
	if (o->extras_heap)
		free(o->extras);
	o->ref = NULL;
	if (kind_part(o->kind) == OBJ_PART_FILE)
		o->name = NULL;
	o->holders = NULL;
	o->extras = NULL;
	o->nextras = o->extras_cap = 0;
	o->has_noaccess = false;
	o->ref_heap = o->name_heap = o->holders_heap = o->extras_heap = o->heap = false;
}

void ipk_object_free(struct ipk_object *o)
{
	if (!o)
		return;
	obj_clear(o);
	if (!o->pooled)
		free(o);
}

const struct ipk_kind *ipk_object_kind(const struct ipk_object *o)
{
	return o ? o->kind : NULL;
}

const char *ipk_object_ref(const struct ipk_object *o)
{
	return o ? o->ref : NULL;
}

int obj_set_ref(struct ipk_object *o, const char *arg)
{
	bool heap;
	size_t alen = strlen(arg);
	char *ref = obj_alloc(o, strlen(o->kind->name) + 1 + alen + 1, &heap);

	if (!ref)
		return -ENOMEM;
	ref_put_len(ref, o->kind, arg, alen);
	if (o->ref_heap)
		free(o->ref);
	o->ref = ref;
	o->ref_heap = heap;
	fieldset_add(&o->present, IPK_F_REF);
	return 0;
}

int obj_ref_qualify(struct ipk_object *o, uint64_t ns)
{
	struct ipk_buf b = { 0 };
	size_t klen = strlen(o->kind->name);
	int rc = ipk_buf_puts(&b, o->ref + klen + 1);

	if (!rc)
		rc = ref_append_ns(&b, ns);
	if (!rc)
		rc = obj_set_ref(o, b.s);
	ipk_buf_free(&b);
	return rc;
}

bool ref_has_ns(const char *ref)
{
	uint64_t ns;

	return ref_ns_split(ref, &ns) != strlen(ref);
}

int obj_ref_disambiguate(struct ipk_object *o, uint64_t ns)
{
	if (!ns || !o->ref || !strchr(o->ref, '@') || !ref_has_ns(o->ref))
		return 0;
	return obj_ref_qualify(o, ns);
}

int obj_set_name(struct ipk_object *o, const char *name)
{
	bool heap;
	char *copy = obj_strdup(o, name, &heap);

	if (!copy)
		return -ENOMEM;
	if (o->name_heap)
		free(o->name);
	o->name = copy;
	o->name_heap = heap;
	fieldset_add(&o->present, IPK_F_NAME);
	return 0;
}

int obj_set_posix_name(struct ipk_object *o, const char *name)
{
	size_t len = strlen(name);
	char small[256];
	char *slashed = len + 2 <= sizeof(small) ? small : malloc(len + 2);

	if (!slashed)
		return -ENOMEM;
	slashed[0] = '/';
	memcpy(slashed + 1, name, len + 1);
	int rc = obj_set_ref(o, slashed);
	if (!rc && !o->ref_heap) {
		/*
		 * The NAME is the end of the REF ("posix-shm:/x"): in an arena,
		 * which frees nothing before the listing, one copy serves both.
		 */
		if (o->name_heap)
			free(o->name);
		o->name = o->ref + strlen(o->kind->name) + 1;
		o->name_heap = false;
		fieldset_add(&o->present, IPK_F_NAME);
	} else if (!rc) {
		rc = obj_set_name(o, slashed);
	}
	if (slashed != small)
		free(slashed);
	return rc;
}

static __attribute__((noinline)) int noaccess_forget(struct ipk_object *o, int field)
{
	obj_noaccess_del_set(o, field);
	return 0;
}

/* 0: the setters end in it, a jump to the rare case of an unreadable set to change. */
static inline int mark_known(struct ipk_object *o, int field)
{
	fieldset_add(&o->present, field);
	if (o->has_noaccess)
		return noaccess_forget(o, field);
	return 0;
}

/* ---------------------------------------------------------------- extras */

static struct obj_extra *extra_find(const struct ipk_object *o, int field)
{
	for (size_t i = 0; i < o->nextras; i++)
		if (o->extras[i].field == field)
			return &o->extras[i];
	return NULL;
}

/* The extra of @field, made empty; NULL when memory runs out. */
static struct obj_extra *extra_slot(struct ipk_object *o, int field, enum extra_form form)
{
	struct obj_extra *x = extra_find(o, field);

	if (!x) {
		if (o->nextras == o->extras_cap) {
			/*
			 * First as many as objects of the kind came to hold:
			 * what a kind has, no more; past it, twice as many,
			 * and the kind learns the count.
			 */
			size_t cap = o->extras_cap ? 2u * o->extras_cap : kind_extras_hint(o->kind);
			if (cap < 1)
				cap = 1;
			if (o->extras_cap)
				kind_extras_used(o->kind, o->nextras + 1u);
			bool heap;
			struct obj_extra *v = cap <= UINT8_MAX ? obj_alloc(o, cap * sizeof(*v), &heap)
							       : NULL;
			if (!v)
				return NULL;
			if (o->nextras)
				memcpy(v, o->extras, o->nextras * sizeof(*v));
			if (o->extras_heap)
				free(o->extras);
			o->extras = v;
			o->extras_heap = heap;
			o->extras_cap = (uint8_t)cap;
		}
		x = &o->extras[o->nextras++];
		memset(x, 0, sizeof(*x));
		x->field = (int16_t)field;
	} else {
		extra_release(x);
	}
	x->form = (uint8_t)form;
	return x;
}


/* ------------------------------------------------------------- setters */

/* The cases of obj_set_num() that are not a plain member: out of the fast path. */
static __attribute__((noinline)) int set_num_rare(struct ipk_object *o, int field, int64_t v)
{
	switch (field_store[field].store) {
	case STORE_VALUE: {
		assert(!o->kind->value_is_list);	/* its @value is another part's */
		/* a scalar now: an array or a u64 set before is gone */
		struct obj_extra *x = o->nextras ? extra_find(o, field) : NULL;
		if (x) {
			extra_release(x);
			*x = o->extras[--o->nextras];
		}
		o->value = v;
		break;
	}
	case STORE_EXTRA: {
		struct obj_extra *x = extra_slot(o, field, EXTRA_I64);
		if (!x)
			return -ENOMEM;
		x->v.i = v;
		break;
	}
	default:
		assert(!"obj_set_num on a field that is not a number");
		return -EINVAL;
	}
	mark_known(o, field);
	return 0;
}

int obj_set_num(struct ipk_object *o, int field, int64_t v)
{
	const struct field_store_def *d = &field_store[field];
	void *m = (char *)o + d->offset;

	switch (d->store) {
	case STORE_I64:
		*(int64_t *)m = v;
		break;
	case STORE_U64:
		*(uint64_t *)m = (uint64_t)v;
		break;
	case STORE_U32:
		*(uint32_t *)m = (uint32_t)v;
		break;
	case STORE_I32:
		*(int32_t *)m = (int32_t)v;
		break;
	default:
		return set_num_rare(o, field, v);
	}
	return mark_known(o, field);
}

static __attribute__((noinline)) int set_unum_rare(struct ipk_object *o, int field, uint64_t v)
{
	struct obj_extra *x = extra_slot(o, field, EXTRA_U64);

	if (!x)
		return -ENOMEM;
	x->v.u = v;
	mark_known(o, field);
	return 0;
}

int obj_set_unum(struct ipk_object *o, int field, uint64_t v)
{
	const struct field_store_def *d = &field_store[field];

	if (d->store == STORE_U64) {
		*(uint64_t *)((char *)o + d->offset) = v;
		return mark_known(o, field);
	}
	/* an eventfd counter is a u64: beyond a VALUE member, an extra keeps it whole */
	if (d->store == STORE_EXTRA || (d->store == STORE_VALUE && v > INT64_MAX))
		return set_unum_rare(o, field, v);
	/* members of signed or narrower types: clamped */
	return obj_set_num(o, field, v > INT64_MAX ? INT64_MAX : (int64_t)v);
}

int64_t *obj_alloc_list(struct ipk_object *o, size_t n)
{
	if (!n)
		n = 1;
	if (!o->arena)
		return calloc(n, sizeof(int64_t));
	int64_t *v = ipk_arena_alloc(o->arena, n * sizeof(*v));
	if (v)
		memset(v, 0, n * sizeof(*v));
	return v;
}

void obj_free_list(struct ipk_object *o, int64_t *v)
{
	if (!o->arena)	/* arena memory goes with the listing */
		free(v);
}

int obj_set_list(struct ipk_object *o, int field, int64_t *v, size_t n)
{
	struct obj_extra *x = extra_slot(o, field, EXTRA_LIST);

	if (!x) {
		obj_free_list(o, v);
		return -ENOMEM;
	}
	x->v.list = v;
	x->n = (uint32_t)n;
	x->heap = !o->arena;
	o->heap |= x->heap;
	mark_known(o, field);
	return 0;
}

int obj_set_word(struct ipk_object *o, int field, const char *word)
{
	struct obj_extra *x = extra_slot(o, field, EXTRA_WORD);

	if (!x)
		return -ENOMEM;
	x->v.s = word;
	mark_known(o, field);
	return 0;
}

int obj_set_str(struct ipk_object *o, int field, const char *s)
{
	bool heap;
	char *copy = obj_strdup(o, s, &heap);
	struct obj_extra *x = copy ? extra_slot(o, field, EXTRA_STR) : NULL;

	if (!x) {
		if (copy && heap)
			free(copy);
		return -ENOMEM;
	}
	x->v.s = copy;
	x->heap = heap;
	mark_known(o, field);
	return 0;
}

int obj_set_words(struct ipk_object *o, int field, const char *const *words, size_t n)
{
	bool heap = false;
	const char **v = n ? obj_alloc(o, n * sizeof(*v), &heap) : NULL;
	struct obj_extra *x = !n || v ? extra_slot(o, field, EXTRA_WORDS) : NULL;

	if (!x) {
		if (v && heap)
			free(v);
		return -ENOMEM;
	}
	if (n)
		memcpy(v, words, n * sizeof(*v));
	x->v.words = v;
	x->n = (uint32_t)n;
	x->heap = heap;
	mark_known(o, field);
	return 0;
}

_Static_assert(FIELD_WORDS == 1, "the OBJ_X_NOACCESS extra is one word");

void obj_set_noaccess(struct ipk_object *o, int field)
{
	fieldset_del(&o->present, field);
	struct obj_extra *x = o->has_noaccess ? extra_find(o, OBJ_X_NOACCESS) : NULL;
	if (!x) {
		/* without memory for the set the field is only unknown */
		x = extra_slot(o, OBJ_X_NOACCESS, EXTRA_U64);
		if (!x)
			return;
		x->v.u = 0;
		o->has_noaccess = true;
	}
	x->v.u |= UINT64_C(1) << field;
}

struct fieldset obj_noaccess_set(const struct ipk_object *o)
{
	const struct obj_extra *x = extra_find(o, OBJ_X_NOACCESS);

	return (struct fieldset){ { x ? x->v.u : 0 } };
}

void obj_noaccess_del_set(struct ipk_object *o, int field)
{
	struct obj_extra *x = extra_find(o, OBJ_X_NOACCESS);

	if (x)
		x->v.u &= ~(UINT64_C(1) << field);
}

void obj_set_stat(struct ipk_object *o, const struct stat *st)
{
	o->dev = st->st_dev;
	obj_set_unum(o, IPK_F_INODE, st->st_ino);
	obj_set_num(o, IPK_F_UID, st->st_uid);
	obj_set_num(o, IPK_F_GID, st->st_gid);
	obj_set_num(o, IPK_F_PERMS, st->st_mode & 07777);
	obj_set_num(o, IPK_F_CTIME, st->st_ctim.tv_sec);
	obj_set_num(o, IPK_F_ATIME, st->st_atim.tv_sec);
}

/* ------------------------------------------------------------- getters */

/* A number field as stored, for the library's own reading: no ipk_value to fill. */
static bool num_of(const struct ipk_object *o, int field, uint64_t *u, bool *is_unsigned)
{
	const struct field_store_def *d = &field_store[field];
	const void *m = (const char *)o + d->offset;

	if (!fieldset_has(&o->present, field_data(field)))
		return false;
	*is_unsigned = false;
	switch (d->store) {
	case STORE_I64:
	case STORE_VALUE:
		if (d->store == STORE_VALUE && o->nextras && extra_find(o, field))
			break;
		*u = (uint64_t)*(const int64_t *)m;
		return true;
	case STORE_U64:
		*u = *(const uint64_t *)m;
		*is_unsigned = true;
		return true;
	case STORE_U32:
		*u = *(const uint32_t *)m;
		*is_unsigned = true;
		return true;
	case STORE_I32:
		*u = (uint64_t)(int64_t)*(const int32_t *)m;
		return true;
	}
	const struct obj_extra *x = extra_find(o, field);
	if (!x || (x->form != EXTRA_I64 && x->form != EXTRA_U64))
		return false;
	*u = x->v.u;
	*is_unsigned = x->form == EXTRA_U64;
	return true;
}

int64_t obj_num(const struct ipk_object *o, int field)
{
	uint64_t u;
	bool is_unsigned;

	if (!num_of(o, field, &u, &is_unsigned))
		return 0;
	if (is_unsigned)
		return u > INT64_MAX ? INT64_MAX : (int64_t)u;
	return (int64_t)u;
}

uint64_t obj_unum(const struct ipk_object *o, int field)
{
	uint64_t u;
	bool is_unsigned;

	return num_of(o, field, &u, &is_unsigned) ? u : 0;
}

/* An extra as a value of the field's type. */
static void extra_value(const struct obj_extra *x, struct ipk_value *v)
{
	switch (x->form) {
	case EXTRA_I64:
		v->i = x->v.i;
		break;
	case EXTRA_U64:
		v->u = x->v.u;		/* v->i shares its storage: never clamp through it */
		v->is_unsigned = true;
		break;
	case EXTRA_WORD:
	case EXTRA_STR:
		v->s = x->v.s;
		break;
	case EXTRA_WORDS:
		v->strings.v = x->v.words;
		v->strings.n = x->n;
		break;
	case EXTRA_LIST:
		v->list.v = x->v.list;
		v->list.n = x->n;
		v->is_list = true;
		break;
	}
}

/* Out of line, so that reading a present field saves no registers for it. */
static __attribute__((noinline)) void absent_or_unreadable(const struct ipk_object *o, int data,
							    struct ipk_value *v)
{
	v->presence = obj_noaccess_has(o, data) ? IPK_NOACCESS : IPK_ABSENT;
}

void ipk_object_get(const struct ipk_object *o, int field, struct ipk_value *v)
{
	if (!v)
		return;
	/* every member a reader may look at, without a memset of the whole */
	v->type = 0;
	v->list.v = NULL;
	v->list.n = 0;
	v->is_list = false;
	v->is_unsigned = false;
	if (!o || (unsigned)field >= IPK_F_COUNT) {
		v->presence = IPK_ABSENT;
		return;
	}
	const struct field_store_def *d = &field_store[field];
	const void *m = (const char *)o + d->offset;
	int data = field_data(field);

	v->type = field_info[field].type;
	if (field == IPK_F_KIND) {
		v->presence = IPK_PRESENT;
		v->s = o->kind->name;
		return;
	}
	if (!fieldset_has(&o->present, data)) {
		/* an unreadable field is never present: asked only of the others */
		absent_or_unreadable(o, data, v);
		return;
	}
	v->presence = IPK_PRESENT;
	switch (d->store) {
	case STORE_I64:
		v->i = *(const int64_t *)m;
		break;
	case STORE_U64:
		v->u = *(const uint64_t *)m;	/* v->i shares its storage */
		v->is_unsigned = true;
		break;
	case STORE_U32:
		v->u = *(const uint32_t *)m;
		v->is_unsigned = true;
		break;
	case STORE_I32:
		v->i = *(const int32_t *)m;
		break;
	case STORE_STR:
		v->s = *(const char *const *)m;
		if (!v->s)
			v->presence = IPK_ABSENT;
		break;
	case STORE_VALUE: {
		const struct obj_extra *x = o->nextras ? extra_find(o, field) : NULL;
		if (x) {
			extra_value(x, v);
		} else {
			v->i = o->value;
			if (o->kind->value_is_ns)
				v->type = IPK_T_SECONDS;
		}
		break;
	}
	case STORE_HOLDERS:
		v->holders.v = o->holders;
		v->holders.n = o->nholders;
		break;
	case STORE_EXTRA: {
		const struct obj_extra *x = extra_find(o, field);
		if (x)
			extra_value(x, v);
		else
			v->presence = IPK_ABSENT;
		break;
	}
	case STORE_KIND:
		break;
	}
}

/* ------------------------------------------------------------- identity */

/*
 * SysV objects have no inode: the kind's same_fields (the key, the
 * creator, the change time, one second apart, the mode and the size) tell
 * an object from a newer one of the same id.  Two made by the same user
 * within one second with all of these equal cannot be told apart; an id
 * comes back that soon only through kernel.*_next_id or after its
 * sequence number wraps.
 */
static bool known(const struct ipk_object *o, int field)
{
	int data = field_data(field);

	return fieldset_has(&o->present, data) && !obj_noaccess_has(o, data);
}

static bool same_fields(const struct ipk_object *a, const struct ipk_object *b)
{
	/* numbers all: compared as their bits, whatever their sign */
	for (const int16_t *f = a->kind->same_fields; f && *f >= 0; f++)
		if (known(a, *f) && known(b, *f) && obj_unum(a, *f) != obj_unum(b, *f))
			return false;
	return true;
}

bool ipk_object_same(const struct ipk_object *was, const struct ipk_object *now,
		     struct ipk_error *why)
{
	struct ipk_error ignored;
	struct ipk_error *e = why ? why : &ignored;

	if (!was || !now)
		return false;
	if (was->kind != now->kind || (now->ref && was->ref && strcmp(was->ref, now->ref) != 0)) {
		err_set(e, ESTALE, "its REF names another object now");
		return false;
	}
	if (was->kind->family == IPK_FAMILY_SYSV) {
		if (obj_has(was, IPK_F_KEY) && obj_has(now, IPK_F_KEY) && was->key != now->key) {
			err_set(e, ESTALE, "the id now names another object (key 0x%08" PRIx32
				", was 0x%08" PRIx32 ")", (uint32_t)now->key, (uint32_t)was->key);
			return false;
		}
		if (was->id != now->id || !same_fields(was, now)) {
			err_set(e, ESTALE, "it changed since it was selected, or the id names "
				"another object now");
			return false;
		}
		return true;
	}
	/* files and sockets: the same device and inode */
	if (was->dev != now->dev || was->ino != now->ino) {
		err_set(e, ESTALE, "the name now belongs to another file (inode %" PRIu64
			", was %" PRIu64 ")", now->ino, was->ino);
		return false;
	}
	return true;
}

/* ---------------------------------------------------------------- lists */

int list_add(struct ipk_list *l, struct ipk_object *o)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct ipk_object **v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = o;
	return 0;
}

int scan_add(struct ipk_scan *s, struct ipk_object *o)
{
	if (!s->has_ns_known) {
		s->has_ns = kind_has(s->kind, IPK_F_NS);
		/* a SysV REF is digits, a held kind's a pid and fd: only a name may end in "@ns:N" */
		s->named = s->kind->family != IPK_FAMILY_SYSV && s->kind->family != IPK_FAMILY_FD;
		s->has_ns_known = true;
	}
	if (s->has_ns && obj_has(o, IPK_F_REF) && s->ctx->live) {
		uint64_t ns = ctx_ipc_ns(s->ctx);
		if (ns && !obj_has(o, IPK_F_NS))
			obj_set_unum(o, IPK_F_NS, ns);
		int rc = s->named ? obj_ref_disambiguate(o, ns) : 0;
		if (rc) {
			ipk_object_free(o);
			return rc;
		}
	}
	if (s->sink)
		return s->sink(s, o);
	int rc = list_add(s->list, o);
	if (rc)
		ipk_object_free(o);
	return rc;
}

int obj_compare(const struct ipk_object *x, const struct ipk_object *y)
{
	if (obj_has(x, IPK_F_ID) && obj_has(y, IPK_F_ID) && x->id != y->id)
		return x->id < y->id ? -1 : 1;
	const char *xn = obj_name(x), *yn = obj_name(y);
	if (xn && yn) {
		int c = strcmp(xn, yn);
		if (c)
			return c;
	}
	return strcmp(x->ref ? x->ref : "", y->ref ? y->ref : "");
}

/* Objects of one kind: by id, then name, then REF. */
static int cmp_objects(const void *a, const void *b)
{
	return obj_compare(*(struct ipk_object *const *)a, *(struct ipk_object *const *)b);
}

void list_sort(struct ipk_list *l)
{
	/* SysV objects come in index order, which is mostly id order already. */
	size_t i = 1;
	while (i < l->n && cmp_objects(&l->v[i - 1], &l->v[i]) <= 0)
		i++;
	if (i < l->n)
		qsort(l->v, l->n, sizeof(l->v[0]), cmp_objects);
}

struct ipk_list *ipk_list_new(void)
{
	return calloc(1, sizeof(struct ipk_list));
}

int ipk_list_append(struct ipk_list *l, struct ipk_object *o)
{
	int rc = l && o ? list_add(l, o) : -EINVAL;

	if (rc)
		ipk_object_free(o);
	return rc;
}

size_t ipk_list_len(const struct ipk_list *l)
{
	return l ? l->n : 0;
}

struct ipk_object *ipk_list_at(const struct ipk_list *l, size_t i)
{
	return l && i < l->n ? l->v[i] : NULL;
}

void ipk_list_free(struct ipk_list *l)
{
	if (!l)
		return;
	/* Objects all in the arena go with it, untouched. */
	for (size_t i = 0; i < l->n; i++)
		if (!l->v[i]->pooled || l->v[i]->heap)
			ipk_object_free(l->v[i]);
	ipk_arena_free(&l->arena);
	free(l->v);
	free(l);
}
