/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the /proc, /dev/shm and mqueue parsers, reached only
 * through the public API.  Each input is a small sysroot, unpacked into a
 * fresh directory; then ipk_ctx_set_sysroot(), ipk_scan() (with and
 * without detail), the JSON and the table text of every field of every
 * object, ipk_lookup() of every REF listed and of the REFs the input asks
 * for, and ipk_limits().
 *
 * The input: records, each starting on a line of its own with "=== ":
 *
 *	=== proc/sysvipc/shm              a file and its bytes, up to the
 *	<bytes>                           next record
 *	=== @proc/42/fd/3                 a symbolic link; its target is the
 *	pipe:[7001]                       first line
 *	=== ?sysv-shm:0                   a REF to look up (no bytes)
 *
 * Paths are relative to the root, below proc/ or dev/, made of plain
 * components (no "..").  Only regular files and symbolic links are made:
 * FIFOs and devices are what a sysroot must be protected from by the
 * library, not what this target looks for.  Links outside proc/PID/fd/
 * may not point at an absolute path.  tests/fuzz/pack makes an input of a
 * directory (tests/fixtures/basic ...).
 */
#include "ipckit.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define MAX_RECORDS 64
#define MAX_REFS 8

static char base[64];

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	if (ftw->level > 0)
		remove(path);
	return 0;
}

static void remove_base(void)
{
	nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	rmdir(base);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");

	(void)argc;
	(void)argv;
	snprintf(base, sizeof(base), "%s/ipk-fuzz-XXXXXX", tmp && strlen(tmp) < 32 ? tmp : "/tmp");
	if (!mkdtemp(base)) {
		perror("fuzz-sysroot: mkdtemp");
		exit(1);
	}
	atexit(remove_base);
	return 0;
}

static bool plain_component(const char *c, size_t n)
{
	if (n == 0 || n > 64 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:+-",
			    c[i]))
			return false;
	return true;
}

/* Whether @path is one this target makes: below proc/ or dev/, plain. */
static bool allowed(const char *path)
{
	if (strncmp(path, "proc/", 5) != 0 && strncmp(path, "dev/", 4) != 0)
		return false;
	if (strlen(path) > 200)
		return false;
	int depth = 0;
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, "/");
		if (!plain_component(p, n) || ++depth > 6)
			return false;
		p += n;
		if (*p == '/')
			p++;
		if (!*p && p[-1] == '/')
			return false;
	}
	return true;
}

/* mkdir -p of the directories above @path (relative to the root fd). */
static int parents(int root, const char *path)
{
	char dir[256];

	for (const char *slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/')) {
		size_t n = (size_t)(slash - path);
		memcpy(dir, path, n);
		dir[n] = '\0';
		if (mkdirat(root, dir, 0755) < 0 && errno != EEXIST)
			return -1;
	}
	return 0;
}

static void make_file(int root, const char *path, const char *bytes, size_t n)
{
	if (parents(root, path) < 0)
		return;
	int fd = openat(root, path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	while (n > 0) {
		ssize_t w = write(fd, bytes, n);
		if (w <= 0)
			break;
		bytes += w;
		n -= (size_t)w;
	}
	close(fd);
}

static void make_link(int root, const char *path, const char *target, size_t n)
{
	char t[256];

	const char *nl = memchr(target, '\n', n);

	if (nl)
		n = (size_t)(nl - target);
	if (n == 0 || n >= sizeof(t) || memchr(target, '\0', n))
		return;
	memcpy(t, target, n);
	t[n] = '\0';
	/* only an fd's link may name an absolute path: it is read, never followed */
	const char *fd = strstr(path, "/fd/");
	if (t[0] == '/' && !(fd && strchr(fd + 4, '/') == NULL))
		return;
	if (strstr(t, ".."))
		return;
	if (parents(root, path) == 0)
		symlinkat(t, root, path);
}


static void render(struct ipk_ctx *ctx, const struct ipk_object *o, struct ipk_buf *b)
{
	static const struct ipk_format formats[] = {
		{ .time = IPK_TIME_SHORT, .now = 1700000000 },
		{ .exact_bytes = true, .numeric_perms = true, .time = IPK_TIME_ISO },
		{ .time = IPK_TIME_RELATIVE, .now = 1700000000 },
	};

	ipk_buf_reset(b);
	ipk_object_json(ctx, o, NULL, 0, b);
	for (int f = 0; f < IPK_F_COUNT; f++) {
		struct ipk_value v;
		ipk_object_get(o, f, &v);
		for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
			ipk_buf_reset(b);
			ipk_field_text(ctx, o, f, &formats[i], b);
		}
		ipk_buf_reset(b);
		ipk_field_json(ctx, o, f, b);
	}
}

