/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * --baseline: the results of an earlier `ipc-bench --json`, read back.  A
 * small JSON reader that keeps only what a result row needs and skips the
 * rest, so a file from a later version with more fields still loads.
 */
#include "bench.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>

struct row {
	char method[32];
	char placement[16];
	uint64_t size;
	struct ipk_bench_figures fig;
};

struct ipk_bench_baseline {
	struct row *v;
	size_t n, cap;
};

struct reader {
	const char *p, *end;
	const char *start;
	int depth;
};

#define MAX_DEPTH 32

static void skip_ws(struct reader *r)
{
	while (r->p < r->end && isspace((unsigned char)*r->p))
		r->p++;
}

static bool eat(struct reader *r, char c)
{
	skip_ws(r);
	if (r->p < r->end && *r->p == c) {
		r->p++;
		return true;
	}
	return false;
}

/* A string into @out (cut to @size), escapes decoded as far as ASCII goes. */
static int string(struct reader *r, char *out, size_t size)
{
	size_t n = 0;

	if (!eat(r, '"'))
		return -EINVAL;
	while (r->p < r->end && *r->p != '"') {
		char c = *r->p++;

		if ((unsigned char)c < 0x20)
			return -EINVAL;
		if (c == '\\') {
			if (r->p >= r->end)
				return -EINVAL;
			c = *r->p++;
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u':
				if (r->end - r->p < 4)
					return -EINVAL;
				for (int i = 0; i < 4; i++)
					if (!isxdigit((unsigned char)r->p[i]))
						return -EINVAL;
				r->p += 4;
				c = '?';
				break;
			case '"': case '\\': case '/': break;
			default:
				return -EINVAL;
			}
		}
		if (out && n + 1 < size)
			out[n++] = c;
	}
	if (out && size)
		out[n] = '\0';
	return eat(r, '"') ? 0 : -EINVAL;
}

static int number(struct reader *r, double *v)
{
	char buf[64];
	size_t n = 0;

	skip_ws(r);
	while (r->p < r->end && n + 1 < sizeof(buf) && strchr("+-0123456789.eE", *r->p))
		buf[n++] = *r->p++;
	buf[n] = '\0';
	char *end;
	*v = strtod(buf, &end);
	return n && *end == '\0' && isfinite(*v) ? 0 : -EINVAL;
}

static bool literal(struct reader *r, const char *word)
{
	size_t n = strlen(word);

	skip_ws(r);
	if ((size_t)(r->end - r->p) >= n && memcmp(r->p, word, n) == 0) {
		r->p += n;
		return true;
	}
	return false;
}

static int skip_value(struct reader *r);

/* Calls @member for each "key": value of an object; it consumes the value. */
static int object(struct reader *r, int (*member)(struct reader *r, const char *key, void *data),
		  void *data)
{
	char key[64];
	int rc;

	if (!eat(r, '{'))
		return -EINVAL;
	if (++r->depth > MAX_DEPTH)
		return -EINVAL;
	if (eat(r, '}')) {
		r->depth--;
		return 0;
	}
	do {
		if ((rc = string(r, key, sizeof(key))) || !eat(r, ':'))
			return rc ? rc : -EINVAL;
		rc = member ? member(r, key, data) : skip_value(r);
		if (rc)
			return rc;
	} while (eat(r, ','));
	r->depth--;
	return eat(r, '}') ? 0 : -EINVAL;
}

static int array(struct reader *r, int (*element)(struct reader *r, void *data), void *data)
{
	int rc;

	if (!eat(r, '['))
		return -EINVAL;
	if (++r->depth > MAX_DEPTH)
		return -EINVAL;
	if (eat(r, ']')) {
		r->depth--;
		return 0;
	}
	do {
		rc = element ? element(r, data) : skip_value(r);
		if (rc)
			return rc;
	} while (eat(r, ','));
	r->depth--;
	return eat(r, ']') ? 0 : -EINVAL;
}

static int skip_element(struct reader *r, void *data)
{
	(void)data;
	return skip_value(r);
}

static int skip_value(struct reader *r)
{
	double d;

	skip_ws(r);
	if (r->p >= r->end)
		return -EINVAL;
	switch (*r->p) {
	case '{':
		return object(r, NULL, NULL);
	case '[':
		return array(r, skip_element, NULL);
	case '"':
		return string(r, NULL, 0);
	}
	if (literal(r, "true") || literal(r, "false") || literal(r, "null"))
		return 0;
	return number(r, &d);
}

