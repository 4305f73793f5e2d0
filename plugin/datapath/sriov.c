#include "plugin/datapath/sriov.h"
#include "plugin/util/fault.h"
#include "plugin/datapath/pod_check.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plugin/util/log.h"
#include "plugin/kernel/netlink.h"
#include "plugin/kernel/netns.h"
#include "plugin/datapath/sriov_conf.h"
#include "plugin/datapath/sriov_internal.h"
#include "plugin/datapath/sriov_devinfo.h"
#include "plugin/datapath/sriov_pod.h"
#include "plugin/datapath/sriov_pool.h"
#include "plugin/datapath/sriov_sysfs.h"
#include "plugin/datapath/sriov_vf.h"

/* ---- choosing a VF ---- */

static bool sriov_available(const struct datapath_context *ctx, const struct attachment *att,
			    char *why, size_t why_size)
{
	struct cni_error err = {0};
	struct sriov_sysfs_vf vf;
	struct sriov_conf *conf;
	bool ok = false;

	conf = calloc(1, sizeof(*conf));
	if (!conf) {
		snprintf(why, why_size, "out of memory");
		return false;
	}
	sriov_conf_for(ctx, att, conf);
	if (conf->device_id[0]) {
		ok = sriov_given(conf, &vf, &err) == 0;
		if (ok && sriov_pool_is_reserved(conf->pool_dir, vf.pci)) {
			snprintf(why, why_size, "deviceID %s is reserved by another attachment",
				 vf.pci);
			ok = false;
		} else if (!ok) {
			snprintf(why, why_size, "%s", err.msg);
		}
	} else {
		ok = sriov_pick(conf, 0, &vf, why, why_size) == 0;
	}
	if (ok)
		why[0] = '\0';
	free(conf);
	return ok;
}

/* ---- ADD ---- */

struct sriov_add {
	const struct datapath_context *ctx;
	const struct attachment *att;
	struct sriov_conf conf;
	struct sriov_sysfs_vf vf;
	struct sriov_reservation rec;
	struct netlink *host_nl;
	struct netlink *pod_nl;
	struct netlink_link link; /* the VF netdev in the pod */
	int host_ns_fd;
	int pod_ns_fd;
	bool reserved, vf_set, moved, devinfo, descriptor;
	char descriptor_path[PATH_MAX];
};

/* Reserve a VF under the pool lock and note what to restore at DEL. */
static int sriov_add_reserve(struct sriov_add *a, struct cni_error *err)
{
	const struct attachment *env = a->att;
	struct netlink_link host;
	unsigned long long numa;
	char why[400];
	bool found;
	int lock, ret;

	lock = sriov_pool_lock(a->conf.pool_dir, err);
	if (lock < 0)
		return lock;
	if (a->conf.device_id[0]) {
		ret = sriov_given(&a->conf, &a->vf, err);
	} else {
		numa = sriov_pod_numa_nodes(&a->conf, a->att);
		ret = sriov_pick(&a->conf, numa, &a->vf, why, sizeof(why));
		if (ret < 0)
			ret = cni_error_set(err, CNI_ERR_DATAPATH, -ret, "sriov: %s", why);
		else if (numa)
			log_info("sriov: pod cpuset NUMA nodes 0x%llx, VF %s on node %d", numa,
				 a->vf.pci, a->vf.numa_node);
	}
	if (ret < 0)
		goto out;
	memset(&a->rec, 0, sizeof(a->rec));
	snprintf(a->rec.pci, sizeof(a->rec.pci), "%s", a->vf.pci);
	snprintf(a->rec.pf, sizeof(a->rec.pf), "%s", a->vf.pf);
	a->rec.vf_index = a->vf.index;
	a->rec.dpdk = sriov_sysfs_driver_is_dpdk(a->vf.driver);
	snprintf(a->rec.container_id, sizeof(a->rec.container_id), "%s", env->container_id);
	snprintf(a->rec.ifname, sizeof(a->rec.ifname), "%s", env->ifname);
	snprintf(a->rec.network, sizeof(a->rec.network), "%s", a->ctx->conf->name);
	if (!a->rec.dpdk) {
		ret = netlink_link_get(a->host_nl, a->vf.netdev, &host, &err->base);
		if (ret < 0) {
			if (ret == -ENODEV)
				ret = cni_error_set(err, CNI_ERR_DATAPATH, ENODEV,
						    "sriov: VF %s netdev %s vanished", a->vf.pci,
						    a->vf.netdev);
			goto out;
		}
		snprintf(a->rec.orig_name, sizeof(a->rec.orig_name), "%s", a->vf.netdev);
		memcpy(a->rec.orig_mac, host.mac, sizeof(a->rec.orig_mac));
		a->rec.have_orig_mac = true;
		a->rec.orig_mtu = host.mtu;
	}
	if (a->conf.vf.set) {
		if (!a->vf.pf[0]) {
			ret = cni_error_set(err, CNI_ERR_DATAPATH, ENODEV,
					    "sriov: VF %s: its PF %s has no netdev to set VF "
					    "settings through",
					    a->vf.pci, a->vf.pf_pci);
			goto out;
		}
		ret = sriov_vf_query(a->vf.pf, a->vf.index, &a->rec.orig_vf, &found, err);
		if (ret < 0)
			goto out;
		/* Restore only what we change, and only what the PF told us. */
		a->rec.orig_vf.set &= a->conf.vf.set;
	}
	ret = sriov_pool_reserve(a->conf.pool_dir, &a->rec, err);
	if (ret == 0)
		a->reserved = true;
	fault_point("sriov-after-reserve");
out:
	sriov_pool_unlock(lock);
	return ret;
}

