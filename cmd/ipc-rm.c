/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ipc-rm: remove IPC objects, named by REF or selected by filters, without
 * ever removing the wrong one.  Everything is selected and checked first;
 * more than one object is confirmed; then everything is read again, and
 * each object goes only if it is still the one selected, which the library
 * checks once more right before it acts.
 */
#include "common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

enum {
	OPT_ALL = OPT_COMMAND_BASE,
	OPT_DRY_RUN,
	OPT_YES,
	OPT_FORCE,
};

/* Long options only: no letter typed by mistake widens or forces anything. */
static const struct cmd_option rm_options[] = {
	{ "dry-run", OPT_DRY_RUN, NULL, "print what would be removed; remove nothing", 0, NULL,
	  0 },
	{ "yes", OPT_YES, NULL, "remove more than one object without asking", 0, NULL, 0 },
	{ "force", OPT_FORCE, NULL, "remove objects in use too (attached, held, waited on)", 0,
	  NULL, 0 },
	{ "all", OPT_ALL, NULL, "every object of the kinds of --kind (which it needs)", 0, NULL,
	  0 },
	{ "json", OPT_JSON, NULL, "report each object, what was done and why, as JSON", 0, NULL,
	  0 },
};

static const char *const rm_synopsis[] = {
	"[options] REF...",
	"[options] --kind KINDS --all | FILTERS...",
	NULL,
};

struct rm {
	struct ipk_filter *filter;
	struct scope scope;
	bool dry_run, yes, force, all, json;
	bool kinds;		/* --kind given */
	bool selecting;		/* a filter that picks objects, not only kinds */
	bool orphan;
	char **refs;		/* canonical REFs, each once; NULL: filters select */
	size_t nrefs;
};

/* A filter value that every object matches is --all in disguise ('' matches none). */
static void refuse_match_all(int key, const char *arg)
{
	uint64_t size;
	int64_t seconds;
	bool all = (key == OPT_OLDER_THAN && ipk_parse_duration(arg, &seconds) == 0 && !seconds) ||
		   (key == OPT_MIN_SIZE && ipk_parse_size(arg, &size) == 0 && !size) ||
		   (key == OPT_NAME && *arg && strspn(arg, "*/") == strlen(arg));

	if (all)
		usage_error("'%s' matches every object: to mean it, say --kind KINDS --all", arg);
}

static void handle(int key, const char *arg, void *data)
{
	struct rm *rm = data;

	switch (key) {
	case OPT_DRY_RUN:
		rm->dry_run = true;
		return;
	case OPT_YES:
		rm->yes = true;
		return;
	case OPT_FORCE:
		rm->force = true;
		return;
	case OPT_ALL:
		rm->all = true;
		return;
	case OPT_JSON:
		rm->json = true;
		return;
	}
	if (scope_opts_handle(&rm->scope, key, arg))
		return;
	refuse_match_all(key, arg);
	if (filter_opts_handle(rm->filter, key, arg)) {
		rm->kinds |= key == OPT_KIND;
		rm->selecting |= key != OPT_KIND;
		rm->orphan |= key == OPT_ORPHAN;
		/* to be named and refused, or removed with --force */
		if (key == OPT_ORPHAN)
			ipk_filter_set_orphan_unproven(rm->filter, true);
	}
}

/* What happened to one object. */
enum result {
	R_REMOVED,
	R_WOULD_REMOVE,		/* --dry-run, or checked and waiting for the go */
	R_SKIPPED,		/* gone, or its id or name belongs to another now */
	R_REFUSED,		/* in use, not its kind, nothing to remove */
	R_FAILED,		/* the kernel said no */
	R_NOT_FOUND,		/* a REF that names nothing */
};

static const char *const result_words[] = {
	[R_REMOVED] = "removed", [R_WOULD_REMOVE] = "would-remove", [R_SKIPPED] = "skipped",
	[R_REFUSED] = "refused", [R_FAILED] = "failed", [R_NOT_FOUND] = "not-found",
};

struct item {
	const char *ref;		/* the object's REF, or the REF asked for */
	const char *key;		/* what finds it again: the REF asked, or its REF */
	struct ipk_object *o;		/* NULL: not found, or removed as it was read */
	const struct ipk_kind *kind;	/* NULL: not found */
	enum result result;
	int err;			/* why, as an errno; 0: nothing to say */
	const char *why;		/* in words, in the run's arena; NULL: nothing */
};

