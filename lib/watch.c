/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Watches: one snapshot kept current from the cheapest source of each
 * kind of change.
 *
 *   POSIX names     inotify on /dev/shm and the mqueue directory: creates,
 *                   removes, resizes and mode changes are read at once, one
 *                   name each, never by reading the directory again
 *   queue contents  a queue's mtime moves on every send and receive: each
 *                   poll stats each queue and reads only those that moved
 *   semaphores      a POSIX semaphore changes only through a mapping, so
 *                   only those a process maps (or opened for writing since
 *                   the last look) are read again
 *   System V        nothing tells: every object, every poll, one *_STAT_ANY
 *                   each; a reading the same as the last (sysv_unchanged)
 *                   keeps its record, the rest are made and compared
 *   fd kinds,       the process scan, every poll; a holder's exit at once
 *   holders         through the process events connector (root, initial
 *                   namespaces) or a pidfd per holding process
 *
 * A poll puts each record it reads into the snapshot through the scan's
 * sink: an unchanged object costs its read and one comparison, and
 * nothing is allocated for it, sorted or reported.  Other IPC namespaces
 * (--ns) are read by a thread inside each, with POSIX objects scanned in
 * full there.
 */
#include "snapshot/snapshot.h"

#include <ctype.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define MAX_VIEWS 64
#define SETTLE_NS (100 * INT64_C(1000000))	/* how long glibc's temporary semaphore name may live */
#define MTIME_SLACK_NS (50 * INT64_C(1000000))	/* more than a tick of the kernel's coarse clock */
#define RESYNC_POLLS 60				/* POSIX directories read in full this often */
#define MAX_PIDFDS 4096
#define COALESCE_NS (2 * INT64_C(1000000))	/* shm_open and ftruncate: one create, not two events */

/* One IPC namespace and what is watched there. */
struct view {
	uint64_t ns;
	pid_t via;		/* a process of it to enter; 0: our own */
	bool named;		/* its named kinds are read (not only fd kinds) */
	bool present;		/* a process was in it at the last process scan */
	/* our own namespace: the directories under inotify */
	int shm_dfd, mq_dfd, shm_wd, mq_wd;
	bool shm_watched, mq_watched;
};

/* A name inotify spoke of, to be read again. */
struct dirty {
	char *name;
	bool mq;		/* of the mqueue directory, else /dev/shm */
	int64_t due;		/* glibc's temporary semaphore: not before */
};

/* New objects no process holds that polls keep back (more are told at once). */
#define UNHELD_MAX 256
/* Polls a kept-back object is remembered for, should the next not list it. */
#define UNHELD_POLLS 4

struct ipk_watch {
	struct ipk_ctx *ctx;
	struct ipk_filter filter;	/* a copy: its glob too */
	uint64_t kinds;			/* kind indexes read */
	uint64_t interval;		/* ns */
	uint64_t fields;
	unsigned flags;
	struct ipk_snapshot *snap;
	struct proc_index *procs;	/* the last process scan */
	unsigned procs_what;
	uint32_t gen;
	uint64_t scanned[MAX_VIEWS];	/* kinds read in full by this poll, per view */
	struct view views[MAX_VIEWS];
	size_t nviews;
	bool started;
	bool between_polls;
	bool procs_failed;		/* the last process scan could not read /proc */
	bool lazy_sem_values;		/* sysv-sem read without values: sem_values() decides */		/* reading what inotify told of, with the last poll's processes */
	int64_t next_poll;
	uint64_t polls;
	/* sources */
	int epfd, ifd, tfd, cnfd;
	bool inotify_ok;
	bool resync;			/* inotify lost events: read the directories in full */
	struct dirty *dirty;
	size_t ndirty, dirty_cap;
	/* pidfds of holding processes, when cn_proc cannot be had */
	struct pidfd { pid_t pid; int fd; } *pidfds;
	size_t npidfds, pidfd_cap;
	const char *exits_source;
	bool exits_by_pidfd;
	/* the poll's emitter */
	struct emit em;
	struct ipk_watch_stats st;
	/* new fd-kind objects no process held, kept back: defer_unheld() */
	struct unheld {
		const struct ipk_kind *kind;
		uint64_t dev, ino;
		uint32_t gen;		/* the poll that kept it back */
	} unheld[UNHELD_MAX];
	size_t nunheld;
};

/* epoll data: which source is ready */
enum { SRC_INOTIFY = 1, SRC_TIMER, SRC_CNPROC, SRC_PIDFD_BASE = 16 };

static uint32_t source_id(size_t view, const struct ipk_kind *k)
{
	return (uint32_t)(view * 64 + ipk_kind_index(k));
}

static bool wants_kind(const struct ipk_watch *w, const struct ipk_kind *k)
{
	return w->kinds & (UINT64_C(1) << ipk_kind_index(k));
}

/* ------------------------------------------------------------ reading */

/* What the sink knows of the read going on. */
struct reading {
	struct ipk_watch *w;
	size_t view;
	const struct ipk_kind *kind;
	uint64_t target_ns;		/* --ns PID: fd kinds held in this namespace only */
	struct snap_entry *last;	/* the entry the last object went to */
	bool stale_procs;		/* between polls: the process index is older than the object */
	int rc;
	/* the System V reading the next record is made of (sysv_unchanged) */
	const void *raw;
	size_t raw_len;
	int64_t raw_id;
};

/* "XXXXXX" of glibc's temporary sem.XXXXXX: six letters or digits. */
static bool temp_name(const char *name)
{
	size_t n = 0;

	for (; name[n]; n++)
		if (!isalnum((unsigned char)name[n]))
			return false;
	return n == 6;
}

/*
 * glibc's sem_open() makes sem.XXXXXX, writes and maps it, then link()s it
 * to sem.NAME and unlinks the temporary name: one semaphore, whose
 * temporary name is never reported.  Skipped: a temporary name that is
 * gone, has a second name now, or is younger than SETTLE_NS (*retry).
 */
