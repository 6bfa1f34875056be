/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* signalfd: signals read as data, from /proc/PID/fdinfo (sigmask). */
#include "../internal.h"
#include "../scenario/scn.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/signalfd.h>
#include <unistd.h>

/*
 * Signal names as kill -l prints them, by number: 32 and 33 belong to the
 * C library, SIGRTMIN is 34 to programs.
 */
static const char *const signal_names[65] = {
	[1] = "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
	"SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT",
	"SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
	"SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS", "SIG32",
	"SIG33", "SIGRTMIN", "SIGRTMIN+1", "SIGRTMIN+2", "SIGRTMIN+3", "SIGRTMIN+4",
	"SIGRTMIN+5", "SIGRTMIN+6", "SIGRTMIN+7", "SIGRTMIN+8", "SIGRTMIN+9", "SIGRTMIN+10",
	"SIGRTMIN+11", "SIGRTMIN+12", "SIGRTMIN+13", "SIGRTMIN+14", "SIGRTMIN+15",
	"SIGRTMAX-14", "SIGRTMAX-13", "SIGRTMAX-12", "SIGRTMAX-11", "SIGRTMAX-10", "SIGRTMAX-9",
	"SIGRTMAX-8", "SIGRTMAX-7", "SIGRTMAX-6", "SIGRTMAX-5", "SIGRTMAX-4", "SIGRTMAX-3",
	"SIGRTMAX-2", "SIGRTMAX-1", "SIGRTMAX",
};

static unsigned signalfd_claim(const struct held_probe *p, struct held *h)
{
	if (p->fd < 0 || strcmp(p->link, "anon_inode:[signalfd]") != 0)
		return 0;
	/* nothing joins two fds of one signalfd: each fd is an object */
	held_own_identity(h);
	/* its fdinfo tells only the signals: read when they are shown */
	return HOLD_CLAIMED | (fieldset_has(p->wanted, IPK_F_SIGNALS) ? HOLD_FDINFO : 0);
}

/* "sigmask: <16 hex digits>", bit n-1 for signal n, kept as the mask itself. */
static int signalfd_fdinfo(const char *text, struct held *h, struct ipk_arena *arena)
{
	const char *mask = fdinfo_line(text, "sigmask");
	uint64_t *v = ipk_arena_alloc(arena, sizeof(*v));
	char *end;

	if (!v)
		return -ENOMEM;
	if (!mask)
		return -ENOENT;
	errno = 0;
	*v = strtoull(mask, &end, 16);
	if (errno || end == mask)
		return -ENOENT;
	h->info = v;
	return 0;
}

static int signalfd_make(struct ipk_scan *s, const struct held *h, size_t n)
{
	const uint64_t sigmask = h->info ? *(const uint64_t *)h->info : 0;
	const char *names[64];
	size_t count = 0;
	char arg[24];

	ref_arg_pid_fd_make(arg, held_proc(s->ctx->procs, h)->pid, h->fd);
	if (!scan_wants(s, arg))
		return 0;
	for (int sig = 1; sig <= 64; sig++)
		if (sigmask & (UINT64_C(1) << (sig - 1)))
			names[count++] = signal_names[sig];
	struct ipk_object *o = NULL;
	int rc = held_obj_new(s, arg, h, n, &o);
	if (!rc && h->info)
		rc = obj_set_words(o, IPK_F_SIGNALS, names, count);
	if (rc) {
		ipk_object_free(o);
		return rc;
	}
	obj_set_num(o, IPK_F_STATUS, 0);
	return scan_add(s, o);
}

static int signalfd_scan(struct ipk_scan *s)
{
	return procs_each_object(s, false, signalfd_make);
}

/* ----------------------------------------------------------- scenarios */

static const struct scn_param signalfd_attrs[] = {
	{ "signals", SP_SIGNALS, A_SIGNALS, NULL, "the signals it reads: [USR1, TERM]" },
	SCN_P_LAST,
};

static int sfd_make(struct scn_obj *o, struct ipk_error *e)
{
	sigset_t set;

	sigemptyset(&set);
	for (int sig = 1; sig <= 64; sig++)
		if (o->sigmask & (UINT64_C(1) << (sig - 1)))
			sigaddset(&set, sig);
	/* The actors keep these blocked from their start: signalfd(2) reads pending ones. */
	o->fd[0] = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (o->fd[0] < 0)
		return err_set(e, errno, "signalfd: %s", ipk_strerror(errno));
	return 0;
}

static int sfd_ref(const struct scn_obj *o, struct ipk_buf *ref)
{
	if (o->fd[0] < 0)
		return -ENOENT;
	return ipk_buf_printf(ref, "%d:%d", (int)getpid(), o->fd[0]);
}

/* One signal of this process's pending ones: its number is the value. */
static int sfd_wait(struct scn_exec *x)
{
	struct signalfd_siginfo si;
	ssize_t r = x->h->fd < 0 ? -EBADF : xport_read(x->h->fd, &si, sizeof(si), true, &x->wait);

	if (r < 0)
		return (int)r;
	if (r != sizeof(si))
		return -EIO;
	x->value = si.ssi_signo;
	x->has_value = true;
	return 0;
}

static const struct scn_op signalfd_ops[] = {
	{ "wait", "read one signal sent to this process (a signal step sends it)", NULL,
	  SCN_BLOCKS | SCN_OUT_VALUE | SCN_OUT_SIGNAL, sfd_wait,
	  "- wait: { on: sigs, expect: USR1, timeout: 2s }" },
	{ "open", "nothing: every actor has it from the start", NULL, 0, scn_noop,
	  "- open: sigs" },
	SCN_OP_CLOSE(scn_fd_close),
	{ "remove", "the same as close: it has no name", NULL, 0, scn_fd_close, "- remove: sigs" },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};

static const struct scn_type signalfd_scenario = {
	.name = "signalfd",
	.help = "signals read as data (signalfd(2)); every actor blocks its signals",
	.flags = SCN_T_NONAME,
	.attrs = signalfd_attrs,
	.ops = signalfd_ops,
	.make = sfd_make,
	.unmake = scn_fds_unmake,
	.handle = scn_handle_fds,
	.ref_arg = sfd_ref,
};

const struct ipk_kind kind_signalfd = {
	.name = "signalfd",
	.description = "signals read as data (signalfd)",
	.family = IPK_FAMILY_FD,
	.procs = PROCS_FDS | PROCS_FDINFO,
	.holder_procs = PROCS_WAITS,
	.claim = signalfd_claim,
	.fdinfo = signalfd_fdinfo,
	.fields = FIELDS(IPK_F_REF, IPK_F_NS, IPK_F_HOLDERS, IPK_F_STATUS, IPK_F_SIGNALS),
	.ref_arg = ref_arg_pid_fd,
	.scan = signalfd_scan,
	.no_name = "a signalfd has no name to remove",
	.scenario = &signalfd_scenario,
	.identity = { .by = IDENT_REF },
};
