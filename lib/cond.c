/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Conditions on a snapshot, for `ipc-watch --until`: an object gone or
 * there, a field of one object against a value, a count of objects.
 */
#include "snapshot/snapshot.h"

#include <stdlib.h>

enum cond_type { COND_GONE, COND_EXISTS, COND_FIELD, COND_COUNT };
enum cond_op { OP_EQ, OP_NE, OP_GE, OP_LE, OP_GT, OP_LT };
enum cond_count { COUNT_OBJECTS, COUNT_ORPHANS, COUNT_KIND };

struct ipk_cond {
	enum cond_type type;
	enum cond_op op;
	char *ref;			/* GONE, EXISTS, FIELD: canonical */
	const struct ipk_kind *kind;	/* the REF's, or the kind counted */
	int field;
	enum cond_count count;
	bool numeric;
	int64_t number;
	char *text;			/* the value as ipc-ls shows it */
};

void ipk_cond_free(struct ipk_cond *c)
{
	if (!c)
		return;
	free(c->ref);
	free(c->text);
	free(c);
}

const struct ipk_kind *ipk_cond_kind(const struct ipk_cond *c)
{
	return c->kind;
}

static const struct {
	const char *text;
	enum cond_op op;
} ops[] = {
	{ ">=", OP_GE }, { "<=", OP_LE }, { "==", OP_EQ }, { "!=", OP_NE },
	{ ">", OP_GT }, { "<", OP_LT }, { "=", OP_EQ },
};

/* The first operator in @s: where it is, and which. */
static const char *find_op(const char *s, enum cond_op *op, size_t *len)
{
	for (const char *p = s; *p; p++) {
		for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
			size_t n = strlen(ops[i].text);
			if (strncmp(p, ops[i].text, n) == 0) {
				*op = ops[i].op;
				*len = n;
				return p;
			}
		}
	}
	return NULL;
}

/* A number, with a size suffix where the field counts bytes. */
static int parse_number(const char *s, bool bytes, int64_t *v)
{
	char *end;

	if (bytes) {
		uint64_t b;
		if (ipk_parse_size(s, &b) || b > INT64_MAX)
			return -EINVAL;
		*v = (int64_t)b;
		return 0;
	}
	errno = 0;
	long long n = strtoll(s, &end, 0);
	if (errno || end == s || *end)
		return -EINVAL;
	*v = n;
	return 0;
}

static int fail(const char **why, const char *text)
{
	if (why)
		*why = text;
	return -EINVAL;
}