/* A number, or null (0). */
static int number_or_null(struct reader *r, double *v)
{
	if (literal(r, "null")) {
		*v = 0;
		return 0;
	}
	return number(r, v);
}

static int u64_member(struct reader *r, uint64_t *v)
{
	double d;
	int rc = number_or_null(r, &d);

	if (!rc)
		*v = d > 0 ? (uint64_t)d : 0;
	return rc;
}

static int rtt_member(struct reader *r, const char *key, void *data)
{
	struct ipk_bench_rtt *rtt = data;
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
		{ "min", offsetof(struct ipk_bench_rtt, min) },
		{ "p50", offsetof(struct ipk_bench_rtt, p50) },
		{ "p90", offsetof(struct ipk_bench_rtt, p90) },
		{ "p99", offsetof(struct ipk_bench_rtt, p99) },
		{ "p999", offsetof(struct ipk_bench_rtt, p999) },
		{ "max", offsetof(struct ipk_bench_rtt, max) },
	};

	if (strcmp(key, "mean") == 0)
		return number_or_null(r, &rtt->mean);
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (strcmp(key, keys[i].key) == 0)
			return u64_member(r, (uint64_t *)((char *)rtt + keys[i].off));
	return skip_value(r);
}

static int row_member(struct reader *r, const char *key, void *data)
{
	struct row *row = data;

	if (strcmp(key, "method") == 0)
		return string(r, row->method, sizeof(row->method));
	if (strcmp(key, "placement") == 0)
		return string(r, row->placement, sizeof(row->placement));
	if (strcmp(key, "size") == 0)
		return u64_member(r, &row->size);
	if (strcmp(key, "msgs_per_s") == 0)
		return number_or_null(r, &row->fig.msgs_per_s);
	if (strcmp(key, "mb_per_s") == 0)
		return number_or_null(r, &row->fig.mb_per_s);
	if (strcmp(key, "cpu_ns_per_rtt") == 0)
		return number_or_null(r, &row->fig.cpu_ns_per_rtt);
	if (strcmp(key, "rtt_ns") == 0) {
		skip_ws(r);
		if (literal(r, "null"))
			return 0;
		return object(r, rtt_member, &row->fig.rtt);
	}
	return skip_value(r);
}

static int result(struct reader *r, void *data)
{
	struct ipk_bench_baseline *b = data;
	struct row row = { 0 };
	int rc = object(r, row_member, &row);

	if (rc)
		return rc;
	if (!row.method[0] || !row.placement[0])
		return -EINVAL;
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 32;
		struct row *v = realloc(b->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		b->v = v;
		b->cap = cap;
	}
	b->v[b->n++] = row;
	return 0;
}

static int top_member(struct reader *r, const char *key, void *data)
{
	if (strcmp(key, "results") == 0)
		return array(r, result, data);
	return skip_value(r);
}

int ipk_bench_baseline_load(const char *path, struct ipk_bench_baseline **out, int *line)
{
	struct ipk_bench_baseline *b = calloc(1, sizeof(*b));
	char *text = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if (line)
		*line = 0;
	if (!b)
		return -ENOMEM;
	FILE *f = fopen(path, "re");
	if (!f) {
		rc = -errno;
		free(b);
		return rc;
	}
	rc = read_fd_all(fileno(f), &text, &len);
	fclose(f);
	if (rc) {
		free(b);
		return rc;
	}
	struct reader r = { .p = text, .end = text + len, .start = text };
	skip_ws(&r);
	if (r.p < r.end && *r.p != '{')
		rc = -EINVAL;
	else
		rc = object(&r, top_member, b);
	if (!rc) {
		skip_ws(&r);
		if (r.p != r.end)
			rc = -EINVAL;
	}
	if (rc == -EINVAL && line) {
		*line = 1;
		for (const char *p = text; p < r.p && p < r.end; p++)
			if (*p == '\n')
				(*line)++;
	}
	free(text);
	if (rc) {
		ipk_bench_baseline_free(b);
		return rc;
	}
	*out = b;
	return 0;
}

const struct ipk_bench_figures *ipk_bench_baseline_find(const struct ipk_bench_baseline *b,
							 const char *method, uint64_t size,
							 const char *placement)
{
	for (size_t i = 0; b && i < b->n; i++)
		if (b->v[i].size == size && strcmp(b->v[i].method, method) == 0 &&
		    strcmp(b->v[i].placement, placement) == 0)
			return &b->v[i].fig;
	return NULL;
}

void ipk_bench_baseline_free(struct ipk_bench_baseline *b)
{
	if (!b)
		return;
	free(b->v);
	free(b);
}
