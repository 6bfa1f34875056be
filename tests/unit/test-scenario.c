/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The scenario engine's parts that run nothing: the expression evaluator,
 * the template expander, the YAML loader with its marks, the checker's
 * messages, the compiled program and the expect: parser.
 */
#include "scenario/scn.h"
#include "test.h"

#include <stdio.h>
#include <unistd.h>

static char dir[] = "/tmp/ipckit-test-scenario-XXXXXX";

/* Names an expression may use here: n (a var), s (text), and the variables. */
static bool names(void *ctx, const char *name, size_t len, struct scn_sym *sym)
{
	(void)ctx;
	if (len == 1 && name[0] == 'n') {
		sym->kind = SYM_INT;
		sym->i = 10;
		return true;
	}
	if (len == 1 && name[0] == 's') {
		sym->kind = SYM_STR;
		sym->s = "text";
		return true;
	}
	if (len == 5 && !memcmp(name, "index", 5)) {
		sym->kind = SYM_VAR;
		sym->var = VAR_INDEX;
		return true;
	}
	if (len == 1 && name[0] == 'i') {
		sym->kind = SYM_VAR;
		sym->var = VAR_I;
		return true;
	}
	return false;
}

/* The value of @s with index @index and i @i; or the error. */
static int64_t eval(const char *s, int64_t index, int64_t i, int *rc)
{
	struct ipk_arena a = { 0 };
	struct scn_expr *e = NULL;
	char err[128];
	size_t at;
	int64_t vars[VAR_COUNT] = { [VAR_INDEX] = index, [VAR_I] = i };
	int64_t v = 0;

	*rc = scn_expr_parse(s, strlen(s), names, NULL, &a, &e, err, sizeof(err), &at);
	if (!*rc)
		*rc = scn_expr_eval(e, vars, &v);
	ipk_arena_free(&a);
	return v;
}

static void test_expressions(void)
{
	int rc;

	CHECK_INT(eval("1 + 2 * 3", 0, 0, &rc), 7);
	CHECK_INT(rc, 0);
	CHECK_INT(eval("(1 + 2) * 3", 0, 0, &rc), 9);
	CHECK_INT(eval("-7 / 2", 0, 0, &rc), -3);
	CHECK_INT(eval("-7 % 3", 0, 0, &rc), -1);
	CHECK_INT(eval("(index + 1) % n", 9, 0, &rc), 0);
	CHECK_INT(eval("(index + 1) % n", 3, 0, &rc), 4);
	CHECK_INT(eval("index < 2 && i >= 1", 1, 1, &rc), 1);
	CHECK_INT(eval("index < 2 && i >= 1", 1, 0, &rc), 0);
	CHECK_INT(eval("index == 4 ? 0 : index + 1", 4, 0, &rc), 0);
	CHECK_INT(eval("index == 4 ? 0 : index + 1", 2, 0, &rc), 3);
	CHECK_INT(eval("!index || 0x10 == 16", 5, 0, &rc), 1);
	CHECK_INT(eval("n * n - -n", 0, 0, &rc), 110);
	/* errors: at parse time when constant, at run time when not */
	eval("1 / 0", 0, 0, &rc);
	CHECK_INT(rc, -EINVAL);
	eval("n / i", 0, 0, &rc);
	CHECK_INT(rc, -EDOM);
	eval("9223372036854775807 + index", 1, 0, &rc);
	CHECK_INT(rc, -ERANGE);
	eval("s + 1", 0, 0, &rc);
	CHECK_INT(rc, -EINVAL);
	eval("nope", 0, 0, &rc);
	CHECK_INT(rc, -EINVAL);
	eval("(1 + 2", 0, 0, &rc);
	CHECK_INT(rc, -EINVAL);
	eval("1 +", 0, 0, &rc);
	CHECK_INT(rc, -EINVAL);
	eval("1 2", 0, 0, &rc);
	CHECK_INT(rc, -EINVAL);
	eval("index ? 1", 0, 0, &rc);
	CHECK_INT(rc, -EINVAL);
	/* a constant divisor of 0 is seen when parsing, beside a variable too */
	eval("i % 0", 0, 3, &rc);
	CHECK_INT(rc, -EINVAL);
	eval("index / (n - 10)", 1, 0, &rc);
	CHECK_INT(rc, -EINVAL);
	eval("index ? 1 : i / 0", 1, 1, &rc);	/* both sides are worked out */
	CHECK_INT(rc, -EINVAL);
	CHECK_INT(eval("i / (n - 9) + -(2 * 3)", 0, 12, &rc), 6);
	CHECK_INT(rc, 0);

	/* Where the problem is, and what it is. */
	struct ipk_arena a = { 0 };
	struct scn_expr *e;
	char err[128];
	size_t at = 0;
	CHECK_INT(scn_expr_parse("index + bogus", 13, names, NULL, &a, &e, err, sizeof(err), &at),
		  -EINVAL);
	CHECK_INT(at, 8);
	CHECK_STR(err, "unknown name 'bogus'");
	/* A constant is folded to one number; a variable stays. */
	CHECK_INT(scn_expr_parse("n * 2 + 1", 9, names, NULL, &a, &e, err, sizeof(err), &at), 0);
	int64_t v = 0;
	CHECK(scn_expr_const(e, &v) && v == 21);
	CHECK_INT(e->deps, 0);
	CHECK_INT(scn_expr_parse("i + n", 5, names, NULL, &a, &e, err, sizeof(err), &at), 0);
	CHECK(!scn_expr_const(e, &v));
	CHECK_INT(e->deps, DEP(VAR_I));
	/* what is constant inside is folded too: i, 7, + */
	CHECK_INT(scn_expr_parse("i + (n - 3)", 11, names, NULL, &a, &e, err, sizeof(err), &at), 0);
	CHECK_INT(e->n, 3);
	CHECK_INT(scn_expr_parse("i % (n - n)", 11, names, NULL, &a, &e, err, sizeof(err), &at),
		  -EINVAL);
	CHECK_STR(err, "division by zero");
	ipk_arena_free(&a);
}

