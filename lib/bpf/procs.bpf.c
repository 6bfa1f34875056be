/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The process scan of lib/procs.c, read in the kernel: three BPF
 * iterators that write, for every process of the reader's pid namespace,
 * what /proc/PID/stat, /proc/PID/syscall, each /proc/PID/fd link and the
 * shared file mappings of /proc/PID/maps would tell, as the binary records
 * of records.h, read by lib/procs-bpf.c in large reads.
 *
 * Each fact is read the way the /proc file computes it (the function named
 * beside it); where one cannot be read so here, the record says so and the
 * loader reads that one from /proc.
 */
#include "kernel.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "records.h"

char LICENSE[] SEC("license") = "GPL";

#define PF_KTHREAD 0x00200000
#define PF_WQ_WORKER 0x00000020
#define TS_COMPAT 0x0002
#define FMODE_READ 0x1
#define FMODE_WRITE 0x2
/* a file embedded in a backing_file: bit 25 until Linux 6.13, bit 24 since (either: /proc) */
#define FMODE_BACKING_6_12 0x2000000
#define FMODE_BACKING_6_13 0x1000000
#define VM_READ 0x1
#define VM_WRITE 0x2
#define VM_MAYSHARE 0x80
#define EFD_SEMAPHORE 1
#define CLOCK_MONOTONIC 1
#define CLOCK_BOOTTIME 7
#define S_IFMT 0170000
#define S_IFIFO 0010000
#define S_IFREG 0100000

/* filesystems whose getattr is generic_fillattr(): fstat shows the inode's own fields */
#define TMPFS_MAGIC 0x01021994
#define RAMFS_MAGIC 0x858458f6
#define PIPEFS_MAGIC 0x50495045
#define SOCKFS_MAGIC 0x534F434B
#define ANON_INODE_FS_MAGIC 0x09041934
#define MQUEUE_MAGIC 0x19800202
#define HUGETLBFS_MAGIC 0x958458f6

#define BUF_SIZE 8192

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[BUF_SIZE]);
} scratch SEC(".maps");

/*
 * The pid of the task the iterator shows, in the reader's pid namespace:
 * the tid the task and task_file iterators keep in their seq private data
 * (pid_nr_ns() in the namespace of the process that created the iterator,
 * as its /proc counts), which spares a CO-RE root of its own (struct pid)
 * for what the kernel has already worked out.
 */
static __always_inline int iter_tid(struct bpf_iter_meta *meta, bool files)
{
	struct seq_file *seq;
	void *priv;

	/* probe reads, not loads through BTF pointers: each of those costs the verifier searches */
	bpf_probe_read_kernel(&seq, sizeof(seq), &meta->seq);
	priv = BPF_CORE_READ(seq, private);

	if (files)
		return (int)BPF_CORE_READ((struct bpf_iter_seq_task_file_info *)priv, tid);
	return (int)BPF_CORE_READ((struct bpf_iter_seq_task_info *)priv, tid);
}

/* Only thread-group leaders: /proc lists processes, not threads. */
static __always_inline bool leader(struct task_struct *task)
{
	return task->pid == task->tgid;
}

extern int bpf_iter_task_vma_new(struct bpf_iter_task_vma *it, struct task_struct *task,
				 __u64 addr) __ksym;
extern struct vm_area_struct *bpf_iter_task_vma_next(struct bpf_iter_task_vma *it) __ksym;
extern void bpf_iter_task_vma_destroy(struct bpf_iter_task_vma *it) __ksym;

/* 1 + the reader's fd of "/" (O_PATH), set by the loader; 0: none */
int root_fd_1;

/* The walk of first_component(), one step a call of bpf_loop(). */
struct walk {
	struct dentry *dentry, *root, *first;
	struct vfsmount *vfsmnt, *root_mnt;
	unsigned long off;	/* of struct mount's mnt */
	bool done;
};

