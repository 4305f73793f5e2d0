/* The vhostuser datapath: a vhost-user port on slicenetd, the node's DPDK switch. */
#ifndef SLICENET_PLUGIN_VHOSTUSER_H
#define SLICENET_PLUGIN_VHOSTUSER_H

#include "plugin/datapath/datapath.h"

extern const struct datapath_ops vhostuser_datapath;

#endif