/* @src expanded with index @index and i @i, or "ERR <rc>". */
static const char *expand(const char *src, int64_t index, int64_t i, unsigned *deps)
{
	static char out[256];
	struct ipk_arena a = { 0 };
	struct scn_tmpl *t = NULL;
	char err[128];
	size_t at;
	int64_t vars[VAR_COUNT] = { [VAR_INDEX] = index, [VAR_I] = i };

	int rc = scn_tmpl_parse(src, strlen(src), names, NULL, &a, &t, err, sizeof(err), &at);
	if (!rc) {
		ssize_t n = scn_tmpl_expand(t, vars, out, sizeof(out));
		if (n < 0)
			rc = (int)n;
		if (deps)
			*deps = t->deps;
	}
	if (rc)
		snprintf(out, sizeof(out), "ERR %d", rc);
	ipk_arena_free(&a);
	return out;
}

static void test_templates(void)
{
	unsigned deps = 99;

	CHECK_STR(expand("item {index}.{i}", 1, 7, &deps), "item 1.7");
	CHECK_INT(deps, DEP(VAR_INDEX) | DEP(VAR_I));
	CHECK_STR(expand("plain", 0, 0, &deps), "plain");
	CHECK_INT(deps, 0);
	CHECK_STR(expand("{s}-{n}", 0, 0, &deps), "text-10");
	CHECK_INT(deps, 0);
	CHECK_STR(expand("fork{(index + 1) % n}", 9, 0, NULL), "fork0");
	CHECK_STR(expand("{{literal}} {index}", 3, 0, NULL), "{literal} 3");
	CHECK_STR(expand("{ index }", 4, 0, NULL), "4");
	CHECK_STR(expand("", 0, 0, NULL), "");
	CHECK_STR(expand("a {n / i}", 0, 0, NULL), "ERR -33");	/* EDOM */
	CHECK_STR(expand("open {index", 0, 0, NULL), "ERR -22");
	CHECK_STR(expand("close }", 0, 0, NULL), "ERR -22");
	CHECK_STR(expand("{nope}", 0, 0, NULL), "ERR -22");

	/* A literal is one piece, never expanded. */
	struct ipk_arena a = { 0 };
	struct scn_tmpl *t;
	char err[128];
	size_t at, len;
	const char *s;
	CHECK_INT(scn_tmpl_parse("v{n}!", 5, names, NULL, &a, &t, err, sizeof(err), &at), 0);
	CHECK(scn_tmpl_literal(t, &s, &len) && len == 4 && !memcmp(s, "v10!", 4));
	CHECK_INT(scn_tmpl_parse("v{i}", 4, names, NULL, &a, &t, err, sizeof(err), &at), 0);
	CHECK(!scn_tmpl_literal(t, &s, &len));
	/* A buffer too small is ENOSPC, and still a string. */
	char small[4];
	int64_t vars[VAR_COUNT] = { [VAR_I] = 123456 };
	CHECK_INT(scn_tmpl_expand(t, vars, small, sizeof(small)), -ENOSPC);
	CHECK(memchr(small, '\0', sizeof(small)) != NULL);
	ipk_arena_free(&a);
}

