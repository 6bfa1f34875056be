/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fields as text: one conversion per field type, for tables and `-i`
 * (ipk_field_text) and for JSON (ipk_field_json).
 */
#include "internal.h"

#include <inttypes.h>
#include <stdlib.h>

/* In the order of the bits of enum ipk_status. */
static const char *const status_words[] = {
	"dest", "locked", "orphan", "notify", "gone", "listening", "connected", "semaphore",
};

/*
 * Each field's member of a JSON object, ready to copy: ", \"messages\": null".
 * Without the first two bytes it opens an object; @len ends it before the
 * null, for a value of its own.
 */
static const struct json_key {
	const char *text;
	uint8_t len;
} json_keys[IPK_F_COUNT] = {
#define KEY(id, json, column, type, flags, help)				\
	[IPK_F_##id] = { ", \"" json "\": null", sizeof(", \"" json "\": ") - 1 },
	IPK_FIELDS(KEY)
#undef KEY
};

/*
 * The text that opens @f's member, after another (", \"size\": ") or
 * first in its object, and with @null the null too: most fields of most
 * kinds are null, copied with their key.
 */
static inline const char *member(int f, bool first, bool null, size_t *len)
{
	*len = json_keys[f].len - (first ? 2u : 0u) + (null ? 4u : 0u);
	return json_keys[f].text + (first ? 2 : 0);
}

/* Whether @o's @f is null in JSON: not known, or not readable (a record's kind always is). */
static inline bool json_null(const struct ipk_object *o, int f)
{
	int data = field_data(f);

	/* an unreadable field is never present */
	return f != IPK_F_KIND && !fieldset_has(&o->present, data);
}

/* A number, as JSON and tables show it: written in place. */
static int add_i64(struct ipk_buf *out, int64_t v)
{
	if (out->cap - out->len <= 24 && ipk_buf_reserve(out, 24))
		return -ENOMEM;
	out->len += fmt_i64(out->s + out->len, v);
	return 0;
}

static int add_u64(struct ipk_buf *out, uint64_t v)
{
	if (out->cap - out->len <= 24 && ipk_buf_reserve(out, 24))
		return -ENOMEM;
	out->len += fmt_u64(out->s + out->len, v);
	return 0;
}

static int perms_text(uint32_t mode, bool numeric, struct ipk_buf *out)
{
	if (numeric) {
		char s[4] = { (char)('0' + ((mode >> 9) & 7)), (char)('0' + ((mode >> 6) & 7)),
			      (char)('0' + ((mode >> 3) & 7)), (char)('0' + (mode & 7)) };
		return buf_put(out, s, 4);
	}

	static const char rwx[] = "rwxrwxrwx";
	char s[10];
	for (int i = 0; i < 9; i++)
		s[i] = (mode & (0400u >> i)) ? rwx[i] : '-';
	if (mode & 04000)
		s[2] = s[2] == 'x' ? 's' : 'S';
	if (mode & 02000)
		s[5] = s[5] == 'x' ? 's' : 'S';
	if (mode & 01000)
		s[8] = s[8] == 'x' ? 't' : 'T';
	s[9] = '\0';
	return buf_puts(out, s);
}

/*
 * The text of each time, formatted once: objects made together share their
 * times, and one object's times differ, so a few entries picked by the
 * time's low bits keep them all.  Keyed by the time, the format and, for
 * SHORT and RELATIVE, the clock's second.
 */
static struct time_slot *time_slot(struct ipk_ctx *ctx, int64_t t, int format, time_t now)
{
	struct time_slot *slot = &ctx->times[(uint64_t)t % ARRAY_SIZE(ctx->times)];

	if (slot->valid && slot->t == t && slot->format == format && slot->now == now)
		return slot;
	slot->valid = false;
	slot->t = t;
	slot->format = format;
	slot->now = now;
	return slot;
}

static int time_text(struct ipk_ctx *ctx, int64_t t, const struct ipk_format *fmt,
		     struct ipk_buf *out)
{
	time_t tt = (time_t)t;
	time_t now = fmt->now ? fmt->now : time(NULL);
	struct tm tm, tm_now;

	if (fmt->time == IPK_TIME_EPOCH) {
		char s[24];
		return buf_put(out, s, fmt_i64(s, t));
	}
	if (fmt->time == IPK_TIME_RELATIVE) {
		int64_t d = (int64_t)now - t;
		int64_t a = d < 0 ? -d : d;
		const char *unit = "s";

		if (a >= 86400 * 2) {
			a /= 86400;
			unit = "d";
		} else if (a >= 3600 * 2) {
			a /= 3600;
			unit = "h";
		} else if (a >= 120) {
			a /= 60;
			unit = "m";
		}
		if (d < 0)
			return ipk_buf_printf(out, "in %" PRId64 "%s", a, unit);
		return ipk_buf_printf(out, "%" PRId64 "%s ago", a, unit);
	}
	struct time_slot *slot = time_slot(ctx, t, (int)fmt->time, now);
	char *s = slot->text;
	if (slot->valid)
		return buf_put(out, s, slot->len);
	if (!localtime_r(&tt, &tm) || !localtime_r(&now, &tm_now)) {
		char n[24];
		return buf_put(out, n, fmt_i64(n, t));
	}
	size_t size = sizeof(slot->text);
	switch (fmt->time) {
	case IPK_TIME_ISO:
		strftime(s, size, "%Y-%m-%dT%H:%M:%S%z", &tm);
		break;
	case IPK_TIME_FULL:
		strftime(s, size, "%Y-%m-%d %H:%M:%S", &tm);
		break;
	default:
		/* As lsipc: the time today, the day this year, the date before. */
		if (tm.tm_year == tm_now.tm_year && tm.tm_yday == tm_now.tm_yday)
			strftime(s, size, "%H:%M", &tm);
		else if (tm.tm_year == tm_now.tm_year)
			strftime(s, size, "%b%d", &tm);
		else
			strftime(s, size, "%Y-%m-%d", &tm);
		break;
	}
	slot->len = strlen(s);
	slot->valid = true;
	return buf_put(out, s, slot->len);
}

/* "2026-11-21T20:29:00Z", quotes included; a JSON format of its own in the cache. */
#define TIME_JSON (-1)

static int time_json(struct ipk_ctx *ctx, int64_t t, struct ipk_buf *out)
{
	struct time_slot *slot = time_slot(ctx, t, TIME_JSON, 0);
	time_t tt = (time_t)t;
	struct tm tm;

	if (!slot->valid) {
		if (!gmtime_r(&tt, &tm))
			return buf_put(out, "null", 4);
		slot->len = strftime(slot->text, sizeof(slot->text), "\"%Y-%m-%dT%H:%M:%SZ\"", &tm);
		slot->valid = true;
	}
	return buf_put(out, slot->text, slot->len);
}

static int number_list(const int64_t *v, size_t n, const char *sep, struct ipk_buf *out)
{
	size_t seplen = strlen(sep);
	char s[24];
	int rc = 0;

	for (size_t i = 0; i < n && !rc; i++) {
		if (i)
			rc |= buf_put(out, sep, seplen);
		rc |= buf_put(out, s, fmt_i64(s, v[i]));
	}
	return rc;
}

static int number(const struct ipk_value *v, struct ipk_buf *out)
{
	char s[24];

	return buf_put(out, s, v->is_unsigned ? fmt_u64(s, v->u) : fmt_i64(s, v->i));
}

/* Nanoseconds as seconds, to the millisecond, without trailing zeros: 1.5 */
static int seconds(int64_t ns, struct ipk_buf *out)
{
	int64_t ms = ns / 1000000;
	char s[32];
	size_t n = fmt_i64(s, ms / 1000);

	if (ms < 0 && ms > -1000)
		return ipk_buf_printf(out, "-0.%03d", (int)(-ms % 1000));
	int frac = (int)((ms < 0 ? -ms : ms) % 1000);
	if (frac) {
		n += (size_t)snprintf(s + n, sizeof(s) - n, ".%03d", frac);
		while (s[n - 1] == '0')
			n--;
	}
	return buf_put(out, s, n);
}

static int key_text(int64_t key, bool quoted, struct ipk_buf *out)
{
	static const char hex[] = "0123456789abcdef";
	uint32_t k = (uint32_t)key;
	char s[13], *p = s;

	if (quoted)
		*p++ = '"';
	*p++ = '0';
	*p++ = 'x';
	for (int shift = 28; shift >= 0; shift -= 4)
		*p++ = hex[(k >> shift) & 15];
	if (quoted)
		*p++ = '"';
	return buf_put(out, s, (size_t)(p - s));
}

int ipk_field_text(struct ipk_ctx *ctx, const struct ipk_object *o, int field,
		   const struct ipk_format *fmt, struct ipk_buf *out)
{
	if (!ctx || !o || !out)
		return -EINVAL;
	struct ipk_value v;

	ipk_object_get(o, field, &v);
	return ipk_value_text(ctx, &v, fmt, out);
}

int ipk_value_text(struct ipk_ctx *ctx, const struct ipk_value *value,
		   const struct ipk_format *fmt, struct ipk_buf *out)
{
	if (!ctx || !value || !out)
		return -EINVAL;
	static const struct ipk_format defaults;
	const struct ipk_value v = *value;
	const char *name;
	int rc = 0;

	if (!fmt)
		fmt = &defaults;
	if (v.presence == IPK_ABSENT)
		return buf_puts(out, "-");
	if (v.presence == IPK_NOACCESS)
		return buf_puts(out, "no access");

	switch (v.type) {
	case IPK_T_STRING:
	case IPK_T_KIND:
		return buf_puts(out, v.s);
	case IPK_T_NUMBER:
		return number(&v, out);
	case IPK_T_BYTES:
		if (fmt->exact_bytes)
			return number(&v, out);
		return ipk_format_bytes(v.u, out);
	case IPK_T_KEY:
		return key_text(v.i, false, out);
	case IPK_T_PERMS:
		return perms_text((uint32_t)v.u, fmt->numeric_perms, out);
	case IPK_T_TIME:
		return time_text(ctx, v.i, fmt, out);
	case IPK_T_USER:
	case IPK_T_GROUP:
		name = v.type == IPK_T_USER ? ctx_user_name(ctx, (uint32_t)v.u)
					    : ctx_group_name(ctx, (uint32_t)v.u);
		return name ? buf_puts(out, name) : add_u64(out, v.u);
	case IPK_T_STATUS: {
		bool any = false;
		for (size_t i = 0; i < ARRAY_SIZE(status_words) && !rc; i++) {
			if (v.u & (1u << i)) {
				if (any)
					rc = buf_put(out, ",", 1);
				rc |= buf_puts(out, status_words[i]);
				any = true;
			}
		}
		return any || rc ? rc : buf_puts(out, "-");
	}
	case IPK_T_VALUE:
	case IPK_T_NUMBERS:
		if (!v.is_list)
			return number(&v, out);
		if (!v.list.n)
			return buf_puts(out, "-");
		return number_list(v.list.v, v.list.n, ",", out);
	case IPK_T_HOLDERS:
		if (!v.holders.n)
			return buf_puts(out, "-");
		for (size_t i = 0; i < v.holders.n && !rc; i++) {
			const struct ipk_holder *h = &v.holders.v[i];

			/*
			 * A process is named once, however many fds and mappings
			 * it has, but for the two ends of a pipe and for a wait:
			 * who reads, who writes and who is blocked is what one
			 * looks for.
			 */
			bool one_way = strcmp(h->mode, "r") == 0 || strcmp(h->mode, "w") == 0 ||
				       strcmp(h->mode, "waiting") == 0;
			if (i && h->pid == v.holders.v[i - 1].pid &&
			    (!one_way || strcmp(h->mode, v.holders.v[i - 1].mode) == 0))
				continue;
			if (i)
				rc = buf_put(out, ",", 1);
			rc |= buf_puts(out, h->comm);
			rc |= buf_put(out, "[", 1);
			rc |= add_i64(out, h->pid);
			rc |= buf_put(out, "]", 1);
			if (!rc && one_way) {
				rc = buf_put(out, "(", 1);
				rc |= buf_puts(out, h->mode);
				rc |= buf_put(out, ")", 1);
			}
		}
		return rc;
	case IPK_T_STRINGS:
		if (!v.strings.n)
			return buf_puts(out, "-");
		for (size_t i = 0; i < v.strings.n && !rc; i++) {
			if (i)
				rc = buf_put(out, ",", 1);
			rc |= buf_puts(out, v.strings.v[i]);
		}
		return rc;
	case IPK_T_SECONDS:
		return seconds(v.i, out);
	}
	return -EINVAL;
}

static int value_json(struct ipk_ctx *ctx, const struct ipk_object *o, int field,
		      struct ipk_buf *out);

int ipk_field_json(struct ipk_ctx *ctx, const struct ipk_object *o, int field,
		   struct ipk_buf *out)
{
	if (!ctx || !o || !out)
		return -EINVAL;
	if ((unsigned)field >= IPK_F_COUNT)
		return buf_put(out, "null", 4);
	return json_null(o, field) ? buf_put(out, "null", 4) : value_json(ctx, o, field, out);
}

/* The JSON of a field @o has (present, or the kind). */
static int value_json(struct ipk_ctx *ctx, const struct ipk_object *o, int field,
		      struct ipk_buf *out)
{
	struct ipk_value v;
	const char *name;
	int rc = 0;

	/* A plain number in a member, straight from the record; the rest through ipk_object_get(). */
	const struct field_store_def *d = &field_store[field];
	enum ipk_field_type type = field_info[field].type;
	if (type == IPK_T_NUMBER || type == IPK_T_BYTES) {
		const void *m = (const char *)o + d->offset;
		switch (d->store) {
		case STORE_I64:
			return add_i64(out, *(const int64_t *)m);
		case STORE_U64:
			return add_u64(out, *(const uint64_t *)m);
		case STORE_U32:
			return add_u64(out, *(const uint32_t *)m);
		case STORE_I32:
			return add_i64(out, *(const int32_t *)m);
		}
	}

	ipk_object_get(o, field, &v);
	if (v.presence != IPK_PRESENT)
		return buf_puts(out, "null");

	switch (v.type) {
	case IPK_T_STRING:
	case IPK_T_KIND:
		/* a REF a program reads from JSON is one the commands take back */
		if (field == IPK_F_REF)
			return ipk_buf_json_ref(out, v.s);
		return ipk_buf_json_string(out, v.s);
	case IPK_T_NUMBER:
	case IPK_T_BYTES:
		return number(&v, out);
	case IPK_T_KEY:
		return key_text(v.i, true, out);
	case IPK_T_PERMS:
		rc = buf_puts(out, "\"");
		rc |= perms_text((uint32_t)v.u, true, out);
		return rc ? -ENOMEM : buf_puts(out, "\"");
	case IPK_T_TIME:
		return time_json(ctx, v.i, out);
	case IPK_T_USER:
	case IPK_T_GROUP:
	{
		/* a listing names the same few owners again and again */
		struct json_name *memo = &ctx->json_names[v.type == IPK_T_USER ? 0 : 1];
		if (memo->valid && memo->id == (uint32_t)v.u)
			return buf_put(out, memo->text, memo->len);
		name = v.type == IPK_T_USER ? ctx_user_name(ctx, (uint32_t)v.u)
					    : ctx_group_name(ctx, (uint32_t)v.u);
		size_t at = out->len;
		if (!name) {
			rc = buf_put(out, "\"", 1);
			rc |= add_u64(out, v.u);
			rc |= buf_put(out, "\"", 1);
		} else {
			rc = ipk_buf_json_string(out, name);
		}
		memo->valid = !rc && out->len - at < sizeof(memo->text);
		if (memo->valid) {
			memo->id = (uint32_t)v.u;
			memo->len = (uint8_t)(out->len - at);
			memcpy(memo->text, out->s + at, memo->len);
		}
		return rc ? -ENOMEM : 0;
	}
	case IPK_T_STATUS: {
		bool any = false;
		rc = buf_put(out, "[", 1);
		for (size_t i = 0; i < ARRAY_SIZE(status_words) && !rc; i++) {
			if (v.u & (1u << i)) {
				rc = buf_put(out, any ? ", \"" : "\"", any ? 3 : 1);
				rc |= buf_puts(out, status_words[i]);
				rc |= buf_put(out, "\"", 1);
				any = true;
			}
		}
		return rc ? rc : buf_put(out, "]", 1);
	}
	case IPK_T_VALUE:
	case IPK_T_NUMBERS:
		if (!v.is_list)
			return number(&v, out);
		rc = buf_puts(out, "[");
		rc |= number_list(v.list.v, v.list.n, ", ", out);
		return rc ? -ENOMEM : buf_puts(out, "]");
	case IPK_T_HOLDERS:
		rc = buf_puts(out, "[");
		for (size_t i = 0; i < v.holders.n && !rc; i++) {
			const struct ipk_holder *h = &v.holders.v[i];
			if (i)
				rc = buf_put(out, ", ", 2);
			rc |= buf_puts(out, "{\"pid\": ");
			rc |= add_i64(out, h->pid);
			rc |= buf_puts(out, ", \"comm\": ");
			rc |= ipk_buf_json_string(out, h->comm);
			rc |= buf_puts(out, ", \"fd\": ");
			rc |= h->fd >= 0 ? add_i64(out, h->fd) : buf_put(out, "null", 4);
			if (h->mode[0]) {
				rc |= buf_puts(out, ", \"mode\": \"");
				rc |= buf_puts(out, h->mode);
				rc |= buf_puts(out, "\"}");
			} else {
				rc |= buf_puts(out, ", \"mode\": null}");
			}
		}
		return rc ? -ENOMEM : buf_puts(out, "]");
	case IPK_T_STRINGS:
		rc = buf_puts(out, "[");
		for (size_t i = 0; i < v.strings.n && !rc; i++) {
			rc = buf_puts(out, i ? ", " : "");
			rc |= ipk_buf_json_string(out, v.strings.v[i]);
		}
		return rc ? -ENOMEM : buf_puts(out, "]");
	case IPK_T_SECONDS:
		return seconds(v.i, out);
	}
	return -EINVAL;
}

/* Fields a whole-record JSON object carries for @o: the record, and the details known. */
static bool json_carries(const struct ipk_object *o, const struct fieldset *fields, int f)
{
	if (!(field_info[f].flags & IPK_FIELD_DETAIL))
		return true;
	int data = field_data(f);
	return fieldset_has(fields, f) &&
	       (fieldset_has(&o->present, data) || obj_noaccess_has(o, data));
}

/*
 * The JSON of a record with every field it carries is text that only its
 * kind and which of its fields are known or unreadable decide, with a
 * value at each known field. A plan keeps that text, cut at the values:
 * made once for each such record a listing meets, it leaves a record's
 * JSON a copy of a few runs of text and the values between them, where
 * most fields are a null copied with their key.
 */
#define JSON_PLANS 16

struct json_step {
	uint16_t at, len;	/* the text before the value, in the plan's text */
	int16_t field;		/* the value's; -1 after the last */
};

/* Every member with its null, twice (the no_access list names them again), and the braces. */
#define KEY_LEN(id, json, column, type, flags, help) +sizeof(", \"" json "\": null")
enum { JSON_PLAN_TEXT = 2 * (0 IPK_FIELDS(KEY_LEN)) + 32 };
#undef KEY_LEN

struct json_plan {
	const struct ipk_kind *kind;
	struct fieldset present, noaccess;
	size_t nsteps, len;
	struct json_step steps[IPK_F_COUNT + 1];
	char text[JSON_PLAN_TEXT];
};

/* In the context, free()d with it: a plan holds no pointer of its own to free. */
struct json_plans {
	size_t n, last, next;	/* plans made, the one used last, the next replaced */
	struct json_plan plan[JSON_PLANS];
};

_Static_assert(JSON_PLAN_TEXT <= UINT16_MAX, "steps keep 16-bit offsets");

/* Appends @n bytes to the plan's text. */
static void plan_put(struct json_plan *p, const char *s, size_t n)
{
	memcpy(p->text + p->len, s, n);
	p->len += n;
}

/* Ends the run of text that began at @at with a value of @field (-1: none). */
static void plan_step(struct json_plan *p, size_t *at, int field)
{
	p->steps[p->nsteps++] =
		(struct json_step){ (uint16_t)*at, (uint16_t)(p->len - *at), (int16_t)field };
	*at = p->len;
}

/*
 * The text of records like @o, with every field they carry: what
 * ipk_object_json() writes of a record's fields, the values left out.
 */
static void plan_make(struct json_plan *p, const struct ipk_object *o)
{
	const struct fieldset *kind_set = kind_fields(o->kind);
	bool first = true;
	size_t at = 0;

	p->kind = o->kind;
	p->present = o->present;
	p->noaccess = obj_noaccess(o);
	p->nsteps = p->len = 0;
	plan_put(p, "{", 1);
	for (int f = 0; f < IPK_F_COUNT; f++) {
		if (!json_carries(o, kind_set, f))
			continue;
		size_t len;
		bool null = json_null(o, f);
		const char *key = member(f, first, null, &len);
		first = false;
		plan_put(p, key, len);
		if (!null)
			plan_step(p, &at, f);
	}
	if (!fieldset_empty(&p->noaccess)) {
		static const char open[] = ", \"no_access\": [";
		bool any = false;
		plan_put(p, open, sizeof(open) - 1);
		for (int f = 0; f < IPK_F_COUNT; f++) {
			if (field_data(f) == f && fieldset_has(&p->noaccess, f)) {
				/* the member without its ": null" is the quoted name */
				if (any)
					plan_put(p, ", ", 2);
				plan_put(p, json_keys[f].text + 2, json_keys[f].len - 4u);
				any = true;
			}
		}
		plan_put(p, "]", 1);
	}
	plan_put(p, "}", 1);
	plan_step(p, &at, -1);
}

/* The plan for records like @o: found, or made in place of the oldest; NULL without memory. */
static const struct json_plan *plan_of(struct ipk_ctx *ctx, const struct ipk_object *o)
{
	struct json_plans *plans = ctx->json_plans;

	if (!plans && !(plans = ctx->json_plans = calloc(1, sizeof(*plans))))
		return NULL;
	struct fieldset noaccess = obj_noaccess(o);
	for (size_t k = 0; k < plans->n; k++) {
		size_t i = (plans->last + k) % plans->n;
		const struct json_plan *p = &plans->plan[i];
		if (p->kind == o->kind && !memcmp(&p->present, &o->present, sizeof(p->present)) &&
		    !memcmp(&p->noaccess, &noaccess, sizeof(p->noaccess))) {
			plans->last = i;
			return p;
		}
	}
	size_t i = plans->n < JSON_PLANS ? plans->n++ : plans->next++ % JSON_PLANS;
	plan_make(&plans->plan[i], o);
	plans->last = i;
	return &plans->plan[i];
}

int ipk_object_json(struct ipk_ctx *ctx, const struct ipk_object *o,
		    const int *fields, size_t nfields, struct ipk_buf *out)
{
	if (!ctx || !o || !out)
		return -EINVAL;
	bool first = true;
	int rc = 0;

	if (!fields) {
		const struct json_plan *p = plan_of(ctx, o);
		if (!p)
			return -ENOMEM;
		for (size_t i = 0; i < p->nsteps && !rc; i++) {
			const struct json_step *s = &p->steps[i];
			rc = buf_put(out, p->text + s->at, s->len);
			if (s->field >= 0)
				rc |= value_json(ctx, o, s->field, out);
		}
		return rc ? -ENOMEM : 0;
	}
	rc = buf_puts(out, "{");
	for (size_t i = 0; i < nfields && !rc; i++) {
		int f = fields[i];

		if (f < 0 || f >= IPK_F_COUNT)
			return -EINVAL;
		size_t len;
		bool null = json_null(o, f);
		const char *key = member(f, first, null, &len);
		first = false;
		rc = buf_put(out, key, len);
		if (!null)
			rc |= value_json(ctx, o, f, out);
	}
	return rc ? -ENOMEM : buf_puts(out, "}");
}
