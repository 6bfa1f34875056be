/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The caller's context: where to read, what went wrong, cached names. */
#include "internal.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

/*
 * uid or gid -> name, so a listing of 30,000 objects asks NSS once per id.
 * Shared by a context and its sub-contexts for other namespaces: those run
 * in a thread of their own while the caller's waits for it (ns_run), and
 * the parallel scans of kinds format no names, so one thread at a time
 * uses a cache, as one uses a context: no lock.
 */
struct name_cache {
	struct name_entry {
		uint32_t id;
		char *name;
	} *v;
	size_t n, cap;		/* open addressing; cap is a power of two */
};

static struct name_cache *name_cache_new(void)
{
	return calloc(1, sizeof(struct name_cache));
}

const char *ipk_version(void)
{
	return IPCKIT_VERSION;
}

struct ipk_ctx *ipk_ctx_new(void)
{
	struct ipk_ctx *ctx = calloc(1, sizeof(*ctx));

	if (!ctx)
		return NULL;
	ctx->root = strdup("");
	ctx->users = name_cache_new();
	ctx->groups = name_cache_new();
	if (!ctx->root || !ctx->users || !ctx->groups) {
		ipk_ctx_free(ctx);
		errno = ENOMEM;
		return NULL;
	}
	ctx->live = true;
	for (int f = 0; f < IPK_F_COUNT; f++)
		fieldset_add(&ctx->wanted, f);
	ctx->pagesize = sysconf(_SC_PAGESIZE);
	pthread_mutex_init(&ctx->lock, NULL);
	return ctx;
}

int ipk_ctx_want_fields(struct ipk_ctx *ctx, const int *fields, size_t n)
{
	struct fieldset wanted = { 0 };

	if (!ctx || (n && !fields))
		return -EINVAL;
	fieldset_add(&wanted, IPK_F_KIND);
	fieldset_add(&wanted, IPK_F_REF);
	for (size_t i = 0; i < n; i++) {
		if (fields[i] < 0 || fields[i] >= IPK_F_COUNT)
			return -EINVAL;
		fieldset_add(&wanted, fields[i]);
		fieldset_add(&wanted, field_data(fields[i]));
	}
	ctx->wanted = wanted;
	return 0;
}

static void name_cache_free(struct name_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->cap; i++)
		free(c->v[i].name);
	free(c->v);
	free(c);
}

void ipk_ctx_free(struct ipk_ctx *ctx)
{
	if (!ctx)
		return;
	ipk_ctx_clear_diags(ctx);
	free(ctx->diags);
	pthread_mutex_destroy(&ctx->lock);
	name_cache_free(ctx->users);
	name_cache_free(ctx->groups);
	free(ctx->json_plans);
	free(ctx->root);
	free(ctx);
}

int ipk_ctx_set_sysroot(struct ipk_ctx *ctx, const char *root)
{
	if (!ctx)
		return -EINVAL;
	size_t len = root ? strlen(root) : 0;

	while (len > 0 && root[len - 1] == '/')
		len--;
	char *copy = strndup(root ? root : "", len);
	if (!copy)
		return -ENOMEM;
	free(ctx->root);
	ctx->root = copy;
	ctx->live = len == 0;
	ctx->ipc_ns_read = false;
	return 0;
}

const char *ipk_ctx_sysroot(const struct ipk_ctx *ctx)
{
	if (!ctx)
		return NULL;
	return ctx->root[0] ? ctx->root : "/";
}

int ipk_ctx_set_bpf(struct ipk_ctx *ctx, bool use)
{
	if (!ctx)
		return -EINVAL;
	ctx->no_bpf = !use;
	return 0;
}

