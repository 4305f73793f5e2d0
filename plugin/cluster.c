#include "plugin/cluster.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ipam/range.h"
#include "plugin/util/ipaddr.h"

/* The node's IPv4 pod range: the first IPv4 range of the cluster IPAM. */
static const struct ip_prefix *node_range(const struct ipam_conf *ipam)
{
	for (unsigned int s = 0; s < ipam->n_sets; s++)
		for (unsigned int r = 0; r < ipam->sets[s].n_ranges; r++)
			if (ipam->sets[s].ranges[r].subnet.addr.family == AF_INET)
				return &ipam->sets[s].ranges[r].subnet;
	return NULL;
}

int cluster_data_ipam(const struct netconf *conf, const struct slice_class *slice,
		      struct ipam_conf *out, struct cni_error *err)
{
	const struct ip_prefix *pod = conf->ipam ? node_range(conf->ipam) : NULL;
	char text[IP_PREFIX_STRLEN], pod_text[IP_PREFIX_STRLEN];
	uint32_t pod_net, cluster_net, data_net, index, blocks;
	struct ip_address net;

	if (!pod)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "slice %s: primary mode's data network needs the in-process "
				     "slicenet-ipam with an IPv4 pod range for this node",
				     slice->name);
	ip_prefix_format(pod, pod_text, sizeof(pod_text));
	if (!ip_prefix_contains(&conf->cluster_cidr, &pod->addr) ||
	    pod->len < conf->cluster_cidr.len)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "slice %s: the node's pod range %s is not inside clusterCIDR %s",
				     slice->name, pod_text,
				     ip_prefix_format(&conf->cluster_cidr, text, sizeof(text)));
	ip_prefix_network(pod, &net);
	pod_net = ntohl(net.v4.s_addr);
	ip_prefix_network(&conf->cluster_cidr, &net);
	cluster_net = ntohl(net.v4.s_addr);
	index = (uint32_t)((uint64_t)(pod_net - cluster_net) >> (32 - pod->len));
	blocks = 1U << (slice->data_block_prefix - slice->data_subnet.len);
	if (index >= blocks)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, ERANGE,
				     "slice %s: the node's pod range %s is block %u of clusterCIDR, "
				     "but dataSubnet has only %u blocks of /%u",
				     slice->name, pod_text, index, blocks, slice->data_block_prefix);
	ip_prefix_network(&slice->data_subnet, &net);
	data_net = ntohl(net.v4.s_addr) + (index << (32 - slice->data_block_prefix));
	net.v4.s_addr = htonl(data_net);
	snprintf(text, sizeof(text), "%s/%u", inet_ntoa(net.v4), slice->data_block_prefix);
	memset(out, 0, sizeof(*out));
	if (snprintf(out->network_name, sizeof(out->network_name), "%s-%s", conf->name,
		     slice->name) >= (int)sizeof(out->network_name))
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, ENAMETOOLONG,
				     "network and class names are too long together");
	snprintf(out->data_dir, sizeof(out->data_dir), "%s", conf->ipam->data_dir);
	out->n_sets = 1;
	out->sets[0].n_ranges = 1;
	return ipam_range_init(&out->sets[0].ranges[0], text, NULL, NULL, NULL, err);
}