/*
 * The reasons of a run, kept together: most objects go and have none, so
 * an item is small (20,000 of them, not 6 MB of struct ipk_error).
 */
static struct ipk_arena reasons;

static enum result classify(int rc)
{
	switch (-rc) {
	case 0:
		return R_REMOVED;
	case ENOENT:
	case ESTALE:
		return R_SKIPPED;
	case EBUSY:
	case EOPNOTSUPP:
	case EINVAL:
		return R_REFUSED;
	}
	return R_FAILED;
}

static void set_reason(struct item *it, int err, const char *text)
{
	size_t len = strlen(text);
	char *why = len ? ipk_arena_alloc(&reasons, len + 1) : NULL;

	it->err = err;
	it->why = why ? memcpy(why, text, len + 1) : len ? reason(ENOMEM) : NULL;
}

static void set_error(struct item *it, const struct ipk_error *e)
{
	set_reason(it, e->err, e->text);
}

static const char *why_of(const struct item *it)
{
	return it->why ? it->why : "";
}

/* One line on stderr for what was not removed. */
static void report(const struct rm *rm, const struct item *it)
{
	if (rm->json || it->result == R_REMOVED || it->result == R_WOULD_REMOVE)
		return;
	if (it->result == R_SKIPPED)
		msg("skipped '%s': %s", it->ref, why_of(it));
	else
		msg("cannot remove '%s': %s%s", it->ref, why_of(it),
		    it->err == EBUSY ? " (--force removes it anyway)" : "");
}

/* ------------------------------------------------------------- selection */

/* A listing, indexed by REF: a run over many objects looks each up in log time. */
struct index {
	struct ipk_object **by_ref;	/* sorted by REF */
	struct ipk_object **by_name;	/* those with a name, by kind, then name */
	size_t n, nnamed;
};

static const char *name_of(const struct ipk_object *o)
{
	struct ipk_value v;

	ipk_object_get(o, IPK_F_NAME, &v);
	return v.presence == IPK_PRESENT ? v.s : NULL;
}

static int cmp_ref(const void *a, const void *b)
{
	return strcmp(ipk_object_ref(*(const struct ipk_object *const *)a),
		      ipk_object_ref(*(const struct ipk_object *const *)b));
}

static int cmp_name(const void *a, const void *b)
{
	const struct ipk_object *x = *(const struct ipk_object *const *)a;
	const struct ipk_object *y = *(const struct ipk_object *const *)b;
	int d = strcmp(ipk_kind_name(ipk_object_kind(x)), ipk_kind_name(ipk_object_kind(y)));

	return d ? d : strcmp(name_of(x), name_of(y));
}

static void index_free(struct index *x)
{
	free(x->by_ref);
	free(x->by_name);
}

static int index_build(struct index *x, const struct ipk_list *l)
{
	x->n = ipk_list_len(l);
	x->nnamed = 0;
	x->by_ref = calloc(x->n + 1, sizeof(*x->by_ref));
	x->by_name = calloc(x->n + 1, sizeof(*x->by_name));
	if (!x->by_ref || !x->by_name) {
		index_free(x);
		*x = (struct index){ 0 };
		return -ENOMEM;
	}
	for (size_t i = 0; i < x->n; i++) {
		x->by_ref[i] = ipk_list_at(l, i);
		if (name_of(x->by_ref[i]))
			x->by_name[x->nnamed++] = x->by_ref[i];
	}
	qsort(x->by_ref, x->n, sizeof(*x->by_ref), cmp_ref);
	qsort(x->by_name, x->nnamed, sizeof(*x->by_name), cmp_name);
	return 0;
}

static int cmp_key_ref(const void *key, const void *o)
{
	return strcmp(key, ipk_object_ref(*(const struct ipk_object *const *)o));
}

/* A REF by path, "unix:/run/x.sock", against an object's kind and name. */
static int cmp_key_name(const void *key, const void *p)
{
	const struct ipk_object *o = *(const struct ipk_object *const *)p;
	const char *k = key, *colon = strchr(k, ':');
	const char *kind = ipk_kind_name(ipk_object_kind(o));
	size_t len = (size_t)(colon - k);
	int d = strncmp(k, kind, len);

	if (!d && kind[len])
		d = -1;		/* the key's kind is a prefix of this one's */
	return d ? d : strcmp(colon + 1, name_of(o));
}

