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
#include <sys/types.h>

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
	uint32_t n;
	bool pooled;		/* in the object's arena: not freed on its own */
};

/* A list of static words (signal names, seals); the array is the object's. */
struct ipk_strv {
	const char **v;
	uint32_t n;
	bool pooled;
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
	bool pooled, ref_pooled, name_pooled, holders_pooled;
	bool heap;			/* some member was malloc'd: free it */

	int64_t id;
	int64_t key;
	uint32_t uid, gid, cuid, cgid;
	uint32_t perms;
	uint32_t status;		/* enum ipk_status bits */
	uint64_t size;
	uint64_t capacity;
	uint64_t messages;
	int64_t value;			/* a scalar value (sysv-sem: values) */
	uint64_t nattch;
	struct ipk_holder *holders;
	uint32_t nholders;
	uint32_t nprocs;		/* distinct processes among the holders */
	int64_t cpid, lpid;
	int64_t ctime, atime, dtime;
	uint64_t ns;
	int32_t ns_pid;			/* read through this process's namespace; 0: ours */
	/* the file or anonymous inode behind it, to find its holders */
	uint64_t dev, ino;

	/*
	 * What one kind alone has.  A kind sets only its own fields, so the
	 * present bits of the others are never set over these bytes.
	 */
	union {
		struct {		/* sysv-msg */
			int64_t lspid, lrpid;
		};
		struct {		/* sysv-sem */
			uint64_t nsems;
			struct ipk_i64s values, semncnt, semzcnt, sempid;
		};
		struct {		/* sysv-shm */
			uint64_t rss, swap;
		};
		struct {		/* posix-mq */
			uint64_t maxmsg, msgsize;
			int64_t notify_pid;
		};
		struct {		/* posix-sem */
			uint64_t waiters;
		};
		struct {		/* unix: static words, the peer's inode */
			const char *type, *state;
			uint64_t peer, recvq, sendq;
			uint64_t file_dev, file_ino;	/* the file it is bound to */
		};
		struct {		/* timerfd: static words, nanoseconds */
			const char *clock, *timer_flags;
			int64_t interval;
			uint64_t ticks;
		};
		struct ipk_strv signals;	/* signalfd: static words */
		struct ipk_strv seals;		/* memfd: static words */
	};
};

/*
 * One kind backend.  Each lib/kinds/<kind>.c ends with one const instance;
 * lib/registry.c lists them all.  NULL slots mean "not applicable" and are
 * reached only through the wrappers in registry.c.
 */
struct ipk_scan;
struct scn_type;

struct ipk_kind {
	const char *name;		/* stable name: "sysv-shm" */
	const char *alias;		/* short input alias: "shm" */
	const char *description;	/* "System V shared memory segment" */
	enum ipk_family family;
	uint64_t fields;		/* FIELD_BIT()s of the fields that apply */
	bool value_is_list;		/* VALUE is an array (sysv-sem) */
	bool value_is_ns;		/* VALUE is nanoseconds (timerfd) */
	bool mount_scoped;		/* lives in a mount namespace (/dev/shm), not an IPC one */

	/*
	 * What the process scan must read for this kind to be listed at all
	 * (PROCS_*: its objects are what processes hold), and more for its
	 * holders; and where its objects' holders are (HELD_*, or HELD_NONE:
	 * the kind fills holders itself, or has none).  A kind of the POSIX family counts
	 * NATTCH as the processes that hold it.
	 */
	unsigned procs;
	unsigned holder_procs;
	int holder_class;

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

