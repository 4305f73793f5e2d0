/*
 * The plugin's side of IPAM: "slicenet-ipam" runs in-process (no exec), any
 * other ipam.type is delegated by exec through CNI_PATH.
 */
#ifndef SLICENET_PLUGIN_IPAM_CLIENT_H
#define SLICENET_PLUGIN_IPAM_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "ipam/ipam.h"
#include "plugin/cni/cni_env.h"
#include "plugin/cni/cni_error.h"
#include "plugin/cni/cni_types.h"
#include "plugin/conf/conf.h"

#define IPAM_IN_PROCESS_TYPE "slicenet-ipam"

/* The request as received: delegates get the same bytes (spec §4). */
struct ipam_request {
	const struct netconf *conf;
	const struct cni_env *env;
	const char *raw_config;
	size_t raw_config_size;
};

bool ipam_client_in_process(const struct netconf *conf);
/* Appends ips (interface -1), routes and dns to result. */
int ipam_client_add(const struct ipam_request *req, struct cni_result *result,
		    struct cni_error *err) __attribute__((warn_unused_result));
int ipam_client_del(const struct ipam_request *req, struct cni_error *err)
	__attribute__((warn_unused_result));
int ipam_client_check(const struct ipam_request *req, const struct cni_result *expected,
		      struct cni_error *err) __attribute__((warn_unused_result));
int ipam_client_gc(const struct ipam_request *req, const struct cni_gc_attachment *valid,
		   size_t n_valid, struct cni_error *err) __attribute__((warn_unused_result));
int ipam_client_status(const struct ipam_request *req, struct cni_error *err)
	__attribute__((warn_unused_result));

#endif
