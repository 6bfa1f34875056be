/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Loading a scenario: every key of the file is checked against a table
 * (the top level, objects with their kind's attributes, actors, steps with
 * their operation's parameters), each problem becomes FILE:LINE:COL and
 * loading goes on to find the others; then each actor's steps become a
 * flat program of instructions whose arguments are constants or compiled
 * expressions, so that running one needs no YAML and no text.
 */
#include "scn.h"

#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <grp.h>
#include <pwd.h>
#include <sys/resource.h>
#include <time.h>

#define MAX_DEPTH	8		/* loops inside loops */
#define MAX_PROCESSES	4096
#define MAX_THREADS	256
#define MAX_WORKERS	8192
#define DEFAULT_TIMEOUT	(UINT64_C(60) * 1000000000)
#define DEFAULT_STALL	(UINT64_C(2) * 1000000000)

struct var {
	const char *name;
	size_t len;
	const struct ynode *node;	/* where it was given */
	const char *text;		/* its value as text (a --set replaces it) */
	bool is_int;
	int64_t i;
};

struct loader {
	struct ipk_scenario *s;
	struct ipk_arena *a;
	const char *file;
	struct ipk_scenario_diags *d;
	int errors;
	struct var *vars;
	size_t nvars;
	/* the actor being compiled */
	struct scn_actor *actor;
	struct scn_step *prog;
	size_t nprog, cap;
	int depth;
	bool *uses_barrier;
	int *pair_owner;		/* per object: the first actor that uses a socketpair */
};

static void diag(struct loader *L, const struct ynode *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void diag(struct loader *L, const struct ynode *at, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	L->errors++;
	scn_diag(L->d, L->file, at ? at->line : 0, at ? at->col : 0, "%s", text);
}

/* A scalar's text, at most 64 bytes of it, for messages. */
#define SHOW(n)	(int)((n)->len > 64 ? 64 : (n)->len), (n)->s

static bool is_key(const struct ynode *k, const char *word)
{
	return k->type == Y_SCALAR && k->len == strlen(word) && memcmp(k->s, word, k->len) == 0;
}

static bool is_null(const struct ynode *n)
{
	return n->type == Y_SCALAR && !n->quoted &&
	       (n->len == 0 || (n->len == 1 && n->s[0] == '~') ||
		(n->len == 4 && (memcmp(n->s, "null", 4) == 0 || memcmp(n->s, "Null", 4) == 0 ||
				 memcmp(n->s, "NULL", 4) == 0)));
}

/* Whether @word is one of the space-separated @words. */
static int word_index(const char *words, const char *s, size_t len)
{
	int i = 0;

	for (const char *w = words; *w; i++) {
		size_t n = strcspn(w, " ");
		if (n == len && memcmp(w, s, n) == 0)
			return i;
		w += n;
		w += *w == ' ';
	}
	return -1;
}

/* Complains about every key of @map that is not in the space-separated @allowed. */
static void check_keys(struct loader *L, const struct ynode *map, const char *allowed,
		       const char *where)
{
	for (size_t i = 0; i < map->n; i++) {
		const struct ynode *k = map->items[2 * i];
		if (word_index(allowed, k->s, k->len) < 0)
			diag(L, k, "unknown key '%.*s' %s (%s)", SHOW(k), where, allowed);
	}
}

static bool identifier(const char *s, size_t len)
{
	if (!len || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

int scn_obj_find(const struct ipk_scenario *s, const char *name, size_t len)
{
	for (size_t i = 0; i < s->nobjs; i++)
		if (strlen(s->objs[i].name) == len && memcmp(s->objs[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

void scn_obj_describe(const struct scn_obj *o, char *buf, size_t size)
{
	if (o->path)
		snprintf(buf, size, "%s %s", o->type->name, o->path);
	else if (o->c.set & IPK_ATTR_BIT(IPK_ATTR_KEY))
		snprintf(buf, size, "%s key 0x%08x", o->type->name, (unsigned)o->c.key);
	else
		snprintf(buf, size, "%s", o->type->name);
}

int scn_actor_find(const struct ipk_scenario *s, const char *name, size_t len)
{
	for (size_t i = 0; i < s->nactors; i++)
		if (strlen(s->actors[i].name) == len && memcmp(s->actors[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

/* ---------------------------------------------------------------- names */

struct scope {
	struct loader *L;
	const struct scn_actor *actor;	/* NULL: only vars */
};

static bool lookup(void *ctx, const char *name, size_t len, struct scn_sym *sym)
{
	struct scope *sc = ctx;
	const struct scn_actor *a = sc->actor;
	static const struct {
		const char *name;
		int var;
	} vars[] = {
		{ "index", VAR_INDEX }, { "thread", VAR_THREAD }, { "pid", VAR_PID }, { "i", VAR_I },
	};

	if (len > 5 && memcmp(name, "vars.", 5) == 0) {
		name += 5;
		len -= 5;
	} else if (a) {
		for (size_t i = 0; i < ARRAY_SIZE(vars); i++) {
			if (strlen(vars[i].name) == len && memcmp(vars[i].name, name, len) == 0) {
				sym->kind = SYM_VAR;
				sym->var = vars[i].var;
				return true;
			}
		}
		if (len == 9 && memcmp(name, "processes", 9) == 0) {
			sym->kind = SYM_INT;
			sym->i = a->processes;
			return true;
		}
		if (len == 7 && memcmp(name, "threads", 7) == 0) {
			sym->kind = SYM_INT;
			sym->i = a->threads;
			return true;
		}
		if (len == 5 && memcmp(name, "actor", 5) == 0) {
			sym->kind = SYM_STR;
			sym->s = a->name;
			return true;
		}
		for (size_t i = 0; i < sc->L->s->ninto; i++) {
			if (strlen(sc->L->s->into[i]) == len && !memcmp(sc->L->s->into[i], name, len)) {
				sym->kind = SYM_VAR;
				sym->var = VAR_INTO + (int)i;
				return true;
			}
		}
	}
	for (size_t i = 0; i < sc->L->nvars; i++) {
		const struct var *v = &sc->L->vars[i];
		if (v->len == len && memcmp(v->name, name, len) == 0) {
			sym->kind = v->is_int ? SYM_INT : SYM_STR;
			sym->i = v->i;
			sym->s = v->text;
			return true;
		}
	}
	return false;
}

/*
 * The text of a node that should be a value.  A flow mapping of one key
 * and no value ({n} written without quotes) is the template "{n}".  A
 * null (~, null, or nothing after the colon) is no value: as text it
 * would be taken for the name "~" or "".
 */
static bool value_text(struct loader *L, const struct ynode *n, const char **s, size_t *len,
		       const char *what)
{
	if (is_null(n)) {
		diag(L, n, "%s is null%s%.*s%s, where a value is wanted (quote it for the text)",
		     what, n->len ? " ('" : "", SHOW(n), n->len ? "')" : "");
		return false;
	}
	if (n->type == Y_SCALAR) {
		*s = n->s;
		*len = n->len;
		return true;
	}
	if (n->type == Y_MAP && n->n == 1 && is_null(n->items[1])) {
		const struct ynode *k = n->items[0];
		char *t = scn_strndup(L->a, "{", 1 + k->len + 1);
		if (t) {
			memcpy(t + 1, k->s, k->len);
			t[1 + k->len] = '}';
			t[2 + k->len] = '\0';
			*s = t;
			*len = k->len + 2;
			return true;
		}
	}
	diag(L, n, "%s is a %s, where a value is wanted", what,
	     n->type == Y_SEQ ? "list" : "mapping");
	return false;
}

/* A template of @sc from @n; reports a bad one at its column. */
static struct scn_tmpl *template(struct loader *L, struct scope *sc, const struct ynode *n,
				 const char *s, size_t len)
{
	struct scn_tmpl *t = NULL;
	char err[160];
	size_t at = 0;

	int rc = scn_tmpl_parse(s, len, lookup, sc, L->a, &t, err, sizeof(err), &at);
	if (rc == -ENOMEM) {
		diag(L, n, "out of memory");
		return NULL;
	}
	if (rc) {
		struct ynode where = *n;
		/* The column of the problem, when the scalar is on one line as written. */
		if (!n->quoted && !memchr(s, '\n', len) && s == n->s)
			where.col += (int)at;
		diag(L, &where, "%s in '%.*s'", err, (int)(len > 64 ? 64 : len), s);
		return NULL;
	}
	/* A template only workers' constants change is expanded once by each. */
	if (t->deps && !(t->deps & ~DEPS_WORKER))
		t->id = L->s->ntmpl++;
	return t;
}

/*
 * The text of a value with its constant templates expanded ("{n}ms" with
 * vars: n), for what cannot change while running: durations, attributes.
 */
static const char *static_text(struct loader *L, const struct ynode *n, const char *what)
{
	const char *s;
	size_t len;
	struct scope sc = { L, NULL };

	if (!value_text(L, n, &s, &len, what))
		return NULL;
	if (!memchr(s, '{', len) && !memchr(s, '}', len))
		return scn_strndup(L->a, s, len);
	struct scn_tmpl *t = template(L, &sc, n, s, len);
	if (!t)
		return NULL;
	char *buf = ipk_arena_alloc(L->a, 4096);
	if (!buf || scn_tmpl_expand(t, NULL, buf, 4096) < 0) {
		diag(L, n, "%s: '%.*s' is too long", what, SHOW(n));
		return NULL;
	}
	return buf;
}

static bool parse_int_text(const char *s, int64_t *v)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return false;
	errno = 0;
	long long x = strtoll(s, &end, 0);
	while (isspace((unsigned char)*end))
		end++;
	if (errno || *end)
		return false;
	*v = x;
	return true;
}

static bool static_int(struct loader *L, const struct ynode *n, const char *what, int64_t min,
		       int64_t max, int64_t *v)
{
	const char *s = static_text(L, n, what);

	if (!s)
		return false;
	if (!parse_int_text(s, v)) {
		diag(L, n, "%s: '%s' is not a whole number", what, s);
		return false;
	}
	if (*v < min || *v > max) {
		diag(L, n, "%s: %" PRId64 " is outside %" PRId64 "..%" PRId64, what, *v, min, max);
		return false;
	}
	return true;
}

static bool static_duration(struct loader *L, const struct ynode *n, const char *what,
			    uint64_t *ns)
{
	const char *s = static_text(L, n, what);

	if (!s)
		return false;
	if (ipk_parse_duration_ns(s, ns)) {
		diag(L, n, "%s: '%s' is not a duration (500us, 20ms, 1.5s, 2m)", what, s);
		return false;
	}
	return true;
}

static bool static_size(struct loader *L, const struct ynode *n, const char *what, uint64_t *v)
{
	const char *s = static_text(L, n, what);

	if (!s)
		return false;
	if (ipk_parse_size(s, v)) {
		diag(L, n, "%s: '%s' is not a size (64, 4K, 1M)", what, s);
		return false;
	}
	return true;
}

static bool parse_bool(struct loader *L, const struct ynode *n, const char *what, bool *b)
{
	static const char *const yes[] = { "true", "yes", "on", "True", "Yes", "On", "TRUE", "1" };
	static const char *const no[] = { "false", "no", "off", "False", "No", "Off", "FALSE", "0" };

	if (n->type == Y_SCALAR) {
		for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
			if (n->len == strlen(yes[i]) && memcmp(n->s, yes[i], n->len) == 0) {
				*b = true;
				return true;
			}
			if (n->len == strlen(no[i]) && memcmp(n->s, no[i], n->len) == 0) {
				*b = false;
				return true;
			}
		}
	}
	diag(L, n, "%s is true or false", what);
	return false;
}

/* ------------------------------------------------------------- signals */

static const struct {
	const char *name;
	int sig;
} signal_names[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "ILL", SIGILL },
	{ "TRAP", SIGTRAP }, { "ABRT", SIGABRT }, { "BUS", SIGBUS }, { "FPE", SIGFPE },
	{ "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
	{ "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM }, { "CHLD", SIGCHLD },
	{ "CONT", SIGCONT }, { "STOP", SIGSTOP }, { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },
	{ "TTOU", SIGTTOU }, { "URG", SIGURG }, { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },
	{ "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH }, { "IO", SIGIO },
	{ "PWR", SIGPWR }, { "SYS", SIGSYS },
};

int scn_signal_parse(const char *name, size_t len)
{
	char buf[32];
	int64_t v;

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, name, len);
	buf[len] = '\0';
	if (parse_int_text(buf, &v))
		return v > 0 && v <= SIGRTMAX ? (int)v : -1;
	const char *s = strncmp(buf, "SIG", 3) == 0 ? buf + 3 : buf;
	for (size_t i = 0; i < ARRAY_SIZE(signal_names); i++)
		if (strcmp(s, signal_names[i].name) == 0)
			return signal_names[i].sig;
	if (strncmp(s, "RTMIN", 5) == 0) {
		int off = s[5] == '+' ? atoi(s + 6) : 0;
		if (SIGRTMIN + off <= SIGRTMAX)
			return SIGRTMIN + off;
	}
	return -1;
}

const char *scn_signal_name(int sig)
{
	for (size_t i = 0; i < ARRAY_SIZE(signal_names); i++)
		if (signal_names[i].sig == sig)
			return signal_names[i].name;
	return NULL;
}

static int parse_signal(struct loader *L, const struct ynode *n, const char *what)
{
	const char *s = n->type == Y_SCALAR ? n->s : NULL;
	int sig = s ? scn_signal_parse(s, n->len) : -1;

	if (sig < 0)
		diag(L, n, "%s: '%.*s' is not a signal (USR1, SIGTERM, 10 ...)", what,
		     s ? (int)n->len : 0, s ? s : "");
	return sig;
}

/* A list of words or signals, as a sequence or one comma-separated scalar. */
static bool each_word(struct loader *L, const struct ynode *n, const char *what,
		      bool (*one)(struct loader *L, const struct ynode *at, const char *s,
				  size_t len, void *data),
		      void *data)
{
	if (n->type == Y_SEQ) {
		bool ok = true;
		for (size_t i = 0; i < n->n; i++) {
			const struct ynode *it = n->items[i];
			if (it->type != Y_SCALAR) {
				diag(L, it, "%s: a list of words", what);
				ok = false;
				continue;
			}
			ok &= one(L, it, it->s, it->len, data);
		}
		return ok;
	}
	if (n->type != Y_SCALAR) {
		diag(L, n, "%s: a list of words", what);
		return false;
	}
	bool ok = true;
	for (size_t i = 0; i < n->len;) {
		size_t j = i;
		while (j < n->len && n->s[j] != ',')
			j++;
		size_t b = i, e = j;
		while (b < e && isspace((unsigned char)n->s[b]))
			b++;
		while (e > b && isspace((unsigned char)n->s[e - 1]))
			e--;
		if (e > b)
			ok &= one(L, n, n->s + b, e - b, data);
		i = j + 1;
	}
	return ok;
}

struct mask_arg {
	uint64_t mask;
	const char *words;
	const char *what;
};

static bool one_signal(struct loader *L, const struct ynode *at, const char *s, size_t len,
		       void *data)
{
	struct mask_arg *m = data;
	int sig = scn_signal_parse(s, len);

	if (sig < 0 || sig == SIGKILL || sig == SIGSTOP || sig == XPORT_ALARM_SIGNAL) {
		diag(L, at, "%s: '%.*s' %s", m->what, (int)len, s,
		     sig < 0 ? "is not a signal" : "cannot be received through a signalfd");
		return false;
	}
	m->mask |= UINT64_C(1) << (sig - 1);
	return true;
}

static bool one_word(struct loader *L, const struct ynode *at, const char *s, size_t len,
		     void *data)
{
	struct mask_arg *m = data;
	int i = word_index(m->words, s, len);

	if (i < 0) {
		diag(L, at, "%s: unknown '%.*s' (%s)", m->what, (int)len, s, m->words);
		return false;
	}
	m->mask |= 1u << i;
	return true;
}

/* --------------------------------------------------------------- errnos */

static const struct {
	int err;
	const char *name;
} errno_names[] = {
#define E(x) { x, #x }
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG), E(EBADF),
	E(EAGAIN), E(ENOMEM), E(EACCES), E(EFAULT), E(EBUSY), E(EEXIST), E(ENODEV),
	E(ENOTDIR), E(EISDIR), E(EINVAL), E(ENFILE), E(EMFILE), E(EFBIG), E(ENOSPC),
	E(ESPIPE), E(EPIPE), E(EDOM), E(ERANGE), E(EDEADLK), E(ENAMETOOLONG), E(ENOSYS),
	E(ENOMSG), E(EIDRM), E(ENOTSOCK), E(EDESTADDRREQ), E(EMSGSIZE), E(EPROTOTYPE),
	E(EOPNOTSUPP), E(EAFNOSUPPORT), E(EADDRINUSE), E(EADDRNOTAVAIL), E(ENETDOWN),
	E(ECONNRESET), E(ENOBUFS), E(EISCONN), E(ENOTCONN), E(ETOOMANYREFS), E(ETIMEDOUT),
	E(ECONNREFUSED), E(EALREADY), E(EINPROGRESS), E(EOVERFLOW), E(EBADMSG), E(ENOTSUP),
	E(EROFS), E(ETXTBSY), E(ELOOP), E(ECANCELED), E(EOWNERDEAD), E(ENOTRECOVERABLE),
#undef E
};

const char *scn_errno_name(int err)
{
	for (size_t i = 0; i < ARRAY_SIZE(errno_names); i++)
		if (errno_names[i].err == err)
			return errno_names[i].name;
	return NULL;
}

int scn_errno_parse(const char *name, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(errno_names); i++)
		if (strlen(errno_names[i].name) == len && memcmp(errno_names[i].name, name, len) == 0)
			return errno_names[i].err;
	if (len == 11 && memcmp(name, "EWOULDBLOCK", 11) == 0)
		return EWOULDBLOCK;
	return -1;
}

/* ------------------------------------------------------------- values */

/*
 * A value that may change while running: a number, "{EXPR}", or for text
 * any template.  Constants come out as V_INT.
 */
static bool int_val(struct loader *L, struct scope *sc, const struct ynode *n, const char *what,
		    enum scn_ptype type, struct scn_val *v)
{
	const char *s;
	size_t len;

	if (!value_text(L, n, &s, &len, what))
		return false;
	if (memchr(s, '{', len)) {
		struct scn_tmpl *t = template(L, sc, n, s, len);
		if (!t)
			return false;
		if (!t->deps) {
			/* constant after all: parse what it says, units included */
			char buf[64];
			if (scn_tmpl_expand(t, NULL, buf, sizeof(buf)) < 0) {
				diag(L, n, "%s: '%.*s' is not a number", what, SHOW(n));
				return false;
			}
			s = scn_strndup(L->a, buf, strlen(buf));
			len = strlen(buf);
		} else if (t->nseg == 1 && t->seg[0].e) {
			v->kind = V_EXPR;
			v->e = t->seg[0].e;
			return true;
		} else {
			diag(L, n, "%s: '%.*s' must be a number or one {expression} when it changes "
			     "while running", what, SHOW(n));
			return false;
		}
	}
	char *text = scn_strndup(L->a, s, len);
	if (!text)
		return false;
	v->kind = V_INT;
	if (type == SP_SIZE) {
		uint64_t b;
		if (ipk_parse_size(text, &b) || b > INT64_MAX) {
			diag(L, n, "%s: '%s' is not a size (64, 4K, 1M)", what, text);
			return false;
		}
		v->i = (int64_t)b;
		return true;
	}
	if (type == SP_DURATION) {
		uint64_t ns;
		if (ipk_parse_duration_ns(text, &ns)) {
			diag(L, n, "%s: '%s' is not a duration (500us, 20ms, 1.5s, 2m)", what, text);
			return false;
		}
		v->i = (int64_t)ns;
		return true;
	}
	if (!parse_int_text(text, &v->i)) {
		diag(L, n, "%s: '%s' is not a whole number", what, text);
		return false;
	}
	return true;
}

static bool text_val(struct loader *L, struct scope *sc, const struct ynode *n, const char *what,
		     struct scn_val *v)
{
	const char *s;
	size_t len;

	if (!value_text(L, n, &s, &len, what))
		return false;
	struct scn_tmpl *t = template(L, sc, n, s, len);
	if (!t)
		return false;
	v->kind = V_TEXT;
	v->t = t;
	return true;
}

/*
 * Whether @v, a number of the step or loop @where ("'post' on 'slots': ",
 * or "") names as @what, is one @min..@max in every process and thread of
 * the actor: a constant, or an expression of the process and thread
 * numbers only (what depends on more is known only as it runs, and
 * checked then).  @why says what is wrong with one outside ("is below 0").
 */
static bool check_range(struct loader *L, const char *where, const struct ynode *at,
			const char *what, const struct scn_val *v, int64_t min, int64_t max,
			const char *why)
{
	const struct scn_actor *a = L->actor;
	int64_t vars[VAR_COUNT] = { 0 }, x;

	if (v->kind == V_INT && (v->i < min || v->i > max)) {
		diag(L, at, "%s%s: %" PRId64 " %s", where, what, v->i, why);
		return false;
	}
	if (v->kind != V_EXPR || (v->e->deps & ~(DEP(VAR_INDEX) | DEP(VAR_THREAD))))
		return true;
	for (int p = 0; p < a->processes; p++) {
		for (int th = 0; th < a->threads; th++) {
			vars[VAR_INDEX] = p;
			vars[VAR_THREAD] = th;
			if (scn_expr_eval(v->e, vars, &x) == 0 && (x < min || x > max)) {
				char who[48];
				snprintf(who, sizeof(who), a->threads > 1 ? "process %d, thread %d"
					 : "process %d", p, th);
				diag(L, at, "%s%s: %" PRId64 " (for %s) %s", where, what, x, who, why);
				return false;
			}
		}
	}
	return true;
}

/* The objects named by a template: all of them, since it resolves as it runs. */
static bool object_val(struct loader *L, const struct ynode *n, const char *what, int *obj,
		       struct scn_tmpl **t, struct scope *sc)
{
	const char *s;
	size_t len;

	if (!value_text(L, n, &s, &len, what))
		return false;
	if (memchr(s, '{', len)) {
		*t = template(L, sc, n, s, len);
		if (!*t)
			return false;
		const char *lit;
		size_t llen;
		if (!scn_tmpl_literal(*t, &lit, &llen)) {
			*obj = -1;
			return true;
		}
		s = lit;
		len = llen;
		*t = NULL;
	}
	*obj = scn_obj_find(L->s, s, len);
	if (*obj < 0) {
		diag(L, n, "%s: no object '%.*s' in objects:", what, (int)(len > 64 ? 64 : len), s);
		return false;
	}
	return true;
}

/* ------------------------------------------------------------- objects */

/* What the words of the types' attribute tables stand for, in their order. */
static const int sock_types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET };
static const int clocks[] = { CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_BOOTTIME };

static bool attr_mode(struct loader *L, const struct ynode *n, uint32_t *mode)
{
	const char *s = static_text(L, n, "mode");
	char *end;

	if (!s)
		return false;
	errno = 0;
	unsigned long m = strtoul(s, &end, 8);
	if (errno || end == s || *end || m > 07777) {
		diag(L, n, "mode: '%s' is not permission bits in octal (0600, 640)", s);
		return false;
	}
	*mode = (uint32_t)m;
	return true;
}

/* One of ipc-mk's attributes for ipk_create(), by name. */
static bool mk_attr(struct loader *L, struct scn_obj *o, const struct ynode *k,
		    const struct ynode *v)
{
	static const char *const names = "key mode size nsems value values maxmsg msgsize qbytes";
	static const enum ipk_attr attrs[] = {
		IPK_ATTR_KEY, IPK_ATTR_MODE, IPK_ATTR_SIZE, IPK_ATTR_NSEMS, IPK_ATTR_VALUE,
		IPK_ATTR_VALUES, IPK_ATTR_MAXMSG, IPK_ATTR_MSGSIZE, IPK_ATTR_QBYTES,
	};
	int i = word_index(names, k->s, k->len);

	if (i < 0 || !(ipk_kind_create_attrs(o->kind) & IPK_ATTR_BIT(attrs[i])))
		return false;
	struct ipk_create *c = &o->c;
	int64_t x;
	uint64_t u;
	bool ok = true;

	switch (attrs[i]) {
	case IPK_ATTR_KEY: {
		const char *s = static_text(L, v, "key");
		int32_t key;
		if (!s)
			return true;
		if (ipk_parse_key(s, &key)) {
			diag(L, v, "key: '%s' is not a SysV key (0x1234, 4660, ftok:PATH:PROJ)", s);
			return true;
		}
		c->key = key;
		break;
	}
	case IPK_ATTR_MODE:
		ok = attr_mode(L, v, &c->mode);
		break;
	case IPK_ATTR_SIZE:
		if ((ok = static_size(L, v, "size", &u)))
			c->size = u;
		break;
	case IPK_ATTR_MSGSIZE:
		if ((ok = static_size(L, v, "msgsize", &u)))
			c->msgsize = u;
		break;
	case IPK_ATTR_QBYTES:
		if ((ok = static_size(L, v, "qbytes", &u)))
			c->qbytes = u;
		break;
	case IPK_ATTR_NSEMS:
		if ((ok = static_int(L, v, "nsems", 1, INT_MAX, &x)))
			c->nsems = (uint64_t)x;
		break;
	case IPK_ATTR_MAXMSG:
		if ((ok = static_int(L, v, "maxmsg", 1, INT_MAX, &x)))
			c->maxmsg = (uint64_t)x;
		break;
	case IPK_ATTR_VALUE:
		/* a semaphore's, set by sem_open(3) or SETALL: never below 0 */
		if ((ok = static_int(L, v, "value", 0, INT_MAX, &x)))
			c->value = x;
		break;
	case IPK_ATTR_VALUES: {
		if (v->type != Y_SEQ || !v->n) {
			diag(L, v, "values: a list of numbers, one per semaphore ([1, 0, 2])");
			return true;
		}
		int64_t *vals = scn_zalloc(L->a, v->n * sizeof(*vals));
		for (size_t j = 0; vals && j < v->n; j++)
			ok &= static_int(L, v->items[j], "values", 0, INT_MAX, &vals[j]);
		c->values = vals;
		c->nvalues = v->n;
		break;
	}
	default:
		break;
	}
	if (ok)
		c->set |= IPK_ATTR_BIT(attrs[i]);
	return true;
}

/* One attribute of a process-held type's table. */
static bool type_attr(struct loader *L, struct scn_obj *o, const struct ynode *k,
		      const struct ynode *v)
{
	const struct scn_param *p = o->type->attrs;

	while (p && p->name && !is_key(k, p->name))
		p++;
	if (!p || !p->name)
		return false;
	int64_t x;
	uint64_t u;
	bool b;
	struct mask_arg m = { .what = p->name, .words = p->words };
	const char *s;

	switch (p->slot) {
	case A_SOCKTYPE:
	case A_CLOCK:
		s = static_text(L, v, p->name);
		if (!s)
			break;
		x = word_index(p->words, s, strlen(s));
		if (x < 0)
			diag(L, v, "%s: unknown '%s' (%s)", p->name, s, p->words);
		else if (p->slot == A_SOCKTYPE)
			o->socktype = sock_types[x];
		else
			o->clock = clocks[x];
		break;
	case A_SEMAPHORE:
		if (parse_bool(L, v, p->name, &b))
			o->semaphore = b;
		break;
	case A_VALUE:
		if (static_int(L, v, p->name, 0, INT64_MAX, &x))
			o->value = x;
		break;
	case A_SIZE:
		if (static_size(L, v, p->name, &u))
			o->size = u;
		break;
	case A_SIGNALS:
		if (each_word(L, v, p->name, one_signal, &m)) {
			o->sigmask = m.mask;
			if (!m.mask)
				diag(L, v, "signals: at least one");
		}
		break;
	case A_SEALS:
		if (each_word(L, v, p->name, one_word, &m))
			o->seals = (unsigned)m.mask;
		break;
	case A_PATH:
		o->path = static_text(L, v, p->name);
		break;
	default:
		break;
	}
	return true;
}

/*
 * The name (or path) @v of object @o, for a named kind as its REF has it
 * ("jobs" is "/jobs"); NULL, said, for one ipk_create() would refuse: a
 * POSIX name of two components, a FIFO's relative path.  A socket's path
 * is bound as written.
 */
static const char *object_name(struct loader *L, const struct scn_obj *o, const struct ynode *k,
			       const struct ynode *v)
{
	char what[8];

	snprintf(what, sizeof(what), "%.*s", SHOW(k));
	const char *name = static_text(L, v, what);
	if (!name || !(o->type->flags & SCN_T_NAMED))
		return name;
	const struct ipk_kind *kind;
	char *canon = NULL;
	char *ref = ref_make(o->kind, name);
	int rc = ref ? ipk_ref_parse(ref, &kind, &canon) : -ENOMEM;
	free(ref);
	if (rc) {
		if (rc == -ENOMEM)
			diag(L, v, "out of memory");
		else
			diag(L, v, "%s: '%s' is not a %s %s (%s)", what, name, o->type->name, what,
			     ipk_kind_family(o->kind) == IPK_FAMILY_POSIX ?
			     "/NAME: one component, no other '/'" : "an absolute path");
		return NULL;
	}
	const char *arg = strchr(canon, ':') + 1;
	name = scn_strndup(L->a, arg, strlen(arg));
	free(canon);
	return name;
}

/* Whether @a and @b are one object of the system: the second to be made finds the first. */
static bool same_object(const struct scn_obj *a, const struct scn_obj *b)
{
	if (!a->type || !b->type)
		return false;
	/* Paths are one namespace for every kind that has them (a FIFO, a socket). */
	if (a->path && b->path)
		return (a->type == b->type || (a->type->flags & b->type->flags & SCN_T_PATH)) &&
		       strcmp(a->path, b->path) == 0;
	/* A SysV key is its kind's; IPC_PRIVATE (0) makes a new object each time. */
	return a->type == b->type && (a->c.set & b->c.set & IPK_ATTR_BIT(IPK_ATTR_KEY)) &&
	       a->c.key == b->c.key && a->c.key != 0;
}

/*
 * Object @idx (its key @k) naming an earlier one's object would find it
 * made when the run makes it ("exists already"), unless it says
 * existing: reuse.
 */
static void check_unique(struct loader *L, const struct ynode *k, int idx)
{
	const struct scn_obj *o = &L->s->objs[idx];
	char what[512];

	if (o->reuse)
		return;
	for (int i = 0; i < idx; i++) {
		const struct scn_obj *first = &L->s->objs[i];
		if (!same_object(first, o))
			continue;
		scn_obj_describe(o, what, sizeof(what));
		diag(L, k, "object '%s': %s is object '%s' already (line %d): made there, it would "
		     "exist here (existing: reuse shares it)", o->name, what, first->name,
		     first->line);
		return;
	}
}

static void load_object(struct loader *L, const struct ynode *k, const struct ynode *v, int idx)
{
	struct scn_obj *o = &L->s->objs[idx];
	const struct ynode *kind = scn_ymap_get(v, "kind");

	o->name = scn_strndup(L->a, k->s, k->len);
	o->line = k->line;
	o->col = k->col;
	o->index = idx;
	o->fd[0] = o->fd[1] = -1;
	o->id = -1;
	o->clock = CLOCK_MONOTONIC;
	o->socktype = SOCK_STREAM;
	if (!identifier(k->s, k->len)) {
		diag(L, k, "object name '%.*s': letters, digits, '_' and '-', starting with a letter",
		     SHOW(k));
		return;
	}
	if (v->type != Y_MAP) {
		diag(L, v, "object '%.*s' is a mapping: { kind: KIND, ... }", SHOW(k));
		return;
	}
	if (!kind || kind->type != Y_SCALAR) {
		diag(L, kind ? kind : k, "object '%.*s' needs kind: (sysv-msg, posix-mq, pipe, "
		     "socketpair ...)", SHOW(k));
		return;
	}
	char kname[64];
	snprintf(kname, sizeof(kname), "%.*s", (int)(kind->len < 63 ? kind->len : 63), kind->s);
	o->type = scn_type_find(kname, &o->kind);
	if (!o->type) {
		if (ipk_kind_find(kname))
			diag(L, kind, "a %s cannot be an object of a scenario: it has no operations "
			     "(see man 5 ipc-scenario)", ipk_kind_name(ipk_kind_find(kname)));
		else
			diag(L, kind, "unknown kind '%s' (see man 5 ipc-scenario)", kname);
		return;
	}
	unsigned flags = o->type->flags;
	int errors = L->errors;
	const struct ynode *name = NULL;
	for (size_t i = 0; i < v->n; i++) {
		const struct ynode *ak = v->items[2 * i], *av = v->items[2 * i + 1];
		if (is_key(ak, "kind"))
			continue;
		if (is_key(ak, "existing")) {
			const char *s = static_text(L, av, "existing");
			if (!(flags & (SCN_T_NAMED | SCN_T_PATH)))
				diag(L, ak, "existing: only for an object with a name or key");
			else if (s && strcmp(s, "reuse") == 0)
				o->reuse = true;
			else if (s && strcmp(s, "error") != 0)
				diag(L, av, "existing: 'reuse' or 'error', not '%s'", s);
			continue;
		}
		if ((is_key(ak, "name") || ((flags & SCN_T_PATH) && is_key(ak, "path"))) &&
		    ((flags & SCN_T_PATH) || ((flags & SCN_T_NAMED) &&
					      ipk_kind_create_named(o->kind)))) {
			if (name)
				diag(L, ak, "name: and path: are the same: one of them");
			name = av;
			o->path = object_name(L, o, ak, av);
			o->c.name = o->path;
			continue;
		}
		if ((flags & SCN_T_NAMED) && mk_attr(L, o, ak, av))
			continue;
		if (type_attr(L, o, ak, av))
			continue;
		char allowed[256];
		struct ipk_scenario_typeinfo ti = { .attrs = "" };
		const struct ipk_kind *kk;
		for (size_t t = 0; t < scn_type_count(); t++)
			if (scn_type_at(t, &kk) == o->type)
				ipk_scenario_type_info(t, &ti);
		snprintf(allowed, sizeof(allowed), "%s", ti.attrs);
		diag(L, ak, "a %s takes no '%.*s' (%s)", o->type->name, SHOW(ak), allowed);
	}
	bool needs_name = (flags & SCN_T_PATH) ||
			  ((flags & SCN_T_NAMED) && ipk_kind_create_named(o->kind));
	if (needs_name && !name)
		diag(L, k, "object '%s' (%s) needs %s", o->name, o->type->name,
		     flags & SCN_T_PATH ? "path: (a path, or @name for an abstract socket)"
					: "name: (/NAME)");
	if (o->reuse && (flags & SCN_T_NAMED) && ipk_kind_family(o->kind) == IPK_FAMILY_SYSV &&
	    !(o->c.set & IPK_ATTR_BIT(IPK_ATTR_KEY)))
		diag(L, k, "object '%s': existing: reuse needs a key:", o->name);
	if ((o->c.set & IPK_ATTR_BIT(IPK_ATTR_VALUES)) && (o->c.set & IPK_ATTR_BIT(IPK_ATTR_VALUE)))
		diag(L, k, "object '%s': value: or values:, not both", o->name);
	if ((o->c.set & IPK_ATTR_BIT(IPK_ATTR_VALUES)) && !(o->c.set & IPK_ATTR_BIT(IPK_ATTR_NSEMS))) {
		o->c.nsems = o->c.nvalues;
		o->c.set |= IPK_ATTR_BIT(IPK_ATTR_NSEMS);
	}
	if (!strcmp(o->type->name, "signalfd") && !o->sigmask && L->errors == errors)
		diag(L, k, "object '%s' (signalfd) needs signals: [USR1, ...]", o->name);
	/* What ipk_create makes is the caller's to find out: never one of another run's. */
	o->c.exclusive = !o->reuse;
}

/* --------------------------------------------------------------- steps */

static struct scn_step *emit(struct loader *L, enum scn_code code, const struct ynode *at)
{
	if (L->nprog == L->cap) {
		size_t cap = L->cap ? 2 * L->cap : 32;
		struct scn_step *p = realloc(L->prog, cap * sizeof(*p));
		if (!p) {
			diag(L, at, "out of memory");
			return NULL;
		}
		L->prog = p;
		L->cap = cap;
	}
	struct scn_step *st = &L->prog[L->nprog++];
	memset(st, 0, sizeof(*st));
	st->code = code;
	st->line = at ? at->line : 0;
	st->col = at ? at->col : 0;
	st->obj = -1;
	st->stat = -1;
	st->barrier = -1;
	st->depth = L->depth;
	return st;
}

static int stat_key(struct loader *L, const char *op, int obj)
{
	struct scn_actor *a = L->actor;

	for (size_t i = 0; i < a->nkeys; i++)
		if (a->keys[i].obj == obj && strcmp(a->keys[i].op, op) == 0)
			return (int)i;
	struct scn_skey *k = realloc(a->keys, (a->nkeys + 1) * sizeof(*k));
	if (!k)
		return -1;
	a->keys = k;
	k[a->nkeys] = (struct scn_skey){ .op = op, .obj = obj };
	return (int)a->nkeys++;
}

static bool is_op_name(const char *s, size_t len)
{
	const struct ipk_kind *k;

	for (size_t i = 0; i < scn_type_count(); i++) {
		const struct scn_type *t = scn_type_at(i, &k);
		for (const struct scn_op *op = t ? t->ops : NULL; op && op->name; op++)
			if (strlen(op->name) == len && memcmp(op->name, s, len) == 0)
				return true;
	}
	return false;
}

/* How many edits turn @a into @b, for "did you mean". */
static size_t distance(const char *a, size_t la, const char *b)
{
	size_t lb = strlen(b), row[64];

	if (la >= 63 || lb >= 63)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			if (up + 1 < best)
				best = up + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* Every operation name there is, once each, or the one @s is closest to. */
static void op_names(const char *s, size_t len, char *buf, size_t size)
{
	const char *names[64], *closest = NULL;
	size_t n = 0, best = 3, at = 0;
	const struct ipk_kind *k;

	for (size_t i = 0; i < scn_type_count(); i++) {
		const struct scn_type *t = scn_type_at(i, &k);
		for (const struct scn_op *op = t ? t->ops : NULL; op && op->name; op++) {
			size_t j = 0;
			while (j < n && strcmp(names[j], op->name))
				j++;
			if (j == n && n < ARRAY_SIZE(names))
				names[n++] = op->name;
			size_t d = distance(s, len, op->name);
			if (d < best) {
				best = d;
				closest = op->name;
			}
		}
	}
	if (closest) {
		snprintf(buf, size, "did you mean '%s'?", closest);
		return;
	}
	buf[0] = '\0';
	for (size_t j = 0; j < n; j++)
		at += (size_t)snprintf(buf + at, at < size ? size - at : 0, "%s%s", j ? ", " : "",
				       names[j]);
}

static void ops_of(const struct scn_type *t, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (const struct scn_op *op = t->ops; op && op->name; op++)
		n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s", n ? ", " : "",
				      op->name);
}

static void params_of(const struct scn_op *op, const char *objkey, char *buf, size_t size)
{
	size_t n = (size_t)snprintf(buf, size, "%s", objkey);

	for (const struct scn_param *p = op->params; p && p->name; p++)
		n += (size_t)snprintf(buf + n, n < size ? size - n : 0, ", %s", p->name);
	snprintf(buf + n, n < size ? size - n : 0, "%s, expect, name",
		 op->flags & SCN_BLOCKS ? ", timeout, nowait" : "");
}

/* The largest text a template can expand to. */
static size_t tmpl_max(const struct scn_tmpl *t)
{
	size_t n = 1;

	for (size_t i = 0; i < t->nseg; i++)
		n += t->seg[i].lit ? t->seg[i].len : 21;
	return n;
}

static bool parse_param(struct loader *L, struct scope *sc, struct scn_step *st,
			const struct scn_param *p, const struct ynode *v)
{
	struct scn_val *a = &st->arg[p->slot];
	const char *s;
	size_t len;

	switch (p->type) {
	case SP_INT:
	case SP_SIZE:
	case SP_DURATION:
		return int_val(L, sc, v, p->name, p->type, a);
	case SP_BOOL: {
		bool b;
		if (!parse_bool(L, v, p->name, &b))
			return false;
		a->kind = V_INT;
		a->i = b;
		return true;
	}
	case SP_TEXT:
	case SP_NAME:
		return text_val(L, sc, v, p->name, a);
	case SP_WORD: {
		if (!value_text(L, v, &s, &len, p->name))
			return false;
		int i = word_index(p->words, s, len);
		if (i < 0) {
			diag(L, v, "%s: unknown '%.*s' (%s)", p->name, (int)len, s, p->words);
			return false;
		}
		a->kind = V_INT;
		a->i = i;
		return true;
	}
	case SP_INTS:
		if (v->type != Y_SEQ)
			return int_val(L, sc, v, p->name, SP_INT, a);
		if (!v->n) {
			diag(L, v, "%s: an empty list", p->name);
			return false;
		}
		a->kind = V_LIST;
		a->n = v->n;
		a->list = scn_zalloc(L->a, v->n * sizeof(*a->list));
		for (size_t i = 0; a->list && i < v->n; i++)
			if (!int_val(L, sc, v->items[i], p->name, SP_INT, &a->list[i]))
				return false;
		return a->list != NULL;
	case SP_OBJECTS:
		a->kind = V_OBJS;
		if (v->type == Y_SCALAR) {
			int64_t n;
			if (!static_int(L, v, p->name, 0, XPORT_MAX_FDS, &n))
				return false;
			a->i = n;
			return true;
		}
		if (v->type != Y_SEQ) {
			diag(L, v, "%s: a list of objects, or a number of descriptors", p->name);
			return false;
		}
		a->objs = scn_zalloc(L->a, (v->n ? v->n : 1) * sizeof(int));
		a->n = v->n;
		for (size_t i = 0; a->objs && i < v->n; i++) {
			struct scn_tmpl *t = NULL;
			if (!object_val(L, v->items[i], p->name, &a->objs[i], &t, sc))
				return false;
			if (t) {
				diag(L, v->items[i], "%s: objects passed are named as written, "
				     "without templates", p->name);
				return false;
			}
		}
		return true;
	case SP_SIGNAL: {
		int sig = parse_signal(L, v, p->name);
		if (sig < 0)
			return false;
		a->kind = V_INT;
		a->i = sig;
		return true;
	}
	case SP_TARGET: {
		if (!value_text(L, v, &s, &len, p->name))
			return false;
		if (memchr(s, '{', len))
			return text_val(L, sc, v, p->name, a);
		const char *br = memchr(s, '[', len);
		size_t nlen = br ? (size_t)(br - s) : len;
		int actor = scn_actor_find(L->s, s, nlen);
		if (actor < 0) {
			diag(L, v, "%s: no actor '%.*s' in actors:", p->name, (int)nlen, s);
			return false;
		}
		a->kind = V_OBJS;
		a->objs = scn_zalloc(L->a, sizeof(int));
		if (!a->objs)
			return false;
		a->objs[0] = actor;
		a->n = 1;
		a->i = -1;
		if (br) {
			char num[32];
			size_t nl = len - nlen - 2;
			int64_t idx;
			if (s[len - 1] != ']' || nl >= sizeof(num)) {
				diag(L, v, "%s: ACTOR or ACTOR[INDEX]", p->name);
				return false;
			}
			memcpy(num, br + 1, nl);
			num[nl] = '\0';
			if (!parse_int_text(num, &idx) || idx < 0 ||
			    idx >= L->s->actors[actor].processes) {
				diag(L, v, "%s: actor '%s' has processes 0..%d", p->name,
				     L->s->actors[actor].name, L->s->actors[actor].processes - 1);
				return false;
			}
			a->i = idx;
		}
		return true;
	}
	case SP_SIGNALS:
	case SP_WORDS: {
		struct mask_arg m = { .what = p->name, .words = p->words };
		if (!each_word(L, v, p->name, p->type == SP_SIGNALS ? one_signal : one_word, &m))
			return false;
		a->kind = V_INT;
		a->i = (int64_t)m.mask;
		return true;
	}
	}
	return false;
}

/* expect: of one step. */
static bool parse_expect1(struct loader *L, struct scope *sc, struct scn_step *st,
			  const struct ynode *v)
{
	const struct scn_op *op = st->op;
	struct scn_expect1 *e = &st->expect;
	char text[256];
	size_t n = 0;
	bool ok = true;

	text[0] = '\0';
	if (v->type != Y_MAP) {
		if (op->flags & SCN_OUT_DATA) {
			struct scn_val tv = { 0 };
			if (!text_val(L, sc, v, "expect", &tv))
				return false;
			e->data = tv.t;
		} else if (op->flags & SCN_OUT_SIGNAL) {
			int sig = parse_signal(L, v, "expect");
			if (sig < 0)
				return false;
			e->value = (struct scn_val){ .kind = V_INT, .i = sig };
		} else if (op->flags & SCN_OUT_VALUE) {
			if (!int_val(L, sc, v, "expect", SP_INT, &e->value))
				return false;
		} else {
			diag(L, v, "'%s' gives nothing to compare: only expect: { error: ENAME }",
			     op->name);
			return false;
		}
	} else {
		for (size_t i = 0; i < v->n; i++) {
			const struct ynode *k = v->items[2 * i], *x = v->items[2 * i + 1];
			if (is_key(k, "error")) {
				int err = x->type == Y_SCALAR ? scn_errno_parse(x->s, x->len) : -1;
				if (err < 0) {
					diag(L, x, "expect: error: '%.*s' is not an errno name "
					     "(EAGAIN, ETIMEDOUT, ENOMSG ...)",
					     x->type == Y_SCALAR ? (int)x->len : 0,
					     x->type == Y_SCALAR ? x->s : "");
					ok = false;
				}
				e->err = err;
			} else if (is_key(k, "data") && (op->flags & SCN_OUT_DATA)) {
				struct scn_val tv = { 0 };
				ok &= text_val(L, sc, x, "expect: data", &tv);
				e->data = tv.t;
			} else if (is_key(k, "value") && (op->flags & SCN_OUT_VALUE)) {
				if (op->flags & SCN_OUT_SIGNAL) {
					int sig = parse_signal(L, x, "expect: value");
					ok &= sig > 0;
					e->value = (struct scn_val){ .kind = V_INT, .i = sig };
				} else {
					ok &= int_val(L, sc, x, "expect: value", SP_INT, &e->value);
				}
			} else if ((is_key(k, "min") || is_key(k, "max")) &&
				   (op->flags & SCN_OUT_VALUE) && !(op->flags & SCN_OUT_SIGNAL)) {
				ok &= int_val(L, sc, x, k->s[1] == 'i' ? "expect: min" : "expect: max",
					      SP_INT, k->s[1] == 'i' ? &e->min : &e->max);
			} else if ((is_key(k, "priority") && (op->flags & SCN_OUT_PRIO)) ||
				   (is_key(k, "type") && (op->flags & SCN_OUT_TYPE))) {
				ok &= int_val(L, sc, x, "expect", SP_INT, &e->aux);
			} else if (is_key(k, "fds") && (op->flags & SCN_OUT_FDS)) {
				ok &= int_val(L, sc, x, "expect: fds", SP_INT, &e->fds);
			} else {
				char allowed[128];
				snprintf(allowed, sizeof(allowed), "error%s%s%s%s%s",
					 op->flags & SCN_OUT_DATA ? ", data" : "",
					 op->flags & SCN_OUT_VALUE ?
					 (op->flags & SCN_OUT_SIGNAL ? ", value" : ", value, min, max") :
					 "",
					 op->flags & SCN_OUT_PRIO ? ", priority" : "",
					 op->flags & SCN_OUT_TYPE ? ", type" : "",
					 op->flags & SCN_OUT_FDS ? ", fds" : "");
				diag(L, k, "expect: of '%s' takes no '%.*s' (%s)", op->name, SHOW(k),
				     allowed);
				ok = false;
			}
		}
		if (e->err && (e->data || e->value.kind || e->aux.kind || e->fds.kind ||
			       e->min.kind || e->max.kind)) {
			diag(L, v, "expect: an error, or what succeeds gives: not both");
			ok = false;
		}
	}
	if (!ok)
		return false;
	if (e->err)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s", scn_errno_name(e->err));
	if (e->data)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%sdata '%s'", n ? ", " : "",
				      e->data->src);
	if (e->value.kind == V_INT && (op->flags & SCN_OUT_SIGNAL))
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%ssignal %s", n ? ", " : "",
				      scn_signal_name((int)e->value.i) ? scn_signal_name((int)e->value.i)
								       : "?");
	else if (e->value.kind == V_INT)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%svalue %" PRId64, n ? ", " : "",
				      e->value.i);
	else if (e->value.kind == V_EXPR)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%sa value", n ? ", " : "");
	if (e->min.kind == V_INT && e->max.kind == V_INT)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%sa value %" PRId64 " to %" PRId64,
				      n ? ", " : "", e->min.i, e->max.i);
	else if (e->min.kind == V_INT)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%sa value >= %" PRId64,
				      n ? ", " : "", e->min.i);
	else if (e->max.kind == V_INT)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%sa value <= %" PRId64,
				      n ? ", " : "", e->max.i);
	else if (e->min.kind || e->max.kind)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%sa value in range",
				      n ? ", " : "");
	if (e->aux.kind)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%s", n ? ", " : "",
				      op->flags & SCN_OUT_PRIO ? "that priority" : "that type");
	if (e->fds.kind == V_INT)
		snprintf(text + n, sizeof(text) - n, "%s%" PRId64 " descriptors", n ? ", " : "",
			 e->fds.i);
	e->text = scn_strndup(L->a, text, strlen(text));
	return true;
}