static long walk_step(__u64 i, void *arg)
{
	struct walk *w = arg;
	struct dentry *dentry = w->dentry;
	struct vfsmount *vfsmnt = w->vfsmnt;

	(void)i;
	if (dentry == w->root && vfsmnt == w->root_mnt)
		goto done;
	struct dentry *parent = BPF_CORE_READ(dentry, d_parent);
	struct mount *mnt = (struct mount *)((char *)vfsmnt - w->off);
	if (dentry == BPF_CORE_READ(mnt, mnt.mnt_root)) {
		struct mount *up = BPF_CORE_READ(mnt, mnt_parent);
		if (up == mnt)
			goto done;	/* the global root: d_path stops there too */
		w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->vfsmnt = (struct vfsmount *)((char *)up + w->off);
		return 0;
	}
	if (dentry == parent)
		goto done;	/* escaped: no further up */
	w->first = dentry;
	w->dentry = parent;
	return 0;
done:
	w->done = true;
	return 1;
}

/*
 * What d_path() (prepend_path()) would put first in the path of
 * @dentry on @vfsmnt, seen from the reader's root: the dentry just below
 * that root, or NULL for the root itself; false when the walk is longer
 * than we follow.
 */
static __always_inline bool first_component(struct dentry *dentry, struct vfsmount *vfsmnt,
					    struct dentry **first)
{
	struct task_struct *me = bpf_get_current_task_btf();
	/*
	 * The reader's root, as its fd of "/" has it (path_init() starts
	 * there): fs_struct as a CO-RE root shares pipe_inode_info's slot of
	 * the kernel's candidate cache, files_struct and fdtable have their own
	 */
	struct fdtable *fdt = BPF_CORE_READ(me, files, fdt);
	unsigned int fd = (unsigned int)root_fd_1 - 1;
	if (!root_fd_1 || fd >= BPF_CORE_READ(fdt, max_fds))
		return false;
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *root = NULL;
	bpf_probe_read_kernel(&root, sizeof(root), fds + fd);
	if (!root)
		return false;
	struct walk w = {
		.dentry = dentry, .vfsmnt = vfsmnt,
		.root = BPF_CORE_READ(root, f_path.dentry),
		.root_mnt = BPF_CORE_READ(root, f_path.mnt),
		.off = bpf_core_field_offset(struct mount, mnt),
	};

	bpf_loop(256, walk_step, &w, 0);
	*first = w.first;
	return w.done;
}

/*
 * The record of a shared mapping of @file_at, as PROCMAP_QUERY gives it
 * for COVERING_OR_NEXT | FILE_BACKED | SHARED (do_procmap_query()), into
 * the scratch buffer: its size; -1 when its path cannot be told here, and
 * /proc must be read.  A global function, of scalars: the verifier checks
 * it once, not again at every turn of the caller's loop.
 */
