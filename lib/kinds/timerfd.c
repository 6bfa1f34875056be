/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* timerfd: timers, from /proc/PID/fdinfo (clockid, ticks, it_value, it_interval). */
#include "../internal.h"
#include "../scenario/scn.h"

#include <inttypes.h>
#include <stdlib.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

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
	held_own_identity(h);
	return HOLD_CLAIMED | HOLD_FDINFO;
}

/* "(s, ns)" as nanoseconds, the sum saturated; false when malformed. */
static bool timespec_ns(const char *s, int64_t *ns)
{
	uint64_t sec, nsec;
	int64_t sum;

	if (!s || *s++ != '(' || !text_dec(&s, &sec) || *s++ != ',')
		return false;
	while (*s == ' ')
		s++;
	if (!text_dec(&s, &nsec) || *s != ')' || sec > INT64_MAX || nsec > INT64_MAX)
		return false;
	if (__builtin_mul_overflow((int64_t)sec, INT64_C(1000000000), &sum) ||
	    __builtin_add_overflow(sum, (int64_t)nsec, &sum))
		sum = INT64_MAX;
	*ns = sum;
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

/* ----------------------------------------------------------- scenarios */

static const struct scn_param timerfd_attrs[] = {
	{ "clock", SP_WORD, A_CLOCK, "monotonic realtime boottime", "its clock (monotonic)" },
	SCN_P_LAST,
};

static int tfd_make(struct scn_obj *o, struct ipk_error *e)
{
	o->fd[0] = timerfd_create(o->clock, TFD_NONBLOCK | TFD_CLOEXEC);
	if (o->fd[0] < 0)
		return err_set(e, errno, "timerfd_create: %s", ipk_strerror(errno));
	return 0;
}

static int tfd_ref(const struct scn_obj *o, struct ipk_buf *ref)
{
	if (o->fd[0] < 0)
		return -ENOENT;
	return ipk_buf_printf(ref, "%d:%d", (int)getpid(), o->fd[0]);
}

static struct timespec ns_time(uint64_t ns)
{
	return (struct timespec){ (time_t)(ns / 1000000000), (long)(ns % 1000000000) };
}

/* Times of the timer stretch with --slow, as sleeps do. */
static int tfd_arm(struct scn_exec *x)
{
	int64_t after, every;
	int rc = scn_int(x, A_AFTER, 0, &after);

	if (!rc)
		rc = scn_int(x, A_INTERVAL, 0, &every);
	if (rc)
		return rc;
	if (x->h->fd < 0)
		return -EBADF;
	if (!after)
		after = every;
	struct itimerspec it = {
		.it_value = ns_time((uint64_t)((double)after * x->w->slow)),
		.it_interval = ns_time((uint64_t)((double)every * x->w->slow)),
	};
	return timerfd_settime(x->h->fd, 0, &it, NULL) ? -errno : 0;
}

static int tfd_wait(struct scn_exec *x)
{
	uint64_t ticks;
	ssize_t r = x->h->fd < 0 ? -EBADF : xport_read(x->h->fd, &ticks, sizeof(ticks), true,
							 &x->wait);

	if (r < 0)
		return (int)r;
	if (r != sizeof(ticks))
		return -EIO;
	x->value = (int64_t)ticks;
	x->has_value = true;
	return 0;
}

static const struct scn_param tfd_arm_params[] = {
	{ "after", SP_DURATION, A_AFTER, NULL, "the first expiry (default: interval)" },
	{ "interval", SP_DURATION, A_INTERVAL, NULL, "then every interval (default: once)" },
	SCN_P_LAST,
};

static const struct scn_op timerfd_ops[] = {
	{ "arm", "timerfd_settime(2): after:, then every interval:; both 0 disarm",
	  tfd_arm_params, 0, tfd_arm, "- arm: { on: tick, after: 10ms, interval: 10ms }" },
	{ "wait", "read the expirations since the last read; gives their number (ticks)", NULL,
	  SCN_BLOCKS | SCN_OUT_VALUE, tfd_wait, "- wait: { on: tick, expect: 1 }" },
	{ "open", "nothing: every actor has it from the start", NULL, 0, scn_noop,
	  "- open: tick" },
	SCN_OP_CLOSE(scn_fd_close),
	{ "remove", "the same as close: it has no name", NULL, 0, scn_fd_close, "- remove: tick" },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};

static const struct scn_type timerfd_scenario = {
	.name = "timerfd",
	.help = "a timer read as a descriptor (timerfd_create(2))",
	.flags = SCN_T_NONAME,
	.attrs = timerfd_attrs,
	.ops = timerfd_ops,
	.make = tfd_make,
	.unmake = scn_fds_unmake,
	.handle = scn_handle_fds,
	.ref_arg = tfd_ref,
};

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
	.scenario = &timerfd_scenario,
	/* the time to the next expiry counts down by itself */
	.identity = { .by = IDENT_REF, .noisy = F(VALUE) },
};
