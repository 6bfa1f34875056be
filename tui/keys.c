/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The keys of ipc-top: one table, each row the keys of one action, its
 * help (the help screen, the footer, --complete=keys and the man page's
 * KEYS section all come from it) and whether it changes objects (greyed
 * with --readonly, and for a user other than root on others' objects).
 * An action returns what must be redone (R_*), as htop's do.
 */
#include "top.h"

#include <ctype.h>
#include <curses.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum {
	K_WRITES = 1 << 0,	/* changes or removes an object */
	K_OBJECT = 1 << 1,	/* on the selected object */
};

struct binding {
	const char *names;	/* as the help shows them: "F9 k" */
	int keys[6];		/* 0-terminated */
	unsigned flags;
	unsigned (*fn)(struct top *t);
	const char *help;	/* NULL: a heading of the help */
	const char *footer;	/* the footer's label, for an F-key */
};

#define CTRL(c) ((c) & 0x1f)
#define ESC 27

/* ------------------------------------------------------------- prompts */

static void prompt_open(struct top *t, const char *label, const char *initial,
			void (*changed)(struct top *), unsigned (*done)(struct top *, const char *),
			bool yes_no)
{
	t->prompt = (struct prompt){ .active = true, .changed = changed, .done = done,
				     .yes_no = yes_no };
	/* as it is: draw_footer() escapes it with the text typed */
	snprintf(t->prompt.label, sizeof(t->prompt.label), "%s", label);
	if (initial) {
		snprintf(t->prompt.text, sizeof(t->prompt.text), "%s", initial);
		t->prompt.len = strlen(t->prompt.text);
	}
}

static unsigned prompt_key(struct top *t, int key)
{
	struct prompt *p = &t->prompt;

	if (p->yes_no) {
		p->active = false;
		return p->done(t, key == 'y' || key == 'Y' ? "y" : NULL) | R_DRAW;
	}
	switch (key) {
	case ESC:
		p->active = false;
		return p->done(t, NULL) | R_DRAW;
	case '\n':
	case '\r':
	case KEY_ENTER:
		p->active = false;
		return p->done(t, p->text) | R_DRAW;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (!p->len)
			return R_NONE;
		/* a whole UTF-8 character */
		do
			p->len--;
		while (p->len && ((unsigned char)p->text[p->len] & 0xc0) == 0x80);
		p->text[p->len] = '\0';
		break;
	case CTRL('u'):
		p->len = 0;
		p->text[0] = '\0';
		break;
	case KEY_F(3):
		/* in a search: the next match */
		if (p->changed) {
			t->sel++;
			p->changed(t);
			if (t->sel >= t->nrows)
				t->sel = t->nrows ? t->nrows - 1 : 0;
		}
		return R_DRAW;
	default:
		if (key < 32 || key > 255 || key == 127 || p->len + 1 >= sizeof(p->text))
			return R_NONE;
		p->text[p->len++] = (char)key;
		p->text[p->len] = '\0';
		break;
	}
	if (p->changed)
		p->changed(t);
	return R_DRAW | R_REBUILD;
}

/* ----------------------------------------------------------- selection */

static const struct ipk_object *selected_object(struct top *t)
{
	const struct row *r = row_selected(t);

	return r && r->type == ROW_OBJECT && !r->ghost ? r->o : NULL;
}

static unsigned move_by(struct top *t, long d)
{
	long i = (long)t->sel + d;

	if (i < 0)
		i = 0;
	select_index(t, (size_t)i);
	return R_DRAW;
}

static unsigned k_up(struct top *t) { return move_by(t, -1); }
static unsigned k_down(struct top *t) { return move_by(t, 1); }
static unsigned k_pgup(struct top *t) { return move_by(t, -(long)t->rows_on_screen); }
static unsigned k_pgdn(struct top *t) { return move_by(t, t->rows_on_screen); }
static unsigned k_home(struct top *t) { return move_by(t, -(long)t->nrows); }
static unsigned k_end(struct top *t) { return move_by(t, (long)t->nrows); }

/* --------------------------------------------------------------- sorting */

static void sort_by(struct top *t, const struct column *c)
{
	t->sort = c;
	status_set(t, 0, "sorted by %s%s", c ? c->name : "ipc-ls's order (kind, id)",
		   c && t->sort_inverted ? ", inverted" : "");
}

/* < and >: the shown columns in turn, ipc-ls's order between the last and the first. */
static unsigned sort_step(struct top *t, int d)
{
	long at = -1;

	for (size_t c = 0; c < t->ncols; c++)
		if (t->cols[c] == t->sort)
			at = (long)c;
	at += d;
	if (at < -1)
		at = (long)t->ncols - 1;
	if (at >= (long)t->ncols)
		at = -1;
	sort_by(t, at < 0 ? NULL : t->cols[at]);
	return R_REBUILD | R_DRAW;
}

static unsigned k_sort_prev(struct top *t) { return sort_step(t, -1); }
static unsigned k_sort_next(struct top *t) { return sort_step(t, 1); }

static unsigned sort_done(struct top *t, const char *text)
{
	if (!text)
		return R_NONE;
	if (!*text) {
		sort_by(t, NULL);
		return R_REBUILD;
	}
	const struct column *c = column_find(text);
	if (!c) {
		status_set(t, 2, "no column '%s' (F2 lists them)", text);
		return R_NONE;
	}
	sort_by(t, c);
	return R_REBUILD;
}

static unsigned k_sort(struct top *t)
{
	prompt_open(t, "Sort by column (empty: ipc-ls's order): ", t->sort ? t->sort->name : "",
		    NULL, sort_done, false);
	return R_DRAW;
}

