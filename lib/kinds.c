/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kind table: the one list of every kind ipckit knows.
 *
 * To add a kind, named or held by processes alike:
 *   1. write lib/kinds/<kind>.c ending in
 *        const struct ipk_kind kind_<kind> = { .name = ..., ... };
 *      with the slots it needs (struct ipk_kind in internal.h says what
 *      each means): a named kind scans its objects (.scan) and finds its
 *      holders among files (.holders = HOLDERS_FILES); a kind that lives
 *      in processes claims the fds or mappings that are its own (.claim,
 *      and .fdinfo to read their fdinfo) and makes its objects of them
 *      with procs_each_object(); a kind whose objects are files of
 *      /dev/shm or of the mqueue directory names them to watches
 *      (.watch_dir, .watch_name); limits it runs into are rows of .limits;
 *      a field only it has is one row of IPK_FIELDS in ipckit.h (and its
 *      rows in man/ipc-ls.1 and man/ipckit.7);
 *   2. add X(<kind>) to IPK_KINDS below, where it should sort in listings
 *      (this order is also the order in which kinds are offered fds);
 *   3. add its name to the kind tables of man/ipckit.7, and a kind ipc-mk
 *      makes to the synopsis of man/ipc-mk.1 (tests check both);
 *   4. teach tests/helpers/ipk-factory.c to make one: the tests that loop
 *      over every kind (tests/cli/kinds.bats) make it with that.
 * Nothing else in lib/, and nothing in cmd/ or tui/, changes.  A new
 * field or a kind in the frozen fixtures changes the goldens too:
 * GOLDEN_UPDATE=1 tests/run-all cli tests/cli/golden.bats, then review.
 */
#include "internal.h"

#include <assert.h>

#include <strings.h>

#define IPK_KINDS(X)		\
	X(sysv_msg)		\
	X(sysv_sem)		\
	X(sysv_shm)		\
	X(posix_mq)		\
	X(posix_sem)		\
	X(posix_shm)		\
	X(fifo)			\
	X(pipe)			\
	X(unix)			\
	X(eventfd)		\
	X(timerfd)		\
	X(signalfd)		\
	X(memfd)		\
	X(pidfd)

#define DECLARE(k) extern const struct ipk_kind kind_##k;
IPK_KINDS(DECLARE)
#undef DECLARE

#define ENTRY(k) &kind_##k,
static const struct ipk_kind *const kinds[] = { IPK_KINDS(ENTRY) };
#undef ENTRY

_Static_assert(ARRAY_SIZE(kinds) <= 64, "kind masks are one uint64_t");
_Static_assert(ARRAY_SIZE(kinds) < HELD_FILE, "process entries name their kind in a byte");

/*
 * Each kind's field list as a set, made once before main(); a field kept
 * in the part of the record the kind has not, or in the bytes of another
 * of its fields, would overwrite another.
 */
static struct fieldset fieldsets[ARRAY_SIZE(kinds)];

__attribute__((constructor)) static void build_fieldsets(void)
{
	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
		fieldset_add(&fieldsets[k], IPK_F_KIND);
		for (const int16_t *f = kinds[k]->fields; f && *f >= 0; f++) {
			assert(field_part_ok(kinds[k], *f));
			for (const int16_t *g = kinds[k]->fields; *g >= 0; g++)
				assert(!field_shares_member(*f, *g));
			fieldset_add(&fieldsets[k], *f);
		}
	}
}

/*
 * How many extras the objects of each kind came to hold so far: a new
 * object's first array of extras is that long, neither copied as it grows
 * nor longer than its kind needs.
 */
static uint8_t extras_seen[ARRAY_SIZE(kinds)];

size_t kind_extras_hint(const struct ipk_kind *k)
{
	size_t i = ipk_kind_index(k);

	return i < ARRAY_SIZE(kinds) ? __atomic_load_n(&extras_seen[i], __ATOMIC_RELAXED) : 0;
}

void kind_extras_used(const struct ipk_kind *k, size_t n)
{
	size_t i = ipk_kind_index(k);

	if (i < ARRAY_SIZE(kinds) && n <= UINT8_MAX &&
	    n > __atomic_load_n(&extras_seen[i], __ATOMIC_RELAXED))
		__atomic_store_n(&extras_seen[i], (uint8_t)n, __ATOMIC_RELAXED);
}

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
	for (size_t i = 0; name && i < ARRAY_SIZE(kinds); i++) {
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
	return k ? k->name : NULL;
}

const char *ipk_kind_alias(const struct ipk_kind *k)
{
	return k ? k->alias : NULL;
}

const char *ipk_kind_description(const struct ipk_kind *k)
{
	return k ? k->description : NULL;
}

enum ipk_family ipk_kind_family(const struct ipk_kind *k)
{
	return k ? k->family : IPK_FAMILY_FD;
}

const struct fieldset *kind_fields(const struct ipk_kind *k)
{
	static const struct fieldset none;
	size_t i = ipk_kind_index(k);

	return i < ARRAY_SIZE(kinds) ? &fieldsets[i] : &none;
}

bool ipk_kind_has_field(const struct ipk_kind *k, int field)
{
	if (!k || field < 0 || field >= IPK_F_COUNT)
		return false;
	return kind_has(k, field);
}

int kind_scan(struct ipk_scan *s)
{
	return s->kind->scan ? s->kind->scan(s) : 0;
}

int kind_detail(struct ipk_ctx *ctx, struct ipk_object *o)
{
	return o->kind->detail ? o->kind->detail(ctx, o) : 0;
}

size_t kind_users(const struct ipk_object *o, struct obj_user *v)
{
	return o->kind->users ? o->kind->users(o, v) : 0;
}

int ipk_object_fill_detail(struct ipk_ctx *ctx, struct ipk_object *o)
{
	if (!ctx || !o)
		return -EINVAL;
	return kind_detail(ctx, o);
}