static bool temp_semaphore(struct reading *r, struct ipk_ctx *ctx, const struct ipk_object *o,
			   bool *retry)
{
	char path[PATH_MAX];
	struct stat st;

	*retry = false;
	if (o->kind->identity.by != IDENT_FILE || !kind_has(o->kind, IPK_F_WAITERS) || !o->name ||
	    !temp_name(o->name + 1))
		return false;
	struct snap_entry *e = snap_find(r->w->snap, o);
	if (e && e->obj->name && strcmp(e->obj->name, o->name) != 0)
		return true;	/* known under its real name */
	if (e)
		return false;
	snprintf(path, sizeof(path), "%s/dev/shm/sem.%s", ctx->root, o->name + 1);
	if (lstat(path, &st) < 0 || st.st_ino != o->ino || st.st_nlink > 1)
		return true;
	int64_t ctime = (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec;
	if (r->w->em.now - ctime < SETTLE_NS) {
		*retry = true;
		return true;
	}
	return false;
}

static bool held_in_ns(const struct proc_index *idx, const struct ipk_object *o, uint64_t ns)
{
	for (uint32_t i = 0; i < o->nholders; i++) {
		const struct proc *p = procs_pid(idx, o->holders[i].pid);
		if (p && p->ipc_ns == ns)
			return true;
	}
	return false;
}

static bool held_by_us_only(const struct ipk_object *o)
{
	pid_t us = getpid();

	for (uint32_t i = 0; i < o->nholders; i++)
		if (o->holders[i].pid != us)
			return false;
	return o->nholders > 0;
}

static bool add_dirty(struct ipk_watch *w, const char *name, bool mq, int64_t due);

/*
 * A sysv-sem read without its values: they are copied from the last
 * record when nothing can have moved them since it was read (semop sets
 * otime, SETVAL and SETALL ctime, both in seconds), else read (GETALL).
 * 1 when the array is gone.
 */
static int sem_values(struct ipk_watch *w, struct ipk_object *o, bool *read)
{
	struct snap_entry *e = snap_find(w->snap, o);
	const struct ipk_object *was = e ? e->obj : NULL;

	*read = false;
	if (obj_has(o, IPK_F_VALUE) || obj_noaccess_has(o, IPK_F_VALUE))
		return 0;
	int64_t last_read = e ? e->stat_at / 1000000000 : 0;
	bool same = was && ipk_object_same_identity(was, o) && obj_has(was, IPK_F_VALUE) &&
		    obj_has(was, IPK_F_ATIME) == obj_has(o, IPK_F_ATIME) &&
		    (!obj_has(o, IPK_F_ATIME) || was->atime == o->atime) &&
		    obj_has(was, IPK_F_CTIME) && obj_has(o, IPK_F_CTIME) && was->ctime == o->ctime &&
		    (o->atime > o->ctime ? o->atime : o->ctime) + 1 < last_read;
	if (!same) {
		*read = true;
		return sysv_sem_values(o);
	}
	struct ipk_value val;
	ipk_object_get(was, IPK_F_VALUE, &val);
	size_t n = val.is_list ? val.list.n : 0;
	int64_t *v = obj_alloc_list(o, n);
	if (!v)
		return -ENOMEM;
	if (n)
		memcpy(v, val.list.v, n * sizeof(*v));
	return obj_set_list(o, IPK_F_VALUE, v, n);
}

/*
 * A System V object read again as it was: the same bytes from the kernel
 * as its record was made of, nothing that the reading leaves out moved
 * since (a semaphore's values: its otime and ctime are seconds), and the
 * same holders and flags from the process scan.  Then the record kept is
 * exact, and a poll of unchanged objects costs their *_STAT_ANY calls.
 */
static bool sysv_unchanged(struct ipk_scan *s, int64_t id, const void *raw, size_t len,
			   int64_t moved_at)
{
	struct reading *r = s->sink_arg;
	struct ipk_watch *w = r->w;

	r->raw = raw;
	r->raw_len = len;
	r->raw_id = id;
	if (!s->ctx->procs)
		return false;
	struct snap_entry *e = snap_next_if(w->snap, source_id(r->view, r->kind), id);
	if (!e || e->gen == w->gen || e->raw_len != len || memcmp(e->raw, raw, len) != 0)
		return false;
	if (moved_at != INT64_MIN && moved_at + 1 >= e->raw_at / 1000000000)
		return false;
	if (!inuse_same(s->ctx, e->obj))
		return false;
	e->gen = w->gen;
	w->st.records_read++;
	w->st.records_last++;
	return true;
}

/* Keeps the reading @e's record was made of (or, kept, still matches). */
static int keep_raw(struct snap_entry *e, const void *raw, size_t len, int64_t now)
{
	if (e->raw_len != len) {
		void *p = realloc(e->raw, len);
		if (!p)
			return -ENOMEM;
		e->raw = p;
		e->raw_len = len;
	}
	memcpy(e->raw, raw, len);
	e->raw_at = now;
	return 0;
}

/*
 * Whether @o, new and held by no process, is kept back for a poll: the
 * process scan comes before the listing of sockets, so one made in between
 * by a process the scan saw shows no holder yet (it was told as
 * "+ unix:N", then "~ holders +..."). One held by nobody at a later poll
 * too is told then.
 */
static bool defer_unheld(struct ipk_watch *w, const struct reading *r, const struct ipk_object *o)
{
	if (!w->started || r->stale_procs || o->kind->family != IPK_FAMILY_FD ||
	    !obj_has(o, IPK_F_HOLDERS) || o->nholders || snap_find(w->snap, o))
		return false;
	struct unheld key = { o->kind, 0, 0, w->gen };
	obj_held_key(o, &key.dev, &key.ino);
	for (size_t i = 0; i < w->nunheld; i++) {
		struct unheld *u = &w->unheld[i];
		if (u->kind != key.kind || u->dev != key.dev || u->ino != key.ino)
			continue;
		if (u->gen == w->gen)
			return true;	/* read twice in this poll: kept back once */
		*u = w->unheld[--w->nunheld];
		return false;		/* a later look: told */
	}
	if (w->nunheld == UNHELD_MAX)
		return false;
	w->unheld[w->nunheld++] = key;
	return true;
}

/* Forgets what was kept back polls ago and never seen again. */
static void unheld_expire(struct ipk_watch *w)
{
	for (size_t i = 0; i < w->nunheld;)
		if (w->gen - w->unheld[i].gen > UNHELD_POLLS)
			w->unheld[i] = w->unheld[--w->nunheld];
		else
			i++;
}

/* Each object a scan of the watch reads ends here: put into the snapshot. */
static int sink(struct ipk_scan *s, struct ipk_object *o)
{
	struct reading *r = s->sink_arg;
	struct ipk_watch *w = r->w;
	bool retry;
	const void *raw = r->raw && o->kind->family == IPK_FAMILY_SYSV && o->id == r->raw_id ?
			  r->raw : NULL;
	r->raw = NULL;
	int rc = inuse_judge(s->ctx, o);

	r->last = NULL;
	w->st.records_read++;
	w->st.records_last++;
	if (rc) {
		ipk_object_free(o);
		return rc;
	}
	if (o->kind->family == IPK_FAMILY_FD && held_by_us_only(o)) {
		/* the watch's own timer, pidfds ...: how it watches, not what */
		ipk_object_free(o);
		return 0;
	}
	if (o->kind->family == IPK_FAMILY_FD && r->target_ns && !held_in_ns(w->procs, o, r->target_ns)) {
		ipk_object_free(o);
		return 0;
	}
	/* beside ours, a REF names its namespace, as a scan's does: sysv-shm:0@ns:4026532179 */
	if (r->view && o->kind->family != IPK_FAMILY_FD && !w->ctx->ns_pid && !ref_has_ns(o->ref) &&
	    (rc = obj_ref_qualify(o, w->views[r->view].ns))) {
		ipk_object_free(o);
		return rc;
	}
	if (temp_semaphore(r, s->ctx, o, &retry)) {
		if (retry && r->view == 0 && w->views[0].shm_watched) {
			char file[NAME_MAX + 1];
			snprintf(file, sizeof(file), "sem.%s", o->name + 1);
			add_dirty(w, file, false, w->em.now + SETTLE_NS);
		}
		ipk_object_free(o);
		return 0;
	}
	struct snap_entry *known_before = r->stale_procs && o->kind->holders != HOLDERS_NONE ?
					  snap_find(w->snap, o) : NULL;
	if (r->stale_procs && o->kind->holders != HOLDERS_NONE &&
	    (!known_before || !obj_has(known_before->obj, IPK_F_HOLDERS))) {
		/*
		 * A new object inotify told of: the last process scan is older
		 * than it, so who holds it is not known yet (the next poll says).
		 */
		if (o->holders_heap)
			free(o->holders);
		o->holders_heap = false;
		o->holders = NULL;
		o->nholders = o->nprocs = 0;
		fieldset_del(&o->present, IPK_F_HOLDERS);
		fieldset_del(&o->present, IPK_F_NATTCH);
		o->status &= ~(uint32_t)IPK_ST_ORPHAN;
	}
	if (o->kind->mount_scoped) {
		/* IPC namespaces that share a /dev/shm: each file once, for the first */
		struct snap_entry *e = snap_find(w->snap, o);
		if (e && e->gen == w->gen && e->source != source_id(r->view, r->kind)) {
			ipk_object_free(o);
			return 0;
		}
	}
	if (defer_unheld(w, r, o)) {
		ipk_object_free(o);
		return 0;
	}
	bool values_read = false;
	if (w->lazy_sem_values && kind_has(o->kind, IPK_F_SEMNCNT)) {
		rc = sem_values(w, o, &values_read);
		if (rc) {
			ipk_object_free(o);
			return rc < 0 ? rc : 0;
		}
	}
	bool queue = kind_has(o->kind, IPK_F_MESSAGES) && o->kind->family == IPK_FAMILY_POSIX &&
		     r->view == 0 && w->views[0].mq_watched && obj_has(o, IPK_F_MESSAGES);
	r->last = snap_put(w->snap, o, source_id(r->view, r->kind), w->gen, &w->em, &rc);
	if (r->last && raw && !rc)
		rc = keep_raw(r->last, raw, r->raw_len, w->em.now);
	if (r->last && values_read)
		r->last->stat_at = w->em.now;
	if (r->last && queue) {
		/* our open and close of it are on their way through inotify */
		r->last->own_events += 2;
		r->last->flags |= ENTRY_READ;
	}
	return rc;
}

/* Reads kind @k in context @ctx: all of it, or with @only the one object. */
static int read_kind(struct ipk_watch *w, struct ipk_ctx *ctx, size_t view,
		     const struct ipk_kind *k, const char *only, struct snap_entry **found)
{
	struct ipk_list none = { 0 };
	struct reading r = { .w = w, .view = view, .kind = k, .stale_procs = w->between_polls };
	struct ipk_scan s = {
		.ctx = ctx, .kind = k, .list = &none, .only = only, .sink = sink, .sink_arg = &r,
		.unchanged = sysv_unchanged,
	};

	if (ctx->ns_pid && w->procs) {
		const struct proc *p = procs_pid(w->procs, ctx->ns_pid);
		r.target_ns = p ? p->ipc_ns : 0;
	}
	int rc = kind_scan(&s);
	if (s.partial)
		ctx_kinds_partial(ctx, UINT64_C(1) << ipk_kind_index(k));
	/* kinds put nothing in the list; a kind that did (none) would leak it */
	for (size_t i = 0; i < none.n; i++)
		ipk_object_free(none.v[i]);
	free(none.v);
	if (found)
		*found = r.last;
	return rc;
}

/* The canonical REF argument of @ref ("/jobs" of "posix-mq:/jobs"). */
static const char *ref_arg(const struct ipk_object *o)
{
	return o->ref + strlen(o->kind->name) + 1;
}

/*
 * Holders from the process scan for a POSIX object not read again this
 * poll: a copy with them, when they (or what follows from them) differ.
 */
static int repost(struct ipk_watch *w, struct snap_entry *e)
{
	const struct ipk_object *o = e->obj;
	const struct ipk_kind *k = o->kind;
	size_t n;
	unsigned owner = k->holders == HOLDERS_FILES ? HELD_FILE : (unsigned)ipk_kind_index(k);
	uint64_t dev, ino;
	obj_held_key(o, &dev, &ino);
	const struct held *h = procs_find(w->procs, owner, dev, ino, &n);
	bool same = obj_has(o, IPK_F_HOLDERS) && n == o->nholders;

	for (size_t i = 0; same && i < n; i++)
		same = holder_is(&o->holders[i], w->procs, &h[i]);
	e->flags = (e->flags & ~(unsigned)(ENTRY_HELD | ENTRY_WAS_HELD)) |
		   (e->flags & ENTRY_HELD ? ENTRY_WAS_HELD : 0) | (n ? ENTRY_HELD : 0);
	e->gen = w->gen;
	if (same)
		return 0;
	struct ipk_object *c = ipk_object_dup(o);
	if (!c)
		return -ENOMEM;
	c->status &= ~(IPK_ST_ORPHAN | IPK_ST_GONE);
	int rc = inuse_judge(w->ctx, c);
	if (rc) {
		ipk_object_free(c);
		return rc;
	}
	/*
	 * Holders not known before (a new object inotify told of): learnt.
	 * None is nothing to tell; some are told as come.
	 */
	bool quiet = w->em.quiet;
	w->em.quiet |= !obj_has(o, IPK_F_HOLDERS) && !c->nholders;
	snap_put(w->snap, c, e->source, w->gen, &w->em, &rc);
	w->em.quiet = quiet;
	return rc;
}

/*
 * Whether a queue's file may have moved since the last look: every send
 * and receive sets its mtime.  A send in the clock tick of the last look
 * leaves mtime as it was then, so a queue that moved that late is read
 * again once more.
 */
static bool queue_moved(const struct view *v, struct snap_entry *e, int64_t now)
{
	struct stat st;

	if (fstatat(v->mq_dfd, e->obj->name + 1, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return true;	/* gone: the lookup says so */
	int64_t mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	bool moved = st.st_ino != e->obj->ino || mtime != e->file_mtime ||
		     mtime + MTIME_SLACK_NS >= e->stat_at;
	e->file_mtime = mtime;
	e->stat_at = now;
	return moved;
}

/*
 * The kind whose object @file of a watched directory (@mq: the mqueue
 * one, else /dev/shm) is, with its REF argument in @arg; NULL: none.
 */
static const struct ipk_kind *file_kind(bool mq, const char *file, char arg[NAME_MAX + 2])
{
	enum watch_dir dir = mq ? WATCH_MQUEUE : WATCH_DEVSHM;

	for (size_t i = 0; i < ipk_kind_count(); i++) {
		const struct ipk_kind *k = ipk_kind_at(i);
		if (k->watch_dir == dir && k->watch_name && k->watch_name(file, arg, NAME_MAX + 2))
			return k;
	}
	return NULL;
}

/* Reads one POSIX name of our own namespace again: a create, change or remove. */
static int read_name(struct ipk_watch *w, const char *file, bool mq)
{
	char only[NAME_MAX + 2];
	const struct ipk_kind *k = file_kind(mq, file, only);

	if (!k || !wants_kind(w, k))
		return 0;
	char ref[NAME_MAX + 64];	/* a kind's name and @only fit */
	ref_put(ref, k, only);
	uint64_t ns = ctx_ipc_ns(w->ctx);
	struct snap_entry *before = snap_find_ref(w->snap, ref, &ns), *now;
	int rc = read_kind(w, w->ctx, 0, k, only, &now);
	if (rc)
		return rc;
	/* the name is gone, or names another file now: the one it named is gone */
	before = snap_find_ref(w->snap, ref, &ns);
	if (before && before != now && before->gen != w->gen) {
		struct stat st;
		int dfd = mq ? w->views[0].mq_dfd : w->views[0].shm_dfd;
		bool there = fstatat(dfd, file, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			     st.st_ino == before->obj->ino;
		if (!there)
			snap_remove(w->snap, before, &w->em);
	}
	return 0;
}

static bool add_dirty(struct ipk_watch *w, const char *name, bool mq, int64_t due)
{
	for (size_t i = 0; i < w->ndirty; i++) {
		if (w->dirty[i].name && w->dirty[i].mq == mq && strcmp(w->dirty[i].name, name) == 0) {
			/* a burst of events is read once; only a settling delay postpones it */
			if (due > w->dirty[i].due + COALESCE_NS)
				w->dirty[i].due = due;
			return true;
		}
	}
	if (w->ndirty == w->dirty_cap) {
		size_t cap = w->dirty_cap ? 2 * w->dirty_cap : 64;
		struct dirty *v = realloc(w->dirty, cap * sizeof(*v));
		if (!v)
			return false;
		w->dirty = v;
		w->dirty_cap = cap;
	}
	char *copy = strdup(name);
	if (!copy)
		return false;
	w->dirty[w->ndirty++] = (struct dirty){ .name = copy, .mq = mq, .due = due };
	return true;
}

/*
 * Reads the names inotify spoke of that are due; those not due stay.
 * Names that exist go first: a rename is then a change of name, not a
 * remove and a create.
 */
static int read_dirty(struct ipk_watch *w)
{
	size_t n = w->ndirty, kept = 0;
	int rc = 0;

	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n && !rc; i++) {
			struct dirty *d = &w->dirty[i];
			struct stat st;
			if (!d->name || d->due > w->em.now)
				continue;
			int dfd = d->mq ? w->views[0].mq_dfd : w->views[0].shm_dfd;
			bool exists = fstatat(dfd, d->name, &st, AT_SYMLINK_NOFOLLOW) == 0;
			if (exists != (pass == 0))
				continue;
			/* read_name() may add names: @d moves */
			char *name = d->name;
			bool mq = d->mq;
			d->name = NULL;
			rc = read_name(w, name, mq);
			free(name);
		}
	}
	for (size_t i = 0; i < w->ndirty; i++)
		if (w->dirty[i].name)
			w->dirty[kept++] = w->dirty[i];
	w->ndirty = kept;
	return rc;
}

static int64_t dirty_due(const struct ipk_watch *w)
{
	int64_t due = INT64_MAX;

	for (size_t i = 0; i < w->ndirty; i++)
		if (w->dirty[i].name && w->dirty[i].due < due)
			due = w->dirty[i].due;
	return due;
}

/* -------------------------------------------------------------- views */

/* Our own namespace's directories under inotify. */
static void watch_dirs(struct ipk_watch *w, struct view *v)
{
	const uint32_t mask = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_MODIFY |
			      IN_ATTRIB | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_ONLYDIR;
	char path[64], shown[PATH_MAX];

	v->shm_dfd = v->mq_dfd = v->shm_wd = v->mq_wd = -1;
	if (!w->ctx->live)
		return;
	v->shm_dfd = devshm_open(w->ctx);
	v->mq_dfd = posix_mqueue_dir(w->ctx, shown, sizeof(shown));
	if (v->mq_dfd >= 0) {
		w->ctx->has_mqueue_dir = true;
		w->ctx->mqueue_dir = v->mq_dfd;
	}
	if (w->ifd < 0)
		return;
	/* the fd is what was opened: a detached mqueue mount has no other path */
	if (v->shm_dfd >= 0) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", v->shm_dfd);
		v->shm_wd = inotify_add_watch(w->ifd, path, mask);
		v->shm_watched = v->shm_wd >= 0;
		if (!v->shm_watched)
			ctx_diag(w->ctx, errno, "watch", "/dev/shm");
	}
	if (v->mq_dfd >= 0) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", v->mq_dfd);
		/* opens and closes too: a send or receive sets no event of its own */
		v->mq_wd = inotify_add_watch(w->ifd, path, (mask & ~(uint32_t)IN_MODIFY) | IN_OPEN |
					     IN_CLOSE_NOWRITE);
		v->mq_watched = v->mq_wd >= 0;
		if (!v->mq_watched)
			ctx_diag(w->ctx, errno, "watch", shown);
	}
}

