/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Objects, lists of them, and REFs. */
#include "internal.h"

#include <assert.h>
#include <limits.h>
#include <stdlib.h>

struct ipk_object *obj_new(const struct ipk_kind *kind)
{
	struct ipk_object *o = calloc(1, sizeof(*o));

	if (o)
		o->kind = kind;
	return o;
}

static void i64s_free(struct ipk_i64s *a)
{
	if (!a->pooled)
		free(a->v);
	a->v = NULL;
	a->n = 0;
	a->pooled = false;
}

struct ipk_object *scan_obj_new(struct ipk_scan *s)
{
	struct ipk_object *o;

	if (!s->list->pooled) {
		o = obj_new(s->kind);
	} else {
		o = ipk_arena_alloc(&s->list->arena, sizeof(*o));
		if (o) {
			memset(o, 0, sizeof(*o));
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

/* Memory an object keeps: from its arena while a scan fills it. */
static char *obj_strdup(struct ipk_object *o, const char *s, size_t len, bool *pooled)
{
	char *copy = o->arena ? ipk_arena_alloc(o->arena, len + 1) : malloc(len + 1);

	if (copy) {
		memcpy(copy, s, len + 1);
		*pooled = o->arena != NULL;
		o->heap |= !*pooled;
	}
	return copy;
}

void ipk_object_free(struct ipk_object *o)
{
	if (!o)
		return;
	if (!o->ref_pooled)
		free(o->ref);
	if (!o->name_pooled)
		free(o->name);
	/* the union holds these only for the kinds that have them */
	if (o->kind->fields & F(SEMNCNT)) {
		i64s_free(&o->values);
		i64s_free(&o->semncnt);
		i64s_free(&o->semzcnt);
		i64s_free(&o->sempid);
	}
	if ((o->kind->fields & F(SIGNALS)) && !o->signals.pooled)
		free(o->signals.v);
	if ((o->kind->fields & F(SEALS)) && !o->seals.pooled)
		free(o->seals.v);
	if (!o->holders_pooled)
		free(o->holders);
	if (!o->pooled)
		free(o);
}

const struct ipk_kind *ipk_object_kind(const struct ipk_object *o)
{
	return o->kind;
}

const char *ipk_object_ref(const struct ipk_object *o)
{
	return o->ref;
}

int obj_set_ref(struct ipk_object *o, const char *arg)
{
	size_t klen = strlen(o->kind->name), alen = strlen(arg);
	char ref[NAME_MAX + 64];
	bool pooled;

	if (klen + 1 + alen >= sizeof(ref))
		return -ENAMETOOLONG;
	memcpy(ref, o->kind->name, klen);
	ref[klen] = ':';
	memcpy(ref + klen + 1, arg, alen + 1);
	char *copy = obj_strdup(o, ref, klen + 1 + alen, &pooled);
	if (!copy)
		return -ENOMEM;
	if (!o->ref_pooled)
		free(o->ref);
	o->ref = copy;
	o->ref_pooled = pooled;
	o->present |= FIELD_BIT(IPK_F_REF);
	return 0;
}

int obj_set_posix_name(struct ipk_object *o, const char *name)
{
	char slashed[NAME_MAX + 2];
	int n = snprintf(slashed, sizeof(slashed), "/%s", name);

	if (n < 0 || (size_t)n >= sizeof(slashed))
		return -ENAMETOOLONG;
	int rc = obj_set_ref(o, slashed);
	return rc ? rc : obj_set_name(o, slashed);
}

int obj_set_name(struct ipk_object *o, const char *name)
{
	bool pooled;
	char *copy = obj_strdup(o, name, strlen(name), &pooled);

	if (!copy)
		return -ENOMEM;
	if (!o->name_pooled)
		free(o->name);
	o->name = copy;
	o->name_pooled = pooled;
	o->present |= FIELD_BIT(IPK_F_NAME);
	return 0;
}

static void *member(struct ipk_object *o, int field)
{
	return (char *)o + field_defs[field].offset;
}

void obj_set_num(struct ipk_object *o, int field, int64_t v)
{
	switch (field_defs[field].store) {
	case STORE_I64:
	case STORE_VALUE:
		*(int64_t *)member(o, field) = v;
		break;
	case STORE_U64:
		*(uint64_t *)member(o, field) = (uint64_t)v;
		break;
	case STORE_U32:
		*(uint32_t *)member(o, field) = (uint32_t)v;
		break;
	default:
		assert(!"obj_set_num on a field that is not a number");
		return;
	}
	o->present |= FIELD_BIT(field);
	o->noaccess &= ~FIELD_BIT(field);
}

void obj_set_unum(struct ipk_object *o, int field, uint64_t v)
{
	if (field_defs[field].store == STORE_U64) {
		*(uint64_t *)member(o, field) = v;
		o->present |= FIELD_BIT(field);
		o->noaccess &= ~FIELD_BIT(field);
		return;
	}
	obj_set_num(o, field, v > INT64_MAX ? INT64_MAX : (int64_t)v);
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

void obj_set_list(struct ipk_object *o, int field, int64_t *v, size_t n)
{
	struct ipk_i64s *a;

	if (field == IPK_F_VALUE) {
		a = &o->values;
	} else {
		assert(field_defs[field].store == STORE_LIST);
		a = member(o, field);
	}
	i64s_free(a);
	a->v = v;
	a->n = (uint32_t)n;
	a->pooled = o->arena != NULL;
	o->heap |= !a->pooled;
	o->present |= FIELD_BIT(field);
	o->noaccess &= ~FIELD_BIT(field);
}

void obj_set_word(struct ipk_object *o, int field, const char *word)
{
	assert(field_defs[field].store == STORE_CSTR);
	*(const char **)member(o, field) = word;
	o->present |= FIELD_BIT(field);
	o->noaccess &= ~FIELD_BIT(field);
}

int obj_set_words(struct ipk_object *o, int field, const char *const *words, size_t n)
{
	struct ipk_strv *a = member(o, field);
	const char **v = NULL;

	assert(field_defs[field].store == STORE_STRV);
	if (n) {
		v = o->arena ? ipk_arena_alloc(o->arena, n * sizeof(*v)) : calloc(n, sizeof(*v));
		if (!v)
			return -ENOMEM;
		memcpy(v, words, n * sizeof(*v));
	}
	if (!a->pooled)
		free(a->v);
	a->v = v;
	a->n = (uint32_t)n;
	a->pooled = o->arena != NULL;
	o->heap |= n && !a->pooled;
	o->present |= FIELD_BIT(field);
	o->noaccess &= ~FIELD_BIT(field);
	return 0;
}

void obj_set_noaccess(struct ipk_object *o, int field)
{
	o->noaccess |= FIELD_BIT(field);
	o->present &= ~FIELD_BIT(field);
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

void ipk_object_get(const struct ipk_object *o, int field, struct ipk_value *v)
{
	const struct field_def *d = &field_defs[field];
	const void *m = (const char *)o + d->offset;
	uint64_t bit = FIELD_BIT(d->known_by);

	memset(v, 0, sizeof(*v));
	v->type = d->info.type;
	if (field == IPK_F_KIND) {
		v->presence = IPK_PRESENT;
		v->s = o->kind->name;
		return;
	}
	if (o->noaccess & bit) {
		v->presence = IPK_NOACCESS;
		return;
	}
	if (!(o->present & bit)) {
		v->presence = IPK_ABSENT;
		return;
	}
	v->presence = IPK_PRESENT;
	switch (d->store) {
	case STORE_I64:
		v->i = *(const int64_t *)m;
		break;
	case STORE_U64:
		v->u = *(const uint64_t *)m;
		v->i = v->u > INT64_MAX ? INT64_MAX : (int64_t)v->u;
		v->is_unsigned = true;
		break;
	case STORE_U32:
		v->u = *(const uint32_t *)m;
		v->i = (int64_t)v->u;
		v->is_unsigned = true;
		break;
	case STORE_STR:
	case STORE_CSTR:
		v->s = *(const char *const *)m;
		if (!v->s)
			v->presence = IPK_ABSENT;
		break;
	case STORE_STRV: {
		const struct ipk_strv *a = m;
		v->strings.v = a->v;
		v->strings.n = a->n;
		break;
	}
	case STORE_LIST: {
		const struct ipk_i64s *a = m;
		v->list.v = a->v;
		v->list.n = a->n;
		v->is_list = true;
		break;
	}
	case STORE_VALUE:
		if (o->kind->value_is_list) {
			v->list.v = o->values.v;
			v->list.n = o->values.n;
			v->is_list = true;
		} else {
			v->i = o->value;
			if (o->kind->value_is_ns)
				v->type = IPK_T_SECONDS;
		}
		break;
	case STORE_HOLDERS:
		v->holders.v = o->holders;
		v->holders.n = o->nholders;
		break;
	case STORE_KIND:
	case STORE_NONE:
		break;
	}
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
	if (obj_has(o, IPK_F_REF) && s->ctx->live && !obj_has(o, IPK_F_NS)) {
		uint64_t ns = ctx_ipc_ns(s->ctx);
		if (ns && (o->kind->fields & FIELD_BIT(IPK_F_NS)))
			obj_set_unum(o, IPK_F_NS, ns);
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
	if (x->name && y->name) {
		int c = strcmp(x->name, y->name);
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
	int rc = list_add(l, o);

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

/* ----------------------------------------------------------------- REFs */

int ref_arg_sysv_id(const char *arg, struct ipk_buf *canon)
{
	char *end;

	if (*arg < '0' || *arg > '9')
		return -EINVAL;
	errno = 0;
	unsigned long id = strtoul(arg, &end, 10);
	if (errno || *end || id > INT_MAX)
		return -EINVAL;
	return ipk_buf_printf(canon, "%lu", id);
}

int ref_arg_number(const char *arg, struct ipk_buf *canon)
{
	char *end;

	if (*arg < '0' || *arg > '9')
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(arg, &end, 10);
	if (errno || *end)
		return -EINVAL;
	return ipk_buf_printf(canon, "%llu", v);
}

int ref_arg_pid_fd(const char *arg, struct ipk_buf *canon)
{
	char *end;

	if (*arg < '0' || *arg > '9')
		return -EINVAL;
	errno = 0;
	unsigned long pid = strtoul(arg, &end, 10);
	if (errno || *end != ':' || pid == 0 || pid > INT_MAX || end[1] < '0' || end[1] > '9')
		return -EINVAL;
	const char *fdtext = end + 1;
	unsigned long fd = strtoul(fdtext, &end, 10);
	if (errno || *end || fd > INT_MAX)
		return -EINVAL;
	return ipk_buf_printf(canon, "%lu:%lu", pid, fd);
}

int ref_arg_posix_name(const char *arg, struct ipk_buf *canon)
{
	const char *name = arg[0] == '/' ? arg + 1 : arg;

	/* One path component, as shm_open(3) and mq_open(3) want it. */
	if (!*name || strchr(name, '/') || strlen(name) > NAME_MAX ||
	    strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return -EINVAL;
	return ipk_buf_printf(canon, "/%s", name);
}

int ipk_ref_parse(const char *ref, const struct ipk_kind **kind, char **canon)
{
	const char *colon = strchr(ref, ':');
	struct ipk_buf b = { 0 };
	char kname[32];

	if (!colon || colon == ref || (size_t)(colon - ref) >= sizeof(kname))
		return -EINVAL;
	memcpy(kname, ref, (size_t)(colon - ref));
	kname[colon - ref] = '\0';
	const struct ipk_kind *k = ipk_kind_find(kname);
	if (!k)
		return -ENOENT;
	int rc = ipk_buf_printf(&b, "%s:", k->name);
	if (!rc)
		rc = k->ref_arg ? k->ref_arg(colon + 1, &b) : -EINVAL;
	if (rc) {
		ipk_buf_free(&b);
		return rc;
	}
	*kind = k;
	*canon = b.s;
	return 0;
}
