/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ipc-rm: remove IPC objects, named by REF or selected by filters, without
 * ever removing the wrong one.  Everything is selected and checked first;
 * more than one object is confirmed; each is checked again by the library
 * right before it goes.
 */
#include "common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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
};

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
	if (filter_opts_handle(rm->filter, key, arg)) {
		rm->kinds |= key == OPT_KIND;
		rm->selecting |= key != OPT_KIND;
		rm->orphan |= key == OPT_ORPHAN;
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
	const char *ref;		/* the object's, or the REF typed */
	const struct ipk_object *o;	/* NULL: not found */
	enum result result;
	struct ipk_error e;
};

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

/* One line on stderr for what was not removed. */
static void report(const struct rm *rm, const struct item *it)
{
	const char *hint = it->e.err == EBUSY ? " (--force removes it anyway)" : "";

	if (rm->json || it->result == R_REMOVED || it->result == R_WOULD_REMOVE)
		return;
	if (it->result == R_SKIPPED)
		msg("skipped '%s': %s", it->ref, it->e.text);
	else if (it->result != R_NOT_FOUND)
		msg("cannot remove '%s': %s%s", it->ref, it->e.text, hint);
}

/*
 * An orphan is what the processes we could read do not hold; with some
 * unreadable, that proves nothing for objects only processes hold.  SysV
 * orphans are the kernel's word (nattch) or dead pids: those stand.
 */
static bool orphan_unproven(const struct rm *rm, struct ipk_ctx *ctx, const struct item *it,
			    struct ipk_error *e)
{
	size_t unreadable = ipk_ctx_unreadable_procs(ctx);

	if (!rm->orphan || rm->force || !unreadable || !it->o ||
	    ipk_kind_family(ipk_object_kind(it->o)) == IPK_FAMILY_SYSV)
		return false;
	e->err = EBUSY;
	snprintf(e->text, sizeof(e->text), "not known to be an orphan: %zu process%s could not "
		 "be read, and may hold it", unreadable, unreadable == 1 ? "" : "es");
	return true;
}

/* Asks on the terminal; true for y or yes. */
static bool confirm(const struct item *items, size_t n, size_t count)
{
	char answer[16];

	fprintf(stderr, "%s: about to remove %zu objects:\n", program_name, count);
	for (size_t i = 0; i < n; i++)
		if (items[i].result == R_WOULD_REMOVE)
			fprintf(stderr, "  %s\n", items[i].ref);
	fprintf(stderr, "Remove them? [y/N] ");
	fflush(stderr);
	if (!fgets(answer, sizeof(answer), stdin))
		return false;
	answer[strcspn(answer, "\n")] = '\0';
	return strcasecmp(answer, "y") == 0 || strcasecmp(answer, "yes") == 0;
}

static int print_json(const struct item *items, size_t n)
{
	static const struct out_col cols[] = {
		{ "REF", "ref", 0 },
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
			rc = out_set(out, row, 1,
				     it->o ? ipk_kind_name(ipk_object_kind(it->o)) : NULL, NULL);
		if (!rc)
			rc = out_set(out, row, 2, result_words[it->result], NULL);
		if (!rc)
			rc = out_set(out, row, 3, it->e.text[0] ? it->e.text : NULL, NULL);
	}
	if (!rc)
		rc = out_print(out);
	out_free(out);
	return rc;
}

