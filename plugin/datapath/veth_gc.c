/* veth GC: host ends whose alias names an owner the runtime no longer has. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plugin/datapath/pod_check.h"
#include "plugin/datapath/veth.h"
#include "plugin/datapath/veth_internal.h"
#include "plugin/kernel/netlink.h"
#include "plugin/kernel/netns.h"
#include "plugin/util/ipaddr.h"
#include "plugin/util/log.h"

struct veth_gc {
	const char *network;
	bool (*is_valid)(const char *container_id, const char *ifname, void *arg);
	void *arg;
	char (*stale)[IFNAMSIZ]; /* collected during the dump, deleted after it */
	size_t n_stale, cap;
};

static int veth_gc_link(const struct netlink_link *link, void *arg)
{
	struct veth_gc *gc = arg;
	char prefix[300], id[CNI_CONTAINER_ID_MAX], ifname[IFNAMSIZ];
	const char *rest, *colon;

	if (snprintf(prefix, sizeof(prefix), VETH_ALIAS_PREFIX "%s:", gc->network) >=
	    (int)sizeof(prefix))
		return 0;
	if (strcmp(link->kind, "veth") || strncmp(link->alias, prefix, strlen(prefix)))
		return 0;
	rest = link->alias + strlen(prefix);
	colon = strchr(rest, ':');
	if (!colon || (size_t)(colon - rest) >= sizeof(id) || strlen(colon + 1) >= sizeof(ifname))
		return 0;
	snprintf(id, sizeof(id), "%.*s", (int)(colon - rest), rest);
	snprintf(ifname, sizeof(ifname), "%s", colon + 1);
	if (gc->is_valid(id, ifname, gc->arg))
		return 0;
	if (gc->n_stale == gc->cap) {
		size_t cap = gc->cap ? gc->cap * 2 : 16;
		char(*grown)[IFNAMSIZ] = realloc(gc->stale, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		gc->stale = grown;
		gc->cap = cap;
	}
	snprintf(gc->stale[gc->n_stale++], IFNAMSIZ, "%s", link->name);
	return 0;
}

int veth_gc(const struct datapath_context *ctx, datapath_is_valid_fn is_valid, void *arg,
	    struct cni_error *err)
{
	struct veth_gc gc = {ctx->conf->name, is_valid, arg, NULL, 0, 0};
	struct netlink *nl = netlink_open(&err->base);
	int ret, first = 0;

	if (!nl)
		return -errno;
	ret = netlink_link_foreach(nl, veth_gc_link, &gc, &err->base);
	if (ret == -ENOMEM)
		cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "veth: GC: out of memory");
	/* A request on the socket in the middle of a dump would corrupt it: delete after. */
	for (size_t i = 0; !ret && i < gc.n_stale; i++) {
		int r = netlink_link_delete(nl, gc.stale[i], &err->base);

		if (r < 0 && r != -ENODEV && !first)
			first = r;
	}
	free(gc.stale);
	netlink_close(nl);
	return ret ? ret : first;
}
