/* Encode/decode a struct cni_result in the JSON shape of a given cniVersion. */
#ifndef SLICENET_PLUGIN_CNI_RESULT_H
#define SLICENET_PLUGIN_CNI_RESULT_H

#include <stdio.h>

#include "plugin/cni/cni_error.h"
#include "plugin/cni/cni_types.h"

struct json_t; /* jansson's: only codecs include it */

/*
 * Result JSON for cni_version: 0.3.x/0.4.0 carry ips[].version, 1.0+ do not,
 * 1.1.0 adds interface mtu/socketPath/pciID and route mtu/advmss/priority/
 * table/scope. Returns a new reference or NULL with err filled.
 */
struct json_t *cni_result_encode(const struct cni_result *result, const char *cni_version,
				 struct cni_error *err);

/*
 * Decode a result (prevResult, or a delegated IPAM plugin's stdout) of any
 * supported version into out. Unknown keys are ignored.
 */
int cni_result_decode(const struct json_t *json, struct cni_result *out, struct cni_error *err)
	__attribute__((warn_unused_result));

/* Decode a "dns" object (config or result); NULL/absent gives an empty one. */
int cni_dns_decode(const struct json_t *obj, struct cni_dns *out, struct cni_error *err)
	__attribute__((warn_unused_result));

/* Encode and print compactly with a trailing newline to out. */
int cni_result_print(FILE *out, const struct cni_result *result, const char *cni_version,
		     struct cni_error *err) __attribute__((warn_unused_result));

#endif
