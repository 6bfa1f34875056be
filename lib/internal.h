/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the parts of libipckit share and the public headers do not show.
 * The library reads top to bottom; each layer uses only those above it:
 *
 *   buf.c arena.c parse.c errors.c    text, memory, what users type, errno in words
 *   fields.c                          the field table
 *   ctx.c                             where to read, diagnostics, user names
 *   kinds.c                           the kind table (lib/kinds/ fills it)
 *   object.c ref.c                    the record: storage, REFs
 *   format.c                          fields as text and JSON
 *   procs.c procs-bpf.c               what processes hold (/proc or BPF); kinds claim fds
 *   refuse.c                          refusals that name owners and holders
 *   sysv.c posix.c remove.c limits.c  what kinds of a family share; kernel limits
 *   kinds/<kind>.c                    one backend each
 *   inuse.c                           holders, NATTCH, ORPHAN and GONE
 *   filter.c                          the filters every command shares
 *   ns.c                              work done inside another IPC namespace
 *   scan.c lookup.c                   listings and lookups
 *   manage.c                          create and remove
 *   snapshot.c cond.c watch.c         snapshots and diffs, conditions, watches
 *   prometheus.c act.c                the exposition format; actions on one object
 *
 * One edge goes up: kinds.c lists the descriptors lib/kinds/ defines (a
 * table of what is below, by design).
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

/*
 * Everything declared from here on is the library's own: hidden, so the
 * compiler reaches it directly rather than through the GOT (libipckit.sym
 * keeps it out of the shared library's exports in any case).
 */
#pragma GCC visibility push(hidden)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct ipk_scan;

/* ---------------------------------------------------------------- text */

/*
 * ipk_buf_add() and ipk_buf_puts() where the room is there already: a
 * copy, inlined; the functions only when the buffer must grow.  The
 * serialisers add a few bytes at a time, forty times an object.
 */
static inline int buf_put(struct ipk_buf *b, const char *s, size_t n)
{
	if (b->cap - b->len > n) {
		memcpy(b->s + b->len, s, n);
		b->len += n;
		b->s[b->len] = '\0';
		return 0;
	}
	return ipk_buf_add(b, s, n);
}

/* A REF with the escapes the commands read back in any locale (ipk_buf_json_ref()), appended to @b. */
int buf_ref_text(struct ipk_buf *b, const char *ref);

static inline int buf_puts(struct ipk_buf *b, const char *s)
{
	return buf_put(b, s, strlen(s));
}

/* ------------------------------------------------------------ field sets */

/* One bit per field, for however many fields IPK_FIELDS has. */
#define FIELD_WORDS ((IPK_F_COUNT + 63) / 64)

struct fieldset {
	uint64_t w[FIELD_WORDS];
};

/* The word of @f: the first, always, while there are at most 64 fields. */
#define FIELD_WORD(f) (FIELD_WORDS == 1 ? 0 : (f) >> 6)

static inline bool fieldset_has(const struct fieldset *s, int f)
{
	return (s->w[FIELD_WORD(f)] >> (f & 63)) & 1;
}

static inline void fieldset_add(struct fieldset *s, int f)
{
	s->w[FIELD_WORD(f)] |= UINT64_C(1) << (f & 63);
}

static inline void fieldset_del(struct fieldset *s, int f)
{
	s->w[FIELD_WORD(f)] &= ~(UINT64_C(1) << (f & 63));
}

static inline bool fieldset_empty(const struct fieldset *s)
{
	for (size_t i = 0; i < FIELD_WORDS; i++)
		if (s->w[i])
			return false;
	return true;
}

/* A list of field ids for a kind descriptor, ended by -1. */
#define FIELDS(...) ((const int16_t[]){ __VA_ARGS__, -1 })

/* Fields every kind of a family has. */
#define SYSV_FIELDS IPK_F_REF, IPK_F_ID, IPK_F_KEY, IPK_F_OWNER, IPK_F_UID, IPK_F_GROUP, \
	IPK_F_GID, IPK_F_CUSER, IPK_F_CUID, IPK_F_CGROUP, IPK_F_CGID, IPK_F_PERMS, \
	IPK_F_CTIME, IPK_F_STATUS, IPK_F_NS
#define POSIX_FIELDS IPK_F_REF, IPK_F_NAME, IPK_F_OWNER, IPK_F_UID, IPK_F_GROUP, IPK_F_GID, \
	IPK_F_PERMS, IPK_F_CTIME, IPK_F_ATIME, IPK_F_STATUS, IPK_F_NS
/* What tells a SysV object from a newer one that took its id: ipk_object_same(). */
#define SYSV_SAME_FIELDS IPK_F_KEY, IPK_F_CTIME, IPK_F_CUID, IPK_F_CGID, IPK_F_PERMS

/* ---------------------------------------------------------------- record */

/* How a kind-specific field's value is kept (struct obj_extra). */
enum extra_form {
	EXTRA_I64,
	EXTRA_U64,
	EXTRA_WORD,		/* a static string, never freed */
	EXTRA_STR,		/* a copy, the object's */
	EXTRA_WORDS,		/* an array of static strings, the array the object's */
	EXTRA_LIST,		/* an array of int64_t, the object's */
};

/*
 * A field that only some kinds have (IPK_FIELDS rows without a member in
 * struct ipk_object): kept in a short array, only by objects whose kind
 * has it, so a new field needs no member.
 */
struct obj_extra {
	int16_t field;
	uint8_t form;		/* enum extra_form */
	bool heap;		/* the array or string was malloc'd: freed with the object */
	uint32_t n;		/* elements of WORDS and LIST */
	union {
		int64_t i;
		uint64_t u;
		const char *s;
		const char **words;
		int64_t *list;
		void *p;
	} v;
};

