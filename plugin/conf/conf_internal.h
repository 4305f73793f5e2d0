/* Private to plugin/conf: the parts of conf_parse, each in its own file. */
#ifndef SLICENET_PLUGIN_CONF_CONF_INTERNAL_H
#define SLICENET_PLUGIN_CONF_CONF_INTERNAL_H

#include <jansson.h>

#include "plugin/conf/conf.h"

/* "slices" or "slicesFile" (or the one-class default) into out->slices. */
int conf_slices_parse(const json_t *root, struct netconf *out, struct cni_error *err)
	__attribute__((warn_unused_result));
/* Every datapath's network section, and each class's datapaths with its overrides. */
int conf_datapaths_parse(const json_t *root, const json_t *classes, struct netconf *out,
			 struct cni_error *err) __attribute__((warn_unused_result));
void conf_datapaths_free(struct netconf *conf);
/* runtimeConfig, args and top-level per-call keys into out->runtime. */
int conf_runtime_parse(const json_t *root, struct netconf *out, struct cni_error *err)
	__attribute__((warn_unused_result));

#endif