static int sriov_add_netdev(struct sriov_add *a, struct cni_result *result, struct cni_error *err)
{
	const struct attachment *env = a->att;
	unsigned int mtu = a->ctx->slice ? a->ctx->slice->mtu : 0;
	int ret;

	/* Down first: a VF moves between namespaces more safely without traffic. */
	ret = netlink_link_set_up(a->host_nl, a->vf.netdev, false, &err->base);
	if (ret < 0)
		return ret;
	ret = netlink_link_set_netns(a->host_nl, a->vf.netdev, a->pod_ns_fd, env->ifname,
				     &err->base);
	if (ret < 0)
		return ret;
	a->moved = true;
	fault_point("sriov-after-move");
	ret = netlink_open_in(a->pod_ns_fd, &a->pod_nl, &err->base);
	if (ret < 0)
		return ret;
	ret = sriov_pod_configure(a->pod_nl, env->ifname, mtu, result, &a->link, err);
	if (ret < 0)
		return ret;
	/* DEL moves back only this interface: the pod may make others with the VF's name. */
	a->rec.pod_ifindex = a->link.ifindex;
	return sriov_pool_update(a->conf.pool_dir, &a->rec, err);
}

/* Undo a partial ADD, newest step first; errors are logged, not returned. */
static void sriov_add_rollback(struct sriov_add *a)
{
	const struct attachment *env = a->att;
	struct cni_error e = {0};

	if (a->descriptor && sriov_devinfo_remove(a->descriptor_path, &e) < 0)
		log_error("sriov rollback: %s", e.msg);
	if (a->devinfo && sriov_devinfo_remove(a->conf.device_info_file, &e) < 0)
		log_error("sriov rollback: %s", e.msg);
	if (a->moved && a->pod_nl) {
		memset(&e, 0, sizeof(e));
		if (netlink_link_set_up(a->pod_nl, env->ifname, false, &e.base) < 0 ||
		    netlink_link_set_netns(a->pod_nl, env->ifname, a->host_ns_fd, a->rec.orig_name,
					   &e.base) < 0)
			log_error("sriov rollback: moving VF %s back: %s", a->vf.pci, e.msg);
		else if (a->rec.orig_mtu && netlink_link_set_mtu(a->host_nl, a->rec.orig_name,
								 a->rec.orig_mtu, &e.base) < 0)
			log_error("sriov rollback: %s", e.msg);
	} else if (a->moved) {
		log_error("sriov rollback: VF %s is in netns %s and could not be reached",
			  a->vf.pci, env->netns);
	}
	if (a->vf_set) {
		memset(&e, 0, sizeof(e));
		if (sriov_vf_apply(a->vf.pf, a->vf.index, &a->rec.orig_vf, &e) < 0)
			log_error("sriov rollback: %s", e.msg);
	}
	if (a->reserved) {
		memset(&e, 0, sizeof(e));
		if (sriov_pool_release(a->conf.pool_dir, a->vf.pci, &e) < 0)
			log_error("sriov rollback: %s", e.msg);
	}
}

