/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * floor-ls: the system calls `ipc-ls` makes for a listing of every kind,
 * and nothing else: no records, no sorting, no formatting, no output.  It
 * is the honest denominator of make bench-ls, the time no listing that
 * asks the kernel the same questions can beat.  It asks them the way the
 * library does (read with `strace -f build/bin/ipc-ls`), in two threads
 * taking one kind after another as the library's scan does:
 *
 *   /proc        per process: its directory, stat, ns/ipc, the fd directory
 *                with a readlink and a stat per fd, maps, syscall; a pipe's
 *                queue through pidfd_open, pidfd_getfd, F_GETPIPE_SZ, FIONREAD
 *   System V     IPC_INFO, then *_STAT_ANY per index; GETALL per array
 *   POSIX mq     a detached mqueue mount; per queue open, fstat, pread, mq_getattr
 *   POSIX sem    /dev/shm; per sem.* an O_PATH open, fstat, the reopen through
 *                /proc/self/fd and a pread of the sem_t
 *   POSIX shm    /dev/shm; per file one fstatat
 *   unix         one sock_diag dump
 *   names        getpwuid() and getgrgid() of uid and gid 0
 *
 * It prints how many objects it met, so a benchmark can check it saw what
 * ipc-ls lists.  Run it only in a private namespace, as ipc-ls would be.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/mount.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <mqueue.h>
#include <pthread.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MSG_STAT_ANY
#define MSG_STAT_ANY 13
#endif
#ifndef SEM_STAT_ANY
#define SEM_STAT_ANY 20
#endif
#ifndef SHM_STAT_ANY
#define SHM_STAT_ANY 15
#endif

static char buf_proc[2][65536];

/* Reads a file of an open directory the way the library does: up to EOF. */
static void slurp(int dfd, const char *name, char *buf, size_t size)
{
	int fd = openat(dfd, name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return;
	while (read(fd, buf, size - 1) > 0)
		;
	close(fd);
}

static void pipe_queue(pid_t pid, int fd)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (pidfd < 0)
		return;
	int dup = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	close(pidfd);
	if (dup < 0)
		return;
	int queued;
	fcntl(dup, F_GETPIPE_SZ);
	ioctl(dup, FIONREAD, &queued);
	close(dup);
}

static size_t scan_procs(int t)
{
	char *buf = buf_proc[t];
	DIR *proc = opendir("/proc");
	size_t n = 0;

	if (!proc)
		return 0;
	slurp(AT_FDCWD, "/proc/stat", buf, sizeof(buf_proc[t]));
	for (struct dirent *d; (d = readdir(proc));) {
		if (d->d_name[0] < '0' || d->d_name[0] > '9')
			continue;
		int pd = openat(dirfd(proc), d->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
				O_DIRECTORY);
		if (pd < 0)
			continue;
		struct stat st;
		slurp(pd, "stat", buf, 1024);
		fstatat(pd, "ns/ipc", &st, 0);
		int fdd = openat(pd, "fd", O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_DIRECTORY);
		DIR *fds = fdd < 0 ? NULL : fdopendir(fdd);
		for (struct dirent *f; fds && (f = readdir(fds));) {
			char link[4096];
			if (f->d_name[0] == '.')
				continue;
			ssize_t len = readlinkat(dirfd(fds), f->d_name, link, sizeof(link) - 1);
			if (len < 0)
				continue;
			link[len] = '\0';
			bool anon = strncmp(link, "pipe:", 5) == 0 || strncmp(link, "socket:", 7) == 0 ||
				    strncmp(link, "anon_inode:", 11) == 0;
			fstatat(dirfd(fds), f->d_name, &st, anon ? AT_SYMLINK_NOFOLLOW : 0);
			if (strncmp(link, "pipe:", 5) == 0)
				pipe_queue(atoi(d->d_name), atoi(f->d_name));
			n++;
		}
		if (fds)
			closedir(fds);
		slurp(pd, "maps", buf, sizeof(buf_proc[t]));
		slurp(pd, "syscall", buf, 512);
		close(pd);
	}
	closedir(proc);
	return n;
}

static size_t scan_msg(int t)
{
	struct msginfo info;
	struct msqid_ds ds;
	int max = msgctl(0, IPC_INFO, (struct msqid_ds *)(void *)&info);
	size_t n = 0;

	(void)t;
	for (int i = 0; i <= max; i++)
		n += msgctl(i, MSG_STAT_ANY, &ds) >= 0;
	return n;
}

static size_t scan_sem(int t)
{
	struct seminfo info;
	struct semid_ds ds;
	union semun {
		int val;
		struct semid_ds *buf;
		unsigned short *array;
		struct seminfo *__buf;
	} arg = { .__buf = &info };
	int max = semctl(0, 0, IPC_INFO, arg);
	size_t n = 0;

	(void)t;
	for (int i = 0; i <= max; i++) {
		arg.buf = &ds;
		int id = semctl(i, 0, SEM_STAT_ANY, arg);
		if (id < 0)
			continue;
		unsigned short values[256];
		if (ds.sem_nsems <= 256) {
			arg.array = values;
			semctl(id, 0, GETALL, arg);
		}
		n++;
	}
	return n;
}

