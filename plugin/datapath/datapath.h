/*
 * One small interface per datapath (veth, sriov, vhostuser) and the registry
 * that lists them: a new datapath is one file plus one line in datapath.c.
 */
#ifndef SLICENET_PLUGIN_DATAPATH_H
#define SLICENET_PLUGIN_DATAPATH_H

#include <stdbool.h>
#include <stddef.h>

#include "plugin/attachment.h"
#include "plugin/cni/cni_env.h"
#include "plugin/cni/cni_error.h"
#include "plugin/cni/cni_types.h"
#include "plugin/conf/conf.h"

struct datapath_context {
	const struct cni_env *env;
	const struct netconf *conf;
	const struct slice_class *slice; /* NULL on DEL/GC without a record */
};

struct datapath_ops {
	const char *name;
	/* Can this node serve the datapath now? why explains a "no". */
	bool (*available)(const struct datapath_context *ctx, char *why, size_t why_size);
	/*
	 * result->ips/routes hold IPAM's addresses (interface -1). add appends
	 * the host-side and the container interface (named env->ifname, sandbox
	 * env->netns), points ips[].interface at the container one, adds its
	 * routes, and records host-side names in att. On failure it removes
	 * everything it created.
	 */
	int (*add)(const struct datapath_context *ctx, struct cni_result *result,
		   struct attachment *att, struct cni_error *err);
	/* Compare what exists with expected (prevResult or the record). */
	int (*check)(const struct datapath_context *ctx, const struct attachment *att,
		     const struct cni_result *expected, struct cni_error *err);
	/* Remove what add created; 0 when it is already gone. */
	int (*del)(const struct datapath_context *ctx, const struct attachment *att,
		   struct cni_error *err);
	/*
	 * Optional, for GC: remove this network's host-side leftovers that no
	 * record describes (a crash between creating them and saving the
	 * record) and whose (container id, ifname) is_valid rejects.
	 */
	int (*gc)(const struct datapath_context *ctx,
		  bool (*is_valid)(const char *container_id, const char *ifname, void *arg),
		  void *arg, struct cni_error *err);
};

/* NULL when name is no registered datapath. */
const struct datapath_ops *datapath_find(const char *name);
/* NULL-terminated registry, in no particular order. */
extern const struct datapath_ops *const datapath_registry[];

#endif