static void sriov_fill_result(struct sriov_add *a, struct cni_result *result)
{
	const struct attachment *env = a->att;
	struct cni_interface *ci = &result->interfaces[result->n_interfaces];
	int index = (int)result->n_interfaces;

	memset(ci, 0, sizeof(*ci));
	snprintf(ci->name, sizeof(ci->name), "%s", env->ifname);
	snprintf(ci->sandbox, sizeof(ci->sandbox), "%s", env->netns);
	snprintf(ci->pci_id, sizeof(ci->pci_id), "%s", a->vf.pci);
	if (!a->rec.dpdk) {
		netlink_mac_format(a->link.mac, ci->mac);
		ci->mtu = a->link.mtu;
	}
	result->n_interfaces++;
	for (unsigned int i = 0; i < result->n_ips; i++)
		result->ips[i].interface = index;
}

static int sriov_add(const struct datapath_context *ctx, struct attachment *att,
		     struct cni_result *result, struct cni_error *err)
{
	const struct attachment *env = att;
	struct sriov_add *a;
	int ret;

	if (result->n_interfaces + 1 > CNI_MAX_INTERFACES)
		return cni_error_set(err, CNI_ERR_DATAPATH, ENOSPC,
				     "sriov: no room for another interface in the result");
	a = calloc(1, sizeof(*a));
	if (!a)
		return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "sriov: out of memory");
	a->ctx = ctx;
	a->att = att;
	a->host_ns_fd = a->pod_ns_fd = -1;
	sriov_conf_for(ctx, att, &a->conf);
	a->host_ns_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (a->host_ns_fd < 0) {
		ret = cni_error_set(err, CNI_ERR_INTERNAL, errno, "sriov: open own netns: %s",
				    strerror(errno));
		goto out;
	}
	a->pod_ns_fd = netns_open(env->netns, &err->base);
	if (a->pod_ns_fd < 0) {
		ret = cni_error_code(err, CNI_ERR_INVALID_ENV, a->pod_ns_fd);
		goto out;
	}
	a->host_nl = netlink_open(&err->base);
	if (!a->host_nl) {
		ret = -errno;
		goto out;
	}
	if ((ret = sriov_add_reserve(a, err)) < 0)
		goto out;
	log_info("sriov: %s/%s takes VF %s (PF %s vf %u, driver %s)", env->container_id,
		 env->ifname, a->vf.pci, a->vf.pf[0] ? a->vf.pf : a->vf.pf_pci, a->vf.index,
		 a->vf.driver[0] ? a->vf.driver : "none");
	if (a->conf.vf.set) {
		if ((ret = sriov_vf_apply(a->vf.pf, a->vf.index, &a->conf.vf, err)) < 0)
			goto out;
		a->vf_set = true;
	}
	if (a->rec.dpdk) {
		ret = sriov_descriptor_path(a->conf.descriptor_dir, env->container_id, env->ifname,
					    a->descriptor_path, sizeof(a->descriptor_path), err);
		if (ret == 0)
			ret = sriov_descriptor_write(a->descriptor_path, &a->vf, env->ifname,
						     result, err);
		if (ret < 0)
			goto out;
		a->descriptor = true;
	} else if ((ret = sriov_add_netdev(a, result, err)) < 0) {
		goto out;
	}
	if (a->conf.device_info_file[0]) {
		if ((ret = sriov_devinfo_write(a->conf.device_info_file, &a->vf, err)) < 0)
			goto out;
		a->devinfo = true;
	}
	sriov_fill_result(a, result);
	snprintf(att->pci_id, sizeof(att->pci_id), "%s", a->vf.pci);
	ret = 0;
out:
	if (ret < 0)
		sriov_add_rollback(a);
	netlink_close(a->pod_nl);
	netlink_close(a->host_nl);
	if (a->pod_ns_fd >= 0)
		close(a->pod_ns_fd);
	if (a->host_ns_fd >= 0)
		close(a->host_ns_fd);
	free(a);
	return ret;
}

/* ---- DEL ---- */