static bool compile_steps(struct loader *L, const struct ynode *seq);

/* What an actor needs for @obj once a step uses it with @op. */
static void note_use(struct loader *L, struct scn_step *st, int obj)
{
	struct scn_actor *a = L->actor;
	const struct scn_obj *o = &L->s->objs[obj];

	if (st->nowait && (st->op->flags & SCN_NB_TWIN))
		a->twin[obj] = true;
	if (o->type == &scn_type_socketpair) {
		if (L->pair_owner[obj] < 0)
			L->pair_owner[obj] = a->index;
		a->end[obj] = L->pair_owner[obj] == a->index ? 0 : 1;
	}
}

/*
 * An object named by a template of the process and thread numbers names
 * one object per worker: each must be there, with the operation.  (One of
 * the iteration or the pid is known only as it runs.)
 */
static bool check_names(struct loader *L, const struct scn_tmpl *t, const struct ynode *at,
			const char *opname)
{
	const struct scn_actor *a = L->actor;
	int64_t vars[VAR_COUNT] = { 0 };
	char name[256];

	if (t->deps & ~(DEP(VAR_INDEX) | DEP(VAR_THREAD)))
		return true;
	for (int p = 0; p < a->processes; p++) {
		for (int th = 0; th < a->threads; th++) {
			vars[VAR_INDEX] = p;
			vars[VAR_THREAD] = th;
			ssize_t n = scn_tmpl_expand(t, vars, name, sizeof(name));
			int obj = n < 0 ? -1 : scn_obj_find(L->s, name, (size_t)n);
			if (n < 0) {
				diag(L, at, "%s: '%s' cannot be worked out for process %d", opname,
				     t->src, p);
				return false;
			}
			if (obj < 0) {
				diag(L, at, "%s: '%s' names '%s' for process %d: no object '%s' in "
				     "objects:", opname, t->src, name, p, name);
				return false;
			}
			if (!scn_op_find(L->s->objs[obj].type, opname)) {
				diag(L, at, "%s: '%s' names '%s' for process %d, a %s, which has no "
				     "operation '%s'", opname, t->src, name, p,
				     L->s->objs[obj].type->name, opname);
				return false;
			}
		}
	}
	return true;
}

