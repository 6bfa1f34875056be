/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Growable strings: every text the library builds goes through one. */
#include "internal.h"

#include <stdarg.h>
#include <stdlib.h>

int ipk_buf_reserve(struct ipk_buf *b, size_t more)
{
	if (!b)
		return -EINVAL;
	size_t need = b->len + more + 1;

	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	char *s = realloc(b->s, cap);
	if (!s)
		return -ENOMEM;
	b->s = s;
	b->cap = cap;
	return 0;
}

int ipk_buf_add(struct ipk_buf *b, const char *s, size_t n)
{
	if (!b || !s)
		return -EINVAL;
	if (ipk_buf_reserve(b, n))
		return -ENOMEM;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

int ipk_buf_puts(struct ipk_buf *b, const char *s)
{
	if (!b || !s)
		return -EINVAL;
	return ipk_buf_add(b, s, strlen(s));
}

int ipk_buf_printf(struct ipk_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!b || !fmt)
		return -EINVAL;
	if (ipk_buf_reserve(b, 64))
		return -ENOMEM;
	va_start(ap, fmt);
	n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= b->cap - b->len) {
		if (ipk_buf_reserve(b, (size_t)n))
			return -ENOMEM;
		va_start(ap, fmt);
		vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
	return 0;
}

/* Length of the valid UTF-8 sequence starting at @p, 0 if invalid; *@code its code point. */
static size_t utf8_sequence(const unsigned char *p, uint32_t *code)
{
	size_t len;
	uint32_t cp;

	if (*p < 0x80)
		return 1;
	if ((*p & 0xe0) == 0xc0) {
		len = 2;
		cp = *p & 0x1f;
	} else if ((*p & 0xf0) == 0xe0) {
		len = 3;
		cp = *p & 0x0f;
	} else if ((*p & 0xf8) == 0xf0) {
		len = 4;
		cp = *p & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	/* overlong forms, surrogates and values past Unicode */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && cp < 0x10000) || (cp >= 0xd800 && cp <= 0xdfff) ||
	    cp > 0x10ffff)
		return 0;
	*code = cp;
	return len;
}

/*
 * Characters that make text display as other text: bidirectional
 * embeddings, overrides and isolates, zero-width characters.  Escaped in
 * JSON too, so a name shown from JSON cannot pass for another.
 */
