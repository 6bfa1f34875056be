/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* signalfd: signals read as data, from /proc/PID/fdinfo (sigmask). */
#include "../internal.h"

#include <signal.h>
#include <stdlib.h>

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
	h->dev = 0;
	h->ino = (uint64_t)h->proc << 32 | (uint32_t)h->fd;
	return HOLD_CLAIMED | HOLD_FDINFO;
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
	const uint64_t sigmask = *(const uint64_t *)h->info;
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
	if (!rc)
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
};