/*
 * into: NAME keeps the value an operation gives in a name the later steps
 * of the same process use in templates ({cap / 4096}); 0 until it is set.
 */
static void parse_into(struct loader *L, struct scn_step *st, const struct ynode *v)
{
	struct ipk_scenario *s = L->s;
	static const char *const reserved[] = { "index", "thread", "pid", "i", "processes",
						"threads", "actor" };

	if (!(st->op->flags & SCN_OUT_VALUE) || (st->op->flags & SCN_OUT_SIGNAL)) {
		diag(L, v, "'%s' gives no number to keep: no into:", st->op->name);
		return;
	}
	bool bad = v->type != Y_SCALAR || !identifier(v->s, v->len) || memchr(v->s, '-', v->len);
	for (size_t r = 0; !bad && r < ARRAY_SIZE(reserved); r++)
		bad = v->len == strlen(reserved[r]) && !memcmp(v->s, reserved[r], v->len);
	for (size_t i = 0; !bad && i < L->nvars; i++)
		bad = L->vars[i].len == v->len && !memcmp(L->vars[i].name, v->s, v->len);
	if (bad) {
		diag(L, v, "into: a name of letters, digits and '_' that is not a var or %s",
		     "index, thread, pid, i, processes, threads or actor");
		return;
	}
	size_t k = 0;
	while (k < s->ninto && !(strlen(s->into[k]) == v->len && !memcmp(s->into[k], v->s, v->len)))
		k++;
	if (k == s->ninto) {
		if (s->ninto == SCN_MAX_INTO) {
			diag(L, v, "into: %d names at most", SCN_MAX_INTO);
			return;
		}
		s->into[s->ninto++] = scn_strndup(L->a, v->s, v->len);
	}
	st->into = VAR_INTO + (int)k;
}

