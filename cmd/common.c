/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Messages, options, --help and shell completion for every command. */
#include "common.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *program_name = "ipckit";

/* ---------------------------------------------------------------- messages */

const char *reason(int err)
{
	return ipk_strerror(err);
}

int exit_status_of(int err)
{
	if (ipk_errno_unsupported(err))
		return EXIT_UNSUPPORTED;
	switch (err < 0 ? -err : err) {
	case 0:
		return EXIT_OK;
	case EINVAL:
		return EXIT_USAGE;
	}
	return EXIT_PARTIAL;
}

/* "program: MESSAGE" and @tail on stderr, the message escaped: names in it are input. */
__attribute__((format(printf, 2, 0)))
static void vmsg(const char *tail, const char *fmt, va_list ap)
{
	struct ipk_buf text = { 0 }, safe = { 0 };
	va_list copy;

	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n >= 0 && !ipk_buf_reserve(&text, (size_t)n)) {
		vsnprintf(text.s, (size_t)n + 1, fmt, ap);
		text.len = (size_t)n;
		esc_text(text.s, false, &safe);
	}
	fflush(stdout);
	fprintf(stderr, "%s: %s%s\n", program_name, safe.s ? safe.s : fmt, tail);
	ipk_buf_free(&text);
	ipk_buf_free(&safe);
}

void msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void msg_cannot(const char *verb, const char *object, int err)
{
	msg("cannot %s '%s': %s", verb, object, reason(err));
}

void usage_error(const char *fmt, ...)
{
	char tail[64];
	va_list ap;

	snprintf(tail, sizeof(tail), " (see '%s --help')", program_name);
	va_start(ap, fmt);
	vmsg(tail, fmt, ap);
	va_end(ap);
	exit(EXIT_USAGE);
}

void report_unreadable(struct ipk_ctx *ctx)
{
	size_t hidden = ipk_ctx_unreadable_procs(ctx);

	/* a note, not an error: the listing is right about what it shows */
	if (!hidden)
		return;
	if (geteuid() == 0)
		msg("%zu process%s not readable, even as root: what %s hold%s is not shown",
		    hidden, hidden == 1 ? "" : "es", hidden == 1 ? "it" : "they",
		    hidden == 1 ? "s" : "");
	else
		msg("%zu process%s not readable; run as root for a complete view", hidden,
		    hidden == 1 ? "" : "es");
}

size_t report_diags(struct ipk_ctx *ctx)
{
	size_t n = ipk_ctx_ndiags(ctx);

	for (size_t i = 0; i < n; i++) {
		const struct ipk_diag *d = ipk_ctx_diag(ctx, i);
		msg_cannot(d->verb, d->object, d->err);
	}
	ipk_ctx_clear_diags(ctx);
	return n;
}

volatile sig_atomic_t stop_signal;
static void (*stop_interrupt)(void);

static void on_stop_signal(int sig)
{
	stop_signal = sig;
	if (stop_interrupt)
		stop_interrupt();
}

void catch_stop_signals(void (*interrupt)(void))
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa = { .sa_handler = on_stop_signal };

	stop_interrupt = interrupt;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

#if defined(__SANITIZE_ADDRESS__)
#define ASAN_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ASAN_BUILD 1
#endif
#endif

bool free_at_exit(void)
{
#ifdef ASAN_BUILD
	return true;
#else
	const char *preload = getenv("LD_PRELOAD");

	/* valgrind preloads its vgpreload_*.so into every program it runs */
	return getenv("IPCKIT_FREE_AT_EXIT") || (preload && strstr(preload, "vgpreload"));
#endif
}

int close_stdout(void)
{
	bool had_error = ferror(stdout);

	if (fclose(stdout) != 0 || had_error) {
		/* The reader went away: not our failure. */
		if (errno == EPIPE)
			return EXIT_OK;
		msg("cannot write to standard output: %s", reason(errno ? errno : EIO));
		return EXIT_PARTIAL;
	}
	return EXIT_OK;
}

/* ------------------------------------------------------------------ tables */

