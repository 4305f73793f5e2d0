/* Slice classes: resolve the pod's class and pick the datapath that serves it. */
#ifndef SLICENET_PLUGIN_SLICE_H
#define SLICENET_PLUGIN_SLICE_H

#include "plugin/attachment.h"
#include "plugin/cni/cni_error.h"
#include "plugin/conf/conf.h"
#include "plugin/datapath/datapath.h"

/* The class named name, or code 7 naming it and the known classes. */
int slice_resolve(const struct netconf *conf, const char *name, const struct slice_class **out,
		  struct cni_error *err) __attribute__((warn_unused_result));

/*
 * The first datapath of the class this node can serve for att, with its
 * context; each one skipped is logged with its reason. None:
 * CNI_ERR_DATAPATH listing every reason.
 */
int slice_pick_datapath(const struct netconf *conf, const struct slice_class *slice,
			const struct attachment *att, const struct datapath_ops **out,
			struct datapath_context *ctx, struct cni_error *err)
	__attribute__((warn_unused_result));

#endif