static const char *write_file(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	return path;
}

/* The diagnostics of loading @text, one string, or "" when it loads. */
static const char *load_diags(const char *text, struct ipk_scenario **out)
{
	static char all[2048];
	struct ipk_scenario_diags *d = NULL;
	const char *path = write_file("t.yaml", text);
	size_t n = 0;
	int rc = ipk_scenario_load(path, NULL, 0, out, &d);

	all[0] = '\0';
	for (size_t i = 0; i < ipk_scenario_diag_count(d); i++) {
		const char *msg = ipk_scenario_diag_text(d, i);
		/* without the directory, so the checks read as the files */
		const char *base = strstr(msg, "t.yaml");
		n += (size_t)snprintf(all + n, sizeof(all) - n, "%s%s", i ? "|" : "", base ? base : msg);
	}
	ipk_scenario_diags_free(d);
	if (rc && !all[0])
		snprintf(all, sizeof(all), "rc %d", rc);
	return all;
}

static void test_yaml_marks(void)
{
	struct ipk_arena a = { 0 };
	struct ipk_scenario_diags d = { 0 };
	const struct ynode *root;
	const char *path = write_file("m.yaml", "top:\n  key: value\n  list: [1, \"two\", {x: 3}]\n"
					      "anchor: &a { k: v }\nalias: *a\n");

	CHECK_INT(scn_yaml_load(path, &a, &root, &d), 0);
	CHECK_INT(root->type, Y_MAP);
	CHECK_INT(root->n, 3);
	const struct ynode *top = scn_ymap_get(root, "top");
	CHECK(top && top->type == Y_MAP && top->line == 2 && top->col == 3);
	const struct ynode *v = scn_ymap_get(top, "key");
	CHECK(v && v->type == Y_SCALAR && v->line == 2 && v->col == 8 && !v->quoted);
	CHECK(v && v->len == 5 && !memcmp(v->s, "value", 5));
	const struct ynode *l = scn_ymap_get(top, "list");
	CHECK(l && l->type == Y_SEQ && l->n == 3 && l->line == 3 && l->col == 9);
	CHECK(l && l->items[1]->quoted && l->items[1]->col == 13);
	CHECK(l && l->items[2]->type == Y_MAP && scn_ymap_get(l->items[2], "x"));
	/* an alias is its anchor's node */
	CHECK(scn_ymap_get(root, "alias") == scn_ymap_get(root, "anchor"));
	CHECK(!scn_ymap_get(root, "missing"));
	ipk_arena_free(&a);

	/* A billion laughs is refused, not walked. */
	struct ipk_buf b = { 0 };
	ipk_buf_puts(&b, "a: &a [x, x, x, x, x, x, x, x, x, x]\n");
	for (char c = 'b'; c <= 'j'; c++)
		ipk_buf_printf(&b, "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n", c, c,
			       c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1);
	path = write_file("laughs.yaml", b.s);
	ipk_buf_free(&b);
	struct ipk_arena a2 = { 0 };
	CHECK(scn_yaml_load(path, &a2, &root, &d) < 0);
	CHECK(d.n == 1 && strstr(d.v[0], "aliases expand to too many nodes"));
	ipk_arena_free(&a2);
	for (size_t i = 0; i < d.n; i++)
		free(d.v[i]);
	free(d.v);
}