static bool deceptive(uint32_t cp)
{
	return (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0xfeff || cp == 0x061c || cp == 0x00ad;
}

int ipk_buf_json_string(struct ipk_buf *b, const char *s)
{
	if (!b || !s)
		return -EINVAL;
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *run = p;
	int rc = 0;

	/* Most names are printable ASCII with nothing to escape: one copy. */
	while (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
		p++;
	if (!*p) {
		size_t n = (size_t)(p - run);
		if (ipk_buf_reserve(b, n + 2))
			return -ENOMEM;
		b->s[b->len] = '"';
		memcpy(b->s + b->len + 1, s, n);
		b->s[b->len + 1 + n] = '"';
		b->len += n + 2;
		b->s[b->len] = '\0';
		return 0;
	}
	p = run;

	rc |= ipk_buf_add(b, "\"", 1);
	for (; *p; p++) {
		char esc[7];
		size_t n = 2;

		if (*p >= 0x80) {
			uint32_t cp = 0;
			size_t len = utf8_sequence(p, &cp);

			if (len && !deceptive(cp)) {
				p += len - 1;
				continue;
			}
			if (len) {
				rc |= ipk_buf_add(b, (const char *)run, (size_t)(p - run));
				rc |= ipk_buf_printf(b, "\\u%04x", (unsigned)cp);
				p += len - 1;
				run = p + 1;
				continue;
			}
			/* Names are bytes; JSON is UTF-8: mark what is not. */
			rc |= ipk_buf_add(b, (const char *)run, (size_t)(p - run));
			rc |= ipk_buf_puts(b, "\\ufffd");
			run = p + 1;
			continue;
		}
		if (*p >= 0x20 && *p != '"' && *p != '\\')
			continue;
		rc |= ipk_buf_add(b, (const char *)run, (size_t)(p - run));
		esc[0] = '\\';
		switch (*p) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\t': esc[1] = 't'; break;
		case '\r': esc[1] = 'r'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[*p >> 4];
			esc[5] = hex[*p & 15];
			n = 6;
		}
		rc |= ipk_buf_add(b, esc, n);
		run = p + 1;
	}
	rc |= ipk_buf_add(b, (const char *)run, (size_t)(p - run));
	rc |= ipk_buf_add(b, "\"", 1);
	return rc ? -ENOMEM : 0;
}

/* Bytes a REF shows as an escape, so that it reads back as the same REF. */
static bool ref_byte_escaped(unsigned char c)
{
	return c < 0x20 || c == 0x7f || c == '\\' || c >= 0x80;
}

int buf_ref_text(struct ipk_buf *b, const char *ref)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)(ref ? ref : ""), *run = p;
	int rc = 0;

	/*
	 * A control byte, a backslash, a byte that is no UTF-8 and the bytes
	 * of a character that displays as other text (a C1 control, a
	 * zero-width or bidirectional one) as \xHH: bytes, not \uHHHH, so that
	 * the commands read the same REF back in every locale.
	 */
	for (; *p && !rc; p++) {
		uint32_t cp = 0;
		size_t len = 1;

		if (!ref_byte_escaped(*p))
			continue;
		if (*p >= 0x80 && (len = utf8_sequence(p, &cp)) && cp >= 0xa0 && !deceptive(cp)) {
			p += len - 1;
			continue;
		}
		rc |= ipk_buf_add(b, (const char *)run, (size_t)(p - run));
		for (size_t k = 0; k < (len ? len : 1); k++) {
			char e[4] = { '\\', 'x', hex[p[k] >> 4], hex[p[k] & 15] };
			rc |= ipk_buf_add(b, e, 4);
		}
		p += (len ? len : 1) - 1;
		run = p + 1;
	}
	return rc | ipk_buf_add(b, (const char *)run, strlen((const char *)run));
}

/* Whether buf_ref_text() of @ref is @ref: printable ASCII without a backslash. */
static bool ref_is_plain(const char *ref)
{
	const unsigned char *p = (const unsigned char *)(ref ? ref : "");

	while (*p && !ref_byte_escaped(*p))
		p++;
	return !*p;
}

int ipk_buf_json_ref(struct ipk_buf *b, const char *ref)
{
	if (!b || !ref)
		return -EINVAL;
	if (ref_is_plain(ref))
		return ipk_buf_json_string(b, ref);
	struct ipk_buf text = { 0 };
	int rc = buf_ref_text(&text, ref);
	if (!rc)
		rc = ipk_buf_json_string(b, text.s ? text.s : "");
	ipk_buf_free(&text);
	return rc ? -ENOMEM : 0;
}

void ipk_buf_reset(struct ipk_buf *b)
{
	if (!b)
		return;
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

void ipk_buf_free(struct ipk_buf *b)
{
	if (!b)
		return;
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

size_t fmt_u64(char *out, uint64_t v)
{
	/* two digits a division: half the divisions of one a time */
	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
		"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
		"8081828384858687888990919293949596979899";
	char tmp[20];
	size_t n = sizeof(tmp);

	while (v >= 100) {
		unsigned d = (unsigned)(v % 100) * 2;
		v /= 100;
		tmp[--n] = pairs[d + 1];
		tmp[--n] = pairs[d];
	}
	if (v >= 10) {
		tmp[--n] = pairs[v * 2 + 1];
		tmp[--n] = pairs[v * 2];
	} else {
		tmp[--n] = (char)('0' + v);
	}
	size_t len = sizeof(tmp) - n;
	memcpy(out, tmp + n, len);
	out[len] = '\0';
	return len;
}

size_t fmt_i64(char *out, int64_t v)
{
	if (v >= 0)
		return fmt_u64(out, (uint64_t)v);
	out[0] = '-';
	return 1 + fmt_u64(out + 1, -(uint64_t)v);
}
