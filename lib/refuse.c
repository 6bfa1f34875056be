/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The refusals every kind shares, in words that name who is in the way:
 * the owner of what may not be removed, the holders of what is in use.
 * Above the record, its text and the process scan, which they quote.
 */
#include "internal.h"

#include <inttypes.h>

const char *owner_name(struct ipk_ctx *ctx, uint32_t uid, char buf[24])
{
	const char *name = ctx ? ctx_user_name(ctx, uid) : NULL;

	if (name)
		return name;
	snprintf(buf, 24, "uid %" PRIu32, uid);
	return buf;
}

int err_kernel(struct ipk_ctx *ctx, const struct ipk_object *o, int err, struct ipk_error *e)
{
	char uid[24];

	if ((err == EPERM || err == EACCES) && o && obj_has(o, IPK_F_UID))
		return err_set(e, err, "permission denied (owner %s)",
			       owner_name(ctx, o->uid, uid));
	return err_set(e, err, "%s", ipk_strerror(err));
}

int refuse_in_use(struct ipk_ctx *ctx, const struct ipk_object *o, const char *how,
		  struct ipk_error *e)
{
	struct ipk_buf who = { 0 };

	if (o && o->nholders)
		ipk_field_text(ctx, o, IPK_F_HOLDERS, &(struct ipk_format){ 0 }, &who);
	size_t n = strlen(how);
	bool names_who = n >= 2 && strcmp(how + n - 2, "by") == 0;
	int rc = err_set(e, EBUSY, "in use: %s%s%s", how, who.len || names_who ? " " : "",
			 who.len ? who.s : names_who ? "a process that cannot be read" : "");
	ipk_buf_free(&who);
	return rc;
}

int refuse_no_name(struct ipk_ctx *ctx, const struct ipk_object *o, const char *why,
		   struct ipk_error *e)
{
	struct ipk_buf who = { 0 };

	if (o->nholders)
		ipk_field_text(ctx, o, IPK_F_HOLDERS, &(struct ipk_format){ 0 }, &who);
	int rc = err_set(e, EOPNOTSUPP, "%s: it goes when %s%s", why,
			 who.len ? "these close it: " : "its holders close it",
			 who.len ? who.s : "");
	ipk_buf_free(&who);
	return rc;
}

int refuse_live_users(const struct obj_user *users, size_t n, struct ipk_error *e)
{
	for (size_t i = 0; i < n; i++) {
		char comm[16];

		if (users[i].pid > 0 && pid_running_since((pid_t)users[i].pid, users[i].since, comm))
			return err_set(e, EBUSY, "in use: %s[%d], its %s, still runs", comm,
				       (int)users[i].pid, users[i].role);
	}
	return 0;
}
