/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fields as text: one conversion per field type, for tables and `-i`
 * (ipk_field_text) and for JSON (ipk_field_json).
 */
#include "internal.h"

#include <inttypes.h>

/* In the order of the bits of enum ipk_status. */
static const char *const status_words[] = {
	"dest", "locked", "orphan", "notify", "gone", "listening", "connected", "semaphore",
};

static int perms_text(uint32_t mode, bool numeric, struct ipk_buf *out)
{
	if (numeric) {
		char s[4] = { (char)('0' + ((mode >> 9) & 7)), (char)('0' + ((mode >> 6) & 7)),
			      (char)('0' + ((mode >> 3) & 7)), (char)('0' + (mode & 7)) };
		return ipk_buf_add(out, s, 4);
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
	return ipk_buf_puts(out, s);
}

static int time_text(struct ipk_ctx *ctx, int64_t t, const struct ipk_format *fmt,
		     struct ipk_buf *out)
{
	time_t tt = (time_t)t;
	time_t now = fmt->now ? fmt->now : time(NULL);
	struct tm tm, tm_now;
	char *s = ctx->time_text;

	/* Objects made together share a time: format each time once. */
	if (ctx->time_valid && ctx->time_t_cached == t && ctx->time_now == now &&
	    ctx->time_format == (int)fmt->time)
		return ipk_buf_puts(out, s);
	ctx->time_valid = false;

	if (fmt->time == IPK_TIME_EPOCH)
		return ipk_buf_printf(out, "%" PRId64, t);
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
	if (!localtime_r(&tt, &tm) || !localtime_r(&now, &tm_now))
		return ipk_buf_printf(out, "%" PRId64, t);
	size_t size = sizeof(ctx->time_text);
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
	ctx->time_valid = true;
	ctx->time_t_cached = t;
	ctx->time_now = now;
	ctx->time_format = (int)fmt->time;
	return ipk_buf_puts(out, s);
}

static int time_json(int64_t t, struct ipk_buf *out)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char s[64];

	if (!gmtime_r(&tt, &tm))
		return ipk_buf_puts(out, "null");
	strftime(s, sizeof(s), "\"%Y-%m-%dT%H:%M:%SZ\"", &tm);
	return ipk_buf_puts(out, s);
}

static int number_list(const int64_t *v, size_t n, const char *sep, struct ipk_buf *out)
{
	size_t seplen = strlen(sep);
	char s[24];
	int rc = 0;

	for (size_t i = 0; i < n && !rc; i++) {
		if (i)
			rc |= ipk_buf_add(out, sep, seplen);
		rc |= ipk_buf_add(out, s, fmt_i64(s, v[i]));
	}
	return rc;
}

static int number(const struct ipk_value *v, struct ipk_buf *out)
{
	char s[24];

	return ipk_buf_add(out, s, v->is_unsigned ? fmt_u64(s, v->u) : fmt_i64(s, v->i));
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
	return ipk_buf_add(out, s, n);
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
	return ipk_buf_add(out, s, (size_t)(p - s));
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
		return ipk_buf_puts(out, "-");
	if (v.presence == IPK_NOACCESS)
		return ipk_buf_puts(out, "no access");

	switch (v.type) {
	case IPK_T_STRING:
	case IPK_T_KIND:
		return ipk_buf_puts(out, v.s);
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
		return name ? ipk_buf_puts(out, name) : ipk_buf_printf(out, "%" PRIu64, v.u);
	case IPK_T_STATUS: {
		bool any = false;
		for (size_t i = 0; i < ARRAY_SIZE(status_words) && !rc; i++) {
			if (v.u & (1u << i)) {
				rc = ipk_buf_printf(out, "%s%s", any ? "," : "", status_words[i]);
				any = true;
			}
		}
		return any || rc ? rc : ipk_buf_puts(out, "-");
	}
	case IPK_T_VALUE:
	case IPK_T_NUMBERS:
		if (!v.is_list)
			return number(&v, out);
		if (!v.list.n)
			return ipk_buf_puts(out, "-");
		return number_list(v.list.v, v.list.n, ",", out);
	case IPK_T_HOLDERS:
		if (!v.holders.n)
			return ipk_buf_puts(out, "-");
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
			rc = ipk_buf_printf(out, "%s%s[%d]", i ? "," : "", h->comm, (int)h->pid);
			if (!rc && one_way)
				rc = ipk_buf_printf(out, "(%s)", h->mode);
		}
		return rc;
	case IPK_T_STRINGS:
		if (!v.strings.n)
			return ipk_buf_puts(out, "-");
		for (size_t i = 0; i < v.strings.n && !rc; i++)
			rc = ipk_buf_printf(out, "%s%s", i ? "," : "", v.strings.v[i]);
		return rc;
	case IPK_T_SECONDS:
		return seconds(v.i, out);
	}
	return -EINVAL;
}

