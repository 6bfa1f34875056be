/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the parts of libipckit share and the public header does not show:
 * the object record, the kind descriptor, the scan state and small helpers.
 */
#ifndef IPCKIT_INTERNAL_H
#define IPCKIT_INTERNAL_H

#include "ipckit.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define FIELD_BIT(f) (UINT64_C(1) << (f))
#define F(name) FIELD_BIT(IPK_F_##name)

/* Fields every kind of a family has. */
#define SYSV_FIELDS (F(REF) | F(ID) | F(KEY) | F(OWNER) | F(UID) | F(GROUP) | \
		     F(GID) | F(CUSER) | F(CUID) | F(CGROUP) | F(CGID) | F(PERMS) | \
		     F(CTIME) | F(STATUS) | F(NS))
#define POSIX_FIELDS (F(REF) | F(NAME) | F(OWNER) | F(UID) | F(GROUP) | F(GID) | \
		      F(PERMS) | F(CTIME) | F(ATIME) | F(STATUS) | F(NS))

_Static_assert(IPK_F_COUNT <= 64, "field bitmaps are one uint64_t");

struct ipk_i64s {
	int64_t *v;
	size_t n;
	bool pooled;		/* in the object's arena: not freed on its own */
};

/*
 * The record of DESIGN.md.  A field is known when its bit is set in
 * `present`, unreadable when set in `noaccess`; lib/fields.c maps each
 * field id to its member here.  Kernel structures mirrored: struct
 * shmid64_ds, msqid64_ds, semid64_ds (through /proc/sysvipc/<x> or
 * *_STAT_ANY), struct stat of /dev/shm and mqueue files, struct mq_attr.
 */
struct ipk_object {
	const struct ipk_kind *kind;
	char *ref;
	char *name;
	uint64_t present;
	uint64_t noaccess;
	/*
	 * Objects of a listing live in its arena, with their REF and name:
	 * @arena is where a scan still adds to them, NULL once it is done.
	 */
	struct ipk_arena *arena;
	bool pooled, ref_pooled, name_pooled;
	bool heap;			/* some member was malloc'd: free it */

	int64_t id;
	int64_t key;
	uint32_t uid, gid, cuid, cgid;
	uint32_t perms;
	uint32_t status;		/* enum ipk_status bits */
	uint64_t size;
	uint64_t capacity;
	uint64_t messages;
	uint64_t maxmsg;
	uint64_t msgsize;
	int64_t value;			/* scalar value ... */
	struct ipk_i64s values;		/* ... or one per element (sysv-sem) */
	uint64_t nattch;
	struct ipk_holder *holders;
	size_t nholders;
	int64_t cpid, lpid;
	int64_t ctime, atime, dtime;
	uint64_t ns;

	uint64_t nsems;
	int64_t lspid, lrpid;
	struct ipk_i64s semncnt, semzcnt, sempid;
	uint64_t waiters;
	uint64_t rss, swap;
	int64_t notify_pid;
};

/*
 * One kind backend.  Each lib/kinds/<kind>.c ends with one const instance;
 * lib/registry.c lists them all.  NULL slots mean "not applicable" and are
 * reached only through the wrappers in registry.c.
 */
struct ipk_scan;

struct ipk_kind {
	const char *name;		/* stable name: "sysv-shm" */
	const char *alias;		/* short input alias: "shm" */
	const char *description;	/* "System V shared memory segment" */
	enum ipk_family family;
	uint64_t fields;		/* FIELD_BIT()s of the fields that apply */
	bool value_is_list;		/* VALUE is an array (sysv-sem) */

	/*
	 * Appends to @canon the canonical form of the part of a REF after
	 * "kind:" ("32768", "/jobs"); -EINVAL when malformed.
	 */
	int (*ref_arg)(const char *arg, struct ipk_buf *canon);
	/*
	 * Adds every object of the kind to s->list, or with s->only set,
	 * at least the object whose canonical REF argument is s->only.
	 * Problems with one object skip it; problems with the whole kind
	 * add a diagnostic and return 0.  Only -ENOMEM is returned.
	 */
	int (*scan)(struct ipk_scan *s);
	/* Fills the detail fields of @o; NULL when a scan fills them all. */
	int (*detail)(struct ipk_ctx *ctx, struct ipk_object *o);
};

struct ipk_list {
	struct ipk_object **v;
	size_t n, cap;
	bool pooled;			/* objects of scans come from the arena */
	struct ipk_arena arena;
};

struct ipk_scan {
	struct ipk_ctx *ctx;
	const struct ipk_kind *kind;
	const struct ipk_filter *filter;
	unsigned flags;			/* IPK_SCAN_* */
	const char *only;		/* canonical REF argument, or NULL */
	struct ipk_list *list;
	void *priv;			/* the kind's own state during one scan */
};

