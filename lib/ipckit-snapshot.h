/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libipckit snapshots, diffs and watches: what changed among the IPC
 * objects, and when.
 *
 * A snapshot is one set of records keyed by identity: a System V object
 * by its namespace and id together with its key and creator (an id
 * removed and taken again by a new object is another object), a POSIX
 * object, FIFO or memfd by its file's device and inode (a name unlinked
 * and made again is another object), the other fd kinds by the kernel's
 * inode or id.  A diff of two snapshots is a list of events: a create
 * (with the record), a remove (with the last record), a change (the
 * fields that differ, each with the old and the new record, and for
 * holders who came and who went).
 *
 * A watch keeps one snapshot current and reports each event as it sees
 * it: POSIX creations, removals, resizes and mode changes at once
 * (inotify on /dev/shm and the mqueue filesystem), holders that exit at
 * once (the process events connector as root, pidfds otherwise), the rest
 * by polling, each source only as often as it can change.  ipc-watch
 * prints the events, ipc-top draws the snapshot, ipc-exporter publishes
 * it.
 *
 *	struct ipk_watch *w = ipk_watch_new(ctx, filter, &(struct ipk_watch_opts){ 0 });
 *	ipk_watch_start(w, print_event, NULL);
 *	while (!stop)
 *		ipk_watch_run(w, -1, print_event, NULL);
 *	ipk_watch_free(w);
 *
 * Like the rest of the library it never prints and never exits.
 */
#ifndef IPCKIT_SNAPSHOT_H
#define IPCKIT_SNAPSHOT_H

#include "ipckit.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ipk_snapshot;	/* records keyed by identity */
struct ipk_watch;	/* a snapshot kept current */

/* The bit of field @f (enum ipk_field_id) in a field mask. */
#define IPK_FIELD_MASK(f) (UINT64_C(1) << (f))

enum ipk_event_type {
	IPK_EVENT_CREATE,
	IPK_EVENT_REMOVE,
	IPK_EVENT_CHANGE,
};

/* "create", "remove", "change" */
const char *ipk_event_name(enum ipk_event_type t);

struct ipk_event {
	enum ipk_event_type type;
	struct timespec time;			/* when it was seen (CLOCK_REALTIME) */
	const struct ipk_object *object;	/* the record now; for a remove the last one */
	const struct ipk_object *old;		/* a change: the record before it; else NULL */
	uint64_t changed;			/* a change: IPK_FIELD_MASK()s of what differs */
	/* a change of holders: who came and who went (by pid and fd) */
	const struct ipk_holder *came, *went;
	size_t ncame, nwent;
};

/*
 * Called for each event, in the order seen.  The records live until the
 * callback returns.  A non-zero return stops the diff or the watch step
 * and is returned by it.
 */
typedef int (*ipk_event_fn)(const struct ipk_event *ev, void *arg);

/* ------------------------------------------------------------ snapshots */

struct ipk_snapshot *ipk_snapshot_new(void);
void ipk_snapshot_free(struct ipk_snapshot *s);

/*
 * A snapshot of every object ipk_scan(@ctx, @f, 0) finds.  NULL with
 * errno when memory ran out.
 */
struct ipk_snapshot *ipk_snapshot_take(struct ipk_ctx *ctx, const struct ipk_filter *f);

/*
 * Adds @o (the snapshot takes it; a record of a scan's list must be
 * copied with ipk_object_dup() first).  An object of the same identity
 * already there is replaced.  0, or -ENOMEM with @o freed.
 */
int ipk_snapshot_add(struct ipk_snapshot *s, struct ipk_object *o);

/* An independent copy of @o: its own memory, free it with ipk_object_free(). */
struct ipk_object *ipk_object_dup(const struct ipk_object *o);

size_t ipk_snapshot_len(const struct ipk_snapshot *s);
/*
 * The @i-th record in ipc-ls's order (kind, namespace, id, name).  The
 * order is kept until objects come or go; indexes are valid until then.
 */