int main(int argc, char **argv)
{
	struct opt_group groups[2] = {
		{ "Options", rm_options, sizeof(rm_options) / sizeof(rm_options[0]) },
		{ "Filters", filter_options, 0 },
	};
	struct rm rm = { 0 };
	int status = EXIT_OK;

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
			"is checked again (key and ctime) right before it is removed; a name must\n"
			"still be the file selected, of its kind's type, never through a symlink.\n",
		.positional = COMPLETE_REFS,
		.no_sysroot = true,
		.exact_options = true,
	};

	rm.filter = ipk_filter_new();
	if (!rm.filter) {
		msg("%s", reason(ENOMEM));
		return EXIT_PARTIAL;
	}
	int first = opts_parse(&spec, argc, argv, handle, &rm);
	bool refs = first < argc;
	if (refs && (rm.kinds || rm.selecting || rm.all))
		usage_error("give REFs or filters, not both");
	if (rm.all && !rm.kinds)
		usage_error("--all needs --kind KINDS: objects of every kind are never removed at once");
	if (!refs && !rm.selecting && !rm.all) {
		if (rm.kinds)
			usage_error("--kind alone selects every object of those kinds: add --all to "
				    "mean it");
		usage_error("nothing selected: name objects (REF...) or select them with "
			    "filters (--name, --owner, --orphan, --kind KINDS --all ...)");
	}

	struct ipk_ctx *ctx = scope_ctx(&rm.scope);
	/* what the checks and the report need, and what filters look at */
	static const int wanted[] = {
		IPK_F_REF, IPK_F_NAME, IPK_F_KEY, IPK_F_UID, IPK_F_CTIME, IPK_F_SIZE,
		IPK_F_HOLDERS, IPK_F_NATTCH, IPK_F_STATUS, IPK_F_WAITERS, IPK_F_NOTIFY_PID,
		IPK_F_INODE, IPK_F_NS,
	};
	ipk_ctx_want_fields(ctx, wanted, sizeof(wanted) / sizeof(wanted[0]));

	struct ipk_list *list = NULL;
	struct item *items = NULL;
	size_t n = 0;

	if (refs) {
		/* every REF is looked up (and a malformed one is exit 2) before anything goes */
		list = ipk_list_new();
		items = calloc((size_t)(argc - first), sizeof(*items));
		for (int i = first; i < argc && list && items; i++) {
			int found = EXIT_OK;
			struct ipk_object *o = lookup_ref(ctx, argv[i], &found);
			items[n] = (struct item){ .ref = argv[i], .result = R_NOT_FOUND };
			if (found != EXIT_OK)
				snprintf(items[n].e.text, sizeof(items[n].e.text), "no such object");
			if (o && ipk_list_append(list, o) == 0) {
				items[n].o = o;
				items[n].ref = ipk_object_ref(o);
			}
			n++;
		}
	} else {
		list = ipk_scan(ctx, rm.filter, 0);
		items = list ? calloc(ipk_list_len(list) + 1, sizeof(*items)) : NULL;
		for (size_t i = 0; items && i < ipk_list_len(list); i++) {
			const struct ipk_object *o = ipk_list_at(list, i);
			items[n++] = (struct item){ .ref = ipk_object_ref(o), .o = o };
		}
	}
	if (!list || !items) {
		msg("%s", reason(ENOMEM));
		return EXIT_PARTIAL;
	}
	report_diags(ctx);

	/* check every object first: what would go, and why the others would not */
	size_t go = 0;
	for (size_t i = 0; i < n; i++) {
		struct item *it = &items[i];
		if (!it->o)
			continue;
		if (orphan_unproven(&rm, ctx, it, &it->e)) {
			it->result = R_REFUSED;
		} else {
			unsigned flags = IPK_RM_CHECK | (rm.force ? IPK_RM_FORCE : 0);
			int rc = ipk_remove(ctx, it->o, flags, &it->e);
			/*
			 * Filters without --kind look at every kind: pipes, unnamed
			 * sockets and the like they match have nothing to remove and
			 * were not asked for.  Named, or of a kind named, they are
			 * reported.
			 */
			if (rc == -EOPNOTSUPP && !refs && !rm.kinds) {
				it->o = NULL;
				continue;
			}
			it->result = rc ? classify(rc) : R_WOULD_REMOVE;
		}
		go += it->result == R_WOULD_REMOVE;
		report(&rm, it);
	}

	/* what filters matched but cannot be removed is not part of the run */
	if (!refs) {
		size_t kept = 0;
		for (size_t i = 0; i < n; i++)
			if (items[i].o)
				items[kept++] = items[i];
		n = kept;
	}

	bool asked_no = false;
	if (!rm.dry_run && go > 1 && !rm.yes) {
		if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO)) {
			msg("%zu objects selected: removing more than one needs --yes "
			    "(--dry-run lists them)", go);
			ipk_list_free(list);
			free(items);
			ipk_filter_free(rm.filter);
			ipk_ctx_free(ctx);
			return EXIT_USAGE;
		}
		asked_no = !confirm(items, n, go);
		if (asked_no)
			msg("nothing removed");
	}

	for (size_t i = 0; i < n; i++) {
		struct item *it = &items[i];
		if (it->result == R_WOULD_REMOVE && !rm.dry_run && !asked_no) {
			int rc = ipk_remove(ctx, it->o, rm.force ? IPK_RM_FORCE : 0, &it->e);
			it->result = classify(rc);
			report(&rm, it);
		}
		if (it->result == R_REMOVED && !rm.json)
			printf("removed %s\n", it->ref);
		else if (it->result == R_WOULD_REMOVE && rm.dry_run && !rm.json)
			printf("would remove %s\n", it->ref);
		if (it->result != R_REMOVED && !(rm.dry_run && it->result == R_WOULD_REMOVE))
			status = EXIT_PARTIAL;
	}
	if (rm.json) {
		int rc = print_json(items, n);
		if (rc) {
			msg("%s", reason(-rc));
			status = EXIT_PARTIAL;
		}
	}
	if (!refs && !n && !rm.json)
		msg("nothing matched");
	if (report_diags(ctx))
		status = EXIT_PARTIAL;

	ipk_list_free(list);
	free(items);
	ipk_filter_free(rm.filter);
	ipk_ctx_free(ctx);
	int out_status = close_stdout();
	return status ? status : out_status;
}
