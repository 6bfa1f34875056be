/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The expect: lines, parsed when the file is loaded so that a wrong one is
 * a FILE:LINE:COL like any other mistake:
 *
 *	ACTOR.OP[@OBJECT].STAT CMP NUMBER	consumer.recv.p99 < 5ms, *.send.errors == 0
 *	OBJECT.FIELD[[N]] CMP VALUE		queue.messages == 0, forks.value == [1,1,1]
 */
#include "scn.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>

static const char *const stat_names[] = {
	[ST_COUNT] = "count", [ST_ERRORS] = "errors", [ST_RATE] = "rate", [ST_MEAN] = "mean",
	[ST_MIN] = "min", [ST_P50] = "p50", [ST_P90] = "p90", [ST_P99] = "p99",
	[ST_P999] = "p999", [ST_MAX] = "max",
};

static const struct {
	const char *tok;
	enum scn_cmp cmp;
} cmps[] = {
	{ "==", CMP_EQ }, { "!=", CMP_NE }, { "<=", CMP_LE }, { ">=", CMP_GE },
	{ "<", CMP_LT }, { ">", CMP_GT },
};

static int bad(struct ipk_scenario *s, struct ipk_scenario_diags *d, int line, int col,
	       const char *text, size_t len, const char *why)
{
	scn_diag(d, s->file, line, col, "expect: '%.*s': %s", (int)(len > 80 ? 80 : len), text,
		 why);
	return -EINVAL;
}

static bool actor_does(const struct scn_actor *a, const char *op, size_t oplen, int obj)
{
	for (size_t i = 0; i < a->nkeys; i++)
		if (strlen(a->keys[i].op) == oplen && !memcmp(a->keys[i].op, op, oplen) &&
		    (obj < 0 || a->keys[i].obj == obj))
			return true;
	return false;
}

