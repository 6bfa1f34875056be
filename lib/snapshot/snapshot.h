/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What lib/snapshot.c, lib/watch.c and lib/cond.c share: the entries of a
 * snapshot, its two indexes, and how records are put into it as a watch
 * reads them.
 */
#ifndef IPCKIT_SNAPSHOT_INTERNAL_H
#define IPCKIT_SNAPSHOT_INTERNAL_H

#include "../internal.h"
#include "../ipckit-snapshot.h"

/* A field's bit in the uint64_t masks of ipckit-snapshot.h. */
#define FIELD_MASK(f) (UINT64_C(1) << (f))

/* A per-second rate, decayed lazily: r * exp(-(now - t) / tau). */
struct ewma {
	double r;
	int64_t t;		/* ns, CLOCK_REALTIME */
};

struct snap_entry {
	struct ipk_object *obj;
	uint64_t key;			/* hash of the identity */
	uint64_t ref_key;		/* hash of the REF */
	struct snap_entry *next_key, *next_ref;
	size_t pos;			/* in ipk_snapshot.v */
	uint32_t source;		/* the source of a watch that reported it */
	uint32_t gen;			/* the last poll that saw it */
	unsigned flags;			/* ENTRY_* */
	int64_t first_seen, last_change;	/* ns */
	uint64_t last_changed;
	struct ewma msgs_in, msgs_out, bytes, sem_ops, came, went, changes;
	uint64_t total_msgs_in, total_msgs_out, total_sem_ops;
	uint64_t total_came, total_went, total_changes;
	int64_t file_mtime, stat_at;	/* a queue's mtime at the last look, and when */
	uint32_t own_events;		/* inotify events our own reads of it still owe */
	/* a System V object's *_STAT_ANY reading its record was made of, and when */
	void *raw;
	size_t raw_len;
	int64_t raw_at;			/* ns */
};

enum {
	ENTRY_HELD = 1 << 0,		/* a process held it at the last process scan */
	ENTRY_WAS_HELD = 1 << 1,	/* ... or at the one before */
	ENTRY_OPENED = 1 << 2,		/* opened by another process since (inotify) */
	ENTRY_READ = 1 << 3,		/* read by us in the last poll */
};

struct ipk_snapshot {
	struct snap_entry **v;		/* in no order */
	size_t n, cap;
	struct snap_entry **keys, **refs;	/* hash buckets, nbuckets a power of two */
	size_t nbuckets;
	size_t hint;			/* where the next lookup looks first */
	struct snap_entry **sorted;	/* ipc-ls's order, while sorted_ok */
	bool sorted_ok;
	/* holders that came and went, for the event being reported */
	struct ipk_holder *came, *went;
	size_t came_cap, went_cap;
};

/* How events of a watch or a diff are reported. */
struct emit {
	ipk_event_fn fn;
	void *arg;
	uint64_t fields;		/* 0: every field but the noisy ones */
	const struct ipk_filter *filter;	/* report objects that match it; NULL: all */
	int64_t now;			/* ns, CLOCK_REALTIME */
	bool quiet;			/* keep the records, report nothing */
	int rc;				/* what fn returned, once non-zero */
	size_t count;			/* events reported */
	size_t moved;			/* entries created, changed or removed, reported or not */
};

int64_t snap_now(void);
uint64_t snap_ident_key(const struct ipk_object *o);
uint64_t snap_ref_key(const char *ref);
/* The entry of @o's identity (the same key and the same identity fields), or NULL. */
struct snap_entry *snap_find(const struct ipk_snapshot *s, const struct ipk_object *o);
/*
 * The entry a poll that reads objects in the order of the last one finds
 * next (snap_find's hint), if it is object @id of @source; else NULL.
 */
struct snap_entry *snap_next_if(struct ipk_snapshot *s, uint32_t source, int64_t id);
/* The entry of REF @ref, of namespace *@ns when given. */
struct snap_entry *snap_find_ref(const struct ipk_snapshot *s, const char *ref, const uint64_t *ns);
/*
 * Puts @o (taken) read now by @source in poll @gen: a create, a change,
 * a remove and a create (another object took the identity), or nothing.
 * The entry, or NULL with -ENOMEM in *rc.
 */
struct snap_entry *snap_put(struct ipk_snapshot *s, struct ipk_object *o, uint32_t source,
			    uint32_t gen, struct emit *em, int *rc);
/* Removes @e, reporting it. */
void snap_remove(struct ipk_snapshot *s, struct snap_entry *e, struct emit *em);
/* Reports the entry as created (ipk_watch_start with IPK_WATCH_INITIAL). */
void snap_emit_create(struct ipk_snapshot *s, struct snap_entry *e, struct emit *em);

#endif