__noinline int vma_record(unsigned long file_at, unsigned long start, unsigned long end,
			  unsigned long flags)
{
	struct file *file = (struct file *)file_at;
	__u32 zero = 0;

	char *buf = bpf_map_lookup_elem(&scratch, &zero);
	if (!buf)
		return -1;
	struct ipk_bpf_vma *r = (struct ipk_bpf_vma *)buf;
	__builtin_memset(r, 0, sizeof(*r));
	r->type = IPK_BPF_VMA;
	r->flags = (flags & VM_READ ? IPK_BPF_VMA_READ : 0) | (flags & VM_WRITE ? IPK_BPF_VMA_WRITE : 0);
	r->start = start;
	r->end = end;
	/* a backing file (overlayfs) shows its user path and inode, which we do not read */
	if (BPF_CORE_READ(file, f_mode) & (FMODE_BACKING_6_12 | FMODE_BACKING_6_13))
		return -1;
	/* show_map_vma(): the device and inode of the file's inode */
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	unsigned long magic = BPF_CORE_READ(inode, i_sb, s_magic);
	r->s_dev = BPF_CORE_READ(inode, i_sb, s_dev);
	r->ino = BPF_CORE_READ(inode, i_ino);
	struct dentry *dentry = BPF_CORE_READ(file, f_path.dentry);
	struct vfsmount *vfsmnt = BPF_CORE_READ(file, f_path.mnt);
	struct dentry *named = dentry;
	struct mount *mnt = (struct mount *)((char *)vfsmnt - bpf_core_field_offset(struct mount, mnt));
	bool pseudo = BPF_CORE_READ(dentry, d_parent) == dentry &&
		      dentry != BPF_CORE_READ(mnt, mnt.mnt_root);
	if (BPF_CORE_READ(dentry, d_op, d_dname)) {
		/* d_alloc_pseudo()'s simple_dname(), on the shmem and hugetlbfs internal mounts */
		if (!pseudo || (magic != TMPFS_MAGIC && magic != HUGETLBFS_MAGIC))
			return -1;
		r->flags |= IPK_BPF_VMA_PSEUDO;
	} else if (!first_component(dentry, vfsmnt, &named)) {
		return -1;
	}
	long len = 1;
	buf[sizeof(*r)] = '\0';
	if (named)
		len = bpf_probe_read_kernel_str(buf + sizeof(*r), 256,
						BPF_CORE_READ(named, d_name.name));
	if (len <= 0)
		return -1;
	char *name = buf + sizeof(*r);
	/* the claims of mappings read these first components: the whole path they want */
	if (!(r->flags & IPK_BPF_VMA_PSEUDO) &&
	    ((name[0] == 'S' && name[1] == 'Y' && name[2] == 'S' && name[3] == 'V') ||
	     (name[0] == 'm' && name[1] == 'e' && name[2] == 'm' && name[3] == 'f' &&
	      name[4] == 'd' && name[5] == ':')))
		return -1;
	r->path_len = (__u16)(len - 1);
	__u32 size = (sizeof(*r) + (__u32)len + 7) & ~7u;
	if (size > BUF_SIZE)
		return -1;
	r->size = (__u16)size;
	return (int)size;
}

SEC("iter/task")
int ipk_tasks(struct bpf_iter__task *ctx)
{
	__u32 zero = 0;
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct ipk_bpf_task r = {};

	if (!task || !leader(task))
		return 0;
	r.pid = iter_tid(ctx->meta, false);
	if (r.pid <= 0)
		return 0;
	r.size = sizeof(r);
	r.type = IPK_BPF_TASK;
	unsigned int flags = task->flags;
	r.flags = (flags & PF_KTHREAD ? IPK_BPF_TASK_KTHREAD : 0) |
		  (flags & PF_WQ_WORKER ? IPK_BPF_TASK_WQ : 0);
	r.state = task->__state;
	r.exit_state = (__u32)task->exit_state;
	r.start_boottime = task->start_boottime;
	/* its namespaces by address: the IPC one's inode is looked up once a set (procs-bpf.c) */
	r.nsproxy_key = (__u64)task->nsproxy;
	bpf_probe_read_kernel(r.comm, sizeof(r.comm), task->comm);
	/* collect_syscall(): the registers saved at entry of a task that sleeps */
	if (!r.exit_state && (r.state & 3)) {
		struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);
		r.flags |= IPK_BPF_TASK_REGS;
		if (task->thread_info.status & TS_COMPAT)
			r.flags |= IPK_BPF_TASK_COMPAT;
		struct pt_regs saved;
		bpf_probe_read_kernel(&saved, sizeof(saved), regs);
		r.nr = (__s64)saved.orig_ax;
		r.args[0] = saved.di;
		r.args[1] = saved.si;
		r.args[2] = saved.dx;
		r.args[3] = saved.r10;
		r.args[4] = saved.r8;
		r.args[5] = saved.r9;
	}
	/* the areas, under mmap_read_trylock(): where it is taken, /proc waits for it */
	struct bpf_iter_task_vma it;
	bool walk = bpf_iter_task_vma_new(&it, task, 0) == 0;
	if (BPF_CORE_READ(task, mm) && !walk)
		r.flags |= IPK_BPF_TASK_NO_MAPS;
	/* the process first, its areas after it; one it cannot tell: read /proc for them all */
	bpf_seq_write(seq, &r, sizeof(r));
	if (walk) {
		struct vm_area_struct *vma;
		while ((vma = bpf_iter_task_vma_next(&it))) {
			unsigned long flags = vma->vm_flags;
			if (!(flags & VM_MAYSHARE))
				continue;
			unsigned long file = (unsigned long)BPF_CORE_READ(vma, vm_file);
			if (!file)
				continue;
			/* get_vma_name(): a shared area named by prctl shows that name, no path */
			if (bpf_core_field_exists(vma->anon_name) && BPF_CORE_READ(vma, anon_name))
				continue;
			int size = vma_record(file, vma->vm_start, vma->vm_end, flags);
			char *buf = bpf_map_lookup_elem(&scratch, &zero);
			if (size > 0 && size < BUF_SIZE && buf) {
				/* the mask, which changes nothing, tells the verifier the bound */
				__u32 n = (__u32)size;
				barrier_var(n);
				bpf_seq_write(seq, buf, n & (BUF_SIZE - 1));
			} else if (size) {
				struct ipk_bpf_vma again = { .size = sizeof(again), .type = IPK_BPF_VMA,
							     .path_len = IPK_BPF_NO_LINK };
				bpf_seq_write(seq, &again, sizeof(again));
				break;
			}
		}
	}
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

