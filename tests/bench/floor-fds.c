/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * floor-fds [--files]: the honest denominator of bench-fds.  It makes the
 * system calls that `ipc-ls --kind pipe,fifo,unix,eventfd,timerfd,signalfd,
 * memfd` makes to list the fd kinds, and nothing else: no records, no
 * formatting, only what it must look at to know which call comes next
 * (the link's text, the process's state).  It prints how many fds it saw.
 *
 *   one sock_diag dump of the unix sockets (names, peers, queues);
 *   per process: its stat, every fd's link; for a path the target's
 *   stat; for a pipe the link's own mode and, once per pipe, a duplicate
 *   of the fd through one pidfd for the process and its FIONREAD; the
 *   fdinfo of eventfds and timerfds (a signalfd's tells only its signals,
 *   which the default columns do not show); a memfd's stat; the shared
 *   file mappings through PROCMAP_QUERY; the syscall file of a sleeping
 *   process.  The default columns need no namespace of fd kinds.
 *
 * --files reads the same /proc files and makes no other call: no pidfd,
 * no stat, no sock_diag, maps as text.  Reading those files is what any
 * tool that shows the same facts pays.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

struct procmap_query {
	uint64_t size, query_flags, query_addr, vma_start, vma_end, vma_flags, vma_page_size,
		 vma_offset, inode;
	uint32_t dev_major, dev_minor, vma_name_size, build_id_size;
	uint64_t vma_name_addr, build_id_addr;
};

#define PROCMAP_QUERY_IOCTL _IOWR('f', 17, struct procmap_query)

static bool files_only;
static unsigned long long seen;

/* Pipes measured already: each once, as ipc-ls does. */
static uint64_t *pipes;
static size_t npipes, pipes_cap;

static bool pipe_new(uint64_t ino)
{
	size_t mask = pipes_cap - 1;

	if (2 * (npipes + 1) > pipes_cap) {
		size_t cap = pipes_cap ? 2 * pipes_cap : 4096;
		uint64_t *old = pipes, *v = calloc(cap, sizeof(*v));
		if (!v)
			exit(1);
		pipes = v;
		pipes_cap = cap;
		npipes = 0;
		for (size_t i = 0; i < cap / 2; i++)
			if (old && old[i])
				pipe_new(old[i]);
		free(old);
		mask = pipes_cap - 1;
	}
	size_t i = (size_t)(ino * 0x9e3779b97f4a7c15ull) & mask;
	while (pipes[i] && pipes[i] != ino)
		i = (i + 1) & mask;
	if (pipes[i])
		return false;
	pipes[i] = ino;
	npipes++;
	return true;
}

/* A file read as ipc-ls reads it: whole (maps), or one bounded read (fdinfo, syscall). */
static void read_file(int dir, const char *name, bool whole)
{
	char buf[8192];
	int f = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (f < 0)
		return;
	while (read(f, buf, sizeof(buf)) > 0 && whole)
		;
	close(f);
}

static void unix_dump(void)
{
	struct {
		struct nlmsghdr nlh;
		struct unix_diag_req req;
	} rq = {
		.nlh = { .nlmsg_len = sizeof(rq), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.req = { .sdiag_family = AF_UNIX, .udiag_states = ~0u,
			 .udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_VFS | UDIAG_SHOW_PEER |
				       UDIAG_SHOW_RQLEN },
	};
	static long buf[8192];
	int nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);

	if (nl < 0 || send(nl, &rq, sizeof(rq), 0) < 0)
		exit(1);
	for (bool done = false; !done;) {
		ssize_t n = recv(nl, buf, sizeof(buf), 0);
		if (n <= 0)
			break;
		size_t left = (size_t)n;
		for (const struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left))
			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
				done = true;
	}
	close(nl);
}

static void maps(int piddir)
{
	char name[4096];
	int f = openat(piddir, "maps", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (f < 0)
		return;
	for (uint64_t addr = 0;;) {
		struct procmap_query q = {
			.size = sizeof(q), .query_flags = 0x10 | 0x20 | 0x08, .query_addr = addr,
			.vma_name_addr = (uint64_t)(uintptr_t)name, .vma_name_size = sizeof(name),
		};
		if (ioctl(f, PROCMAP_QUERY_IOCTL, &q) < 0 || q.vma_end <= addr)
			break;
		addr = q.vma_end;
	}
	close(f);
}

static void process(int procdir, const char *pid)
{
	char text[1024], link[4096], path[NAME_MAX + 16];
	int piddir = openat(procdir, pid, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (piddir < 0)
		return;
	int f = openat(piddir, "stat", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	ssize_t n = f < 0 ? -1 : read(f, text, sizeof(text) - 1);
	if (f >= 0)
		close(f);
	if (n <= 0) {
		close(piddir);
		return;
	}
	text[n] = '\0';
	const char *paren = strrchr(text, ')');
	char state = paren && paren[1] ? paren[2] : '?';
	int fddir = openat(piddir, "fd", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int pidfd = -1;
	char dents[4096] __attribute__((aligned(8)));
	for (long got; fddir >= 0 && (got = getdents64(fddir, dents, sizeof(dents))) > 0;) {
		for (long pos = 0; pos < got;) {
			struct dirent64 *d = (void *)(dents + pos);
			pos += d->d_reclen;
			if (d->d_name[0] < '0' || d->d_name[0] > '9')
				continue;
			ssize_t len = readlinkat(fddir, d->d_name, link, sizeof(link) - 1);
			if (len <= 0)
				continue;
			link[len] = '\0';
			seen++;
			bool anon = strncmp(link, "anon_inode:[", 12) == 0;
			if (anon && (strcmp(link + 12, "eventfd]") == 0 ||
				     strcmp(link + 12, "timerfd]") == 0)) {
				snprintf(path, sizeof(path), "fdinfo/%s", d->d_name);
				read_file(piddir, path, false);
			} else if (files_only) {
				continue;
			} else if (link[0] == '/') {
				fstatat(fddir, d->d_name, &st, 0);
			} else if (strncmp(link, "pipe:[", 6) == 0) {
				fstatat(fddir, d->d_name, &st, AT_SYMLINK_NOFOLLOW);
				if (!pipe_new(strtoull(link + 6, NULL, 10)))
					continue;
				if (pidfd == -1)
					pidfd = (int)syscall(SYS_pidfd_open, atoi(pid), 0);
				int dup = pidfd < 0 ? -1 : (int)syscall(SYS_pidfd_getfd, pidfd,
									  atoi(d->d_name), 0);
				int queued;
				if (dup >= 0) {
					ioctl(dup, FIONREAD, &queued);
					close(dup);
				}
			}
		}
	}
	if (fddir >= 0)
		close(fddir);
	if (files_only)
		read_file(piddir, "maps", true);
	else
		maps(piddir);
	if (state == 'S' || state == 'D')
		read_file(piddir, "syscall", false);
	if (pidfd >= 0)
		close(pidfd);
	close(piddir);
}

int main(int argc, char **argv)
{
	static char dents[32768] __attribute__((aligned(8)));

	files_only = argc > 1 && strcmp(argv[1], "--files") == 0;
	if (!files_only)
		unix_dump();
	int procdir = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procdir < 0)
		return 1;
	for (long got; (got = getdents64(procdir, dents, sizeof(dents))) > 0;) {
		for (long pos = 0; pos < got;) {
			struct dirent64 *d = (void *)(dents + pos);
			pos += d->d_reclen;
			if (d->d_name[0] >= '0' && d->d_name[0] <= '9')
				process(procdir, d->d_name);
		}
	}
	close(procdir);
	printf("%llu fds\n", seen);
	return 0;
}
