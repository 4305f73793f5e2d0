/*
 * Where reservations live. The allocator sees only this interface, so a test
 * can hand it an in-memory store; the disk store is host-local's format.
 */
#ifndef SLICENET_IPAM_STORE_H
#define SLICENET_IPAM_STORE_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "plugin/cni/cni_error.h"
#include "plugin/util/ipaddr.h"

#define IPAM_STORE_ID_MAX 256

struct ipam_reservation {
	struct ip_address ip;
	char key[INET6_ADDRSTRLEN]; /* how the store names it (a file name) */
	/*
	 * "" when corrupt. Points into the listing's own allocation (after the
	 * array), so freeing the list frees it: at 500 reservations an inline
	 * 256-byte ID made the list 190 KB of fresh pages, faulted in by every
	 * ADD (~0.1 ms on this VM).
	 */
	const char *container_id;
	char ifname[IFNAMSIZ]; /* "" in host-local's old id-only records */
	bool corrupt;	       /* unparsable: its address is neither free nor anyone's */
};

struct ipam_store;

/*
 * Every call but lock/close expects the lock held. Functions return 0 or
 * -errno and name the bad value in err.
 */
struct ipam_store_ops {
	int (*lock)(struct ipam_store *store, struct cni_error *err);
	void (*unlock)(struct ipam_store *store);
	/*
	 * Every reservation, in no particular order; *out is malloc'd (NULL when
	 * none). A record that cannot be parsed, or is no regular file (symlink,
	 * FIFO, directory) or too large, is listed with corrupt set and no
	 * owner, so its address is never handed out again; it is never followed.
	 * container_id/ifname name the caller's attachment: a store may answer
	 * from a cache, but reads the records it has cached as that owner's (or
	 * as corrupt) afresh, so what the caller acts on is what is stored; the
	 * cache can only be stale about other owners. NULL: read everything.
	 */
	int (*list)(struct ipam_store *store, const char *container_id, const char *ifname,
		    struct ipam_reservation **out, size_t *n, struct cni_error *err);
	/* Reserve ip atomically; -EEXIST (err untouched) when already taken. */
	int (*reserve)(struct ipam_store *store, const struct ip_address *ip,
		       const char *container_id, const char *ifname, struct cni_error *err);
	/* Release a listed reservation; 0 when it is already gone. */
	int (*release)(struct ipam_store *store, const struct ipam_reservation *reservation,
		       struct cni_error *err);
	/* The round-robin hint of range set index; -ENOENT when there is none. */
	int (*last_reserved_get)(struct ipam_store *store, unsigned int index,
				 struct ip_address *out);
	int (*last_reserved_set)(struct ipam_store *store, unsigned int index,
				 const struct ip_address *ip, struct cni_error *err);
	/* Remove what interrupted writes left behind. */
	int (*sweep)(struct ipam_store *store, struct cni_error *err);
	/* Prove the store can be written now (STATUS). */
	int (*probe)(struct ipam_store *store, struct cni_error *err);
	void (*close)(struct ipam_store *store);
};

struct ipam_store {
	const struct ipam_store_ops *ops;
};

/*
 * Open (creating as needed) host-local's store <data_dir>/<network>/: one
 * file per address named by it, holding "<containerID>\r\n<ifname>",
 * last_reserved_ip.<set index>, and a "lock" file taken with flock(). The
 * network directory itself is not followed when it is a symlink.
 */
int ipam_store_disk_open(const char *data_dir, const char *network, struct ipam_store **out,
			 struct cni_error *err) __attribute__((warn_unused_result));

/* Close any store; NULL is fine. */
void ipam_store_close(struct ipam_store *store);

#endif
