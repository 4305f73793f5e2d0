#include "plugin/cluster.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ipam/range.h"
#include "plugin/util/data_block.h"
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
	unsigned int index = 0, blocks = 0;
	struct ip_prefix block;
	int ret;

	if (!pod)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "slice %s: primary mode's data network needs the in-process "
				     "slicenet-ipam with an IPv4 pod range for this node",
				     slice->name);
	ip_prefix_format(pod, pod_text, sizeof(pod_text));
	ret = data_block_of(&conf->cluster_cidr, pod, &slice->data_subnet, slice->data_block_prefix,
			    &block, &index, &blocks);
	if (ret == -ERANGE)
		return cni_error_set(
			err, CNI_ERR_INVALID_CONFIG, ERANGE,
			"slice %s: the node's pod range %s is block %u of clusterCIDR, "
			"but dataSubnet has only %u blocks of /%u",
			slice->name, pod_text, index, blocks, slice->data_block_prefix);
	if (ret)
		return cni_error_set(
			err, CNI_ERR_INVALID_CONFIG, EINVAL,
			"slice %s: the node's pod range %s is not inside clusterCIDR %s",
			slice->name, pod_text,
			ip_prefix_format(&conf->cluster_cidr, text, sizeof(text)));
	ip_prefix_format(&block, text, sizeof(text));
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

void cluster_main_ips(const struct cni_result *result, const char *data_ifname,
		      struct cni_result *out)
{
	*out = *result;
	out->n_ips = 0;
	for (unsigned int i = 0; i < result->n_ips; i++) {
		int k = result->ips[i].interface;

		if (k < 0 || (unsigned int)k >= result->n_interfaces ||
		    strcmp(result->interfaces[k].name, data_ifname))
			out->ips[out->n_ips++] = result->ips[i];
	}
}