/*
 * The record of DESIGN.md.  A field is known when its bit is set in
 * @present, unreadable when set in obj_noaccess(); lib/fields.c maps each field
 * to its member here or to an extra.  Kernel structures mirrored: struct
 * shmid64_ds, msqid64_ds, semid64_ds (through /proc/sysvipc/<x> or
 * *_STAT_ANY), struct stat of /dev/shm and mqueue files, struct mq_attr,
 * struct unix_diag_msg, and the fdinfo of eventfd, timerfd and signalfd.
 *
 * Compact, for listings of 100,000 objects: the members only System V
 * objects have share their bytes with those only the others have
 * (struct obj_part says which a kind uses; kinds.c checks every kind's
 * fields against it), flags are bits, and what a kind keeps beyond its
 * fields follows the record (ipk_kind.tail, obj_tail()).
 *
 * Memory: an object of a listing lives in the listing's arena with every
 * string and array it points to (@pooled, and @arena while a scan still
 * adds to it); one made outside a listing, or a member added after the
 * scan, is malloc'd and flagged (*_heap, @heap) so ipk_object_free()
 * frees exactly that.
 */
struct ipk_object {
	const struct ipk_kind *kind;
	char *ref;
	struct fieldset present;
	struct obj_extra *extras;
	struct ipk_holder *holders;
	struct ipk_arena *arena;	/* where a scan still adds to it; NULL after */
	uint64_t size;
	uint64_t capacity;
	uint64_t messages;
	uint64_t nattch;
	int64_t ctime, atime;
	uint64_t ns;

	/* 32 bits where the kernel has no more (ids, keys, pids): packed together */
	uint32_t uid, gid;
	uint32_t perms;
	uint32_t status;		/* enum ipk_status bits */
	int32_t ns_pid;			/* read through this process's namespace; 0: ours */
	uint32_t nholders;
	uint32_t nprocs;		/* distinct processes among the holders */
	uint8_t nextras, extras_cap;
	bool pooled : 1;		/* the object itself is in an arena */
	bool heap : 1;			/* some member was malloc'd */
	bool ref_heap : 1, name_heap : 1, holders_heap : 1, extras_heap : 1;
	bool has_noaccess : 1;		/* the extra OBJ_X_NOACCESS is there */

	union {
		/* OBJ_PART_SYSV */
		struct {
			int32_t id;
			int32_t key;
			uint32_t cuid, cgid;
			/* fields no System V kind has two of (kinds.c checks) */
			union {
				int32_t cpid;		/* sysv-shm */
				int32_t lspid;		/* sysv-msg */
				uint32_t nsems;		/* sysv-sem */
			};
			int32_t lpid;
			int64_t dtime;
		};
		/*
		 * OBJ_PART_FILE: files, sockets and fds.  @dev and @ino are what
		 * its holders' entries name (INODE); a System V object's
		 * entries name its namespace and id instead (obj_held_key()).
		 */
		struct {
			char *name;
			uint64_t dev, ino;
			int64_t value;		/* a scalar VALUE; an array is an extra */
		};
	};
};

/* Which members of the union of struct ipk_object a field or a kind uses. */
enum obj_part {
	OBJ_PART_ANY,			/* members outside the union */
	OBJ_PART_SYSV,
	OBJ_PART_FILE,
};

static inline enum obj_part kind_part(const struct ipk_kind *k);

/* What a kind keeps after the record, its own and no field (unix: its file's inode). */
static inline void *obj_tail(struct ipk_object *o)
{
	return o + 1;
}

static inline const void *obj_tail_const(const struct ipk_object *o)
{
	return o + 1;
}

/* ------------------------------------------------------------ processes */

/* What the process scan reads (lib/procs.c). */
enum {
	PROCS_FDS = 1 << 0,	/* /proc/PID/fd: what each fd is */
	PROCS_FDINFO = 1 << 1,	/* /proc/PID/fdinfo of the fds kinds ask it of */
	PROCS_MAPS = 1 << 2,	/* /proc/PID/maps: shared mappings */
	PROCS_WAITS = 1 << 3,	/* /proc/PID/syscall of blocked processes: what they wait on */
};

enum {
	HELD_READ = 1 << 0,
	HELD_WRITE = 1 << 1,
	HELD_WAIT = 1 << 2,	/* blocked in an IPC call on it (/proc/PID/syscall) */
};

/* Entries no kind claimed: a regular file opened or mapped shared, by device and inode. */
#define HELD_FILE 0xff

struct proc {
	pid_t pid;
	char comm[16];
	bool denied;		/* its fds, maps or namespace we may not read */
	int64_t start;		/* seconds since the epoch it started; 0 unknown */
	uint64_t ipc_ns;	/* inode of its IPC namespace; 0 unknown */
};

/* One fd or mapping of one process, owned by the kind that claimed it. */
struct held {
	uint32_t proc;		/* index in proc_index.procs */
	int32_t fd;		/* -1: a mapping */
	uint8_t owner;		/* the claiming kind's index, or HELD_FILE */
	uint8_t mode;		/* HELD_* */
	uint8_t dup_err;	/* with HOLD_DUP: why no duplicate of the fd was had (errno) */
	uint64_t dev, ino;	/* what is held: the entries of one object share these */
	const char *path;	/* kept for the owner: a FIFO's path, a memfd's name */
	const struct stat *st;	/* with HOLD_STAT: the object's own stat */
	const void *info;	/* what the owner's fdinfo or fd_read slot made */
};

/*
 * What the process scan shows each kind with a claim slot: one fd (its
 * link, "pipe:[7971]", "anon_inode:[eventfd]", "/memfd:x (deleted)", a
 * path) or one shared mapping (its path and the device and inode of the
 * maps line).  stat() is the fd's target, read at most once and only if a
 * kind asks; NULL when it cannot be read (gone, a frozen copy without it).
 */
struct held_probe {
	const struct proc *proc;
	int fd;			/* -1: a mapping */
	const char *link;
	size_t len;
	uint64_t map_dev, map_ino;	/* a mapping's */
	bool live;		/* the running system, not a frozen copy */
	const struct fieldset *wanted;	/* the fields the listing will use */
	const struct stat *(*stat)(const struct held_probe *p);
	char *scratch;		/* PATH_MAX bytes a claim may build h->path in */
	void *priv;		/* procs.c's */
};

/* What a claim asks the process scan to add to its entry. */
enum {
	HOLD_CLAIMED = 1 << 0,	/* the entry is the kind's */
	HOLD_STAT = 1 << 1,	/* keep the target's stat (h->st) */
	HOLD_MODE = 1 << 2,	/* the access mode, from the fd link's permissions */
	HOLD_FDINFO = 1 << 3,	/* give /proc/PID/fdinfo/FD to the kind's fdinfo slot */
	/*
	 * Give a duplicate of the fd (pidfd_getfd) to the kind's fd_read slot:
	 * once per object, from its first holder that lets us, through one
	 * pidfd per process; only live, and only when the kind's fd_fields
	 * are wanted.
	 */
	HOLD_DUP = 1 << 4,
};