const struct cmd_option common_options[] = {
	{ "help", OPT_HELP, NULL, "show this help and exit", 0, NULL, 0 },
	{ "version", OPT_VERSION, NULL, "show the version and exit", 0, NULL, 0 },
	{ "sysroot", OPT_SYSROOT, "DIR", "read /proc, /dev/shm and /dev/mqueue below DIR",
	  COMPLETE_FILES, NULL, 0 },
	{ "complete", OPT_COMPLETE, "WHAT", "words for shell completion", 0, NULL, OPT_HIDDEN },
};
const size_t common_options_count = sizeof(common_options) / sizeof(common_options[0]);

const struct cmd_option output_options[] = {
	{ "output", OPT_OUTPUT, "COLS", "columns to show; +COLS adds to the default",
	  COMPLETE_COLUMNS, NULL, 0 },
	{ "json", OPT_JSON, NULL, "JSON output", 0, NULL, 0 },
	{ "csv", OPT_CSV, NULL, "comma-separated values, with a header line", 0, NULL, 0 },
	{ "raw", OPT_RAW, NULL, "raw output: columns separated by one space", 0, NULL, 0 },
	{ "noheadings", OPT_NOHEADINGS, NULL, "no header line", 0, NULL, 0 },
	{ "pairs", OPT_PAIRS, NULL, "KEY=\"value\" pairs", 0, NULL, 0 },
	{ "bytes", OPT_BYTES, NULL, "sizes in bytes instead of human units", 0, NULL, 0 },
	{ "numeric-perms", OPT_NUMERIC_PERMS, NULL, "permissions as octal numbers",
	  0, NULL, 0 },
	{ "time-format", OPT_TIME_FORMAT, "FORMAT", "short, full, iso, relative or epoch",
	  COMPLETE_WORDS, "short full iso relative epoch", 0 },
};
const size_t output_options_count = sizeof(output_options) / sizeof(output_options[0]);

const int ls_default_fields[] = {
	IPK_F_REF, IPK_F_KEY, IPK_F_OWNER, IPK_F_PERMS, IPK_F_SIZE, IPK_F_MESSAGES,
	IPK_F_VALUE, IPK_F_NATTCH, IPK_F_CTIME, IPK_F_STATUS, IPK_F_HOLDERS,
};
const size_t ls_default_fields_count = sizeof(ls_default_fields) / sizeof(ls_default_fields[0]);

const struct cmd_option filter_options[] = {
	{ "kind", OPT_KIND, "KINDS", "only these kinds (comma-separated)", COMPLETE_KINDS,
	  NULL, 0 },
	{ "owner", OPT_OWNER, "USER", "only objects owned by USER (name or uid)",
	  COMPLETE_USERS, NULL, 0 },
	{ "name", OPT_NAME, "GLOB", "only objects whose name matches GLOB", 0, NULL, 0 },
	{ "key", OPT_KEY, "KEY", "only SysV objects with KEY (0x..., decimal, ftok:PATH:PROJ)",
	  0, NULL, 0 },
	{ "older-than", OPT_OLDER_THAN, "DURATION", "only objects changed before DURATION ago "
	  "(90s, 15m, 2h, 3d, 1w)", 0, NULL, 0 },
	{ "min-size", OPT_MIN_SIZE, "SIZE", "only objects of at least SIZE bytes (4K, 1M ...)",
	  0, NULL, 0 },
	{ "pid", OPT_PID, "PID", "only objects process PID holds (fd, mapping, attach)", 0, NULL,
	  0 },
	{ "orphan", OPT_ORPHAN, NULL, "only objects no live process holds or uses", 0, NULL, 0 },
	{ "ns", OPT_NS, "PID|all", "objects of the IPC namespace of PID, or of every one",
	  COMPLETE_WORDS, "all", 0 },
	{ "no-bpf", OPT_NO_BPF, NULL, "read processes through /proc only, never BPF iterators",
	  0, NULL, 0 },
};
const size_t filter_options_count = sizeof(filter_options) / sizeof(filter_options[0]);

