#include "plugin/datapath/pod_check.h"

#include <errno.h>
#include <stdlib.h>

#define POD_CHECK_MAX_ADDRS 64

int pod_check_addresses(struct netlink *pod_nl, int ifindex, const char *where,
			const struct cni_result *expected, int index, struct cni_error *err)
{
	struct netlink_addr *addrs;
	char text[IP_PREFIX_STRLEN];
	size_t n = 0;
	int ret;

	addrs = calloc(POD_CHECK_MAX_ADDRS, sizeof(*addrs));
	if (!addrs)
		return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "check: out of memory");
	ret = netlink_addr_list(pod_nl, ifindex, AF_UNSPEC, addrs, POD_CHECK_MAX_ADDRS, &n,
				&err->base);
	for (unsigned int i = 0; ret == 0 && i < expected->n_ips; i++) {
		const struct cni_ip *ip = &expected->ips[i];
		bool found = false;

		if (ip->interface != index)
			continue;
		for (size_t j = 0; j < n && !found; j++)
			found = addrs[j].prefix.len == ip->address.len &&
				ip_address_equal(&addrs[j].prefix.addr, &ip->address.addr);
		if (!found)
			ret = cni_error_set(err, CNI_ERR_CHECK_FAILED, ENOENT,
					    "check: address %s is missing on %s",
					    ip_prefix_format(&ip->address, text, sizeof(text)),
					    where);
	}
	free(addrs);
	return ret;
}

void pod_route_from_cni(const struct cni_route *cr, const struct ip_address *gw,
			struct netlink_route *out)
{
	netlink_route_init(out);
	ip_prefix_network(&cr->dst, &out->dst.addr);
	out->dst.len = cr->dst.len;
	if (gw)
		out->gw = *gw;
	out->mtu = cr->mtu;
	out->advmss = cr->advmss;
	out->priority = cr->priority;
	out->table = cr->table;
	if (cr->scope >= 0)
		out->scope = cr->scope;
}