/* ------------------------------------------------------------- context */

struct name_cache;

struct ipk_ctx {
	char *root;			/* "" for the live system */
	bool live;			/* root is "/": ask the kernel too */
	bool force_stat_any;		/* tests: behave as if /proc/sysvipc were absent */
	uint64_t wanted;		/* FIELD_BIT()s the caller will use */
	pthread_mutex_t lock;		/* diagnostics, added by parallel scans */
	struct ipk_diag *diags;
	size_t ndiags, diags_cap;
	struct name_cache *users, *groups;
	bool ipc_ns_read;
	uint64_t ipc_ns;
	long pagesize;
	/* the last time formatted as text, and how */
	bool time_valid;
	int time_format;
	int64_t time_t_cached;
	time_t time_now;
	char time_text[64];
};

static inline bool ctx_wants(const struct ipk_ctx *ctx, uint64_t fields)
{
	return (ctx->wanted & fields) != 0;
}

/* Records a problem; @err is a positive errno.  Safe from parallel scans. */
void ctx_diag(struct ipk_ctx *ctx, int err, const char *verb, const char *object);
/* "@root@path" into @out (PATH_MAX).  -ENAMETOOLONG when it does not fit. */
int ctx_path(const struct ipk_ctx *ctx, const char *path, char *out, size_t size);
/* open(2) of a path below the root. */
int ctx_open(const struct ipk_ctx *ctx, const char *path, int flags);
/* Reads a whole file below the root into a NUL-terminated malloc'd buffer. */
int ctx_read_file(const struct ipk_ctx *ctx, const char *path, char **buf, size_t *len);
/* Reads the first unsigned number of a file such as /proc/sys/kernel/shmmni. */
int ctx_read_u64(const struct ipk_ctx *ctx, const char *path, uint64_t *v);
/* Inode of the caller's IPC namespace; 0 when unknown (sysroot). */
uint64_t ctx_ipc_ns(struct ipk_ctx *ctx);
const char *ctx_user_name(struct ipk_ctx *ctx, uint32_t uid);
const char *ctx_group_name(struct ipk_ctx *ctx, uint32_t gid);

/* Whole-file reading without a root, for fds already open. */
int read_fd_all(int fd, char **buf, size_t *len);

/* -------------------------------------------------------------- objects */

struct ipk_object *obj_new(const struct ipk_kind *kind);
/* A new object of the scanned kind, in the arena of the scan's list if it has one. */
struct ipk_object *scan_obj_new(struct ipk_scan *s);
/* Sets the REF to "kind:@arg" ("sysv-shm:32768", "posix-mq:/jobs"). */
int obj_set_ref(struct ipk_object *o, const char *arg);
int obj_set_name(struct ipk_object *o, const char *name);
/* A POSIX object's REF and NAME from its name without the leading slash. */
int obj_set_posix_name(struct ipk_object *o, const char *name);

/* Decimal text of a number into @out (21 bytes); returns its length. */
size_t fmt_u64(char *out, uint64_t v);
size_t fmt_i64(char *out, int64_t v);
/* Stores a number in the member behind @field and marks it known. */
void obj_set_num(struct ipk_object *o, int field, int64_t v);
void obj_set_unum(struct ipk_object *o, int field, uint64_t v);
/* @n zeroed numbers for obj_set_list(): from the arena while a scan fills @o. */
int64_t *obj_alloc_list(struct ipk_object *o, size_t n);
/* Takes ownership of @v, from obj_alloc_list(o, @n). */
void obj_set_list(struct ipk_object *o, int field, int64_t *v, size_t n);
void obj_set_noaccess(struct ipk_object *o, int field);
static inline bool obj_has(const struct ipk_object *o, int field)
{
	return o->present & FIELD_BIT(field);
}
/* Owner, group and permission bits from a struct stat, in one place. */
void obj_set_stat(struct ipk_object *o, const struct stat *st);

int list_add(struct ipk_list *l, struct ipk_object *o);
/* Sorts objects of one kind by id, then name. */
void list_sort(struct ipk_list *l);
int scan_add(struct ipk_scan *s, struct ipk_object *o);
/* Whether a scan with s->only set should bother with this canonical argument. */
static inline bool scan_wants(const struct ipk_scan *s, const char *arg)
{
	return !s->only || strcmp(s->only, arg) == 0;
}

/* Canonical REF arguments shared by several kinds. */
int ref_arg_sysv_id(const char *arg, struct ipk_buf *canon);
int ref_arg_posix_name(const char *arg, struct ipk_buf *canon);

/* ------------------------------------------------------------- fields */

enum field_store {
	STORE_NONE,
	STORE_I64,
	STORE_U64,
	STORE_U32,
	STORE_STR,
	STORE_LIST,		/* struct ipk_i64s */
	STORE_VALUE,		/* value, or values when set */
	STORE_HOLDERS,
	STORE_KIND,
};

