/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ipc-mk: create an IPC object of any named kind, or open the one that exists. */
#include "common.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	OPT_KEY_ATTR = 'k',
	OPT_MODE = 'm',
	OPT_SIZE = 's',
	OPT_EXCLUSIVE = 'x',
	OPT_NSEMS = OPT_COMMAND_BASE,
	OPT_VALUE,
	OPT_VALUES,
	OPT_MAXMSG,
	OPT_MSGSIZE,
	OPT_QBYTES,
};

static const struct cmd_option mk_options[] = {
	{ "key", OPT_KEY_ATTR, "KEY", "SysV key: 0x1234, 4660 or ftok:PATH:PROJ (default: "
	  "IPC_PRIVATE)", 0, NULL, 0 },
	{ "mode", OPT_MODE, "MODE", "permissions in octal, umask not applied (default 0600)", 0,
	  NULL, 0 },
	{ "size", OPT_SIZE, "SIZE", "shared memory size: 4096, 64K, 1M, 2G", 0, NULL, 0 },
	{ "nsems", OPT_NSEMS, "N", "semaphores in a sysv-sem array (default 1)", 0, NULL, 0 },
	{ "value", OPT_VALUE, "N", "initial value of every semaphore (default 0)", 0, NULL, 0 },
	{ "values", OPT_VALUES, "N,N...", "sysv-sem: one initial value per semaphore", 0, NULL,
	  0 },
	{ "maxmsg", OPT_MAXMSG, "N", "posix-mq: messages it holds (default fs.mqueue.msg_default)",
	  0, NULL, 0 },
	{ "msgsize", OPT_MSGSIZE, "SIZE", "posix-mq: bytes per message "
	  "(default fs.mqueue.msgsize_default)", 0, NULL, 0 },
	{ "qbytes", OPT_QBYTES, "SIZE", "sysv-msg: bytes it holds (default kernel.msgmnb)", 0,
	  NULL, 0 },
	{ "exclusive", OPT_EXCLUSIVE, NULL, "fail if it exists (otherwise it is opened as is)",
	  0, NULL, 0 },
	{ "json", OPT_JSON, NULL, "print the whole record as JSON, as ipc-ls --json does", 0,
	  NULL, 0 },
};

/* The attribute an option sets: the one of the same name (--nsems: nsems). */
static int attr_of(int key)
{
	for (size_t i = 0; i < sizeof(mk_options) / sizeof(mk_options[0]); i++) {
		if (mk_options[i].key != key)
			continue;
		for (int a = 0; a < IPK_ATTR_COUNT; a++)
			if (strcmp(ipk_attr_name((enum ipk_attr)a), mk_options[i].name) == 0)
				return a;
	}
	return -1;
}

struct mk {
	struct ipk_create c;
	int64_t *values;
	bool json;
	const char *key_text;	/* --key as typed */
};

static uint64_t parse_count(const char *option, const char *arg)
{
	const char *p = arg;
	char *end;

	/* strtoull() takes " -1" as 2^64 - 1: a sign is refused, blanks before it or not */
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '-')
		usage_error("%s: '%s' is negative: a count is 0 or more", option, arg);
	if (!isdigit((unsigned char)*p))
		usage_error("%s: '%s' is not a number", option, arg);
	errno = 0;
	unsigned long long v = strtoull(arg, &end, 0);
	if (errno == ERANGE)
		usage_error("%s: '%s' is too large", option, arg);
	if (errno || end == arg || *end)
		usage_error("%s: '%s' is not a number", option, arg);
	return v;
}

static uint64_t parse_bytes(const char *option, const char *arg)
{
	uint64_t v;

	if (ipk_parse_size(arg, &v))
		usage_error("%s: '%s' is not a size (4096, 64K, 1M ...)", option, arg);
	return v;
}

static int64_t parse_value(const char *option, const char *arg)
{
	char *end;

	errno = 0;
	long long v = strtoll(arg, &end, 0);
	if (errno || end == arg || *end)
		usage_error("%s: '%s' is not a number", option, arg);
	return v;
}

static void parse_values(struct mk *mk, const char *arg)
{
	size_t n = 1;

	for (const char *p = arg; *p; p++)
		n += *p == ',';
	free(mk->values);
	mk->values = calloc(n, sizeof(*mk->values));
	if (!mk->values) {
		msg("%s", reason(ENOMEM));
		exit(EXIT_PARTIAL);
	}
	const char *p = arg;
	for (size_t i = 0; i < n; i++) {
		char *end;
		errno = 0;
		long long v = strtoll(p, &end, 0);
		if (errno || end == p || (*end && *end != ','))
			usage_error("--values: '%s' is not a list of numbers (1,0,3)", arg);
		mk->values[i] = v;
		p = end + (*end == ',');
	}
	mk->c.values = mk->values;
	mk->c.nvalues = n;
}