/*
 * The numbers of a step the kernel or the runner would refuse, said now:
 * a count or a value below 0, a semaphore outside its array.  A step that
 * expects an error is left to make it: the refusal is what it looks at.
 * @at: the node each argument was given in.
 */
static void check_args(struct loader *L, const struct scn_step *st, const char *opname,
		       const struct ynode *const at[A_COUNT_SLOTS])
{
	static const struct {
		enum scn_slot slot;
		const char *what;
	} counts[] = { { A_COUNT, "count" }, { A_VALUE, "value" } }, sems[] = {
		{ A_SEM, "sem" }, { A_ZEROS, "zeros" },
	};
	char where[128], range[160];

	if (st->expect.err || !st->op)
		return;
	snprintf(where, sizeof(where), "'%s' on '%s': ", opname,
		 st->objt ? st->objt->src : st->obj >= 0 ? L->s->objs[st->obj].name : "?");
	for (size_t i = 0; i < ARRAY_SIZE(counts); i++)
		if (at[counts[i].slot])
			check_range(L, where, at[counts[i].slot], counts[i].what,
				    &st->arg[counts[i].slot], 0, INT64_MAX, "is below 0");
	/* An array's semaphores: as declared, unless it may be an existing one of any size. */
	const struct scn_obj *o = st->obj >= 0 ? &L->s->objs[st->obj] : NULL;
	bool known = o && (!o->reuse || (o->c.set & IPK_ATTR_BIT(IPK_ATTR_NSEMS)));
	int64_t nsems = o && (o->c.set & IPK_ATTR_BIT(IPK_ATTR_NSEMS)) ? (int64_t)o->c.nsems : 1;
	if (known)
		snprintf(range, sizeof(range), "is not one of the semaphores of '%s' (0..%" PRId64
			 ")", o->name, nsems - 1);
	else
		snprintf(range, sizeof(range), "is below 0 (semaphores count from 0)");
	for (size_t i = 0; i < ARRAY_SIZE(sems); i++) {
		const struct scn_val *v = &st->arg[sems[i].slot];
		const struct ynode *n = at[sems[i].slot];
		for (size_t k = 0; n && k < (v->kind == V_LIST ? v->n : 1); k++)
			if (!check_range(L, where, n->type == Y_SEQ ? n->items[k] : n, sems[i].what,
					 v->kind == V_LIST ? &v->list[k] : v, 0,
					 known ? nsems - 1 : INT64_MAX, range))
				break;
	}
}