/* The namespaces to read: ours, and with --ns every one a process is in. */
static void update_views(struct ipk_watch *w)
{
	struct ipk_ctx *ctx = w->ctx;
	uint64_t own = ctx_ipc_ns(ctx);
	const struct proc *target = ctx->ns_pid ? procs_pid(w->procs, ctx->ns_pid) : NULL;

	if (!w->nviews) {
		w->views[0] = (struct view){ .ns = own, .named = true, .present = true };
		w->nviews = 1;
		watch_dirs(w, &w->views[0]);
	}
	w->views[0].named = !ctx->ns_pid || (target && target->ipc_ns == own);
	if (!ctx->ns_mode || !w->procs)
		return;
	for (size_t i = 1; i < w->nviews; i++)
		w->views[i].present = false;
	for (size_t i = 0; i < w->procs->nprocs; i++) {
		const struct proc *p = &w->procs->procs[i];
		if (!p->ipc_ns || p->ipc_ns == own || (ctx->ns_pid && p->pid != ctx->ns_pid))
			continue;
		size_t j = 1;
		while (j < w->nviews && w->views[j].ns != p->ipc_ns)
			j++;
		if (j == w->nviews) {
			if (w->nviews == MAX_VIEWS)
				continue;
			w->views[w->nviews++] = (struct view){ .ns = p->ipc_ns, .named = true,
							      .shm_dfd = -1, .mq_dfd = -1 };
		}
		if (!w->views[j].present)
			w->views[j].via = p->pid;
		w->views[j].present = true;
	}
}