	/*
	 * Creation (lib/manage.c checks @c against create_attrs and
	 * create_named first): *ref malloc'd, *existed when opened instead.
	 * NULL: the kind cannot be created by name.
	 */
	unsigned create_attrs;		/* IPK_ATTR_BIT()s it takes */
	bool create_named;		/* takes a name (POSIX) or a path (fifo) */
	int (*create)(struct ipk_ctx *ctx, const struct ipk_create *c, char **ref,
		      bool *existed, struct ipk_error *e);
	/*
	 * Removal, in the object's own namespace (manage.c enters it): every
	 * check of ipk_remove(), then the removal unless IPK_RM_CHECK.  NULL:
	 * the kind has nothing to remove, and @no_name says why ("a pipe has
	 * no name").
	 */
	int (*remove)(struct ipk_ctx *ctx, const struct ipk_object *o, unsigned flags,
		      struct ipk_error *e);
	const char *no_name;
	/*
	 * What a scenario step may do with an object of the kind: its
	 * operations and their parameters (lib/scenario/scn.h); NULL: none.
	 */
	const struct scn_type *scenario;
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

/* ------------------------------------------------------------ processes */

/* What the process scan reads (lib/procs.c). */
enum {
	PROCS_FDS = 1 << 0,	/* /proc/PID/fd: what each fd is */
	PROCS_FDINFO = 1 << 1,	/* /proc/PID/fdinfo of eventfds, timerfds, signalfds */
	PROCS_MAPS = 1 << 2,	/* /proc/PID/maps: shared mappings */
};

/* What a process holds, by what it is. */
enum held_class {
	HELD_NONE,		/* a kind whose holders are not looked up */
	HELD_PIPE,
	HELD_FIFO,
	HELD_SOCKET,
	HELD_EVENTFD,
	HELD_TIMERFD,
	HELD_SIGNALFD,
	HELD_MEMFD,
	HELD_FILE,		/* a regular file: POSIX shm, sem, queue candidates */
	HELD_SYSV_SHM,		/* an attached SysV segment: shmid as inode, IPC ns as dev */
};

enum {
	HELD_READ = 1 << 0,
	HELD_WRITE = 1 << 1,
};

struct proc {
	pid_t pid;
	char comm[16];
	int64_t start;		/* seconds since the epoch it started; 0 unknown */
	uint64_t ipc_ns;	/* inode of its IPC namespace; 0 unknown */
};

/* An eventfd's, timerfd's or signalfd's fdinfo. */
struct held_info {
	unsigned flags;
	bool has_flags, has_eventfd, has_timer, has_sigmask;
	uint64_t eventfd_count;
	int64_t eventfd_id;	/* -1 when the kernel gives none */
	int eventfd_semaphore;	/* -1 unknown */
	int clockid;
	uint64_t ticks;
	unsigned settime_flags;
	int64_t value_ns, interval_ns;
	uint64_t sigmask;	/* bit n-1 is signal n */
};

/* One fd or mapping of one process. */
struct held {
	uint32_t proc;		/* index in proc_index.procs */
	int32_t fd;		/* -1: a mapping */
	uint8_t class;		/* enum held_class */
	uint8_t mode;		/* HELD_READ | HELD_WRITE */
	uint64_t dev, ino;	/* what is held; an eventfd's eventfd-id as ino */
	const char *path;	/* FIFO path, memfd name */
	const struct stat *st;	/* FIFOs and memfds: the object's own stat */
	const struct held_info *info;
};

struct proc_index {
	unsigned what;		/* PROCS_* read */
	struct proc *procs;	/* in pid order */
	size_t nprocs;
	struct held *held;	/* by class, dev, ino, process, fd */
	size_t nheld;
	size_t unreadable;	/* processes whose fds or maps we may not read */
	struct ipk_arena arena;
};

struct proc_index *procs_scan(struct ipk_ctx *ctx, unsigned what);
void procs_free(struct proc_index *idx);
/* Everything held of one object, or of one class; *n entries. */
const struct held *procs_find(const struct proc_index *idx, int class, uint64_t dev,
			      uint64_t ino, size_t *n);
const struct held *procs_class(const struct proc_index *idx, int class, size_t *n);
const struct proc *procs_pid(const struct proc_index *idx, pid_t pid);
struct held_info held_info_parse(const char *text);
/*
 * Calls @make(s, h, n) for each object of class @class: the entries that
 * share a device and inode when @join, else each entry alone (timerfds:
 * nothing tells two fds of one timer apart from two timers).
 */
int procs_each_object(struct ipk_scan *s, int class, bool join,
		      int (*make)(struct ipk_scan *s, const struct held *h, size_t n));
/*
 * A duplicate of fd @fd of process @pid (pidfd_getfd: needs the right to
 * ptrace it), to measure a pipe or read seals without opening anything
 * anew; -errno when not allowed or gone.
 */
int procs_dup_fd(pid_t pid, int fd);
/* Which process an entry is. */
const struct proc *held_proc(const struct ipk_scan *s, const struct held *h);
/* SIZE (bytes queued) and CAPACITY of a pipe or FIFO, from a holder's fd. */
void fd_queue_size(struct ipk_object *o, const struct proc_index *idx,
		   const struct held *h, size_t n);
/* "PID:FD", the REF argument of an fd kind with no identity of its own. */
int ref_arg_pid_fd(const char *arg, struct ipk_buf *canon);
/* A number: an inode, an eventfd id. */
int ref_arg_number(const char *arg, struct ipk_buf *canon);

/* Holders of @o from @n entries of one object (sets HOLDERS). */
int obj_set_holders(struct ipk_object *o, const struct proc_index *idx,
		    const struct held *h, size_t n);
/*
 * A new object of an fd kind: its REF "kind:@arg" and the holders @h[0..n)
 * set.  *out, or -ENOMEM and nothing.
 */
int held_obj_new(struct ipk_scan *s, const char *arg, const struct held *h, size_t n,
		 struct ipk_object **out);

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
	/* another IPC namespace: --ns all (ns_mode) or --ns PID (ns_pid too) */
	bool ns_mode;
	pid_t ns_pid;
	struct ipk_ctx *parent;		/* a context made for another namespace */
	pid_t via_pid;			/* ... read through this process */
	/* what processes hold, while a scan needs it */
	struct proc_index *procs;
	size_t unreadable_procs;	/* of the last scan */
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

/* A context that reads namespace @ns through process @pid (see registry.c). */
struct ipk_ctx *ctx_for_ns(struct ipk_ctx *parent, pid_t pid, uint64_t ns);
void ctx_for_ns_free(struct ipk_ctx *ctx);

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
/* A static word (a socket state, a clock name) for a STORE_CSTR field. */
void obj_set_word(struct ipk_object *o, int field, const char *word);
/* A list of static words (signal names, seals); the words are not copied. */
int obj_set_words(struct ipk_object *o, int field, const char *const *words, size_t n);
static inline bool obj_has(const struct ipk_object *o, int field)
{
	return o->present & FIELD_BIT(field);
}
/* Owner, group, permission bits, times, device and inode from a struct stat. */
void obj_set_stat(struct ipk_object *o, const struct stat *st);

int list_add(struct ipk_list *l, struct ipk_object *o);
/* Sorts objects of one kind by id, then name. */
void list_sort(struct ipk_list *l);
int obj_compare(const struct ipk_object *x, const struct ipk_object *y);
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
	STORE_CSTR,		/* const char *: a static word, never freed */
	STORE_STRV,		/* struct ipk_strv */
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
	bool has_pid;
	int32_t pid;
	bool orphan;
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
/* The /dev/shm directory below the root of @ctx, opened; -errno. */
int devshm_open(struct ipk_ctx *ctx);
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
/*
 * An existing /dev/shm @file, to be reported as existing: 0 when it is a
 * regular file the caller may open, else -errno with @e.  Never blocks on
 * a FIFO or follows a link, as shm_open() and sem_open() would.
 */
int posix_existing(struct ipk_ctx *ctx, const char *file, struct ipk_error *e);

/* ----------------------------------------------------- create, remove */

/* A user's name, or "uid N" in @buf when it has none. */
const char *owner_name(struct ipk_ctx *ctx, uint32_t uid, char buf[24]);
/* strerror() in lower case, as messages want it. */
const char *err_text(int err);
/* Sets @e and returns -@err. */
int err_set(struct ipk_error *e, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A refusal of the kernel (-errno) in words, naming the owner when it is permission. */
int err_kernel(struct ipk_ctx *ctx, const struct ipk_object *o, int err, struct ipk_error *e);
/*
 * -EINVAL with "@what @value exceeds <setting> (<limit>)" when @value is
 * above the limit @resource of lib/limits.c; 0 when within it or unknown.
 */
int check_limit(struct ipk_ctx *ctx, const char *what, uint64_t value,
		const char *resource, struct ipk_error *e);
/* One limit of the table (no use counted); -ENOENT when unknown or unlimited. */
int limit_value(struct ipk_ctx *ctx, const char *resource, uint64_t *v);
/* One limit of the table, by its resource name ("SHMMAX"), without its use. */
int limit_get(struct ipk_ctx *ctx, const char *resource, struct ipk_limit *l);
/* What the kernel charges a POSIX queue to RLIMIT_MSGQUEUE. */
uint64_t mq_charge(uint64_t maxmsg, uint64_t msgsize);
/* -EOPNOTSUPP: "@why: it goes when these close it: <holders of @o>" */
int refuse_no_name(struct ipk_ctx *ctx, const struct ipk_object *o, const char *why,
		   struct ipk_error *e);
/* -EBUSY: "in use: @how <holders of @o>" */
int refuse_in_use(struct ipk_ctx *ctx, const struct ipk_object *o, const char *how,
		  struct ipk_error *e);
/*
 * Whether process @pid runs and started by @t (0: any time), so it can be
 * the one that used an object at @t; its command name into @comm.  Reads
 * that one process (lib/procs.c), for a check right before a removal.
 */
bool pid_running_since(pid_t pid, int64_t t, char comm[16]);
/* Whether a process that started at @start (0 unknown) may have acted at @t. */
bool proc_started_by(int64_t start, int64_t t);
/*
 * The directory of an absolute @path (its own symlinks followed, as any
 * path's), opened O_PATH; *base points at the last component, which the
 * caller must reach with AT_SYMLINK_NOFOLLOW or unlinkat.  -errno.
 */
int open_parent(const char *path, const char **base);
/*
 * Checks that @file in @dfd is still @o (same device and inode, not
 * followed if a symlink) and of type @type (S_IFREG ...); fills @st.
 * -ENOENT gone, -ESTALE another file now, -EINVAL another type.
 */
int file_still(int dfd, const char *file, const struct ipk_object *o, mode_t type,
	       struct stat *st, struct ipk_error *e);
/*
 * -EPERM naming the owner when the caller may not remove @o: for SysV
 * objects the owner, the creator or CAP_SYS_ADMIN; for a file @st in the
 * directory @dfd, write access to it and, where it is sticky, owning the
 * file or the directory (@dfd -1: a sticky directory root owns).  What a
 * dry run must know; the kernel decides.
 */
int may_remove_sysv(struct ipk_ctx *ctx, const struct ipk_object *o, struct ipk_error *e);
int may_unlink(struct ipk_ctx *ctx, int dfd, const struct stat *st, const struct ipk_object *o,
	       struct ipk_error *e);

/*
 * SysV: the object now at @o's id (through the *_STAT_ANY of @src) filled
 * into @now (numbers only: nothing to free), if it is still @o: the same
 * key and ctime.  0, or -ENOENT / -ESTALE with @e set.
 */
int sysv_still(const struct sysv_source *src, const struct ipk_object *o,
	       struct ipk_object *now, struct ipk_error *e);

/*
 * Creates a SysV object with @get (msgget, semget or shmget with @c's
 * sizes) or, unless c->exclusive, finds the one with the key (*existed).
 * The id, or -errno with @e (@no_room says which limit ENOSPC means).
 */
int sysv_get(const struct ipk_kind *k, const struct ipk_create *c,
	     int (*get)(const struct ipk_create *c, key_t key, int flags),
	     const char *no_room, bool *existed, struct ipk_error *e);

/* A process known to have used a SysV object, and when. */
struct sysv_user {
	int64_t pid;
	int64_t since;		/* the time of its use; a process started later is another */
	const char *role;	/* "last sender" */
};
/* -EBUSY naming the first of @users that still runs; 0 when none does. */
int sysv_refuse_live(const struct sysv_user *users, size_t n, struct ipk_error *e);

#endif