static const struct opt_group common_group = {
	"Other", common_options, sizeof(common_options) / sizeof(common_options[0]),
};

/* Whether @spec offers @o: every option but --sysroot of a live-only command. */
static bool offered(const struct cmd_spec *spec, const struct cmd_option *o)
{
	return !(spec->no_sysroot && o->key == OPT_SYSROOT);
}

/* ------------------------------------------------------------------- help */

static void print_option(FILE *f, const struct cmd_option *o)
{
	char left[64];
	int n;

	if (o->key < 256)
		n = snprintf(left, sizeof(left), " -%c, --%s%s%s", o->key, o->name,
			     o->arg ? " " : "", o->arg ? o->arg : "");
	else
		n = snprintf(left, sizeof(left), "     --%s%s%s", o->name,
			     o->arg ? " " : "", o->arg ? o->arg : "");
	if (n < 28)
		fprintf(f, "%-28s %s\n", left, o->help);
	else
		fprintf(f, "%s\n%-28s %s\n", left, "", o->help);
}

/* An attribute of ipk_create() as the option that sets it: "--nsems". */
static void print_attrs(unsigned attrs)
{
	bool first = true;

	for (int a = 0; a < IPK_ATTR_COUNT; a++) {
		if (!(attrs & IPK_ATTR_BIT(a)))
			continue;
		printf("%s--%s", first ? "" : " ", ipk_attr_name((enum ipk_attr)a));
		first = false;
	}
}

/* The kinds and columns of the library's tables, as --help lists them. */
static void print_lists(unsigned lists)
{
	if (lists & (HELP_KINDS | HELP_CREATABLE)) {
		printf("\nKinds (the name, or the alias in parentheses):\n");
		for (size_t i = 0; i < ipk_kind_count(); i++) {
			const struct ipk_kind *k = ipk_kind_at(i);
			const char *alias = ipk_kind_alias(k);
			char name[64];

			if ((lists & HELP_CREATABLE) && !ipk_kind_can_create(k))
				continue;
			snprintf(name, sizeof(name), "%s%s%s%s", ipk_kind_name(k), alias ? " (" : "",
				 alias ? alias : "", alias ? ")" : "");
			printf(" %-20s %s", name, ipk_kind_description(k));
			if (lists & HELP_CREATABLE) {
				printf(": ");
				print_attrs(ipk_kind_create_attrs(k));
			}
			printf("\n");
		}
	}
	if (lists & HELP_COLUMNS) {
		printf("\nColumns (-o, by column or JSON name, any case):\n");
		for (int f = 0; f < ipk_field_count(); f++) {
			const struct ipk_field_info *fi = ipk_field_info(f);
			printf(" %-12s %s\n", fi->column, fi->help);
		}
	}
}

const char *const *creatable_synopsis(void)
{
	/* SysV kinds are made by key, POSIX ones by name, the rest by path */
	static const struct {
		enum ipk_family family;
		bool named;
		const char *tail;
	} ways[] = {
		{ IPK_FAMILY_SYSV, false, " [--key KEY] [options]" },
		{ IPK_FAMILY_POSIX, true, " NAME [options]" },
		{ IPK_FAMILY_FD, true, " PATH [options]" },
	};
	enum { WAYS = sizeof(ways) / sizeof(ways[0]) };
	static char text[WAYS][512];
	static const char *lines[WAYS + 1];
	size_t n = 0;

	for (size_t w = 0; w < WAYS; w++) {
		struct ipk_buf b = { 0 };
		for (size_t i = 0; i < ipk_kind_count(); i++) {
			const struct ipk_kind *k = ipk_kind_at(i);
			if (!ipk_kind_can_create(k) || ipk_kind_family(k) != ways[w].family ||
			    ipk_kind_create_named(k) != ways[w].named)
				continue;
			ipk_buf_printf(&b, "%s%s", b.len ? "|" : "", ipk_kind_name(k));
		}
		if (b.len) {
			snprintf(text[n], sizeof(text[n]), "%s%s", b.s, ways[w].tail);
			lines[n] = text[n];
			n++;
		}
		ipk_buf_free(&b);
	}
	lines[n] = NULL;
	return lines;
}