/* The named kinds of one view, all read in full: another namespace, from inside it. */
struct ns_read {
	struct ipk_watch *w;
	size_t view;
};

static int ns_read(struct ipk_ctx *sub, void *arg)
{
	struct ns_read *n = arg;
	struct ipk_watch *w = n->w;
	int rc = 0;

	for (size_t k = 0; k < ipk_kind_count() && !rc; k++) {
		const struct ipk_kind *kind = ipk_kind_at(k);
		if (!wants_kind(w, kind) || kind->family == IPK_FAMILY_FD)
			continue;
		size_t diags = ipk_ctx_ndiags(w->ctx);
		rc = read_kind(w, sub, n->view, kind, NULL, NULL);
		if (ipk_ctx_ndiags(w->ctx) == diags)
			w->scanned[n->view] |= UINT64_C(1) << k;
	}
	return rc;
}

/* Our own namespace: System V and fd kinds in full, POSIX kinds by name. */
static int read_own(struct ipk_watch *w, bool full_posix)
{
	struct view *v = &w->views[0];
	int rc = 0;

	for (size_t k = 0; k < ipk_kind_count() && !rc; k++) {
		const struct ipk_kind *kind = ipk_kind_at(k);
		bool fd = kind->family == IPK_FAMILY_FD;
		if (!wants_kind(w, kind) || (!fd && !v->named))
			continue;
		bool watched = kind->mount_scoped ? v->shm_watched : v->mq_watched;
		if (fd && w->procs_failed)
			continue;	/* what processes hold is not known this time */
		if (kind->family != IPK_FAMILY_POSIX || full_posix || !watched) {
			size_t diags = ipk_ctx_ndiags(w->ctx);
			struct fieldset wanted = w->ctx->wanted;
			/* semaphore values are read again only where they can have moved */
			w->lazy_sem_values = kind_has(kind, IPK_F_SEMNCNT) && !full_posix &&
					     w->ctx->live && fieldset_has(&wanted, IPK_F_VALUE);
			if (w->lazy_sem_values)
				fieldset_del(&w->ctx->wanted, IPK_F_VALUE);
			rc = read_kind(w, w->ctx, 0, kind, NULL, NULL);
			w->ctx->wanted = wanted;
			w->lazy_sem_values = false;
			/* a kind read in part is not swept: what was missed is not gone */
			if (ipk_ctx_ndiags(w->ctx) == diags)
				w->scanned[0] |= UINT64_C(1) << k;
		}
	}
	if (rc || !v->named || w->procs_failed)
		return rc;
	/*
	 * The POSIX objects inotify keeps: holders from the process scan, and
	 * what no inotify event tells: queue contents, semaphore values.
	 */
	bool blind = !w->procs || w->procs->unreadable;
	for (size_t i = w->snap->n; i-- > 0 && !rc;) {
		struct snap_entry *e = w->snap->v[i];
		/* the source names the kind: no need to touch the record of most */
		const struct ipk_kind *k = ipk_kind_at(e->source % 64);
		if (e->source >= 64 || !k || k->family != IPK_FAMILY_POSIX ||
		    (w->scanned[0] & (UINT64_C(1) << ipk_kind_index(k))))
			continue;
		rc = repost(w, e);
		if (rc || i >= w->snap->n || w->snap->v[i] != e)
			continue;
		/*
		 * A semaphore moves through a mapping, a queue through a
		 * descriptor: of a process that holds it, or that opened it
		 * since the last look (inotify).  A queue we read ourselves is
		 * looked at once more: our own open hides one of another
		 * process made at the same moment (inotify merges the two).
		 */
		bool touched = blind || (e->flags & (ENTRY_HELD | ENTRY_WAS_HELD | ENTRY_OPENED |
						      ENTRY_READ));
		bool again = false;
		if (kind_has(k, IPK_F_WAITERS))
			again = touched;
		else if (kind_has(k, IPK_F_MESSAGES))
			again = touched && queue_moved(v, e, w->em.now);
		e->flags &= ~(unsigned)(ENTRY_OPENED | ENTRY_READ);
		if (again) {
			char file[NAME_MAX + 8];
			snprintf(file, sizeof(file), "%s%s", kind_has(k, IPK_F_WAITERS) ? "sem." : "",
				 ref_arg(e->obj) + 1);
			rc = read_name(w, file, kind_has(k, IPK_F_MESSAGES));
		}
	}
	return rc;
}