static void handle(int key, const char *arg, void *data)
{
	struct mk *mk = data;
	struct ipk_create *c = &mk->c;
	int rc;

	if (attr_of(key) >= 0)
		c->set |= IPK_ATTR_BIT(attr_of(key));
	switch (key) {
	case OPT_KEY_ATTR:
		rc = ipk_parse_key(arg, &c->key);
		if (rc == -EINVAL || rc == -ERANGE)
			usage_error("malformed key '%s' (0x1234, 4660 or ftok:PATH:PROJ)", arg);
		if (rc) {
			msg("cannot compute key '%s': %s", arg, reason(-rc));
			exit(EXIT_PARTIAL);
		}
		mk->key_text = arg;
		break;
	case OPT_MODE: {
		char *end;
		errno = 0;
		unsigned long mode = strtoul(arg, &end, 8);
		if (errno || end == arg || *end || mode > 0777)
			usage_error("--mode: '%s' is not an octal mode of at most 0777", arg);
		c->mode = (uint32_t)mode;
		break;
	}
	case OPT_SIZE:
		c->size = parse_bytes("--size", arg);
		break;
	case OPT_NSEMS:
		c->nsems = parse_count("--nsems", arg);
		break;
	case OPT_VALUE:
		c->value = parse_value("--value", arg);
		break;
	case OPT_VALUES:
		parse_values(mk, arg);
		break;
	case OPT_MAXMSG:
		c->maxmsg = parse_count("--maxmsg", arg);
		break;
	case OPT_MSGSIZE:
		c->msgsize = parse_bytes("--msgsize", arg);
		break;
	case OPT_QBYTES:
		c->qbytes = parse_bytes("--qbytes", arg);
		break;
	case OPT_EXCLUSIVE:
		c->exclusive = true;
		break;
	case OPT_JSON:
		mk->json = true;
		break;
	}
}

/* "sysv-msg, sysv-sem ..., fifo": the kinds ipc-mk makes. */
static void creatable_kinds(char *out, size_t size)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < ipk_kind_count() && len < size; i++) {
		const struct ipk_kind *k = ipk_kind_at(i);
		if (ipk_kind_can_create(k))
			len += (size_t)snprintf(out + len, size - len, "%s%s", len ? ", " : "",
						ipk_kind_name(k));
	}
}

/* The object as the user will know it before it exists: "posix-mq:/jobs", "sysv-shm". */
static void object_name(const struct ipk_kind *k, const struct ipk_create *c, char *out,
			size_t size)
{
	if (c->name)
		snprintf(out, size, "%s:%s%s", ipk_kind_name(k),
			 c->name[0] == '/' || ipk_kind_family(k) != IPK_FAMILY_POSIX ? "" : "/",
			 c->name);
	else if (c->set & IPK_ATTR_BIT(IPK_ATTR_KEY))
		snprintf(out, size, "%s with key 0x%08x", ipk_kind_name(k), (unsigned)c->key);
	else
		snprintf(out, size, "%s", ipk_kind_name(k));
}

static int print_json(const char *ref, bool existed)
{
	struct ipk_ctx *ctx = ipk_ctx_new();
	struct ipk_object *o = NULL;
	int status = EXIT_OK;

	if (!ctx) {
		msg("%s", reason(ENOMEM));
		return EXIT_PARTIAL;
	}
	o = lookup_ref(ctx, ref, false, &status);	/* what the library made: no escapes */
	if (o) {
		struct out_opts opts = { .mode = OUT_JSON };
		static const struct out_col none[1];
		struct out *out = out_new(&opts, "objects", none, 0);
		struct out_row *row = out ? out_row(out, NULL) : NULL;
		int rc = row ? out_object(out, row, 0, ctx, o, NULL, 0, true) : -ENOMEM;
		if (!rc)
			rc = out_json_member(out, "created", existed ? "false" : "true");
		if (!rc)
			rc = out_print(out);
		if (rc) {
			msg("%s", reason(-rc));
			status = EXIT_PARTIAL;
		}
		out_free(out);
		ipk_object_free(o);
	}
	report_diags(ctx);
	ipk_ctx_free(ctx);
	return status;
}