/* Whether @key is of a kind whose REF is not its name (unix:INODE, fifo:...). */
static bool fd_kind(const char *key)
{
	const struct ipk_kind *k;
	char *canon;

	if (ipk_ref_parse(key, &k, &canon))
		return false;
	free(canon);
	return ipk_kind_family(k) == IPK_FAMILY_FD;
}

/*
 * The object @key names: by its REF, or a path REF of an fd kind by the
 * name of the object (a socket bound there, whose REF is its inode).  A
 * POSIX REF is its name: posix-mq:/a@ns:1 names queue /a of namespace 1,
 * never our /a@ns:1 (whose REF says so: posix-mq:/a@ns:1@ns:OURS).
 */
static struct ipk_object *find(const struct index *x, const char *key)
{
	struct ipk_object **hit = bsearch(key, x->by_ref, x->n, sizeof(*x->by_ref), cmp_key_ref);
	const char *colon = strchr(key, ':');

	if (!hit && colon && colon[1] == '/' && fd_kind(key))
		hit = bsearch(key, x->by_name, x->nnamed, sizeof(*x->by_name), cmp_key_name);
	return hit ? *hit : NULL;
}

/*
 * The objects @rm selects, read now: one scan of the filters, or of the
 * kinds of the REFs, with the REFs no scan lists (a FIFO nobody holds, a
 * socket file) looked up one by one.  NULL when memory ran out.
 */
static struct ipk_list *select_objects(struct rm *rm, struct ipk_ctx *ctx)
{
	if (!rm->refs)
		return ipk_scan(ctx, rm->filter, 0);

	struct ipk_filter *kinds = ipk_filter_new();
	struct ipk_list *l = NULL;
	if (!kinds)
		return NULL;
	for (size_t i = 0; i < rm->nrefs; i++) {
		const struct ipk_kind *k;
		char *canon;
		if (ipk_ref_parse(rm->refs[i], &k, &canon) == 0) {
			ipk_filter_add_kind(kinds, k);
			free(canon);
		}
	}
	l = ipk_scan(ctx, kinds, 0);
	ipk_filter_free(kinds);
	struct index scanned;
	if (!l || index_build(&scanned, l)) {
		ipk_list_free(l);
		return NULL;
	}
	size_t kept = 0;
	for (size_t i = 0; i < rm->nrefs; i++) {
		struct ipk_object *o;
		char *ref = rm->refs[i];
		if (l && !find(&scanned, ref) && ipk_lookup(ctx, ref, &o) == 0) {
			/*
			 * Typed otherwise than the listing names it (sysv-shm:0@ns:
			 * of the namespace looked at is sysv-shm:0): by its REF.
			 */
			if (strcmp(ipk_object_ref(o), ref) != 0) {
				char *as_listed = strdup(ipk_object_ref(o));
				if (as_listed) {
					free(ref);
					ref = as_listed;
				}
			}
			if (find(&scanned, ref)) {
				ipk_object_free(o);
			} else if (ipk_list_append(l, o)) {
				ipk_list_free(l);
				l = NULL;
			}
		}
		/* one object named twice, so typed: once */
		bool seen = false;
		for (size_t j = 0; j < kept && !seen; j++)
			seen = strcmp(rm->refs[j], ref) == 0;
		if (seen)
			free(ref);
		else
			rm->refs[kept++] = ref;
	}
	rm->nrefs = kept;
	index_free(&scanned);
	return l;
}

/* Every REF checked and made canonical, each once: a malformed one is exit 2. */
static void parse_refs(struct rm *rm, char **argv, int n)
{
	rm->refs = calloc((size_t)n, sizeof(*rm->refs));
	if (!rm->refs) {
		msg("%s", reason(ENOMEM));
		exit(EXIT_PARTIAL);
	}
	for (int i = 0; i < n; i++) {
		const struct ipk_kind *k;
		char *canon = NULL;
		/* as listings show it: "\x5c" a backslash, "\x1b" an escape byte */
		char *ref = unesc(argv[i]);
		int rc = ref ? ipk_ref_parse(ref, &k, &canon) : -ENOMEM;
		if (rc == -ENOMEM) {
			msg("%s", reason(ENOMEM));
			exit(EXIT_PARTIAL);
		}
		if (rc)
			ref_usage_error(ref, rc);
		free(ref);
		bool seen = false;
		for (size_t j = 0; j < rm->nrefs && !seen; j++)
			seen = strcmp(rm->refs[j], canon) == 0;
		if (seen)
			free(canon);
		else
			rm->refs[rm->nrefs++] = canon;
	}
}