static void compile_op(struct loader *L, const struct ynode *map, const struct ynode *opkey)
{
	struct scope sc = { L, L->actor };
	const struct ynode *value = NULL;
	char opname[32];

	for (size_t i = 0; i < map->n; i++)
		if (map->items[2 * i] == opkey)
			value = map->items[2 * i + 1];
	snprintf(opname, sizeof(opname), "%.*s", (int)(opkey->len < 31 ? opkey->len : 31), opkey->s);
	bool is_signal = strcmp(opname, "signal") == 0;
	const char *objkey = is_signal ? "to" : scn_object_key(opname);

	struct scn_step *st = emit(L, SC_OP, opkey);
	if (!st)
		return;
	/* The parameters: of the op's mapping, and beside the op in the step itself. */
	const struct ynode *params[2] = { NULL, map };
	const struct ynode *objnode = NULL, *argnode[A_COUNT_SLOTS] = { NULL };
	if (value->type == Y_MAP && !(value->n == 1 && is_null(value->items[1]))) {
		params[0] = value;
	} else if (!is_null(value)) {
		objnode = value;
	}
	for (int p = 0; p < 2; p++) {
		const struct ynode *m = params[p];
		for (size_t i = 0; m && i < m->n; i++) {
			const struct ynode *k = m->items[2 * i];
			if (k == opkey)
				continue;
			if (is_key(k, objkey)) {
				if (objnode)
					diag(L, k, "'%s' names its %s twice", opname,
					     is_signal ? "target" : "object");
				objnode = m->items[2 * i + 1];
			}
		}
	}
	if (!objnode) {
		const char *other = NULL;
		for (int p = 0; p < 2 && !other; p++)
			for (size_t i = 0; params[p] && i < params[p]->n; i++) {
				const struct ynode *k = params[p]->items[2 * i];
				if (is_key(k, "to") || is_key(k, "from") || is_key(k, "on"))
					other = scn_strndup(L->a, k->s, k->len);
			}
		if (other)
			diag(L, opkey, "'%s' names its object with %s:, not %s:", opname, objkey, other);
		else
			diag(L, opkey, "'%s' needs its %s: '%s: NAME' or '%s: { %s: NAME, ... }'",
			     opname, is_signal ? "target" : "object", opname, opname, objkey);
		return;
	}

	const struct scn_type *type = NULL;
	const struct scn_op *op = NULL;
	if (is_signal) {
		type = &scn_type_process;
		op = scn_op_find(type, "signal");
		st->op = op;
		if (!parse_param(L, &sc, st, &op->params[0], objnode))
			return;
		st->stat = -1;
	} else {
		struct scn_tmpl *t = NULL;
		if (!object_val(L, objnode, opname, &st->obj, &t, &sc))
			return;
		st->objt = t;
		if (st->obj >= 0) {
			type = L->s->objs[st->obj].type;
			if (!type)
				return;		/* the object was already reported */
			op = scn_op_find(type, opname);
			if (!op) {
				char ops[256];
				ops_of(type, ops, sizeof(ops));
				diag(L, opkey, "%s '%s' has no operation '%s' (%s)", type->name,
				     L->s->objs[st->obj].name, opname, ops);
				return;
			}
		} else {
			/* Named by a template: every object it may name must have the op. */
			for (size_t i = 0; i < L->s->nobjs && !op; i++)
				op = scn_op_find(L->s->objs[i].type, opname);
			if (!op) {
				diag(L, opkey, "no object here has an operation '%s'", opname);
				return;
			}
			if (!check_names(L, t, objnode, opname))
				return;
		}
		st->op = op;
		st->type = type;
	}

	for (int p = 0; p < 2; p++) {
		const struct ynode *m = params[p];
		for (size_t i = 0; m && i < m->n; i++) {
			const struct ynode *k = m->items[2 * i], *v = m->items[2 * i + 1];
			if (k == opkey || is_key(k, objkey))
				continue;
			if (is_key(k, "name")) {
				const char *s = static_text(L, v, "name");
				st->label = s;
				continue;
			}
			if (is_key(k, "into")) {
				parse_into(L, st, v);
				continue;
			}
			if (is_key(k, "expect")) {
				if (st->expect.text)
					diag(L, k, "expect: given twice");
				parse_expect1(L, &sc, st, v);
				continue;
			}
			if ((is_key(k, "timeout") || is_key(k, "nowait")) && !(op->flags & SCN_BLOCKS)) {
				diag(L, k, "'%s' never waits: no %.*s", opname, SHOW(k));
				continue;
			}
			if (is_key(k, "timeout")) {
				if (static_duration(L, v, "timeout", &st->timeout_ns) && !st->timeout_ns)
					diag(L, v, "timeout: more than 0 (nowait: true tries once)");
				continue;
			}
			if (is_key(k, "nowait")) {
				parse_bool(L, v, "nowait", &st->nowait);
				continue;
			}
			const struct scn_param *prm = op->params;
			while (prm && prm->name && !(is_key(k, prm->name) && prm->slot != A_TARGET))
				prm++;
			if (!prm || !prm->name) {
				char allowed[256];
				params_of(op, objkey, allowed, sizeof(allowed));
				diag(L, k, "'%s'%s%s takes no '%.*s' (%s)", opname, type ? " on a " : "",
				     type ? type->name : "", SHOW(k), allowed);
				continue;
			}
			if (st->arg[prm->slot].kind != V_NONE) {
				diag(L, k, "'%s' given twice", prm->name);
				continue;
			}
			if (parse_param(L, &sc, st, prm, v))
				argnode[prm->slot] = v;
		}
	}
	check_args(L, st, opname, argnode);
	if (st->arg[A_DATA].kind && st->arg[A_SIZE].kind && (op->flags & SCN_IN_DATA))
		diag(L, opkey, "'%s': data: or size:, not both", opname);
	if (st->timeout_ns && st->nowait)
		diag(L, opkey, "'%s': timeout: or nowait:, not both", opname);

	/* What its statistics are kept by, and what the actor must prepare. */
	if (is_signal) {
		const struct scn_val *t = &st->arg[A_TARGET];
		if (t->kind == V_OBJS) {
			st->stat = stat_key(L, "signal", t->objs[0]);
		} else {
			for (size_t i = 0; i < L->s->nactors; i++)
				stat_key(L, "signal", (int)i);
		}
	} else if (st->obj >= 0) {
		st->stat = stat_key(L, op->name, st->obj);
		note_use(L, st, st->obj);
	} else {
		for (size_t i = 0; i < L->s->nobjs; i++) {
			if (!scn_op_find(L->s->objs[i].type, opname))
				continue;
			stat_key(L, scn_op_find(L->s->objs[i].type, opname)->name, (int)i);
			note_use(L, st, (int)i);
		}
	}
	struct scn_actor *a = L->actor;
	if (st->arg[A_DATA].kind == V_TEXT) {
		size_t n = tmpl_max(st->arg[A_DATA].t);
		if (n > a->max_tx)
			a->max_tx = n;
	}
	if (st->arg[A_SIZE].kind == V_INT) {
		size_t n = (size_t)st->arg[A_SIZE].i;
		size_t *max = op->flags & SCN_IN_DATA ? &a->max_tx : &a->max_rx;
		if (n > *max)
			*max = n;
	}
	char desc[160];
	const char *objname = st->objt ? st->objt->src : st->obj >= 0 ? L->s->objs[st->obj].name
								   : NULL;
	if (is_signal)
		snprintf(desc, sizeof(desc), "signal %.*s", objnode->type == Y_SCALAR ?
			 (int)objnode->len : 0, objnode->type == Y_SCALAR ? objnode->s : "");
	else
		snprintf(desc, sizeof(desc), "%s %s", opname, objname ? objname : "?");
	st->desc = scn_strndup(L->a, desc, strlen(desc));
}

