/* The IPAM entry points: open the network's disk store and hand it to the allocator. */
#include "ipam/ipam.h"

#include <errno.h>

#include "ipam/allocator.h"
#include "ipam/store.h"

static int open_store(const struct ipam_conf *conf, struct ipam_store **store,
		      struct cni_error *err)
{
	return ipam_store_disk_open(conf->data_dir, conf->network_name, store, err);
}

int ipam_add(const struct ipam_conf *conf, const char *container_id, const char *ifname,
	     const struct ip_prefix *requested, size_t n_requested, struct cni_result *result,
	     struct cni_error *err)
{
	struct ipam_store *store = NULL;
	int ret = open_store(conf, &store, err);

	if (!ret)
		ret = allocator_add(store, conf, container_id, ifname, requested, n_requested,
				    result, err);
	ipam_store_close(store);
	return ret;
}

int ipam_del(const struct ipam_conf *conf, const char *container_id, const char *ifname,
	     struct cni_error *err)
{
	struct ipam_store *store = NULL;
	int ret = open_store(conf, &store, err);

	if (!ret)
		ret = allocator_del(store, container_id, ifname, err);
	ipam_store_close(store);
	return ret;
}

int ipam_check(const struct ipam_conf *conf, const char *container_id, const char *ifname,
	       const struct cni_result *result, struct cni_error *err)
{
	struct ipam_store *store = NULL;
	int ret = open_store(conf, &store, err);

	if (!ret)
		ret = allocator_check(store, conf, container_id, ifname, result, err);
	ipam_store_close(store);
	return ret;
}

int ipam_gc(const struct ipam_conf *conf, const struct cni_gc_attachment *valid, size_t n_valid,
	    struct cni_error *err)
{
	struct ipam_store *store = NULL;
	int ret = open_store(conf, &store, err);

	if (!ret)
		ret = allocator_gc(store, valid, n_valid, err);
	ipam_store_close(store);
	return ret;
}

int ipam_status(const struct ipam_conf *conf, struct cni_error *err)
{
	struct ipam_store *store = NULL;
	struct cni_error cause = {0};
	int ret;

	/* STATUS has its own codes: an unusable store is "not available" (50). */
	ret = open_store(conf, &store, &cause);
	if (!ret)
		ret = store->ops->lock(store, &cause);
	if (!ret) {
		/* Under the lock: a concurrent GC sweeps interrupted writes, the probe's included.
		 */
		ret = store->ops->probe(store, &cause);
		store->ops->unlock(store);
	}
	if (ret) {
		ipam_store_close(store);
		return cni_error_set(err, CNI_ERR_NOT_AVAILABLE, -ret, "%s", cause.msg);
	}
	ret = allocator_status(store, conf, err);
	ipam_store_close(store);
	return ret;
}