static void test_load_messages(void)
{
	struct ipk_scenario *s = NULL;

	CHECK_STR(load_diags("actors:\n  a:\n    steps:\n      - sleep: 1ms\n", &s), "");
	ipk_scenario_free(s);
	s = NULL;
	CHECK_STR(load_diags("actors:\n  a:\n    steps:\n      - sleep: 1ms\n      - wiat: x\n", &s),
		  "t.yaml:5:9: unknown operation 'wiat': did you mean 'wait'?");
	CHECK(s == NULL);
	CHECK_STR(load_diags("objects:\n  q: {kind: posix-mq, name: /q}\nactors:\n  a:\n    steps:\n"
			     "      - post: q\n", &s),
		  "t.yaml:6:9: posix-mq 'q' has no operation 'post' (send, recv, open, close, remove)");
	CHECK_STR(load_diags("objects:\n  q: {kind: pipe}\nactors:\n  a:\n    steps:\n"
			     "      - send: {to: q, data: \"{i\"}\n", &s),
		  "t.yaml:6:29: '{' without '}' (write {{ for a brace) in '{i'");
	CHECK_STR(load_diags("objects:\n  q: {kind: pipe}\nactors:\n  a:\n    steps:\n"
			     "      - recv: {from: q, timeout: 1s, nowait: true}\n", &s),
		  "t.yaml:6:9: 'recv': timeout: or nowait:, not both");
	/* numbers outside what the kernel takes, for a process of the actor */
	CHECK_STR(load_diags("objects:\n  s: {kind: sysv-sem, nsems: 2}\nactors:\n  a:\n"
			     "    processes: 2\n    threads: 2\n    steps:\n"
			     "      - post: {to: s, count: \"{-thread}\"}\n"
			     "      - wait: {on: s, sem: \"{index + thread}\"}\n", &s),
		  "t.yaml:8:30: 'post' on 's': count: -1 (for process 0, thread 1) is below 0|"
		  "t.yaml:9:28: 'wait' on 's': sem: 2 (for process 1, thread 1) is not one of the "
		  "semaphores of 's' (0..1)");
	/*
	 * What stays valid: a refusal a step expects, an array of any size that
	 * may exist already, a number known only as it runs, a name without its
	 * slash, and one object under two names when the second reuses it.
	 */
	CHECK_STR(load_diags("objects:\n  s: {kind: sysv-sem, nsems: 2}\n"
			     "  old: {kind: sysv-sem, key: 0x4e1d0099, existing: reuse}\n"
			     "  q: {kind: posix-mq, name: jobs}\n"
			     "  again: {kind: posix-mq, name: /jobs, existing: reuse}\n"
			     "actors:\n  a:\n    steps:\n"
			     "      - post: {to: s, sem: 2, expect: {error: EFBIG}}\n"
			     "      - set: {on: s, value: -1, expect: {error: ERANGE}}\n"
			     "      - post: {to: old, sem: 7}\n"
			     "      - get: {on: s, into: n}\n"
			     "      - repeat: \"{n - 1}\"\n        do: [post: s]\n"
			     "      - repeat: 0\n        do: [post: s]\n", &s),
		  "");
	CHECK(s && !strcmp(s->objs[2].path, "/jobs") && !strcmp(s->objs[2].c.name, "/jobs"));
	ipk_scenario_free(s);
	s = NULL;
	/* every problem of the file, in the order of the file */
	CHECK_STR(load_diags("scenario: x\nfoo: 1\nactors:\n  a:\n    bar: 2\n    steps: []\n", &s),
		  "t.yaml:2:1: unknown key 'foo' at the top (scenario description timeout stall vars "
		  "objects actors expect)|t.yaml:5:5: unknown key 'bar' in an actor (processes "
		  "threads cpu user group rlimits steps)");
}