static void compile_loop(struct loader *L, const struct ynode *map)
{
	static const char loop_count_why[] = "is below 0: a loop runs 0 times or more";
	struct scope sc = { L, L->actor };
	const struct ynode *repeat = scn_ymap_get(map, "repeat");
	const struct ynode *duration = scn_ymap_get(map, "duration");
	const struct ynode *rate = scn_ymap_get(map, "rate"), *body = scn_ymap_get(map, "do");

	check_keys(L, map, "repeat duration rate until do name", "in a loop");
	if (!body) {
		diag(L, map, "a loop needs do: with its steps");
		return;
	}
	if (L->depth >= MAX_DEPTH) {
		diag(L, map, "loops nest %d deep at most", MAX_DEPTH);
		return;
	}
	struct scn_step *st = emit(L, SC_LOOP, map);
	if (!st)
		return;
	size_t at = L->nprog - 1;
	bool ok = true;
	if (repeat && repeat->type == Y_MAP && !(repeat->n == 1 && is_null(repeat->items[1]))) {
		check_keys(L, repeat, "count duration rate", "in repeat:");
		const struct ynode *c = scn_ymap_get(repeat, "count");
		const struct ynode *d = scn_ymap_get(repeat, "duration");
		const struct ynode *r = scn_ymap_get(repeat, "rate");
		if (c && int_val(L, &sc, c, "count", SP_INT, &st->count))
			check_range(L, "repeat: ", c, "count", &st->count, 0, INT64_MAX,
				    loop_count_why);
		if (d && duration)
			diag(L, d, "duration: given twice");
		if (r && rate)
			diag(L, r, "rate: given twice");
		duration = duration ? duration : d;
		rate = rate ? rate : r;
		if (!c && !d) {
			diag(L, repeat, "repeat: needs count: or duration:");
			ok = false;
		}
	} else if (repeat && int_val(L, &sc, repeat, "repeat", SP_INT, &st->count)) {
		check_range(L, "", repeat, "repeat", &st->count, 0, INT64_MAX, loop_count_why);
	}
	if (duration) {
		if (static_duration(L, duration, "duration", &st->duration_ns) && !st->duration_ns)
			diag(L, duration, "duration: more than 0");
	}
	if (rate) {
		const char *s = static_text(L, rate, "rate");
		if (s) {
			char *end;
			double per = strtod(s, &end);
			uint64_t unit = 1000000000;
			if (*end == '/') {
				static const struct {
					const char *name;
					uint64_t ns;
				} units[] = {
					{ "s", 1000000000 }, { "ms", 1000000 }, { "us", 1000 },
					{ "ns", 1 }, { "m", UINT64_C(60) * 1000000000 },
					{ "min", UINT64_C(60) * 1000000000 },
					{ "h", UINT64_C(3600) * 1000000000 },
				};
				unit = 0;
				for (size_t i = 0; i < ARRAY_SIZE(units); i++)
					if (strcmp(end + 1, units[i].name) == 0)
						unit = units[i].ns;
				if (!unit && ipk_parse_duration_ns(end + 1, &unit))
					unit = 0;
				end += strlen(end);
			}
			if (end == s || *end || !(per > 0) || !unit) {
				diag(L, rate, "rate: '%s' is not a rate (200/s, 10/ms, 50)", s);
			} else {
				double period = (double)unit / per;
				st->period_ns = period < 1 ? 1 : (uint64_t)period;
			}
		}
	}
	const struct ynode *until = scn_ymap_get(map, "until");
	if (until) {
		int err = until->type == Y_SCALAR ? scn_errno_parse(until->s, until->len) : -1;
		if (err <= 0)
			diag(L, until, "until: an errno name (EAGAIN, ENOBUFS ...): the loop ends at "
			     "the first operation that fails so");
		st->until = err > 0 ? err : 0;
	}
	if (!repeat && !duration)
		ok = false;
	(void)ok;
	L->depth++;
	if (body->type != Y_SEQ)
		diag(L, body, "do: is a list of steps");
	else
		compile_steps(L, body);
	L->depth--;
	/* What the operations of an until: loop are expected to end with, for reports. */
	for (size_t i = at + 1; L->prog[at].until && i < L->nprog; i++) {
		struct scn_step *op = &L->prog[i];
		if (op->code == SC_OP && !op->expect.err && (!op->expect.text || !op->expect.text[0])) {
			char text[64];
			snprintf(text, sizeof(text), "until: %s", scn_errno_name(L->prog[at].until));
			op->expect.text = scn_strndup(L->a, text, strlen(text));
		}
	}
	struct scn_step *next = emit(L, SC_NEXT, map);
	if (!next)
		return;
	next->jump = (int)at;
	L->prog[at].jump = (int)(L->nprog - 1);
	L->prog[at].desc = "loop";
	next->desc = "loop";
}

