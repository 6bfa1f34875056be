/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Templates and integer expressions.  A template is text with {EXPR} in it
 * ({{ and }} for braces); an expression is C's integer arithmetic over
 * numbers and names: + - * / %, comparisons, && || !, ?:, parentheses
 * (both sides of && || and ?: are worked out, unlike in C).  Names
 * are resolved when parsing: constants (vars:, processes) are folded in,
 * so what is left depends only on what changes while a program runs
 * (index, thread, pid, i), and a template with nothing left is one
 * literal, never expanded again.
 */
#include "scn.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>

#define MAX_CODE	256

struct parser {
	const char *s;
	size_t len, pos;
	scn_lookup_fn lookup;
	void *ctx;
	struct scn_xcode code[MAX_CODE];
	size_t n;
	unsigned deps;
	char *err;
	size_t errsize;
	size_t at;
	bool failed;
};

static int error(struct parser *p, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int error(struct parser *p, size_t at, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return -EINVAL;
	p->failed = true;
	p->at = at;
	va_start(ap, fmt);
	vsnprintf(p->err, p->errsize, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static void skip_space(struct parser *p)
{
	while (p->pos < p->len && isspace((unsigned char)p->s[p->pos]))
		p->pos++;
}

static bool peek(struct parser *p, const char *tok)
{
	size_t n = strlen(tok);

	skip_space(p);
	return p->pos + n <= p->len && memcmp(p->s + p->pos, tok, n) == 0;
}

static bool take(struct parser *p, const char *tok)
{
	if (!peek(p, tok))
		return false;
	p->pos += strlen(tok);
	return true;
}

static int run_code(const struct scn_xcode *code, size_t n, const int64_t *vars, int64_t *out);

static size_t operands(enum scn_xop op)
{
	switch (op) {
	case X_NUM:
	case X_VAR:
		return 0;
	case X_NEG:
	case X_NOT:
		return 1;
	case X_COND:
		return 3;
	default:
		return 2;
	}
}

/*
 * An operator whose operands are all numbers becomes its number: in
 * postfix code a number just before the operator is the whole of its last
 * operand, the one before that the whole of the one before, so "i % (2 -
 * 2)" is seen dividing by a constant 0 here, not only when it runs.  (Both
 * sides of ?: are worked out, so a 0 in either always fails.)
 */
static int fold(struct parser *p)
{
	struct scn_xcode *op = &p->code[p->n - 1];
	size_t k = operands(op->op);

	if (!k || p->n < k + 1)
		return 0;
	if ((op->op == X_DIV || op->op == X_MOD) && op[-1].op == X_NUM && op[-1].v == 0)
		return error(p, p->pos, "%s", scn_expr_strerror(-EDOM));
	for (size_t i = 1; i <= k; i++)
		if (op[-(ptrdiff_t)i].op != X_NUM)
			return 0;
	int64_t v;
	int rc = run_code(op - k, k + 1, NULL, &v);
	if (rc)
		return error(p, p->pos, "%s", scn_expr_strerror(rc));
	p->n -= k;
	p->code[p->n - 1] = (struct scn_xcode){ .op = X_NUM, .v = v };
	return 0;
}

static int emit(struct parser *p, enum scn_xop op, int64_t v)
{
	if (p->n == MAX_CODE)
		return error(p, p->pos, "expression too long");
	p->code[p->n++] = (struct scn_xcode){ .op = (uint8_t)op, .v = v };
	return fold(p);
}

static int parse_cond(struct parser *p);

static int parse_atom(struct parser *p)
{
	skip_space(p);
	if (p->pos >= p->len)
		return error(p, p->pos, "a number or a name is missing");
	char c = p->s[p->pos];
	size_t start = p->pos;

	if (c == '(') {
		p->pos++;
		int rc = parse_cond(p);
		if (rc)
			return rc;
		if (!take(p, ")"))
			return error(p, p->pos, "')' is missing");
		return 0;
	}
	if (isdigit((unsigned char)c)) {
		char buf[32];
		size_t n = 0;
		while (p->pos < p->len && isalnum((unsigned char)p->s[p->pos]) && n + 1 < sizeof(buf))
			buf[n++] = p->s[p->pos++];
		buf[n] = '\0';
		char *end;
		errno = 0;
		long long v = strtoll(buf, &end, 0);
		if (errno || *end)
			return error(p, start, "'%s' is not a number", buf);
		return emit(p, X_NUM, v);
	}
	if (isalpha((unsigned char)c) || c == '_') {
		while (p->pos < p->len && (isalnum((unsigned char)p->s[p->pos]) ||
					   p->s[p->pos] == '_' || p->s[p->pos] == '.'))
			p->pos++;
		struct scn_sym sym = { .kind = SYM_NONE };
		size_t n = p->pos - start;
		if (!p->lookup || !p->lookup(p->ctx, p->s + start, n, &sym))
			return error(p, start, "unknown name '%.*s'", (int)n, p->s + start);
		switch (sym.kind) {
		case SYM_INT:
			return emit(p, X_NUM, sym.i);
		case SYM_VAR:
			p->deps |= DEP(sym.var);
			return emit(p, X_VAR, sym.var);
		case SYM_STR:
			return error(p, start, "'%.*s' is text, not a number", (int)n, p->s + start);
		default:
			return error(p, start, "unknown name '%.*s'", (int)n, p->s + start);
		}
	}
	return error(p, start, "unexpected '%c'", c);
}

static int parse_unary(struct parser *p)
{
	if (take(p, "-")) {
		int rc = parse_unary(p);
		return rc ? rc : emit(p, X_NEG, 0);
	}
	if (take(p, "+"))
		return parse_unary(p);
	if (peek(p, "!") && !peek(p, "!=")) {
		p->pos++;
		int rc = parse_unary(p);
		return rc ? rc : emit(p, X_NOT, 0);
	}
	return parse_atom(p);
}

static int parse_prod(struct parser *p)
{
	int rc = parse_unary(p);

	while (!rc) {
		enum scn_xop op;
		if (take(p, "*"))
			op = X_MUL;
		else if (take(p, "/"))
			op = X_DIV;
		else if (take(p, "%"))
			op = X_MOD;
		else
			break;
		rc = parse_unary(p);
		if (!rc)
			rc = emit(p, op, 0);
	}
	return rc;
}

static int parse_sum(struct parser *p)
{
	int rc = parse_prod(p);

	while (!rc) {
		enum scn_xop op;
		if (take(p, "+"))
			op = X_ADD;
		else if (take(p, "-"))
			op = X_SUB;
		else
			break;
		rc = parse_prod(p);
		if (!rc)
			rc = emit(p, op, 0);
	}
	return rc;
}

static int parse_cmp(struct parser *p)
{
	static const struct {
		const char *tok;
		enum scn_xop op;
	} ops[] = {
		{ "==", X_EQ }, { "!=", X_NE }, { "<=", X_LE }, { ">=", X_GE },
		{ "<", X_LT }, { ">", X_GT },
	};
	int rc = parse_sum(p);

	for (size_t i = 0; !rc && i < ARRAY_SIZE(ops); i++) {
		if (take(p, ops[i].tok)) {
			rc = parse_sum(p);
			if (!rc)
				rc = emit(p, ops[i].op, 0);
			break;
		}
	}
	return rc;
}

static int parse_and(struct parser *p)
{
	int rc = parse_cmp(p);

	while (!rc && take(p, "&&")) {
		rc = parse_cmp(p);
		if (!rc)
			rc = emit(p, X_AND, 0);
	}
	return rc;
}

static int parse_or(struct parser *p)
{
	int rc = parse_and(p);

	while (!rc && take(p, "||")) {
		rc = parse_and(p);
		if (!rc)
			rc = emit(p, X_OR, 0);
	}
	return rc;
}

static int parse_cond(struct parser *p)
{
	int rc = parse_or(p);

	if (!rc && take(p, "?")) {
		rc = parse_cond(p);
		if (!rc && !take(p, ":"))
			rc = error(p, p->pos, "':' of '?' is missing");
		if (!rc)
			rc = parse_cond(p);
		if (!rc)
			rc = emit(p, X_COND, 0);
	}
	return rc;
}

static int run_code(const struct scn_xcode *code, size_t n, const int64_t *vars, int64_t *out)
{
	int64_t stack[MAX_CODE];
	size_t sp = 0;

	for (size_t i = 0; i < n; i++) {
		const struct scn_xcode *c = &code[i];
		int64_t a, b, r = 0;

		switch (c->op) {
		case X_NUM:
			stack[sp++] = c->v;
			continue;
		case X_VAR:
			stack[sp++] = vars ? vars[c->v] : 0;
			continue;
		case X_NEG:
			if (stack[sp - 1] == INT64_MIN)
				return -ERANGE;
			stack[sp - 1] = -stack[sp - 1];
			continue;
		case X_NOT:
			stack[sp - 1] = !stack[sp - 1];
			continue;
		case X_COND:
			sp -= 2;
			stack[sp - 1] = stack[sp - 1] ? stack[sp] : stack[sp + 1];
			continue;
		}
		b = stack[--sp];
		a = stack[--sp];
		switch (c->op) {
		case X_ADD:
			if (__builtin_add_overflow(a, b, &r))
				return -ERANGE;
			break;
		case X_SUB:
			if (__builtin_sub_overflow(a, b, &r))
				return -ERANGE;
			break;
		case X_MUL:
			if (__builtin_mul_overflow(a, b, &r))
				return -ERANGE;
			break;
		case X_DIV:
		case X_MOD:
			if (b == 0)
				return -EDOM;
			if (a == INT64_MIN && b == -1)
				return -ERANGE;
			r = c->op == X_DIV ? a / b : a % b;
			break;
		case X_EQ: r = a == b; break;
		case X_NE: r = a != b; break;
		case X_LT: r = a < b; break;
		case X_LE: r = a <= b; break;
		case X_GT: r = a > b; break;
		case X_GE: r = a >= b; break;
		case X_AND: r = a && b; break;
		case X_OR: r = a || b; break;
		default:
			return -EINVAL;
		}
		stack[sp++] = r;
	}
	if (sp != 1)
		return -EINVAL;
	*out = stack[0];
	return 0;
}

int scn_expr_eval(const struct scn_expr *e, const int64_t *vars, int64_t *out)
{
	if (e->n == 1 && e->code[0].op == X_NUM) {
		*out = e->code[0].v;
		return 0;
	}
	if (e->n == 1 && e->code[0].op == X_VAR) {
		*out = vars ? vars[e->code[0].v] : 0;
		return 0;
	}
	return run_code(e->code, e->n, vars, out);
}

const char *scn_expr_strerror(int rc)
{
	switch (rc) {
	case -EDOM:
		return "division by zero";
	case -ERANGE:
		return "the value does not fit in 64 bits";
	default:
		return ipk_strerror(-rc);
	}
}

bool scn_expr_const(const struct scn_expr *e, int64_t *v)
{
	if (e->n != 1 || e->code[0].op != X_NUM)
		return false;
	*v = e->code[0].v;
	return true;
}

/* Parses one expression of @p from its position to @end; folds it when constant. */
static int expression(struct parser *p, size_t end, struct ipk_arena *a, struct scn_expr **out)
{
	size_t saved_len = p->len;
	int rc;

	p->len = end;
	p->n = 0;
	unsigned deps_before = p->deps;
	p->deps = 0;
	rc = parse_cond(p);
	skip_space(p);
	if (!rc && p->pos < p->len)
		rc = error(p, p->pos, "unexpected '%c'", p->s[p->pos]);
	p->len = saved_len;
	if (rc)
		return rc;
	unsigned deps = p->deps;
	p->deps |= deps_before;
	struct scn_expr *e = ipk_arena_alloc(a, sizeof(*e) + p->n * sizeof(e->code[0]));
	if (!e)
		return -ENOMEM;
	e->deps = deps;
	e->n = p->n;
	memcpy(e->code, p->code, p->n * sizeof(e->code[0]));
	*out = e;
	return 0;
}

int scn_expr_parse(const char *s, size_t len, scn_lookup_fn lookup, void *ctx,
		   struct ipk_arena *a, struct scn_expr **out, char *err, size_t errsize,
		   size_t *at)
{
	struct parser p = { .s = s, .len = len, .lookup = lookup, .ctx = ctx,
			    .err = err, .errsize = errsize };
	int rc = expression(&p, len, a, out);

	if (rc && at)
		*at = p.at;
	return rc;
}

/* A literal segment, with {{ and }} as single braces. */
static int add_literal(struct ipk_arena *a, struct ipk_buf *lit, struct scn_seg *segs,
		       size_t *nseg)
{
	if (!lit->len)
		return 0;
	char *s = scn_strndup(a, lit->s, lit->len);
	if (!s)
		return -ENOMEM;
	segs[(*nseg)++] = (struct scn_seg){ .lit = s, .len = lit->len };
	ipk_buf_reset(lit);
	return 0;
}

int scn_tmpl_parse(const char *s, size_t len, scn_lookup_fn lookup, void *ctx,
		   struct ipk_arena *a, struct scn_tmpl **out, char *err, size_t errsize,
		   size_t *at)
{
	struct parser p = { .s = s, .len = len, .lookup = lookup, .ctx = ctx,
			    .err = err, .errsize = errsize };
	struct ipk_buf lit = { 0 };
	size_t cap = 1;
	int rc = 0;

	for (size_t i = 0; i < len; i++)
		cap += s[i] == '{';
	struct scn_seg *segs = scn_zalloc(a, 2 * cap * sizeof(*segs));
	struct scn_tmpl *t = scn_zalloc(a, sizeof(*t));
	if (!segs || !t)
		return -ENOMEM;
	size_t nseg = 0;
	for (size_t i = 0; i < len && !rc;) {
		char c = s[i];
		if (c == '{' && i + 1 < len && s[i + 1] == '{') {
			rc = ipk_buf_add(&lit, "{", 1);
			i += 2;
			continue;
		}
		if (c == '}' && i + 1 < len && s[i + 1] == '}') {
			rc = ipk_buf_add(&lit, "}", 1);
			i += 2;
			continue;
		}
		if (c == '}') {
			rc = error(&p, i, "'}' without '{' (write }} for a brace)");
			break;
		}
		if (c != '{') {
			rc = ipk_buf_add(&lit, &c, 1);
			i++;
			continue;
		}
		size_t close = i + 1;
		while (close < len && s[close] != '}' && s[close] != '{')
			close++;
		if (close == len || s[close] == '{') {
			rc = error(&p, i, "'{' without '}' (write {{ for a brace)");
			break;
		}
		/* {NAME} of a text name (actor) is text, not arithmetic. */
		size_t b = i + 1, e = close;
		while (b < e && isspace((unsigned char)s[b]))
			b++;
		while (e > b && isspace((unsigned char)s[e - 1]))
			e--;
		struct scn_sym sym = { .kind = SYM_NONE };
		bool word = b < e;
		for (size_t k = b; k < e; k++)
			word &= isalnum((unsigned char)s[k]) || s[k] == '_' || s[k] == '.';
		if (word && lookup && lookup(ctx, s + b, e - b, &sym) && sym.kind == SYM_STR) {
			rc = ipk_buf_puts(&lit, sym.s);
		} else {
			p.pos = i + 1;
			struct scn_expr *x = NULL;
			int64_t v;
			rc = expression(&p, close, a, &x);
			if (!rc && scn_expr_const(x, &v)) {
				char num[24];
				fmt_i64(num, v);
				rc = ipk_buf_puts(&lit, num);
			} else if (!rc) {
				rc = add_literal(a, &lit, segs, &nseg);
				segs[nseg++] = (struct scn_seg){ .e = x };
			}
		}
		i = close + 1;
	}
	if (!rc)
		rc = add_literal(a, &lit, segs, &nseg);
	ipk_buf_free(&lit);
	if (rc) {
		if (at)
			*at = p.at;
		return rc;
	}
	t->deps = p.deps;
	t->id = -1;
	t->seg = segs;
	t->nseg = nseg;
	t->src = scn_strndup(a, s, len);
	if (!t->src)
		return -ENOMEM;
	*out = t;
	return 0;
}

bool scn_tmpl_literal(const struct scn_tmpl *t, const char **s, size_t *len)
{
	if (t->nseg > 1 || (t->nseg == 1 && !t->seg[0].lit))
		return false;
	*s = t->nseg ? t->seg[0].lit : "";
	*len = t->nseg ? t->seg[0].len : 0;
	return true;
}

ssize_t scn_tmpl_expand(const struct scn_tmpl *t, const int64_t *vars, char *buf, size_t size)
{
	size_t n = 0;

	if (!size)
		return -ENOSPC;
	for (size_t i = 0; i < t->nseg; i++) {
		const struct scn_seg *g = &t->seg[i];
		char num[24];
		const char *piece = g->lit;
		size_t len = g->len;

		if (!piece) {
			int64_t v;
			int rc = scn_expr_eval(g->e, vars, &v);
			if (rc)
				return rc;
			len = fmt_i64(num, v);
			piece = num;
		}
		if (n + len >= size) {
			buf[n] = '\0';
			return -ENOSPC;
		}
		memcpy(buf + n, piece, len);
		n += len;
	}
	buf[n] = '\0';
	return (ssize_t)n;
}