/* The items of a selection: one per REF asked, or one per object matched. */
static struct item *make_items(const struct rm *rm, const struct ipk_list *l, size_t *n)
{
	size_t count = rm->refs ? rm->nrefs : ipk_list_len(l);
	struct item *items = calloc(count + 1, sizeof(*items));
	struct index x = { 0 };

	/* REFs are looked up; a selection is the listing itself */
	if (!items || (rm->refs && index_build(&x, l))) {
		free(items);
		return NULL;
	}
	for (size_t i = 0; i < count; i++) {
		struct item *it = &items[i];
		if (rm->refs) {
			it->key = rm->refs[i];
			it->o = find(&x, it->key);
			it->kind = ipk_object_kind(it->o);
			it->ref = it->o ? ipk_object_ref(it->o) : it->key;
			if (!it->o) {
				it->result = R_NOT_FOUND;
				set_reason(it, ENOENT, "no such object");
			}
		} else {
			it->o = ipk_list_at(l, i);
			it->kind = ipk_object_kind(it->o);
			it->ref = it->key = ipk_object_ref(it->o);
		}
	}
	*n = count;
	index_free(&x);
	return items;
}

/* ---------------------------------------------------------------- checks */

/*
 * --orphan selects the objects no process we could read holds; those the
 * library does not flag ORPHAN (some processes could not be read, and may
 * hold it) are named and refused, unless --force.
 */
static bool orphan_unproven(const struct rm *rm, struct ipk_ctx *ctx, struct item *it)
{
	size_t unreadable = ipk_ctx_unreadable_procs(ctx);
	struct ipk_value status;

	ipk_object_get(it->o, IPK_F_STATUS, &status);
	if (!rm->orphan || rm->force ||
	    (status.presence == IPK_PRESENT && (status.u & IPK_ST_ORPHAN)))
		return false;
	char text[128];
	snprintf(text, sizeof(text), "not known to be an orphan: %zu process%s "
		 "could not be read, and may hold it", unreadable, unreadable == 1 ? "" : "es");
	set_reason(it, EBUSY, text);
	return true;
}

/*
 * Checks every object as its removal would, removing nothing; returns how
 * many would go.  Filters without --kind look at every kind: the pipes and
 * unnamed sockets they match have nothing to remove and were not asked
 * for, so they leave the run.  Named, or of a kind named, they are
 * reported.  With --yes nothing is shown or asked before the removal,
 * which checks everything again right before it acts: what the kernel
 * says is asked once, then.
 */
static size_t check_all(const struct rm *rm, struct ipk_ctx *ctx, struct item *items, size_t *n)
{
	bool at_removal = rm->yes && !rm->dry_run;
	size_t go = 0, kept = 0;

	for (size_t i = 0; i < *n; i++) {
		struct item *it = &items[i];
		if (it->o && orphan_unproven(rm, ctx, it)) {
			it->result = R_REFUSED;
		} else if (it->o && at_removal && ipk_kind_can_remove(ipk_object_kind(it->o))) {
			it->result = R_WOULD_REMOVE;
		} else if (it->o) {
			unsigned flags = IPK_RM_CHECK | (rm->force ? IPK_RM_FORCE : 0);
			struct ipk_error e;
			int rc = ipk_remove(ctx, it->o, flags, &e);
			if (rc == -EOPNOTSUPP && !rm->refs && !rm->kinds)
				continue;
			set_error(it, &e);
			it->result = rc ? classify(rc) : R_WOULD_REMOVE;
		}
		go += it->result == R_WOULD_REMOVE;
		report(rm, it);
		items[kept++] = *it;
	}
	*n = kept;
	return go;
}

/* Asks on the terminal; true for y or yes. */
static bool confirm(const struct item *items, size_t n, size_t count)
{
	char answer[16];

	fprintf(stderr, "%s: about to remove %zu objects:\n", program_name, count);
	for (size_t i = 0; i < n; i++)
		if (items[i].result == R_WOULD_REMOVE)
			fprintf(stderr, "  %s\n", esc(items[i].ref));
	fprintf(stderr, "Remove them? [y/N] ");
	fflush(stderr);
	if (!fgets(answer, sizeof(answer), stdin))
		return false;
	answer[strcspn(answer, "\n")] = '\0';
	return strcasecmp(answer, "y") == 0 || strcasecmp(answer, "yes") == 0;
}

