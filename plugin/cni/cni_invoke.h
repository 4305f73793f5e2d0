/* Exec a delegated CNI plugin (IPAM) found through CNI_PATH, as the spec says. */
#ifndef SLICENET_PLUGIN_CNI_INVOKE_H
#define SLICENET_PLUGIN_CNI_INVOKE_H

#include <stddef.h>

#include "plugin/cni/cni_env.h"
#include "plugin/cni/cni_error.h"
#include "plugin/cni/cni_types.h"

/*
 * Run plugin `type` with our environment but CNI_COMMAND=command, feeding
 * config on stdin. On success output (may be NULL) receives the result it
 * printed, decoded (empty when it printed nothing). A delegate that has not
 * ended within timeout_ms, or prints more than 1 MiB, is killed (with its
 * process group) and reaped: code 107 saying which. On failure err carries the
 * delegate's own code and message, prefixed with its name.
 */
int cni_invoke_exec(const char *type, const char *command, const struct cni_env *env,
		    const char *config, size_t config_size, int timeout_ms,
		    struct cni_result *output, struct cni_error *err)
	__attribute__((warn_unused_result));

#endif
