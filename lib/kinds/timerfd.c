/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* timerfd: timers, from /proc/PID/fdinfo (clockid, ticks, it_value, it_interval). */
#include "../internal.h"

#include <sys/timerfd.h>
#include <time.h>

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

/* Nothing joins two fds of one timerfd: each fd is an object, timerfd:PID:FD. */
static int timerfd_make(struct ipk_scan *s, const struct held *h, size_t n)
{
	const struct held_info *t = h->info;
	char arg[48];

	snprintf(arg, sizeof(arg), "%d:%d", (int)held_proc(s, h)->pid, (int)h->fd);
	if (!scan_wants(s, arg))
		return 0;
	struct ipk_object *o;
	int rc = held_obj_new(s, arg, h, n, &o);
	if (rc)
		return rc;
	/* VALUE is the time to the next expiry; a disarmed timer has none */
	if (t->value_ns)
		obj_set_num(o, IPK_F_VALUE, t->value_ns);
	obj_set_num(o, IPK_F_INTERVAL, t->interval_ns);
	obj_set_unum(o, IPK_F_TICKS, t->ticks);
	if (clock_name(t->clockid))
		obj_set_word(o, IPK_F_CLOCK, clock_name(t->clockid));
	obj_set_word(o, IPK_F_TIMER_FLAGS, flags_name(t->settime_flags));
	obj_set_num(o, IPK_F_STATUS, 0);
	return scan_add(s, o);
}

static int timerfd_scan(struct ipk_scan *s)
{
	return procs_each_object(s, HELD_TIMERFD, false, timerfd_make);
}

const struct ipk_kind ipk_kind_timerfd = {
	.name = "timerfd",
	.description = "timer (timerfd)",
	.family = IPK_FAMILY_FD,
	.procs = PROCS_FDS | PROCS_FDINFO,
	.fields = F(REF) | F(NS) | F(VALUE) | F(HOLDERS) | F(STATUS) | F(CLOCK) | F(INTERVAL) |
		  F(TICKS) | F(TIMER_FLAGS),
	.value_is_ns = true,
	.ref_arg = ref_arg_pid_fd,
	.scan = timerfd_scan,
	.no_name = "a timerfd has no name to remove",
	/* the time to the next expiry counts down by itself */
	.identity = { .by = IDENT_REF, .noisy = F(VALUE) },
};