static unsigned k_invert(struct top *t)
{
	t->sort_inverted = !t->sort_inverted;
	status_set(t, 0, "order %s", t->sort_inverted ? "inverted" : "as it was");
	return R_REBUILD | R_DRAW;
}

/* -------------------------------------------------------- search, filter */

/* @typed kept as typed in @text, and in @find as what it matches: "\x5c" a backslash. */
static void typed_set(char text[256], char find[256], const char *typed)
{
	char *raw = unesc(typed);

	snprintf(text, 256, "%s", typed);
	snprintf(find, 256, "%s", raw ? raw : typed);
	free(raw);
}

/* The first row from the cursor on that the search matches. */
static void search_changed(struct top *t)
{
	typed_set(t->search_text, t->search_find, t->prompt.text);
	for (size_t n = 0; n < t->nrows; n++) {
		size_t i = (t->sel + n) % t->nrows;
		const struct row *r = &t->rows[i];
		if (r->type == ROW_OBJECT && row_matches_text(t, r->o, t->search_find)) {
			select_index(t, i);
			status_set(t, 0, "%s", "");
			return;
		}
	}
	status_set(t, 2, "no match for '%s'", t->search_find);
}

static unsigned search_done(struct top *t, const char *text)
{
	(void)text;
	(void)t;
	return R_DRAW;
}

static unsigned k_search(struct top *t)
{
	/* the last search again: F3 F3 goes on from it */
	prompt_open(t, "Search (F3 next, Enter keeps): ", t->search_text, search_changed, search_done,
		    false);
	return R_DRAW;
}

static void filter_changed(struct top *t)
{
	typed_set(t->filter_text, t->filter_find, t->prompt.text);
}

static unsigned filter_done(struct top *t, const char *text)
{
	if (!text)
		t->filter_text[0] = t->filter_find[0] = '\0';
	return R_REBUILD;
}

static unsigned k_filter(struct top *t)
{
	prompt_open(t, "Filter (REF, name, owner, holder; Enter keeps, Esc clears): ",
		    t->filter_text, filter_changed, filter_done, false);
	return R_DRAW;
}

/* u and p: the library's owner and pid filters, one at a time */
static unsigned keyf_set(struct top *t, const char *text, bool owner)
{
	if (!text)
		return R_NONE;
	ipk_filter_free(t->keyf);
	t->keyf = NULL;
	t->keyf_text[0] = '\0';
	if (!*text) {
		status_set(t, 0, "%s filter cleared", owner ? "owner" : "holder");
		return R_REBUILD;
	}
	struct ipk_filter *f = ipk_filter_new();
	int rc = !f ? -ENOMEM : owner ? ipk_filter_set_owner(f, text) : ipk_filter_set_pid(f, text);
	if (rc) {
		ipk_filter_free(f);
		status_set(t, 2, "%s '%s': %s", owner ? "no user" : "not a pid", text,
			   rc == -ENOENT ? "unknown" : reason(-rc));
		return R_NONE;
	}
	t->keyf = f;
	snprintf(t->keyf_text, sizeof(t->keyf_text), "%s: %s", owner ? "owner" : "held by", text);
	return R_REBUILD;
}

static unsigned owner_done(struct top *t, const char *text) { return keyf_set(t, text, true); }
static unsigned pid_done(struct top *t, const char *text) { return keyf_set(t, text, false); }

static unsigned k_owner(struct top *t)
{
	prompt_open(t, "Owner (name or uid; empty: all): ", NULL, NULL, owner_done, false);
	return R_DRAW;
}

static unsigned k_pid(struct top *t)
{
	prompt_open(t, "Held by pid (empty: all): ", NULL, NULL, pid_done, false);
	return R_DRAW;
}

/* ------------------------------------------------------------------ tags */

static unsigned k_tag(struct top *t)
{
	const struct ipk_object *o = selected_object(t);
	struct track *tr = o ? track_get(t, ipk_object_ref(o), true) : NULL;

	if (tr) {
		tr->tagged = !tr->tagged;
		if (t->sel < t->nrows)
			t->rows[t->sel].t = tr;
	}
	return move_by(t, 1) | R_REBUILD;
}

static unsigned k_untag(struct top *t)
{
	for (size_t i = 0; i < t->tracks_cap; i++)
		if (t->tracks[i])
			t->tracks[i]->tagged = false;
	status_set(t, 0, "every tag removed");
	return R_DRAW;
}

/* ------------------------------------------------------- pending objects */

static void pending_clear(struct top *t)
{
	for (size_t i = 0; i < t->npending; i++) {
		free(t->pending[i]);
		ipk_object_free(t->pending_obj[i]);
	}
	free(t->pending);
	free(t->pending_obj);
	t->pending = NULL;
	t->pending_obj = NULL;
	t->npending = 0;
	t->pending_force = false;
}