int ipk_cond_parse(const char *text, struct ipk_cond **out, const char **why)
{
	struct ipk_cond *c = calloc(1, sizeof(*c));
	const struct ipk_kind *k;
	int rc;

	if (!c)
		return -ENOMEM;
	*out = NULL;
	if (strncmp(text, "gone:", 5) == 0 || strncmp(text, "exists:", 7) == 0) {
		c->type = text[0] == 'g' ? COND_GONE : COND_EXISTS;
		rc = ipk_ref_parse(strchr(text, ':') + 1, &k, &c->ref);
		if (rc) {
			ipk_cond_free(c);
			return fail(why, "not a REF after gone: or exists:");
		}
		c->kind = k;
		*out = c;
		return 0;
	}
	size_t oplen;
	const char *op = find_op(text, &c->op, &oplen);
	if (!op || op == text || !op[oplen]) {
		ipk_cond_free(c);
		return fail(why, "expected gone:REF, exists:REF, REF.FIELD OP VALUE or COUNT OP N");
	}
	char *left = strndup(text, (size_t)(op - text));
	const char *value = op + oplen;
	if (!left) {
		ipk_cond_free(c);
		return -ENOMEM;
	}
	char *dot = strrchr(left, '.');
	if (strchr(left, ':') && dot) {
		/* REF.FIELD: a name may hold dots, the field is after the last */
		*dot = '\0';
		c->type = COND_FIELD;
		c->field = ipk_field_find(dot + 1);
		rc = c->field < 0 ? -EINVAL : ipk_ref_parse(left, &k, &c->ref);
		if (rc) {
			const char *what = c->field < 0 ? "unknown field after REF." : "not a REF before .FIELD";
			free(left);
			ipk_cond_free(c);
			return fail(why, what);
		}
		c->kind = k;
		enum ipk_field_type t = ipk_field_info(c->field)->type;
		bool numeric = t == IPK_T_NUMBER || t == IPK_T_BYTES || t == IPK_T_TIME ||
			       (t == IPK_T_VALUE && !k->value_is_list);
		c->numeric = numeric && parse_number(value, t == IPK_T_BYTES, &c->number) == 0;
		if (numeric && !c->numeric) {
			free(left);
			ipk_cond_free(c);
			return fail(why, "the field is a number: compare it with a number");
		}
		c->text = strdup(value);
	} else {
		c->type = COND_COUNT;
		if (strcmp(left, "objects") == 0)
			c->count = COUNT_OBJECTS;
		else if (strcmp(left, "orphans") == 0)
			c->count = COUNT_ORPHANS;
		else if ((c->kind = ipk_kind_find(left)))
			c->count = COUNT_KIND;
		else {
			free(left);
			ipk_cond_free(c);
			return fail(why, "unknown count: objects, orphans or a kind");
		}
		c->numeric = parse_number(value, false, &c->number) == 0;
		if (!c->numeric) {
			free(left);
			ipk_cond_free(c);
			return fail(why, "a count is compared with a number");
		}
	}
	free(left);
	if (c->type == COND_FIELD && !c->text) {
		ipk_cond_free(c);
		return -ENOMEM;
	}
	/* only == and != make sense for text */
	if (c->type == COND_FIELD && !c->numeric && c->op != OP_EQ && c->op != OP_NE) {
		ipk_cond_free(c);
		return fail(why, "text values compare with == or != only");
	}
	*out = c;
	return 0;
}

static bool compare(enum cond_op op, int64_t a, int64_t b)
{
	switch (op) {
	case OP_EQ: return a == b;
	case OP_NE: return a != b;
	case OP_GE: return a >= b;
	case OP_LE: return a <= b;
	case OP_GT: return a > b;
	case OP_LT: return a < b;
	}
	return false;
}

bool ipk_cond_eval(const struct ipk_cond *c, struct ipk_ctx *ctx, struct ipk_snapshot *s,
		   const struct ipk_filter *f)
{
	const struct ipk_object *o;
	struct ipk_value v;

	switch (c->type) {
	case COND_GONE:
		return !ipk_snapshot_find(s, c->ref);
	case COND_EXISTS:
		return ipk_snapshot_find(s, c->ref) != NULL;
	case COND_FIELD:
		o = ipk_snapshot_find(s, c->ref);
		if (!o)
			return false;
		ipk_object_get(o, c->field, &v);
		if (v.presence != IPK_PRESENT)
			return false;
		if (c->numeric) {
			if (v.is_list)
				return false;
			return compare(c->op, v.i, c->number);
		} else {
			static const struct ipk_format exact = { .exact_bytes = true,
								 .numeric_perms = true,
								 .time = IPK_TIME_EPOCH };
			struct ipk_buf b = { 0 };
			bool eq = ipk_value_text(ctx, &v, &exact, &b) == 0 && strcmp(b.s, c->text) == 0;
			ipk_buf_free(&b);
			return c->op == OP_EQ ? eq : !eq;
		}
	case COND_COUNT: {
		int64_t n = 0;
		time_t now = time(NULL);
		/* a kind the filter leaves out is counted by the rest of it */
		struct ipk_filter other;
		if (f && c->count == COUNT_KIND && !ipk_filter_wants_kind(f, c->kind)) {
			other = *f;
			other.kinds = 0;
			f = &other;
		}
		for (size_t i = 0; i < s->n; i++) {
			o = s->v[i]->obj;
			if (f && !ipk_filter_match(f, o, now))
				continue;
			if (c->count == COUNT_KIND && o->kind != c->kind)
				continue;
			if (c->count == COUNT_ORPHANS &&
			    !(obj_has(o, IPK_F_STATUS) && (o->status & IPK_ST_ORPHAN)))
				continue;
			n++;
		}
		return compare(c->op, n, c->number);
	}
	}
	return false;
}