/* The anon inode's name, "[eventfd]": which fdinfo lines to write. */
enum anon { ANON_NONE, ANON_EVENTFD, ANON_SIGNALFD, ANON_TIMERFD };

static __always_inline enum anon anon_kind(const char *name)
{
	if (name[0] != '[')
		return ANON_NONE;
	if (name[1] == 'e' && name[2] == 'v' && name[3] == 'e' && name[4] == 'n' &&
	    name[5] == 't' && name[6] == 'f' && name[7] == 'd' && name[8] == ']' && !name[9])
		return ANON_EVENTFD;
	if (name[1] == 's' && name[2] == 'i' && name[3] == 'g' && name[4] == 'n' &&
	    name[5] == 'a' && name[6] == 'l' && name[7] == 'f' && name[8] == 'd' &&
	    name[9] == ']' && !name[10])
		return ANON_SIGNALFD;
	if (name[1] == 't' && name[2] == 'i' && name[3] == 'm' && name[4] == 'e' &&
	    name[5] == 'r' && name[6] == 'f' && name[7] == 'd' && name[8] == ']' && !name[9])
		return ANON_TIMERFD;
	return ANON_NONE;
}

/* The values of the kind's fdinfo lines, as its show_fdinfo reads them, into @v; how many. */
static __always_inline int fdinfo_values(struct file *file, enum anon kind, __u64 *v)
{
	void *priv = file->private_data;

	if (kind == ANON_EVENTFD) {
		/* eventfd_show_fdinfo() */
		struct eventfd_ctx *e = priv;
		v[0] = BPF_CORE_READ(e, count);
		v[1] = (__u64)(__s64)BPF_CORE_READ(e, id);
		v[2] = !!(BPF_CORE_READ(e, flags) & EFD_SEMAPHORE);
		return 3;
	}
	if (kind == ANON_SIGNALFD) {
		/* signalfd_show_fdinfo(): the complement of what the context keeps */
		struct signalfd_ctx *s = priv;
		__u64 mask = 0;
		bpf_probe_read_kernel(&mask, sizeof(mask), &s->sigmask.sig[0]);
		v[0] = ~mask;
		return 1;
	}
	if (kind == ANON_TIMERFD) {
		/* timerfd_show(), for the clocks whose now BPF reads as the hrtimer's base does */
		struct timerfd_ctx *t = priv;
		int clockid = BPF_CORE_READ(t, clockid);
		__s64 now, left, intv;
		if (clockid == CLOCK_MONOTONIC)
			now = (__s64)bpf_ktime_get_ns();
		else if (clockid == CLOCK_BOOTTIME)
			now = (__s64)bpf_ktime_get_boot_ns();
		else
			return 0;
		left = BPF_CORE_READ(t, t.tmr.node.expires) - now;
		if (left < 0)
			left = 0;
		intv = BPF_CORE_READ(t, tintv);
		v[0] = (__u64)clockid;
		v[1] = BPF_CORE_READ(t, ticks);
		v[2] = BPF_CORE_READ(t, settime_flags);
		v[3] = (__u64)left / 1000000000;
		v[4] = (__u64)left % 1000000000;
		v[5] = (__u64)intv / 1000000000;
		v[6] = (__u64)intv % 1000000000;
		return 7;
	}
	return 0;
}

