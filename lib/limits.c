/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Kernel limits on IPC objects and how much of each is in use.  The rows
 * are the kinds': each kind lists the limits it runs into (.limits) and
 * reads their use (.limits_read); a row read from /proc/sys needs no code.
 * This is the only place that reads a limit: the checks of ipk_create()
 * and the benchmarks ask limit_get().
 */
#include "internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <unistd.h>

static int read_word(struct ipk_ctx *ctx, const char *path, int word, uint64_t *v)
{
	char full[128], *buf, *p, *end;

	snprintf(full, sizeof(full), "/proc/sys/%s", path);
	int rc = ctx_read_file(ctx, full, &buf, NULL);
	if (rc)
		return rc;
	p = buf;
	rc = -EINVAL;
	for (int i = 0; i <= word; i++) {
		errno = 0;
		unsigned long long n = strtoull(p, &end, 10);
		if (errno || end == p)
			break;
		if (i == word) {
			*v = n;
			rc = 0;
		}
		p = end;
	}
	free(buf);
	return rc;
}

static bool scale_pages(long pagesize, uint64_t *v)
{
	return !__builtin_mul_overflow(*v, (uint64_t)pagesize, v);
}

/* The limit of a row, as far as /proc/sys or a constant gives it. */
static void fill_limit(struct ipk_ctx *ctx, const struct limit_def *d, struct ipk_limit *l)
{
	*l = (struct ipk_limit){ .resource = d->resource, .description = d->description,
				 .source = d->shown, .unit = d->unit };
	if (d->sysctl) {
		l->has_limit = read_word(ctx, d->sysctl, d->word, &l->limit) == 0;
	} else if (d->constant) {
		l->limit = d->constant;
		l->has_limit = true;
	}
	if (l->has_limit && d->zero_unlimited && l->limit == 0)
		l->unlimited = true;
	long pagesize = ctx ? ctx->pagesize : sysconf(_SC_PAGESIZE);
	if (l->has_limit && !l->unlimited && d->pages && !scale_pages(pagesize, &l->limit))
		l->unlimited = true;	/* more than 2^64 bytes: no limit in practice */
}

int ipk_limits(struct ipk_ctx *ctx, struct ipk_limit **out, size_t *n)
{
	size_t total = 0;

	if (!ctx || !out || !n)
		return -EINVAL;
	for (size_t k = 0; k < ipk_kind_count(); k++)
		total += ipk_kind_at(k)->nlimits;
	struct ipk_limit *v = calloc(total ? total : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	size_t i = 0;
	for (size_t k = 0; k < ipk_kind_count(); k++) {
		const struct ipk_kind *kind = ipk_kind_at(k);
		struct ipk_limit *rows = &v[i];
		for (size_t r = 0; r < kind->nlimits; r++)
			fill_limit(ctx, &kind->limits[r], &v[i++]);
		if (kind->limits_read && kind->nlimits)
			kind->limits_read(ctx, rows);
		for (size_t r = 0; r < kind->nlimits; r++)
			if (!rows[r].has_used)
				rows[r].used = 0;
	}
	*out = v;
	*n = total;
	return 0;
}

int limit_get(struct ipk_ctx *ctx, const char *resource, struct ipk_limit *l)
{
	for (size_t k = 0; k < ipk_kind_count(); k++) {
		const struct ipk_kind *kind = ipk_kind_at(k);
		for (size_t r = 0; r < kind->nlimits; r++) {
			if (strcmp(kind->limits[r].resource, resource) != 0)
				continue;
			fill_limit(ctx, &kind->limits[r], l);
			/* limits that only the kind can read (RLIMIT_MSGQUEUE, /dev/shm) */
			if (!l->has_limit && kind->limits_read && ctx) {
				struct ipk_limit *rows = calloc(kind->nlimits, sizeof(*rows));
				if (!rows)
					return -ENOMEM;
				for (size_t i = 0; i < kind->nlimits; i++)
					fill_limit(ctx, &kind->limits[i], &rows[i]);
				kind->limits_read(ctx, rows);
				*l = rows[r];
				free(rows);
			}
			return l->has_limit && !l->unlimited ? 0 : -ENOENT;
		}
	}
	return -ENOENT;
}

double ipk_limit_percent(const struct ipk_limit *l)
{
	if (!l || !l->has_limit || !l->has_used || l->unlimited || l->limit == 0)
		return -1;
	return (double)((long double)l->used * 100.0L / (long double)l->limit);
}

int check_limit(struct ipk_ctx *ctx, const char *what, uint64_t value, const char *resource,
		struct ipk_error *e)
{
	struct ipk_limit l;

	if (limit_get(ctx, resource, &l) || value <= l.limit)
		return 0;	/* within it, or unknown: the kernel will say */
	/* "kernel.sem (field 1)" reads better as "SEMMSL in kernel.sem" */
	const char *paren = strstr(l.source, " (field");
	if (paren)
		return err_set(e, EINVAL, "%s %" PRIu64 " exceeds %s in %.*s (%" PRIu64 ")", what,
			       value, l.resource, (int)(paren - l.source), l.source, l.limit);
	return err_set(e, EINVAL, "%s %" PRIu64 " exceeds %s (%" PRIu64 ")", what, value,
		       strcmp(l.source, "kernel") == 0 ? l.resource : l.source, l.limit);
}

int sysctl_word(const char *name, size_t len, char *out, size_t size, char path[256])
{
	int k = snprintf(path, 256, "/proc/sys/%.*s", (int)len, name);

	for (int i = 10; i < k && i < 256; i++)
		if (path[i] == '.')
			path[i] = '/';
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	size_t n = fread(out, 1, size - 1, f);
	fclose(f);
	out[n] = '\0';
	out[strcspn(out, " \t\n")] = '\0';
	return 0;
}

int limit_value(struct ipk_ctx *ctx, const char *resource, uint64_t *v)
{
	struct ipk_limit l;
	int rc = limit_get(ctx, resource, &l);

	if (!rc)
		*v = l.limit;
	return rc;
}

