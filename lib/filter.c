/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The filters every command shares, implemented once. */
#include "internal.h"

#include <fnmatch.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>

struct ipk_filter *ipk_filter_new(void)
{
	return calloc(1, sizeof(struct ipk_filter));
}

void ipk_filter_free(struct ipk_filter *f)
{
	if (!f)
		return;
	free(f->name_glob);
	free(f);
}

int ipk_filter_add_kind(struct ipk_filter *f, const struct ipk_kind *k)
{
	if (!f || !k)
		return -EINVAL;
	size_t i = ipk_kind_index(k);

	if (i >= ipk_kind_count())
		return -EINVAL;
	f->kinds |= UINT64_C(1) << i;
	return 0;
}

int ipk_filter_set_kinds(struct ipk_filter *f, const char *list, char **bad)
{
	if (!f || !list)
		return -EINVAL;
	char *copy = strdup(list), *save = NULL;
	uint64_t mask = 0;
	int rc = 0;

	if (!copy)
		return -ENOMEM;
	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		const struct ipk_kind *k = ipk_kind_find(w);
		if (!k) {
			if (bad)
				*bad = strdup(w);
			rc = -EINVAL;
			break;
		}
		mask |= UINT64_C(1) << ipk_kind_index(k);
	}
	free(copy);
	if (!rc && !mask) {
		if (bad)
			*bad = strdup(list);
		rc = -EINVAL;
	}
	if (!rc)
		f->kinds |= mask;
	return rc;
}

int ipk_filter_set_owner(struct ipk_filter *f, const char *user)
{
	if (!f || !user)
		return -EINVAL;
	char buf[16384], *end;
	struct passwd pw, *res = NULL;

	if (!*user)
		return -EINVAL;
	if (getpwnam_r(user, &pw, buf, sizeof(buf), &res) == 0 && res) {
		f->uid = res->pw_uid;
	} else {
		errno = 0;
		unsigned long uid = strtoul(user, &end, 10);
		if (errno || *end || uid > UINT32_MAX - 1)
			return -ENOENT;
		f->uid = (uint32_t)uid;
	}
	f->has_uid = true;
	return 0;
}

int ipk_filter_set_name(struct ipk_filter *f, const char *glob)
{
	if (!f || !glob)
		return -EINVAL;
	char *copy = strdup(glob);

	if (!copy)
		return -ENOMEM;
	free(f->name_glob);
	f->name_glob = copy;
	return 0;
}

int ipk_filter_set_key(struct ipk_filter *f, const char *key)
{
	if (!f || !key)
		return -EINVAL;
	int rc = ipk_parse_key(key, &f->key);

	if (!rc)
		f->has_key = true;
	return rc;
}

int ipk_filter_set_older_than(struct ipk_filter *f, const char *duration)
{
	if (!f)
		return -EINVAL;
	int rc = ipk_parse_duration(duration, &f->older_than);

	if (!rc)
		f->has_older_than = true;
	return rc;
}

int ipk_filter_set_min_size(struct ipk_filter *f, const char *size)
{
	if (!f || !size)
		return -EINVAL;
	int rc = ipk_parse_size(size, &f->min_size);

	if (!rc)
		f->has_min_size = true;
	return rc;
}

int ipk_filter_set_pid(struct ipk_filter *f, const char *pid)
{
	if (!f || !pid)
		return -EINVAL;
	char *end;

	errno = 0;
	long v = strtol(pid, &end, 10);
	if (errno || *end || end == pid || v <= 0 || v > INT32_MAX)
		return -EINVAL;
	f->pid = (int32_t)v;
	f->has_pid = true;
	return 0;
}

int ipk_filter_set_orphan(struct ipk_filter *f, bool orphan)
{
	if (!f)
		return -EINVAL;
	f->orphan = orphan;
	return 0;
}

int ipk_filter_set_orphan_unproven(struct ipk_filter *f, bool also)
{
	if (!f)
		return -EINVAL;
	f->orphan_unproven = also;
	return 0;
}

static bool held_by(const struct ipk_object *o, int32_t pid)
{
	for (size_t i = 0; i < o->nholders; i++)
		if (o->holders[i].pid == pid)
			return true;
	return false;
}

bool ipk_filter_wants_kind(const struct ipk_filter *f, const struct ipk_kind *k)
{
	if (!k)
		return false;
	return !f || !f->kinds || (f->kinds & (UINT64_C(1) << ipk_kind_index(k)));
}

/*
 * A path (a FIFO's, a socket's) matches as the shell would: '*' stays
 * within one component, so "/tmp/x*" is not "/tmp/x/y".
 */
static bool name_matches(const char *glob, const struct ipk_object *o)
{
	const char *name = obj_name(o);

	if (!name)
		return false;
	if (fnmatch(glob, name, FNM_PATHNAME) == 0)
		return true;
	/* "jobs*" finds "/jobs1": users rarely type a POSIX name's leading slash */
	return o->kind->family == IPK_FAMILY_POSIX && name[0] == '/' && glob[0] != '/' &&
	       fnmatch(glob, name + 1, FNM_PATHNAME) == 0;
}

bool ipk_filter_match(const struct ipk_filter *f, const struct ipk_object *o, time_t now)
{
	if (!o)
		return false;
	if (!f)
		return true;
	if (!ipk_filter_wants_kind(f, o->kind))
		return false;
	if (f->has_uid && (!obj_has(o, IPK_F_UID) || o->uid != f->uid))
		return false;
	if (f->name_glob && !name_matches(f->name_glob, o))
		return false;
	if (f->has_key && (!obj_has(o, IPK_F_KEY) || (int32_t)o->key != f->key))
		return false;
	if (f->has_older_than &&
	    (!obj_has(o, IPK_F_CTIME) || o->ctime > (int64_t)now - f->older_than))
		return false;
	if (f->has_min_size && (!obj_has(o, IPK_F_SIZE) || o->size < f->min_size))
		return false;
	if (f->has_pid && !held_by(o, f->pid))
		return false;
	if (f->orphan && !(obj_has(o, IPK_F_STATUS) && (o->status & IPK_ST_ORPHAN)) &&
	    !(f->orphan_unproven && inuse_unheld(o)))
		return false;
	return true;
}
