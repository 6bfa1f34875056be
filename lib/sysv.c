/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the three System V kinds share: /proc/sysvipc tables and mode words. */
#include "internal.h"

#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

void sysv_set_mode(struct ipk_object *o, uint32_t mode, bool shm)
{
	uint32_t status = o->status;

	obj_set_num(o, IPK_F_PERMS, mode & 0777);
	/* The kernel keeps SHM_DEST and SHM_LOCKED in a segment's mode word. */
	if (shm) {
		if (mode & SHM_DEST)
			status |= IPK_ST_DEST;
		if (mode & SHM_LOCKED)
			status |= IPK_ST_LOCKED;
	}
	obj_set_num(o, IPK_F_STATUS, status);
}

void sysv_set_perm(struct ipk_object *o, const struct ipc_perm *perm, bool shm)
{
	obj_set_num(o, IPK_F_KEY, (int32_t)perm->__key);
	obj_set_num(o, IPK_F_UID, perm->uid);
	obj_set_num(o, IPK_F_GID, perm->gid);
	obj_set_num(o, IPK_F_CUID, perm->cuid);
	obj_set_num(o, IPK_F_CGID, perm->cgid);
	sysv_set_mode(o, perm->mode, shm);
}

void sysv_set_time(struct ipk_object *o, int field, int64_t t)
{
	if (t)
		obj_set_num(o, field, t);
}

#define MAX_COLUMNS 32