struct proc_index {
	unsigned what;		/* PROCS_* read */
	uint64_t dup_kinds;	/* kinds whose fds were read through duplicates (HOLD_DUP) */
	struct proc *procs;	/* in pid order */
	size_t nprocs;
	struct held *held;	/* by owner, dev, ino, process, fd */
	size_t nheld;
	size_t unreadable;	/* processes whose fds or maps we may not read */
	struct ipk_arena arena;
};

/*
 * One pass over /proc reading @what for the kinds of @kinds (a bit per
 * kind index): their claims decide what each fd is.  NULL with errno
 * ENOMEM only; what vanishes while it is read is skipped.
 */
struct proc_index *procs_scan(struct ipk_ctx *ctx, unsigned what, uint64_t kinds);
void procs_free(struct proc_index *idx);
/* Everything held of one object, or everything an owner holds; *n entries. */
const struct held *procs_find(const struct proc_index *idx, unsigned owner, uint64_t dev,
			      uint64_t ino, size_t *n);
const struct held *procs_owned(const struct proc_index *idx, unsigned owner, size_t *n);
const struct proc *procs_pid(const struct proc_index *idx, pid_t pid);
/* Which process an entry is. */
const struct proc *held_proc(const struct proc_index *idx, const struct held *h);
/*
 * Calls @make(s, h, n) for each object of the scanned kind: the entries
 * that share a device and inode when @join, else each entry alone
 * (timerfds: nothing tells two fds of one timer apart from two timers).
 */
int procs_each_object(struct ipk_scan *s, bool join,
		      int (*make)(struct ipk_scan *s, const struct held *h, size_t n));
/*
 * A pipe's or FIFO's fd_read slot: bytes queued (FIONREAD) and capacity
 * (F_GETPIPE_SZ), whichever is wanted, into h->info.
 */
int fd_read_queue(const struct held_probe *p, int fd, struct held *h, struct ipk_arena *arena);
/*
 * SIZE and CAPACITY of a pipe or FIFO of scan @s from what fd_read_queue()
 * read of one of its @n entries; without one, unreadable when a holder
 * did not let us duplicate its fd.
 */
void fd_queue_size(struct ipk_scan *s, struct ipk_object *o, const struct held *h, size_t n);
/*
 * What the scanned kind's fd_read slot made of a holder's fd, for the
 * object of entries @h[0..n): as the process scan read it, or read now,
 * in @tmp, where that holder went since (a watch lets go of what an
 * exited process held).  NULL with *denied true when a holder refused
 * (EPERM) or none has an fd.
 */
const void *held_fd_info(const struct ipk_scan *s, const struct held *h, size_t n,
			 struct ipk_arena *tmp, bool *denied);
/* Whether a scan has read shared mappings through PROCMAP_QUERY (tests). */
bool procs_maps_queried(void);
/* Whether the objects of the scanned kind had their fds read (HOLD_DUP). */
bool scan_read_fds(const struct ipk_scan *s);
/*
 * The "started by" rule: whether a process that started at @start (0
 * unknown) may have acted at @t, rather than being a newer one that reused
 * the pid.
 */
bool proc_started_by(int64_t start, int64_t t);
/*
 * Whether process @pid runs and started by @t (0: any time); its command
 * name into @comm.  Reads that one process, for a check right before a
 * removal.
 */
bool pid_running_since(pid_t pid, int64_t t, char comm[16]);
/*
 * The identity of an fd that nothing joins to another (a timerfd, or an
 * eventfd where the kernel gives no id): the process and the fd, apart
 * from every inode (device 1).
 */
static inline void held_own_identity(struct held *h)
{
	h->dev = 1;
	h->ino = (uint64_t)h->proc << 32 | (uint32_t)h->fd;
}
/* "pipe:[1234]" -> 1234, for the prefix @what ("pipe"). */
bool link_inode(const char *link, const char *what, uint64_t *ino);
/* The value of "name: value" in fdinfo @text (the line's rest), or NULL. */
const char *fdinfo_line(const char *text, const char *name);
/*
 * The decimal (at most 19) or lowercase hexadecimal (at most 16) digits
 * at *p into *v, *p moved past them; false when there are none or more.
 */
bool text_dec(const char **p, uint64_t *v);
bool text_hex(const char **p, uint64_t *v);

/* Holders of @o from @n entries of one object (sets HOLDERS). */
int obj_set_holders(struct ipk_object *o, const struct proc_index *idx,
		    const struct held *h, size_t n);
/* Whether holder @x is what entry @h of the process scan shows (memcmp: set by holder_of). */
bool holder_is(const struct ipk_holder *x, const struct proc_index *idx, const struct held *h);
/*
 * A new object of an fd kind: its REF "kind:@arg" and the holders @h[0..n)
 * set.  *out, or -ENOMEM and nothing.
 */
int held_obj_new(struct ipk_scan *s, const char *arg, const struct held *h, size_t n,
		 struct ipk_object **out);

/* ----------------------------------------------------------------- kinds */

/* Where the holders of a kind's objects are found by inuse.c. */
enum holders_from {
	HOLDERS_NONE,		/* nowhere, or the kind fills them itself */
	HOLDERS_FILES,		/* unclaimed files, by the object's dev and ino */
	HOLDERS_CLAIMED,	/* the kind's own entries, by the object's dev and ino */
};

/* A process known to have used an object, and when. */
struct obj_user {
	int64_t pid;
	int64_t since;		/* the time of its use: a process started later is another */
	const char *role;	/* "last sender" */
};

#define OBJ_USERS_MAX 4

/*
 * One kernel limit a kind runs into (ipc-ls --limits).  The limit is the
 * @word-th number of /proc/sys/@sysctl, or @constant when that is NULL,
 * or whatever the kind's limits_read slot says.
 */
