/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* posix-shm: POSIX shared memory objects, regular files on /dev/shm. */
#include "../internal.h"

static int pshm_each(struct ipk_scan *s, int dfd, const char *file, const struct stat *st)
{
	struct ipk_object *o = scan_obj_new(s);
	int rc;

	(void)dfd;
	if (!o)
		return -ENOMEM;
	rc = obj_set_posix_name(o, file);
	if (rc) {
		ipk_object_free(o);
		return rc;
	}
	obj_set_stat(o, st);
	obj_set_unum(o, IPK_F_SIZE, (uint64_t)st->st_size);
	obj_set_num(o, IPK_F_STATUS, 0);
	return scan_add(s, o);
}

static int pshm_scan(struct ipk_scan *s)
{
	/* sem.* files are POSIX semaphores: the posix-sem kind lists them. */
	return posix_shm_dir_scan(s, "", "sem.", true, pshm_each);
}

const struct ipk_kind ipk_kind_posix_shm = {
	.name = "posix-shm",
	.alias = "pshm",
	.description = "POSIX shared memory object",
	.family = IPK_FAMILY_POSIX,
	.mount_scoped = true,
	.holder_class = HELD_FILE,
	.holder_procs = PROCS_FDS | PROCS_MAPS,
	.fields = POSIX_FIELDS | F(INODE) | F(SIZE) | F(NATTCH) | F(HOLDERS),
	.ref_arg = ref_arg_posix_name,
	.scan = pshm_scan,
};
