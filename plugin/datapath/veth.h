/*
 * The veth datapath: a kernel veth pair routed by the host, as the reference
 * ptp plugin does (gateway address on the host end, /32 and /128 host routes
 * to the pod, the pod's routes via the gateway).
 */
#ifndef SLICENET_PLUGIN_VETH_H
#define SLICENET_PLUGIN_VETH_H

#include <net/if.h>

#include "plugin/datapath/datapath.h"

/*
 * The host end's name for (container id, ifname): "sn" + 12 hex digits of the
 * 64-bit FNV-1a hash of "<id>/<ifname>". Stable, so DEL needs no state.
 */
void veth_host_ifname(const char *container_id, const char *ifname, char out[IFNAMSIZ]);

extern const struct datapath_ops veth_datapath;

#endif
