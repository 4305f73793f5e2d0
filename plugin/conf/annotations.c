#include "plugin/conf/annotations.h"

#include <errno.h>
#include <stdio.h>

static int take(const json_t *value, const char *what, char *slice, size_t size,
		struct cni_error *err)
{
	if (!json_is_string(value))
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "%s: slice annotation must be a string", what);
	if (snprintf(slice, size, "%s", json_string_value(value)) >= (int)size)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, ENAMETOOLONG,
				     "%s: slice \"%.40s...\" is longer than %zu bytes", what,
				     json_string_value(value), size - 1);
	return 0;
}

int annotations_slice(const struct netconf *conf, const struct cni_env *env, char *slice,
		      size_t size, const char **source, struct cni_error *err)
{
	const json_t *annotations = NULL, *value = NULL, *cni;

	if (conf->runtime_config)
		annotations = json_object_get(conf->runtime_config, POD_ANNOTATIONS_CAPABILITY);
	/* containerd sends null, not {}, for a pod without annotations. */
	if (json_is_object(annotations))
		value = json_object_get(annotations, SLICE_ANNOTATION);
	if (value && !json_is_null(value)) {
		*source = "pod annotation " SLICE_ANNOTATION;
		return take(value, *source, slice, size, err);
	}
	cni = conf->args ? json_object_get(conf->args, "cni") : NULL;
	value = json_is_object(cni) ? json_object_get(cni, "slice") : NULL;
	if (value && !json_is_null(value)) {
		*source = "args.cni.slice";
		return take(value, *source, slice, size, err);
	}
	if (env->args.slice[0]) {
		*source = "CNI_ARGS SLICENET_SLICE";
		snprintf(slice, size, "%s", env->args.slice);
		return 0;
	}
	*source = "defaultSlice";
	if (snprintf(slice, size, "%s", conf->default_slice) >= (int)size)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, ENAMETOOLONG,
				     "defaultSlice is too long");
	return 0;
}