static void print_help(const struct cmd_spec *spec)
{
	printf("Usage:\n");
	for (const char *const *s = spec->synopsis; *s; s++)
		printf(" %s %s\n", spec->name, *s);
	printf("\n%s\n", spec->summary);
	for (size_t g = 0; g <= spec->ngroups; g++) {
		const struct opt_group *grp = g < spec->ngroups ? &spec->groups[g] : &common_group;
		printf("\n%s:\n", grp->title);
		for (size_t i = 0; i < grp->n; i++)
			if (!(grp->v[i].flags & OPT_HIDDEN) && offered(spec, &grp->v[i]))
				print_option(stdout, &grp->v[i]);
	}
	if (spec->more)
		printf("\n%s", spec->more);
	print_lists(spec->help_lists);
	printf("\nExit status: 0 success, 1 something failed or was not found, "
	       "2 usage error,\n3 not supported here.\n");
	printf("See %s(1) and ipckit(7).\n", spec->name);
}

/* -------------------------------------------------------------- completion */

static const char *complete_names[] = {
	[COMPLETE_NONE] = "none", [COMPLETE_KINDS] = "kinds", [COMPLETE_COLUMNS] = "columns",
	[COMPLETE_REFS] = "refs", [COMPLETE_USERS] = "users", [COMPLETE_FILES] = "files",
	[COMPLETE_WORDS] = "words", [COMPLETE_SETS] = "sets",
};

/*
 * --complete=WHAT, for the completion scripts in completions/, so that they
 * never copy what the binary knows:
 *   spec     one line per option, tab-separated: --long, -s or "-", ARG or "-",
 *            how to complete (kinds, columns, refs, users, files, words:W W),
 *            help; a first line "positional" says how to complete operands
 *   kinds    kind names and aliases
 *   kind-table  a kind a line: name, alias, family, how ipc-mk names one
 *   columns  column names
 *   refs     REFs of the objects that exist now
 */
static int complete(const struct cmd_spec *spec, const char *what)
{
	if (strcmp(what, "spec") == 0) {
		printf("positional\t-\t-\t%s%s%s\t-\n", complete_names[spec->positional],
		       spec->positional_words ? ":" : "",
		       spec->positional_words ? spec->positional_words : "");
		for (size_t g = 0; g <= spec->ngroups; g++) {
			const struct opt_group *grp = g < spec->ngroups ? &spec->groups[g]
									: &common_group;
			for (size_t i = 0; i < grp->n; i++) {
				const struct cmd_option *o = &grp->v[i];
				if ((o->flags & OPT_HIDDEN) || !offered(spec, o))
					continue;
				char letter[4] = "-";
				if (o->key < 256)
					snprintf(letter, sizeof(letter), "-%c", o->key);
				printf("--%s\t%s\t%s\t%s%s%s\t%s\n", o->name, letter,
				       o->arg ? o->arg : "-", complete_names[o->complete],
				       o->words ? ":" : "", o->words ? o->words : "", o->help);
			}
		}
		return EXIT_OK;
	}
	if (strcmp(what, "kinds") == 0) {
		for (size_t i = 0; i < ipk_kind_count(); i++) {
			const struct ipk_kind *k = ipk_kind_at(i);
			printf("%s\n", ipk_kind_name(k));
			if (ipk_kind_alias(k))
				printf("%s\n", ipk_kind_alias(k));
		}
		return EXIT_OK;
	}
	if (strcmp(what, "kind-table") == 0) {
		/* one kind a line: name, alias, family, how ipc-mk names it (key, name, path, -) */
		static const char *const families[] = {
			[IPK_FAMILY_SYSV] = "sysv", [IPK_FAMILY_POSIX] = "posix", [IPK_FAMILY_FD] = "fd",
		};
		for (size_t i = 0; i < ipk_kind_count(); i++) {
			const struct ipk_kind *k = ipk_kind_at(i);
			const char *made = !ipk_kind_can_create(k) ? "-" :
					   !ipk_kind_create_named(k) ? "key" :
					   ipk_kind_family(k) == IPK_FAMILY_POSIX ? "name" : "path";
			printf("%s\t%s\t%s\t%s\n", ipk_kind_name(k),
			       ipk_kind_alias(k) ? ipk_kind_alias(k) : "-", families[ipk_kind_family(k)],
			       made);
		}
		return EXIT_OK;
	}
	if (strcmp(what, "columns") == 0) {
		for (int f = 0; f < IPK_F_COUNT; f++)
			printf("%s\n", ipk_field_info(f)->column);
		return EXIT_OK;
	}
	if (strcmp(what, "refs") == 0) {
		struct ipk_ctx *ctx = ipk_ctx_new();
		struct ipk_list *l = ctx ? ipk_scan(ctx, NULL, 0) : NULL;
		for (size_t i = 0; i < ipk_list_len(l); i++)
			printf("%s\n", esc(ipk_object_ref(ipk_list_at(l, i))));
		ipk_list_free(l);
		ipk_ctx_free(ctx);
		return EXIT_OK;
	}
	if (spec->complete && spec->complete(what) == 0)
		return EXIT_OK;
	usage_error("unknown completion '%s'", what);
}

