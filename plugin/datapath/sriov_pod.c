#include "plugin/datapath/sriov_pod.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/datapath/pod_check.h"
#include "plugin/kernel/netns.h"

static const struct ip_address *pod_gateway(const struct cni_result *result, int family)
{
	for (unsigned int i = 0; i < result->n_ips; i++)
		if (result->ips[i].gateway.family == family)
			return &result->ips[i].gateway;
	return NULL;
}

static int pod_routes(struct netlink *nl, int ifindex, const struct cni_result *result,
		      struct cni_error *err)
{
	for (unsigned int i = 0; i < result->n_routes; i++) {
		const struct cni_route *cr = &result->routes[i];
		const struct ip_address *gw;
		struct netlink_route r;
		int ret;

		gw = cr->gw.family ? &cr->gw : pod_gateway(result, cr->dst.addr.family);
		pod_route_from_cni(cr, gw, &r);
		r.oif = ifindex;
		ret = netlink_route_add(nl, &r, &err->base);
		/* The prefix route of an address may already cover an IPAM route. */
		if (ret < 0 && ret != -EEXIST)
			return ret;
	}
	return 0;
}

int sriov_pod_configure(struct netlink *pod_nl, const char *ifname, unsigned int mtu,
			const struct cni_result *result, struct netlink_link *link,
			struct cni_error *err)
{
	int ret;

	ret = netlink_link_get(pod_nl, ifname, link, &err->base);
	if (ret == -ENODEV)
		return cni_error_set(err, CNI_ERR_DATAPATH, ENODEV,
				     "sriov: %s did not appear in the pod netns", ifname);
	if (ret < 0)
		return ret;
	if (mtu && (ret = netlink_link_set_mtu(pod_nl, ifname, mtu, &err->base)) < 0)
		return ret;
	for (unsigned int i = 0; i < result->n_ips; i++) {
		ret = netlink_addr_add(pod_nl, link->ifindex, &result->ips[i].address, 0,
				       &err->base);
		if (ret < 0)
			return ret;
	}
	if ((ret = netlink_link_set_up(pod_nl, ifname, true, &err->base)) < 0)
		return ret;
	if ((ret = pod_routes(pod_nl, link->ifindex, result, err)) < 0)
		return ret;
	return netlink_link_get(pod_nl, ifname, link, &err->base);
}