int main(int argc, char **argv)
{
	static const struct opt_group groups[] = {
		{ "Options", mk_options, sizeof(mk_options) / sizeof(mk_options[0]) },
	};
	struct mk mk = { 0 };
	char kinds[256], words[256], more[1024];

	program_name = "ipc-mk";
	creatable_kinds(kinds, sizeof(kinds));
	snprintf(words, sizeof(words), "%s", kinds);
	for (char *p = words; (p = strstr(p, ", ")); )
		memmove(p, p + 1, strlen(p));
	snprintf(more, sizeof(more),
		 "KIND is one of %s,\nor an alias (msg, mq ...): see Kinds below.\n"
		 "An object that exists already is opened, reported on stderr and left\n"
		 "unchanged (exit 0) unless --exclusive. Attributes beyond the limits the\n"
		 "administrator set (kernel.shmmax, fs.mqueue.msgsize_max ...) are refused,\n"
		 "even as root.\n", kinds);
	const struct cmd_spec spec = {
		.name = "ipc-mk",
		.summary = "Create an IPC object of any named kind, or open the one that exists;\n"
			   "print its REF.",
		.synopsis = creatable_synopsis(),
		.groups = groups,
		.ngroups = 1,
		.more = more,
		.help_lists = HELP_CREATABLE,
		.positional = COMPLETE_WORDS,
		.positional_words = words,
		.no_sysroot = true,
	};

	int first = opts_parse(&spec, argc, argv, handle, &mk);
	if (first >= argc)
		usage_error("which kind? (ipc-mk KIND [NAME|PATH] [options])");
	const struct ipk_kind *k = ipk_kind_find(argv[first]);
	if (!k)
		usage_error("unknown kind '%s' (ipc-mk makes %s)", argv[first], kinds);
	if (!ipk_kind_can_create(k))
		usage_error("%s objects are not made by name: processes make them; "
			    "ipc-mk makes %s", ipk_kind_name(k), kinds);
	for (int a = 0; a < IPK_ATTR_COUNT; a++) {
		unsigned bit = IPK_ATTR_BIT(a);
		if ((mk.c.set & bit) && !(ipk_kind_create_attrs(k) & bit))
			usage_error("--%s does not apply to %s", ipk_attr_name((enum ipk_attr)a),
				    ipk_kind_name(k));
	}

	/* IPC_PRIVATE is no key: nothing finds the object by it, ever */
	if ((mk.c.set & IPK_ATTR_BIT(IPK_ATTR_KEY)) && mk.c.key == 0) {
		if (mk.c.exclusive)
			usage_error("--key %s is IPC_PRIVATE, which makes a new object every time: "
				    "--exclusive means nothing with it", mk.key_text);
		msg("--key %s is IPC_PRIVATE: a new object that no key finds, as without --key",
		    mk.key_text);
	}

	char path[PATH_MAX];
	if (ipk_kind_create_named(k)) {
		const char *what = ipk_kind_family(k) == IPK_FAMILY_POSIX ? "NAME (/jobs)" : "PATH";
		if (first + 1 >= argc)
			usage_error("%s needs a %s", ipk_kind_name(k), what);
		if (!argv[first + 1][0])
			usage_error("%s needs a %s: '' is empty", ipk_kind_name(k), what);
		mk.c.name = argv[first + 1];
		/* a FIFO's relative path is relative to here, as mkfifo's is */
		if (ipk_kind_family(k) != IPK_FAMILY_POSIX && mk.c.name[0] != '/') {
			if (!getcwd(path, sizeof(path)) ||
			    strlen(path) + 1 + strlen(mk.c.name) >= sizeof(path)) {
				msg_cannot("create", mk.c.name, errno ? errno : ENAMETOOLONG);
				return EXIT_PARTIAL;
			}
			strcat(strcat(path, strcmp(path, "/") ? "/" : ""), mk.c.name);
			mk.c.name = path;
		}
		first++;
	}
	if (first + 1 < argc)
		usage_error("unexpected operand '%s'%s", argv[first + 1],
			    ipk_kind_create_named(k) ? "" : ": SysV objects have no name (--key)");

	struct ipk_ctx *ctx = ipk_ctx_new();
	struct ipk_error e = { 0 };
	char *ref = NULL;
	bool existed = false;
	char what[PATH_MAX + 64];

	if (!ctx) {
		msg("%s", reason(ENOMEM));
		return EXIT_PARTIAL;
	}
	object_name(k, &mk.c, what, sizeof(what));
	int rc = ipk_create(ctx, k, &mk.c, &ref, &existed, &e);
	ipk_ctx_free(ctx);
	free(mk.values);
	if (rc) {
		int status = exit_status_of(e.err);
		msg("cannot create '%s': %s%s", what, e.text,
		    status == EXIT_UNSUPPORTED ? " (not supported here)" : "");
		/* a value the kernel or its limits do not take is bad input (EINVAL) */
		return status;
	}
	if (existed)
		msg("%s exists: opened it, changed nothing", ref);
	int status = EXIT_OK;
	if (mk.json)
		status = print_json(ref, existed);
	else
		printf("%s\n", esc(ref));
	free(ref);
	int out_status = close_stdout();
	return status ? status : out_status;
}
