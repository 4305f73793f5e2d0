/* sriov CHECK: the VF is still reserved for the attachment and configured as ADD left it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plugin/datapath/pod_check.h"
#include "plugin/datapath/sriov_conf.h"
#include "plugin/datapath/sriov_devinfo.h"
#include "plugin/datapath/sriov_internal.h"
#include "plugin/datapath/sriov_pool.h"
#include "plugin/datapath/sriov_sysfs.h"
#include "plugin/kernel/netlink.h"
#include "plugin/kernel/netns.h"
#include "plugin/util/log.h"

static int sriov_expected_index(const struct cni_result *expected, const char *ifname)
{
	for (unsigned int i = 0; i < expected->n_interfaces; i++)
		if (expected->interfaces[i].sandbox[0] &&
		    !strcmp(expected->interfaces[i].name, ifname))
			return (int)i;
	return -1;
}

static int sriov_check_netdev(const struct attachment *env, const struct cni_result *expected,
			      int index, struct cni_error *err)
{
	const struct cni_interface *want = &expected->interfaces[index];
	struct netlink *pod_nl = NULL;
	struct netlink_link link;
	char mac[CNI_MAC_STRLEN];
	int ns_fd, ret;

	ns_fd = netns_open(env->netns, &err->base);
	if (ns_fd < 0)
		return cni_error_code(err, CNI_ERR_INVALID_ENV, ns_fd);
	if ((ret = netlink_open_in(ns_fd, &pod_nl, &err->base)) < 0)
		goto out;
	ret = netlink_link_get(pod_nl, env->ifname, &link, &err->base);
	if (ret == -ENODEV)
		ret = cni_error_set(err, CNI_ERR_CHECK_FAILED, ENODEV,
				    "check: VF interface %s is missing in netns %s", env->ifname,
				    env->netns);
	if (ret < 0)
		goto out;
	netlink_mac_format(link.mac, mac);
	if (want->mac[0] && strcasecmp(want->mac, mac)) {
		ret = cni_error_set(err, CNI_ERR_CHECK_FAILED, EINVAL,
				    "check: %s in netns %s has mac %s, expected %s", env->ifname,
				    env->netns, mac, want->mac);
		goto out;
	}
	ret = pod_check_addresses(pod_nl, link.ifindex, env->ifname, expected, index, err);
out:
	netlink_close(pod_nl);
	close(ns_fd);
	return ret;
}

int sriov_check(const struct datapath_context *ctx, const struct attachment *att,
		const struct cni_result *expected, struct cni_error *err)
{
	const struct attachment *env = att;
	struct sriov_reservation rec;
	struct sriov_conf *conf;
	char path[PATH_MAX];
	int index, ret;

	index = sriov_expected_index(expected, env->ifname);
	if (index < 0)
		return cni_error_set(err, CNI_ERR_CHECK_FAILED, EINVAL,
				     "check: the expected result has no interface %s in a sandbox",
				     env->ifname);
	conf = calloc(1, sizeof(*conf));
	if (!conf)
		return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "sriov: out of memory");
	sriov_conf_for(ctx, att, conf);
	ret = sriov_pool_load(conf->pool_dir, att->pci_id, &rec, err);
	if (ret == -ENOENT || (ret == 0 && strcmp(rec.container_id, env->container_id)))
		ret = cni_error_set(err, CNI_ERR_CHECK_FAILED, ENOENT,
				    "check: VF %s is not reserved for %s/%s", att->pci_id,
				    env->container_id, env->ifname);
	if (ret < 0)
		goto out;
	if (expected->interfaces[index].pci_id[0] &&
	    strcmp(expected->interfaces[index].pci_id, rec.pci)) {
		ret = cni_error_set(err, CNI_ERR_CHECK_FAILED, EINVAL,
				    "check: %s has VF %s, expected pciID %s", env->ifname, rec.pci,
				    expected->interfaces[index].pci_id);
		goto out;
	}
	if (rec.dpdk) {
		ret = sriov_descriptor_path(conf->descriptor_dir, rec.container_id, rec.ifname,
					    path, sizeof(path), err);
		if (ret == 0 && access(path, R_OK) < 0)
			ret = cni_error_set(err, CNI_ERR_CHECK_FAILED, errno,
					    "check: descriptor %s: %s", path, strerror(errno));
	} else {
		ret = sriov_check_netdev(env, expected, index, err);
	}
out:
	free(conf);
	return ret;
}
