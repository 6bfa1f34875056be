/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The field table.  What a field is (names, type, help) comes from the
 * one list IPK_FIELDS of ipckit.h; where it is kept is below: the fields
 * every kind shares have a member of struct ipk_object, every other field
 * is an extra (lib/object.c), so a new field is one row of IPK_FIELDS.  A
 * member of the record's union belongs to the kinds of one part only.
 */
#include "internal.h"

#include <stddef.h>
#include <strings.h>

const struct ipk_field_info field_info[IPK_F_COUNT] = {
#define INFO(id, json_, column_, type_, flags_, help_)				\
	[IPK_F_##id] = { .json = json_, .column = column_, .help = help_,	\
			 .type = type_, .flags = flags_ },
	IPK_FIELDS(INFO)
#undef INFO
};

#define AT(member) OBJ_PART_ANY, offsetof(struct ipk_object, member)
/* members of the union of struct ipk_object: only kinds of that part have the field */
#define SYSV_AT(member) OBJ_PART_SYSV, offsetof(struct ipk_object, member)
#define FILE_AT(member) OBJ_PART_FILE, offsetof(struct ipk_object, member)

/* Members of the record; a field not named here is an extra. */
const struct field_store_def field_store[IPK_F_COUNT] = {
	[IPK_F_KIND] = { STORE_KIND, AT(kind), 0 },
	[IPK_F_REF] = { STORE_STR, AT(ref), 0 },
	[IPK_F_ID] = { STORE_I32, SYSV_AT(id), 0 },
	[IPK_F_KEY] = { STORE_I32, SYSV_AT(key), 0 },
	[IPK_F_NAME] = { STORE_STR, FILE_AT(name), 0 },
	[IPK_F_OWNER] = { STORE_U32, AT(uid), IPK_F_UID },
	[IPK_F_UID] = { STORE_U32, AT(uid), 0 },
	[IPK_F_GROUP] = { STORE_U32, AT(gid), IPK_F_GID },
	[IPK_F_GID] = { STORE_U32, AT(gid), 0 },
	[IPK_F_CUSER] = { STORE_U32, SYSV_AT(cuid), IPK_F_CUID },
	[IPK_F_CUID] = { STORE_U32, SYSV_AT(cuid), 0 },
	[IPK_F_CGROUP] = { STORE_U32, SYSV_AT(cgid), IPK_F_CGID },
	[IPK_F_CGID] = { STORE_U32, SYSV_AT(cgid), 0 },
	[IPK_F_PERMS] = { STORE_U32, AT(perms), 0 },
	[IPK_F_SIZE] = { STORE_U64, AT(size), 0 },
	[IPK_F_CAPACITY] = { STORE_U64, AT(capacity), 0 },
	[IPK_F_MESSAGES] = { STORE_U64, AT(messages), 0 },
	/* an array VALUE is an extra, whatever the kind's part (value_is_list) */
	[IPK_F_VALUE] = { STORE_VALUE, FILE_AT(value), 0 },
	[IPK_F_NATTCH] = { STORE_U64, AT(nattch), 0 },
	[IPK_F_HOLDERS] = { STORE_HOLDERS, AT(holders), 0 },
	[IPK_F_CPID] = { STORE_I32, SYSV_AT(cpid), 0 },
	[IPK_F_LPID] = { STORE_I32, SYSV_AT(lpid), 0 },
	[IPK_F_CTIME] = { STORE_I64, AT(ctime), 0 },
	[IPK_F_ATIME] = { STORE_I64, AT(atime), 0 },
	[IPK_F_DTIME] = { STORE_I64, SYSV_AT(dtime), 0 },
	[IPK_F_STATUS] = { STORE_U32, AT(status), 0 },
	[IPK_F_NS] = { STORE_U64, AT(ns), 0 },
	[IPK_F_INODE] = { STORE_U64, FILE_AT(ino), 0 },
	[IPK_F_NSEMS] = { STORE_U32, SYSV_AT(nsems), 0 },
	[IPK_F_LSPID] = { STORE_I32, SYSV_AT(lspid), 0 },
};

_Static_assert(sizeof(struct ipk_object) < 65536, "member offsets are 16 bits");

bool field_part_ok(const struct ipk_kind *k, int field)
{
	unsigned part = field_store[field].part;

	return part == OBJ_PART_ANY || part == kind_part(k) ||
	       (field == IPK_F_VALUE && k->value_is_list);
}

bool field_shares_member(int a, int b)
{
	const struct field_store_def *x = &field_store[a], *y = &field_store[b];

	return a != b && field_data(a) == a && field_data(b) == b && x->store != STORE_EXTRA &&
	       y->store != STORE_EXTRA && x->offset == y->offset;
}

int ipk_field_count(void)
{
	return IPK_F_COUNT;
}

const struct ipk_field_info *ipk_field_info(int field)
{
	if (field < 0 || field >= IPK_F_COUNT)
		return NULL;
	return &field_info[field];
}

int ipk_field_find(const char *name)
{
	if (!name)
		return -1;
	for (int f = 0; f < IPK_F_COUNT; f++) {
		if (strcasecmp(name, field_info[f].column) == 0 ||
		    strcasecmp(name, field_info[f].json) == 0)
			return f;
	}
	return -1;
}
