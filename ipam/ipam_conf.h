/*
 * The parse layer of IPAM: JSON in, the typed structs of ipam/ipam.h out.
 * The only IPAM header that includes jansson; the plugin's conf layer calls
 * these too, so both binaries accept exactly the same input.
 */
#ifndef SLICENET_IPAM_IPAM_CONF_H
#define SLICENET_IPAM_IPAM_CONF_H

#include <jansson.h>

#include "ipam/ipam.h"
#include "plugin/cni/cni_error.h"

/*
 * Parse the "ipam" object of a network config (host-local syntax: "ranges",
 * or the legacy single "subnet"/"rangeStart"/"rangeEnd"/"gateway"; "routes";
 * "dataDir"). Unknown keys are ignored. Code 7 names the bad value.
 */
int ipam_conf_parse(const json_t *ipam, const char *network_name, struct ipam_conf *out,
		    struct cni_error *err) __attribute__((warn_unused_result));

#endif
