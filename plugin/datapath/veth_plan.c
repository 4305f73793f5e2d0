#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

#include "plugin/datapath/pod_check.h"
#include "plugin/datapath/veth_internal.h"
#include "plugin/util/ipaddr.h"

static void host_prefix(const struct ip_address *addr, struct ip_prefix *out)
{
	out->addr = *addr;
	out->len = ip_address_bits(addr);
}

/* The pod's gateway per address: IPAM's, else the subnet's first address. */
static int plan_gateways(const struct cni_result *result, struct veth_plan *plan,
			 struct cni_error *err)
{
	char text[IP_PREFIX_STRLEN];

	for (unsigned int i = 0; i < result->n_ips; i++) {
		const struct cni_ip *ip = &result->ips[i];
		struct ip_address *gw = &plan->gw[i];

		if (!ip_address_size(&ip->address.addr))
			return cni_error_set(err, CNI_ERR_DATAPATH, EINVAL,
					     "veth: ips[%u] has no address", i);
		if (ip->gateway.family) {
			if (ip->gateway.family != ip->address.addr.family)
				return cni_error_set(
					err, CNI_ERR_DATAPATH, EINVAL,
					"veth: address %s: gateway of another family",
					ip_prefix_format(&ip->address, text, sizeof(text)));
			*gw = ip->gateway;
		} else {
			ip_prefix_network(&ip->address, gw);
			ip_address_increment(gw);
		}
		if (ip_address_equal(gw, &ip->address.addr))
			return cni_error_set(err, CNI_ERR_DATAPATH, EINVAL,
					     "veth: address %s is its own gateway",
					     ip_prefix_format(&ip->address, text, sizeof(text)));
	}
	return 0;
}

static const struct ip_address *family_gateway(const struct cni_result *result,
					       const struct veth_plan *plan, int family)
{
	for (unsigned int i = 0; i < result->n_ips; i++)
		if (plan->gw[i].family == family)
			return &plan->gw[i];
	return NULL;
}

static bool same_destination(const struct netlink_route *a, const struct netlink_route *b)
{
	return a->dst.len == b->dst.len && a->table == b->table && a->priority == b->priority &&
	       ip_address_equal(&a->dst.addr, &b->dst.addr);
}

/* The first route to a destination wins: an IPAM route and one of ours never collide. */
static int plan_pod_route(struct veth_plan *plan, const struct netlink_route *route,
			  bool is_default, struct cni_error *err)
{
	for (unsigned int i = 0; i < plan->n_pod_routes; i++)
		if (same_destination(&plan->pod_routes[i], route))
			return 0;
	if (plan->n_pod_routes >= VETH_MAX_PLANNED)
		return cni_error_set(err, CNI_ERR_DATAPATH, ENOSPC, "veth: too many routes");
	plan->pod_route_is_default[plan->n_pod_routes] = is_default;
	plan->pod_routes[plan->n_pod_routes++] = *route;
	return 0;
}

static int plan_ipam_routes(const struct cni_result *result, struct veth_plan *plan,
			    struct cni_error *err)
{
	char text[IP_PREFIX_STRLEN];
	int ret;

	for (unsigned int i = 0; i < result->n_routes; i++) {
		const struct cni_route *cr = &result->routes[i];
		const struct ip_address *gw;
		struct netlink_route r;

		gw = cr->gw.family ? &cr->gw : family_gateway(result, plan, cr->dst.addr.family);
		if (!gw)
			return cni_error_set(
				err, CNI_ERR_DATAPATH, EINVAL,
				"veth: route %s: no address of its family for a gateway",
				ip_prefix_format(&cr->dst, text, sizeof(text)));
		pod_route_from_cni(cr, gw, &r);
		if ((ret = plan_pod_route(plan, &r, false, err)))
			return ret;
	}
	return 0;
}

static int plan_pod_routes(const struct cni_result *result, struct veth_plan *plan,
			   struct cni_error *err)
{
	struct netlink_route r;
	int ret;

	for (unsigned int i = 0; i < result->n_ips; i++) {
		netlink_route_init(&r);
		host_prefix(&plan->gw[i], &r.dst);
		r.scope = RT_SCOPE_LINK;
		r.prefsrc = result->ips[i].address.addr;
		if ((ret = plan_pod_route(plan, &r, false, err)))
			return ret;
	}
	if ((ret = plan_ipam_routes(result, plan, err)))
		return ret;
	for (unsigned int i = 0; i < result->n_ips; i++) {
		const struct ip_prefix *addr = &result->ips[i].address;

		if (addr->len == 0 || addr->len >= ip_address_bits(&addr->addr))
			continue;
		netlink_route_init(&r);
		ip_prefix_network(addr, &r.dst.addr);
		r.dst.len = addr->len;
		r.gw = plan->gw[i];
		r.prefsrc = addr->addr;
		if ((ret = plan_pod_route(plan, &r, false, err)))
			return ret;
	}
	for (unsigned int i = 0; i < result->n_ips; i++) {
		netlink_route_init(&r);
		r.dst.addr.family = plan->gw[i].family;
		r.gw = plan->gw[i];
		if ((ret = plan_pod_route(plan, &r, true, err)))
			return ret;
	}
	return 0;
}

static void plan_host(const struct cni_result *result, struct veth_plan *plan)
{
	for (unsigned int i = 0; i < result->n_ips; i++) {
		bool seen = false;

		for (unsigned int j = 0; j < i; j++)
			seen = seen || ip_address_equal(&plan->gw[i], &plan->gw[j]);
		if (!seen)
			host_prefix(&plan->gw[i], &plan->host_addrs[plan->n_host_addrs++]);
	}
	for (unsigned int i = 0; i < result->n_ips; i++) {
		struct netlink_route *r = &plan->host_routes[plan->n_host_routes++];

		netlink_route_init(r);
		host_prefix(&result->ips[i].address.addr, &r->dst);
		r->scope = RT_SCOPE_LINK;
	}
}

int veth_plan_make(const struct cni_result *result, struct veth_plan *plan, struct cni_error *err)
{
	int ret;

	memset(plan, 0, sizeof(*plan));
	if (result->n_ips > CNI_MAX_IPS)
		return cni_error_set(err, CNI_ERR_DATAPATH, ENOSPC, "veth: too many addresses");
	if ((ret = plan_gateways(result, plan, err)) || (ret = plan_pod_routes(result, plan, err)))
		return ret;
	plan_host(result, plan);
	return 0;
}
