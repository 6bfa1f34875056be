/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Creating and removing objects: what every kind shares (attribute checks,
 * limits in words, the namespace an object lives in, whether it is in use,
 * files reached without following links); each kind's create and remove
 * slots do the rest.
 */
#include "internal.h"

#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int err_set(struct ipk_error *e, int err, const char *fmt, ...)
{
	va_list ap;

	e->err = err;
	va_start(ap, fmt);
	vsnprintf(e->text, sizeof(e->text), fmt, ap);
	va_end(ap);
	return -err;
}

const char *owner_name(struct ipk_ctx *ctx, uint32_t uid, char buf[24])
{
	const char *name = ctx_user_name(ctx, uid);

	if (name)
		return name;
	snprintf(buf, 24, "uid %" PRIu32, uid);
	return buf;
}

const char *err_text(int err)
{
	static __thread char text[128];

	/* the message grammar wants "permission denied", not "Permission denied" */
	snprintf(text, sizeof(text), "%s", strerror(err));
	if (text[0] >= 'A' && text[0] <= 'Z' && !(text[1] >= 'A' && text[1] <= 'Z'))
		text[0] = (char)(text[0] - 'A' + 'a');
	return text;
}

int err_kernel(struct ipk_ctx *ctx, const struct ipk_object *o, int err, struct ipk_error *e)
{
	char uid[24];

	if ((err == EPERM || err == EACCES) && o && obj_has(o, IPK_F_UID))
		return err_set(e, err, "permission denied (owner %s)",
			       owner_name(ctx, o->uid, uid));
	return err_set(e, err, "%s", err_text(err));
}

/* ----------------------------------------------------------- limits */

int check_limit(struct ipk_ctx *ctx, const char *what, uint64_t value, const char *resource,
		struct ipk_error *e)
{
	struct ipk_limit l;

	if (limit_get(ctx, resource, &l) || value <= l.limit)
		return 0;	/* within it, or unknown: the kernel will say */
	/* "kernel.sem (field 1)" reads better as "SEMMSL in kernel.sem" */
	const char *paren = strstr(l.source, " (field");
	if (paren)
		return err_set(e, EINVAL, "%s %" PRIu64 " exceeds %s in %.*s (%" PRIu64 ")", what,
			       value, l.resource, (int)(paren - l.source), l.source, l.limit);
	return err_set(e, EINVAL, "%s %" PRIu64 " exceeds %s (%" PRIu64 ")", what, value,
		       strcmp(l.source, "kernel") == 0 ? l.resource : l.source, l.limit);
}

int limit_value(struct ipk_ctx *ctx, const char *resource, uint64_t *v)
{
	struct ipk_limit l;
	int rc = limit_get(ctx, resource, &l);

	if (!rc)
		*v = l.limit;
	return rc;
}

/* ------------------------------------------------------------ in use */

int refuse_in_use(struct ipk_ctx *ctx, const struct ipk_object *o, const char *how,
		  struct ipk_error *e)
{
	struct ipk_buf who = { 0 };

	if (o && o->nholders)
		ipk_field_text(ctx, o, IPK_F_HOLDERS, &(struct ipk_format){ 0 }, &who);
	size_t n = strlen(how);
	bool names_who = n >= 2 && strcmp(how + n - 2, "by") == 0;
	int rc = err_set(e, EBUSY, "in use: %s%s%s", how, who.len || names_who ? " " : "",
			 who.len ? who.s : names_who ? "a process that cannot be read" : "");
	ipk_buf_free(&who);
	return rc;
}

int refuse_no_name(struct ipk_ctx *ctx, const struct ipk_object *o, const char *why,
		   struct ipk_error *e)
{
	struct ipk_buf who = { 0 };

	if (o->nholders)
		ipk_field_text(ctx, o, IPK_F_HOLDERS, &(struct ipk_format){ 0 }, &who);
	int rc = err_set(e, EOPNOTSUPP, "%s: it goes when %s%s", why,
			 who.len ? "these close it: " : "its holders close it",
			 who.len ? who.s : "");
	ipk_buf_free(&who);
	return rc;
}

/* ------------------------------------------------------- permission */

/* Whether the caller has capability @cap in effect (in its user namespace). */
static bool has_cap(int cap)
{
	struct __user_cap_header_struct head = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };

	if (syscall(SYS_capget, &head, data) < 0)
		return geteuid() == 0;
	return data[cap / 32].effective & (1u << (cap % 32));
}

static int denied(struct ipk_ctx *ctx, const struct ipk_object *o, struct ipk_error *e)
{
	return err_kernel(ctx, o, EPERM, e);
}

int may_remove_sysv(struct ipk_ctx *ctx, const struct ipk_object *o, struct ipk_error *e)
{
	uid_t me = geteuid();

	/* IPC_RMID: the owner, the creator, or CAP_SYS_ADMIN */
	if ((obj_has(o, IPK_F_UID) && o->uid == me) || (obj_has(o, IPK_F_CUID) && o->cuid == me) ||
	    has_cap(CAP_SYS_ADMIN))
		return 0;
	return denied(ctx, o, e);
}

