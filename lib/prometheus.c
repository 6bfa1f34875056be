/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Prometheus text exposition format (version 0.0.4) of a snapshot and
 * of the kernel's limits: what ipc-ls --format prometheus writes for
 * node_exporter's textfile collector and what ipc-exporter serves.  Every
 * family has its # HELP and # TYPE and its samples together; label values
 * are escaped as the format says, and kept valid UTF-8.
 */
#include "snapshot/snapshot.h"

#include <inttypes.h>
#include <stdlib.h>

#define DEFAULT_MAX_SERIES 10000

static int family(struct ipk_buf *out, const char *name, const char *type, const char *help)
{
	return ipk_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Length of the UTF-8 sequence at @s, or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 :
		   (s[0] & 0xf8) == 0xf0 ? 4 : 0;

	if (n == 2 && s[0] < 0xc2)
		return 0;	/* overlong */
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* A label value: backslash, quote and newline escaped; bytes not UTF-8 as U+FFFD. */
static int label_value(struct ipk_buf *out, const char *v)
{
	int rc = 0;

	for (const unsigned char *p = (const unsigned char *)(v ? v : ""); *p && !rc;) {
		size_t n = utf8_len(p);
		if (*p == '\\')
			rc = ipk_buf_puts(out, "\\\\");
		else if (*p == '"')
			rc = ipk_buf_puts(out, "\\\"");
		else if (*p == '\n')
			rc = ipk_buf_puts(out, "\\n");
		else if (!n)
			rc = ipk_buf_puts(out, "\xef\xbf\xbd");
		else
			rc = ipk_buf_add(out, (const char *)p, n);
		p += n ? n : 1;
	}
	return rc;
}

static int kind_sample(struct ipk_buf *out, const char *name, const struct ipk_kind *k, uint64_t v)
{
	return ipk_buf_printf(out, "%s{kind=\"%s\"} %" PRIu64 "\n", name, ipk_kind_name(k), v);
}

/* Per kind: objects, bytes, messages, orphans. */
struct kind_sums {
	uint64_t objects, bytes, messages, orphans;
};

/*
 * A kind read in part has no count series: a false 0 would clear an alert.
 * ipckit_scan_success says which, as node_exporter's
 * node_scrape_collector_success does of its collectors.
 */
static int per_kind(struct ipk_buf *out, const struct ipk_ctx *ctx, const struct ipk_filter *f,
		    const struct kind_sums *sum)
{
	static const struct {
		const char *name, *help;
		int field;	/* the kinds that have it; -1: every kind */
		size_t member;
	} families[] = {
		{ "ipckit_objects", "IPC objects, per kind.", -1,
		  offsetof(struct kind_sums, objects) },
		{ "ipckit_size_bytes", "Bytes of the objects of a kind: segment and file sizes, "
		  "bytes queued in queues, pipes and sockets.", IPK_F_SIZE,
		  offsetof(struct kind_sums, bytes) },
		{ "ipckit_queued_messages", "Messages queued now, per kind of queue.", IPK_F_MESSAGES,
		  offsetof(struct kind_sums, messages) },
		{ "ipckit_orphan_objects", "Objects no live process holds or uses, per kind.", -1,
		  offsetof(struct kind_sums, orphans) },
	};
	int rc = 0;

	for (size_t i = 0; i < ARRAY_SIZE(families) && !rc; i++) {
		rc = family(out, families[i].name, "gauge", families[i].help);
		for (size_t k = 0; k < ipk_kind_count() && !rc; k++) {
			const struct ipk_kind *kind = ipk_kind_at(k);
			if (!ipk_filter_wants_kind(f, kind) || ipk_ctx_kind_partial(ctx, kind) ||
			    (families[i].field >= 0 && !ipk_kind_has_field(kind, families[i].field)))
				continue;
			const uint64_t *v = (const uint64_t *)(const void *)
					    ((const char *)&sum[k] + families[i].member);
			rc = kind_sample(out, families[i].name, kind, *v);
		}
	}
	if (!rc)
		rc = family(out, "ipckit_scan_success", "gauge",
			    "Whether every object of a kind could be read (1) or not (0, and the "
			    "kind's other series are left out).");
	for (size_t k = 0; k < ipk_kind_count() && !rc; k++) {
		const struct ipk_kind *kind = ipk_kind_at(k);
		if (ipk_filter_wants_kind(f, kind))
			rc = kind_sample(out, "ipckit_scan_success", kind,
					 !ipk_ctx_kind_partial(ctx, kind));
	}
	return rc;
}

static int limits(struct ipk_ctx *ctx, struct ipk_buf *out)
{
	struct ipk_limit *v = NULL;
	size_t n = 0;
	int rc = ipk_limits(ctx, &v, &n);

	if (rc)
		return rc;
	rc = family(out, "ipckit_limit", "gauge",
		    "The kernel's limit on an IPC resource, as ipc-ls --limits shows it "
		    "(bytes or a count).");
	for (size_t i = 0; i < n && !rc; i++) {
		if (!v[i].has_limit)
			continue;
		if (v[i].unlimited)
			rc = ipk_buf_printf(out, "ipckit_limit{resource=\"%s\"} +Inf\n", v[i].resource);
		else
			rc = ipk_buf_printf(out, "ipckit_limit{resource=\"%s\"} %" PRIu64 "\n",
					    v[i].resource, v[i].limit);
	}
	if (!rc)
		rc = family(out, "ipckit_limit_used", "gauge",
			    "How much of a limited IPC resource is in use now.");
	for (size_t i = 0; i < n && !rc; i++)
		if (v[i].has_used)
			rc = ipk_buf_printf(out, "ipckit_limit_used{resource=\"%s\"} %" PRIu64 "\n",
					    v[i].resource, v[i].used);
	free(v);
	return rc;
}

static const struct {
	const char *name, *help;
	int field;
} object_families[] = {
	{ "ipckit_object_size_bytes", "Bytes of one object: its size, or what it holds queued.",
	  IPK_F_SIZE },
	{ "ipckit_object_queued_messages", "Messages queued now in one queue.", IPK_F_MESSAGES },
	{ "ipckit_object_attached", "Attaches of one object (NATTCH).", IPK_F_NATTCH },
	{ "ipckit_object_holders", "Processes that hold one object.", IPK_F_HOLDERS },
	{ "ipckit_object_change_time_seconds", "When one object last changed (CTIME), "
	  "seconds since the epoch.", IPK_F_CTIME },
};

/* The value of family @i for @o; false when it has none. */
static bool object_value(const struct ipk_object *o, size_t i, uint64_t *v)
{
	struct ipk_value val;
	int field = object_families[i].field;

	ipk_object_get(o, field, &val);
	if (val.presence != IPK_PRESENT)
		return false;
	if (field == IPK_F_HOLDERS) {
		/* processes, not fds: a process holding both ends of a pipe is one */
		uint64_t procs = 0;
		for (size_t h = 0; h < val.holders.n; h++)
			procs += h == 0 || val.holders.v[h].pid != val.holders.v[h - 1].pid;
		*v = procs;
		return true;
	}
	*v = val.i < 0 ? 0 : (uint64_t)val.i;
	return true;
}

static int object_labels(struct ipk_ctx *ctx, const struct ipk_object *o, struct ipk_buf *out)
{
	struct ipk_value v;
	const char *owner = NULL;

	ipk_object_get(o, IPK_F_UID, &v);
	char uid[24] = "";
	if (v.presence == IPK_PRESENT) {
		owner = ctx_user_name(ctx, (uint32_t)v.u);
		if (!owner) {
			snprintf(uid, sizeof(uid), "%" PRIu64, v.u);
			owner = uid;
		}
	}
	int rc = ipk_buf_printf(out, "{kind=\"%s\",ref=\"", ipk_kind_name(ipk_object_kind(o)));
	/* the REF as commands take it back, not lossy where a name is no UTF-8 */
	struct ipk_buf ref = { 0 };
	rc |= buf_ref_text(&ref, ipk_object_ref(o));
	rc |= label_value(out, ref.s ? ref.s : "");
	ipk_buf_free(&ref);
	rc |= ipk_buf_puts(out, "\",name=\"");
	ipk_object_get(o, IPK_F_NAME, &v);
	rc |= label_value(out, v.presence == IPK_PRESENT ? v.s : "");
	rc |= ipk_buf_puts(out, "\",owner=\"");
	rc |= label_value(out, owner);
	rc |= ipk_buf_puts(out, "\"}");
	return rc ? -ENOMEM : 0;
}

static int per_object(struct ipk_ctx *ctx, struct ipk_snapshot *s, const struct ipk_filter *f,
		      const struct ipk_prom_opts *o, struct ipk_buf *out, uint64_t *dropped)
{
	size_t max = o->max_series ? o->max_series : DEFAULT_MAX_SERIES, used = 0;
	size_t n = ipk_snapshot_len(s);
	time_t now = time(NULL);
	bool *keep = calloc(n ? n : 1, sizeof(*keep));
	struct ipk_buf labels = { 0 };
	int rc = 0;

	if (!keep)
		return -ENOMEM;
	/* whole objects, in ipc-ls's order, while their series fit */
	for (size_t i = 0; i < n; i++) {
		const struct ipk_object *obj = ipk_snapshot_at(s, i);
		size_t series = 0;
		uint64_t v;
		if (!ipk_filter_match(f, obj, now))
			continue;
		for (size_t j = 0; j < ARRAY_SIZE(object_families); j++)
			series += object_value(obj, j, &v);
		if (used + series <= max) {
			keep[i] = true;
			used += series;
		} else {
			*dropped += series;
		}
	}
	for (size_t j = 0; j < ARRAY_SIZE(object_families) && !rc; j++) {
		rc = family(out, object_families[j].name, "gauge", object_families[j].help);
		for (size_t i = 0; i < n && !rc; i++) {
			const struct ipk_object *obj = ipk_snapshot_at(s, i);
			uint64_t v;
			if (!keep[i] || !object_value(obj, j, &v))
				continue;
			ipk_buf_reset(&labels);
			rc = object_labels(ctx, obj, &labels);
			if (!rc)
				rc = ipk_buf_printf(out, "%s%s %" PRIu64 "\n", object_families[j].name,
						    labels.s, v);
		}
	}
	ipk_buf_free(&labels);
	free(keep);
	return rc;
}

int ipk_prometheus(struct ipk_ctx *ctx, struct ipk_snapshot *s, const struct ipk_filter *f,
		   const struct ipk_prom_opts *o, struct ipk_buf *out, uint64_t *dropped)
{
	static const struct ipk_prom_opts defaults = { .scan_seconds = -1 };
	size_t nk = ipk_kind_count();
	struct kind_sums *sum = calloc(nk, sizeof(*sum));
	uint64_t lost = 0;
	time_t now = time(NULL);
	int rc = 0;

	if (!o)
		o = &defaults;
	if (!sum)
		return -ENOMEM;
	for (size_t i = 0; i < ipk_snapshot_len(s); i++) {
		const struct ipk_object *obj = s->v[i]->obj;
		struct kind_sums *k = &sum[ipk_kind_index(obj->kind)];
		if (!ipk_filter_match(f, obj, now))
			continue;
		k->objects++;
		if (obj_has(obj, IPK_F_SIZE))
			k->bytes += obj->size;
		if (obj_has(obj, IPK_F_MESSAGES))
			k->messages += obj->messages;
		if (obj_has(obj, IPK_F_STATUS) && (obj->status & IPK_ST_ORPHAN))
			k->orphans++;
	}
	rc = per_kind(out, ctx, f, sum);
	free(sum);
	if (!rc)
		rc = limits(ctx, out);
	if (!rc && o->per_object)
		rc = per_object(ctx, s, f, o, out, &lost);
	if (!rc && o->per_object)
		rc = family(out, "ipckit_series_dropped_total", "counter",
			    "Per-object series left out to stay under --max-series.") ?:
		     ipk_buf_printf(out, "ipckit_series_dropped_total %" PRIu64 "\n",
				    o->dropped_total + lost);
	if (!rc && o->scan_seconds >= 0)
		rc = family(out, "ipckit_scan_duration_seconds", "gauge",
			    "How long reading every IPC object took, in seconds.") ?:
		     ipk_buf_printf(out, "ipckit_scan_duration_seconds %.6f\n", o->scan_seconds);
	if (dropped)
		*dropped = lost;
	return rc ? -ENOMEM : 0;
}
