/*
 * Crash points for the crash-consistency tests: when SLICENET_FAULT_POINT
 * names a point, the process kills itself there with SIGKILL, as a node
 * losing power or an OOM kill would. Costs one getenv per point otherwise.
 */
#ifndef SLICENET_PLUGIN_FAULT_H
#define SLICENET_PLUGIN_FAULT_H

void fault_point(const char *name);

#endif
