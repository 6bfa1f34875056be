/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the BPF iterators of lib/bpf/procs.bpf.c write and lib/procs-bpf.c
 * reads: records of fixed-width fields, each a multiple of 8 bytes, in the
 * order the iterators visit them (processes by pid, fds by number, areas
 * by address).  Shared by the BPF object and the loader.
 */
#ifndef IPCKIT_BPF_RECORDS_H
#define IPCKIT_BPF_RECORDS_H

#define IPK_BPF_PATH_MAX 4096	/* PATH_MAX: what a link or a mapping's path may take */
#define IPK_BPF_INFO_MAX 256	/* the fdinfo lines written for a kind that reads them */

/* Every record starts with its size and type. */
enum { IPK_BPF_TASK = 1, IPK_BPF_VMA, IPK_BPF_FD };

/*
 * One process (iter/task, thread-group leaders only): /proc/PID/stat and
 * /proc/PID/syscall; its shared file mappings follow it.
 */
struct ipk_bpf_task {
	__u16 size;
	__u8 type;		/* IPK_BPF_TASK */
	__u8 pad0;
	__s32 pid;		/* in the reader's pid namespace */
	__u32 flags;		/* IPK_BPF_TASK_* */
	__u32 state;		/* task_struct.__state */
	__u32 exit_state;
	__u32 ipc_ns;		/* inode of its IPC namespace; 0 without one (exited) */
				/* (written by procs_bpf_task(), from nsproxy_key) */
	__u64 start_boottime;	/* ns since boot, as /proc/PID/stat's starttime counts */
	char comm[16];
	__s64 nr;		/* the call it sleeps in (orig_ax), -1 none, with IPK_BPF_TASK_REGS */
	__u64 args[6];
	/*
	 * The kernel's address of its set of namespaces (struct nsproxy; 0:
	 * none), one IPC namespace each, shared by processes of the same
	 * namespaces: the IPC one's inode is read from /proc once a set.  Not
	 * the IPC namespace's own address: struct nsproxy and struct
	 * ipc_namespace as CO-RE roots would share the slots of the kernel's
	 * candidate cache that dentry_operations and super_block take, and
	 * each load would search vmlinux's BTF for them again (0.4 ms a search).
	 */
	__u64 nsproxy_key;
};

enum {
	IPK_BPF_TASK_KTHREAD = 1 << 0,	/* PF_KTHREAD */
	IPK_BPF_TASK_WQ = 1 << 1,	/* PF_WQ_WORKER: /proc shows a longer name */
	IPK_BPF_TASK_REGS = 1 << 2,	/* nr and args read: it sleeps */
	IPK_BPF_TASK_COMPAT = 1 << 3,	/* in a 32-bit call: its arguments are elsewhere */
	IPK_BPF_TASK_NO_MAPS = 1 << 4,	/* its areas could not be walked now: read /proc */
};

/*
 * One fd (iter/task_file), then its link (NUL-terminated) unless a flag
 * says what it is, then (8-aligned) the values of its fdinfo lines.
 */
struct ipk_bpf_fd {
	__u16 size;		/* the whole record, link and lines included */
	__u8 type;		/* IPK_BPF_FD */
	__u8 flags;		/* IPK_BPF_FD_* */
	__u16 link_len;		/* strlen of the link; IPK_BPF_NO_LINK: read it from /proc */
	__u16 info_len;		/* bytes of the fdinfo values after the link; 0: none */
	__s32 pid;
	__s32 fd;
	__u32 f_mode;		/* FMODE_READ 1, FMODE_WRITE 2 */
	__u32 i_mode;
	__u32 s_dev;		/* the kernel's dev_t: major << 20 | minor */
	__u32 uid, gid;
	__u32 info;		/* IPK_BPF_INFO_*: whose fdinfo the values are */
	__u64 ino;
	__s64 i_size;
	__s64 atime, ctime;	/* seconds */
	__s64 queued;		/* with IPK_BPF_FD_QUEUE: FIONREAD */
	__s64 capacity;		/* ... and F_GETPIPE_SZ in pages */
};

#define IPK_BPF_NO_LINK 0xffff

enum {
	IPK_BPF_FD_STAT = 1 << 0,	/* the inode's fields are what fstat shows */
	IPK_BPF_FD_QUEUE = 1 << 1,	/* an empty pipe or FIFO: queued (0) and capacity read */
	IPK_BPF_FD_PIPE = 1 << 2,	/* no link written: it is "pipe:[INODE]" (pipefs_dname()) */
	IPK_BPF_FD_SOCKET = 1 << 3,	/* ... "socket:[INODE]" (sockfs_dname()) */
};

/* The values after the link, in the order the kernel prints their fdinfo lines. */
enum {
	IPK_BPF_INFO_NONE,
	IPK_BPF_INFO_EVENTFD,	/* count, id, semaphore (eventfd_show_fdinfo()) */
	IPK_BPF_INFO_SIGNALFD,	/* sigmask as shown (signalfd_show_fdinfo()) */
	IPK_BPF_INFO_TIMERFD,	/* clockid, ticks, settime flags, it_value s, ns, it_interval s, ns */
};

/*
 * One shared mapping of a file of the process before it (iter/task and the
 * task_vma kfuncs), then a name (NUL-terminated) that tells its path.
 */
struct ipk_bpf_vma {
	__u16 size;
	__u8 type;		/* IPK_BPF_VMA */
	__u8 flags;		/* IPK_BPF_VMA_* */
	__u16 path_len;		/* of the name; IPK_BPF_NO_LINK: read this process's maps from /proc */
	__u16 pad;
	__u32 s_dev;
	__u32 pad2;
	__u64 start, end;
	__u64 ino;
};

enum {
	IPK_BPF_VMA_READ = 1 << 0,
	IPK_BPF_VMA_WRITE = 1 << 1,
	/*
	 * The name is a pseudo file's (memfd, SysV segment): its path is
	 * "/NAME (deleted)", as simple_dname() makes it.  Else the name is the
	 * first component of the path from the reader's root, the only part
	 * a claim of a mapping reads, and not "SYSV..." or "memfd:...".
	 */
	IPK_BPF_VMA_PSEUDO = 1 << 2,
};

#endif