/*
 * Bring the VF netdev home under its original name. In the pod netns when
 * that still exists; else the kernel has already returned it (a physical
 * device outlives its netns) under whatever name sysfs now shows.
 */
static int sriov_del_netdev(const struct sriov_conf *conf, const struct attachment *env,
			    const struct sriov_reservation *rec, struct netlink *host_nl,
			    struct cni_error *err)
{
	struct cni_error ignored = {0};
	struct netlink *pod_nl = NULL;
	struct netlink_link link;
	struct sriov_sysfs_vf vf;
	int ns_fd = -1, host_fd = -1, ret = 0;

	if (env->netns[0] && (ns_fd = netns_open(env->netns, &ignored.base)) >= 0) {
		ret = netlink_open_in(ns_fd, &pod_nl, &err->base);
		if (ret < 0)
			goto out;
		ret = netlink_link_get(pod_nl, env->ifname, &link, &err->base);
		if (ret == 0 && rec->pod_ifindex && link.ifindex != rec->pod_ifindex) {
			/* Not the VF (a device the pod made under its name): never move it to the
			 * host. */
			log_warn("sriov: %s in the pod is not VF %s (ifindex %d, the VF had %d); "
				 "leaving it there",
				 env->ifname, rec->pci, link.ifindex, rec->pod_ifindex);
			ret = -ENODEV;
		} else if (ret == 0) {
			host_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
			if (host_fd < 0) {
				ret = cni_error_set(err, CNI_ERR_INTERNAL, errno,
						    "sriov: open own netns: %s", strerror(errno));
				goto out;
			}
			if ((ret = netlink_link_set_up(pod_nl, env->ifname, false, &err->base)) <
				    0 ||
			    (ret = netlink_link_set_netns(pod_nl, env->ifname, host_fd,
							  rec->orig_name, &err->base)) < 0)
				goto out;
		} else if (ret != -ENODEV) {
			goto out;
		}
	}
	ret = netlink_link_get(host_nl, rec->orig_name, &link, &err->base);
	if (ret == -ENODEV) {
		memset(&ignored, 0, sizeof(ignored));
		if (sriov_sysfs_vf(conf->sysfs_root, rec->pf, rec->vf_index, &vf, &ignored) < 0 ||
		    !vf.netdev[0] ||
		    netlink_link_get(host_nl, vf.netdev, &link, &ignored.base) < 0) {
			log_warn("sriov: VF %s has no netdev in the host netns; nothing to "
				 "restore on it",
				 rec->pci);
			ret = 0;
			goto out;
		}
		log_info("sriov: VF %s came back as %s, renaming it to %s", rec->pci, vf.netdev,
			 rec->orig_name);
		if ((ret = netlink_link_set_up(host_nl, vf.netdev, false, &err->base)) < 0 ||
		    (ret = netlink_link_rename(host_nl, vf.netdev, rec->orig_name, &err->base)) < 0)
			goto out;
	} else if (ret < 0) {
		goto out;
	}
	if (rec->orig_mtu && link.mtu != rec->orig_mtu &&
	    (ret = netlink_link_set_mtu(host_nl, rec->orig_name, rec->orig_mtu, &err->base)) < 0)
		goto out;
	if (rec->have_orig_mac && memcmp(link.mac, rec->orig_mac, sizeof(rec->orig_mac)) &&
	    (ret = netlink_link_set_mac(host_nl, rec->orig_name, rec->orig_mac, &err->base)) < 0)
		goto out;
	ret = 0;
out:
	netlink_close(pod_nl);
	if (host_fd >= 0)
		close(host_fd);
	if (ns_fd >= 0)
		close(ns_fd);
	return ret;
}

static int sriov_del(const struct datapath_context *ctx, const struct attachment *att,
		     struct cni_error *err)
{
	const struct attachment *env = att;
	struct sriov_reservation rec;
	struct netlink *host_nl = NULL;
	struct sriov_conf *conf;
	char path[PATH_MAX];
	int lock = -1, ret;