/* Entries of the kinds read in full that this poll did not see: gone. */
static void sweep(struct ipk_watch *w)
{
	for (size_t i = w->snap->n; i-- > 0;) {
		struct snap_entry *e = w->snap->v[i];
		size_t view = e->source / 64, k = e->source % 64;
		bool scanned = view < w->nviews && (w->scanned[view] & (UINT64_C(1) << k));
		bool vanished = view >= w->nviews || (view && !w->views[view].present);
		if ((scanned || vanished) && e->gen != w->gen)
			snap_remove(w->snap, e, &w->em);
	}
}

/* Processes that hold something get a pidfd, when cn_proc is not there. */
static void sync_pidfds(struct ipk_watch *w);

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

/* One look at everything that is due. */
static int poll_all(struct ipk_watch *w)
{
	uint64_t cpu = thread_cpu_ns();
	int64_t wall = snap_now();
	struct ipk_ctx *ctx = w->ctx;
	int rc = 0;

	w->gen++;
	unheld_expire(w);
	w->st.records_last = 0;
	w->em.now = snap_now();
	memset(w->scanned, 0, sizeof(w->scanned));
	w->snap->hint = 0;		/* objects come in the order of the last poll */
	size_t diags = ipk_ctx_ndiags(ctx);
	struct proc_index *idx = procs_scan(ctx, w->procs_what, w->kinds);
	if (!idx)
		return -ENOMEM;
	/* /proc could not be read: holders and fd kinds stay as they were */
	w->procs_failed = ipk_ctx_ndiags(ctx) != diags;
	ctx->partial_kinds = 0;
	for (size_t k = 0; k < ipk_kind_count() && w->procs_failed; k++)
		if (wants_kind(w, ipk_kind_at(k)) && ipk_kind_at(k)->family == IPK_FAMILY_FD)
			ctx->partial_kinds |= UINT64_C(1) << k;
	procs_free(w->procs);
	w->procs = idx;
	ctx->procs = idx;
	ctx->unreadable_procs = idx->unreadable;
	update_views(w);
	bool full = w->resync || !w->started || (w->polls % RESYNC_POLLS) == RESYNC_POLLS - 1;
	w->resync = false;
	rc = read_own(w, full);
	for (size_t i = 1; i < w->nviews && !rc; i++) {
		struct ns_read n = { .w = w, .view = i };
		bool entered = false;
		if (!w->views[i].present)
			continue;
		rc = ns_run(ctx, w->views[i].via, w->views[i].ns, ns_read, &n, &entered);
		if (!entered) {
			char what[64];
			ns_name(what, w->views[i].ns, w->views[i].via);
			/* a process that left or ended: the view goes at the next poll */
			if (rc != -ESRCH && rc != -ESTALE)
				ctx_diag(ctx, -rc, "enter the IPC namespace", what);
			rc = 0;
		}
	}
	if (!rc)
		sweep(w);
	ctx->procs = NULL;
	if (w->exits_by_pidfd)
		sync_pidfds(w);
	w->polls++;
	w->st.polls++;
	uint64_t used = thread_cpu_ns() - cpu;
	w->st.poll_ns_last = used;
	w->st.poll_wall_ns_last = (uint64_t)(snap_now() - wall);
	w->st.poll_ns_total += used;
	return rc;
}

/* -------------------------------------------------------------- exits */

/* Whether process @pid is gone (or a zombie: it holds nothing any more). */
static bool process_gone(pid_t pid)
{
	char path[64], text[512];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ESRCH;
	ssize_t n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return true;
	text[n] = '\0';
	const char *paren = strrchr(text, ')');
	return paren && paren[1] == ' ' && (paren[2] == 'Z' || paren[2] == 'X');
}

/* The process index without process @pid: what it held is let go. */
static struct proc_index *index_without(const struct proc_index *idx, pid_t pid)
{
	const struct proc *p = procs_pid(idx, pid);
	struct proc_index *c = calloc(1, sizeof(*c));

