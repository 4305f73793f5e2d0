#include "plugin/slice.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "plugin/util/log.h"

int slice_resolve(const struct netconf *conf, const char *name, const struct slice_class **out,
		  struct cni_error *err)
{
	char known[512] = "";
	size_t used = 0;

	*out = conf_find_slice(conf, name);
	if (*out)
		return 0;
	for (unsigned int i = 0; i < conf->n_slices && used < sizeof(known); i++)
		used += (size_t)snprintf(known + used, sizeof(known) - used, "%s%s", i ? ", " : "",
					 conf->slices[i].name);
	return cni_error_set(err, CNI_ERR_INVALID_CONFIG, ENOENT,
			     "unknown slice class \"%s\" (this network has: %s)", name, known);
}

int slice_pick_datapath(const struct netconf *conf, const struct slice_class *slice,
			const struct attachment *att, const struct datapath_ops **out,
			struct datapath_context *ctx, struct cni_error *err)
{
	char reasons[400] = "";
	size_t used = 0;

	for (unsigned int i = 0; i < slice->n_datapaths; i++) {
		const char *name = slice->datapaths[i];
		const struct datapath_ops *ops = datapath_find(name);
		char why[160] = "not built into this plugin";

		/* conf_parse gave every listed datapath its config: ctx is complete. */
		ctx->conf = conf;
		ctx->slice = slice;
		ctx->dp_conf = slice->datapath_conf[i];
		if (ops && ctx->dp_conf && ops->available(ctx, att, why, sizeof(why))) {
			if (i)
				log_warn("slice %s: fell back to datapath %s (preferred ones "
					 "unavailable: %s)",
					 slice->name, name, reasons);
			else
				log_info("slice %s: datapath %s", slice->name, name);
			*out = ops;
			return 0;
		}
		log_info("slice %s: datapath %s unavailable: %s", slice->name, name, why);
		if (used < sizeof(reasons))
			used += (size_t)snprintf(reasons + used, sizeof(reasons) - used, "%s%s: %s",
						 used ? "; " : "", name, why);
	}
	return cni_error_set(err, CNI_ERR_DATAPATH, ENODEV,
			     "slice %s: no datapath of the class is available on this node (%s)",
			     slice->name, reasons);
}