static int pending_add(struct top *t, const struct ipk_object *o)
{
	char **r = realloc(t->pending, (t->npending + 1) * sizeof(*r));
	if (!r)
		return -ENOMEM;
	t->pending = r;
	struct ipk_object **v = realloc(t->pending_obj, (t->npending + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	t->pending_obj = v;
	t->pending[t->npending] = strdup(ipk_object_ref(o));
	t->pending_obj[t->npending] = ipk_object_dup(o);
	if (!t->pending[t->npending] || !t->pending_obj[t->npending]) {
		free(t->pending[t->npending]);
		ipk_object_free(t->pending_obj[t->npending]);
		return -ENOMEM;
	}
	t->npending++;
	return 0;
}

/*
 * The object @i of the pending ones as it is now: read again, and still
 * the one selected (not another that took its id or name).
 */
static struct ipk_object *pending_now(struct top *t, size_t i, struct ipk_error *e)
{
	struct ipk_object *now = NULL;
	int rc = ipk_lookup(t->ctx, t->pending[i], &now);

	if (rc) {
		e->err = -rc;
		snprintf(e->text, sizeof(e->text), "%s", rc == -ESRCH ? "gone since it was selected"
								       : reason(-rc));
		return NULL;
	}
	if (!ipk_object_same(t->pending_obj[i], now, e)) {
		ipk_object_free(now);
		return NULL;
	}
	return now;
}

/* --------------------------------------------------------------- remove */

/* Removes every pending object read again, with @flags; says what happened. */
static unsigned remove_pending(struct top *t, unsigned flags)
{
	size_t removed = 0, failed = 0;
	char first_fail[400] = "";
	const char *last = NULL;

	for (size_t i = 0; i < t->npending; i++) {
		struct ipk_error e = { 0 };
		struct ipk_object *now = pending_now(t, i, &e);
		int rc = now ? ipk_remove(t->ctx, now, flags, &e) : -e.err;
		ipk_object_free(now);
		if (rc == 0) {
			removed++;
			last = t->pending[i];
		} else if (!failed++) {
			snprintf(first_fail, sizeof(first_fail), "cannot remove '%s': %s", t->pending[i],
				 e.text);
		}
	}
	if (!failed && removed == 1)
		status_set(t, 1, "removed %s", last);
	else if (!failed)
		status_set(t, 1, "removed %zu objects", removed);
	else
		status_set(t, 2, "%s%s", first_fail, removed ? " (the others were removed)" : "");
	pending_clear(t);
	return R_REFRESH | R_DRAW;
}

static unsigned force_done(struct top *t, const char *text)
{
	if (!text || strcmp(text, "yes") != 0) {
		status_set(t, 0, "nothing removed");
		pending_clear(t);
		return R_DRAW;
	}
	return remove_pending(t, IPK_RM_FORCE);
}

static unsigned k_force(struct top *t)
{
	char label[160];

	if (!t->pending_force || !t->npending) {
		status_set(t, 2, "nothing to force: F9 first (an object in use is refused, then ! forces it)");
		return R_DRAW;
	}
	if (t->npending == 1)
		snprintf(label, sizeof(label), "%s is in use: type yes to remove it anyway: ", t->pending[0]);
	else
		snprintf(label, sizeof(label), "%zu objects are in use: type yes to remove them anyway: ",
			 t->npending);
	prompt_open(t, label, NULL, NULL, force_done, false);
	return R_DRAW;
}

static unsigned remove_done(struct top *t, const char *text)
{
	if (!text) {
		status_set(t, 0, "nothing removed");
		pending_clear(t);
		return R_DRAW;
	}
	return remove_pending(t, 0);
}

/* The tagged objects shown, or the selected one. */
static size_t targets(struct top *t, const struct ipk_object ***out)
{
	size_t n = 0;
	const struct ipk_object **v = calloc(t->nrows + 1, sizeof(*v));

	if (!v)
		return 0;
	for (size_t i = 0; i < t->nrows; i++) {
		const struct row *r = &t->rows[i];
		if (r->type != ROW_OBJECT || r->ghost || !r->t || !r->t->tagged)
			continue;
		bool dup = false;
		for (size_t j = 0; j < n && !dup; j++)
			dup = v[j] == r->o;
		if (!dup)
			v[n++] = r->o;
	}
	if (!n && selected_object(t))
		v[n++] = selected_object(t);
	*out = v;
	return n;
}

/*
 * F9: every check ipc-rm makes first (IPK_RM_CHECK), then y to remove
 * what passed; an object in use is refused with its holders named, and
 * only ! with a typed yes removes it.
 */
static unsigned k_remove(struct top *t)
{
	const struct ipk_object **v = NULL;
	size_t n = targets(t, &v), busy = 0, ok = 0;
	char refused[400] = "";
	const char *why;

	pending_clear(t);
	if (!n) {
		free(v);
		status_set(t, 2, "no object selected");
		return R_DRAW;
	}
	/* in use first: those become the pending ones when nothing else may go */
	struct ipk_object **busy_v = calloc(n, sizeof(*busy_v));
	for (size_t i = 0; i < n; i++) {
		struct ipk_error e = { 0 };
		int rc;
		if (!may_change(t, v[i], &why)) {
			rc = -EPERM;
			snprintf(e.text, sizeof(e.text), "%s", why);
		} else if (t->filtered_orphan && ipk_ctx_unreadable_procs(t->ctx) &&
			   ipk_kind_family(ipk_object_kind(v[i])) != IPK_FAMILY_SYSV) {
			rc = -EBUSY;
			snprintf(e.text, sizeof(e.text), "not known to be an orphan: %zu processes "
				 "could not be read, and may hold it", ipk_ctx_unreadable_procs(t->ctx));
		} else {
			rc = ipk_remove(t->ctx, v[i], IPK_RM_CHECK, &e);
		}
		if (rc == 0) {
			if (pending_add(t, v[i]) == 0)
				ok++;
		} else if (rc == -EBUSY && busy_v) {
			busy_v[busy++] = ipk_object_dup(v[i]);
			if (busy == 1)
				snprintf(refused, sizeof(refused), "cannot remove '%s': %s",
					 ipk_object_ref(v[i]), e.text);
		} else if (!refused[0]) {
			snprintf(refused, sizeof(refused), "cannot remove '%s': %s", ipk_object_ref(v[i]),
				 e.text);
		}
	}
	free(v);
	unsigned r = R_DRAW;
	if (ok) {
		char label[200];
		if (ok == 1)
			snprintf(label, sizeof(label), "Remove %s? [y/N] ", t->pending[0]);
		else
			snprintf(label, sizeof(label), "Remove %zu objects (%s ...)? [y/N] ", ok,
				 t->pending[0]);
		if (refused[0])
			status_set(t, 2, "%s", refused);
		prompt_open(t, label, NULL, NULL, remove_done, true);
	} else if (busy) {
		/* nothing else to remove: the ones in use wait for ! */
		for (size_t i = 0; i < busy; i++)
			if (busy_v[i])
				pending_add(t, busy_v[i]);
		t->pending_force = t->npending > 0;
		status_set(t, 2, "%s (! forces it)", refused);
	} else {
		status_set(t, 2, "%s", refused);
	}
	for (size_t i = 0; i < busy; i++)
		ipk_object_free(busy_v[i]);
	free(busy_v);
	return r;
}

/* -------------------------------------------------------------- actions */

static const struct ipk_object *action_target(struct top *t, enum ipk_action what)
{
	const struct ipk_object *o = selected_object(t);
	const char *why;

	if (!o) {
		status_set(t, 2, "no object selected");
		return NULL;
	}
	if (!(ipk_kind_actions(ipk_object_kind(o)) & IPK_ACTION_BIT(what))) {
		status_set(t, 2, "%s: %s", ipk_object_ref(o),
			   what == IPK_ACTION_POST || what == IPK_ACTION_WAIT ? "not a semaphore"
									    : "not a message queue");
		return NULL;
	}
	if (!may_change(t, o, &why)) {
		status_set(t, 2, "%s: %s", ipk_object_ref(o), why);
		return NULL;
	}
	pending_clear(t);
	if (pending_add(t, o)) {
		status_set(t, 2, "%s", reason(ENOMEM));
		return NULL;
	}
	t->act_what = what;
	return o;
}

static unsigned sem_go(struct top *t, size_t member)
{
	struct ipk_error e = { 0 };
	struct ipk_object *now = pending_now(t, 0, &e);
	bool post = t->act_what == IPK_ACTION_POST;
	int rc = now ? ipk_sem_op(t->ctx, now, (enum ipk_action)t->act_what, member, &e) : -e.err;

	ipk_object_free(now);
	if (rc)
		status_set(t, 2, "cannot %s '%s': %s", post ? "post to" : "wait on", t->pending[0], e.text);
	else
		status_set(t, 1, "%s %s (semaphore %zu)", post ? "posted to" : "waited on",
			   t->pending[0], member);
	pending_clear(t);
	return R_REFRESH | R_DRAW;
}

static unsigned member_done(struct top *t, const char *text)
{
	char *end;
	unsigned long m;

	if (!text) {
		pending_clear(t);
		return R_DRAW;
	}
	errno = 0;
	m = strtoul(text, &end, 10);
	if (!*text || *end || errno || text[0] == '-') {
		status_set(t, 2, "'%s': a semaphore number (0, 1 ...)", text);
		pending_clear(t);
		return R_DRAW;
	}
	return sem_go(t, m);
}

static unsigned sem_yes_done(struct top *t, const char *text)
{
	if (!text) {
		status_set(t, 0, "nothing done");
		pending_clear(t);
		return R_DRAW;
	}
	return sem_go(t, 0);
}

/* + and -: a y/N for one semaphore, the member's number for an array of several. */
static unsigned sem_key(struct top *t, enum ipk_action what)
{
	const struct ipk_object *o = action_target(t, what);
	const char *verb = what == IPK_ACTION_POST ? "Post to" : "Wait on";
	struct ipk_value v;
	char label[200];

	if (!o)
		return R_DRAW;
	ipk_object_get(o, IPK_F_VALUE, &v);
	size_t n = v.presence == IPK_PRESENT && v.is_list ? v.list.n : 1;
	if (n > 1) {
		snprintf(label, sizeof(label), "%s which semaphore of %s (0-%zu)? ", verb,
			 t->pending[0], n - 1);
		prompt_open(t, label, NULL, NULL, member_done, false);
	} else {
		snprintf(label, sizeof(label), "%s %s? [y/N] ", verb, t->pending[0]);
		prompt_open(t, label, NULL, NULL, sem_yes_done, true);
	}
	return R_DRAW;
}

static unsigned k_post(struct top *t)
{
	return sem_key(t, IPK_ACTION_POST);
}

static unsigned k_wait(struct top *t)
{
	return sem_key(t, IPK_ACTION_WAIT);
}

static unsigned send_type_done(struct top *t, const char *text)
{
	bool sysv = ipk_kind_has_field(ipk_object_kind(t->pending_obj[0]), IPK_F_LSPID);
	long type = sysv ? 1 : 0;
	char *end;

	if (!text || !t->act_text) {
		pending_clear(t);
		free(t->act_text);
		t->act_text = NULL;
		return R_DRAW;
	}
	if (*text) {
		errno = 0;
		type = strtol(text, &end, 10);
		if (*end || errno) {
			status_set(t, 2, "'%s': a number", text);
			pending_clear(t);
			return R_DRAW;
		}
	}
	struct ipk_error e = { 0 };
	struct ipk_object *now = pending_now(t, 0, &e);
	int rc = now ? ipk_msg_send(t->ctx, now, t->act_text, strlen(t->act_text), type, &e) : -e.err;
	ipk_object_free(now);
	if (rc)
		status_set(t, 2, "cannot send to '%s': %s", t->pending[0], e.text);
	else
		status_set(t, 1, "sent %zu byte%s to %s (%s %ld)", strlen(t->act_text),
			   strlen(t->act_text) == 1 ? "" : "s", t->pending[0],
			   sysv ? "type" : "priority", type);
	free(t->act_text);
	t->act_text = NULL;
	pending_clear(t);
	return R_REFRESH | R_DRAW;
}

static unsigned send_text_done(struct top *t, const char *text)
{
	if (!text) {
		pending_clear(t);
		return R_DRAW;
	}
	free(t->act_text);
	t->act_text = strdup(text);
	bool sysv = ipk_kind_has_field(ipk_object_kind(t->pending_obj[0]), IPK_F_LSPID);
	prompt_open(t, sysv ? "Message type (at least 1) [1]: " : "Priority [0]: ", NULL, NULL,
		    send_type_done, false);
	return R_DRAW;
}

static unsigned k_send(struct top *t)
{
	char label[200];

	if (!action_target(t, IPK_ACTION_SEND))
		return R_DRAW;
	snprintf(label, sizeof(label), "Message to %s: ", t->pending[0]);
	prompt_open(t, label, NULL, NULL, send_text_done, false);
	return R_DRAW;
}

static unsigned receive_done(struct top *t, const char *text)
{
	struct ipk_error e = { 0 };
	struct ipk_buf b = { 0 }, x = { 0 }, ref = { 0 };
	long type = 0;

	if (!text) {
		pending_clear(t);
		return R_DRAW;
	}
	struct ipk_object *now = pending_now(t, 0, &e);
	int rc = now ? ipk_msg_receive(t->ctx, now, &b, &type, &e) : -e.err;
	bool sysv = now && ipk_kind_has_field(ipk_object_kind(now), IPK_F_LSPID);
	ipk_object_free(now);
	if (rc) {
		status_set(t, 2, "cannot receive from '%s': %s", t->pending[0], e.text);
	} else {
		/* the message may hold any byte, the REF a name: shown escaped; up to a NUL */
		esc_text(b.s ? b.s : "", false, &x);
		esc_text(t->pending[0], false, &ref);
		free(t->received);
		if (asprintf(&t->received, "from %s (%s %ld, %zu byte%s): %s", ref.s ? ref.s : "",
			     sysv ? "type" : "priority", type, b.len, b.len == 1 ? "" : "s",
			     x.s ? x.s : "") < 0)
			t->received = NULL;
		t->detail = true;
		status_set(t, 1, "received %zu byte%s from %s", b.len, b.len == 1 ? "" : "s",
			   t->pending[0]);
	}
	ipk_buf_free(&b);
	ipk_buf_free(&x);
	ipk_buf_free(&ref);
	pending_clear(t);
	return R_REFRESH | R_DRAW;
}

static unsigned k_receive(struct top *t)
{
	char label[200];

	if (!action_target(t, IPK_ACTION_RECEIVE))
		return R_DRAW;
	snprintf(label, sizeof(label), "Take the first message of %s? [y/N] ", t->pending[0]);
	prompt_open(t, label, NULL, NULL, receive_done, true);
	return R_DRAW;
}

/* c: ipc-mk's dialog on one line: KIND [NAME] [ATTR=VALUE ...] */
static int create_attr(struct ipk_create *c, const char *name, const char *value)
{
	char *end;

	for (int a = 0; a < IPK_ATTR_COUNT; a++) {
		if (strcmp(name, ipk_attr_name((enum ipk_attr)a)) != 0)
			continue;
		uint64_t u = 0;
		int rc = 0;
		switch (a) {
		case IPK_ATTR_KEY:
			rc = ipk_parse_key(value, &c->key);
			break;
		case IPK_ATTR_MODE:
			errno = 0;
			c->mode = (uint32_t)strtoul(value, &end, 8);
			rc = *end || errno || !*value ? -EINVAL : 0;
			break;
		case IPK_ATTR_SIZE:
		case IPK_ATTR_MSGSIZE:
		case IPK_ATTR_QBYTES:
			rc = ipk_parse_size(value, &u);
			if (a == IPK_ATTR_SIZE)
				c->size = u;
			else if (a == IPK_ATTR_MSGSIZE)
				c->msgsize = u;
			else
				c->qbytes = u;
			break;
		case IPK_ATTR_NSEMS:
		case IPK_ATTR_MAXMSG:
			errno = 0;
			u = strtoull(value, &end, 10);
			rc = *end || errno || !*value || value[0] == '-' ? -EINVAL : 0;
			if (a == IPK_ATTR_NSEMS)
				c->nsems = u;
			else
				c->maxmsg = u;
			break;
		case IPK_ATTR_VALUE:
			errno = 0;
			c->value = strtoll(value, &end, 10);
			rc = *end || errno || !*value ? -EINVAL : 0;
			break;
		default:
			return -ENOENT;
		}
		if (!rc)
			c->set |= IPK_ATTR_BIT(a);
		return rc;
	}
	return -ENOENT;
}

static unsigned create_done(struct top *t, const char *text)
{
	if (!text || !*text)
		return R_DRAW;
	char *copy = strdup(text), *save = NULL;
	if (!copy)
		return R_DRAW;
	char *kind = strtok_r(copy, " \t", &save);
	const struct ipk_kind *k = kind ? ipk_kind_find(kind) : NULL;
	struct ipk_create c = { .mode = 0600 };
	unsigned r = R_DRAW;

	if (!k) {
		status_set(t, 2, "unknown kind '%s'", kind ? kind : "");
		goto out;
	}
	for (char *w = strtok_r(NULL, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		char *eq = strchr(w, '=');
		if (!eq) {
			if (c.name) {
				status_set(t, 2, "'%s': one name only, then ATTR=VALUE", w);
				goto out;
			}
			c.name = w;
			continue;
		}
		*eq = '\0';
		int rc = create_attr(&c, w, eq + 1);
		if (rc) {
			status_set(t, 2, rc == -ENOENT ? "unknown attribute '%s'" : "malformed %s", w);
			goto out;
		}
	}
	char *ref = NULL;
	bool existed = false;
	struct ipk_error e = { 0 };
	if (ipk_create(t->ctx, k, &c, &ref, &existed, &e)) {
		status_set(t, 2, "cannot create %s%s%s: %s", ipk_kind_name(k), c.name ? " " : "",
			   c.name ? c.name : "", e.text);
		goto out;
	}
	status_set(t, 1, "%s %s", existed ? "exists already:" : "created", ref);
	free(t->want_ref);
	t->want_ref = ref;
	t->want_until = now_ns() + 5 * INT64_C(1000000000);
	r = R_REFRESH | R_DRAW;
out:
	free(copy);
	return r;
}

static unsigned k_create(struct top *t)
{
	const char *why;

	if (!may_change(t, NULL, &why)) {
		status_set(t, 2, "%s", why);
		return R_DRAW;
	}
	prompt_open(t, "Create: KIND [NAME] [key= mode= size= nsems= value= maxmsg= msgsize= "
		    "qbytes=]: ", NULL, NULL, create_done, false);
	return R_DRAW;
}

/* ----------------------------------------------------------------- views */

static unsigned set_view(struct top *t, size_t v)
{
	t->view = v % view_count(t);
	status_set(t, 0, "view: %s", view_name(t, t->view));
	return R_REBUILD | R_DRAW;
}

static unsigned k_view_next(struct top *t) { return set_view(t, t->view + 1); }
static unsigned k_view_prev(struct top *t) { return set_view(t, t->view + view_count(t) - 1); }

static int last_key;

static unsigned k_view_digit(struct top *t)
{
	size_t v = (size_t)(last_key - '1');

	if (v >= view_count(t)) {
		status_set(t, 2, "no view %zu: %zu views (all, and each kind shown)", v + 1,
			   view_count(t));
		return R_DRAW;
	}
	return set_view(t, v);
}

static unsigned k_tree(struct top *t)
{
	t->tree = t->tree == TREE_KIND ? TREE_NONE : TREE_KIND;
	return R_REBUILD | R_DRAW;
}

static unsigned k_holder_tree(struct top *t)
{
	t->tree = t->tree == TREE_HOLDER ? TREE_NONE : TREE_HOLDER;
	return R_REBUILD | R_DRAW;
}

static unsigned k_detail(struct top *t)
{
	t->detail = true;
	return R_REFRESH | R_DRAW;
}

static unsigned k_escape(struct top *t)
{
	t->detail = false;
	free(t->received);
	t->received = NULL;
	return R_DRAW;
}

static unsigned k_pause(struct top *t)
{
	t->paused = !t->paused;
	status_set(t, 0, "%s", t->paused ? "updates paused (Z resumes)" : "updates resumed");
	return R_DRAW | (t->paused ? 0 : R_REFRESH);
}

static unsigned k_help(struct top *t)
{
	t->screen = SCREEN_HELP;
	t->help_scroll = 0;
	return R_DRAW;
}

static unsigned k_setup(struct top *t)
{
	t->screen = SCREEN_SETUP;
	t->setup_sel = 0;
	return R_DRAW;
}

static unsigned k_redraw(struct top *t)
{
	(void)t;
	clearok(curscr, TRUE);
	return R_DRAW;
}

static unsigned k_quit(struct top *t)
{
	(void)t;
	return R_QUIT;
}

/* ------------------------------------------------------------- the table */

static const struct binding bindings[] = {
	{ "Moving", { 0 }, 0, NULL, NULL, NULL },
	{ "Up", { KEY_UP, 0 }, 0, k_up, "the object above", NULL },
	{ "Down", { KEY_DOWN, 0 }, 0, k_down, "the object below", NULL },
	{ "PgUp", { KEY_PPAGE, 0 }, 0, k_pgup, "a page up", NULL },
	{ "PgDn", { KEY_NPAGE, 0 }, 0, k_pgdn, "a page down", NULL },
	{ "Home", { KEY_HOME, 0 }, 0, k_home, "the first object", NULL },
	{ "End", { KEY_END, 0 }, 0, k_end, "the last object", NULL },
	{ "Enter", { '\n', '\r', KEY_ENTER, 0 }, 0, k_detail,
	  "the detail pane: the whole record, holders, queue depth, semaphore values", NULL },
	{ "Esc", { ESC, 0 }, 0, k_escape, "close the detail pane", NULL },

	{ "Sorting, searching, filtering", { 0 }, 0, NULL, NULL, NULL },
	{ "F6", { KEY_F(6), 0 }, 0, k_sort, "sort by a column (typed; empty: ipc-ls's order)",
	  "SortBy" },
	{ "<", { '<', 0 }, 0, k_sort_prev, "sort by the column to the left", NULL },
	{ ">", { '>', 0 }, 0, k_sort_next, "sort by the column to the right", NULL },
	{ "I", { 'I', 0 }, 0, k_invert, "invert the order", NULL },
	{ "F3 /", { KEY_F(3), '/', 0 }, 0, k_search,
	  "search as you type; F3 again jumps to the next match", "Search" },
	{ "F4 \\", { KEY_F(4), '\\', 0 }, 0, k_filter,
	  "filter as you type (REF, name, owner, holders); Enter keeps it, Esc clears it",
	  "Filter" },
	{ "u", { 'u', 0 }, 0, k_owner, "only the objects of one owner", NULL },
	{ "p", { 'p', 0 }, 0, k_pid, "only the objects one process holds", NULL },

	{ "Views", { 0 }, 0, NULL, NULL, NULL },
	{ "Tab", { '\t', 0 }, 0, k_view_next, "next view: every kind shown, then each of them alone",
	  NULL },
	{ "S-Tab", { KEY_BTAB, 0 }, 0, k_view_prev, "previous view", NULL },
	{ "1-9", { '1', '2', '3', '4', '5', 0 }, 0, k_view_digit,
	  "view 1 (all), 2 (the first kind shown) ... 9: as Tab counts them", NULL },
	{ "F5 t", { KEY_F(5), 't', 0 }, 0, k_tree, "tree: kind, owner, object (again: a list)",
	  "Tree" },
	{ "T", { 'T', 0 }, 0, k_holder_tree, "tree: holder process, the objects it holds", NULL },
	{ "Z", { 'Z', 0 }, 0, k_pause, "pause updates (again: resume)", NULL },

	{ "Acting", { 0 }, 0, NULL, NULL, NULL },
	{ "Space", { ' ', 0 }, K_OBJECT, k_tag, "tag the object (F9 removes the tagged ones)",
	  NULL },
	{ "U", { 'U', 0 }, 0, k_untag, "untag every object", NULL },
	{ "F9 k", { KEY_F(9), 'k', 0 }, K_WRITES | K_OBJECT, k_remove,
	  "remove the object or the tagged ones, with ipc-rm's checks; y confirms", "Remove" },
	{ "!", { '!', 0 }, K_WRITES, k_force,
	  "remove what F9 refused as in use: asks again, type yes", NULL },
	{ "+", { '+', 0 }, K_WRITES | K_OBJECT, k_post, "post a semaphore (+1)", NULL },
	{ "-", { '-', 0 }, K_WRITES | K_OBJECT, k_wait, "wait on a semaphore (-1), never blocking",
	  NULL },
	{ "s", { 's', 0 }, K_WRITES | K_OBJECT, k_send, "send a message (text, then type or priority)",
	  NULL },
	{ "r", { 'r', 0 }, K_WRITES | K_OBJECT, k_receive,
	  "receive a message, shown in the detail pane", NULL },
	{ "c", { 'c', 0 }, K_WRITES, k_create, "create an object, as ipc-mk does", NULL },

	{ "Other", { 0 }, 0, NULL, NULL, NULL },
	{ "F1 h ?", { KEY_F(1), 'h', '?', 0 }, 0, k_help, "this help", "Help" },
	{ "F2 S", { KEY_F(2), 'S', 0 }, 0, k_setup,
	  "setup: columns, delay, colours (saved in $XDG_CONFIG_HOME/ipckit/ipc-top.conf)",
	  "Setup" },
	{ "C-l", { CTRL('l'), 0 }, 0, k_redraw, "draw the screen again", NULL },
	{ "F10 q", { KEY_F(10), 'q', 0 }, 0, k_quit, "quit", "Quit" },
};
#define NBINDINGS (sizeof(bindings) / sizeof(bindings[0]))

/* 6, 7, 8 and 9 are digits too */
static bool binding_has(const struct binding *b, int key)
{
	if (b->fn == k_view_digit)
		return key >= '1' && key <= '9';
	for (size_t i = 0; b->keys[i]; i++)
		if (b->keys[i] == key)
			return true;
	return false;
}

/* Whether the binding is greyed now: it changes objects, and may not. */
static bool greyed(struct top *t, const struct binding *b)
{
	const char *why;

	if (!(b->flags & K_WRITES))
		return false;
	if (t->readonly)
		return true;
	return (b->flags & K_OBJECT) && selected_object(t) && !may_change(t, selected_object(t), &why);
}

void help_lines(struct top *t, void (*line)(struct top *t, const char *keys, const char *help,
					    bool greyed, void *arg), void *arg)
{
	for (size_t i = 0; i < NBINDINGS; i++)
		line(t, bindings[i].names, bindings[i].help, greyed(t, &bindings[i]), arg);
}

int keys_complete(const char *what)
{
	if (strcmp(what, "keys") != 0)
		return -ENOENT;
	for (size_t i = 0; i < NBINDINGS; i++)
		if (bindings[i].help)
			printf("%s\t%s\n", bindings[i].names, bindings[i].help);
	return 0;
}

/* The footer, in the order of htop's: F1 ... F10. */
static const struct binding *footer_binding(size_t i)
{
	size_t n = 0;

	for (int f = 1; f <= 10; f++)
		for (size_t b = 0; b < NBINDINGS; b++)
			if (bindings[b].footer && bindings[b].keys[0] == KEY_F(f) && n++ == i)
				return &bindings[b];
	return NULL;
}

size_t footer_count(void)
{
	size_t n = 0;

	while (footer_binding(n))
		n++;
	return n;
}

void footer_at(struct top *t, size_t i, const char **key, const char **label, bool *grey,
	       int *code)
{
	const struct binding *b = footer_binding(i);
	static char keys[16][16];

	snprintf(keys[i % 16], sizeof(keys[0]), "F%d", b->keys[0] - KEY_F(0));
	*key = keys[i % 16];
	*label = b->footer;
	if (grey)
		*grey = greyed(t, b);
	*code = b->keys[0];
}

/* ---------------------------------------------------------------- screens */

static unsigned help_key(struct top *t, int key)
{
	switch (key) {
	case KEY_UP:
		if (t->help_scroll)
			t->help_scroll--;
		return R_DRAW;
	case KEY_DOWN:
		if (t->help_scroll + 1 < NBINDINGS)
			t->help_scroll++;
		return R_DRAW;
	case 'q':
		t->screen = SCREEN_MAIN;
		return R_DRAW;
	default:
		t->screen = SCREEN_MAIN;
		return R_DRAW;
	}
}

/* The setup's items: delay, colour, the shown columns in order, then the others. */
static const struct column *setup_column(struct top *t, size_t item, bool *shown)
{
	if (item < 2)
		return NULL;
	item -= 2;
	if (item < t->ncols) {
		*shown = true;
		return t->cols[item];
	}
	item -= t->ncols;
	for (size_t i = 0; i < column_count(); i++) {
		const struct column *c = column_at(i);
		bool in = false;
		for (size_t j = 0; j < t->ncols; j++)
			in |= t->cols[j] == c;
		if (!in && item-- == 0) {
			*shown = false;
			return c;
		}
	}
	return NULL;
}

static unsigned setup_key(struct top *t, int key)
{
	size_t items = 2 + column_count();
	bool shown = false;
	const struct column *c = setup_column(t, t->setup_sel, &shown);
	size_t at = t->setup_sel - 2;

	switch (key) {
	case KEY_UP:
		if (t->setup_sel)
			t->setup_sel--;
		break;
	case KEY_DOWN:
		if (t->setup_sel + 1 < items)
			t->setup_sel++;
		break;
	case '+':
		if (t->setup_sel == 0 && t->delay < 600)
			t->delay++;
		break;
	case '-':
		if (t->setup_sel == 0 && t->delay > 1)
			t->delay--;
		break;
	case ' ':
		if (t->setup_sel == 1) {
			t->colour = !t->colour;
			screen_end();
			screen_start(t);
		} else if (c && shown && t->ncols > 1) {
			memmove(&t->cols[at], &t->cols[at + 1], (t->ncols - at - 1) * sizeof(*t->cols));
			t->ncols--;
			if (t->sort == c)
				t->sort = NULL;
		} else if (c && !shown) {
			t->cols[t->ncols++] = c;
		}
		break;
	case '[':
		if (c && shown && at > 0) {
			t->cols[at] = t->cols[at - 1];
			t->cols[at - 1] = c;
			t->setup_sel--;
		}
		break;
	case ']':
		if (c && shown && at + 1 < t->ncols) {
			t->cols[at] = t->cols[at + 1];
			t->cols[at + 1] = c;
			t->setup_sel++;
		}
		break;
	case ESC:
	case 'q':
	case KEY_F(2):
	case KEY_F(10): {
		char err[256];
		t->screen = SCREEN_MAIN;
		if (config_save(t, err, sizeof(err)))
			status_set(t, 2, "%s", err);
		else
			status_set(t, 1, "setup saved in %s", err);
		return R_DRAW | R_REBUILD;
	}
	}
	return R_DRAW;
}

/* ------------------------------------------------------------------ keys */

unsigned key_handle(struct top *t, int key)
{
	if (key == KEY_RESIZE)
		return R_DRAW;
	if (t->prompt.active)
		return prompt_key(t, key);
	if (t->screen == SCREEN_HELP)
		return help_key(t, key);
	if (t->screen == SCREEN_SETUP)
		return setup_key(t, key);
	if (key == KEY_MOUSE)
		return mouse_handle(t);
	for (size_t i = 0; i < NBINDINGS; i++) {
		const struct binding *b = &bindings[i];
		if (!b->fn || !binding_has(b, key))
			continue;
		if (greyed(t, b)) {
			const char *why = "read-only (--readonly)";
			if (!t->readonly)
				may_change(t, selected_object(t), &why);
			status_set(t, 2, "%s: %s", b->names, why);
			return R_DRAW;
		}
		last_key = key;
		return b->fn(t);
	}
	return R_NONE;
}

unsigned mouse_handle(struct top *t)
{
	MEVENT ev;

	if (getmouse(&ev) != OK)
		return R_NONE;
	if (ev.bstate & BUTTON4_PRESSED)
		return move_by(t, -3);
	if (ev.bstate & BUTTON5_PRESSED)
		return move_by(t, 3);
	if (!(ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)))
		return R_NONE;
	if (ev.y == t->header_y) {
		int c = screen_column_at(t, ev.x);
		if (c < 0)
			return R_NONE;
		if (t->sort == t->cols[c])
			t->sort_inverted = !t->sort_inverted;
		sort_by(t, t->cols[c]);
		return R_REBUILD | R_DRAW;
	}
	if (ev.y >= t->table_y && ev.y < t->table_y + t->rows_on_screen) {
		size_t i = t->scroll + (size_t)(ev.y - t->table_y);
		if (i < t->nrows)
			select_index(t, i);
		return R_DRAW;
	}
	if (ev.y == LINES - 1) {
		int x = 0;
		for (size_t i = 0; i < footer_count(); i++) {
			const char *key, *label;
			bool grey;
			int code;
			footer_at(t, i, &key, &label, &grey, &code);
			int w = (int)strlen(key) + 6;
			if (ev.x >= x && ev.x < x + w)
				return key_handle(t, code);
			x += w;
		}
	}
	return R_NONE;
}