struct field_def {
	struct ipk_field_info info;
	enum field_store store;
	size_t offset;		/* of the member in struct ipk_object */
	int known_by;		/* the field whose bit tells whether this is known */
};

extern const struct field_def field_defs[IPK_F_COUNT];

/* ------------------------------------------------------------ registry */

/* A kind's scan through its wrapper: nothing to do when the slot is NULL. */
int kind_scan(struct ipk_scan *s);
int kind_detail(struct ipk_ctx *ctx, struct ipk_object *o);

/* ------------------------------------------------------------- filters */

struct ipk_filter {
	uint64_t kinds;		/* bit per kind index; 0 = every kind */
	bool has_uid;
	uint32_t uid;
	char *name_glob;
	bool has_key;
	int32_t key;
	bool has_older_than;
	int64_t older_than;
	bool has_min_size;
	uint64_t min_size;
};

/* ---------------------------------------------------------- sysv, posix */

/* SysV mode word: permission bits plus SHM_DEST and SHM_LOCKED. */
void sysv_set_mode(struct ipk_object *o, uint32_t mode);

struct ipc_perm;
/* Key, owner, creator and mode from the kernel's struct ipc_perm. */
void sysv_set_perm(struct ipk_object *o, const struct ipc_perm *perm);
/* Times of 0 mean "never": the field stays unknown. */
void sysv_set_time(struct ipk_object *o, int field, int64_t t);

/* A column of /proc/sysvipc/<x>, by its header name, and where it goes. */
struct sysv_column {
	const char *header;
	int field;		/* IPK_F_*, or -1 to ignore */
	int base;		/* 8 for perms, 10 otherwise */
};

/* What *_STAT_ANY fills: struct msqid_ds, semid_ds or shmid_ds. */
union sysv_ds;

/*
 * How one SysV kind is read, by sysv_scan(): the text of /proc/sysvipc
 * (frozen copies, and live where a kind prefers it) or one *_STAT_ANY per
 * index (live), both ending in the same record.
 */
struct sysv_source {
	const char *proc_file;			/* "shm": /proc/sysvipc/shm */
	const struct sysv_column *columns;	/* that file's columns */
	size_t ncolumns;
	int (*max_index)(void);			/* IPC_INFO: highest index in use */
	int (*stat_index)(int idx, union sysv_ds *ds);	/* *_STAT_ANY: the id, or -1 */
	void (*fill)(struct ipk_object *o, const union sysv_ds *ds);
	/* Completes an object from either source; > 0 drops it, < 0 fails. */
	int (*finish)(struct ipk_scan *s, struct ipk_object *o);
	/* Live, read /proc/sysvipc rather than *_STAT_ANY; NULL: never. */
	bool (*prefer_proc)(const struct ipk_ctx *ctx);
};

/* Adds every object of a SysV kind (or with s->only, the one named). */
int sysv_scan(struct ipk_scan *s, const struct sysv_source *src);

/* The directory fd of the caller's mqueue filesystem, or -errno. */
int posix_mqueue_dir(struct ipk_ctx *ctx, char *shown, size_t size);
/*
 * Calls @each for every regular file of a POSIX directory (dirfd @dfd,
 * shown to the user as @shown) whose name starts with @prefix (and, with
 * @exclude set, does not start with @exclude).  Never follows a symlink.
 * With @stat_first @each gets the file's stat; without, NULL: the kind
 * opens the file itself (posix_open_regular) and a stat would be wasted.
 */
int posix_dir_scan(struct ipk_scan *s, int dfd, const char *shown,
		   const char *prefix, const char *exclude, bool stat_first,
		   int (*each)(struct ipk_scan *s, int dfd, const char *file,
			       const struct stat *st));
/* Scans /dev/shm below the root with posix_dir_scan(). */
int posix_shm_dir_scan(struct ipk_scan *s, const char *prefix, const char *exclude,
		       bool stat_first,
		       int (*each)(struct ipk_scan *s, int dfd, const char *file,
				   const struct stat *st));
/*
 * Adds the object of a POSIX file whose content is part of the record (a
 * semaphore's value, a queue's attributes): opened once and given to
 * @read, with @fd -1 when the caller may not read it.
 */
int posix_add_read(struct ipk_scan *s, int dfd, const char *file, const char *name,
		   void (*read)(struct ipk_scan *s, int fd, const struct stat *st,
				struct ipk_object *o));
/*
 * Opens a file of a POSIX directory read-only, without following a link,
 * blocking on a FIFO or taking a terminal, and fills @st.  The fd of a
 * regular file; -EACCES (with @st filled) for one the caller may not read;
 * -ENOENT for anything else, gone or not a regular file.
 */
int posix_open_regular(int dfd, const char *file, struct stat *st);

#endif
