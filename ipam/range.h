/*
 * IPAM ranges: building one from host-local's text fields with its defaults,
 * membership, and the overlap rules between ranges and range sets.
 */
#ifndef SLICENET_IPAM_RANGE_H
#define SLICENET_IPAM_RANGE_H

#include <stdbool.h>
#include <stddef.h>

#include "ipam/ipam.h"
#include "plugin/cni/cni_error.h"
#include "plugin/util/ipaddr.h"

/* "10.0.0.2-10.0.0.254": room for two IPv6 addresses and the dash. */
#define IPAM_RANGE_STRLEN (2 * INET6_ADDRSTRLEN + 1)

/*
 * Build a range from its text fields; NULL start/end/gateway take
 * host-local's defaults: start = network + 1, end = broadcast - 1 (IPv4) or
 * the last address (IPv6), gateway = network + 1. Host bits of the subnet
 * are dropped. Code 7 names the bad value.
 */
int ipam_range_init(struct ipam_range *out, const char *subnet, const char *range_start,
		    const char *range_end, const char *gateway, struct cni_error *err)
	__attribute__((warn_unused_result));

/* True when addr lies in [range_start, range_end]. */
bool ipam_range_contains(const struct ipam_range *range, const struct ip_address *addr);

/* Index of the range of set holding addr, or -1. */
int ipam_range_set_find(const struct ipam_range_set *set, const struct ip_address *addr);

/* True when addr is the gateway of any range of set. */
bool ipam_range_set_is_gateway(const struct ipam_range_set *set, const struct ip_address *addr);

/* True when addr lies in the subnet of any range of set. */
bool ipam_range_set_in_subnet(const struct ipam_range_set *set, const struct ip_address *addr);

/* One family per set, no two ranges overlapping; code 7 names both ranges. */
int ipam_range_set_validate(const struct ipam_range_set *set, unsigned int index,
			    struct cni_error *err) __attribute__((warn_unused_result));

/* No range of one set overlaps a range of another. */
int ipam_range_sets_validate(const struct ipam_range_set *sets, unsigned int n_sets,
			     struct cni_error *err) __attribute__((warn_unused_result));

/* "start-end" of a range, or of every range of a set (or of sets) joined by ", ". */
const char *ipam_range_format(const struct ipam_range *range, char *buf, size_t size);
const char *ipam_range_set_format(const struct ipam_range_set *set, char *buf, size_t size);
const char *ipam_range_sets_format(const struct ipam_range_set *sets, unsigned int n_sets,
				   char *buf, size_t size);

/*
 * Which set each requested address belongs to: wanted[s] (n_sets entries,
 * NULL on entry) points at the request of set s. Code 7 names the address
 * when it is in no range of any set, shares a set with another request, has
 * a prefix length other than its range's subnet, or is a gateway.
 */
int ipam_range_sets_match(const struct ipam_range_set *sets, unsigned int n_sets,
			  const struct ip_prefix *requested, size_t n_requested,
			  const struct ip_prefix **wanted, struct cni_error *err)
	__attribute__((warn_unused_result));

#endif