int may_unlink(struct ipk_ctx *ctx, int dfd, const struct stat *st, const struct ipk_object *o,
	       struct ipk_error *e)
{
	struct stat dir;
	uid_t me = geteuid();

	if (has_cap(CAP_FOWNER) && has_cap(CAP_DAC_OVERRIDE))
		return 0;
	/* no directory at hand: a root-owned sticky one, as the mqueue filesystem's */
	if (dfd < 0)
		return st->st_uid == me || has_cap(CAP_FOWNER) ? 0 : denied(ctx, o, e);
	if (fstat(dfd, &dir) < 0)
		return 0;	/* unknown: unlink will say */
	/* in a sticky directory (/dev/shm, /tmp) only the owner of the file or the directory */
	if ((dir.st_mode & S_ISVTX) && st->st_uid != me && dir.st_uid != me &&
	    !has_cap(CAP_FOWNER))
		return denied(ctx, o, e);
	if (faccessat(dfd, ".", W_OK | X_OK, AT_EACCESS) < 0 && errno == EACCES)
		return denied(ctx, o, e);
	return 0;
}

/* ------------------------------------------------------------- files */

int open_parent(const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];

	if (path[0] != '/' || !slash || !slash[1] || strcmp(slash + 1, ".") == 0 ||
	    strcmp(slash + 1, "..") == 0)
		return -EINVAL;
	size_t len = slash == path ? 1 : (size_t)(slash - path);
	if (len >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, path, len);
	dir[len] = '\0';
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	*base = slash + 1;
	return fd;
}

static const char *type_word(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "a regular file";
	case S_IFDIR: return "a directory";
	case S_IFLNK: return "a symbolic link";
	case S_IFIFO: return "a FIFO";
	case S_IFSOCK: return "a socket";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	}
	return "of an unknown type";
}

int file_still(int dfd, const char *file, const struct ipk_object *o, mode_t type,
	       struct stat *st, struct ipk_error *e)
{
	if (fstatat(dfd, file, st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return err_set(e, ENOENT, "gone since it was selected");
		return err_set(e, errno, "%s", err_text(errno));
	}
	if ((st->st_mode & S_IFMT) != type)
		return err_set(e, EINVAL, "not %s but %s: left alone", type_word(type),
			       type_word(st->st_mode));
	if ((o->dev || o->ino) && (st->st_dev != o->dev || st->st_ino != o->ino))
		return err_set(e, ESTALE, "the name now belongs to another file (inode %" PRIu64
			       ", was %" PRIu64 ")", (uint64_t)st->st_ino, o->ino);
	return 0;
}


/* ------------------------------------------------------------ create */

static const char *const attr_names[IPK_ATTR_COUNT] = {
	[IPK_ATTR_KEY] = "key", [IPK_ATTR_MODE] = "mode", [IPK_ATTR_SIZE] = "size",
	[IPK_ATTR_NSEMS] = "nsems", [IPK_ATTR_VALUE] = "value", [IPK_ATTR_VALUES] = "values",
	[IPK_ATTR_MAXMSG] = "maxmsg", [IPK_ATTR_MSGSIZE] = "msgsize",
	[IPK_ATTR_QBYTES] = "qbytes",
};

const char *ipk_attr_name(enum ipk_attr a)
{
	return a < IPK_ATTR_COUNT ? attr_names[a] : NULL;
}

bool ipk_kind_can_create(const struct ipk_kind *k)
{
	return k->create != NULL;
}

unsigned ipk_kind_create_attrs(const struct ipk_kind *k)
{
	return k->create ? k->create_attrs : 0;
}

bool ipk_kind_create_named(const struct ipk_kind *k)
{
	return k->create && k->create_named;
}

int ipk_create(struct ipk_ctx *ctx, const struct ipk_kind *k, const struct ipk_create *c,
	       char **ref, bool *existed, struct ipk_error *e)
{
	*ref = NULL;
	*existed = false;
	if (!k->create)
		return err_set(e, EOPNOTSUPP, "%s objects are not made by name: %s", k->name,
			       k->no_name ? k->no_name : "processes make them");
	if (!ctx->live || ctx->parent)
		return err_set(e, EROFS, "only objects of this system are created");
	for (int a = 0; a < IPK_ATTR_COUNT; a++)
		if ((c->set & IPK_ATTR_BIT(a)) && !(k->create_attrs & IPK_ATTR_BIT(a)))
			return err_set(e, EINVAL, "%s: not an attribute of %s", attr_names[a],
				       k->name);
	if (k->create_named && !c->name)
		return err_set(e, EINVAL, "%s needs a %s", k->name,
			       k->family == IPK_FAMILY_POSIX ? "NAME" : "PATH");
	if (!k->create_named && c->name)
		return err_set(e, EINVAL, "%s objects have no name: select them by --key", k->name);
	if ((c->set & IPK_ATTR_BIT(IPK_ATTR_MODE)) && c->mode > 0777)
		return err_set(e, EINVAL, "mode %o: only permission bits (at most 0777)", c->mode);
	return k->create(ctx, c, ref, existed, e);
}

/* --------------------------------------------------------------- remove */

/* A removal inside the IPC namespace of the process the object was read through. */
struct ns_remove {
	struct ipk_ctx *ctx;
	const struct ipk_object *o;
	unsigned flags;
	struct ipk_error *e;
	int rc;
};

static void *ns_remove_thread(void *arg)
{
	struct ns_remove *r = arg;
	const struct ipk_object *o = r->o;
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/ipc", (int)o->ns_pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r->rc = err_set(r->e, ENOENT, "process %d of its namespace is gone",
				(int)o->ns_pid);
		return NULL;
	}
	/* the pid may name a process of another namespace now */
	if (fstat(fd, &st) < 0 || (obj_has(o, IPK_F_NS) && (uint64_t)st.st_ino != o->ns)) {
		close(fd);
		r->rc = err_set(r->e, ESTALE, "process %d is no longer in its namespace",
				(int)o->ns_pid);
		return NULL;
	}
	if (setns(fd, CLONE_NEWIPC) < 0) {
		r->rc = err_set(r->e, errno, "cannot enter its IPC namespace: %s", err_text(errno));
		close(fd);
		return NULL;
	}
	close(fd);
	struct ipk_ctx *sub = ctx_for_ns(r->ctx, o->ns_pid, (uint64_t)st.st_ino);
	if (!sub) {
		r->rc = err_set(r->e, ENOMEM, "%s", err_text(ENOMEM));
		return NULL;
	}
	r->rc = o->kind->remove(sub, o, r->flags, r->e);
	ctx_for_ns_free(sub);
	return NULL;
}

