/* Where the pod's slice class comes from (annotations and their stand-ins). */
#ifndef SLICENET_PLUGIN_CONF_ANNOTATIONS_H
#define SLICENET_PLUGIN_CONF_ANNOTATIONS_H

#include <stddef.h>

#include "plugin/cni/cni_env.h"
#include "plugin/cni/cni_error.h"
#include "plugin/conf/conf.h"

#define SLICE_ANNOTATION	   "slicenet.io/slice"
#define POD_ANNOTATIONS_CAPABILITY "io.kubernetes.cri.pod-annotations"

/*
 * The class requested for this pod, first hit wins: runtimeConfig pod
 * annotations (containerd, CRI-O), args.cni.slice (Multus cni-args),
 * CNI_ARGS SLICENET_SLICE, else the config's defaultSlice. source names the
 * hit for the log.
 */
int annotations_slice(const struct netconf *conf, const struct cni_env *env, char *slice,
		      size_t size, const char **source, struct cni_error *err)
	__attribute__((warn_unused_result));

#endif
