/*
 * The sriov datapath: a virtual function of the node's NIC for the pod.
 * Netdev mode moves the VF's netdev into the pod; DPDK mode (VF bound to
 * vfio-pci) hands over the PCI device through the result and a descriptor.
 */
#ifndef SLICENET_PLUGIN_SRIOV_H
#define SLICENET_PLUGIN_SRIOV_H

#include "plugin/datapath/datapath.h"

extern const struct datapath_ops sriov_datapath;

#endif
