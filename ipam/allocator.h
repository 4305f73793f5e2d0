/*
 * Allocation over a store: one address per range set for a (container id,
 * ifname), round robin after the set's last reserved address. Each call takes
 * the store's lock for its whole duration.
 */
#ifndef SLICENET_IPAM_ALLOCATOR_H
#define SLICENET_IPAM_ALLOCATOR_H

#include <stddef.h>

#include "ipam/ipam.h"
#include "ipam/store.h"
#include "plugin/cni/cni_error.h"
#include "plugin/cni/cni_types.h"

/* See ipam_add(): the addresses held or newly reserved, appended to result. */
int allocator_add(struct ipam_store *store, const struct ipam_conf *conf, const char *container_id,
		  const char *ifname, const struct ip_prefix *requested, size_t n_requested,
		  struct cni_result *result, struct cni_error *err)
	__attribute__((warn_unused_result));

/* Release every record of (container_id, ifname) in the store. */
int allocator_del(struct ipam_store *store, const char *container_id, const char *ifname,
		  struct cni_error *err) __attribute__((warn_unused_result));

/* Every set holds one address for the owner, and result lists exactly those of our subnets. */
int allocator_check(struct ipam_store *store, const struct ipam_conf *conf,
		    const char *container_id, const char *ifname, const struct cni_result *result,
		    struct cni_error *err) __attribute__((warn_unused_result));

/* Release every record whose owner is not in valid; drop interrupted writes. */
int allocator_gc(struct ipam_store *store, const struct cni_gc_attachment *valid, size_t n_valid,
		 struct cni_error *err) __attribute__((warn_unused_result));

/* CNI_ERR_LIMITED naming the range when some set has no free address. */
int allocator_status(struct ipam_store *store, const struct ipam_conf *conf, struct cni_error *err)
	__attribute__((warn_unused_result));

#endif