const struct ipk_object *ipk_snapshot_at(struct ipk_snapshot *s, size_t i);
/* The record of REF @ref (canonical, as ipk_ref_parse() gives it), or NULL. */
const struct ipk_object *ipk_snapshot_find(const struct ipk_snapshot *s, const char *ref);

/*
 * Whether @was and @now are records of one object (the same identity and,
 * for System V, the same key, creator and unchanged fixed fields, no time
 * gone back).
 */
bool ipk_object_same_identity(const struct ipk_object *was, const struct ipk_object *now);
/*
 * The fields among @fields (a mask; 0 for all) whose values differ
 * between two records of one object.  Fields that move by themselves (a
 * timer's countdown) or by being read (a semaphore file's atime) count
 * only when @fields names them.
 */
uint64_t ipk_object_changes(const struct ipk_object *was, const struct ipk_object *now,
			    uint64_t fields);

/*
 * The events that lead from @from to @to: removes first, in @from's
 * order, then creates and changes of @fields (0: every field but the
 * noisy ones) in @to's order.  An id taken by a new object is a remove
 * and a create, never a change.
 */
int ipk_snapshot_diff(struct ipk_snapshot *from, struct ipk_snapshot *to, uint64_t fields,
		      ipk_event_fn fn, void *arg);

/* ---------------------------------------------------------------- rates */

/*
 * What happened to one object while a watch kept it, as per-second rates
 * smoothed over the last few seconds (an exponential average, 5 s time
 * constant) and as totals since it was first seen.  A watch sees an
 * object between polls only: message and operation counts are lower
 * bounds (a queue filled and drained between two looks moved no count).
 */
struct ipk_rates {
	double msgs_in, msgs_out;	/* messages sent and received per second */
	double bytes;			/* change of SIZE per second (+ filling, - draining) */
	double sem_ops;			/* semaphore operations per second */
	double holders_came, holders_went;	/* holders per second */
	double changes;			/* changes of the record per second */
	uint64_t total_msgs_in, total_msgs_out, total_sem_ops;
	uint64_t total_holders_came, total_holders_went, total_changes;
	struct timespec first_seen;	/* when the watch first saw it */
	struct timespec last_change;	/* when it last changed (first_seen if never) */
	uint64_t last_changed;		/* IPK_FIELD_MASK()s of that change */
};

/* Rates of @o, a record of @s; -ENOENT when @s does not hold it. */
int ipk_snapshot_rates(const struct ipk_snapshot *s, const struct ipk_object *o,
		       const struct timespec *now, struct ipk_rates *r);

/* ---------------------------------------------------------- conditions */

/*
 * A condition on a snapshot, as `ipc-watch --until` takes it:
 *   gone:REF             no object REF
 *   exists:REF           object REF is there
 *   REF.FIELD OP VALUE   a field of object REF (posix-mq:/jobs.messages>=10)
 *   COUNT OP N           objects, orphans, or a kind name (sysv-shm>100):
 *                        how many of them match the filter
 * OP is one of == != >= <= > < (= for ==).  Numbers take size suffixes
 * (4K) for byte fields; other values are compared as ipc-ls shows them
 * (--bytes, --numeric-perms): "0600", "1,0,3", "root".
 */
struct ipk_cond;

/* -EINVAL with *why (static text) for a condition it cannot parse. */
int ipk_cond_parse(const char *text, struct ipk_cond **out, const char **why);
void ipk_cond_free(struct ipk_cond *c);
/* The kind the condition names (its REF's, or the kind it counts), or NULL. */
const struct ipk_kind *ipk_cond_kind(const struct ipk_cond *c);
/* Whether @c holds on @s, counting objects that match @f (NULL: all). */
bool ipk_cond_eval(const struct ipk_cond *c, struct ipk_ctx *ctx, struct ipk_snapshot *s,
		   const struct ipk_filter *f);

/* --------------------------------------------------------------- watches */

#define IPK_WATCH_INITIAL	(1u << 0)	/* ipk_watch_start() reports every object as a create */
#define IPK_WATCH_NO_INOTIFY	(1u << 1)	/* poll POSIX objects too (tests, benchmarks) */
#define IPK_WATCH_NO_EXITS	(1u << 2)	/* no cn_proc or pidfds: exits seen by polling */