int ipk_field_json(struct ipk_ctx *ctx, const struct ipk_object *o, int field,
		   struct ipk_buf *out)
{
	if (!ctx || !o || !out)
		return -EINVAL;
	struct ipk_value v;
	const char *name;
	int rc = 0;

	ipk_object_get(o, field, &v);
	if (v.presence != IPK_PRESENT)
		return ipk_buf_puts(out, "null");

	switch (v.type) {
	case IPK_T_STRING:
	case IPK_T_KIND:
		return ipk_buf_json_string(out, v.s);
	case IPK_T_NUMBER:
	case IPK_T_BYTES:
		return number(&v, out);
	case IPK_T_KEY:
		return key_text(v.i, true, out);
	case IPK_T_PERMS:
		rc = ipk_buf_puts(out, "\"");
		rc |= perms_text((uint32_t)v.u, true, out);
		return rc ? -ENOMEM : ipk_buf_puts(out, "\"");
	case IPK_T_TIME:
		return time_json(v.i, out);
	case IPK_T_USER:
	case IPK_T_GROUP:
		name = v.type == IPK_T_USER ? ctx_user_name(ctx, (uint32_t)v.u)
					    : ctx_group_name(ctx, (uint32_t)v.u);
		if (!name)
			return ipk_buf_printf(out, "\"%" PRIu64 "\"", v.u);
		return ipk_buf_json_string(out, name);
	case IPK_T_STATUS: {
		bool any = false;
		rc = ipk_buf_puts(out, "[");
		for (size_t i = 0; i < ARRAY_SIZE(status_words) && !rc; i++) {
			if (v.u & (1u << i)) {
				rc = ipk_buf_printf(out, "%s\"%s\"", any ? ", " : "", status_words[i]);
				any = true;
			}
		}
		return rc ? rc : ipk_buf_puts(out, "]");
	}
	case IPK_T_VALUE:
	case IPK_T_NUMBERS:
		if (!v.is_list)
			return number(&v, out);
		rc = ipk_buf_puts(out, "[");
		rc |= number_list(v.list.v, v.list.n, ", ", out);
		return rc ? -ENOMEM : ipk_buf_puts(out, "]");
	case IPK_T_HOLDERS:
		rc = ipk_buf_puts(out, "[");
		for (size_t i = 0; i < v.holders.n && !rc; i++) {
			const struct ipk_holder *h = &v.holders.v[i];
			rc = ipk_buf_printf(out, "%s{\"pid\": %d, \"comm\": ", i ? ", " : "",
					    (int)h->pid);
			rc |= ipk_buf_json_string(out, h->comm);
			if (h->fd >= 0)
				rc |= ipk_buf_printf(out, ", \"fd\": %d", h->fd);
			else
				rc |= ipk_buf_puts(out, ", \"fd\": null");
			if (h->mode[0])
				rc |= ipk_buf_printf(out, ", \"mode\": \"%s\"}", h->mode);
			else
				rc |= ipk_buf_puts(out, ", \"mode\": null}");
		}
		return rc ? -ENOMEM : ipk_buf_puts(out, "]");
	case IPK_T_STRINGS:
		rc = ipk_buf_puts(out, "[");
		for (size_t i = 0; i < v.strings.n && !rc; i++) {
			rc = ipk_buf_puts(out, i ? ", " : "");
			rc |= ipk_buf_json_string(out, v.strings.v[i]);
		}
		return rc ? -ENOMEM : ipk_buf_puts(out, "]");
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
	       (fieldset_has(&o->present, data) || fieldset_has(&o->noaccess, data));
}

int ipk_object_json(struct ipk_ctx *ctx, const struct ipk_object *o,
		    const int *fields, size_t nfields, struct ipk_buf *out)
{
	if (!ctx || !o || !out)
		return -EINVAL;
	const struct fieldset *kind_set = kind_fields(o->kind);
	bool first = true;
	int rc = ipk_buf_puts(out, "{");

	for (size_t i = 0; i < (fields ? nfields : (size_t)IPK_F_COUNT) && !rc; i++) {
		int f = fields ? fields[i] : (int)i;

		if (f < 0 || f >= IPK_F_COUNT)
			return -EINVAL;
		if (!fields && !json_carries(o, kind_set, f))
			continue;
		rc = ipk_buf_printf(out, "%s\"%s\": ", first ? "" : ", ", field_info[f].json);
		rc |= ipk_field_json(ctx, o, f, out);
		first = false;
	}
	if (!fields && !fieldset_empty(&o->noaccess) && !rc) {
		bool any = false;
		rc = ipk_buf_puts(out, ", \"no_access\": [");
		for (int f = 0; f < IPK_F_COUNT && !rc; f++) {
			if (field_data(f) == f && fieldset_has(&o->noaccess, f)) {
				rc = ipk_buf_printf(out, "%s\"%s\"", any ? ", " : "",
						    field_info[f].json);
				any = true;
			}
		}
		rc |= ipk_buf_puts(out, "]");
	}
	return rc ? -ENOMEM : ipk_buf_puts(out, "}");
}