/* ----------------------------------------------------------------- parsing */

/* A usage error for any "--name" of argv that is not a whole option name. */
static void refuse_abbreviations(int argc, char **argv, const struct option *longs)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0)
			return;
		if (strncmp(a, "--", 2) != 0)
			continue;
		size_t len = strcspn(a + 2, "=");
		const struct option *o = longs;
		while (o->name && (strlen(o->name) != len || strncmp(o->name, a + 2, len) != 0))
			o++;
		if (!o->name)
			usage_error("unknown option '%.*s' (options are spelled in full here)",
				    (int)len + 2, a);
		/* its argument is the next word: not an option, whatever it looks like */
		if (o->has_arg == required_argument && !a[2 + len])
			i++;
	}
}

int opts_parse(const struct cmd_spec *spec, int argc, char **argv,
	       void (*handle)(int key, const char *arg, void *data), void *data)
{
	size_t total = common_group.n;
	char shorts[128] = ":";
	size_t ns = 1;

	for (size_t g = 0; g < spec->ngroups; g++)
		total += spec->groups[g].n;
	struct option *longs = calloc(total + 1, sizeof(*longs));
	if (!longs) {
		msg("%s", reason(ENOMEM));
		exit(EXIT_PARTIAL);
	}
	size_t nl = 0;
	for (size_t g = 0; g <= spec->ngroups; g++) {
		const struct opt_group *grp = g < spec->ngroups ? &spec->groups[g] : &common_group;
		for (size_t i = 0; i < grp->n; i++) {
			const struct cmd_option *o = &grp->v[i];
			if (!offered(spec, o))
				continue;
			longs[nl++] = (struct option){ o->name, o->arg ? required_argument
								 : no_argument, NULL, o->key };
			if (o->key < 256 && ns + 3 < sizeof(shorts)) {
				shorts[ns++] = (char)o->key;
				if (o->arg)
					shorts[ns++] = ':';
			}
		}
	}
	shorts[ns] = '\0';

	/* Names in the user's language and charset; numbers stay C. */
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");
	/* A reader that goes away early (| head) ends us quietly. */
	signal(SIGPIPE, SIG_IGN);

	if (spec->exact_options)
		refuse_abbreviations(argc, argv, longs);

	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		switch (c) {
		case OPT_HELP:
			print_help(spec);
			free(longs);
			exit(close_stdout());
		case OPT_VERSION:
			printf("%s (ipckit) %s\n", spec->name, ipk_version());
			free(longs);
			exit(close_stdout());
		case OPT_COMPLETE: {
			int rc = complete(spec, optarg);
			free(longs);
			exit(rc ? rc : close_stdout());
		}
		case ':':
			free(longs);
			if (optopt && optopt < 256)
				usage_error("option '-%c' needs an argument", optopt);
			usage_error("option '%s' needs an argument", argv[optind - 1]);
		case '?':
			free(longs);
			if (optopt && optopt < 256)
				usage_error("unknown option '-%c'", optopt);
			usage_error("unknown option '%s'", argv[optind - 1]);
		default:
			handle(c, optarg, data);
		}
	}
	free(longs);
	return optind;
}