static size_t scan_shm(int t)
{
	struct shminfo info;
	struct shmid_ds ds;
	int max = shmctl(0, IPC_INFO, (struct shmid_ds *)(void *)&info);
	size_t n = 0;

	(void)t;
	for (int i = 0; i <= max; i++)
		n += shmctl(i, SHM_STAT_ANY, &ds) >= 0;
	return n;
}

static size_t scan_mq(int t)
{
	int fs = (int)syscall(SYS_fsopen, "mqueue", FSOPEN_CLOEXEC);
	size_t n = 0;

	(void)t;
	if (fs < 0)
		return 0;
	syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0);
	int mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC,
			       MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
			       MOUNT_ATTR_NOEXEC);
	close(fs);
	if (mnt < 0)
		return 0;
	int dfd = openat(mnt, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(mnt);
	DIR *dir = dfd < 0 ? NULL : fdopendir(dfd);
	for (struct dirent *d; dir && (d = readdir(dir));) {
		if (d->d_name[0] == '.')
			continue;
		int fd = openat(dirfd(dir), d->d_name,
				O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (fd < 0)
			continue;
		struct stat st;
		struct mq_attr attr;
		char text[256];
		fstat(fd, &st);
		if (pread(fd, text, sizeof(text) - 1, 0) < 0)
			text[0] = '\0';
		mq_getattr(fd, &attr);
		close(fd);
		n++;
	}
	if (dir)
		closedir(dir);
	return n;
}

static size_t scan_psem(int t)
{
	DIR *dir = opendir("/dev/shm");
	size_t n = 0;

	(void)t;
	for (struct dirent *d; dir && (d = readdir(dir));) {
		if (strncmp(d->d_name, "sem.", 4) != 0 || d->d_type != DT_REG)
			continue;
		int path = openat(dirfd(dir), d->d_name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		struct stat st;
		if (path < 0)
			continue;
		if (fstat(path, &st) < 0) {
			close(path);
			continue;
		}
		char self[32];
		snprintf(self, sizeof(self), "/proc/self/fd/%d", path);
		int fd = open(self, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		close(path);
		if (fd >= 0) {
			char sem[32];
			if (pread(fd, sem, sizeof(sem), 0) < 0)
				sem[0] = 0;
			close(fd);
		}
		n++;
	}
	if (dir)
		closedir(dir);
	return n;
}

static size_t scan_pshm(int t)
{
	DIR *dir = opendir("/dev/shm");
	size_t n = 0;

	(void)t;
	for (struct dirent *d; dir && (d = readdir(dir));) {
		struct stat st;
		if (d->d_name[0] == '.' || strncmp(d->d_name, "sem.", 4) == 0 ||
		    (d->d_type != DT_REG && d->d_type != DT_UNKNOWN))
			continue;
		n += fstatat(dirfd(dir), d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		     S_ISREG(st.st_mode);
	}
	if (dir)
		closedir(dir);
	return n;
}

static size_t scan_unix(int t)
{
	int sk = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	struct {
		struct nlmsghdr nlh;
		struct unix_diag_req udr;
	} req = {
		.nlh = { .nlmsg_len = sizeof(req), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.udr = { .sdiag_family = AF_UNIX, .udiag_states = ~0u,
			 .udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_VFS | UDIAG_SHOW_PEER |
				       UDIAG_SHOW_ICONS | UDIAG_SHOW_RQLEN },
	};
	size_t n = 0;
	bool done = false;

	if (sk < 0)
		return 0;
	if (send(sk, &req, sizeof(req), 0) < 0)
		done = true;
	while (!done) {
		ssize_t len = recv(sk, buf_proc[t], sizeof(buf_proc[t]), 0);
		if (len <= 0)
			break;
		for (struct nlmsghdr *h = (struct nlmsghdr *)(void *)buf_proc[t];
		     NLMSG_OK(h, (size_t)len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
				done = true;
				break;
			}
			n++;
		}
	}
	close(sk);
	return n;
}

static const struct {
	const char *name;
	size_t (*scan)(int t);
} kinds[] = {
	{ "fds", scan_procs }, { "sysv-msg", scan_msg }, { "sysv-sem", scan_sem },
	{ "sysv-shm", scan_shm }, { "posix-mq", scan_mq }, { "posix-sem", scan_psem },
	{ "posix-shm", scan_pshm }, { "unix", scan_unix },
};

#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static size_t next, found[NKINDS];

static void *worker(void *arg)
{
	int t = (int)(intptr_t)arg;

	for (;;) {
		size_t k = __atomic_fetch_add(&next, 1, __ATOMIC_RELAXED);
		if (k >= NKINDS)
			return NULL;
		found[k] = kinds[k].scan(t);
	}
}

int main(void)
{
	pthread_t thread;

	/* the /proc scan first, as the library's: the kinds need the holders */
	found[0] = kinds[0].scan(0);
	next = 1;
	bool two = sysconf(_SC_NPROCESSORS_ONLN) > 1 &&
		   pthread_create(&thread, NULL, worker, (void *)(intptr_t)1) == 0;
	worker((void *)(intptr_t)0);
	if (two)
		pthread_join(thread, NULL);
	getpwuid(0);
	getgrgid(0);
	size_t total = 0;
	for (size_t k = 1; k < NKINDS; k++)
		total += found[k];
	printf("%zu objects, %zu fds\n", total, found[0]);
	return 0;
}