static void compile_step(struct loader *L, const struct ynode *map)
{
	if (scn_ymap_get(map, "repeat") || scn_ymap_get(map, "duration") || scn_ymap_get(map, "do")) {
		compile_loop(L, map);
		return;
	}
	const struct ynode *v;
	if ((v = scn_ymap_get(map, "sleep"))) {
		check_keys(L, map, "sleep name", "beside sleep:");
		struct scn_step *st = emit(L, SC_SLEEP, map);
		if (st && static_duration(L, v, "sleep", &st->sleep_ns))
			st->desc = "sleep";
		return;
	}
	if ((v = scn_ymap_get(map, "barrier"))) {
		check_keys(L, map, "barrier name", "beside barrier:");
		if (v->type != Y_SCALAR || !identifier(v->s, v->len)) {
			diag(L, v, "barrier: a name (letters, digits, '_' and '-')");
			return;
		}
		struct ipk_scenario *s = L->s;
		size_t i = 0;
		while (i < s->nbarriers && (strlen(s->barriers[i]) != v->len ||
					    memcmp(s->barriers[i], v->s, v->len)))
			i++;
		if (i == s->nbarriers) {
			const char **b = realloc(s->barriers, (i + 1) * sizeof(*b));
			bool *u = realloc(L->uses_barrier, (i + 1) * sizeof(*u));
			uint32_t *p = realloc(s->parties, (i + 1) * sizeof(*p));
			if (b)
				s->barriers = b;
			if (u)
				L->uses_barrier = u;
			if (p)
				s->parties = p;
			if (!b || !u || !p) {
				diag(L, v, "out of memory");
				return;
			}
			b[i] = scn_strndup(L->a, v->s, v->len);
			u[i] = false;
			p[i] = 0;
			s->nbarriers++;
		}
		L->uses_barrier[i] = true;
		struct scn_step *st = emit(L, SC_BARRIER, map);
		if (!st)
			return;
		st->barrier = (int)i;
		char desc[96];
		snprintf(desc, sizeof(desc), "barrier %s", s->barriers[i]);
		st->desc = scn_strndup(L->a, desc, strlen(desc));
		return;
	}
	/* An operation: the first key that names one; the rest are its parameters. */
	const struct ynode *opkey = NULL;
	for (size_t i = 0; i < map->n && !opkey; i++) {
		const struct ynode *k = map->items[2 * i];
		if (is_op_name(k->s, k->len))
			opkey = k;
	}
	if (!opkey) {
		char names[512];
		if (!map->n) {
			diag(L, map, "an empty step");
			return;
		}
		const struct ynode *k = map->items[0];
		op_names(k->s, k->len, names, sizeof(names));
		if (!strncmp(names, "did", 3))
			diag(L, k, "unknown operation '%.*s': %s", SHOW(k), names);
		else
			diag(L, k, "unknown operation '%.*s' (%s; or repeat:, duration:, sleep:, "
			     "barrier:)", SHOW(k), names);
		return;
	}
	for (size_t i = 0; i < map->n; i++) {
		const struct ynode *k = map->items[2 * i];
		if (k != opkey && is_op_name(k->s, k->len) && !is_key(k, "signal")) {
			diag(L, k, "one operation a step: '%.*s' and '%.*s' (a list of steps for more)",
			     SHOW(opkey), SHOW(k));
			return;
		}
	}
	compile_op(L, map, opkey);
}

static bool compile_steps(struct loader *L, const struct ynode *seq)
{
	for (size_t i = 0; i < seq->n; i++) {
		const struct ynode *it = seq->items[i];
		if (it->type == Y_SEQ)
			compile_steps(L, it);
		else if (it->type == Y_MAP)
			compile_step(L, it);
		else
			diag(L, it, "a step is 'OP: OBJECT', '{ OP: { ... } }', a loop, sleep: or "
			     "barrier:, not '%.*s'", SHOW(it));
	}
	return true;
}

/* ------------------------------------------------------------- actors */

/* The limits rlimits: sets, by the name ulimit(1) and prlimit(1) give them. */
static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
	{ "nofile", RLIMIT_NOFILE }, { "msgqueue", RLIMIT_MSGQUEUE }, { "nproc", RLIMIT_NPROC },
	{ "memlock", RLIMIT_MEMLOCK }, { "fsize", RLIMIT_FSIZE }, { "as", RLIMIT_AS },
	{ "sigpending", RLIMIT_SIGPENDING }, { "stack", RLIMIT_STACK },
};

static void load_rlimits(struct loader *L, struct scn_actor *a, const struct ynode *n)
{
	char names[128];
	size_t k = 0;

	for (size_t i = 0; i < ARRAY_SIZE(rlimit_names); i++)
		k += (size_t)snprintf(names + k, sizeof(names) - k, "%s%s", i ? " " : "",
				      rlimit_names[i].name);
	if (n->type != Y_MAP) {
		diag(L, n, "rlimits: a mapping of limits to numbers (%s)", names);
		return;
	}
	check_keys(L, n, names, "in rlimits");
	for (size_t i = 0; i < n->n && a->nrlim < SCN_MAX_RLIMITS; i++) {
		const struct ynode *key = n->items[2 * i], *val = n->items[2 * i + 1];
		int r = word_index(names, key->s, key->len);
		uint64_t v;
		if (r < 0 || !static_size(L, val, "rlimits", &v))
			continue;
		a->rlim[a->nrlim++] = (struct scn_rlimit){ rlimit_names[r].resource, v };
	}
}

/* A user or group: a number, or a name of this system's (at load, as chown(1) does). */
static bool load_id(struct loader *L, const struct ynode *n, bool group, int64_t *id,
		    int64_t *primary)
{
	int64_t x;

	if (n->type == Y_SCALAR && parse_int_text(scn_strndup(L->a, n->s, n->len), &x)) {
		if (x < 0 || x >= UINT32_MAX) {
			diag(L, n, "%s: %" PRId64 " is not a %s id", group ? "group" : "user", x,
			     group ? "group" : "user");
			return false;
		}
		*id = x;
		return true;
	}
	const char *name = n->type == Y_SCALAR ? scn_strndup(L->a, n->s, n->len) : NULL;
	struct passwd *pw = name && !group ? getpwnam(name) : NULL;
	struct group *gr = name && group ? getgrnam(name) : NULL;
	if (!pw && !gr) {
		diag(L, n, "%s: '%.*s' is no %s here (a name or a number)", group ? "group" : "user",
		     n->type == Y_SCALAR ? (int)n->len : 0, n->type == Y_SCALAR ? n->s : "",
		     group ? "group" : "user");
		return false;
	}
	*id = pw ? (int64_t)pw->pw_uid : (int64_t)gr->gr_gid;
	if (primary && pw)
		*primary = pw->pw_gid;
	return true;
}

/*
 * user: and group: run the actor's processes as another user, to see the
 * permission checks a second uid meets.  Without group:, a named user's
 * own group, or the number of a numeric user.
 */
static void load_identity(struct loader *L, struct scn_actor *a, const struct ynode *v)
{
	const struct ynode *u = scn_ymap_get(v, "user"), *g = scn_ymap_get(v, "group");
	int64_t primary = -1;

	a->uid = a->gid = -1;
	if (u && load_id(L, u, false, &a->uid, &primary)) {
		a->user = scn_strndup(L->a, u->s, u->len);
		a->gid = primary >= 0 ? primary : a->uid;
	}
	if (g && !u)
		diag(L, g, "group: goes with user:");
	else if (g)
		load_id(L, g, true, &a->gid, NULL);
}

static void load_actor_header(struct loader *L, const struct ynode *k, const struct ynode *v,
			      int idx)
{
	struct scn_actor *a = &L->s->actors[idx];

	a->name = scn_strndup(L->a, k->s, k->len);
	a->line = k->line;
	a->col = k->col;
	a->index = idx;
	a->processes = 1;
	a->threads = 1;
	if (!identifier(k->s, k->len)) {
		diag(L, k, "actor name '%.*s': letters, digits, '_' and '-', starting with a letter",
		     SHOW(k));
		return;
	}
	if (scn_obj_find(L->s, k->s, k->len) >= 0) {
		diag(L, k, "actor '%.*s' has the name of an object: expect: lines could not tell "
		     "them apart", SHOW(k));
		return;
	}
	if (v->type != Y_MAP) {
		diag(L, v, "actor '%.*s' is a mapping: { processes: N, steps: [...] }", SHOW(k));
		return;
	}
	check_keys(L, v, "processes threads cpu user group rlimits steps", "in an actor");
	const struct ynode *n;
	int64_t x;
	if ((n = scn_ymap_get(v, "processes")) && static_int(L, n, "processes", 1, MAX_PROCESSES, &x))
		a->processes = (int)x;
	if ((n = scn_ymap_get(v, "threads")) && static_int(L, n, "threads", 1, MAX_THREADS, &x))
		a->threads = (int)x;
	if ((n = scn_ymap_get(v, "cpu"))) {
		size_t cnt = n->type == Y_SEQ ? n->n : 1;
		a->cpus = scn_zalloc(L->a, (cnt ? cnt : 1) * sizeof(int));
		for (size_t i = 0; a->cpus && i < cnt; i++) {
			const struct ynode *c = n->type == Y_SEQ ? n->items[i] : n;
			if (static_int(L, c, "cpu", 0, CPU_SETSIZE - 1, &x))
				a->cpus[a->ncpus++] = (int)x;
		}
		if (!cnt)
			diag(L, n, "cpu: a CPU number, or a list of them");
	}
	load_identity(L, a, v);
	if ((n = scn_ymap_get(v, "rlimits")))
		load_rlimits(L, a, n);
	if (!scn_ymap_get(v, "steps"))
		diag(L, k, "actor '%s' needs steps:", a->name);
}

static void load_actor_steps(struct loader *L, const struct ynode *v, int idx)
{
	struct scn_actor *a = &L->s->actors[idx];
	const struct ynode *steps = v->type == Y_MAP ? scn_ymap_get(v, "steps") : NULL;

	if (!steps)
		return;
	L->actor = a;
	L->prog = NULL;
	L->nprog = L->cap = 0;
	L->depth = 0;
	for (size_t i = 0; i < L->s->nbarriers; i++)
		L->uses_barrier[i] = false;
	a->twin = scn_zalloc(L->a, (L->s->nobjs ? L->s->nobjs : 1) * sizeof(*a->twin));
	a->end = scn_zalloc(L->a, (L->s->nobjs ? L->s->nobjs : 1) * sizeof(*a->end));
	if (steps->type != Y_SEQ)
		diag(L, steps, "steps: is a list of steps");
	else
		compile_steps(L, steps);
	emit(L, SC_END, steps);
	a->prog = scn_zalloc(L->a, L->nprog * sizeof(*a->prog));
	if (a->prog) {
		memcpy(a->prog, L->prog, L->nprog * sizeof(*a->prog));
		a->nprog = L->nprog;
	}
	free(L->prog);
	L->prog = NULL;
	/* Keys live in the arena with the rest. */
	struct scn_skey *keys = scn_zalloc(L->a, (a->nkeys ? a->nkeys : 1) * sizeof(*keys));
	if (keys && a->nkeys)
		memcpy(keys, a->keys, a->nkeys * sizeof(*keys));
	free(a->keys);
	a->keys = keys;
	/* Every worker of the actor reaches each barrier its program has. */
	for (size_t i = 0; i < L->s->nbarriers; i++)
		if (L->uses_barrier[i])
			L->s->parties[i] += (uint32_t)(a->processes * a->threads);
}

/* -------------------------------------------------------------- the file */

/* A --set of a var: its text replaced before anything uses it. */
static bool apply_set(struct loader *L, const struct ipk_scenario_set *set)
{
	const char *key = set->key;

	if (strncmp(key, "vars.", 5) == 0)
		key += 5;
	for (size_t i = 0; i < L->nvars; i++) {
		struct var *v = &L->vars[i];
		if (v->len == strlen(key) && memcmp(v->name, key, v->len) == 0) {
			v->text = scn_strndup(L->a, set->value, strlen(set->value));
			v->is_int = parse_int_text(set->value, &v->i);
			return v->text != NULL;
		}
	}
	return false;
}

/* --set timeout= and stall=: a duration as typed on the command line. */
static void set_duration(struct loader *L, const struct ipk_scenario_set *set, uint64_t *ns)
{
	if (ipk_parse_duration_ns(set->value, ns)) {
		scn_diag(L->d, L->file, 0, 0, "--set %s=%s: not a duration (500ms, 2s, 1m)",
			 set->key, set->value);
		L->errors++;
	}
}

/*
 * { sysctl: kernel.msgmax } (or kernel/msgmax): the first word of its file
 * under /proc/sys, read at load, so a limit is checked as this system has it.
 */
static const char *sysctl_text(struct loader *L, const struct ynode *n)
{
	char path[256], buf[256];
	const char *name = n && n->type == Y_SCALAR ? n->s : NULL;

	if (!name || is_null(n) || n->len > 128 || memchr(name, '\0', n->len) ||
	    strstr(name, "..")) {
		diag(L, n, "sysctl: a name such as kernel.msgmax or fs/mqueue/msg_max");
		return NULL;
	}
	int rc = sysctl_word(name, n->len, buf, sizeof(buf), path);
	if (rc) {
		diag(L, n, "sysctl: cannot read '%s': %s", path, ipk_strerror(rc));
		return NULL;
	}
	return scn_strndup(L->a, buf, strlen(buf));
}