/*
 * pipe_ioctl(FIONREAD) of a pipe with nothing queued, and
 * pipe_fcntl(F_GETPIPE_SZ); false for one with data, whose bytes the
 * loader asks its dup for.  The sum of the ring's buffers would make
 * struct pipe_buffer a CO-RE root, of inode's slot (kernel.h): two searches
 * of vmlinux's BTF at every load (0.9 ms) to spare a few ioctls where
 * data waits in a pipe.
 */
static __always_inline bool pipe_queue(struct file *file, struct ipk_bpf_fd *r)
{
	struct pipe_inode_info *pipe = BPF_CORE_READ(file, private_data);

	if (!pipe || BPF_CORE_READ(pipe, head) != BPF_CORE_READ(pipe, tail))
		return false;
	r->queued = 0;
	/* in pages */
	r->capacity = (__s64)BPF_CORE_READ(pipe, max_usage);
	return true;
}

/* The record of @buf, @size bytes with what follows it, 8-aligned. */
static __always_inline int write_fd(struct seq_file *seq, char *buf, __u32 size)
{
	struct ipk_bpf_fd *r = (struct ipk_bpf_fd *)buf;

	size = (size + 7) & ~7u;
	if (size >= BUF_SIZE)
		return 0;
	r->size = (__u16)size;
	/* the mask, which changes nothing, tells the verifier the bound */
	bpf_seq_write(seq, buf, size & (BUF_SIZE - 1));
	return 0;
}

/* ipk_fds()'s pid of the last task it was shown, in one read session */
static struct task_struct *last_task;
static __u64 last_session;
static int last_pid;
/* nop_mnt_idmap, as a mount that is not idmapped has it */
static void *nop_idmap;

/*
 * A vfsmount's idmap, read through the struct mount it is the mnt of
 * (real_mount()): one CO-RE root (struct mount) for both, where a root of
 * its own would share a slot of the kernel's candidate cache with another
 * and be searched for again at every load.
 */
static __always_inline void *mnt_idmap(struct vfsmount *vfsmnt)
{
	struct mount *mnt = (struct mount *)((char *)vfsmnt - bpf_core_field_offset(struct mount, mnt));

	return mnt->mnt.mnt_idmap;
}

