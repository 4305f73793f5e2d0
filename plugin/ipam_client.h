/*
 * The plugin's side of IPAM: "slicenet-ipam" runs in-process (no exec) on the
 * IPAM config conf_parse already parsed; any other ipam.type is delegated by
 * exec through CNI_PATH with the request's own bytes (spec §4).
 */
#ifndef SLICENET_PLUGIN_IPAM_CLIENT_H
#define SLICENET_PLUGIN_IPAM_CLIENT_H

#include <stddef.h>

#include "plugin/attachment.h"
#include "plugin/cni/cni_env.h"
#include "plugin/cni/cni_error.h"
#include "plugin/cni/cni_types.h"
#include "plugin/conf/conf.h"

struct ipam_conf;

struct ipam_request {
	const struct netconf *conf;
	const struct cni_env *env;    /* CNI_PATH and CNI_ARGS for a delegate */
	const struct attachment *att; /* whose addresses */
	const struct ipam_conf
		*ipam; /* in-process config other than the network's (a data block) */
	const char *raw_config;
	size_t raw_config_size;
};

/* Appends ips (interface -1), routes and dns to result. */
int ipam_client_add(const struct ipam_request *req, struct cni_result *result,
		    struct cni_error *err) __attribute__((warn_unused_result));
/* Works from the record (att->ipam_type) when the config's IPAM section is broken. */
int ipam_client_del(const struct ipam_request *req, struct cni_error *err)
	__attribute__((warn_unused_result));
int ipam_client_check(const struct ipam_request *req, const struct cni_result *expected,
		      struct cni_error *err) __attribute__((warn_unused_result));
int ipam_client_gc(const struct ipam_request *req, struct cni_error *err)
	__attribute__((warn_unused_result));
int ipam_client_status(const struct ipam_request *req, struct cni_error *err)
	__attribute__((warn_unused_result));

#endif
