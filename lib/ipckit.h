/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libipckit: every IPC object of a Linux system as one kind of record.
 *
 * The library is the only part of ipckit that touches the kernel.  It never
 * prints and never exits: functions return 0 or a negative errno (or NULL
 * with errno set), and problems met while reading many objects (a file that
 * vanished, a permission denied) are collected as diagnostics in the context
 * for the caller to report.  Every function of this header checks its
 * pointers and indexes: NULL or out of range is -EINVAL, NULL, false or
 * an absent value, never a crash.
 *
 * Typical use:
 *
 *	struct ipk_ctx *ctx = ipk_ctx_new();
 *	struct ipk_filter *f = ipk_filter_new();
 *	char *bad = NULL;
 *	if (ipk_filter_set_kinds(f, "shm,posix-shm", &bad) < 0)
 *		fail("unknown kind", bad);
 *	struct ipk_list *l = ipk_scan(ctx, f, 0);
 *	for (size_t i = 0; i < ipk_list_len(l); i++)
 *		use(ipk_list_at(l, i));
 *	ipk_list_free(l); ipk_filter_free(f); ipk_ctx_free(ctx);
 *
 * What lives how long, and who frees it:
 *   - a context, a filter, a list, an object from ipk_lookup() and a REF
 *     from ipk_create() or ipk_ref_parse() are the caller's, freed with
 *     ipk_ctx_free(), ipk_filter_free(), ipk_list_free(),
 *     ipk_object_free() and free();
 *   - the objects of a list are the list's: valid until ipk_list_free(),
 *     which frees them all (never ipk_object_free() one of them);
 *   - what an object gives (ipk_object_ref(), the strings, arrays and
 *     holders of an ipk_value) is valid as long as the object;
 *   - names of kinds, fields, attributes and statuses are static;
 *   - user and group names, and diagnostics, live in the context: until
 *     ipk_ctx_free() (diagnostics until ipk_ctx_clear_diags());
 *   - ipk_strerror()'s text is the calling thread's, until its next call.
 *
 * Threads: a context is used by one thread at a time; distinct contexts
 * may be used from distinct threads at once.  ipk_scan(), ipk_lookup()
 * and ipk_remove() start threads of their own (kinds scanned in parallel;
 * another IPC namespace is entered with setns() in a thread, so the
 * caller's threads never change namespace) and join them before they
 * return.  Lists and objects are not changed by reading them: several
 * threads may read one list.
 */
#ifndef IPCKIT_H
#define IPCKIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The version of this header, the one place it is written: the Makefile
 * reads it for the shared library's name and ipckit.pc.  ipk_version()
 * is the version of the library a program runs with.
 */
#define IPCKIT_VERSION "0.2.0"

const char *ipk_version(void);

struct ipk_ctx;		/* settings, caches and diagnostics of one caller */
struct ipk_kind;	/* one kind backend (sysv-shm, posix-mq, ...) */
struct ipk_object;	/* one object: the shared record of DESIGN.md */
struct ipk_list;	/* objects found by one scan */
struct ipk_filter;	/* the filters shared by every command */

/* ---------------------------------------------------------------- buffers */

/* A growable string.  Zero-initialise it; ipk_buf_free() releases it. */
struct ipk_buf {
	char *s;	/* always NUL-terminated once anything was added */
	size_t len;
	size_t cap;
};

/* Makes room for @more bytes (and the NUL) without adding anything. */
int ipk_buf_reserve(struct ipk_buf *b, size_t more);
int ipk_buf_add(struct ipk_buf *b, const char *s, size_t n);
int ipk_buf_puts(struct ipk_buf *b, const char *s);
int ipk_buf_printf(struct ipk_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Appends @s as a JSON string literal, quotes included. */
int ipk_buf_json_string(struct ipk_buf *b, const char *s);
/*
 * Appends a REF as a JSON string literal, with escapes as text: \x5c for
 * a backslash, \xHH for each byte of a control character, of a zero-width
 * or bidirectional one and of what is no UTF-8. What a program reads from
 * it is a REF every command takes back for that object, in any locale.
 */
int ipk_buf_json_ref(struct ipk_buf *b, const char *ref);
void ipk_buf_reset(struct ipk_buf *b);
void ipk_buf_free(struct ipk_buf *b);

/*
 * An arena: many small allocations freed together, with no header each
 * and one munmap() at the end.  Its memory comes in chunks growing to
 * 1 MiB.  Zero-initialise it; ipk_arena_free() releases it.
 */
struct ipk_arena {
	struct ipk_arena_chunk *chunks;
};

/* @n bytes aligned to 8, not zeroed; NULL when memory runs out. */
void *ipk_arena_alloc(struct ipk_arena *a, size_t n);
/* Moves every chunk of @from into @to (@from is left empty). */
void ipk_arena_move(struct ipk_arena *to, struct ipk_arena *from);
void ipk_arena_free(struct ipk_arena *a);

/* ---------------------------------------------------------------- context */

struct ipk_ctx *ipk_ctx_new(void);
void ipk_ctx_free(struct ipk_ctx *ctx);

/*
 * Reads /proc, /dev/shm and the mqueue filesystem below @root instead of
 * "/", so parsing can be tested against frozen copies.  With a root other
 * than "/" no system call asks the live kernel about objects: what only the
 * kernel can tell is left unknown.
 */
int ipk_ctx_set_sysroot(struct ipk_ctx *ctx, const char *root);
const char *ipk_ctx_sysroot(const struct ipk_ctx *ctx);

/*
 * Which IPC namespaces a scan reads: "all" (every namespace a process is
 * in, each object with its NS), or a PID (that process's namespace).  The
 * caller's own is read by default.  Other namespaces are read from a
 * thread that enters them (CAP_SYS_ADMIN); one that cannot be entered is
 * a diagnostic, processes whose namespace cannot be read are counted in
 * ipk_ctx_unreadable_procs().  -EINVAL for a malformed spec, -ESRCH for
 * no such process.
 */
int ipk_ctx_set_ns(struct ipk_ctx *ctx, const char *spec);

/*
 * Whether the process scan (holders, fd kinds) may read every process in
 * the kernel through BPF iterators (CAP_BPF, CAP_PERFMON and BTF, Linux
 * 6.7) instead of /proc, where there are 400 processes or more (loading
 * the iterators costs what /proc takes for some 400); on by default.
 * Either way the records are the same; where BPF cannot be had the scan
 * reads /proc and says nothing.
 */
int ipk_ctx_set_bpf(struct ipk_ctx *ctx, bool use);

/*
 * The fields the caller will use (enum ipk_field_id), so a scan may skip
 * what costs and is not wanted (the rss of System V segments needs
 * /proc/sysvipc/shm; holders need every process's fds).  By default every
 * field is wanted.  Filters and sorting always get what they need.
 */
int ipk_ctx_want_fields(struct ipk_ctx *ctx, const int *fields, size_t n);

/* One problem met while reading: "cannot read '/proc/sysvipc/sem': EACCES". */
struct ipk_diag {
	int err;		/* positive errno */
	const char *verb;	/* "read", "open", "stat" ... */
	const char *object;	/* path or REF the problem is about */
};

/*
 * Processes whose fds, mappings or IPC namespace the last scan could not
 * read: holders (and with --ns all, namespaces) may be missing from what
 * it found, and ORPHAN is not proof.
 */
size_t ipk_ctx_unreadable_procs(const struct ipk_ctx *ctx);

/*
 * Whether the last scan (or watch poll) could read kind @k only in part:
 * its file or directory, or the processes that hold it, could not be read
 * (a diagnostic says why).  Its objects may be missing: a count of them
 * would be false.
 */
bool ipk_ctx_kind_partial(const struct ipk_ctx *ctx, const struct ipk_kind *k);

size_t ipk_ctx_ndiags(const struct ipk_ctx *ctx);
const struct ipk_diag *ipk_ctx_diag(const struct ipk_ctx *ctx, size_t i);
void ipk_ctx_clear_diags(struct ipk_ctx *ctx);

/* ----------------------------------------------------------------- kinds */

/* Families group kinds that share a namespace and the way they are found. */
enum ipk_family {
	IPK_FAMILY_SYSV,	/* System V: keys and ids, /proc/sysvipc */
	IPK_FAMILY_POSIX,	/* POSIX named objects: /dev/shm, mqueue fs */
	IPK_FAMILY_FD,		/* reachable only through processes' fds */
};

size_t ipk_kind_count(void);
const struct ipk_kind *ipk_kind_at(size_t i);
/* Accepts the kind's name ("sysv-shm") or its alias ("shm"); NULL if none. */
const struct ipk_kind *ipk_kind_find(const char *name);
const char *ipk_kind_name(const struct ipk_kind *k);
const char *ipk_kind_alias(const struct ipk_kind *k);	/* NULL if none */
const char *ipk_kind_description(const struct ipk_kind *k);
enum ipk_family ipk_kind_family(const struct ipk_kind *k);
size_t ipk_kind_index(const struct ipk_kind *k);
/*
 * Whether field @field (enum ipk_field_id) has a meaning for objects of @k;
 * where it has not, ipk_object_get() of any of them says IPK_ABSENT.
 */
bool ipk_kind_has_field(const struct ipk_kind *k, int field);

/* ---------------------------------------------------------------- fields */

/* How a field's value is stored and shown.  Append only (ABI). */
enum ipk_field_type {
	IPK_T_STRING,	/* text */
	IPK_T_NUMBER,	/* a plain integer */
	IPK_T_BYTES,	/* an integer number of bytes: human units in tables */
	IPK_T_KEY,	/* SysV key: "0x%08x" */
	IPK_T_PERMS,	/* permission bits: "0640" in JSON, rw-r----- in tables */
	IPK_T_TIME,	/* seconds since the epoch; ISO 8601 UTC in JSON */
	IPK_T_USER,	/* a uid shown as its user name */
	IPK_T_GROUP,	/* a gid shown as its group name */
	IPK_T_STATUS,	/* flags: a list of words */
	IPK_T_VALUE,	/* a number, or an array of numbers (sysv-sem) */
	IPK_T_NUMBERS,	/* an array of integers */
	IPK_T_HOLDERS,	/* processes: [{"pid","comm","fd","mode"}] */
	IPK_T_KIND,	/* the kind name */
	IPK_T_STRINGS,	/* a list of words: signals, seals */
	IPK_T_SECONDS,	/* nanoseconds, shown as seconds: 1.5 */
};

#define IPK_FIELD_DETAIL	(1u << 0)	/* kind-specific: -i and JSON */
#define IPK_FIELD_RIGHT		(1u << 1)	/* right-aligned in tables */
#define IPK_FIELD_WIDE		(1u << 2)	/* may be truncated in tables */
/* read from a slower source, only where asked for: "every field" leaves it out */
#define IPK_FIELD_COSTLY	(1u << 3)

/*
 * Every field of the record, one row each: X(ID, json, column, type,
 * flags, help).  This list is the only place a field is declared: the
 * enum below, the library's field table, --help and completion come from
 * it, and a test checks the man pages' tables against it.  The order is the order of `ipc-ls -i`
 * and of JSON objects, and a field's id is its row number: part of the
 * ABI, so rows are only ever appended.  Fields flagged IPK_FIELD_DETAIL
 * are filled by a scan only where that costs nothing extra;
 * ipk_object_fill_detail() fills the rest.
 */
#define IPK_FIELDS(X)								\
	X(KIND, "kind", "KIND", IPK_T_KIND, 0, "kind of object")		\
	X(REF, "ref", "REF", IPK_T_STRING, 0,					\
	  "reference accepted by every command")				\
	X(ID, "id", "ID", IPK_T_NUMBER, IPK_FIELD_RIGHT, "System V id")		\
	X(KEY, "key", "KEY", IPK_T_KEY, 0, "System V key")			\
	X(NAME, "name", "NAME", IPK_T_STRING, IPK_FIELD_WIDE,			\
	  "POSIX name, path, socket path or memfd name")			\
	X(OWNER, "owner", "OWNER", IPK_T_USER, 0, "owner")			\
	X(UID, "uid", "UID", IPK_T_NUMBER, IPK_FIELD_RIGHT, "owner user id")	\
	X(GROUP, "group", "GROUP", IPK_T_GROUP, 0, "owner group")		\
	X(GID, "gid", "GID", IPK_T_NUMBER, IPK_FIELD_RIGHT, "owner group id")	\
	X(CUSER, "cuser", "CUSER", IPK_T_USER, 0, "creator")			\
	X(CUID, "cuid", "CUID", IPK_T_NUMBER, IPK_FIELD_RIGHT, "creator user id") \
	X(CGROUP, "cgroup", "CGROUP", IPK_T_GROUP, 0, "creator group")		\
	X(CGID, "cgid", "CGID", IPK_T_NUMBER, IPK_FIELD_RIGHT, "creator group id") \
	X(PERMS, "perms", "PERMS", IPK_T_PERMS, 0, "permission bits")		\
	X(SIZE, "size", "SIZE", IPK_T_BYTES, IPK_FIELD_RIGHT,			\
	  "bytes: segment or object size; for queues the bytes queued now")	\
	X(CAPACITY, "capacity", "CAPACITY", IPK_T_BYTES, IPK_FIELD_RIGHT,	\
	  "bytes the object can hold")						\
	X(MESSAGES, "messages", "MSGS", IPK_T_NUMBER, IPK_FIELD_RIGHT,		\
	  "messages queued now")						\
	X(MAXMSG, "maxmsg", "MAXMSG", IPK_T_NUMBER, IPK_FIELD_RIGHT,		\
	  "most messages the queue holds")					\
	X(MSGSIZE, "msgsize", "MSGSIZE", IPK_T_BYTES, IPK_FIELD_RIGHT,		\
	  "largest message")							\
	X(VALUE, "value", "VALUE", IPK_T_VALUE, IPK_FIELD_RIGHT | IPK_FIELD_WIDE, \
	  "semaphore value(s), eventfd counter, timerfd seconds to the next expiry") \
	X(NATTCH, "nattch", "NATTCH", IPK_T_NUMBER, IPK_FIELD_RIGHT,		\
	  "number of attaches")							\
	X(HOLDERS, "holders", "HOLDERS", IPK_T_HOLDERS, IPK_FIELD_WIDE,		\
	  "processes that hold it")						\
	X(CPID, "cpid", "CPID", IPK_T_NUMBER, IPK_FIELD_RIGHT, "creator pid")	\
	X(LPID, "lpid", "LPID", IPK_T_NUMBER, IPK_FIELD_RIGHT,			\
	  "last operator pid")							\
	X(CTIME, "ctime", "CTIME", IPK_T_TIME, 0, "time of the last change")	\
	X(ATIME, "atime", "ATIME", IPK_T_TIME, 0,				\
	  "last attach, send or operation")					\
	X(DTIME, "dtime", "DTIME", IPK_T_TIME, 0, "last detach or receive")	\
	X(STATUS, "status", "STATUS", IPK_T_STATUS, 0,				\
	  "flags: dest, locked, orphan, gone, notify, listening, connected, semaphore") \
	X(NS, "ns", "NS", IPK_T_NUMBER, IPK_FIELD_RIGHT, "IPC namespace inode")	\
	X(NSEMS, "nsems", "NSEMS", IPK_T_NUMBER, IPK_FIELD_RIGHT | IPK_FIELD_DETAIL, \
	  "semaphores in the array")						\
	X(LSPID, "lspid", "LSPID", IPK_T_NUMBER, IPK_FIELD_RIGHT | IPK_FIELD_DETAIL, \
	  "pid of the last send")						\
	X(LRPID, "lrpid", "LRPID", IPK_T_NUMBER, IPK_FIELD_RIGHT | IPK_FIELD_DETAIL, \
	  "pid of the last receive")						\
	X(SEMNCNT, "semncnt", "SEMNCNT", IPK_T_NUMBERS, IPK_FIELD_DETAIL,	\
	  "per semaphore: processes waiting for an increase")			\
	X(SEMZCNT, "semzcnt", "SEMZCNT", IPK_T_NUMBERS, IPK_FIELD_DETAIL,	\
	  "per semaphore: processes waiting for zero")				\
	X(SEMPID, "sempid", "SEMPID", IPK_T_NUMBERS, IPK_FIELD_DETAIL,		\
	  "per semaphore: pid of the last operation")				\
	X(WAITERS, "waiters", "WAITERS", IPK_T_NUMBER, IPK_FIELD_RIGHT | IPK_FIELD_DETAIL, \
	  "processes blocked in sem_wait")					\
	X(RSS, "rss", "RSS", IPK_T_BYTES,					\
	  IPK_FIELD_RIGHT | IPK_FIELD_DETAIL | IPK_FIELD_COSTLY, "resident bytes") \
	X(SWAP, "swap", "SWAP", IPK_T_BYTES,					\
	  IPK_FIELD_RIGHT | IPK_FIELD_DETAIL | IPK_FIELD_COSTLY, "swapped-out bytes") \
	X(NOTIFY_PID, "notify_pid", "NOTIFY_PID", IPK_T_NUMBER,			\
	  IPK_FIELD_RIGHT | IPK_FIELD_DETAIL, "process registered with mq_notify") \
	X(INODE, "inode", "INODE", IPK_T_NUMBER, IPK_FIELD_RIGHT | IPK_FIELD_DETAIL, \
	  "inode of the object")						\
	X(TYPE, "type", "TYPE", IPK_T_STRING, IPK_FIELD_DETAIL,			\
	  "socket type: stream, dgram, seqpacket")				\
	X(STATE, "state", "STATE", IPK_T_STRING, IPK_FIELD_DETAIL,		\
	  "socket state: listening, connected, unconnected ...")		\
	X(PEER, "peer", "PEER", IPK_T_STRING, IPK_FIELD_DETAIL,			\
	  "the REF of the socket at the other end")				\
	X(RECVQ, "recvq", "RECVQ", IPK_T_NUMBER, IPK_FIELD_RIGHT | IPK_FIELD_DETAIL, \
	  "receive queue: bytes, or connections waiting on a listener")		\
	X(SENDQ, "sendq", "SENDQ", IPK_T_NUMBER, IPK_FIELD_RIGHT | IPK_FIELD_DETAIL, \
	  "send queue: bytes, or the backlog of a listener")			\
	X(CLOCK, "clock", "CLOCK", IPK_T_STRING, IPK_FIELD_DETAIL,		\
	  "timerfd clock: realtime, monotonic, boottime ...")			\
	X(INTERVAL, "interval", "INTERVAL", IPK_T_SECONDS,			\
	  IPK_FIELD_RIGHT | IPK_FIELD_DETAIL, "timerfd period in seconds (0: fires once)") \
	X(TICKS, "ticks", "TICKS", IPK_T_NUMBER, IPK_FIELD_RIGHT | IPK_FIELD_DETAIL, \
	  "timerfd expirations not read yet")					\
	X(TIMER_FLAGS, "timer_flags", "TIMER_FLAGS", IPK_T_STRING, IPK_FIELD_DETAIL, \
	  "timerfd settime flags: abstime, cancel_on_set")			\
	X(SIGNALS, "signals", "SIGNALS", IPK_T_STRINGS,				\
	  IPK_FIELD_DETAIL | IPK_FIELD_WIDE, "signals a signalfd accepts")	\
	X(SEALS, "seals", "SEALS", IPK_T_STRINGS, IPK_FIELD_DETAIL,		\
	  "memfd seals: seal, shrink, grow, write, future_write, exec")		\
	X(TARGET, "target", "TARGET", IPK_T_NUMBER, IPK_FIELD_RIGHT | IPK_FIELD_DETAIL, \
	  "the process a pidfd refers to (-1: it has exited)")

enum ipk_field_id {
#define IPK_FIELD_ID_(id, json, column, type, flags, help) IPK_F_##id,
	IPK_FIELDS(IPK_FIELD_ID_)
#undef IPK_FIELD_ID_
	IPK_F_COUNT	/* of this header; ipk_field_count() tells the library's */
};

struct ipk_field_info {
	const char *json;	/* "messages": the JSON name */
	const char *column;	/* "MSGS": the column and -o name */
	const char *help;	/* one line for --help and the man page */
	enum ipk_field_type type;
	unsigned flags;		/* IPK_FIELD_* */
};

/* How many fields the library knows (at least IPK_F_COUNT of its own header). */
int ipk_field_count(void);
/* The row of field @field; NULL when there is none. */
const struct ipk_field_info *ipk_field_info(int field);
/* Accepts the column name or the JSON name, any case; -1 if none. */
int ipk_field_find(const char *name);

/* Status flags of an object (IPK_F_STATUS). */
enum ipk_status {
	IPK_ST_DEST	= 1u << 0,	/* removed, alive until the last detach */
	IPK_ST_LOCKED	= 1u << 1,	/* SHM_LOCK: never swapped */
	/*
	 * No live process holds or uses it: a SysV segment nothing is attached
	 * to, a POSIX object or socket no process holds (known only when every
	 * process could be read), a SysV queue or array whose every known user
	 * is GONE.
	 */
	IPK_ST_ORPHAN	= 1u << 2,
	IPK_ST_NOTIFY	= 1u << 3,	/* a process asked mq_notify */
	IPK_ST_GONE	= 1u << 4,	/* its creator or last users are dead (or the pid reused) */
	IPK_ST_LISTENING = 1u << 5,	/* a socket that accepts connections */
	IPK_ST_CONNECTED = 1u << 6,	/* a socket with a peer */
	IPK_ST_SEMAPHORE = 1u << 7,	/* an eventfd in semaphore mode */
};

/* -------------------------------------------------------------- objects */

/* A process holding an object through an fd or a mapping. */
struct ipk_holder {
	pid_t pid;
	int fd;			/* -1 for a mapping or a SysV attach */
	char comm[16];		/* the command name, as /proc/PID/comm */
	/*
	 * "r", "w", "rw", "" when unknown, or "waiting": blocked in a call on
	 * it (a msgrcv, a semop, a read of the pipe, a sem_wait ...)
	 */
	char mode[8];
};

const struct ipk_kind *ipk_object_kind(const struct ipk_object *o);
const char *ipk_object_ref(const struct ipk_object *o);

/* What one field of one object holds. */
enum ipk_presence {
	IPK_ABSENT,	/* does not apply, or nothing to show ("never") */
	IPK_NOACCESS,	/* applies, but the caller may not read it */
	IPK_PRESENT,
};

struct ipk_value {
	enum ipk_presence presence;
	enum ipk_field_type type;
	/* a number is in .u when is_unsigned, else in .i: they share storage */
	union {
		int64_t i;			/* NUMBER, KEY, TIME, VALUE */
		uint64_t u;			/* BYTES, PERMS, USER, GROUP, STATUS */
		const char *s;			/* STRING, KIND */
		struct {
			const int64_t *v;
			size_t n;
		} list;				/* NUMBERS, VALUE as an array */
		struct {
			const struct ipk_holder *v;
			size_t n;
		} holders;			/* HOLDERS */
		struct {
			const char *const *v;
			size_t n;
		} strings;			/* STRINGS */
	};
	bool is_list;				/* VALUE given as an array */
	bool is_unsigned;			/* NUMBER stored unsigned (.u) */
};

void ipk_object_get(const struct ipk_object *o, int field, struct ipk_value *v);

/* How fields are turned into text for tables and `ipc-ls -i`. */
enum ipk_time_format {
	IPK_TIME_SHORT,		/* "20:29" today, "Nov21" this year, else "2025-11-21" */
	IPK_TIME_FULL,		/* "2026-11-21 20:29:00" local time */
	IPK_TIME_ISO,		/* "2026-11-21T20:29:00+0100" */
	IPK_TIME_RELATIVE,	/* "5m ago" */
	IPK_TIME_EPOCH,		/* seconds since the epoch */
};

struct ipk_format {
	bool exact_bytes;	/* 4096 instead of 4K */
	bool numeric_perms;	/* 0640 instead of rw-r----- */
	enum ipk_time_format time;
	time_t now;		/* for SHORT and RELATIVE; 0: the clock */
};

/* Table text of a field: "-" when absent, "no access" when unreadable. */
int ipk_field_text(struct ipk_ctx *ctx, const struct ipk_object *o, int field,
		   const struct ipk_format *fmt, struct ipk_buf *out);
/* The same for a value ipk_object_get() gave. */
int ipk_value_text(struct ipk_ctx *ctx, const struct ipk_value *v,
		   const struct ipk_format *fmt, struct ipk_buf *out);
/* JSON value of a field: a number, a string, an array, or null. */
int ipk_field_json(struct ipk_ctx *ctx, const struct ipk_object *o, int field,
		   struct ipk_buf *out);
/*
 * The object as one JSON object.  With @fields NULL: every record field
 * (null where it does not apply) and every detail field that is known,
 * plus "no_access": [names] when some field could not be read.
 */
int ipk_object_json(struct ipk_ctx *ctx, const struct ipk_object *o,
		    const int *fields, size_t nfields, struct ipk_buf *out);

/* Fills what only `-i` shows (per-semaphore ncount, zcount and pid ...). */
int ipk_object_fill_detail(struct ipk_ctx *ctx, struct ipk_object *o);

/* --------------------------------------------------------------- filters */

struct ipk_filter *ipk_filter_new(void);
void ipk_filter_free(struct ipk_filter *f);

/*
 * Each setter parses the text a user typed and returns 0, or -EINVAL for
 * text it cannot parse (with *bad, where given, set to a malloc'd copy of
 * the offending word for kinds), or -ENOENT for an unknown user.
 */
int ipk_filter_set_kinds(struct ipk_filter *f, const char *list, char **bad);
int ipk_filter_add_kind(struct ipk_filter *f, const struct ipk_kind *k);
int ipk_filter_set_owner(struct ipk_filter *f, const char *user);
int ipk_filter_set_name(struct ipk_filter *f, const char *glob);
int ipk_filter_set_key(struct ipk_filter *f, const char *key);
int ipk_filter_set_older_than(struct ipk_filter *f, const char *duration);
int ipk_filter_set_min_size(struct ipk_filter *f, const char *size);
/* Objects that process holds (an fd, a mapping, an attach). */
int ipk_filter_set_pid(struct ipk_filter *f, const char *pid);
/* Objects no live process holds or uses: see IPK_ST_ORPHAN. */
int ipk_filter_set_orphan(struct ipk_filter *f, bool orphan);
/*
 * With ipk_filter_set_orphan(): also the objects no process that could be
 * read holds, where some could not (ipk_ctx_unreadable_procs): not known
 * orphans, without IPK_ST_ORPHAN, for a command that removes orphans to
 * refuse by name, or to remove when told to anyway.
 */
int ipk_filter_set_orphan_unproven(struct ipk_filter *f, bool also);
bool ipk_filter_wants_kind(const struct ipk_filter *f, const struct ipk_kind *k);
bool ipk_filter_match(const struct ipk_filter *f, const struct ipk_object *o,
		      time_t now);

/* ----------------------------------------------------------------- scans */

#define IPK_SCAN_DETAIL	(1u << 0)	/* also fill the detail fields */

/*
 * Every object of the kinds @f wants (all kinds with @f NULL) that matches
 * @f, sorted by kind, then id, then name.  A kind that cannot be read adds
 * a diagnostic and the scan goes on; NULL with errno only when memory ran
 * out.
 */
struct ipk_list *ipk_scan(struct ipk_ctx *ctx, const struct ipk_filter *f,
			  unsigned flags);
struct ipk_list *ipk_list_new(void);
/* Takes ownership of @o; -ENOMEM (and @o freed) on failure. */
int ipk_list_append(struct ipk_list *l, struct ipk_object *o);
size_t ipk_list_len(const struct ipk_list *l);
struct ipk_object *ipk_list_at(const struct ipk_list *l, size_t i);
void ipk_list_free(struct ipk_list *l);

/*
 * Parses "KIND:ARG" (sysv-shm:32768, mq:/jobs, posix-sem:/lock ...) into
 * its kind and the canonical REF.  -EINVAL for a malformed REF, -ENOENT for
 * an unknown kind.  *canon is malloc'd.
 */
int ipk_ref_parse(const char *ref, const struct ipk_kind **kind, char **canon);

/*
 * The object named by @ref, with its detail filled.  -EINVAL malformed,
 * -ENOENT unknown kind, -ESRCH no such object; 0 and *out otherwise.
 */
int ipk_lookup(struct ipk_ctx *ctx, const char *ref, struct ipk_object **out);
/*
 * The objects @was[0..n) of a scan or lookup of @ctx, each read again now
 * by its REF, as ipk_lookup() reads one but without detail, and all with
 * one pass over /proc for their holders: a check of many objects that
 * lists nothing else.  now[i] is NULL where it is gone.  0, or -ENOMEM
 * (and every now[i] NULL).
 */
int ipk_reread(struct ipk_ctx *ctx, struct ipk_object *const *was, size_t n,
	       struct ipk_object **now);
/*
 * Who uses each of @objs[0..n) now (holders, waiters, and the NATTCH they
 * make of a POSIX object), updated in place with one pass over /proc: what
 * ipk_remove() judges use by, after however long a confirmation took.
 * 0 or -ENOMEM.
 */
int ipk_rejudge(struct ipk_ctx *ctx, struct ipk_object *const *objs, size_t n);
void ipk_object_free(struct ipk_object *o);

/* ------------------------------------------------- creating and removing */

/* Why an operation on one object did not happen, in words. */
struct ipk_error {
	int err;		/* positive errno */
	char text[256];		/* "permission denied (owner postgres)" */
};

/* What ipk_create() may be told; each kind takes some (ipk_kind_create_attrs). */
enum ipk_attr {
	IPK_ATTR_KEY,		/* SysV key; without it IPC_PRIVATE */
	IPK_ATTR_MODE,		/* permission bits, applied as given (no umask) */
	IPK_ATTR_SIZE,		/* shared memory bytes */
	IPK_ATTR_NSEMS,		/* semaphores in a SysV array */
	IPK_ATTR_VALUE,		/* every semaphore's initial value */
	IPK_ATTR_VALUES,	/* one initial value per semaphore */
	IPK_ATTR_MAXMSG,	/* POSIX queue: messages */
	IPK_ATTR_MSGSIZE,	/* POSIX queue: bytes per message */
	IPK_ATTR_QBYTES,	/* SysV queue: bytes queued at most */
	IPK_ATTR_COUNT
};
#define IPK_ATTR_BIT(a) (1u << (a))

struct ipk_create {
	const char *name;	/* "/jobs" (POSIX kinds), an absolute path (fifo) */
	unsigned set;		/* IPK_ATTR_BIT()s of the members given */
	int32_t key;
	uint32_t mode;		/* default 0600 */
	uint64_t size, nsems, maxmsg, msgsize, qbytes;
	int64_t value;
	const int64_t *values;
	size_t nvalues;
	bool exclusive;		/* fail when it exists */
};

/* Whether ipk_create() makes objects of @k, with which attributes, named or not. */
bool ipk_kind_can_create(const struct ipk_kind *k);
/* Whether objects of @k have something to remove (a name, an id); a pipe has not. */
bool ipk_kind_can_remove(const struct ipk_kind *k);
unsigned ipk_kind_create_attrs(const struct ipk_kind *k);
bool ipk_kind_create_named(const struct ipk_kind *k);

/*
 * Creates an object of kind @k in the caller's namespaces, or, unless
 * c->exclusive, opens the existing one of that name or key unchanged
 * (*existed true).  *ref is its REF (malloc'd).  Attributes are checked
 * against the limits the administrator set (kernel.shmmax,
 * fs.mqueue.msgsize_max ...) first, even where privilege would pass them.
 * A step that fails after the object exists removes what this call made:
 * nothing half-made is left.  0, or -errno with @e saying why.
 */
int ipk_create(struct ipk_ctx *ctx, const struct ipk_kind *k, const struct ipk_create *c,
	       char **ref, bool *existed, struct ipk_error *e);

/*
 * Whether @now, a record of @was's REF read later, is of the same object
 * rather than of a newer one that took its id or name: for files the
 * device and inode; for SysV objects the key, creator, ctime, mode and
 * size.  When not, and @why is given, it says how they differ.
 */
bool ipk_object_same(const struct ipk_object *was, const struct ipk_object *now,
		     struct ipk_error *why);

/* "key", "size" ...: the attribute's name, as ipc-mk's options spell it. */
const char *ipk_attr_name(enum ipk_attr a);

/* strerror() in the words of messages: lower case, "permission denied". */
const char *ipk_strerror(int err);
/*
 * Whether errno @err (either sign) says this system lacks the facility
 * (ENOSYS, EOPNOTSUPP, an address or protocol family or socket type it
 * has not): "not supported here", exit status 3 of every command.
 */
bool ipk_errno_unsupported(int err);

#define IPK_RM_FORCE	(1u << 0)	/* even when in use */
#define IPK_RM_CHECK	(1u << 1)	/* every check, no removal (a dry run) */

/*
 * Removes @o, an object of a scan or lookup of @ctx, if it is still what
 * was selected: right before a SysV IPC_RMID the id must still carry the
 * key and ctime of @o; a file must still be the same inode, of the type
 * its kind has (a regular file in /dev/shm, a FIFO, a socket), reached
 * without following a symlink.  0 when removed (or, with IPK_RM_CHECK,
 * when it would be); otherwise -errno and @e:
 *   -ENOENT      gone since it was selected
 *   -ESTALE      its id or name now belongs to another object
 *   -EBUSY       in use (attached, held, waited on, listened on); @e names who
 *   -EOPNOTSUPP  the kind has nothing to remove (a pipe ...); @e names its holders
 *   -EINVAL      not the kind it claims (a semaphore file of the wrong size ...)
 *   -EPERM ...   the kernel refused; @e names the owner
 */
int ipk_remove(struct ipk_ctx *ctx, const struct ipk_object *o, unsigned flags,
	       struct ipk_error *e);

/*
 * Removes every object of the System V kinds @kinds[0..n), each as it is
 * read: who holds or waits on them is read first, in one pass over /proc;
 * then each index's *_STAT_ANY is the read that selects the object and
 * the one its checks (ipk_remove's, with @flags) judge right before its
 * IPC_RMID, so nothing comes between its selection and its removal.
 * @done is told of every object, with ipk_remove()'s result and @e; the
 * object is freed when it returns, and a non-zero return (-ENOMEM) stops
 * all.  -EOPNOTSUPP, with nothing done, for a kind of another family or a
 * context that is not the live system's own IPC namespace (--ns): select
 * with ipk_scan() and remove with ipk_remove() there.  0 or -ENOMEM.
 */
int ipk_remove_each(struct ipk_ctx *ctx, const struct ipk_kind *const *kinds, size_t n,
		    unsigned flags,
		    int (*done)(void *arg, const struct ipk_object *o, int rc,
				const struct ipk_error *e),
		    void *arg);

/* ---------------------------------------------------------------- actions */

/* What ipc-top's keys do to one object, besides create and remove. */
enum ipk_action {
	IPK_ACTION_POST,	/* a semaphore: +1 */
	IPK_ACTION_WAIT,	/* a semaphore: -1, never blocking */
	IPK_ACTION_SEND,	/* a queue: one message */
	IPK_ACTION_RECEIVE,	/* a queue: the first message */
};
#define IPK_ACTION_BIT(a) (1u << (a))

/* The IPK_ACTION_BIT()s objects of @k take (0: none). */
unsigned ipk_kind_actions(const struct ipk_kind *k);

/*
 * Posts (+1) or waits (-1) on semaphore @member of @o (0 for a POSIX
 * semaphore), in its namespace; a wait never blocks.  0, or -errno and
 * @e: -EAGAIN the wait would block, -EOPNOTSUPP not a semaphore,
 * -EINVAL no such member, -ESTALE the name is another file now, -EPERM ...
 */
int ipk_sem_op(struct ipk_ctx *ctx, const struct ipk_object *o, enum ipk_action what,
	       size_t member, struct ipk_error *e);
/*
 * Sends @len bytes of @data to queue @o with @type (SysV, at least 1) or
 * priority (POSIX), never blocking: -EAGAIN when it is full.
 */
int ipk_msg_send(struct ipk_ctx *ctx, const struct ipk_object *o, const void *data, size_t len,
		 long type, struct ipk_error *e);
/*
 * Receives the first message of queue @o into @out (appended), with its
 * type or priority in *@type when given; -ENOMSG when it is empty.
 */
int ipk_msg_receive(struct ipk_ctx *ctx, const struct ipk_object *o, struct ipk_buf *out,
		    long *type, struct ipk_error *e);

/* ---------------------------------------------------------------- limits */

enum ipk_unit {
	IPK_UNIT_COUNT,
	IPK_UNIT_BYTES,
};

/* One kernel limit and, where the kernel tells, how much of it is used. */
struct ipk_limit {
	const char *resource;		/* "SHMMNI" */
	const char *description;	/* "number of shared memory segments" */
	const char *source;		/* "kernel.shmmni", "ulimit -q" ... */
	enum ipk_unit unit;
	bool has_limit;
	bool unlimited;			/* the limit is "no limit" */
	uint64_t limit;
	bool has_used;
	uint64_t used;
};

/* The limits table; *out is malloc'd, free it with free(). */
int ipk_limits(struct ipk_ctx *ctx, struct ipk_limit **out, size_t *n);
/* Used as a percentage of the limit, or -1 when either is unknown. */
double ipk_limit_percent(const struct ipk_limit *l);

/* --------------------------------------------------------------- parsing */

/* "4096", "4K", "4KiB", "1.5M", "2G": bytes; -EINVAL or -ERANGE. */
int ipk_parse_size(const char *s, uint64_t *bytes);
/*
 * Durations, in one grammar: "90" (seconds), "90s", "500ms", "1.5s",
 * "250us", "15m", "1h30m", "2d", "1w" (units ns us ms s m h d w, combined
 * from the largest).  In nanoseconds, or in whole seconds rounded up.
 * -EINVAL or -ERANGE.
 */
int ipk_parse_duration_ns(const char *s, uint64_t *ns);
int ipk_parse_duration(const char *s, int64_t *seconds);
/* "0x1a2b", "6699", "ftok:PATH:PROJ": a SysV key; -EINVAL, or -errno of ftok. */
int ipk_parse_key(const char *s, int32_t *key);

/* "4K", "1.5M": the short human form of a byte count, as lsipc prints it. */
int ipk_format_bytes(uint64_t bytes, struct ipk_buf *out);
/* "312ns", "7.24us", "72.1us", "1.35ms", "2.00s": a time, three significant digits. */
int ipk_format_ns(double ns, struct ipk_buf *out);

#ifdef __cplusplus
}
#endif
#endif