static void test_compiled(void)
{
	struct ipk_scenario *s = NULL;

	CHECK_STR(load_diags(
		"vars: {n: 3}\n"
		"objects:\n"
		"  sem: {kind: sysv-sem, nsems: 4}\n"
		"  p: {kind: pipe}\n"
		"actors:\n"
		"  w:\n"
		"    processes: 2\n"
		"    steps:\n"
		"      - repeat: \"{n}\"\n"
		"        rate: 100/s\n"
		"        do:\n"
		"          - send: {to: p, data: \"x{index}\"}\n"
		"          - post: {to: sem, sem: \"{(index + 1) % processes}\"}\n"
		"      - barrier: end\n"
		"  r:\n"
		"    steps:\n"
		"      - barrier: end\n"
		"expect:\n"
		"  - w.send.count == {n * 2}\n"
		"  - sem.value[1] >= 1\n", &s), "");
	if (!CHECK(s != NULL))
		return;
	CHECK_STR(ipk_scenario_name(s), "t");
	CHECK_INT(s->nobjs, 2);
	CHECK_INT(s->nactors, 2);
	CHECK_INT(s->nworkers, 3);
	const struct scn_actor *w = &s->actors[0];
	/* LOOP, send, post, NEXT, BARRIER, END */
	CHECK_INT(w->nprog, 6);
	CHECK_INT(w->prog[0].code, SC_LOOP);
	CHECK_INT(w->prog[0].count.kind, V_INT);
	CHECK_INT(w->prog[0].count.i, 3);
	CHECK_INT(w->prog[0].period_ns, 10000000);
	CHECK_INT(w->prog[0].jump, 3);
	CHECK_INT(w->prog[3].code, SC_NEXT);
	CHECK_INT(w->prog[3].jump, 0);
	CHECK_INT(w->prog[1].code, SC_OP);
	CHECK_STR(w->prog[1].op->name, "send");
	CHECK_INT(w->prog[1].obj, 1);
	CHECK_INT(w->prog[1].arg[A_DATA].kind, V_TEXT);
	/* "x{index}" depends on the worker alone: cached, one id */
	CHECK(w->prog[1].arg[A_DATA].t->id >= 0);
	CHECK_INT(w->prog[2].arg[A_SEM].kind, V_EXPR);
	CHECK_INT(w->prog[4].code, SC_BARRIER);
	CHECK_INT(s->nbarriers, 1);
	CHECK_INT(s->parties[0], 3);
	CHECK_INT(w->nkeys, 2);
	CHECK_INT(s->nexpects, 2);
	CHECK_STR(s->expects[0].text, "w.send.count == 6");
	CHECK_INT(s->expects[0].stat, ST_COUNT);
	CHECK(s->expects[0].num == 6);
	CHECK(s->expects[1].on_object && s->expects[1].field == IPK_F_VALUE &&
	      s->expects[1].elem == 1 && s->expects[1].cmp == CMP_GE);
	CHECK_INT(ipk_scenario_set_key_count(s), 3);
	CHECK_STR(ipk_scenario_set_key(s, 0), "vars.n");
	ipk_scenario_free(s);

	/* --set changes a var before anything uses it */
	const struct ipk_scenario_set set = { "vars.n", "5" };
	struct ipk_scenario_diags *d = NULL;
	const char *path = write_file("set.yaml", "vars: {n: 3}\nactors:\n  a:\n    steps:\n"
				      "      - repeat: \"{n}\"\n        do:\n          - sleep: 1ms\n");
	CHECK_INT(ipk_scenario_load(path, &set, 1, &s, &d), 0);
	CHECK(s && s->actors[0].prog[0].count.i == 5);
	ipk_scenario_free(s);
	ipk_scenario_diags_free(d);
}

