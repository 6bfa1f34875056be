/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the three System V kinds share: /proc/sysvipc tables and mode words. */
#include "internal.h"

#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/shm.h>

void sysv_set_mode(struct ipk_object *o, uint32_t mode)
{
	uint32_t status = o->status;

	obj_set_num(o, IPK_F_PERMS, mode & 0777);
	/* The kernel keeps SHM_DEST and SHM_LOCKED in the mode word. */
	if (o->kind->fields & FIELD_BIT(IPK_F_NATTCH)) {
		if (mode & SHM_DEST)
			status |= IPK_ST_DEST;
		if (mode & SHM_LOCKED)
			status |= IPK_ST_LOCKED;
	}
	obj_set_num(o, IPK_F_STATUS, status);
}

void sysv_set_perm(struct ipk_object *o, const struct ipc_perm *perm)
{
	obj_set_num(o, IPK_F_KEY, (int32_t)perm->__key);
	obj_set_num(o, IPK_F_UID, perm->uid);
	obj_set_num(o, IPK_F_GID, perm->gid);
	obj_set_num(o, IPK_F_CUID, perm->cuid);
	obj_set_num(o, IPK_F_CGID, perm->cgid);
	sysv_set_mode(o, perm->mode);
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

static int parse_row(char *line, const struct sysv_column *cols, const int *map,
		     size_t n, struct ipk_object *o)
{
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
				sysv_set_mode(o, (uint32_t)v);
			else if (field_defs[c->field].info.type == IPK_T_TIME)
				sysv_set_time(o, c->field, v);
			else
				obj_set_num(o, c->field, v);
		} else {
			unsigned long long v = strtoull(p, &end, c->base);
			if (errno || end == p)
				return -EINVAL;
			if (c->field == IPK_F_PERMS)
				sysv_set_mode(o, (uint32_t)v);
			else if (field_defs[c->field].info.type == IPK_T_TIME)
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

int sysv_proc_scan(struct ipk_scan *s, const char *file,
		   const struct sysv_column *cols, size_t ncols,
		   int (*finish)(struct ipk_scan *s, struct ipk_object *o))
{
	char path[64], *buf, *save = NULL;
	int map[MAX_COLUMNS];
	size_t n;

	snprintf(path, sizeof(path), "/proc/sysvipc/%s", file);
	if (s->ctx->force_stat_any)
		return -ENOENT;
	int rc = ctx_read_file(s->ctx, path, &buf, NULL);
	if (rc == -ENOENT)
		return rc;
	if (rc) {
		if (rc == -ENOMEM)
			return rc;
		ctx_diag(s->ctx, -rc, "read", path);
		return 0;
	}
	char *line = strtok_r(buf, "\n", &save);
	if (!line || map_header(line, cols, ncols, map, &n)) {
		ctx_diag(s->ctx, EPROTO, "parse", path);
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
		if (parse_row(line, cols, map, n, o) || !obj_has(o, IPK_F_ID)) {
			bad_row = true;
			ipk_object_free(o);
			continue;
		}
		int skip = sysv_set_id(s, o, (int)o->id);
		if (skip > 0) {
			ipk_object_free(o);
			continue;
		}
		rc = skip;
		int drop = rc ? 0 : finish(s, o);
		if (rc || drop) {
			ipk_object_free(o);
			if (drop < 0)
				rc = drop;
			continue;
		}
		rc = scan_add(s, o);
	}
	if (bad_row)
		ctx_diag(s->ctx, EPROTO, "parse a line of", path);
	free(buf);
	return rc;
}

int sysv_set_id(struct ipk_scan *s, struct ipk_object *o, int id)
{
	char arg[24];

	fmt_i64(arg, id);
	if (!scan_wants(s, arg))
		return 1;
	obj_set_num(o, IPK_F_ID, id);
	return obj_set_ref(o, arg);
}

int sysv_each_index(struct ipk_scan *s, int max, int (*one)(struct ipk_scan *s, int idx))
{
	int rc = 0;

	if (s->only) {
		int id = atoi(s->only);
		int low = id & 0x7fff, high = id & 0xffffff;

		rc = one(s, low);
		if (!rc && high != low)
			rc = one(s, high);
		return rc;
	}
	for (int idx = 0; idx <= max && !rc; idx++)
		rc = one(s, idx);
	return rc;
}