static void trim(const char **s, size_t *len)
{
	while (*len && isspace((unsigned char)**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && isspace((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

/* A number of the right side, as the left side counts: durations, bytes, plain. */
static bool number(const char *s, int unit, double *v)
{
	char buf[64];
	char *end;

	if (strlen(s) >= sizeof(buf))
		return false;
	snprintf(buf, sizeof(buf), "%s", s);
	errno = 0;
	double x = strtod(buf, &end);
	if (end != buf && !*end && !errno && isfinite(x)) {
		*v = x;
		return true;
	}
	uint64_t u;
	if (unit == 'd' && !ipk_parse_duration_ns(buf, &u)) {
		*v = (double)u;
		return true;
	}
	if (unit == 'b' && !ipk_parse_size(buf, &u)) {
		*v = (double)u;
		return true;
	}
	return false;
}

int scn_expect_parse(struct ipk_scenario *s, const char *text, size_t len, int line, int col,
		     struct scn_expect *out, struct ipk_scenario_diags *d)
{
	struct ipk_arena *a = &s->arena;
	size_t at = 0, toklen = 0;

	memset(out, 0, sizeof(*out));
	out->text = scn_strndup(a, text, len);
	out->line = line;
	out->col = col;
	out->actor = -1;
	out->obj = -1;
	out->elem = -1;
	if (!out->text)
		return -ENOMEM;
	for (at = 0; at < len && !toklen; at++) {
		for (size_t i = 0; i < sizeof(cmps) / sizeof(cmps[0]); i++) {
			size_t n = strlen(cmps[i].tok);
			if (at + n <= len && !memcmp(text + at, cmps[i].tok, n)) {
				out->cmp = cmps[i].cmp;
				toklen = n;
				break;
			}
		}
	}
	if (!toklen)
		return bad(s, d, line, col, text, len, "no comparison (==, !=, <, <=, >, >=)");
	at--;
	const char *lhs = text, *rhs = text + at + toklen;
	size_t llen = at, rlen = len - at - toklen;
	trim(&lhs, &llen);
	trim(&rhs, &rlen);
	if (!llen || !rlen)
		return bad(s, d, line, col, text, len, "a side of the comparison is missing");

	/* The left side: names separated by dots. */
	const char *parts[4];
	size_t plen[4], np = 0;
	for (size_t i = 0, start = 0; i <= llen; i++) {
		if (i == llen || lhs[i] == '.') {
			if (np == 4)
				return bad(s, d, line, col, text, len, "too many parts: ACTOR.OP.STAT "
					   "or OBJECT.FIELD");
			parts[np] = lhs + start;
			plen[np++] = i - start;
			start = i + 1;
		}
	}
	int actor = -1;
	bool every = plen[0] == 1 && parts[0][0] == '*';
	if (!every)
		actor = scn_actor_find(s, parts[0], plen[0]);
	int obj = actor < 0 && !every ? scn_obj_find(s, parts[0], plen[0]) : -1;
	char why[256];

	if (every || actor >= 0) {
		if (np != 3)
			return bad(s, d, line, col, text, len, "an actor's figure is ACTOR.OP.STAT "
				   "(consumer.recv.count)");
		const char *op = parts[1];
		size_t oplen = plen[1];
		const char *atobj = memchr(op, '@', oplen);
		int on = -1;
		if (atobj) {
			on = scn_obj_find(s, atobj + 1, oplen - (size_t)(atobj + 1 - op));
			oplen = (size_t)(atobj - op);
			if (on < 0) {
				snprintf(why, sizeof(why), "no object '%.*s'",
					 (int)(plen[1] - oplen - 1), atobj + 1);
				return bad(s, d, line, col, text, len, why);
			}
		}
		bool found = false;
		for (size_t i = 0; i < s->nactors; i++)
			if ((every || (int)i == actor) && actor_does(&s->actors[i], op, oplen, on))
				found = true;
		if (!found) {
			if (every)
				snprintf(why, sizeof(why), "no actor does '%.*s'%s%s", (int)oplen, op,
					 on >= 0 ? " on " : "", on >= 0 ? s->objs[on].name : "");
			else
				snprintf(why, sizeof(why), "actor '%s' does no '%.*s'%s%s",
					 s->actors[actor].name, (int)oplen, op, on >= 0 ? " on " : "",
					 on >= 0 ? s->objs[on].name : "");
			return bad(s, d, line, col, text, len, why);
		}
		int stat = -1;
		for (size_t i = 0; i < sizeof(stat_names) / sizeof(stat_names[0]); i++)
			if (strlen(stat_names[i]) == plen[2] && !memcmp(stat_names[i], parts[2], plen[2]))
				stat = (int)i;
		if (stat < 0) {
			snprintf(why, sizeof(why), "unknown figure '%.*s' (count, errors, rate, "
				 "mean, min, p50, p90, p99, p999, max)", (int)plen[2], parts[2]);
			return bad(s, d, line, col, text, len, why);
		}
		out->actor = actor;
		out->op = scn_strndup(a, op, oplen);
		out->obj = on;
		out->stat = (enum scn_stat_id)stat;
		char *r = scn_strndup(a, rhs, rlen);
		int unit = stat >= ST_MEAN ? 'd' : 0;
		if (!r || !number(r, unit, &out->num))
			return bad(s, d, line, col, text, len, stat >= ST_MEAN ?
				   "the right side is a duration (500us, 5ms) or nanoseconds" :
				   "the right side is a number");
		out->rhs = RHS_NUM;
		return 0;
	}
	if (obj < 0) {
		snprintf(why, sizeof(why), "'%.*s' is neither an actor nor an object", (int)plen[0],
			 parts[0]);
		return bad(s, d, line, col, text, len, why);
	}
	if (np != 2)
		return bad(s, d, line, col, text, len, "an object's field is OBJECT.FIELD "
			   "(queue.messages)");
	out->on_object = true;
	out->obj = obj;
	const char *field = parts[1];
	size_t flen = plen[1];
	const char *br = memchr(field, '[', flen);
	if (br) {
		char num[16];
		size_t nl = flen - (size_t)(br - field) - 2;
		char *end;
		if (field[flen - 1] != ']' || nl == 0 || nl >= sizeof(num))
			return bad(s, d, line, col, text, len, "an element is FIELD[N]");
		memcpy(num, br + 1, nl);
		num[nl] = '\0';
		long e = strtol(num, &end, 10);
		if (*end || e < 0 || e > 65535)
			return bad(s, d, line, col, text, len, "an element is FIELD[N], N from 0");
		out->elem = (int)e;
		flen = (size_t)(br - field);
	}
	char fname[64];
	snprintf(fname, sizeof(fname), "%.*s", (int)(flen < 63 ? flen : 63), field);
	const struct scn_obj *o = &s->objs[obj];
	if (!strcmp(fname, "exists")) {
		out->field = FIELD_EXISTS;
	} else {
		out->field = ipk_field_find(fname);
		bool has = out->field >= 0 &&
			   (o->kind ? ipk_kind_has_field(o->kind, out->field)
				    : out->field == IPK_F_VALUE);
		if (!has) {
			snprintf(why, sizeof(why), "a %s has no field '%s' (see ipc-ls -i, or "
				 "'exists')", o->type ? o->type->name : "object", fname);
			return bad(s, d, line, col, text, len, why);
		}
	}
	if (rhs[0] == '[') {
		if (rhs[rlen - 1] != ']')
			return bad(s, d, line, col, text, len, "a list is [1, 2, 3]");
		if (out->cmp != CMP_EQ && out->cmp != CMP_NE)
			return bad(s, d, line, col, text, len, "a list compares with == or != only");
		out->rhs = RHS_LIST;
		out->list = scn_zalloc(a, rlen * sizeof(*out->list));
		char *copy = scn_strndup(a, rhs + 1, rlen - 2);
		if (!out->list || !copy)
			return -ENOMEM;
		for (char *save = NULL, *w = strtok_r(copy, ",", &save); w;
		     w = strtok_r(NULL, ",", &save)) {
			char *end;
			while (isspace((unsigned char)*w))
				w++;
			long long x = strtoll(w, &end, 0);
			while (isspace((unsigned char)*end))
				end++;
			if (end == w || *end)
				return bad(s, d, line, col, text, len, "a list of whole numbers");
			out->list[out->nlist++] = x;
		}
		return 0;
	}
	char *r;
	if ((rhs[0] == '"' || rhs[0] == '\'') && rlen >= 2 && rhs[rlen - 1] == rhs[0]) {
		r = scn_strndup(a, rhs + 1, rlen - 2);
		out->rhs = RHS_TEXT;
	} else {
		r = scn_strndup(a, rhs, rlen);
		int unit = 0;
		if (out->field >= 0) {
			enum ipk_field_type t = ipk_field_info(out->field)->type;
			unit = t == IPK_T_BYTES ? 'b' : t == IPK_T_SECONDS ? 'd' : 0;
			if (t == IPK_T_PERMS) {
				char *end;
				out->num = (double)strtoul(r ? r : "", &end, 8);
				out->rhs = r && *r && !*end ? RHS_NUM : RHS_TEXT;
				out->str = r;
				goto check;
			}
		}
		out->rhs = r && number(r, unit, &out->num) ? RHS_NUM : RHS_TEXT;
		if (out->field == FIELD_EXISTS && r && (!strcmp(r, "true") || !strcmp(r, "false"))) {
			out->num = !strcmp(r, "true");
			out->rhs = RHS_NUM;
		}
	}
	if (!r)
		return -ENOMEM;
	out->str = r;
check:
	if (out->rhs == RHS_TEXT && out->cmp != CMP_EQ && out->cmp != CMP_NE)
		return bad(s, d, line, col, text, len, "text compares with == or != only");
	return 0;
}