/*
 * Whether @o is read again whole before it goes: to match the filters
 * again, and a name, which may belong to anything now.  A SysV id is read
 * again by its removal, right before IPC_RMID; only who uses it is read
 * here.
 */
static bool read_whole(const struct rm *rm, const struct ipk_object *o)
{
	return rm->selecting || ipk_kind_family(ipk_object_kind(o)) != IPK_FAMILY_SYSV;
}

/*
 * Removes what was checked, read again: holders and waiters as they are
 * now, after however long the confirmation took.  Only the objects that
 * go are read, never the whole listing, with one pass over /proc for all
 * of them; the library checks each once more right before it acts.
 */
static void remove_all(const struct rm *rm, struct ipk_ctx *ctx, struct item *items, size_t n)
{
	struct ipk_object **was = calloc(n + 1, sizeof(*was)), **now = calloc(n + 1, sizeof(*now));
	struct ipk_object **users = calloc(n + 1, sizeof(*users));
	size_t m = 0, nusers = 0;
	int rc = was && now && users ? 0 : -ENOMEM;

	for (size_t i = 0; i < n && !rc; i++) {
		if (items[i].result != R_WOULD_REMOVE)
			continue;
		if (read_whole(rm, items[i].o))
			was[m++] = items[i].o;
		else
			users[nusers++] = items[i].o;
	}
	if (!rc)
		rc = ipk_reread(ctx, was, m, now);
	if (!rc)
		rc = ipk_rejudge(ctx, users, nusers);
	report_diags(ctx);
	time_t t = time(NULL);
	for (size_t i = 0, j = 0; i < n; i++) {
		struct item *it = &items[i];
		if (it->result != R_WOULD_REMOVE)
			continue;
		const struct ipk_object *o = rc ? NULL : !read_whole(rm, it->o) ? it->o : now[j++];
		if (rc) {
			it->result = R_FAILED;
			set_reason(it, -rc, reason(-rc));
		} else if (!o || (rm->selecting && !ipk_filter_match(rm->filter, o, t))) {
			it->result = R_SKIPPED;
			set_reason(it, ENOENT, rm->selecting ? "gone, or no longer matches the filters"
							     : "gone since it was selected");
		} else {
			struct ipk_error e = { 0 };
			if (o != it->o && !ipk_object_same(it->o, o, &e))
				it->result = R_SKIPPED;
			else
				it->result = classify(ipk_remove(ctx, o, rm->force ? IPK_RM_FORCE : 0,
								 &e));
			set_error(it, &e);
		}
		report(rm, it);
	}
	for (size_t j = 0; now && j < m; j++)
		ipk_object_free(now[j]);
	free(was);
	free(now);
	free(users);
}

/* ------------------------------------------------- removed as they are read */

/* Printable ASCII without spaces or backslashes: what esc_text() would leave as it is. */
static bool plain(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f || *s == '\\')
			return false;
	return true;
}

/*
 * "removed REF", a line of the report on stdout, copied where the REF is
 * plain; -ENOMEM when it could not be added.
 */
static int add_line(struct ipk_buf *lines, const char *word, const char *ref)
{
	size_t nword = strlen(word), nref = strlen(ref);

	if (ipk_buf_reserve(lines, nword + nref + 2))
		return -ENOMEM;
	if (plain(ref)) {
		memcpy(lines->s + lines->len, word, nword);
		memcpy(lines->s + lines->len + nword, ref, nref);
		lines->len += nword + nref;
		lines->s[lines->len++] = '\n';
		lines->s[lines->len] = '\0';
		return 0;
	}
	ipk_buf_puts(lines, word);
	esc_text(ref, false, lines);
	return ipk_buf_puts(lines, "\n") ? -ENOMEM : 0;
}

/*
 * What ipk_remove_each() did, in its order: the report's line of each
 * object removed, and an item for each other (for --json, for all).
 */
struct each_run {
	const struct rm *rm;
	size_t count;			/* objects seen */
	struct ipk_buf lines;		/* "removed REF" of those that went */
	struct item *v;
	size_t n, cap;
	size_t *ref_at;			/* each item's REF in @refs, until the run ends */
	struct ipk_buf refs;
};