struct limit_def {
	const char *resource;		/* "SHMMNI" */
	const char *description;	/* "number of shared memory segments" */
	const char *shown;		/* how users name it: "kernel.shmmni" */
	enum ipk_unit unit;
	const char *sysctl;		/* "kernel/shmmni", or NULL */
	int word;
	uint64_t constant;
	bool pages;			/* the kernel counts pages: shown in bytes */
	bool zero_unlimited;		/* 0 means "no limit" */
};

/*
 * One kind backend.  Each lib/kinds/<kind>.c ends with one const instance;
 * lib/kinds.c lists them all.  NULL slots mean "not applicable" and are
 * reached only through wrappers that supply the default.
 */
struct scn_type;
/* A field as a bit of a uint64_t mask (the masks of struct kind_identity). */
#define F(name) (UINT64_C(1) << IPK_F_##name)
_Static_assert(IPK_F_COUNT <= 64, "identity masks are one uint64_t");

/*
 * What tells an object apart from a later one that took its id, name or
 * fd: snapshots (lib/snapshot.c) key objects by it and diff the records
 * of one key.
 */
enum ident_by {
	IDENT_REF,	/* the REF: an inode, an eventfd id, PID:FD */
	IDENT_FILE,	/* the device and inode of its file */
	IDENT_SYSV,	/* namespace and id, and the fields of .fixed */
};

struct kind_identity {
	enum ident_by by;
	uint64_t fixed;		/* set at creation, never changed: another value is another object */
	uint64_t rising;	/* times that never go back in one object's life */
	uint64_t noisy;		/* moved by time or by our own reading: never a change */
};

/* One action of ipk_sem_op(), ipk_msg_send() or ipk_msg_receive(). */
struct kind_act {
	const struct ipk_object *o;
	enum ipk_action what;
	size_t member;			/* POST, WAIT: the semaphore of an array */
	const void *data;		/* SEND: the message */
	size_t len;
	long type;			/* SEND, RECEIVE: SysV type, POSIX priority */
	struct ipk_buf *out;		/* RECEIVE: the message */
	long *got_type;
	struct ipk_error *e;
};
#define KIND_ACTS_SEM (IPK_ACTION_BIT(IPK_ACTION_POST) | IPK_ACTION_BIT(IPK_ACTION_WAIT))
#define KIND_ACTS_MSG (IPK_ACTION_BIT(IPK_ACTION_SEND) | IPK_ACTION_BIT(IPK_ACTION_RECEIVE))

/* The directories of named kinds a watch follows with inotify. */
enum watch_dir {
	WATCH_NONE,
	WATCH_DEVSHM,		/* /dev/shm of the mount namespace */
	WATCH_MQUEUE,		/* the mqueue filesystem of the IPC namespace */
};

struct ipk_kind {
	const char *name;		/* stable name: "sysv-shm" */
	const char *alias;		/* short input alias: "shm" */
	const char *description;	/* "System V shared memory segment" */
	enum ipk_family family;
	const int16_t *fields;		/* FIELDS(...) that apply */
	bool value_is_list;		/* VALUE is an array (sysv-sem) */
	bool value_is_ns;		/* VALUE is nanoseconds (timerfd) */
	bool mount_scoped;		/* lives in a mount namespace (/dev/shm), not an IPC one */
	/* bytes it keeps after each of its records (obj_tail()): its own, no field's */
	uint16_t tail;

	/*
	 * What the process scan must read for the kind to be listed at all
	 * (its objects are what processes hold: PROCS_*), and what more for
	 * its holders; where inuse.c finds them.  A kind of the POSIX family
	 * counts NATTCH as the processes that hold it.
	 */
	unsigned procs;
	unsigned holder_procs;
	enum holders_from holders;
	/*
	 * Whether an fd or shared mapping of a process is one of this kind's
	 * (offered in registry order, the first claim wins): HOLD_CLAIMED and
	 * what else to read (HOLD_*), with h->dev and h->ino set to what
	 * joins the entries of one object and h->path to a string to keep;
	 * 0 when it is not the kind's.
	 */
	unsigned (*claim)(const struct held_probe *p, struct held *h);
	/*
	 * A process blocked in system call @nr with arguments @args waits on
	 * an object of this kind: HOLD_CLAIMED, with h->dev and h->ino set
	 * (the process scan adds it as a holder in mode "waiting"); 0 when
	 * the call is not the kind's.  Waits on an fd or in a shared mapping
	 * are found without the kind: the fd's or the mapping's entry is
	 * marked waiting.
	 */
	unsigned (*claim_wait)(const struct held_probe *p, long nr, const uint64_t args[6],
			       struct held *h);
	/*
	 * With HOLD_FDINFO: the kind's reading of the fd's fdinfo @text, in
	 * @arena, into h->info (and h->ino where fdinfo tells identity).
	 * -ENOENT drops the entry, -ENOMEM fails the scan.
	 */
	int (*fdinfo)(const char *text, struct held *h, struct ipk_arena *arena);
	/*
	 * With HOLD_DUP: what only an fd tells (bytes queued, seals), read
	 * through @fd, a duplicate of the holder's, into h->info in @arena;
	 * asked only when one of @fd_fields is wanted.  -ENOMEM fails the scan.
	 */
	int (*fd_read)(const struct held_probe *p, int fd, struct held *h,
		       struct ipk_arena *arena);
	const int16_t *fd_fields;

	/*
	 * Appends to @canon the canonical form of the part of a REF after
	 * "kind:" ("32768", "/jobs"); -EINVAL when malformed.
	 */
	int (*ref_arg)(const char *arg, struct ipk_buf *canon);
	/*
	 * Adds every object of the kind to s->list, or with s->only set, at
	 * least the object whose canonical REF argument is s->only.  Problems
	 * with one object skip it; problems with the whole kind add a
	 * diagnostic and return 0.  Only -ENOMEM is returned.
	 */
	int (*scan)(struct ipk_scan *s);
	/* Fills the detail fields of @o; NULL when a scan fills them all. */
	int (*detail)(struct ipk_ctx *ctx, struct ipk_object *o);
	/*
	 * The processes known to have used @o, at most OBJ_USERS_MAX: GONE
	 * when every one is dead, and an object in use while one runs.
	 */
	size_t (*users)(const struct ipk_object *o, struct obj_user *v);
	/* Fields that must be equal in the same object (SysV: ids are reused). */
	const int16_t *same_fields;

