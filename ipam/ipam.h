/*
 * slicenet's IPAM: host-local compatible configuration, allocation keyed by
 * (container id, ifname), an on-disk store safe under concurrency and crashes.
 * Used in-process by the slicenet plugin and by the slicenet-ipam binary.
 */
#ifndef SLICENET_IPAM_IPAM_H
#define SLICENET_IPAM_IPAM_H

#include <limits.h>
#include <stdbool.h>

#include "plugin/cni/cni_error.h"
#include "plugin/cni/cni_gc.h"
#include "plugin/cni/cni_types.h"

#define IPAM_MAX_RANGE_SETS   4 /* one per address family/pool ("ranges": [[..],[..]]) */
#define IPAM_MAX_RANGES	      8 /* ranges within one set */
#define IPAM_DEFAULT_DATA_DIR "/var/lib/cni/networks"

struct ipam_range {
	struct ip_prefix subnet;
	struct ip_address range_start; /* first allocatable */
	struct ip_address range_end;   /* last allocatable */
	struct ip_address gateway;     /* family 0 = none */
};

struct ipam_range_set {
	struct ipam_range ranges[IPAM_MAX_RANGES];
	unsigned int n_ranges;
};

struct ipam_conf {
	char network_name[256];
	struct ipam_range_set sets[IPAM_MAX_RANGE_SETS];
	unsigned int n_sets;
	struct cni_route routes[CNI_MAX_ROUTES];
	unsigned int n_routes;
	char data_dir[PATH_MAX]; /* store root; the network's dir is below */
};

/* At most one requested address per range set. */
#define IPAM_MAX_REQUESTED IPAM_MAX_RANGE_SETS

/*
 * Static addresses a runtime asks for (CNI_ARGS "IP=", runtimeConfig.ips,
 * args.cni.ips; see ipam_requested_parse in ipam/ipam_conf.h). len is 0
 * when the address came without a prefix ("10.1.2.3"); otherwise it must
 * equal the prefix length of the range's subnet ("10.1.2.3/24").
 */
struct ipam_requested {
	struct ip_prefix ips[IPAM_MAX_REQUESTED];
	size_t n;
};

/*
 * Allocate one address per range set for (container_id, ifname), or return
 * the ones it already holds. Appends to result->ips (interface -1) and
 * result->routes.
 *
 * requested[0..n_requested) are static addresses (as host-local takes them):
 * each must lie in [rangeStart, rangeEnd] of some range of some set, at most
 * one per set, and not be a gateway (else CNI_ERR_INVALID_CONFIG naming it).
 * A set with a requested address gets exactly that one; one held by another
 * (container id, ifname) is CNI_ERR_TRY_AGAIN naming it (it is freed when its
 * holder's DEL runs, typically a previous incarnation of the same pod); a
 * re-ADD of the same owner gets it again; an owner that holds another
 * address in that set is CNI_ERR_IPAM naming both. Sets without a requested
 * address allocate round robin. Any error leaves nothing newly reserved.
 * Exhaustion: CNI_ERR_IPAM_EXHAUSTED naming the range.
 */
int ipam_add(const struct ipam_conf *conf, const char *container_id, const char *ifname,
	     const struct ip_prefix *requested, size_t n_requested, struct cni_result *result,
	     struct cni_error *err) __attribute__((warn_unused_result));

/* Release everything held by (container_id, ifname); 0 when nothing held. */
int ipam_del(const struct ipam_conf *conf, const char *container_id, const char *ifname,
	     struct cni_error *err) __attribute__((warn_unused_result));

/* 0 when (container_id, ifname) holds exactly the addresses in result->ips. */
int ipam_check(const struct ipam_conf *conf, const char *container_id, const char *ifname,
	       const struct cni_result *result, struct cni_error *err)
	__attribute__((warn_unused_result));

/* Release every reservation not owned by one of valid[0..n_valid). */
int ipam_gc(const struct ipam_conf *conf, const struct cni_gc_attachment *valid, size_t n_valid,
	    struct cni_error *err) __attribute__((warn_unused_result));

/*
 * 0 when an ADD can be served; CNI_ERR_NOT_AVAILABLE when the store is
 * unusable, CNI_ERR_LIMITED when some range set has no free address.
 */
int ipam_status(const struct ipam_conf *conf, struct cni_error *err)
	__attribute__((warn_unused_result));

#endif