int ipk_remove(struct ipk_ctx *ctx, const struct ipk_object *o, unsigned flags,
	       struct ipk_error *e)
{
	const struct ipk_kind *k = o->kind;

	memset(e, 0, sizeof(*e));
	if (!k->remove)
		return refuse_no_name(ctx, o, k->no_name, e);
	if (!ctx->live)
		return err_set(e, EROFS, "a frozen copy (--sysroot): nothing is removed there");
	if (!o->ns_pid)
		return k->remove(ctx, o, flags, e);

	struct ns_remove r = { .ctx = ctx, .o = o, .flags = flags, .e = e };
	pthread_t t;
	if (pthread_create(&t, NULL, ns_remove_thread, &r))
		return err_set(e, EAGAIN, "cannot start a thread to enter its namespace");
	pthread_join(t, NULL);
	return r.rc;
}

/*
 * SysV objects have no inode: the key, the creator, the change time (one
 * second apart), the mode and the size tell an object from a newer one of
 * the same id.  Two made by the same user within one second with all of
 * these equal cannot be told apart; an id comes back that soon only
 * through kernel.*_next_id or after its sequence number wraps.
 */
static bool sysv_same(const struct ipk_object *a, const struct ipk_object *b)
{
	static const int fields[] = {
		IPK_F_KEY, IPK_F_CTIME, IPK_F_CUID, IPK_F_CGID, IPK_F_PERMS, IPK_F_SIZE,
		IPK_F_CAPACITY, IPK_F_NSEMS,
	};

	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		struct ipk_value x, y;
		/* a queue's SIZE is what it holds now, not what it is */
		if (fields[i] == IPK_F_SIZE && (a->kind->fields & F(MESSAGES)))
			continue;
		ipk_object_get(a, fields[i], &x);
		ipk_object_get(b, fields[i], &y);
		if (x.presence != IPK_PRESENT || y.presence != IPK_PRESENT)
			continue;
		if (x.is_unsigned ? x.u != y.u : x.i != y.i)
			return false;
	}
	return true;
}

bool ipk_object_same(const struct ipk_object *was, const struct ipk_object *now,
		     struct ipk_error *why)
{
	struct ipk_error ignored;
	struct ipk_error *e = why ? why : &ignored;

	if (was->kind != now->kind || (now->ref && strcmp(was->ref, now->ref) != 0)) {
		err_set(e, ESTALE, "its REF names another object now");
		return false;
	}
	if (was->kind->family == IPK_FAMILY_SYSV) {
		if (obj_has(was, IPK_F_KEY) && obj_has(now, IPK_F_KEY) && was->key != now->key) {
			err_set(e, ESTALE, "the id now names another object (key 0x%08" PRIx32
				", was 0x%08" PRIx32 ")", (uint32_t)now->key, (uint32_t)was->key);
			return false;
		}
		if (was->id != now->id || !sysv_same(was, now)) {
			err_set(e, ESTALE, "it changed since it was selected, or the id names "
				"another object now");
			return false;
		}
		return true;
	}
	/* files and sockets: the same device and inode */
	if (was->dev != now->dev || was->ino != now->ino) {
		err_set(e, ESTALE, "the name now belongs to another file (inode %" PRIu64
			", was %" PRIu64 ")", now->ino, was->ino);
		return false;
	}
	return true;
}