	if (!c || !p) {
		free(c);
		return NULL;
	}
	uint32_t gone = (uint32_t)(p - idx->procs);
	c->what = idx->what;
	c->dup_kinds = idx->dup_kinds;
	c->unreadable = idx->unreadable;
	c->procs = malloc((idx->nprocs ? idx->nprocs : 1) * sizeof(*c->procs));
	c->held = malloc((idx->nheld ? idx->nheld : 1) * sizeof(*c->held));
	if (!c->procs || !c->held) {
		procs_free(c);
		return NULL;
	}
	for (size_t i = 0; i < idx->nprocs; i++)
		if (i != gone)
			c->procs[c->nprocs++] = idx->procs[i];
	for (size_t i = 0; i < idx->nheld; i++) {
		struct held h = idx->held[i];
		if (h.proc == gone)
			continue;
		if (h.proc > gone)
			h.proc--;
		c->held[c->nheld++] = h;
	}
	/* the strings and fdinfo stay in the old index's arena: keep it with us */
	ipk_arena_move(&c->arena, &((struct proc_index *)idx)->arena);
	return c;
}

/*
 * Process @pid exited: its fds and mappings are let go now, not a poll
 * later.  fd kinds are made again from the index without it, the named
 * objects it held get their holders again, and a System V segment it had
 * attached is read again for the kernel's attach count.
 */
static int exited(struct ipk_watch *w, pid_t pid)
{
	const struct proc *p = w->procs ? procs_pid(w->procs, pid) : NULL;
	if (!p)
		return 0;
	/* most processes that end held nothing: nothing to do for them */
	uint32_t which = (uint32_t)(p - w->procs->procs);
	bool held = false;
	for (size_t i = 0; i < w->procs->nheld && !held; i++)
		held = w->procs->held[i].proc == which;
	if (!held || !process_gone(pid))
		return 0;
	struct proc_index *idx = index_without(w->procs, pid);
	if (!idx)
		return -ENOMEM;
	procs_free(w->procs);
	w->procs = idx;
	w->ctx->procs = idx;
	w->st.exits++;
	w->gen++;
	w->em.now = snap_now();
	memset(w->scanned, 0, sizeof(w->scanned));
	int rc = 0;
	for (size_t k = 0; k < ipk_kind_count() && !rc; k++) {
		const struct ipk_kind *kind = ipk_kind_at(k);
		if (kind->family != IPK_FAMILY_FD || !wants_kind(w, kind))
			continue;
		rc = read_kind(w, w->ctx, 0, kind, NULL, NULL);
		w->scanned[0] |= UINT64_C(1) << k;
	}
	for (size_t i = w->snap->n; i-- > 0 && !rc;) {
		struct snap_entry *e = w->snap->v[i];
		const struct ipk_object *o = e->obj;
		bool its = false;
		for (uint32_t h = 0; h < o->nholders && !its; h++)
			its = o->holders[h].pid == pid;
		if (!its || o->kind->family == IPK_FAMILY_FD)
			continue;
		if (o->kind->family == IPK_FAMILY_POSIX) {
			rc = repost(w, e);
		} else if (e->source / 64 == 0) {
			char only[24];
			snprintf(only, sizeof(only), "%s", ref_arg(o));
			rc = read_kind(w, w->ctx, 0, o->kind, only, NULL);
		}
	}
	/* fd objects it alone held are gone now; the rest were just seen */
	for (size_t i = w->snap->n; i-- > 0 && !rc;) {
		struct snap_entry *e = w->snap->v[i];
		if (e->source / 64 == 0 && (w->scanned[0] & (UINT64_C(1) << (e->source % 64))) &&
		    e->gen != w->gen)
			snap_remove(w->snap, e, &w->em);
	}
	w->ctx->procs = NULL;
	return rc;
}

/*
 * Whether we are in the initial PID and user namespaces, where the
 * connector takes listeners: their inodes are fixed (PROC_PID_INIT_INO,
 * PROC_USER_INIT_INO).  A /proc mounted in a child namespace hides it
 * from NSpid, not from these.
 */
static bool in_initial_ns(void)
{
	struct stat pid, user;

	return stat("/proc/self/ns/pid", &pid) == 0 && pid.st_ino == 0xeffffffcU &&
	       stat("/proc/self/ns/user", &user) == 0 && user.st_ino == 0xeffffffdU;
}

/* A request to the connector: netlink header, cn_msg, the operation. */
static int cnproc_send(int fd, enum proc_cn_mcast_op op, uint32_t ack)
{
	union {
		char bytes[NLMSG_SPACE(sizeof(struct cn_msg) + sizeof(int))];
		struct nlmsghdr align;
	} buf;
	struct nlmsghdr *nl = &buf.align;
	struct cn_msg *cn = NLMSG_DATA(nl);
	int what = (int)op;

	memset(&buf, 0, sizeof(buf));
	nl->nlmsg_len = NLMSG_LENGTH(sizeof(*cn) + sizeof(what));
	nl->nlmsg_type = NLMSG_DONE;
	cn->id.idx = CN_IDX_PROC;
	cn->id.val = CN_VAL_PROC;
	cn->len = sizeof(what);
	cn->ack = ack;
	memcpy(cn->data, &what, sizeof(what));
	return send(fd, nl, nl->nlmsg_len, 0) < 0 ? -errno : 0;
}

/* The connector of process events: root in the initial namespaces only. */
static int cnproc_open(struct ipk_watch *w)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_CONNECTOR);

	(void)w;
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = -errno;
		close(fd);
		return err;
	}
	/* a process of another PID namespace is not told: the kernel drops its request */
	if (!in_initial_ns()) {
		close(fd);
		return -EPERM;
	}
	const uint32_t ack = 0x1b2c;
	int err = cnproc_send(fd, PROC_CN_MCAST_LISTEN, ack);
	if (err) {
		close(fd);
		return err;
	}
	/* the kernel answers a request it took with an event of its own */
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int64_t until = snap_now() + 500 * INT64_C(1000000);
	while (snap_now() < until && poll(&p, 1, 100) >= 0) {
		char buf[8192];
		ssize_t got = recv(fd, buf, sizeof(buf), 0);
		if (got <= 0)
			continue;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)got);
		     h = NLMSG_NEXT(h, got)) {
			struct cn_msg *cn = NLMSG_DATA(h);
			struct proc_event *ev = (struct proc_event *)cn->data;
			if (cn->id.idx == CN_IDX_PROC && ev->what == PROC_EVENT_NONE &&
			    cn->ack == ack + 1)
				return ev->event_data.ack.err ? (close(fd), -EPERM) : fd;
		}
	}
	close(fd);
	return -ETIMEDOUT;
}

/* Exits the connector told of: a process whose last thread ended. */
static int cnproc_read(struct ipk_watch *w)
{
	char buf[16384];
	int rc = 0;

	for (;;) {
		ssize_t got = recv(w->cnfd, buf, sizeof(buf), 0);
		if (got < 0) {
			if (errno == ENOBUFS) {
				w->next_poll = 0;	/* exits lost: a poll finds them */
				continue;
			}
			return rc;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)got) && !rc;
		     h = NLMSG_NEXT(h, got)) {
			struct cn_msg *cn = NLMSG_DATA(h);
			struct proc_event *ev = (struct proc_event *)cn->data;
			if (cn->id.idx == CN_IDX_PROC && ev->what == PROC_EVENT_EXIT)
				rc = exited(w, (pid_t)ev->event_data.exit.process_tgid);
		}
	}
}

