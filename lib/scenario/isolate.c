/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * --isolate: the caller enters a fresh IPC namespace and mount namespace,
 * with /dev/shm and the mqueue filesystem of its own, so a run neither
 * sees nor collides with the host's objects.  Without root a user
 * namespace comes first, in which the caller is root and may mount.
 */
#include "scn.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, text, strlen(text));
	int err = n < 0 ? errno : 0;
	close(fd);
	return n < 0 ? -err : 0;
}

int ipk_scenario_isolate(struct ipk_error *e)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	int flags = CLONE_NEWIPC | CLONE_NEWNS;
	char map[64];
	struct stat st;

	if (uid != 0)
		flags |= CLONE_NEWUSER;
	if (unshare(flags))
		return err_set(e, errno, "cannot enter a new IPC and mount namespace: %s%s",
			       ipk_strerror(errno), uid && errno == EPERM ?
			       " (user namespaces are not allowed here)" : "");
	if (uid != 0) {
		int rc = write_file("/proc/self/setgroups", "deny");
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
		if (!rc || rc == -ENOENT)
			rc = write_file("/proc/self/uid_map", map);
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
		if (!rc)
			rc = write_file("/proc/self/gid_map", map);
		if (rc)
			return err_set(e, -rc, "cannot map the user into its namespace: %s",
				       ipk_strerror(-rc));
	}
	/* Nothing mounted here may show outside. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return err_set(e, errno, "cannot make the mounts private: %s", ipk_strerror(errno));
	if (mount("ipckit-shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777"))
		return err_set(e, errno, "cannot mount a tmpfs on /dev/shm: %s", ipk_strerror(errno));
	if (stat("/dev/mqueue", &st) == 0 && S_ISDIR(st.st_mode) &&
	    mount("ipckit-mqueue", "/dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL))
		return err_set(e, errno, "cannot mount the mqueue filesystem: %s", ipk_strerror(errno));
	return 0;
}
