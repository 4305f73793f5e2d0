/*
 * Each datapath parses its own section through its parse op: once at the
 * network level (so a broken section is an error whatever class is picked)
 * and once per class that lists it, with the class's overrides on top.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/conf/conf_internal.h"
#include "plugin/datapath/datapath.h"

static int parse_one(const struct datapath_ops *ops, const json_t *root, const json_t *class_obj,
		     const char *class_name, const struct netconf *conf, void **out,
		     struct cni_error *err)
{
	struct datapath_parse_input in = {
		.section = json_object_get(root, ops->name),
		.class_obj = class_obj,
		.class_name = class_name,
		.conf = conf,
	};
	void *parsed = calloc(1, ops->conf_size ? ops->conf_size : 1);
	int ret;

	if (!parsed)
		return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	if (json_is_null(in.section))
		in.section = NULL;
	if (in.section && !json_is_object(in.section)) {
		free(parsed);
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "\"%s\" must be an object", ops->name);
	}
	ret = ops->parse ? ops->parse(&in, parsed, err) : 0;
	if (ret) {
		free(parsed);
		return ret;
	}
	*out = parsed;
	return 0;
}

int conf_datapaths_parse(const json_t *root, const json_t *classes, struct netconf *out,
			 struct cni_error *err)
{
	unsigned int i = 0;
	int ret;

	for (const struct datapath_ops *const *ops = datapath_registry; *ops; ops++, i++) {
		if (i >= DATAPATH_MAX)
			return cni_error_set(err, CNI_ERR_INTERNAL, E2BIG,
					     "more datapaths than DATAPATH_MAX");
		ret = parse_one(*ops, root, NULL, NULL, out, &out->datapath_conf[i], err);
		if (ret)
			return ret;
	}
	for (unsigned int c = 0; c < out->n_slices; c++) {
		struct slice_class *slice = &out->slices[c];
		const json_t *class_obj = classes ? json_object_get(classes, slice->name) : NULL;

		for (unsigned int d = 0; d < slice->n_datapaths; d++) {
			ret = parse_one(datapath_find(slice->datapaths[d]), root, class_obj,
					slice->name, out, &slice->datapath_conf[d], err);
			if (ret)
				return ret;
		}
	}
	return 0;
}

int conf_datapath_defaults(struct netconf *conf, struct cni_error *err)
{
	static const json_t *const empty = NULL;
	unsigned int i = 0;

	for (const struct datapath_ops *const *ops = datapath_registry; *ops && i < DATAPATH_MAX;
	     ops++, i++) {
		int ret;

		if (conf->datapath_conf[i])
			continue;
		ret = parse_one(*ops, empty, NULL, NULL, conf, &conf->datapath_conf[i], err);
		if (ret)
			return ret;
	}
	return 0;
}

void conf_datapaths_free(struct netconf *conf)
{
	for (unsigned int i = 0; i < DATAPATH_MAX; i++) {
		free(conf->datapath_conf[i]);
		conf->datapath_conf[i] = NULL;
	}
	for (unsigned int c = 0; c < conf->n_slices; c++)
		for (unsigned int d = 0; d < SLICE_MAX_DATAPATHS; d++) {
			free(conf->slices[c].datapath_conf[d]);
			conf->slices[c].datapath_conf[d] = NULL;
		}
}
