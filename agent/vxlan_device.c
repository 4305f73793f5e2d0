/* Create, check and remove the VXLAN device. */
#include "agent/vxlan_device.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

#include "agent/agent_vxlan.h"
#include "agent/desired.h"
#include "agent/underlay.h"
#include "plugin/util/log.h"

#define VXLAN_MAX_ADDRS 16

static bool matches(const struct agent_vxlan *have, const struct agent_vxlan *want)
{
	return have->vni == want->vni && have->port == want->port &&
	       ip_address_equal(&have->local, &want->local) &&
	       have->link_ifindex == want->link_ifindex;
}

/* The own pod CIDRs' network addresses, host-length, on the device. */
static int ensure_addresses(struct netlink *nl, int ifindex, const struct node *self,
			    struct error *err)
{
	struct netlink_addr have[VXLAN_MAX_ADDRS];
	size_t n_have = 0;
	int ret;

	ret = netlink_addr_list(nl, ifindex, AF_UNSPEC, have, VXLAN_MAX_ADDRS, &n_have, err);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < self->n_pod_cidrs; i++) {
		struct ip_prefix host = {.addr = self->pod_cidrs[i].addr,
					 .len = ip_address_bits(&self->pod_cidrs[i].addr)};
		bool present = false;

		for (size_t j = 0; j < n_have && !present; j++)
			present = have[j].prefix.len == host.len &&
				  ip_address_equal(&have[j].prefix.addr, &host.addr);
		if (!present && (ret = netlink_addr_add(nl, ifindex, &host, 0, err)) < 0)
			return ret;
	}
	return 0;
}

int vxlan_device_ensure(struct netlink *nl, const struct vxlan_params *params,
			const struct node *self, int *ifindex, struct error *err)
{
	const struct ip_address *local = node_internal_ip(self, AF_UNSPEC);
	struct agent_vxlan want = {.vni = params->vni, .port = params->port}, have;
	unsigned int underlay_mtu = 0;
	int ret;

	if (!local)
		return error_set(err, ENXIO, "vxlan: node %s has no InternalIP for the VTEP",
				 self->name);
	memcpy(want.name, params->name, sizeof(want.name));
	want.local = *local;
	desired_vtep_mac(local, want.mac);
	ret = underlay_find(nl, local, &want.link_ifindex, &underlay_mtu, err);
	if (ret < 0)
		return ret;
	want.mtu = underlay_mtu - (local->family == AF_INET ? VXLAN_OVERHEAD4 : VXLAN_OVERHEAD6);

	ret = agent_vxlan_get(nl, want.name, &have, err);
	if (ret == 0 && !matches(&have, &want)) {
		log_info("vxlan: %s has another VNI, port or local address: recreated", want.name);
		if ((ret = netlink_link_delete(nl, want.name, err)) < 0)
			return ret;
		ret = -ENODEV;
	}
	if (ret == -ENODEV) {
		if ((ret = agent_vxlan_create(nl, &want, err)) < 0)
			return ret;
		log_info("vxlan: created %s (vni %u, port %u)", want.name, want.vni, want.port);
		ret = agent_vxlan_get(nl, want.name, &have, err);
	}
	if (ret < 0)
		return ret;
	if (memcmp(have.mac, want.mac, sizeof(want.mac)) &&
	    (ret = netlink_link_set_mac(nl, want.name, want.mac, err)) < 0)
		return ret;
	if (have.mtu != want.mtu && (ret = netlink_link_set_mtu(nl, want.name, want.mtu, err)) < 0)
		return ret;
	if ((ret = netlink_link_set_up(nl, want.name, true, err)) < 0 ||
	    (ret = ensure_addresses(nl, have.ifindex, self, err)) < 0)
		return ret;
	*ifindex = have.ifindex;
	return 0;
}

int vxlan_device_remove(struct netlink *nl, const char *name, struct error *err)
{
	struct agent_vxlan have;
	int ret = agent_vxlan_get(nl, name, &have, err);

	if (ret < 0)
		return ret;
	return netlink_link_delete(nl, name, err);
}
