/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* posix-sem: POSIX named semaphores, /dev/shm/sem.NAME (glibc's struct new_sem). */
#include "../internal.h"

#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

/*
 * glibc keeps a named semaphore as a file holding one sem_t.  With 64-bit
 * atomics its first word is the value (low 32 bits) and the number of
 * waiters (high 32 bits); elsewhere the value is shifted left by one and
 * bit 0 says whether anyone waits.  A pread needs read permission only:
 * sem_getvalue would need sem_open, which wants read-write.
 */
static void psem_read(struct ipk_scan *s, int fd, const struct stat *st, struct ipk_object *o)
{
	unsigned char raw[32];
	ssize_t n = fd < 0 ? -1 : pread(fd, raw, sizeof(raw), 0);

	(void)s;
	obj_set_unum(o, IPK_F_SIZE, (uint64_t)st->st_size);
	if (fd < 0) {
		obj_set_noaccess(o, IPK_F_VALUE);
		obj_set_noaccess(o, IPK_F_WAITERS);
		return;
	}
	if (n < 8)
		return;		/* not (yet) a semaphore: glibc writes it whole */
	uint64_t word;
	memcpy(&word, raw, sizeof(word));
#if UINTPTR_MAX > 0xffffffffu
	obj_set_num(o, IPK_F_VALUE, (int64_t)(word & 0xffffffffu));
	obj_set_unum(o, IPK_F_WAITERS, word >> 32);
#else
	uint32_t value;
	memcpy(&value, raw, sizeof(value));
	obj_set_num(o, IPK_F_VALUE, value >> 1);
	obj_set_unum(o, IPK_F_WAITERS, value & 1);
#endif
}

static int psem_each(struct ipk_scan *s, int dfd, const char *file, const struct stat *unused)
{
	(void)unused;
	return posix_add_read(s, dfd, file, file + 4, psem_read);
}

static int psem_scan(struct ipk_scan *s)
{
	return posix_shm_dir_scan(s, "sem.", NULL, false, psem_each);
}

/* The file is "sem." + NAME: four bytes less for the name. */
static int psem_ref_arg(const char *arg, struct ipk_buf *canon)
{
	size_t before = canon->len;
	int rc = ref_arg_posix_name(arg, canon);

	if (!rc && canon->len - before - 1 > NAME_MAX - 4)
		return -EINVAL;
	return rc;
}

const struct ipk_kind ipk_kind_posix_sem = {
	.name = "posix-sem",
	.alias = "psem",
	.description = "POSIX named semaphore",
	.family = IPK_FAMILY_POSIX,
	.mount_scoped = true,
	.holder_class = HELD_FILE,
	.holder_procs = PROCS_FDS | PROCS_MAPS,
	.fields = POSIX_FIELDS | F(INODE) | F(SIZE) | F(VALUE) | F(NATTCH) | F(HOLDERS) | F(WAITERS),
	.ref_arg = psem_ref_arg,
	.scan = psem_scan,
};