	conf = calloc(1, sizeof(*conf));
	if (!conf)
		return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "sriov: out of memory");
	sriov_conf_for(ctx, att, conf);
	/* No pool directory, no reservation: DEL of a network that never had a VF. */
	if (access(conf->pool_dir, F_OK) < 0 && errno == ENOENT) {
		ret = 0;
		goto out;
	}
	lock = sriov_pool_lock(conf->pool_dir, err);
	if (lock < 0) {
		ret = lock;
		goto out;
	}
	ret = -ENOENT;
	if (att->pci_id[0])
		ret = sriov_pool_load(conf->pool_dir, att->pci_id, &rec, err);
	if (ret == 0 &&
	    (strcmp(rec.container_id, env->container_id) || strcmp(rec.ifname, env->ifname)))
		ret = -ENOENT; /* the VF went to someone else since: not ours to touch */
	if (ret == -ENOENT)
		ret = sriov_pool_find(conf->pool_dir, env->container_id, env->ifname, &rec, err);
	if (ret == -ENOENT) {
		ret = 0; /* never added, or already deleted */
		goto out;
	}
	if (ret < 0)
		goto out;
	host_nl = netlink_open(&err->base);
	if (!host_nl) {
		ret = -errno;
		goto out;
	}
	if (rec.dpdk) {
		ret = sriov_descriptor_path(conf->descriptor_dir, rec.container_id, rec.ifname,
					    path, sizeof(path), err);
		if (ret == 0)
			ret = sriov_devinfo_remove(path, err);
	} else {
		ret = sriov_del_netdev(conf, env, &rec, host_nl, err);
	}
	if (ret < 0)
		goto out;
	if (rec.orig_vf.set && (ret = sriov_vf_apply(rec.pf, rec.vf_index, &rec.orig_vf, err)) < 0)
		goto out;
	if (conf->device_info_file[0] &&
	    (ret = sriov_devinfo_remove(conf->device_info_file, err)) < 0)
		goto out;
	ret = sriov_pool_release(conf->pool_dir, rec.pci, err);
	if (ret == 0)
		log_info("sriov: VF %s released by %s/%s", rec.pci, rec.container_id, rec.ifname);
out:
	netlink_close(host_nl);
	sriov_pool_unlock(lock);
	free(conf);
	return ret;
}

/* ---- CHECK ---- */

/*
 * GC: reservations of this network whose attachment the runtime no longer
 * has (a crash before the record was written): give the VF back as DEL does.
 */
static int sriov_gc(const struct datapath_context *ctx, datapath_is_valid_fn is_valid, void *arg,
		    struct cni_error *err)
{
	struct sriov_reservation *list = NULL;
	struct sriov_conf *conf;
	size_t n = 0;
	int lock, ret, first = 0;

	if (!((const struct sriov_conf *)ctx->dp_conf)->configured)
		return 0;
	conf = calloc(1, sizeof(*conf));
	if (!conf)
		return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "sriov: out of memory");
	*conf = *(const struct sriov_conf *)ctx->dp_conf;
	ret = 0;
	if (access(conf->pool_dir, F_OK) < 0 && errno == ENOENT)
		goto out;
	lock = sriov_pool_lock(conf->pool_dir, err);
	if (lock < 0) {
		ret = lock;
		goto out;
	}
	ret = sriov_pool_list(conf->pool_dir, &list, &n, err);
	sriov_pool_unlock(lock);
	for (size_t i = 0; ret == 0 && i < n; i++) {
		struct attachment one = {0};
		int r;

		if (strcmp(list[i].network, ctx->conf->name) ||
		    is_valid(list[i].container_id, list[i].ifname, arg))
			continue;
		log_info("sriov: GC: VF %s of stale attachment %s/%s", list[i].pci,
			 list[i].container_id, list[i].ifname);
		snprintf(one.container_id, sizeof(one.container_id), "%s", list[i].container_id);
		snprintf(one.ifname, sizeof(one.ifname), "%s", list[i].ifname);
		snprintf(one.network, sizeof(one.network), "%s", ctx->conf->name);
		r = sriov_del(ctx, &one, err);
		if (r < 0 && !first)
			first = r;
	}
	if (!ret)
		ret = first;
out:
	free(list);
	free(conf);
	return ret;
}

const struct datapath_ops sriov_datapath = {
	.name = "sriov",
	.conf_size = sizeof(struct sriov_conf),
	.parse = sriov_parse,
	.available = sriov_available,
	.add = sriov_add,
	.check = sriov_check,
	.del = sriov_del,
	.gc = sriov_gc,
};
