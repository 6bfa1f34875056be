/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * REFs: "kind:arg", the name of one object in every command.  Every REF
 * the library makes is laid out by ref_put() (through ref_make() and
 * obj_set_ref()); every REF it reads goes through ipk_ref_parse() and the
 * kind's canonical form.
 */
#include "internal.h"

#include <limits.h>
#include <stdlib.h>

void ref_put(char *out, const struct ipk_kind *k, const char *arg)
{
	ref_put_len(out, k, arg, strlen(arg));
}

char *ref_make(const struct ipk_kind *k, const char *arg)
{
	char *ref = malloc(ref_size(k, arg));

	if (ref)
		ref_put(ref, k, arg);
	return ref;
}

void ref_arg_pid_fd_make(char out[24], pid_t pid, int fd)
{
	size_t n = fmt_i64(out, pid);

	out[n++] = ':';
	fmt_i64(out + n, fd);
}

int ref_arg_sysv_id(const char *arg, struct ipk_buf *canon)
{
	char *end;

	if (*arg < '0' || *arg > '9')
		return -EINVAL;
	errno = 0;
	unsigned long id = strtoul(arg, &end, 10);
	if (errno || *end || id > INT_MAX)
		return -EINVAL;
	return ipk_buf_printf(canon, "%lu", id);
}

int ref_arg_number(const char *arg, struct ipk_buf *canon)
{
	char *end;

	if (*arg < '0' || *arg > '9')
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(arg, &end, 10);
	if (errno || *end)
		return -EINVAL;
	return ipk_buf_printf(canon, "%llu", v);
}

int ref_arg_pid_fd(const char *arg, struct ipk_buf *canon)
{
	char *end;

	if (*arg < '0' || *arg > '9')
		return -EINVAL;
	errno = 0;
	unsigned long pid = strtoul(arg, &end, 10);
	if (errno || *end != ':' || pid == 0 || pid > INT_MAX || end[1] < '0' || end[1] > '9')
		return -EINVAL;
	const char *fdtext = end + 1;
	unsigned long fd = strtoul(fdtext, &end, 10);
	if (errno || *end || fd > INT_MAX)
		return -EINVAL;
	return ipk_buf_printf(canon, "%lu:%lu", pid, fd);
}

bool ref_arg_of_file(const char *file, char *arg, size_t size)
{
	size_t len = strlen(file);

	if (!len || len + 2 > size)
		return false;
	arg[0] = '/';
	memcpy(arg + 1, file, len + 1);
	return true;
}

int ref_arg_posix_name(const char *arg, struct ipk_buf *canon)
{
	const char *name = arg[0] == '/' ? arg + 1 : arg;

	/* One path component, as shm_open(3) and mq_open(3) want it. */
	if (!*name || strchr(name, '/') || strlen(name) > NAME_MAX ||
	    strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return -EINVAL;
	int rc = ipk_buf_add(canon, "/", 1);
	return rc ? rc : ipk_buf_puts(canon, name);
}

#define NS_MARK "@ns:"

size_t ref_ns_split(const char *ref, uint64_t *ns)
{
	const char *at = NULL;

	/* the last "@ns:DIGITS" that ends the REF: a name may hold "@" itself */
	for (const char *p = strstr(ref, NS_MARK); p; p = strstr(p + 1, NS_MARK))
		at = p;
	if (!at || !at[4] || strspn(at + 4, "0123456789") != strlen(at + 4))
		return strlen(ref);
	errno = 0;
	char *end;
	unsigned long long v = strtoull(at + 4, &end, 10);
	if (errno || !v)
		return strlen(ref);
	*ns = v;
	return (size_t)(at - ref);
}

int ref_append_ns(struct ipk_buf *b, uint64_t ns)
{
	char n[24];

	fmt_u64(n, ns);
	int rc = ipk_buf_puts(b, NS_MARK);
	return rc ? rc : ipk_buf_puts(b, n);
}

int ipk_ref_parse(const char *ref, const struct ipk_kind **kind, char **canon)
{
	if (!ref || !kind || !canon)
		return -EINVAL;
	const char *colon = strchr(ref, ':');
	struct ipk_buf b = { 0 };
	char kname[32];

	if (!colon || colon == ref || (size_t)(colon - ref) >= sizeof(kname))
		return -EINVAL;
	memcpy(kname, ref, (size_t)(colon - ref));
	kname[colon - ref] = '\0';
	const struct ipk_kind *k = ipk_kind_find(kname);
	if (!k)
		return -ENOENT;
	/* a named object of another IPC namespace: KIND:ARG@ns:INODE */
	uint64_t ns = 0;
	size_t len = k->family != IPK_FAMILY_FD ? ref_ns_split(ref, &ns) : strlen(ref);
	char *arg = strndup(colon + 1, len - (size_t)(colon + 1 - ref));
	int rc = arg ? ipk_buf_puts(&b, k->name) : -ENOMEM;
	if (!rc)
		rc = ipk_buf_add(&b, ":", 1);
	if (!rc)
		rc = k->ref_arg ? k->ref_arg(arg, &b) : -EINVAL;
	if (!rc && ns)
		rc = ref_append_ns(&b, ns);
	free(arg);
	if (rc) {
		ipk_buf_free(&b);
		return rc;
	}
	*kind = k;
	*canon = b.s;
	return 0;
}