static int each_done(void *arg, const struct ipk_object *o, int rc, const struct ipk_error *e)
{
	struct each_run *r = arg;
	const char *ref = ipk_object_ref(o);

	r->count++;
	if (!rc && !r->rm->json)
		return add_line(&r->lines, "removed ", ref);
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 1024;
		struct item *v = realloc(r->v, (cap + 1) * sizeof(*v));
		size_t *at = v ? realloc(r->ref_at, cap * sizeof(*at)) : NULL;
		if (v)
			r->v = v;
		if (!at)
			return -ENOMEM;
		r->ref_at = at;
		r->cap = cap;
	}
	struct item *it = &r->v[r->n];
	it->o = NULL;
	it->kind = ipk_object_kind(o);
	it->result = classify(rc);
	it->err = 0;
	it->why = NULL;
	if (rc)
		set_error(it, e);
	it->ref = it->key = ref;
	r->ref_at[r->n] = r->refs.len;
	if (ipk_buf_add(&r->refs, ref, strlen(ref) + 1))
		return -ENOMEM;
	report(r->rm, it);
	r->n++;
	return 0;
}

/*
 * Removes the System V objects of @rm's kinds as they are read, into @r;
 * @rm's filter keeps the kinds left for the listing.  Whether any are
 * left; false with r->n == SIZE_MAX when memory ran out.
 */
static bool remove_each(struct rm *rm, struct ipk_ctx *ctx, struct each_run *r)
{
	const struct ipk_kind *sysv[8];
	struct ipk_filter *rest = ipk_filter_new();
	size_t nsysv = 0, nrest = 0;

	r->rm = rm;
	if (!rest) {
		r->n = SIZE_MAX;
		return false;
	}
	for (size_t i = 0; i < ipk_kind_count(); i++) {
		const struct ipk_kind *k = ipk_kind_at(i);
		if (!ipk_filter_wants_kind(rm->filter, k))
			continue;
		if (ipk_kind_family(k) == IPK_FAMILY_SYSV && nsysv < sizeof(sysv) / sizeof(sysv[0])) {
			sysv[nsysv++] = k;
		} else if (ipk_filter_add_kind(rest, k)) {
			ipk_filter_free(rest);
			r->n = SIZE_MAX;
			return false;
		} else {
			nrest++;
		}
	}
	int rc = nsysv ? ipk_remove_each(ctx, sysv, nsysv, rm->force ? IPK_RM_FORCE : 0, each_done,
					 r) : -EOPNOTSUPP;
	if (rc == -EOPNOTSUPP) {
		/* another namespace: everything is listed first */
		ipk_filter_free(rest);
		return true;
	}
	ipk_filter_free(rm->filter);
	rm->filter = rest;
	for (size_t i = 0; i < r->n; i++)
		r->v[i].ref = r->v[i].key = r->refs.s + r->ref_at[i];
	if (rc) {
		msg("%s", reason(-rc));
		r->n = SIZE_MAX;
		return false;
	}
	return nrest > 0;
}

static void each_free(struct each_run *r)
{
	ipk_buf_free(&r->lines);
	free(r->v);
	free(r->ref_at);
	ipk_buf_free(&r->refs);
}

/* ---------------------------------------------------------------- output */

static int print_json(const struct item *items, size_t n)
{
	static const struct out_col cols[] = {
		{ "REF", "ref", COL_REF },
		{ "KIND", "kind", 0 },
		{ "RESULT", "result", 0 },
		{ "REASON", "reason", 0 },
	};
	struct out_opts opts = { .mode = OUT_JSON };
	struct out *out = out_new(&opts, "objects", cols, 4);
	int rc = out ? 0 : -ENOMEM;

	for (size_t i = 0; i < n && !rc; i++) {
		const struct item *it = &items[i];
		struct out_row *row = out_row(out, NULL);
		if (!row) {
			rc = -ENOMEM;
			break;
		}
		rc = out_set(out, row, 0, it->ref, NULL);
		if (!rc)
			rc = out_set(out, row, 1, it->kind ? ipk_kind_name(it->kind) : NULL, NULL);
		if (!rc)
			rc = out_set(out, row, 2, result_words[it->result], NULL);
		if (!rc)
			rc = out_set(out, row, 3, it->why, NULL);
	}
	if (!rc)
		rc = out_print(out);
	out_free(out);
	return rc;
}

