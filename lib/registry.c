/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kind registry: the one list of every kind ipckit knows.
 *
 * To add a kind:
 *   1. write lib/kinds/<kind>.c ending in
 *        const struct ipk_kind ipk_kind_<kind> = { .name = ..., ... };
 *      (see struct ipk_kind in internal.h for what each slot means);
 *   2. add X(<kind>) to IPK_KINDS below, where it should sort in listings.
 * Nothing in cmd/ or tui/ changes: they go through this table.
 */
#include "internal.h"

#include <stdlib.h>
#include <strings.h>

#define IPK_KINDS(X)		\
	X(sysv_msg)		\
	X(sysv_sem)		\
	X(sysv_shm)		\
	X(posix_mq)		\
	X(posix_sem)		\
	X(posix_shm)

#define DECLARE(k) extern const struct ipk_kind ipk_kind_##k;
IPK_KINDS(DECLARE)
#undef DECLARE

#define ENTRY(k) &ipk_kind_##k,
static const struct ipk_kind *const kinds[] = { IPK_KINDS(ENTRY) };
#undef ENTRY

_Static_assert(ARRAY_SIZE(kinds) <= 64, "kind masks are one uint64_t");

size_t ipk_kind_count(void)
{
	return ARRAY_SIZE(kinds);
}

const struct ipk_kind *ipk_kind_at(size_t i)
{
	return i < ARRAY_SIZE(kinds) ? kinds[i] : NULL;
}

const struct ipk_kind *ipk_kind_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (strcasecmp(name, kinds[i]->name) == 0 ||
		    (kinds[i]->alias && strcasecmp(name, kinds[i]->alias) == 0))
			return kinds[i];
	}
	return NULL;
}

size_t ipk_kind_index(const struct ipk_kind *k)
{
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (kinds[i] == k)
			return i;
	return ARRAY_SIZE(kinds);
}

const char *ipk_kind_name(const struct ipk_kind *k)
{
	return k->name;
}

const char *ipk_kind_alias(const struct ipk_kind *k)
{
	return k->alias;
}

const char *ipk_kind_description(const struct ipk_kind *k)
{
	return k->description;
}

enum ipk_family ipk_kind_family(const struct ipk_kind *k)
{
	return k->family;
}

bool ipk_kind_has_field(const struct ipk_kind *k, int field)
{
	if (field < 0 || field >= IPK_F_COUNT)
		return false;
	return field == IPK_F_KIND || (k->fields & FIELD_BIT(field));
}

int kind_scan(struct ipk_scan *s)
{
	return s->kind->scan ? s->kind->scan(s) : 0;
}

int kind_detail(struct ipk_ctx *ctx, struct ipk_object *o)
{
	return o->kind->detail ? o->kind->detail(ctx, o) : 0;
}

int ipk_object_fill_detail(struct ipk_ctx *ctx, struct ipk_object *o)
{
	return kind_detail(ctx, o);
}

struct ipk_list *ipk_scan(struct ipk_ctx *ctx, const struct ipk_filter *f, unsigned flags)
{
	struct ipk_list *all = calloc(1, sizeof(*all));
	time_t now = time(NULL);

	if (!all)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		struct ipk_list found = { 0 };
		struct ipk_scan s = {
			.ctx = ctx, .kind = kinds[i], .filter = f,
			.flags = flags, .list = &found,
		};

		if (f && !ipk_filter_wants_kind(f, kinds[i]))
			continue;
		int rc = kind_scan(&s);
		for (size_t j = 0; j < found.n; j++) {
			struct ipk_object *o = found.v[j];

			if (!rc && (!f || ipk_filter_match(f, o, now)) &&
			    (!(flags & IPK_SCAN_DETAIL) || kind_detail(ctx, o) != -ENOMEM))
				rc = list_add(all, o);
			else
				ipk_object_free(o);
			if (rc)
				found.v[j] = NULL;
		}
		free(found.v);
		if (rc) {
			ipk_list_free(all);
			errno = -rc;
			return NULL;
		}
	}
	list_sort(all);
	return all;
}

int ipk_lookup(struct ipk_ctx *ctx, const char *ref, struct ipk_object **out)
{
	const struct ipk_kind *k;
	struct ipk_list found = { 0 };
	char *canon;
	int rc = ipk_ref_parse(ref, &k, &canon);

	if (rc)
		return rc;
	struct ipk_scan s = {
		.ctx = ctx, .kind = k, .list = &found,
		.only = canon + strlen(k->name) + 1,
	};
	rc = kind_scan(&s);
	*out = NULL;
	for (size_t i = 0; i < found.n; i++) {
		if (!rc && !*out && strcmp(found.v[i]->ref, canon) == 0)
			*out = found.v[i];
		else
			ipk_object_free(found.v[i]);
	}
	free(found.v);
	free(canon);
	if (rc)
		return rc;
	if (!*out)
		return -ESRCH;
	rc = kind_detail(ctx, *out);
	if (rc == -ENOMEM) {
		ipk_object_free(*out);
		*out = NULL;
		return rc;
	}
	return 0;
}