	/* Kernel limits of the kind, and the reading of their use. */
	const struct limit_def *limits;
	size_t nlimits;
	/* Fills used (and limits not read from /proc/sys) of its rows, in order. */
	void (*limits_read)(struct ipk_ctx *ctx, struct ipk_limit *rows);

	/*
	 * Creation (manage.c checks @c against create_attrs and create_named
	 * first): *ref malloc'd, *existed when opened instead.  NULL: the
	 * kind cannot be created by name.
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

	/*
	 * Actions on one object, as ipc-top's keys do them (lib/act.c): the
	 * IPK_ACTION_BIT()s it takes, and the doing of one, never blocking,
	 * in the object's own namespace (act.c enters it).  0 and NULL: none.
	 */
	unsigned actions;
	int (*act)(struct ipk_ctx *ctx, const struct kind_act *a);

	/* How snapshots tell its objects apart (see struct kind_identity). */
	struct kind_identity identity;

	/*
	 * Its objects as files of a directory a watch follows with inotify
	 * (lib/watch.c): which directory (0: none), whether @file there is
	 * one of them, with its REF argument ("/jobs") into @arg of @size
	 * bytes (offered in registry order, the first claim wins), and the
	 * inotify events on its file that say a process opened it, so that
	 * its values may move from then on (0: none).
	 */
	enum watch_dir watch_dir;
	bool (*watch_name)(const char *file, char *arg, size_t size);
	uint32_t watch_opened;
};

static inline enum obj_part kind_part(const struct ipk_kind *k)
{
	return k->family == IPK_FAMILY_SYSV ? OBJ_PART_SYSV : OBJ_PART_FILE;
}

/* The bytes of one record of @k, its tail included. */
static inline size_t obj_size(const struct ipk_kind *k)
{
	return sizeof(struct ipk_object) + k->tail;
}

/* The fields a kind has, as a set (kinds.c builds them from the lists). */
const struct fieldset *kind_fields(const struct ipk_kind *k);
static inline bool kind_has(const struct ipk_kind *k, int field)
{
	return fieldset_has(kind_fields(k), field);
}
/*
 * How many extras objects of @k have held so far (the first array of a
 * new one), and the count of one that grew past it.
 */
size_t kind_extras_hint(const struct ipk_kind *k);
void kind_extras_used(const struct ipk_kind *k, size_t n);
/* Wrappers: the default where a slot is NULL. */
int kind_scan(struct ipk_scan *s);
int kind_detail(struct ipk_ctx *ctx, struct ipk_object *o);
size_t kind_users(const struct ipk_object *o, struct obj_user *v);

/*
 * Empties @a for its next use, keeping its newest chunk: a scan that
 * hands each object on and needs it no more (ipk_remove_each) takes
 * the same memory for every object.
 */
void arena_reset(struct ipk_arena *a);

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
	bool has_ns;			/* the kind has the NS field (set by scan_add) */
	bool has_ns_known;
	bool named;			/* its REFs end in a name, which may hold "@ns:" */
	bool partial;			/* scan_diag(): objects of the kind may be missing */
	/*
	 * Snapshots: where scan_add() hands each object instead of @list,
	 * which takes it (frees it or keeps it); only -ENOMEM is returned.
	 */
	int (*sink)(struct ipk_scan *s, struct ipk_object *o);
	void *sink_arg;
	/*
	 * Watches: shown each System V object's raw *_STAT_ANY reading (and,
	 * for a kind whose reading leaves something out, the second of its
	 * last change, else INT64_MIN) before its record is made; true when
	 * the record the watch kept is still exact, and none is made.
	 */
	bool (*unchanged)(struct ipk_scan *s, int64_t id, const void *raw, size_t len,
			  int64_t moved_at);
};

/* ------------------------------------------------------------- context */

struct name_cache;

struct ipk_ctx {
	char *root;			/* "" for the live system */
	bool live;			/* root is "/": ask the kernel too */
	bool force_stat_any;		/* tests: behave as if /proc/sysvipc were absent */
	bool force_maps_text;		/* tests: read /proc/PID/maps as text, not PROCMAP_QUERY */
	bool force_bpf;			/* tests: BPF iterators however few the processes */
	bool no_bpf;			/* the process scan reads /proc, never the BPF iterators */
	struct fieldset wanted;		/* the fields the caller will use */
	pthread_mutex_t lock;		/* diagnostics, added by parallel scans */
	struct ipk_diag *diags;
	size_t ndiags, diags_cap;
	struct name_cache *users, *groups;	/* shared with sub-contexts */
	bool ipc_ns_read;
	uint64_t ipc_ns;
	long pagesize;
	/* another IPC namespace: --ns all (ns_mode) or --ns PID (ns_pid too) */
	bool ns_mode;
	pid_t ns_pid;
	struct ipk_ctx *parent;		/* a context made for another namespace */
	pid_t via_pid;			/* ... read through this process */
	/* what processes hold, while a scan needs it; with procs_ns, in which namespace each is */
	bool procs_ns;
	struct proc_index *procs;
	size_t unreadable_procs;	/* of the last scan */
	uint64_t partial_kinds;		/* of the last scan: kinds read in part, a bit per index */
	/* the names of /dev/shm, read once for the kinds of one scan (lib/posix.c) */
	struct devshm_names *devshm;
	/* a watch's mqueue directory, kept open so a scan need not mount it again */
	bool has_mqueue_dir;
	int mqueue_dir;
	/* the caller's effective uid and capabilities, read at the first removal check */
	bool creds_read;
	uint32_t euid;
	uint64_t caps;
	/* the JSON string of the last user and of the last group named (lib/format.c) */
	struct json_name {
		bool valid;
		uint32_t id;
		uint8_t len;
		char text[190];
	} json_names[2];
	/* the JSON text of a few kinds of record, between their values (lib/format.c; free()d) */
	struct json_plans *json_plans;
	/* times formatted as text (lib/format.c): a few, by their low bits */
	struct time_slot {
		bool valid;
		int format;		/* enum ipk_time_format, or JSON's */
		int64_t t;
		time_t now;		/* the clock's second, for SHORT and RELATIVE */
		size_t len;
		char text[64];
	} times[4];
};