static void exercise(const char *root, char refs[][128], size_t nrefs)
{
	struct ipk_ctx *ctx = ipk_ctx_new();
	struct ipk_buf b = { 0 };

	if (!ctx || ipk_ctx_set_sysroot(ctx, root)) {
		ipk_ctx_free(ctx);
		return;
	}
	for (unsigned flags = 0; flags <= IPK_SCAN_DETAIL; flags += IPK_SCAN_DETAIL) {
		struct ipk_list *l = ipk_scan(ctx, NULL, flags);
		for (size_t i = 0; i < ipk_list_len(l); i++) {
			const struct ipk_object *o = ipk_list_at(l, i);
			struct ipk_object *again = NULL;

			render(ctx, o, &b);
			if (flags || i >= 4)
				continue;
			if (ipk_lookup(ctx, ipk_object_ref(o), &again) == 0) {
				render(ctx, again, &b);
				ipk_object_fill_detail(ctx, again);
				ipk_object_free(again);
			}
		}
		ipk_list_free(l);
	}
	for (size_t i = 0; i < nrefs; i++) {
		struct ipk_object *o = NULL;
		if (ipk_lookup(ctx, refs[i], &o) == 0) {
			render(ctx, o, &b);
			ipk_object_free(o);
		}
	}
	struct ipk_limit *lim = NULL;
	size_t nlim = 0;
	if (ipk_limits(ctx, &lim, &nlim) == 0)
		for (size_t i = 0; i < nlim; i++)
			ipk_limit_percent(&lim[i]);
	free(lim);
	for (size_t i = 0; i < ipk_ctx_ndiags(ctx); i++)
		ipk_ctx_diag(ctx, i);
	ipk_buf_free(&b);
	ipk_ctx_free(ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char refs[MAX_REFS][128];
	size_t nrefs = 0, nrecords = 0;
	const char *p = (const char *)data, *end = p + size;

	if (size > 65536)
		return 0;
	int root = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return 0;
	/* the records: "=== " at the start of the input or of a line */
	while (p < end && nrecords < MAX_RECORDS) {
		const char *hdr = NULL;
		if (end - p >= 4 && memcmp(p, "=== ", 4) == 0)
			hdr = p + 4;
		else {
			const char *nl = memmem(p, (size_t)(end - p), "\n=== ", 5);
			if (!nl)
				break;
			hdr = nl + 5;
		}
		const char *hend = memchr(hdr, '\n', (size_t)(end - hdr));
		const char *body = hend ? hend + 1 : end;
		if (!hend)
			hend = end;
		const char *next = memmem(body, (size_t)(end - body), "\n=== ", 5);
		const char *bend = next ? next : end;
		char name[256];
		size_t n = (size_t)(hend - hdr);

		p = next ? next : end;
		nrecords++;
		if (n == 0 || n >= sizeof(name) || memchr(hdr, '\0', n))
			continue;
		memcpy(name, hdr, n);
		name[n] = '\0';
		if (name[0] == '?') {
			if (nrefs < MAX_REFS && n < sizeof(refs[0]))
				snprintf(refs[nrefs++], sizeof(refs[0]), "%s", name + 1);
		} else if (name[0] == '@') {
			if (allowed(name + 1))
				make_link(root, name + 1, body, (size_t)(bend - body));
		} else if (allowed(name)) {
			make_file(root, name, body, (size_t)(bend - body));
		}
	}
	close(root);
	exercise(base, refs, nrefs);
	nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