/*
 * What was done, on stdout, after @before (the lines of the objects that
 * went as they were read, whose kinds come first); the exit status.
 * @seen: objects @items leaves out.
 */
static int finish(const struct rm *rm, const struct item *items, size_t n,
		  struct ipk_buf *before, size_t seen)
{
	const char *done_word = rm->dry_run ? "would remove " : "removed ";
	struct ipk_buf lines = *before;
	int status = EXIT_OK;

	*before = (struct ipk_buf){ 0 };
	for (size_t i = 0; i < n; i++) {
		const struct item *it = &items[i];
		bool done = it->result == R_REMOVED ||
			    (rm->dry_run && it->result == R_WOULD_REMOVE);
		if (!rm->json && done)
			add_line(&lines, done_word, it->ref);
		if (!done)
			status = EXIT_PARTIAL;
	}
	if (lines.len)
		fwrite(lines.s, 1, lines.len, stdout);
	ipk_buf_free(&lines);
	if (rm->json) {
		int rc = print_json(items, n);
		if (rc) {
			msg("%s", reason(-rc));
			status = EXIT_PARTIAL;
		}
	}
	if (!rm->refs && !n && !seen && !rm->json)
		msg("nothing matched");
	return status;
}

/* ------------------------------------------------------------------ main */

/*
 * Whether who uses the objects selected is read only right before they
 * go: removed without asking (--yes), matched by no filter, and every
 * kind has something to remove (a pipe's refusal names its holders).
 */
static bool use_read_at_removal(const struct rm *rm)
{
	if (!rm->yes || rm->dry_run || rm->selecting)
		return false;
	for (size_t i = 0; i < rm->nrefs; i++) {
		const struct ipk_kind *k;
		char *canon;
		if (ipk_ref_parse(rm->refs[i], &k, &canon))
			return false;
		free(canon);
		if (!ipk_kind_can_remove(k))
			return false;
	}
	for (size_t k = 0; !rm->refs && k < ipk_kind_count(); k++)
		if (ipk_filter_wants_kind(rm->filter, ipk_kind_at(k)) &&
		    !ipk_kind_can_remove(ipk_kind_at(k)))
			return false;
	return true;
}

/*
 * Whether the objects selected are removed as they are read: --all and
 * --yes, only kinds selecting; the System V kinds among them then go by
 * ipk_remove_each(), the rest by a listing and ipk_remove().
 */
static bool removes_as_read(const struct rm *rm)
{
	return rm->all && !rm->refs && !rm->selecting && use_read_at_removal(rm);
}

/* The rules of selection: never everything by accident. */
static void check_selection(const struct rm *rm, bool refs)
{
	if (refs && (rm->kinds || rm->selecting || rm->all))
		usage_error("give REFs or filters, not both");
	if (rm->all && !rm->kinds)
		usage_error("--all needs --kind KINDS: objects of every kind are never removed at once");
	if (!refs && !rm->selecting && !rm->all) {
		if (rm->kinds)
			usage_error("--kind alone selects every object of those kinds: add --all to "
				    "mean it");
		usage_error("nothing selected: name objects (REF...) or select them with "
			    "filters (--name, --owner, --orphan, --kind KINDS --all ...)");
	}
}