SEC("iter/task_file")
int ipk_fds(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	/* once: each load of a pointer through a trusted one has the verifier search names */
	struct seq_file *seq = ctx->meta->seq;
	__u32 zero = 0;

	if (!task || !file || !leader(task))
		return 0;
	char *buf = bpf_map_lookup_elem(&scratch, &zero);
	if (!buf)
		return 0;
	struct ipk_bpf_fd *r = (struct ipk_bpf_fd *)buf;
	__builtin_memset(r, 0, sizeof(*r));
	r->type = IPK_BPF_FD;
	/* the fds of one process come one after the other: its pid is worked out once */
	__u64 session = ctx->meta->session_id;
	if (last_session != session) {
		/* the iterator's own file, an anon inode on an internal mount: never idmapped */
		struct mount *mnt = (struct mount *)((char *)BPF_CORE_READ(seq, file, f_path.mnt) -
						     bpf_core_field_offset(struct mount, mnt));
		nop_idmap = BPF_CORE_READ(mnt, mnt.mnt_idmap);
		last_task = NULL;
		last_session = session;
	}
	if (last_task != task) {
		last_pid = iter_tid(ctx->meta, true);
		last_task = task;
	}
	r->pid = last_pid;
	r->fd = (__s32)ctx->fd;
	r->f_mode = file->f_mode & (FMODE_READ | FMODE_WRITE);
	/* loads through BTF pointers, not a helper call each */
	struct inode *inode = file->f_inode;
	struct super_block *sb = inode->i_sb;
	r->i_mode = inode->i_mode;
	r->s_dev = sb->s_dev;
	r->ino = inode->i_ino;
	r->uid = inode->i_uid.val;
	r->gid = inode->i_gid.val;
	r->i_size = inode->i_size;
	r->atime = inode->i_atime_sec;
	r->ctime = inode->i_ctime_sec;
	unsigned long magic = sb->s_magic;
	/* an idmapped mount shows other owners to fstat (is_idmapped_mnt()) */
	bool identity = nop_idmap && mnt_idmap(file->f_path.mnt) == nop_idmap;
	if (identity && (magic == TMPFS_MAGIC || magic == RAMFS_MAGIC || magic == PIPEFS_MAGIC ||
			 magic == SOCKFS_MAGIC || magic == ANON_INODE_FS_MAGIC || magic == MQUEUE_MAGIC))
		r->flags |= IPK_BPF_FD_STAT;
	if ((r->i_mode & S_IFMT) == S_IFIFO && pipe_queue(file, r))
		r->flags |= IPK_BPF_FD_QUEUE;

	/*
	 * proc_fd_link() and do_proc_readlink(): d_path() of the file, from the
	 * reader's root; for a pipe, a socket and an anon inode, what their
	 * d_dname() makes of it, without the call
	 */
	__u32 size = sizeof(*r);
	long len;
	if (magic == PIPEFS_MAGIC || magic == SOCKFS_MAGIC) {
		r->flags |= magic == PIPEFS_MAGIC ? IPK_BPF_FD_PIPE : IPK_BPF_FD_SOCKET;
		return write_fd(seq, buf, size);
	}
	if (magic == ANON_INODE_FS_MAGIC) {
		/* anon_inodefs_dname(): "anon_inode:" and the dentry's name, "[eventfd]" */
		char *link = buf + sizeof(*r);
		__builtin_memcpy(link, "anon_inode:", 11);
		len = bpf_probe_read_kernel_str(link + 11, 256, file->f_path.dentry->d_name.name);
		if (len <= 0)
			return 0;
		r->link_len = (__u16)(len - 1 + 11);
		size += (__u32)len + 11;
		size = (size + 7) & ~7u;
		__u64 v[7] = {};
		int n = fdinfo_values(file, anon_kind(link + 11), v);
		if (n > 0 && size <= BUF_SIZE - sizeof(v)) {
			r->info = n == 3 ? IPK_BPF_INFO_EVENTFD : n == 1 ? IPK_BPF_INFO_SIGNALFD
								: IPK_BPF_INFO_TIMERFD;
			r->info_len = (__u16)(n * sizeof(__u64));
			/* size is 8-aligned: word stores, not a byte at a time */
			__u64 *at = (__u64 *)(buf + (size & (BUF_SIZE - 8)));
			for (int i = 0; i < 7; i++)
				at[i] = v[i];
			size += r->info_len;
		}
		return write_fd(seq, buf, size);
	}
	len = bpf_d_path(&file->f_path, buf + sizeof(*r), IPK_BPF_PATH_MAX);
	if (len > 0 && len <= IPK_BPF_PATH_MAX) {
		r->link_len = (__u16)(len - 1);
		size += (__u32)len;
	} else {
		r->link_len = IPK_BPF_NO_LINK;
	}
	return write_fd(seq, buf, size);
}