int ipk_ctx_set_ns(struct ipk_ctx *ctx, const char *spec)
{
	if (!ctx || !spec)
		return -EINVAL;
	char path[64], *end;
	struct stat st;

	if (strcmp(spec, "all") == 0) {
		ctx->ns_mode = true;
		ctx->ns_pid = 0;
		return 0;
	}
	errno = 0;
	long pid = strtol(spec, &end, 10);
	if (errno || *end || end == spec || pid <= 0 || pid > INT_MAX)
		return -EINVAL;
	snprintf(path, sizeof(path), "/proc/%ld/ns/ipc", pid);
	if (stat(path, &st) < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	ctx->ns_mode = true;
	ctx->ns_pid = (pid_t)pid;
	return 0;
}

void ctx_diag(struct ipk_ctx *ctx, int err, const char *verb, const char *object)
{
	if (ctx->parent) {
		ctx_diag(ctx->parent, err, verb, object);
		return;
	}
	char *o = strdup(object);
	char *vb = strdup(verb);

	pthread_mutex_lock(&ctx->lock);
	if (o && vb && ctx->ndiags == ctx->diags_cap) {
		size_t cap = ctx->diags_cap ? ctx->diags_cap * 2 : 8;
		struct ipk_diag *v = realloc(ctx->diags, cap * sizeof(*v));

		if (v) {
			ctx->diags = v;
			ctx->diags_cap = cap;
		}
	}
	/* Out of memory, the diagnostic is lost rather than the listing. */
	if (o && vb && ctx->ndiags < ctx->diags_cap) {
		ctx->diags[ctx->ndiags++] =
			(struct ipk_diag){ .err = err, .verb = vb, .object = o };
		o = vb = NULL;
	}
	pthread_mutex_unlock(&ctx->lock);
	free(o);
	free(vb);
}

void scan_diag(struct ipk_scan *s, int err, const char *verb, const char *object)
{
	ctx_diag(s->ctx, err, verb, object);
	s->partial = true;
}

void ctx_kinds_partial(struct ipk_ctx *ctx, uint64_t kinds)
{
	for (; ctx; ctx = ctx->parent)
		ctx->partial_kinds |= kinds;
}

size_t ipk_ctx_ndiags(const struct ipk_ctx *ctx)
{
	return ctx ? ctx->ndiags : 0;
}

const struct ipk_diag *ipk_ctx_diag(const struct ipk_ctx *ctx, size_t i)
{
	return ctx && i < ctx->ndiags ? &ctx->diags[i] : NULL;
}

void ipk_ctx_clear_diags(struct ipk_ctx *ctx)
{
	if (!ctx)
		return;
	for (size_t i = 0; i < ctx->ndiags; i++) {
		free((char *)ctx->diags[i].verb);
		free((char *)ctx->diags[i].object);
	}
	ctx->ndiags = 0;
}

int ctx_path(const struct ipk_ctx *ctx, const char *path, char *out, size_t size)
{
	/* no context: the live system */
	int n = snprintf(out, size, "%s%s", ctx ? ctx->root : "", path);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/*
 * Below a root (a frozen copy, or another namespace's /proc/PID/root),
 * @path is resolved inside it: its symlinks, ".." included, cannot leave
 * it.  Nothing opened blocks (a FIFO in a snapshot) or becomes a terminal.
 */
int ctx_open(const struct ipk_ctx *ctx, const char *path, int flags)
{
	const char *root = ctx ? ctx->root : "";

	flags |= O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	if (!root[0]) {
		int fd = open(path, flags);
		return fd < 0 ? -errno : fd;
	}
	int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -errno;
	struct open_how how = {
		.flags = (uint64_t)flags,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	int err = errno;
	close(rootfd);
	if (fd >= 0 || err != ENOSYS)
		return fd < 0 ? -err : fd;
	/* before Linux 5.6: at least the last component is never a link */
	char full[PATH_MAX];
	int rc = ctx_path(ctx, path, full, sizeof(full));
	if (rc)
		return rc;
	fd = open(full, flags | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}

/* The most a file of /proc is read: far beyond any real one, short of memory running out. */
#define READ_MAX ((size_t)256 << 20)

int read_fd_all(int fd, char **buf, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *b = malloc(cap);

	if (!b)
		return -ENOMEM;
	for (;;) {
		if (cap - n < 2048) {
			if (cap >= READ_MAX) {
				free(b);
				return -EFBIG;
			}
			char *nb = realloc(b, cap * 2);
			if (!nb) {
				free(b);
				return -ENOMEM;
			}
			b = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, b + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int err = -errno;
			free(b);
			return err;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	b[n] = '\0';
	*buf = b;
	if (len)
		*len = n;
	return 0;
}

int ctx_read_file(const struct ipk_ctx *ctx, const char *path, char **buf, size_t *len)
{
	int fd = ctx_open(ctx, path, O_RDONLY);
	struct stat st;

	if (fd < 0)
		return fd;
	/* the files of /proc, live or copied, are regular: not a FIFO, not a device */
	int rc = fstat(fd, &st) < 0 ? -errno : !S_ISREG(st.st_mode) ? -EINVAL : 0;
	if (!rc)
		rc = read_fd_all(fd, buf, len);
	close(fd);
	return rc;
}

uint64_t ctx_ipc_ns(struct ipk_ctx *ctx)
{
	if (!ctx->ipc_ns_read) {
		struct stat st;

		ctx->ipc_ns = ctx->live && stat("/proc/self/ns/ipc", &st) == 0 ? st.st_ino : 0;
		ctx->ipc_ns_read = true;
	}
	return ctx->ipc_ns;
}

static char *lookup_name(bool user, uint32_t id)
{
	char buf[16384];
	char *name = NULL;

	if (user) {
		struct passwd pw, *res = NULL;
		if (getpwuid_r(id, &pw, buf, sizeof(buf), &res) == 0 && res)
			name = strdup(res->pw_name);
	} else {
		struct group gr, *res = NULL;
		if (getgrgid_r(id, &gr, buf, sizeof(buf), &res) == 0 && res)
			name = strdup(res->gr_name);
	}
	if (!name && asprintf(&name, "%" PRIu32, id) < 0)
		name = NULL;
	return name;
}

static bool name_cache_grow(struct name_cache *c)
{
	size_t cap = c->cap ? c->cap * 2 : 16;
	struct name_entry *v = calloc(cap, sizeof(*v));

	if (!v)
		return false;
	for (size_t i = 0; i < c->cap; i++) {
		if (!c->v[i].name)
			continue;
		size_t j = (c->v[i].id * 2654435761u) & (cap - 1);
		while (v[j].name)
			j = (j + 1) & (cap - 1);
		v[j] = c->v[i];
	}
	free(c->v);
	c->v = v;
	c->cap = cap;
	return true;
}

/* Names stay until the context is freed: what this returns stays valid that long. */
static const char *name_cache_get(struct name_cache *c, bool user, uint32_t id)
{
	if ((c->n + 1) * 2 > c->cap && !name_cache_grow(c))
		return NULL;
	size_t j = (id * 2654435761u) & (c->cap - 1);
	while (c->v[j].name) {
		if (c->v[j].id == id)
			return c->v[j].name;
		j = (j + 1) & (c->cap - 1);
	}
	char *name = lookup_name(user, id);
	if (!name)
		return NULL;
	c->v[j] = (struct name_entry){ .id = id, .name = name };
	c->n++;
	return name;
}

const char *ctx_user_name(struct ipk_ctx *ctx, uint32_t uid)
{
	return name_cache_get(ctx->users, true, uid);
}

const char *ctx_group_name(struct ipk_ctx *ctx, uint32_t gid)
{
	return name_cache_get(ctx->groups, false, gid);
}