static void test_expect_lines(void)
{
	struct ipk_scenario *s = NULL;
	const char *base = "objects:\n  q: {kind: posix-mq, name: /q}\n  s: {kind: sysv-sem}\n"
			   "actors:\n  a:\n    steps:\n      - send: q\n      - recv: q\n"
			   "expect:\n  - ";
	struct {
		const char *line, *diag;
	} cases[] = {
		{ "a.recv.p99 < 5ms", "" },
		{ "\"*.send.errors == 0\"", "" },
		{ "*.send.errors == 0", "" },
		{ "*.recv.count == 1  ", "" },
		{ "*.post.count == 1", "t.yaml:10:5: expect: '*.post.count == 1': no actor does "
		  "'post'" },
		{ "a.send@q.rate > 10", "" },
		{ "q.messages == 0", "" },
		{ "q.perms == 0600", "" },
		{ "s.value == [1]", "" },
		{ "q.exists == false", "" },
		{ "q.name == \"/q\"", "" },
		{ "a.recv.p42 < 1", "t.yaml:10:5: expect: 'a.recv.p42 < 1': unknown figure 'p42' "
		  "(count, errors, rate, mean, min, p50, p90, p99, p999, max)" },
		{ "a.wait.count == 1", "t.yaml:10:5: expect: 'a.wait.count == 1': actor 'a' does no "
		  "'wait'" },
		{ "a.send@s.count == 1", "t.yaml:10:5: expect: 'a.send@s.count == 1': actor 'a' does "
		  "no 'send' on s" },
		{ "q.value == 1", "t.yaml:10:5: expect: 'q.value == 1': a posix-mq has no field "
		  "'value' (see ipc-ls -i, or 'exists')" },
		{ "q.name < abc", "t.yaml:10:5: expect: 'q.name < abc': text compares with == or "
		  "!= only" },
		{ "s.value > [1]", "t.yaml:10:5: expect: 's.value > [1]': a list compares with == or "
		  "!= only" },
		{ "a.recv.count == many", "t.yaml:10:5: expect: 'a.recv.count == many': the right "
		  "side is a number" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char text[512];
		snprintf(text, sizeof(text), "%s%s\n", base, cases[i].line);
		const char *got = load_diags(text, &s);
		if (!CHECK_STR(got, cases[i].diag))
			printf("#   for '%s'\n", cases[i].line);
		ipk_scenario_free(s);
		s = NULL;
	}
}

static void test_vocabulary(void)
{
	struct ipk_scenario_opinfo oi;
	size_t n = ipk_scenario_op_count(), with_example = 0;
	bool send_mq = false;

	CHECK(n >= 90);
	for (size_t i = 0; i < n; i++) {
		CHECK_INT(ipk_scenario_op_info(i, &oi), 0);
		with_example += oi.example && oi.example[0] == '-';
		if (!strcmp(oi.type, "posix-mq") && !strcmp(oi.op, "send")) {
			send_mq = true;
			CHECK_STR(oi.object_key, "to");
			CHECK_STR(oi.params, "priority data size timeout nowait expect");
		}
	}
	CHECK_INT(with_example, n);
	CHECK(send_mq);
	CHECK_INT(ipk_scenario_op_info(n, &oi), -ENOENT);
	/* each kind SCENARIO.md names has a scenario side, and the scenario's own */
	static const char *const kinds[] = {
		"sysv-msg", "sysv-sem", "sysv-shm", "posix-mq", "posix-sem", "posix-shm", "fifo",
		"pipe", "unix", "eventfd", "timerfd", "signalfd", "memfd", "socketpair",
		"posix-sem-unnamed", "mq",
	};
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		const struct ipk_kind *k;
		if (!CHECK(scn_type_find(kinds[i], &k) != NULL))
			printf("#   for %s\n", kinds[i]);
	}
	const struct ipk_kind *k;
	for (size_t i = 0; i < scn_type_count(); i++)
		CHECK(scn_type_at(i, &k) != NULL);
	CHECK(scn_type_at(scn_type_count(), &k) == NULL);
	CHECK_STR(scn_object_key("recv"), "from");
	CHECK_STR(scn_object_key("post"), "to");
	CHECK_STR(scn_object_key("attach"), "on");
	CHECK_INT(scn_errno_parse("EAGAIN", 6), EAGAIN);
	CHECK_STR(scn_errno_name(ETIMEDOUT), "ETIMEDOUT");
	CHECK_INT(scn_signal_parse("SIGUSR1", 7), SIGUSR1);
	CHECK_INT(scn_signal_parse("TERM", 4), SIGTERM);
	CHECK_INT(scn_signal_parse("10", 2), 10);
	CHECK_INT(scn_signal_parse("NOPE", 4), -1);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_expressions);
	RUN(test_templates);
	RUN(test_yaml_marks);
	RUN(test_load_messages);
	RUN(test_compiled);
	RUN(test_expect_lines);
	RUN(test_vocabulary);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		perror("rm");
	return test_done();
}