int main(int argc, char **argv)
{
	struct opt_group groups[2] = {
		{ "Options", rm_options, sizeof(rm_options) / sizeof(rm_options[0]) },
		{ "Filters", filter_options, 0 },
	};
	struct rm rm = { 0 };

	program_name = "ipc-rm";
	groups[1].n = filter_options_count;
	const struct cmd_spec spec = {
		.name = "ipc-rm",
		.summary = "Remove IPC objects named by REF, or selected by filters; never the wrong one.",
		.synopsis = rm_synopsis,
		.groups = groups,
		.ngroups = 2,
		.more = "Nothing is removed without a REF or a filter; every object of a kind needs\n"
			"--kind KIND --all. More than one object is confirmed on a terminal, and\n"
			"needs --yes otherwise. Objects in use are refused unless --force. A SysV id\n"
			"is checked again (key, creator, ctime) right before it is removed; a name\n"
			"must still be the file selected, of its kind's type, never through a symlink.\n",
		.positional = COMPLETE_REFS,
		.no_sysroot = true,
		.exact_options = true,
		.help_lists = HELP_KINDS,
	};

	rm.filter = ipk_filter_new();
	if (!rm.filter) {
		msg("%s", reason(ENOMEM));
		return EXIT_PARTIAL;
	}
	int first = opts_parse(&spec, argc, argv, handle, &rm);
	check_selection(&rm, first < argc);
	if (first < argc)
		parse_refs(&rm, argv + first, argc - first);

	struct ipk_ctx *ctx = scope_ctx(&rm.scope);
	/* what the checks and the report need, and what filters look at */
	static const int wanted[] = {
		IPK_F_REF, IPK_F_NAME, IPK_F_KEY, IPK_F_UID, IPK_F_CTIME, IPK_F_SIZE,
		IPK_F_HOLDERS, IPK_F_NATTCH, IPK_F_STATUS, IPK_F_WAITERS, IPK_F_NOTIFY_PID,
		IPK_F_INODE, IPK_F_NS,
	};
	/*
	 * Removed at once (--yes, no filter to match), what uses an object is
	 * read right before it goes: the selection needs only what names it.
	 */
	static const int naming[] = {
		IPK_F_REF, IPK_F_NAME, IPK_F_KEY, IPK_F_UID, IPK_F_CTIME, IPK_F_SIZE, IPK_F_INODE,
		IPK_F_NS,
	};
	if (use_read_at_removal(&rm))
		ipk_ctx_want_fields(ctx, naming, sizeof(naming) / sizeof(naming[0]));
	else
		ipk_ctx_want_fields(ctx, wanted, sizeof(wanted) / sizeof(wanted[0]));

	struct each_run each = { 0 };
	struct ipk_list *list = NULL;
	struct item *items = NULL;
	size_t n = 0;
	int status = EXIT_OK;
	bool listed = true;	/* kinds are left for a listing */
	if (removes_as_read(&rm)) {
		/* holders are read once, before the first object goes */
		ipk_ctx_want_fields(ctx, wanted, sizeof(wanted) / sizeof(wanted[0]));
		listed = remove_each(&rm, ctx, &each);
		if (each.n == SIZE_MAX) {
			each.n = 0;
			status = EXIT_PARTIAL;
			goto out;
		}
		if (report_diags(ctx))
			status = EXIT_PARTIAL;
		ipk_ctx_want_fields(ctx, naming, sizeof(naming) / sizeof(naming[0]));
	}
	if (listed) {
		list = select_objects(&rm, ctx);
		int err = list ? 0 : errno ? errno : ENOMEM;
		items = list ? make_items(&rm, list, &n) : NULL;
		if (!items) {
			msg("cannot select objects: %s", reason(err ? err : ENOMEM));
			status = EXIT_PARTIAL;
			goto out;
		}
		if (report_diags(ctx))
			status = EXIT_PARTIAL;
	}

	size_t go = items ? check_all(&rm, ctx, items, &n) : 0;
	if (!rm.dry_run && go > 1 && !rm.yes) {
		if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO)) {
			msg("%zu objects selected: removing more than one needs --yes "
			    "(--dry-run lists them)", go);
			status = EXIT_USAGE;
			goto out;
		}
		if (!confirm(items, n, go)) {
			msg("nothing removed");
			go = 0;
		}
	}
	ipk_ctx_want_fields(ctx, wanted, sizeof(wanted) / sizeof(wanted[0]));
	if (!rm.dry_run && go)
		remove_all(&rm, ctx, items, n);
	/* what went as it was read first: its kinds come first */
	if (each.n) {
		struct item *all = realloc(each.v, (each.n + n + 1) * sizeof(*all));
		if (!all) {
			msg("%s", reason(ENOMEM));
			status = EXIT_PARTIAL;
			goto out;
		}
		if (n)
			memcpy(all + each.n, items, n * sizeof(*items));
		each.v = all;
		each.cap = each.n + n;
		n += each.n;
	}
	int done = finish(&rm, each.n ? each.v : items, n, &each.lines, each.count - each.n);
	status = status ? status : done;
	if (report_diags(ctx))
		status = EXIT_PARTIAL;
out:
	each_free(&each);
	ipk_arena_free(&reasons);
	ipk_list_free(list);
	free(items);
	for (size_t i = 0; i < rm.nrefs; i++)
		free(rm.refs[i]);
	free(rm.refs);
	ipk_filter_free(rm.filter);
	ipk_ctx_free(ctx);
	int out_status = close_stdout();
	return status ? status : out_status;
}
