#include "plugin/cni/device_info.h"

#include <jansson.h>
#include <stdbool.h>

#include "plugin/util/ipaddr.h"

static json_t *spec_object(const struct device_info *info)
{
	if (info->type == DEVICE_INFO_VHOST_USER)
		return json_pack("{s:s, s:s, s:{s:s, s:s}}", "type", "vhost-user", "version",
				 DEVICE_INFO_VERSION, "vhost-user", "mode", info->vhost_mode,
				 "path", info->vhost_path);
	return json_pack("{s:s, s:s, s:{s:s, s:s}}", "type", "pci", "version", DEVICE_INFO_VERSION,
			 "pci", "pci-address", info->pci_address, "pf-pci-address",
			 info->pf_pci_address);
}

static json_t *encode_ips(const struct cni_result *result)
{
	char buf[IP_PREFIX_STRLEN], gw[INET6_ADDRSTRLEN];
	json_t *ips = json_array();

	for (unsigned int i = 0; ips && i < result->n_ips; i++) {
		const struct cni_ip *ip = &result->ips[i];
		json_t *item = json_pack("{s:s}", "address",
					 ip_prefix_format(&ip->address, buf, sizeof(buf)));

		if (item && ip->gateway.family &&
		    json_object_set_new(
			    item, "gateway",
			    json_string(ip_address_format(&ip->gateway, gw, sizeof(gw))))) {
			json_decref(item);
			item = NULL;
		}
		if (!item || json_array_append_new(ips, item)) {
			json_decref(ips);
			return NULL;
		}
	}
	return ips;
}

static json_t *encode_routes(const struct cni_result *result)
{
	char dst[IP_PREFIX_STRLEN], gw[INET6_ADDRSTRLEN];
	json_t *routes = json_array();

	for (unsigned int i = 0; routes && i < result->n_routes; i++) {
		const struct cni_route *r = &result->routes[i];
		json_t *item = r->gw.family
				       ? json_pack("{s:s, s:s}", "dst",
						   ip_prefix_format(&r->dst, dst, sizeof(dst)),
						   "gw", ip_address_format(&r->gw, gw, sizeof(gw)))
				       : json_pack("{s:s}", "dst",
						   ip_prefix_format(&r->dst, dst, sizeof(dst)));

		if (!item || json_array_append_new(routes, item)) {
			json_decref(routes);
			return NULL;
		}
	}
	return routes;
}

static int add_descriptor(json_t *root, const struct device_descriptor *d)
{
	/* o: the object takes the arrays' references, also when packing fails. */
	json_t *extra =
		json_pack("{s:s, s:s*, s:I, s:I, s:s, s:s, s:s, s:o*, s:o*}", "ifname", d->ifname,
			  "mac", d->mac, "mtu", (json_int_t)d->mtu, "queues", (json_int_t)d->queues,
			  "slice", d->slice, "containerID", d->container_id, "network", d->network,
			  "ips", encode_ips(d->result), "routes", encode_routes(d->result));
	int ret = extra ? json_object_update(root, extra) : -1;

	json_decref(extra);
	return ret;
}

char *device_info_encode(const struct device_info *info, const struct device_descriptor *desc)
{
	json_t *root = spec_object(info);
	char *text = NULL;

	if (root && (!desc || !add_descriptor(root, desc)))
		text = json_dumps(root, JSON_INDENT(2));
	json_decref(root);
	return text;
}

static json_t *address_strings(const struct cni_result *result, bool gateways)
{
	char text[IP_PREFIX_STRLEN];
	json_t *list = json_array();

	for (unsigned int i = 0; list && i < result->n_ips; i++) {
		const struct cni_ip *ip = &result->ips[i];
		const char *value =
			gateways ? (ip->gateway.family
					    ? ip_address_format(&ip->gateway, text, sizeof(text))
					    : NULL)
				 : ip_prefix_format(&ip->address, text, sizeof(text));

		if (value && json_array_append_new(list, json_string(value))) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}

char *device_pci_descriptor_encode(const struct device_pci_descriptor *d)
{
	/* o: the object takes the arrays' references, also when packing fails. */
	json_t *root = json_pack(
		"{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s*, s:i, s:o*, s:o*, s:o*}", "version", 1,
		"datapath", "sriov", "mode", "dpdk", "interface", d->ifname, "pciAddress",
		d->pci_address, "pfPciAddress", d->pf_pci_address, "driver", d->driver,
		"vfioDevice", d->vfio_device[0] ? d->vfio_device : NULL, "numaNode", d->numa_node,
		"ips", address_strings(d->result, false), "gateways",
		address_strings(d->result, true), "routes", encode_routes(d->result));
	char *text = root ? json_dumps(root, JSON_COMPACT) : NULL;

	json_decref(root);
	return text;
}