struct ipk_watch_opts {
	uint64_t interval_ns;	/* how often to poll; 0: one second */
	uint64_t fields;	/* report changes of these fields only (IPK_FIELD_MASK()s); 0: all */
	unsigned flags;		/* IPK_WATCH_* */
};

/*
 * A watch of the objects of the kinds @f wants in @ctx's namespaces
 * (ipk_ctx_set_ns: "all" watches every namespace).  Events are reported
 * for objects that match @f before or after them; @f is copied.  fd
 * objects that only the watching process holds (its own timer and
 * pidfds) are left out.  The watch uses @ctx until ipk_watch_free().
 * NULL with errno when memory ran out.
 */
struct ipk_watch *ipk_watch_new(struct ipk_ctx *ctx, const struct ipk_filter *f,
				const struct ipk_watch_opts *opts);
/* Watch objects of @k too (a kind --until names), without reporting their events. */
int ipk_watch_add_kind(struct ipk_watch *w, const struct ipk_kind *k);
/*
 * The first look: every object, sources opened.  With IPK_WATCH_INITIAL
 * each object is reported as a create.  Sources that cannot be used
 * (inotify, cn_proc) are diagnostics in the context, and polling takes
 * their place.
 */
int ipk_watch_start(struct ipk_watch *w, ipk_event_fn fn, void *arg);
/*
 * Waits at most @timeout_ms (-1: until something happens) for a source,
 * handles what is ready and reports the events.  The number of events
 * reported; 0 when the time ran out, or when the snapshot changed with
 * nothing to report (objects the filter leaves out: a condition may hold
 * now); -EINTR when a signal came; or what @fn returned.
 */
int ipk_watch_run(struct ipk_watch *w, int timeout_ms, ipk_event_fn fn, void *arg);
/* An fd that polls readable when ipk_watch_run() has work (for a caller's own loop). */
int ipk_watch_fd(const struct ipk_watch *w);
/* The snapshot the watch keeps: valid until the next ipk_watch_run(). */
struct ipk_snapshot *ipk_watch_snapshot(struct ipk_watch *w);
/* The filter of the watch. */
const struct ipk_filter *ipk_watch_filter(const struct ipk_watch *w);

/* What a watch did: for benchmarks and `ipc-watch --stats`. */
struct ipk_watch_stats {
	uint64_t polls;			/* polls done */
	uint64_t poll_ns_last, poll_ns_total;	/* CPU time of the polls (the thread's) */
	uint64_t poll_wall_ns_last;	/* how long the last poll took */
	uint64_t records_read;		/* records read from the kernel, all polls */
	uint64_t records_last;		/* ... in the last poll */
	uint64_t inotify_events;	/* inotify events handled */
	uint64_t exits;			/* holder exits seen at once */
	uint64_t events;		/* events reported */
	bool inotify;			/* POSIX objects through inotify */
	const char *exits_source;	/* "cn_proc", "pidfd" or "poll" */
};
void ipk_watch_stats(const struct ipk_watch *w, struct ipk_watch_stats *st);

void ipk_watch_free(struct ipk_watch *w);

/* ------------------------------------------------------------ prometheus */

struct ipk_prom_opts {
	bool per_object;	/* ipckit_object_* series too */
	size_t max_series;	/* at most this many per-object series; 0: 10,000 */
	double scan_seconds;	/* ipckit_scan_duration_seconds; < 0: none */
	uint64_t dropped_total;	/* added to the dropped-series counter (an exporter's past) */
};

/*
 * The Prometheus text exposition format (0.0.4) of the objects of @s
 * that match @f and of the kernel's limits: per-kind gauges, one gauge
 * per limit and its use, with --per-object the per-object gauges capped
 * at max_series (*dropped: how many were left out).
 */
int ipk_prometheus(struct ipk_ctx *ctx, struct ipk_snapshot *s, const struct ipk_filter *f,
		   const struct ipk_prom_opts *o, struct ipk_buf *out, uint64_t *dropped);

#ifdef __cplusplus
}
#endif
#endif
