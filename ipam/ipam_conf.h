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
 * "rangesFile" (the node agent's file of this node's pod ranges, the same
 * {"ranges": [...]} syntax): when set its ranges replace the config's; a
 * missing file is code 11 (try again) naming it.
 */
int ipam_conf_parse(const json_t *ipam, const char *network_name, struct ipam_conf *out,
		    struct cni_error *err) __attribute__((warn_unused_result));

/*
 * The static addresses of one ADD, from the three places host-local reads
 * them, merged in host-local's order: cni_args_ip (the raw value of
 * CNI_ARGS "IP=", comma-separated), then args.cni.ips (args: the config's
 * top-level "args" object), then runtimeConfig.ips (the "ips" capability;
 * runtime_config: the config's "runtimeConfig" object). Each is "10.1.2.3"
 * or "10.1.2.3/24"; an IPv4-mapped IPv6 address counts as IPv4. The same
 * address given twice (podman sends it both as IP= and as "ips") is one
 * request. NULL / JSON null / "" mean "none". Code 7 names the bad value
 * and where it came from; more than IPAM_MAX_REQUESTED addresses is code 7.
 * Which range set each address belongs to is checked by ipam_add.
 */
int ipam_requested_parse(const json_t *runtime_config, const json_t *args, const char *cni_args_ip,
			 struct ipam_requested *out, struct cni_error *err)
	__attribute__((warn_unused_result));

#endif
