/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lib/procs-bpf.c, for lib/procs.c only: the records of the BPF iterators
 * (lib/bpf/records.h), read in order.  Processes come in pid order, each
 * followed by its shared file mappings; fds come in the same pid order from
 * a second stream, taken for each process as it is read.
 */
#ifndef IPCKIT_PROCS_BPF_H
#define IPCKIT_PROCS_BPF_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bpf/records.h"

struct ipk_ctx;

struct bpf_stream {
	int fd;			/* the iterator's */
	char *buf;
	size_t pos, len;
	bool eof;
};

/* IPC namespaces met in one scan (a container host has many): address of the set (nsproxy_key), inode */
#define PROCS_BPF_NS 64

struct procs_bpf_read {
	struct bpf_stream tasks, fds;
	int err;		/* a read that failed: what was read is not all */
	struct {
		uint64_t key;
		uint32_t ino;
	} ns[PROCS_BPF_NS];
	unsigned nns, ns_next;	/* entries kept; the one to replace when all are */
};

/*
 * Loads the object (once a process) and opens the iterators for one scan
 * of @ctx (the fds' with @fds): -ENOTSUP where @ctx is not to be read so (a frozen copy,
 * --no-bpf, a /proc of another pid namespace), -errno where BPF is not to
 * be had; then /proc is read.
 */
int procs_bpf_start(const struct ipk_ctx *ctx, struct procs_bpf_read *r, bool fds);
/* ns our time namespace adds to the boot time of a start time (/proc/PID/stat does) */
uint64_t procs_bpf_boot_offset(void);
void procs_bpf_end(struct procs_bpf_read *r);
/* The next process; NULL at the end (or on r->err). */
const struct ipk_bpf_task *procs_bpf_task(struct procs_bpf_read *r);
/* The next shared mapping of the process procs_bpf_task() gave last; NULL after its last. */
const struct ipk_bpf_vma *procs_bpf_vma(struct procs_bpf_read *r);
/* The next fd of process @pid; NULL after its last. */
const struct ipk_bpf_fd *procs_bpf_fd(struct procs_bpf_read *r, pid_t pid);
/* Its link as /proc/PID/fd shows it (in @buf or the record), *len bytes; NULL: read /proc. */
const char *procs_bpf_link(const struct ipk_bpf_fd *f, char buf[32], size_t *len);
/*
 * Its fdinfo lines as the kind's show_fdinfo prints them, those a kind
 * reads, into @out; 0 where the record has none.
 */
size_t procs_bpf_fdinfo(const struct ipk_bpf_fd *f, char *out, size_t size);

#endif
