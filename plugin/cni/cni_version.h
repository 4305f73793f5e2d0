/* CNI spec versions this code speaks, and how they compare. */
#ifndef SLICENET_PLUGIN_CNI_VERSION_H
#define SLICENET_PLUGIN_CNI_VERSION_H

#include <stdbool.h>
#include <stdio.h>

#include "plugin/cni/cni_env.h"
#include "plugin/cni/cni_error.h"

/* NULL-terminated, oldest first: what VERSION reports. */
extern const char *const cni_supported_versions[];

bool cni_version_supported(const char *version);
/* Compare dotted versions numerically; <0, 0, >0. Unparsable sorts lowest. */
int cni_version_compare(const char *a, const char *b);
/* True when version >= min (e.g. "1.1.0" has GC/STATUS/socketPath). */
bool cni_version_at_least(const char *version, const char *min);
/* Code 1 with a message naming the version when it is not supported. */
int cni_version_require(const char *version, struct cni_error *err)
	__attribute__((warn_unused_result));

/* Code 1 when command is newer than version: CHECK needs 0.4.0, GC and STATUS 1.1.0. */
int cni_version_require_command(const char *version, enum cni_command command,
				struct cni_error *err) __attribute__((warn_unused_result));
/* The VERSION reply: {"cniVersion": version, "supportedVersions": [...]}. */
int cni_version_print(FILE *out, const char *version) __attribute__((warn_unused_result));

#endif