/* Maps header words to @cols; -1 for columns we do not know. */
static int map_header(char *line, const struct sysv_column *cols, size_t ncols,
		      int map[MAX_COLUMNS], size_t *n)
{
	char *save = NULL;

	*n = 0;
	for (char *w = strtok_r(line, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (*n == MAX_COLUMNS)
			return -EINVAL;
		map[*n] = -1;
		for (size_t i = 0; i < ncols; i++)
			if (strcmp(w, cols[i].header) == 0)
				map[*n] = (int)i;
		(*n)++;
	}
	/* Without an id nothing can be named: refuse a file that lacks one. */
	for (size_t i = 0; i < *n; i++)
		if (map[i] >= 0 && cols[map[i]].field == IPK_F_ID)
			return 0;
	return -EINVAL;
}

static int parse_row(char *line, const struct sysv_source *src, const int *map,
		     size_t n, struct ipk_object *o)
{
	const struct sysv_column *cols = src->columns;
	char *p = line;

	for (size_t i = 0; i < n; i++) {
		char *end;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return -EINVAL;
		if (map[i] < 0 || cols[map[i]].field < 0) {
			while (*p && *p != ' ' && *p != '\t')
				p++;
			continue;
		}
		const struct sysv_column *c = &cols[map[i]];
		errno = 0;
		/* rss and swap may exceed INT64_MAX only in theory: clamp. */
		if (*p == '-') {
			long long v = strtoll(p, &end, c->base);
			if (errno || end == p)
				return -EINVAL;
			if (c->field == IPK_F_PERMS)
				sysv_set_mode(o, (uint32_t)v, src->shm_mode);
			else if (field_info[c->field].type == IPK_T_TIME)
				sysv_set_time(o, c->field, v);
			else
				obj_set_num(o, c->field, v);
		} else {
			unsigned long long v = strtoull(p, &end, c->base);
			if (errno || end == p)
				return -EINVAL;
			if (c->field == IPK_F_PERMS)
				sysv_set_mode(o, (uint32_t)v, src->shm_mode);
			else if (field_info[c->field].type == IPK_T_TIME)
				sysv_set_time(o, c->field, v > INT64_MAX ? INT64_MAX : (int64_t)v);
			else if (c->field == IPK_F_KEY)
				obj_set_num(o, c->field, (int32_t)(uint32_t)v);
			else
				obj_set_unum(o, c->field, v);
		}
		p = end;
	}
	return 0;
}

/* Id and REF of a new object; > 0 when a lookup (s->only) wants another. */
static int set_id(struct ipk_scan *s, struct ipk_object *o, int id)
{
	char arg[24];

	fmt_i64(arg, id);
	if (!scan_wants(s, arg))
		return 1;
	obj_set_num(o, IPK_F_ID, id);
	return obj_set_ref(o, arg);
}

/* Completes and adds @o, or drops it; only -ENOMEM is returned. */
static int finish(struct ipk_scan *s, const struct sysv_source *src, struct ipk_object *o)
{
	int rc = src->finish ? src->finish(s, o) : 0;

	if (rc) {
		ipk_object_free(o);
		return rc < 0 ? rc : 0;
	}
	return scan_add(s, o);
}

/* /proc/sysvipc/<file>, columns mapped by their header names; -ENOENT if absent. */
static int proc_scan(struct ipk_scan *s, const struct sysv_source *src)
{
	char path[64], *buf, *save = NULL;
	int map[MAX_COLUMNS];
	size_t n;

	snprintf(path, sizeof(path), "/proc/sysvipc/%s", src->proc_file);
	if (s->ctx->force_stat_any)
		return -ENOENT;
	int rc = ctx_read_file(s->ctx, path, &buf, NULL);
	if (rc == -ENOENT || rc == -ENOMEM)
		return rc;
	if (rc) {
		scan_diag(s, -rc, "read", path);
		return 0;
	}
	char *line = strtok_r(buf, "\n", &save);
	if (!line || map_header(line, src->columns, src->ncolumns, map, &n)) {
		scan_diag(s, EPROTO, "parse", path);
		free(buf);
		return 0;
	}
	bool bad_row = false;
	while (!rc && (line = strtok_r(NULL, "\n", &save))) {
		struct ipk_object *o = scan_obj_new(s);

		if (!o) {
			rc = -ENOMEM;
			break;
		}
		/* an id is an int: a larger one is no object of this kernel */
		if (parse_row(line, src, map, n, o) || !obj_has(o, IPK_F_ID) || o->id < 0 ||
		    o->id > INT_MAX) {
			bad_row = true;
			ipk_object_free(o);
			continue;
		}
		int skip = set_id(s, o, (int)o->id);
		if (skip) {
			ipk_object_free(o);
			rc = skip < 0 ? skip : 0;
			continue;
		}
		rc = finish(s, src, o);
	}
	if (bad_row)
		scan_diag(s, EPROTO, "parse a line of", path);
	free(buf);
	return rc;
}

union sysv_ds {
	struct msqid_ds msg;
	struct semid_ds sem;
	struct shmid_ds shm;
};

/* One object by its index: 0 for a free slot or one gone since. */
static int stat_one(struct ipk_scan *s, const struct sysv_source *src, int idx)
{
	/* zeroed: valgrind does not know that *_STAT_ANY fills it */
	union sysv_ds ds;
	memset(&ds, 0, sizeof(ds));
	int id = src->stat_index(idx, &ds);

	if (id < 0)
		return 0;
	if (s->unchanged &&
	    s->unchanged(s, id, &ds, sizeof(ds), src->moved_at ? src->moved_at(&ds) : INT64_MIN))
		return 0;
	struct ipk_object *o = scan_obj_new(s);
	if (!o)
		return -ENOMEM;
	int skip = set_id(s, o, id);
	if (skip) {
		ipk_object_free(o);
		return skip < 0 ? skip : 0;
	}
	src->fill(o, &ds);
	return finish(s, src, o);
}

/*
 * *_STAT_ANY takes an index, not an id: walk every index up to the highest
 * in use, or for a lookup (s->only) the two an id can have (IPCMNI is
 * 2^15, or 2^24 with ipcmni_extend).
 */
static int stat_scan(struct ipk_scan *s, const struct sysv_source *src)
{
	int rc = 0;

	if (s->only) {
		/* the index of most ids is the low one: the high one only when that fails */
		int id = atoi(s->only);
		int low = id & 0x7fff, high = id & 0xffffff;
		size_t before = s->list ? s->list->n : 0;

		rc = stat_one(s, src, low);
		if (!rc && high != low && (!s->list || s->list->n == before))
			rc = stat_one(s, src, high);
		return rc;
	}
	int max = src->max_index();
	if (max < 0) {
		scan_diag(s, errno, "read", s->kind->name);
		return 0;
	}
	for (int idx = 0; idx <= max && !rc; idx++)
		rc = stat_one(s, src, idx);
	return rc;
}

int sysv_scan(struct ipk_scan *s, const struct sysv_source *src)
{
	int rc = -ENOENT;

	if (!s->ctx->live || (src->prefer_proc && src->prefer_proc(s->ctx)))
		rc = proc_scan(s, src);
	if (rc != -ENOENT)
		return rc;
	if (s->ctx->live)
		return stat_scan(s, src);
	char path[64];
	snprintf(path, sizeof(path), "/proc/sysvipc/%s", src->proc_file);
	scan_diag(s, ENOENT, "read", path);
	return 0;
}

static int sysv_dest(const struct ipk_object *o, struct ipk_error *e)
{
	/* IPC_RMID of an attached segment keeps it, keyless, until the last detach */
	if (o->status & IPK_ST_DEST)
		return err_set(e, ENOENT, "already removed: it goes when the last of its "
			       "%" PRIu64 " attaches ends", o->nattch);
	return 0;
}

/*
 * Ids are reused: the id selected a while ago may name a new object now.
 * The key and the ctime tell them apart (IPC_SET changes the ctime too:
 * an object changed since is skipped as well, which is what a careful
 * user wants).  *_STAT_ANY needs no read permission, so this works for
 * every object a caller may remove.
 */
int sysv_still(const struct sysv_source *src, const struct ipk_object *o, unsigned flags,
	       struct ipk_object *now, const struct ipk_object **cur, struct ipk_error *e)
{
	int idx[2] = { (int)(o->id & 0x7fff), (int)(o->id & 0xffffff) };

	*now = (struct ipk_object){ .kind = o->kind };
	*cur = now;
	if (flags & IPK_RM_FRESH) {
		*cur = o;
		return sysv_dest(o, e);
	}
	for (size_t i = 0; i < ARRAY_SIZE(idx); i++) {
		union sysv_ds ds;

		if (i && idx[i] == idx[0])
			break;
		memset(&ds, 0, sizeof(ds));
		if (src->stat_index(idx[i], &ds) != o->id)
			continue;
		*now = (struct ipk_object){ .kind = o->kind };
		src->fill(now, &ds);
		obj_set_num(now, IPK_F_ID, o->id);
		int rc = sysv_dest(now, e);
		if (rc)
			return rc;
		return ipk_object_same(o, now, e) ? 0 : -ESTALE;
	}
	return err_set(e, ENOENT, "gone since it was selected");
}

int sysv_get(const struct ipk_kind *k, const struct ipk_create *c,
	     int (*get)(const struct ipk_create *c, key_t key, int flags),
	     const char *no_room, bool *existed, struct ipk_error *e)
{
	key_t key = (c->set & IPK_ATTR_BIT(IPK_ATTR_KEY)) ? c->key : IPC_PRIVATE;
	int mode = (int)((c->set & IPK_ATTR_BIT(IPK_ATTR_MODE)) ? c->mode : 0600);
	int id = get(c, key, IPC_CREAT | IPC_EXCL | mode);

	if (id >= 0)
		return id;
	int err = errno;
	if (err == EEXIST) {
		/* asking for nothing, the kernel checks nothing: read is what "open" needs */
		int old = c->exclusive ? -1 : get(c, key, 0400);
		if (old >= 0) {
			*existed = true;
			return old;
		}
		bool denied = !c->exclusive && errno == EACCES;
		if ((old = get(c, key, 0)) >= 0) {
			char arg[24], ref[48];

			fmt_i64(arg, old);
			ref_put(ref, k, arg);
			return denied ? err_set(e, EACCES, "%s has key 0x%08" PRIx32 ", and you "
						"may not open it", ref, (uint32_t)key)
				      : err_set(e, EEXIST, "%s has key 0x%08" PRIx32 " already",
						ref, (uint32_t)key);
		}
		err = errno;
	}
	if (err == ENOSPC)
		return err_set(e, ENOSPC, "no room for another: %s", no_room);
	return err_set(e, err, "%s", ipk_strerror(err));
}