static void load_vars(struct loader *L, const struct ynode *vars)
{
	if (vars->type != Y_MAP) {
		diag(L, vars, "vars: is a mapping of names to numbers or text");
		return;
	}
	L->vars = scn_zalloc(L->a, (vars->n ? vars->n : 1) * sizeof(*L->vars));
	for (size_t i = 0; L->vars && i < vars->n; i++) {
		const struct ynode *k = vars->items[2 * i], *v = vars->items[2 * i + 1];
		static const char *const reserved[] = { "index", "thread", "pid", "i", "processes",
							"threads", "actor" };
		bool bad = !identifier(k->s, k->len) || memchr(k->s, '-', k->len);
		for (size_t r = 0; r < ARRAY_SIZE(reserved); r++)
			bad |= k->len == strlen(reserved[r]) && !memcmp(k->s, reserved[r], k->len);
		if (bad) {
			diag(L, k, "vars: '%.*s' cannot be a name (letters, digits and '_'; not "
			     "index, thread, pid, i, processes, threads or actor)", SHOW(k));
			continue;
		}
		const char *text = v->s;
		if (v->type == Y_MAP && scn_ymap_get(v, "sysctl")) {
			check_keys(L, v, "sysctl", "in a var");
			/* One message: what cannot be read still names a var (the file is invalid). */
			if (!(text = sysctl_text(L, scn_ymap_get(v, "sysctl"))))
				text = "0";
		} else if (v->type != Y_SCALAR || is_null(v)) {
			diag(L, v, "vars: '%.*s' is a number, text or { sysctl: NAME }", SHOW(k));
			continue;
		}
		struct var *var = &L->vars[L->nvars++];
		var->name = k->s;
		var->len = k->len;
		var->node = v;
		var->text = text;
		var->is_int = parse_int_text(text, &var->i);
	}
}

char *scn_file_stem(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strcspn(base, ".");
	return strndup(base, n ? n : strlen(base));
}

int ipk_scenario_load(const char *path, const struct ipk_scenario_set *sets, size_t nsets,
		      struct ipk_scenario **out, struct ipk_scenario_diags **diags)
{
	struct ipk_scenario_diags *d = calloc(1, sizeof(*d));
	struct ipk_scenario *s = calloc(1, sizeof(*s));
	const struct ynode *root = NULL;
	int rc;

	*out = NULL;
	if (diags)
		*diags = d;
	if (!d || !s) {
		free(s);
		if (!diags)
			free(d);
		else if (!d)
			*diags = NULL;
		return -ENOMEM;
	}
	s->file = strdup(path);
	struct loader L = { .s = s, .a = &s->arena, .file = path, .d = d };
	rc = s->file ? scn_yaml_load(path, &s->arena, &root, d) : -ENOMEM;
	if (rc)
		goto out;
	if (root->type != Y_MAP) {
		diag(&L, root, "a scenario is a mapping (scenario:, objects:, actors:, expect:)");
		goto out;
	}
	check_keys(&L, root, "scenario description timeout stall vars objects actors expect",
		   "at the top");

	const struct ynode *n;
	if ((n = scn_ymap_get(root, "vars")))
		load_vars(&L, n);
	const struct ynode *timeout = scn_ymap_get(root, "timeout"), *stall = scn_ymap_get(root, "stall");
	for (size_t i = 0; i < nsets; i++) {
		if (!strcmp(sets[i].key, "timeout") || !strcmp(sets[i].key, "stall"))
			continue;
		if (!apply_set(&L, &sets[i])) {
			char keys[256] = "";
			size_t k = 0;
			for (size_t j = 0; j < L.nvars; j++)
				k += (size_t)snprintf(keys + k, k < sizeof(keys) ? sizeof(keys) - k : 0,
						      "vars.%.*s, ", (int)L.vars[j].len,
						      L.vars[j].name);
			scn_diag(d, path, 0, 0, "--set %s: no such setting here (%stimeout, stall)",
				 sets[i].key, keys);
			L.errors++;
		}
	}
	s->name = (n = scn_ymap_get(root, "scenario")) ? static_text(&L, n, "scenario") : NULL;
	if (!s->name) {
		char *st = scn_file_stem(path);
		s->name = st ? scn_strndup(&s->arena, st, strlen(st)) : "scenario";
		free(st);
	}
	s->description = (n = scn_ymap_get(root, "description")) ? static_text(&L, n, "description")
							      : NULL;
	if (!s->description)
		s->description = "";
	s->timeout_ns = DEFAULT_TIMEOUT;
	s->stall_ns = DEFAULT_STALL;
	if (timeout && static_duration(&L, timeout, "timeout", &s->timeout_ns) && !s->timeout_ns)
		diag(&L, timeout, "timeout: more than 0");
	if (stall)
		static_duration(&L, stall, "stall", &s->stall_ns);
	for (size_t i = 0; i < nsets; i++) {
		if (!strcmp(sets[i].key, "timeout"))
			set_duration(&L, &sets[i], &s->timeout_ns);
		else if (!strcmp(sets[i].key, "stall"))
			set_duration(&L, &sets[i], &s->stall_ns);
	}

	const struct ynode *objects = scn_ymap_get(root, "objects");
	const struct ynode *actors = scn_ymap_get(root, "actors");
	if (objects && objects->type != Y_MAP) {
		diag(&L, objects, "objects: is a mapping of names to objects");
		objects = NULL;
	}
	if (objects) {
		s->objs = scn_zalloc(&s->arena, (objects->n ? objects->n : 1) * sizeof(*s->objs));
		L.pair_owner = malloc((objects->n ? objects->n : 1) * sizeof(int));
		if (!s->objs || !L.pair_owner) {
			rc = -ENOMEM;
			goto out;
		}
		s->nobjs = objects->n;
		for (size_t i = 0; i < objects->n; i++) {
			L.pair_owner[i] = -1;
			load_object(&L, objects->items[2 * i], objects->items[2 * i + 1], (int)i);
			check_unique(&L, objects->items[2 * i], (int)i);
		}
		for (size_t i = 0; i < s->nobjs; i++) {
			if (!s->objs[i].type)
				continue;
			s->sigmask |= s->objs[i].sigmask;
		}
	}
	if (!actors || actors->type != Y_MAP || !actors->n) {
		diag(&L, actors ? actors : root, "actors: a mapping of at least one actor to its "
		     "steps");
		goto out;
	}
	s->actors = scn_zalloc(&s->arena, actors->n * sizeof(*s->actors));
	if (!s->actors) {
		rc = -ENOMEM;
		goto out;
	}
	s->nactors = actors->n;
	size_t workers = 0;
	for (size_t i = 0; i < actors->n; i++) {
		load_actor_header(&L, actors->items[2 * i], actors->items[2 * i + 1], (int)i);
		s->actors[i].first_worker = (int)workers;
		workers += (size_t)s->actors[i].processes * (size_t)s->actors[i].threads;
	}
	if (workers > MAX_WORKERS)
		diag(&L, actors, "%zu processes and threads in all: at most %d", workers, MAX_WORKERS);
	s->nworkers = workers;
	/* Barriers are found while compiling: their parties grow with each actor. */
	for (size_t i = 0; i < actors->n; i++)
		load_actor_steps(&L, actors->items[2 * i + 1], (int)i);
	const struct ynode *expect = scn_ymap_get(root, "expect");
	if (expect) {
		if (expect->type == Y_SCALAR && !is_null(expect)) {
			s->expects = scn_zalloc(&s->arena, sizeof(*s->expects));
			if (s->expects && !scn_expect_parse(s, expect->s, expect->len, expect->line,
							    expect->col, &s->expects[0], d))
				s->nexpects = 1;
			else
				L.errors++;
		} else if (expect->type == Y_SEQ) {
			s->expects = scn_zalloc(&s->arena, (expect->n ? expect->n : 1) *
						sizeof(*s->expects));
			for (size_t i = 0; s->expects && i < expect->n; i++) {
				const struct ynode *e = expect->items[i];
				const char *text;
				size_t len;
				if (!value_text(&L, e, &text, &len, "an expectation"))
					continue;
				/* {n} in an expectation: the vars are known now. */
				const char *expanded = text;
				if (memchr(text, '{', len)) {
					expanded = static_text(&L, e, "an expectation");
					if (!expanded)
						continue;
					len = strlen(expanded);
				}
				if (scn_expect_parse(s, expanded, len, e->line, e->col,
						     &s->expects[s->nexpects], d))
					L.errors++;
				else
					s->nexpects++;
			}
		} else if (!is_null(expect)) {
			diag(&L, expect, "expect: a list of lines such as 'consumer.recv.count == 100'");
		}
	}
	/* What --set may change, for completion. */
	s->setkeys = scn_zalloc(&s->arena, (L.nvars + 2) * sizeof(*s->setkeys));
	if (s->setkeys) {
		for (size_t i = 0; i < L.nvars; i++) {
			char key[96];
			snprintf(key, sizeof(key), "vars.%.*s", (int)L.vars[i].len, L.vars[i].name);
			s->setkeys[s->nsetkeys++] = scn_strndup(&s->arena, key, strlen(key));
		}
		s->setkeys[s->nsetkeys++] = "timeout";
		s->setkeys[s->nsetkeys++] = "stall";
	}
out:
	free(L.pair_owner);
	free(L.uses_barrier);
	if (!rc && (L.errors || d->n))
		rc = -EINVAL;
	if (!rc && d->oom)
		rc = -ENOMEM;
	if (rc) {
		ipk_scenario_free(s);
		if (!diags)
			ipk_scenario_diags_free(d);
		return rc;
	}
	if (!diags)
		ipk_scenario_diags_free(d);
	*out = s;
	return 0;
}

void ipk_scenario_free(struct ipk_scenario *s)
{
	if (!s)
		return;
	if (s->actors)
		for (size_t i = 0; i < s->nactors; i++)
			if (!s->actors[i].prog)
				free(s->actors[i].keys);
	free(s->barriers);
	free(s->parties);
	free(s->file);
	ipk_arena_free(&s->arena);
	free(s);
}

const char *ipk_scenario_name(const struct ipk_scenario *s)
{
	return s->name;
}

const char *ipk_scenario_description(const struct ipk_scenario *s)
{
	return s->description;
}

const char *ipk_scenario_file(const struct ipk_scenario *s)
{
	return s->file;
}

size_t ipk_scenario_set_key_count(const struct ipk_scenario *s)
{
	return s->nsetkeys;
}

const char *ipk_scenario_set_key(const struct ipk_scenario *s, size_t i)
{
	return i < s->nsetkeys ? s->setkeys[i] : NULL;
}

int ipk_scenario_peek(const char *path, char **name, char **description)
{
	struct ipk_arena a = { 0 };
	struct ipk_scenario_diags d = { 0 };
	const struct ynode *root;
	int rc = scn_yaml_load(path, &a, &root, &d);

	for (size_t i = 0; i < d.n; i++)
		free(d.v[i]);
	free(d.v);
	if (!rc && root->type != Y_MAP)
		rc = -EINVAL;
	if (!rc) {
		const struct ynode *n = scn_ymap_get(root, "scenario");
		const struct ynode *desc = scn_ymap_get(root, "description");
		*name = n && n->type == Y_SCALAR ? strndup(n->s, n->len) : scn_file_stem(path);
		*description = desc && desc->type == Y_SCALAR ? strndup(desc->s, desc->len)
							       : strdup("");
		if (!*name || !*description) {
			free(*name);
			free(*description);
			rc = -ENOMEM;
		}
	}
	ipk_arena_free(&a);
	return rc;
}
