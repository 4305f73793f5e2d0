/*
 * The node's VF reservations: one record per VF taken, named by its PCI
 * address, under a node-wide lock, so that two ADDs (of any network sharing
 * the pool directory) never take the same VF. A record also keeps what DEL
 * needs to give the VF back as it was found.
 */
#ifndef SLICENET_PLUGIN_SRIOV_POOL_H
#define SLICENET_PLUGIN_SRIOV_POOL_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>

#include "plugin/cni/cni_env.h"
#include "plugin/cni/cni_error.h"
#include "plugin/datapath/sriov_sysfs.h"
#include "plugin/datapath/sriov_vf.h"

struct sriov_reservation {
	char pci[SRIOV_PCI_ADDR_MAX];
	char pf[IFNAMSIZ];
	unsigned int vf_index;
	bool dpdk;
	char container_id[CNI_CONTAINER_ID_MAX];
	char ifname[IFNAMSIZ];
	char network[256]; /* the pool may be shared: GC only touches its own network's */
	/* What the VF was before ADD, for DEL. */
	char orig_name[IFNAMSIZ]; /* host netdev name; "" in DPDK mode */
	unsigned char orig_mac[6];
	bool have_orig_mac;
	unsigned int orig_mtu;		  /* 0 = not changed */
	struct sriov_vf_settings orig_vf; /* PF-side values of the fields ADD set */
	int pod_ifindex; /* the VF netdev's ifindex in the pod; 0 = unknown (DPDK, older records) */
};

/* Take the pool's lock (flock on <dir>/lock), creating dir. Returns the fd or -errno. */
int sriov_pool_lock(const char *dir, struct cni_error *err) __attribute__((warn_unused_result));
/* Release it; accepts -1. */
void sriov_pool_unlock(int lock_fd);

/*
 * Create the record for r->pci (O_EXCL). -EBUSY naming the VF and its holder
 * when another attachment holds it. Call with the lock held.
 */
int sriov_pool_reserve(const char *dir, const struct sriov_reservation *r, struct cni_error *err)
	__attribute__((warn_unused_result));
/* Rewrite an existing record (write then rename). */
int sriov_pool_update(const char *dir, const struct sriov_reservation *r, struct cni_error *err)
	__attribute__((warn_unused_result));
/* -ENOENT without touching err when the VF is not reserved. */
int sriov_pool_load(const char *dir, const char *pci, struct sriov_reservation *out,
		    struct cni_error *err) __attribute__((warn_unused_result));
/* The record held by (container_id, ifname); -ENOENT without touching err if none. */
int sriov_pool_find(const char *dir, const char *container_id, const char *ifname,
		    struct sriov_reservation *out, struct cni_error *err)
	__attribute__((warn_unused_result));
/* Every record that parses; *out is malloc'd (NULL when none). */
int sriov_pool_list(const char *dir, struct sriov_reservation **out, size_t *n,
		    struct cni_error *err) __attribute__((warn_unused_result));
/* Remove the record; 0 also when there was none. */
int sriov_pool_release(const char *dir, const char *pci, struct cni_error *err)
	__attribute__((warn_unused_result));
bool sriov_pool_is_reserved(const char *dir, const char *pci);

#endif