void ref_usage_error(char *ref, int err)
{
	/* usage_error() exits: what it names is copied first, the REF freed */
	char shown[PATH_MAX + 64];

	snprintf(shown, sizeof(shown), "%s", ref);
	free(ref);
	if (err == -ENOENT)
		usage_error("unknown kind in '%s'", shown);
	usage_error("malformed REF '%s' (KIND:ID or KIND:/NAME)", shown);
}

struct ipk_object *lookup_ref(struct ipk_ctx *ctx, const char *given, bool typed, int *status)
{
	struct ipk_object *o = NULL;
	char *ref = typed ? unesc(given) : strdup(given);
	int rc = ref ? ipk_lookup(ctx, ref, &o) : -ENOMEM;

	if (rc == -EINVAL || rc == -ENOENT)
		ref_usage_error(ref, rc);
	if (rc == -ESRCH)
		msg("'%s': no such object", ref);
	else if (rc)
		msg_cannot("read", ref ? ref : given, -rc);
	free(ref);
	if (rc)
		*status = EXIT_PARTIAL;
	return rc ? NULL : o;
}

/* ------------------------------------------------------- shared handlers */

bool out_opts_handle(struct out_opts *o, int key, const char *arg)
{
	static const char *const time_formats[] = {
		[IPK_TIME_SHORT] = "short", [IPK_TIME_FULL] = "full", [IPK_TIME_ISO] = "iso",
		[IPK_TIME_RELATIVE] = "relative", [IPK_TIME_EPOCH] = "epoch",
	};

	switch (key) {
	case OPT_OUTPUT:
		o->columns = arg;
		return true;
	case OPT_JSON:
		o->mode = OUT_JSON;
		return true;
	case OPT_RAW:
		o->mode = OUT_RAW;
		return true;
	case OPT_PAIRS:
		o->mode = OUT_PAIRS;
		return true;
	case OPT_CSV:
		o->mode = OUT_CSV;
		return true;
	case OPT_NOHEADINGS:
		o->noheadings = true;
		return true;
	case OPT_BYTES:
		o->fmt.exact_bytes = true;
		return true;
	case OPT_NUMERIC_PERMS:
		o->fmt.numeric_perms = true;
		return true;
	case OPT_TIME_FORMAT:
		for (size_t i = 0; i < sizeof(time_formats) / sizeof(time_formats[0]); i++) {
			if (strcmp(arg, time_formats[i]) == 0) {
				o->fmt.time = (enum ipk_time_format)i;
				return true;
			}
		}
		usage_error("unknown time format '%s'", arg);
	}
	return false;
}

bool filter_opts_handle(struct ipk_filter *f, int key, const char *arg)
{
	char *bad = NULL;
	int rc;

	switch (key) {
	case OPT_KIND:
		if (ipk_filter_set_kinds(f, arg, &bad)) {
			msg("unknown kind '%s' (see '%s --help')", bad ? bad : arg, program_name);
			free(bad);
			exit(EXIT_USAGE);
		}
		return true;
	case OPT_OWNER:
		if (ipk_filter_set_owner(f, arg))
			usage_error("unknown user '%s'", arg);
		return true;
	case OPT_NAME: {
		/* a name as listings show it matches that name */
		char *pattern = unesc_glob(arg);
		if (!pattern) {
			msg("%s", reason(ENOMEM));
			exit(EXIT_PARTIAL);
		}
		rc = ipk_filter_set_name(f, pattern);
		free(pattern);
		if (rc)
			usage_error("cannot use name pattern '%s'", arg);
		return true;
	}
	case OPT_KEY:
		rc = ipk_filter_set_key(f, arg);
		if (rc == -EINVAL || rc == -ERANGE)
			usage_error("malformed key '%s'", arg);
		if (rc)
			usage_error("cannot compute key '%s': %s", arg, reason(-rc));
		return true;
	case OPT_OLDER_THAN:
		if (ipk_filter_set_older_than(f, arg))
			usage_error("malformed duration '%s'", arg);
		return true;
	case OPT_MIN_SIZE:
		if (ipk_filter_set_min_size(f, arg))
			usage_error("malformed size '%s'", arg);
		return true;
	case OPT_PID:
		if (ipk_filter_set_pid(f, arg))
			usage_error("malformed pid '%s'", arg);
		return true;
	case OPT_ORPHAN:
		ipk_filter_set_orphan(f, true);
		return true;
	}
	return false;
}