static inline bool ctx_wants(const struct ipk_ctx *ctx, int field)
{
	return fieldset_has(&ctx->wanted, field);
}

/* Records a problem; @err is a positive errno.  Safe from parallel scans. */
void ctx_diag(struct ipk_ctx *ctx, int err, const char *verb, const char *object);
/*
 * A problem that leaves objects of the scan's kind unread (its file, its
 * directory): ctx_diag(), and the kind is read in part (s->partial).
 */
void scan_diag(struct ipk_scan *s, int err, const char *verb, const char *object);
/* Kinds @kinds (a bit per index) were read in part: said of @ctx and the contexts above it. */
void ctx_kinds_partial(struct ipk_ctx *ctx, uint64_t kinds);
/* "@root@path" into @out (PATH_MAX).  -ENAMETOOLONG when it does not fit. */
int ctx_path(const struct ipk_ctx *ctx, const char *path, char *out, size_t size);
/* open(2) of a path below the root. */
int ctx_open(const struct ipk_ctx *ctx, const char *path, int flags);
/* Reads a whole file below the root into a NUL-terminated malloc'd buffer. */
int ctx_read_file(const struct ipk_ctx *ctx, const char *path, char **buf, size_t *len);
/* Inode of the caller's IPC namespace; 0 when unknown (sysroot). */
uint64_t ctx_ipc_ns(struct ipk_ctx *ctx);
const char *ctx_user_name(struct ipk_ctx *ctx, uint32_t uid);
const char *ctx_group_name(struct ipk_ctx *ctx, uint32_t gid);

/* Whole-file reading without a root, for fds already open. */
int read_fd_all(int fd, char **buf, size_t *len);

/* -------------------------------------------------------------- objects */

/* How a field is stored: in a member of struct ipk_object, or as an extra. */
enum field_store {
	STORE_EXTRA,		/* kind-specific: struct obj_extra */
	STORE_I64,
	STORE_U64,
	STORE_U32,
	STORE_I32,
	STORE_STR,		/* char *ref, *name */
	STORE_VALUE,		/* int64_t value, or an array as an extra */
	STORE_HOLDERS,
	STORE_KIND,
};

struct field_store_def {
	uint8_t store;		/* enum field_store */
	uint8_t part;		/* enum obj_part: the kinds that may have it */
	uint16_t offset;	/* of the member in struct ipk_object */
	int8_t view_of;		/* OWNER shows UID: the field whose data it shows; 0 none */
};

extern const struct ipk_field_info field_info[IPK_F_COUNT];
extern const struct field_store_def field_store[IPK_F_COUNT];

/*
 * Whether kind @k may have @field: a field kept in the record's union is
 * only for the kinds of its part (kinds.c checks each kind's list).
 */
bool field_part_ok(const struct ipk_kind *k, int field);
/* Whether two fields (not views of one) are kept in the same bytes: no kind may have both. */
bool field_shares_member(int a, int b);

/* The field whose bit tells whether @field is known (OWNER: UID). */
static inline int field_data(int field)
{
	return field_store[field].view_of ? field_store[field].view_of : field;
}

struct ipk_object *obj_new(const struct ipk_kind *kind);
/* Frees what @o points to, not @o itself (an object on the stack). */
void obj_clear(struct ipk_object *o);
/* A new object of the scanned kind, in the arena of the scan's list if it has one. */
struct ipk_object *scan_obj_new(struct ipk_scan *s);
/* Sets the REF to "kind:@arg" ("sysv-shm:32768", "posix-mq:/jobs"). */
int obj_set_ref(struct ipk_object *o, const char *arg);
int obj_set_name(struct ipk_object *o, const char *name);
/* A POSIX object's REF and NAME from its name without the leading slash. */
int obj_set_posix_name(struct ipk_object *o, const char *name);

static inline bool obj_has(const struct ipk_object *o, int field)
{
	return fieldset_has(&o->present, field);
}
/*
 * What the process scan files @o's holders under: its file's device and
 * inode; for a System V object, which has none, its namespace and id
 * (maps show a segment's id as inode, waits name the id; the namespace
 * tells ids apart).
 */
static inline void obj_held_key(const struct ipk_object *o, uint64_t *dev, uint64_t *ino)
{
	if (kind_part(o->kind) == OBJ_PART_SYSV) {
		*dev = o->ns;
		*ino = (uint64_t)o->id;
	} else {
		*dev = o->dev;
		*ino = o->ino;
	}
}

/* NAME, or NULL: what only a kind with a name may read of o->name. */
static inline const char *obj_name(const struct ipk_object *o)
{
	return kind_part(o->kind) == OBJ_PART_FILE ? o->name : NULL;
}
/* Stores a number in the field and marks it known; -ENOMEM for an extra. */
int obj_set_num(struct ipk_object *o, int field, int64_t v);
int obj_set_unum(struct ipk_object *o, int field, uint64_t v);
/* A number field's value; 0 when unknown. */
int64_t obj_num(const struct ipk_object *o, int field);
uint64_t obj_unum(const struct ipk_object *o, int field);
/* @n zeroed numbers for obj_set_list(): from the arena while a scan fills @o. */
int64_t *obj_alloc_list(struct ipk_object *o, size_t n);
/* Frees what obj_alloc_list() gave, when it was not given to obj_set_list(). */
void obj_free_list(struct ipk_object *o, int64_t *v);
/* Takes ownership of @v, from obj_alloc_list(o, @n). */
int obj_set_list(struct ipk_object *o, int field, int64_t *v, size_t n);
void obj_set_noaccess(struct ipk_object *o, int field);
/*
 * The fields @o may not read, never also in @present (the setters see to
 * it: a field not present is all most readers need to ask).  Few records
 * have any: the set is an extra of theirs, not a member of every record.
 */
