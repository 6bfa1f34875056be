/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel types lib/bpf/procs.bpf.c reads, and only the fields it
 * reads: CO-RE (preserve_access_index) relocates each field to where this
 * kernel's BTF (/sys/kernel/btf/vmlinux) has it when the object is
 * loaded, and a field this kernel lacks fails the load, which the loader
 * takes as "no BPF here" and reads /proc instead.  Names and types as in
 * Linux 6.18.
 */
#ifndef IPCKIT_BPF_KERNEL_H
#define IPCKIT_BPF_KERNEL_H

typedef signed char __s8;
typedef unsigned char __u8;
typedef short __s16;
typedef unsigned short __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long __s64;
typedef unsigned long long __u64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
typedef _Bool bool;
#define true 1
#define false 0

/* include/uapi/linux/bpf.h */
enum { BPF_MAP_TYPE_PERCPU_ARRAY = 6 };

#define CORE __attribute__((preserve_access_index))

/*
 * The CO-RE root types (the type a relocated access starts from) are what
 * a load costs: the kernel searches its 126k BTF types for each, unless
 * its candidate cache (kernel/bpf/btf.c: 31 slots by a hash of the name,
 * kept from one load to the next) holds it; two roots of one slot evict
 * each other at every load.  So what a root of its own would cost is read
 * through another where the kernel's layout allows, or left out: a
 * vfsmount through its struct mount, a pid as the iterator's tid, an idmap
 * and a set of namespaces by their address, a signalfd's mask by its
 * place, our root as our fd of "/" has it, a pipe's queue only where it
 * is empty (the buffers' lengths, struct pipe_buffer, share inode's slot).
 * The roots left, with their slots (jhash() of the name % 31), one each:
 * pipe_inode_info 0, fdtable 2, super_block 5, mount 6,
 * bpf_iter_seq_task_info 7, inode 8, bpf_iter_seq_task_file_info 9,
 * dentry_operations 10, file 11, dentry 15, files_struct 19, eventfd_ctx
 * 22, seq_file 23, task_struct 24, timerfd_ctx 25, vm_area_struct 26 (no
 * search a load once they are cached; a new root: check its slot).
 */
struct file;

struct seq_file {
	void *private;
	struct file *file;
} CORE;

/*
 * Layouts that do not move, kept out of CO-RE: the iterators' contexts
 * (the verifier checks them against their BTF).
 */
struct bpf_iter_meta {
	struct seq_file *seq;
	__u64 session_id;
	__u64 seq_num;
};

/* kernel/bpf/task_iter.c: the tid being shown, in the iterator's pid namespace */
struct bpf_iter_seq_task_info {
	__u32 tid;
} CORE;

struct bpf_iter_seq_task_file_info {
	__u32 tid;
} CORE;

struct ipc_namespace;

struct nsproxy {
	struct ipc_namespace *ipc_ns;
} CORE;

struct thread_info {
	__u32 status;
} CORE;

struct task_struct {
	struct thread_info thread_info;
	unsigned int __state;
	unsigned int flags;
	int exit_state;
	int pid;
	int tgid;
	__u64 start_boottime;
	char comm[16];
	struct nsproxy *nsproxy;
	void *mm;
	struct files_struct *files;
} CORE;

/* arch/x86/include/uapi/asm/ptrace.h: user ABI, no CO-RE */
struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax;
	unsigned long ip, cs, flags, sp, ss;
};

struct super_block {
	__u32 s_dev;
	unsigned long s_magic;
} CORE;

struct inode {
	unsigned short i_mode;
	struct { __u32 val; } i_uid;
	struct { __u32 val; } i_gid;
	struct super_block *i_sb;
	unsigned long i_ino;
	long long i_size;
	long long i_atime_sec;
	long long i_ctime_sec;
} CORE;

struct qstr {
	__u32 len;
	const unsigned char *name;
} CORE;

struct dentry_operations {
	void *d_dname;
} CORE;

struct dentry {
	struct dentry *d_parent;
	struct qstr d_name;
	const struct dentry_operations *d_op;
} CORE;

/* read through the struct mount it is the mnt of (real_mount()): not a CO-RE root */
struct vfsmount {
	struct dentry *mnt_root;
	void *mnt_idmap;
} CORE;

struct mount {
	struct mount *mnt_parent;
	struct dentry *mnt_mountpoint;
	struct vfsmount mnt;
} CORE;

struct path {
	struct vfsmount *mnt;
	struct dentry *dentry;
} CORE;

struct fdtable {
	unsigned int max_fds;
	struct file **fd;
} CORE;

struct files_struct {
	struct fdtable *fdt;
} CORE;

struct file {
	unsigned int f_mode;
	void *private_data;
	struct inode *f_inode;
	struct path f_path;
} CORE;

struct vm_area_struct {
	unsigned long vm_start;
	unsigned long vm_end;
	unsigned long vm_flags;
	struct file *vm_file;
	void *anon_name;
} CORE;

struct bpf_iter__task {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
};

struct bpf_iter__task_file {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
	__u32 fd;
	struct file *file;
};

/* kernel/bpf/task_iter.c: the open-coded walk of a task's areas (Linux 6.7) */
struct bpf_iter_task_vma {
	__u64 __opaque[1];
} __attribute__((aligned(8)));

/* fs/eventfd.c */
struct eventfd_ctx {
	__u64 count;
	unsigned int flags;
	int id;
} CORE;

/*
 * fs/signalfd.c: its only member since Linux 2.6.22, kept out of CO-RE:
 * a root of its own shares eventfd_ctx's slot of the candidate cache
 */
struct signalfd_ctx {
	struct { unsigned long sig[1]; } sigmask;
};

/* fs/timerfd.c: the hrtimer's expiry, for the clocks BPF can read */
struct timerqueue_node {
	__s64 expires;
} CORE;

struct hrtimer {
	struct timerqueue_node node;
} CORE;

struct timerfd_ctx {
	union {
		struct hrtimer tmr;
	} t;
	__s64 tintv;
	__u64 ticks;
	int clockid;
	unsigned short settime_flags;
} CORE;

/* include/linux/pipe_fs_i.h */
struct pipe_inode_info {
	unsigned int head;
	unsigned int tail;
	unsigned int max_usage;
} CORE;

#endif