bool scope_opts_handle(struct scope *sc, int key, const char *arg)
{
	switch (key) {
	case OPT_SYSROOT:
		sc->sysroot = arg;
		return true;
	case OPT_NS:
		sc->ns = arg;
		return true;
	case OPT_NO_BPF:
		sc->no_bpf = true;
		return true;
	}
	return false;
}

/*
 * Every read of a listing is below the root: one that is no directory we
 * may enter would fail each of them, in a line of its own and again on
 * every poll.  It is the command line that is wrong, once.
 */
static void check_sysroot(const char *root, bool from_env)
{
	struct stat st;
	int err = 0;

	if (stat(root, &st) < 0)
		err = errno;
	else if (!S_ISDIR(st.st_mode))
		err = ENOTDIR;
	else if (access(root, X_OK) < 0)
		err = errno;
	if (!err)
		return;
	msg("%s%s: %s", from_env ? "IPCKIT_SYSROOT=" : "", root,
	    err == ENOENT ? "no such directory" : reason(err));
	exit(EXIT_USAGE);
}

struct ipk_ctx *scope_ctx(const struct scope *sc)
{
	const char *root = sc->sysroot ? sc->sysroot : getenv("IPCKIT_SYSROOT");

	if (sc->sysroot && !*sc->sysroot)
		usage_error("--sysroot needs a directory");
	if (root && *root)
		check_sysroot(root, !sc->sysroot);
	struct ipk_ctx *ctx = ipk_ctx_new();
	if (!ctx || (root && *root && ipk_ctx_set_sysroot(ctx, root))) {
		msg("%s", reason(ENOMEM));
		exit(EXIT_PARTIAL);
	}
	ipk_ctx_set_bpf(ctx, !sc->no_bpf);
	if (sc->ns) {
		int rc = ipk_ctx_set_ns(ctx, sc->ns);
		if (rc == -EINVAL)
			usage_error("malformed namespace '%s' (all, or a PID)", sc->ns);
		if (rc) {
			msg_cannot("find the IPC namespace of", sc->ns, -rc == ESRCH ? ESRCH : -rc);
			exit(EXIT_PARTIAL);
		}
	}
	return ctx;
}

int detail_text(struct ipk_ctx *ctx, const struct ipk_object *o, int f,
		const struct ipk_format *fmt, struct ipk_buf *b)
{
	struct ipk_value v;

	ipk_object_get(o, f, &v);
	if (ipk_field_info(f)->type == IPK_T_BYTES && v.presence == IPK_PRESENT &&
	    !fmt->exact_bytes && v.u >= 1024) {
		ipk_buf_printf(b, "%llu (", (unsigned long long)v.u);
		ipk_format_bytes(v.u, b);
		return ipk_buf_puts(b, ")");
	}
	return ipk_field_text(ctx, o, f, fmt, b);
}

void want_all_but_costly(struct ipk_ctx *ctx)
{
	int fields[IPK_F_COUNT];
	size_t n = 0;

	for (int f = 0; f < IPK_F_COUNT; f++)
		if (!(ipk_field_info(f)->flags & IPK_FIELD_COSTLY))
			fields[n++] = f;
	ipk_ctx_want_fields(ctx, fields, n);
}