#define OBJ_X_NOACCESS (-2)	/* the field of that extra: none of IPK_FIELDS */
struct fieldset obj_noaccess_set(const struct ipk_object *o);
void obj_noaccess_del_set(struct ipk_object *o, int field);
static inline struct fieldset obj_noaccess(const struct ipk_object *o)
{
	return o->has_noaccess ? obj_noaccess_set(o) : (struct fieldset){ 0 };
}
static inline bool obj_noaccess_has(const struct ipk_object *o, int field)
{
	if (!o->has_noaccess)
		return false;
	struct fieldset s = obj_noaccess_set(o);
	return fieldset_has(&s, field);
}
static inline void obj_noaccess_del(struct ipk_object *o, int field)
{
	if (o->has_noaccess)
		obj_noaccess_del_set(o, field);
}
/* A static word (a socket state, a clock name). */
int obj_set_word(struct ipk_object *o, int field, const char *word);
/* A copy of @s. */
int obj_set_str(struct ipk_object *o, int field, const char *s);
/* A list of static words (signal names, seals); the words are not copied. */
int obj_set_words(struct ipk_object *o, int field, const char *const *words, size_t n);
/* Owner, group, permission bits, times, device and inode from a struct stat. */
void obj_set_stat(struct ipk_object *o, const struct stat *st);

/* Decimal text of a number into @out (21 bytes); returns its length. */
size_t fmt_u64(char *out, uint64_t v);
size_t fmt_i64(char *out, int64_t v);

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

/* ------------------------------------------------------------------ REFs */

/*
 * The one layout of a REF: "kind:arg".  ref_size() is the bytes it takes
 * with its NUL, ref_put() writes it to @out of at least that many; every
 * REF the library makes is made by these (ref_make(), obj_set_ref()).
 */
static inline size_t ref_size(const struct ipk_kind *k, const char *arg)
{
	return strlen(k->name) + 1 + strlen(arg) + 1;
}
/* ref_put() of an @arg of @alen bytes: a scan's, measured once. */
static inline void ref_put_len(char *out, const struct ipk_kind *k, const char *arg, size_t alen)
{
	size_t klen = strlen(k->name);

	memcpy(out, k->name, klen);
	out[klen] = ':';
	memcpy(out + klen + 1, arg, alen);
	out[klen + 1 + alen] = '\0';
}
void ref_put(char *out, const struct ipk_kind *k, const char *arg);
/* "kind:arg", malloc'd; NULL when memory runs out. */
char *ref_make(const struct ipk_kind *k, const char *arg);
/* "PID:FD", the REF argument of an fd kind with no identity of its own (24 bytes). */
void ref_arg_pid_fd_make(char out[24], pid_t pid, int fd);
/*
 * A REF's namespace qualifier, "@ns:INODE" at its end: the length of the
 * REF without it, and *@ns set; the whole length when it has none.
 */
size_t ref_ns_split(const char *ref, uint64_t *ns);
int ref_append_ns(struct ipk_buf *b, uint64_t ns);
/* Qualifies @o's REF with its IPC namespace @ns: listed beside other namespaces. */
int obj_ref_qualify(struct ipk_object *o, uint64_t ns);
/* Whether @ref ends in "@ns:DIGITS": a name may, and then reads as another namespace's. */
bool ref_has_ns(const char *ref);
/*
 * A named object whose name itself ends in "@ns:DIGITS" would read as an
 * object of that namespace: its REF names the namespace @ns it is in,
 * always (posix-mq:/a@ns:1@ns:4026531839).  Other REFs stay as they are.
 */
int obj_ref_disambiguate(struct ipk_object *o, uint64_t ns);
/* Canonical REF arguments shared by several kinds. */
int ref_arg_sysv_id(const char *arg, struct ipk_buf *canon);
int ref_arg_posix_name(const char *arg, struct ipk_buf *canon);
/* A POSIX object's REF argument from its file's name: "/" and @file; false when empty or too long. */
bool ref_arg_of_file(const char *file, char *arg, size_t size);
int ref_arg_pid_fd(const char *arg, struct ipk_buf *canon);
int ref_arg_number(const char *arg, struct ipk_buf *canon);

/* ------------------------------------------------------------- in use */

/*
 * What the process scan adds to an object: its holders, NATTCH as the
 * processes holding a POSIX object, and the ORPHAN and GONE flags.
 */
int inuse_judge(struct ipk_ctx *ctx, struct ipk_object *o);
/* Only the holders (and the NATTCH they make) of @o, from ctx->procs. */
int inuse_holders(struct ipk_ctx *ctx, struct ipk_object *o);
/*
 * Whether no process the scan read holds @o, of a kind whose holders are
 * what makes an orphan: ORPHAN, when every process that might hold it was read.
 */
bool inuse_unheld(const struct ipk_object *o);
/* Whether inuse_judge() would leave @o, judged before, as it is. */
bool inuse_same(const struct ipk_ctx *ctx, const struct ipk_object *o);

/* ---------------------------------------------------------------- scans */

/* Builds ctx->procs for the kinds of @f (or of @only alone); -ENOMEM only. */
int scan_procs_prepare(struct ipk_ctx *ctx, const struct ipk_filter *f,
		       const struct ipk_kind *only);
void scan_procs_done(struct ipk_ctx *ctx);

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
	bool orphan_unproven;	/* with orphan: the unheld ones not proven orphans too */
};

/* ---------------------------------------------------------- namespaces */

/*
 * Runs @fn(sub, arg) in a thread that entered the IPC namespace of process
 * @pid, which must still be @ns (0: any).  @sub reads that namespace's
 * files through /proc/PID/root and shares @parent's name caches and
 * diagnostics.  Returns what @fn returned, with *entered true; or, with
 * *entered false, -ESRCH (the process is gone), -ESTALE (it is in another
 * namespace now) or the errno of setns().
 */
int ns_run(struct ipk_ctx *parent, pid_t pid, uint64_t ns,
	   int (*fn)(struct ipk_ctx *sub, void *arg), void *arg, bool *entered);
/* "ipc:[4026531839] (pid 1)": what a namespace is called in messages (64 bytes). */
void ns_name(char out[64], uint64_t ns, pid_t pid);

/* ---------------------------------------------------------- sysv, posix */

/* SysV mode word: permission bits, and with @shm SHM_DEST and SHM_LOCKED. */
void sysv_set_mode(struct ipk_object *o, uint32_t mode, bool shm);