static int pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

static void sync_pidfds(struct ipk_watch *w)
{
	size_t n = 0, cap = 256;
	pid_t *pids = malloc(cap * sizeof(*pids));

	if (!pids)
		return;
	for (size_t i = 0; i < w->snap->n; i++) {
		const struct ipk_object *o = w->snap->v[i]->obj;
		for (uint32_t h = 0; h < o->nholders; h++) {
			if (n == cap) {
				pid_t *v = realloc(pids, 2 * cap * sizeof(*v));
				if (!v)
					goto out;
				pids = v;
				cap *= 2;
			}
			pids[n++] = o->holders[h].pid;
		}
	}
	qsort(pids, n, sizeof(*pids), cmp_pid);
	size_t u = 0;
	for (size_t i = 0; i < n; i++)
		if (!u || pids[u - 1] != pids[i])
			pids[u++] = pids[i];
	/* close those no longer holding; open the new ones */
	size_t kept = 0;
	for (size_t i = 0; i < w->npidfds; i++) {
		if (bsearch(&w->pidfds[i].pid, pids, u, sizeof(*pids), cmp_pid)) {
			w->pidfds[kept++] = w->pidfds[i];
		} else {
			epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->pidfds[i].fd, NULL);
			close(w->pidfds[i].fd);
		}
	}
	w->npidfds = kept;
	for (size_t i = 0; i < u && w->npidfds < MAX_PIDFDS; i++) {
		bool have = false;
		for (size_t j = 0; j < kept && !have; j++)
			have = w->pidfds[j].pid == pids[i];
		if (have || pids[i] == getpid())
			continue;
		if (w->npidfds == w->pidfd_cap) {
			size_t c = w->pidfd_cap ? 2 * w->pidfd_cap : 64;
			struct pidfd *v = realloc(w->pidfds, c * sizeof(*v));
			if (!v)
				break;
			w->pidfds = v;
			w->pidfd_cap = c;
		}
		int fd = pidfd_open_(pids[i]);
		if (fd < 0)
			continue;
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = SRC_PIDFD_BASE + (uint64_t)pids[i] };
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
			continue;
		}
		w->pidfds[w->npidfds++] = (struct pidfd){ pids[i], fd };
	}
out:
	free(pids);
}

static void pidfd_close(struct ipk_watch *w, pid_t pid)
{
	for (size_t i = 0; i < w->npidfds; i++) {
		if (w->pidfds[i].pid == pid) {
			epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->pidfds[i].fd, NULL);
			close(w->pidfds[i].fd);
			w->pidfds[i] = w->pidfds[--w->npidfds];
			return;
		}
	}
}

/* ------------------------------------------------------------- inotify */

static int inotify_read(struct ipk_watch *w)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct view *v = &w->views[0];

	for (;;) {
		ssize_t got = read(w->ifd, buf, sizeof(buf));
		if (got <= 0)
			return 0;
		for (char *p = buf; p < buf + got;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			p += sizeof(*ev) + ev->len;
			w->st.inotify_events++;
			if (ev->mask & IN_Q_OVERFLOW) {
				w->resync = true;	/* events lost: the directories are read in full */
				w->next_poll = 0;
				continue;
			}
			bool mq = ev->wd == v->mq_wd;
			if (ev->mask & (IN_DELETE_SELF | IN_IGNORED | IN_UNMOUNT)) {
				/* the directory itself went: poll it from now on */
				if (mq)
					w->views[0].mq_watched = false;
				else
					w->views[0].shm_watched = false;
				w->resync = true;
				continue;
			}
			if (!ev->len || !ev->name[0])
				continue;
			char arg[NAME_MAX + 2];
			const struct ipk_kind *k = file_kind(mq, ev->name, arg);
			if (k && (ev->mask & k->watch_opened)) {
				/*
				 * A descriptor of it opened or closed: by our own
				 * read (counted: a queue's), or by another process,
				 * and its values may move from now on.
				 */
				char ref[NAME_MAX + 64];
				uint64_t ns = ctx_ipc_ns(w->ctx);
				ref_put(ref, k, arg);
				struct snap_entry *e = snap_find_ref(w->snap, ref, &ns);
				if (e && e->own_events && !(ev->mask & IN_CLOSE_WRITE))
					e->own_events--;
				else if (e)
					e->flags |= ENTRY_OPENED;
				if (e || !(ev->mask & ~k->watch_opened))
					continue;
			}
			if (!add_dirty(w, ev->name, mq, w->em.now + COALESCE_NS))
				w->resync = true;
		}
	}
}

/* ---------------------------------------------------------------- API */

struct ipk_watch *ipk_watch_new(struct ipk_ctx *ctx, const struct ipk_filter *f,
				const struct ipk_watch_opts *opts)
{
	struct ipk_watch *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->ctx = ctx;
	if (f) {
		w->filter = *f;
		w->filter.name_glob = f->name_glob ? strdup(f->name_glob) : NULL;
	}
	w->snap = ipk_snapshot_new();
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	w->ifd = w->tfd = w->cnfd = -1;
	if (!w->snap || w->epfd < 0 || (f && f->name_glob && !w->filter.name_glob)) {
		ipk_watch_free(w);
		errno = ENOMEM;
		return NULL;
	}
	for (size_t k = 0; k < ipk_kind_count(); k++)
		if (ipk_filter_wants_kind(f, ipk_kind_at(k)))
			w->kinds |= UINT64_C(1) << k;
	w->interval = opts && opts->interval_ns ? opts->interval_ns : 1000000000;
	w->fields = opts ? opts->fields : 0;
	w->flags = opts ? opts->flags : 0;
	w->em.filter = &w->filter;
	w->em.fields = w->fields;
	w->exits_source = "poll";
	return w;
}

int ipk_watch_add_kind(struct ipk_watch *w, const struct ipk_kind *k)
{
	size_t i = ipk_kind_index(k);

	if (i >= ipk_kind_count())
		return -EINVAL;
	w->kinds |= UINT64_C(1) << i;
	return 0;
}

static int epoll_add(struct ipk_watch *w, int fd, uint64_t what)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = what };

	return epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev);
}

/* Arms the timer for the next thing due: a poll, a name to read. */
static void arm_timer(struct ipk_watch *w)
{
	int64_t due = dirty_due(w);

	if (w->next_poll < due)
		due = w->next_poll;
	int64_t left = due - snap_now();
	if (left < 1000)
		left = 1000;
	struct itimerspec its = { .it_value = { left / 1000000000, left % 1000000000 } };
	timerfd_settime(w->tfd, 0, &its, NULL);
}

