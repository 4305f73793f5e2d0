/*
 * slicenet --validate: the node installer checks a new ConfigMap with the
 * verbs' own parser before it replaces the node's last good copy.
 */
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/conf/conf.h"

/* conf_parse and nothing else: what ADD would accept. */
static int validate_text(const char *text, size_t size, struct cni_error *err)
{
	struct netconf conf;
	bool core_ok;
	int ret = conf_parse(text, size, &conf, &core_ok, err);

	if (!ret)
		fprintf(stderr, "slicenet: valid: network %s, %u slice classes, default %s\n",
			conf.name, conf.n_slices, conf.default_slice);
	conf_free(&conf);
	return ret;
}

/*
 * One plugin config of a list as libcni hands it to the plugin: the list's
 * cniVersion and name injected, slicesFile pointed at the candidate table.
 */
static int validate_plugin(const json_t *plugin, const json_t *list, const char *slices_file,
			   struct cni_error *err)
{
	static const char *const inherited[] = {"cniVersion", "name"};
	json_t *copy = json_deep_copy(plugin);
	char *text = NULL;
	int ret = -ENOMEM;

	if (!copy)
		goto out;
	for (size_t k = 0; list && k < sizeof(inherited) / sizeof(inherited[0]); k++)
		if (json_object_get(list, inherited[k]) &&
		    json_object_set(copy, inherited[k], json_object_get(list, inherited[k])))
			goto out;
	if (slices_file && json_object_set_new(copy, "slicesFile", json_string(slices_file)))
		goto out;
	text = json_dumps(copy, JSON_COMPACT);
	if (text)
		ret = validate_text(text, strlen(text), err);
out:
	if (ret == -ENOMEM && !err->code)
		cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	free(text);
	json_decref(copy);
	return ret;
}

/*
 * --validate: every "slicenet" plugin of a conflist, or one plugin config,
 * from stdin, parsed exactly as ADD parses it. Nothing is created, no log
 * is written, no daemon is asked: the node installer runs this on a new
 * ConfigMap before it replaces the node's last good copy.
 */
int conf_validate(const char *data, size_t size, const char *slices_file, struct cni_error *err)
{
	json_t *root = json_loadb(data, size, JSON_REJECT_DUPLICATES, NULL);
	const json_t *plugins = json_object_get(root, "plugins");
	unsigned int found = 0;
	json_t *plugin;
	size_t i;
	int ret = 0;

	if (!json_is_object(root)) {
		/* conf_parse names what is wrong with the bytes. */
		json_decref(root);
		return validate_text(data, size, err);
	}
	if (!json_is_array(plugins)) {
		ret = validate_plugin(root, NULL, slices_file, err);
		json_decref(root);
		return ret;
	}
	json_array_foreach(plugins, i, plugin)
	{
		const char *type = json_string_value(json_object_get(plugin, "type"));

		if (!type || strcmp(type, "slicenet"))
			continue;
		found++;
		if ((ret = validate_plugin(plugin, root, slices_file, err))) {
			cni_error_details(err, "in plugins[%zu] of the conflist", i);
			break;
		}
	}
	json_decref(root);
	if (!ret && !found)
		ret = cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "the conflist has no plugin of type \"slicenet\"");
	return ret;
}