struct ipc_perm;
/* Key, owner, creator and mode from the kernel's struct ipc_perm. */
void sysv_set_perm(struct ipk_object *o, const struct ipc_perm *perm, bool shm);
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
	bool shm_mode;				/* the mode word carries SHM_DEST, SHM_LOCKED */
	int (*max_index)(void);			/* IPC_INFO: highest index in use */
	int (*stat_index)(int idx, union sysv_ds *ds);	/* *_STAT_ANY: the id, or -1 */
	void (*fill)(struct ipk_object *o, const union sysv_ds *ds);
	/* Completes an object from either source; > 0 drops it, < 0 fails. */
	int (*finish)(struct ipk_scan *s, struct ipk_object *o);
	/* Live, read /proc/sysvipc rather than *_STAT_ANY; NULL: never. */
	bool (*prefer_proc)(const struct ipk_ctx *ctx);
	/*
	 * The second of the last change to what the reading does not hold
	 * (a semaphore's values move with its otime); NULL: it holds all.
	 */
	int64_t (*moved_at)(const union sysv_ds *ds);
};

/* Adds every object of a SysV kind (or with s->only, the one named). */
int sysv_scan(struct ipk_scan *s, const struct sysv_source *src);
/* A sysv-sem's values with one GETALL; > 0 when the array is gone (lib/kinds/sysv-sem.c). */
int sysv_sem_values(struct ipk_object *o);

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
/*
 * Between these two, the POSIX kinds of one scan of @ctx read /dev/shm
 * once (for posix-shm and posix-sem), not once each.  -ENOMEM.
 */
int posix_shm_share_begin(struct ipk_ctx *ctx);
void posix_shm_share_end(struct ipk_ctx *ctx);
/* Scans /dev/shm below the root with posix_dir_scan(), or from the shared names. */
int posix_shm_dir_scan(struct ipk_scan *s, const char *prefix, const char *exclude,
		       bool stat_first,
		       int (*each)(struct ipk_scan *s, int dfd, const char *file,
				   const struct stat *st));
/*
 * Adds the object of a POSIX file whose content is part of the record (a
 * semaphore's value, a queue's attributes): opened once and given to
 * @read, with @fd -1 when the caller may not read it.  @queue: a file of
 * the mqueue filesystem, which can hold nothing but queues.
 */
int posix_add_read(struct ipk_scan *s, int dfd, const char *file, const char *name,
		   bool queue,
		   void (*read)(struct ipk_scan *s, int fd, const struct stat *st,
				struct ipk_object *o));
/*
 * Opens a file of a POSIX directory read-only, without following a link,
 * opening anything that is not a regular file (a FIFO would gain a
 * reader) or taking a terminal, and fills @st.  The fd of a regular file;
 * -EACCES (with @st filled) for one the caller may not read; -ENOENT for
 * anything else, gone or not a regular file.
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
/*
 * One limit, by its resource name ("SHMMAX"), without its use: 0, or
 * -ENOENT when unknown or unlimited.  @ctx NULL reads the live system.
 */
int limit_get(struct ipk_ctx *ctx, const char *resource, struct ipk_limit *l);
int limit_value(struct ipk_ctx *ctx, const char *resource, uint64_t *v);
/*
 * The first word of the live system's sysctl @name ("kernel.msgmax" or
 * "kernel/msgmax", @len bytes) into @out (@size bytes), with the file read
 * into @path for messages: a limit a scenario names.  0 or -errno.
 */
int sysctl_word(const char *name, size_t len, char *out, size_t size, char path[256]);
/* -EOPNOTSUPP: "@why: it goes when these close it: <holders of @o>" */
int refuse_no_name(struct ipk_ctx *ctx, const struct ipk_object *o, const char *why,
		   struct ipk_error *e);
/* -EBUSY: "in use: @how <holders of @o>" */
int refuse_in_use(struct ipk_ctx *ctx, const struct ipk_object *o, const char *how,
		  struct ipk_error *e);
/* -EBUSY naming the first of @users that still runs; 0 when none does. */
int refuse_live_users(const struct obj_user *users, size_t n, struct ipk_error *e);
/*
 * The directory of an absolute @path (its own symlinks followed, as any
 * path's), opened O_PATH; *base points at the last component, which the
 * caller must reach with AT_SYMLINK_NOFOLLOW or unlinkat.  -errno.
 */
int open_parent(const char *path, const char **base);
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
 * The removal of an object that is a file (a FIFO, a /dev/shm file, a
 * socket file): @file of directory @dfd (-1: @file is an absolute path,
 * its parent opened here) goes if it is still the file of device @dev and
 * inode @ino (0 and 0: any), of type @type, reached without following a
 * link, the caller may unlink it, and @check (the kind's rule: in use, of
 * the right size ...; NULL: none) says 0 for it.  With IPK_RM_CHECK
 * nothing is removed.  0, or -errno with @e.
 */
int remove_file(struct ipk_ctx *ctx, const struct ipk_object *o, int dfd, const char *file,
		uint64_t dev, uint64_t ino, mode_t type, unsigned flags,
		int (*check)(struct ipk_ctx *ctx, const struct ipk_object *o,
			     const struct stat *st, unsigned flags, struct ipk_error *e),
		struct ipk_error *e);

/*
 * A removal's flag that no caller of ipk_remove() can pass: @o was read
 * by *_STAT_ANY right now, by the scan that hands it to its removal
 * (ipk_remove_each), with nothing between that read and the removal.
 */
#define IPK_RM_FRESH	(1u << 30)

/*
 * SysV: the object now at @o's id (through the *_STAT_ANY of @src) filled
 * into @now, if it is still @o: the same key and ctime; *cur is @now.
 * With IPK_RM_FRESH in @flags nothing is read again and *cur is @o.  0,
 * or -ENOENT / -ESTALE with @e set; obj_clear(@now) in every case.
 */
int sysv_still(const struct sysv_source *src, const struct ipk_object *o, unsigned flags,
	       struct ipk_object *now, const struct ipk_object **cur, struct ipk_error *e);

/*
 * Creates a SysV object with @get (msgget, semget or shmget with @c's
 * sizes) or, unless c->exclusive, finds the one with the key (*existed).
 * The id, or -errno with @e (@no_room says which limit ENOSPC means).
 */
int sysv_get(const struct ipk_kind *k, const struct ipk_create *c,
	     int (*get)(const struct ipk_create *c, key_t key, int flags),
	     const char *no_room, bool *existed, struct ipk_error *e);

#pragma GCC visibility pop

#endif
