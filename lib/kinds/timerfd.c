/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* timerfd: timers, from /proc/PID/fdinfo (clockid, ticks, it_value, it_interval). */
#include "../internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <sys/timerfd.h>
#include <time.h>

/* What fdinfo tells of a timerfd. */
struct timerfd_info {
	int clockid;		/* "clockid: N" */
	uint64_t ticks;		/* "ticks: N": expirations not read */
	unsigned flags;		/* "settime flags: 0N", octal */
	int64_t value_ns;	/* "it_value: (s, ns)": the time to the next expiry */
	int64_t interval_ns;	/* "it_interval: (s, ns)" */
};

static const char *clock_name(int id)
{
	switch (id) {
	case CLOCK_REALTIME: return "realtime";
	case CLOCK_MONOTONIC: return "monotonic";
	case CLOCK_BOOTTIME: return "boottime";
	case CLOCK_REALTIME_ALARM: return "realtime_alarm";
	case CLOCK_BOOTTIME_ALARM: return "boottime_alarm";
	}
	return NULL;
}

static const char *flags_name(unsigned flags)
{
	static const char *const names[] = {
		[0] = "-",
		[TFD_TIMER_ABSTIME] = "abstime",
		[TFD_TIMER_CANCEL_ON_SET] = "cancel_on_set",
		[TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET] = "abstime,cancel_on_set",
	};

	return names[flags & (TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)];
}

static unsigned timerfd_claim(const struct held_probe *p, struct held *h)
{
	if (p->fd < 0 || strcmp(p->link, "anon_inode:[timerfd]") != 0)
		return 0;
	/* nothing joins two fds of one timer: each fd is an object */
	h->dev = 0;
	h->ino = (uint64_t)h->proc << 32 | (uint32_t)h->fd;
	return HOLD_CLAIMED | HOLD_FDINFO;
}

/* "(s, ns)" as nanoseconds, the sum saturated; false when malformed. */
static bool timespec_ns(const char *s, int64_t *ns)
{
	long long sec, nsec;

	if (!s || sscanf(s, "(%lld, %lld)", &sec, &nsec) != 2 || sec < 0 || nsec < 0)
		return false;
	if (__builtin_mul_overflow(sec, 1000000000LL, &sec) ||
	    __builtin_add_overflow(sec, nsec, &sec))
		sec = INT64_MAX;
	*ns = sec;
	return true;
}

static int timerfd_fdinfo(const char *text, struct held *h, struct ipk_arena *arena)
{
	const char *clockid = fdinfo_line(text, "clockid");
	const char *ticks = fdinfo_line(text, "ticks");
	const char *flags = fdinfo_line(text, "settime flags");
	struct timerfd_info *t = ipk_arena_alloc(arena, sizeof(*t));

	if (!t)
		return -ENOMEM;
	if (!clockid)
		return -ENOENT;
	long id = strtol(clockid, NULL, 10);
	*t = (struct timerfd_info){ .clockid = id >= 0 && id < 64 ? (int)id : -1 };
	if (ticks)
		t->ticks = strtoull(ticks, NULL, 10);
	if (flags)
		t->flags = (unsigned)strtoul(flags, NULL, 8);
	timespec_ns(fdinfo_line(text, "it_value"), &t->value_ns);
	timespec_ns(fdinfo_line(text, "it_interval"), &t->interval_ns);
	h->info = t;
	return 0;
}

static int timerfd_make(struct ipk_scan *s, const struct held *h, size_t n)
{
	const struct timerfd_info *t = h->info;
	char arg[24];

	ref_arg_pid_fd_make(arg, held_proc(s->ctx->procs, h)->pid, h->fd);
	if (!scan_wants(s, arg))
		return 0;
	struct ipk_object *o = NULL;
	int rc = held_obj_new(s, arg, h, n, &o);
	/* VALUE is the time to the next expiry; a disarmed timer has none */
	if (!rc && t->value_ns)
		rc = obj_set_num(o, IPK_F_VALUE, t->value_ns);
	if (!rc)
		rc = obj_set_num(o, IPK_F_INTERVAL, t->interval_ns);
	if (!rc)
		rc = obj_set_unum(o, IPK_F_TICKS, t->ticks);
	if (!rc && clock_name(t->clockid))
		rc = obj_set_word(o, IPK_F_CLOCK, clock_name(t->clockid));
	if (!rc)
		rc = obj_set_word(o, IPK_F_TIMER_FLAGS, flags_name(t->flags));
	if (rc) {
		ipk_object_free(o);
		return rc;
	}
	obj_set_num(o, IPK_F_STATUS, 0);
	return scan_add(s, o);
}

static int timerfd_scan(struct ipk_scan *s)
{
	return procs_each_object(s, false, timerfd_make);
}

const struct ipk_kind kind_timerfd = {
	.name = "timerfd",
	.description = "timer (timerfd)",
	.family = IPK_FAMILY_FD,
	.procs = PROCS_FDS | PROCS_FDINFO,
	.holder_procs = PROCS_WAITS,
	.claim = timerfd_claim,
	.fdinfo = timerfd_fdinfo,
	.fields = FIELDS(IPK_F_REF, IPK_F_NS, IPK_F_VALUE, IPK_F_HOLDERS, IPK_F_STATUS,
			 IPK_F_CLOCK, IPK_F_INTERVAL, IPK_F_TICKS, IPK_F_TIMER_FLAGS),
	.value_is_ns = true,
	.ref_arg = ref_arg_pid_fd,
	.scan = timerfd_scan,
	.no_name = "a timerfd has no name to remove",
};
