/* The vhostuser datapath: a vhost-user port on slicenetd, the node's DPDK switch. */
#ifndef SLICENET_PLUGIN_DATAPATH_VHOSTUSER_H
#define SLICENET_PLUGIN_DATAPATH_VHOSTUSER_H

#include "plugin/datapath/datapath.h"

extern const struct datapath_ops vhostuser_datapath;

/* The parse op (vhostuser_conf.c). */
int vhostuser_parse(const struct datapath_parse_input *in, void *out, struct cni_error *err)
	__attribute__((warn_unused_result));

#endif
