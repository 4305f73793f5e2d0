/*
 * Private to the disk store (ipam/store_disk*.c): the store object and what
 * its two halves share. store_disk.c opens, locks and writes the store;
 * store_disk_list.c reads it, through the owner index (ipam/store_index.h)
 * kept in the lock file. Nothing outside these files includes it.
 */
#ifndef SLICENET_IPAM_STORE_DISK_INTERNAL_H
#define SLICENET_IPAM_STORE_DISK_INTERNAL_H

#include <dirent.h>
#include <limits.h>
#include <stddef.h>

#include "ipam/store.h"

/* The longest record read or written: "<containerID>\r\n<ifname>" fits. */
#define STORE_DISK_RECORD_MAX 1024

struct disk_store {
	struct ipam_store store;
	char path[PATH_MAX];
	int dir_fd;
	int lock_fd; /* -1 while unlocked */
};

/* The disk store behind store: every ipam_store these files see is one. */
static inline struct disk_store *store_disk_of(struct ipam_store *store)
{
	return (struct disk_store *)store;
}

/* Fill err for a failed what ("cannot read") on dir/name (name may be NULL); -errnum. */
int store_disk_io_error(struct cni_error *err, int errnum, const char *what, const char *dir,
			const char *name);

/* A listing of the store directory, in *out; 0 or an I/O error naming it. */
int store_disk_open_dir(struct disk_store *disk, DIR **out, struct cni_error *err)
	__attribute__((warn_unused_result));

/* The store's list op (struct ipam_store_ops in ipam/store.h says what it returns). */
int store_disk_list(struct ipam_store *store, const char *container_id, const char *ifname,
		    struct ipam_reservation **out, size_t *n, struct cni_error *err)
	__attribute__((warn_unused_result));

#endif
