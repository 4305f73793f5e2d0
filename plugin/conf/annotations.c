#include "plugin/conf/annotations.h"

#include <errno.h>
#include <stdio.h>

int annotations_slice(const struct netconf *conf, const struct cni_env *env, char *slice,
		      size_t size, const char **source, struct cni_error *err)
{
	const struct conf_slice_request *req = &conf->runtime.slice;
	const char *value = conf->default_slice;

	*source = "defaultSlice";
	if (req->has_annotation) {
		*source = "pod annotation " SLICE_ANNOTATION;
		value = req->annotation;
	} else if (req->has_args_cni) {
		*source = "args.cni.slice";
		value = req->args_cni;
	} else if (env->args.slice[0]) {
		*source = "CNI_ARGS SLICENET_SLICE";
		value = env->args.slice;
	}
	if (snprintf(slice, size, "%s", value) >= (int)size)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, ENAMETOOLONG,
				     "%s: slice \"%.40s...\" is longer than %zu bytes", *source,
				     value, size - 1);
	return 0;
}