int ipk_watch_start(struct ipk_watch *w, ipk_event_fn fn, void *arg)
{
	struct ipk_ctx *ctx = w->ctx;
	int rc;

	for (size_t k = 0; k < ipk_kind_count(); k++) {
		const struct ipk_kind *kind = ipk_kind_at(k);
		if (wants_kind(w, kind))
			w->procs_what |= kind->procs | kind->holder_procs;
	}
	ctx_ipc_ns(ctx);
	if (ctx->live && !(w->flags & IPK_WATCH_NO_INOTIFY)) {
		w->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (w->ifd < 0)
			ctx_diag(ctx, errno, "start", "inotify");
		else if (epoll_add(w, w->ifd, SRC_INOTIFY) < 0)
			return -errno;
	}
	w->tfd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
	if (w->tfd < 0 || epoll_add(w, w->tfd, SRC_TIMER) < 0)
		return -errno;
	if (ctx->live && !(w->flags & IPK_WATCH_NO_EXITS)) {
		w->cnfd = cnproc_open(w);
		if (w->cnfd >= 0 && epoll_add(w, w->cnfd, SRC_CNPROC) == 0) {
			w->exits_source = "cn_proc";
		} else {
			if (w->cnfd >= 0)
				close(w->cnfd);
			w->cnfd = -1;
			/* pidfds need an fd each: take what the hard limit allows */
			struct rlimit rl;
			if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max &&
			    rl.rlim_cur < 2 * MAX_PIDFDS) {
				rl.rlim_cur = rl.rlim_max < 2 * MAX_PIDFDS + 256 ? rl.rlim_max
										: 2 * MAX_PIDFDS + 256;
				setrlimit(RLIMIT_NOFILE, &rl);
			}
			w->exits_by_pidfd = true;
			w->exits_source = "pidfd";	/* the call pidfd_open(2), not the kind */
		}
	}
	/* the first look is the baseline: reported only when asked */
	w->em.fn = NULL;
	w->em.quiet = true;
	/* a baseline cut short by a signal would make the rest look new later */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = poll_all(w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	w->em.quiet = false;
	w->started = true;
	w->st.inotify = w->views[0].shm_watched || w->views[0].mq_watched;
	w->st.exits_source = w->exits_source;
	w->next_poll = snap_now() + (int64_t)w->interval;
	if (!rc && (w->flags & IPK_WATCH_INITIAL)) {
		w->em.fn = fn;
		w->em.arg = arg;
		w->em.rc = 0;
		w->em.now = snap_now();
		for (size_t i = 0; i < w->snap->n && !w->em.rc; i++) {
			const struct ipk_object *o = ipk_snapshot_at(w->snap, i);
			struct snap_entry *e = snap_find(w->snap, o);
			if (e)
				snap_emit_create(w->snap, e, &w->em);
		}
		rc = w->em.rc;
		w->st.events += w->em.count;
		w->em.count = 0;
	}
	arm_timer(w);
	return rc;
}

static int watch_loop(struct ipk_watch *w, int64_t until, const sigset_t *waitmask);

int ipk_watch_run(struct ipk_watch *w, int timeout_ms, ipk_event_fn fn, void *arg)
{
	int64_t until = timeout_ms < 0 ? INT64_MAX : snap_now() + (int64_t)timeout_ms * 1000000;
	int rc = 0;

	w->em.fn = fn;
	w->em.arg = arg;
	w->em.rc = 0;
	w->em.count = 0;
	w->em.moved = 0;
	/*
	 * Signals come during the wait only (epoll_pwait): a read of the
	 * kernel is never cut short by one, and a listing cut short would
	 * look like objects gone.
	 */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = watch_loop(w, until, &old);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

static int watch_loop(struct ipk_watch *w, int64_t until, const sigset_t *waitmask)
{
	int rc = 0;

	for (;;) {
		int64_t now = snap_now();
		int64_t due = dirty_due(w) < w->next_poll ? dirty_due(w) : w->next_poll;
		if (due > until)
			due = until;
		int wait = due <= now ? 0 : (int)((due - now + 999999) / 1000000);
		struct epoll_event evs[32];
		int n = epoll_pwait(w->epfd, evs, 32, wait, waitmask);
		if (n < 0) {
			if (errno == EINTR)
				return w->em.count ? (int)w->em.count : -EINTR;
			return -errno;
		}
		w->em.now = snap_now();
		for (int i = 0; i < n && !rc; i++) {
			uint64_t what = evs[i].data.u64;
			if (what == SRC_INOTIFY) {
				inotify_read(w);
			} else if (what == SRC_TIMER) {
				uint64_t ticks;
				if (read(w->tfd, &ticks, sizeof(ticks)) < 0)
					continue;
			} else if (what == SRC_CNPROC) {
				rc = cnproc_read(w);
			} else if (what >= SRC_PIDFD_BASE) {
				pid_t pid = (pid_t)(what - SRC_PIDFD_BASE);
				pidfd_close(w, pid);
				rc = exited(w, pid);
			}
		}
		w->em.now = snap_now();
		if (!rc && w->ndirty) {
			w->ctx->procs = w->procs;
			w->gen++;
			w->between_polls = true;
			rc = read_dirty(w);
			w->between_polls = false;
			w->ctx->procs = NULL;
		}
		if (!rc && snap_now() >= w->next_poll) {
			rc = poll_all(w);
			int64_t next = w->next_poll + (int64_t)w->interval;
			/* a poll that fell behind starts the beat again */
			w->next_poll = next > snap_now() ? next : snap_now() + (int64_t)w->interval;
		}
		arm_timer(w);
		if (rc == 0 && w->em.rc)
			rc = w->em.rc;
		w->st.events += w->em.count;
		if (rc)
			return rc;
		if (w->em.count) {
			rc = (int)w->em.count;
			w->em.count = 0;
			return rc;
		}
		/* objects of the filter's leaving out changed: a caller's condition may hold now */
		if (w->em.moved) {
			w->em.moved = 0;
			return 0;
		}
		if (snap_now() >= until)
			return 0;
	}
}

int ipk_watch_fd(const struct ipk_watch *w)
{
	return w->epfd;
}

struct ipk_snapshot *ipk_watch_snapshot(struct ipk_watch *w)
{
	return w->snap;
}

const struct ipk_filter *ipk_watch_filter(const struct ipk_watch *w)
{
	return &w->filter;
}

void ipk_watch_stats(const struct ipk_watch *w, struct ipk_watch_stats *st)
{
	*st = w->st;
	st->inotify = w->views[0].shm_watched || w->views[0].mq_watched;
	st->exits_source = w->exits_source;
}

void ipk_watch_free(struct ipk_watch *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->nviews; i++) {
		if (w->views[i].shm_dfd >= 0)
			close(w->views[i].shm_dfd);
		if (w->views[i].mq_dfd >= 0)
			close(w->views[i].mq_dfd);
	}
	if (w->ctx && w->nviews) {
		w->ctx->has_mqueue_dir = false;
		w->ctx->procs = NULL;
	}
	for (size_t i = 0; i < w->npidfds; i++)
		close(w->pidfds[i].fd);
	free(w->pidfds);
	for (size_t i = 0; i < w->ndirty; i++)
		free(w->dirty[i].name);
	free(w->dirty);
	if (w->ifd >= 0)
		close(w->ifd);
	if (w->tfd >= 0)
		close(w->tfd);
	if (w->cnfd >= 0) {
		cnproc_send(w->cnfd, PROC_CN_MCAST_IGNORE, 0);
		close(w->cnfd);
	}
	if (w->epfd >= 0)
		close(w->epfd);
	procs_free(w->procs);
	ipk_snapshot_free(w->snap);
	free(w->filter.name_glob);
	free(w);
}
