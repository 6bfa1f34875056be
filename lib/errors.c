/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Why something was not done, in words: errno text in the grammar of
 * every message, and struct ipk_error.  The refusals every kind shares,
 * which name owners and holders, are a layer up (lib/refuse.c).
 */
#include "internal.h"

#include <stdarg.h>
#include <stdlib.h>

const char *ipk_strerror(int err)
{
	static __thread char text[128];

	if (err < 0)
		err = -err;
	/* messages want "permission denied", not "Permission denied"; ENOTSUP stays */
	snprintf(text, sizeof(text), "%s", strerror(err));
	if (text[0] >= 'A' && text[0] <= 'Z' && !(text[1] >= 'A' && text[1] <= 'Z'))
		text[0] = (char)(text[0] - 'A' + 'a');
	return text;
}

bool ipk_errno_unsupported(int err)
{
	switch (err < 0 ? -err : err) {
	case ENOSYS:
	case EOPNOTSUPP:
	case EAFNOSUPPORT:
	case EPROTONOSUPPORT:
	case ESOCKTNOSUPPORT:
	case EPFNOSUPPORT:
		return true;
	default:
		return false;
	}
}

int err_set(struct ipk_error *e, int err, const char *fmt, ...)
{
	va_list ap;

	e->err = err;
	va_start(ap, fmt);
	vsnprintf(e->text, sizeof(e->text), fmt, ap);
	va_end(ap);
	return -err;
}
