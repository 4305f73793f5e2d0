/*
 * slicenet-ipam: the IPAM library as a standalone CNI IPAM plugin, a drop-in
 * for host-local. Parse env + stdin, call one ipam_* verb, print one result.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipam/ipam.h"
#include "plugin/cni_env.h"
#include "plugin/cni_result.h"
#include "plugin/cni_version.h"

static const char *env_lookup(const char *name)
{
	return getenv(name);
}

static int print_version(const char *version)
{
	json_t *list = json_array(), *obj;
	int ret = 0;

	for (const char *const *v = cni_supported_versions; *v; v++)
		json_array_append_new(list, json_string(*v));
	obj = json_pack("{s:s, s:o}", "cniVersion", version, "supportedVersions", list);
	if (!obj || json_dumpf(obj, stdout, JSON_COMPACT) || puts("") == EOF)
		ret = -EIO;
	json_decref(obj);
	return ret;
}

/* CHECK since 0.4.0, GC and STATUS since 1.1.0. */
static int require_verb(const char *version, enum cni_command command, struct cni_error *err)
{
	const char *since = command == CNI_CMD_CHECK				 ? "0.4.0"
			    : command == CNI_CMD_GC || command == CNI_CMD_STATUS ? "1.1.0"
										 : NULL;

	if (since && !cni_version_at_least(version, since))
		return cni_error_set(err, CNI_ERR_INCOMPATIBLE_VERSION, ENOTSUP,
				     "%s needs cniVersion %s or later, the config has %s",
				     cni_command_name(command), since, version);
	return 0;
}

/* GC's keep-list; the spec's 1.1.0 text first named it cni.dev/attachments. */
static int parse_valid(const json_t *root, struct ipam_attachment **out, size_t *n,
		       struct cni_error *err)
{
	const json_t *list = json_object_get(root, "cni.dev/valid-attachments"), *item;
	size_t i;

	if (!list)
		list = json_object_get(root, "cni.dev/attachments");
	*out = NULL;
	*n = 0;
	if (!list || json_is_null(list))
		return 0;
	if (!json_is_array(list))
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "cni.dev/valid-attachments must be a list");
	*out = calloc(json_array_size(list) + 1, sizeof(**out));
	if (!*out)
		return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	json_array_foreach(list, i, item)
	{
		const char *id = json_string_value(json_object_get(item, "containerID"));
		const char *ifname = json_string_value(json_object_get(item, "ifname"));

		if (!id || !ifname)
			return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
					     "cni.dev/valid-attachments[%zu] needs string "
					     "\"containerID\" and \"ifname\"",
					     i);
		(*out)[(*n)++] = (struct ipam_attachment){id, ifname};
	}
	return 0;
}

static int run_check(const json_t *root, const struct ipam_conf *conf, const struct cni_env *env,
		     struct cni_result *result, struct cni_error *err)
{
	const json_t *prev = json_object_get(root, "prevResult");
	int ret;

	if (!prev)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "CHECK needs a prevResult in the config");
	ret = cni_result_decode(prev, result, err);
	return ret ? ret : ipam_check(conf, env->container_id, env->ifname, result, err);
}

static int run(const json_t *root, const struct cni_env *env, const char *version,
	       struct cni_error *err)
{
	struct ipam_attachment *valid = NULL;
	struct cni_result *result = NULL;
	struct ipam_conf *conf = NULL;
	size_t n_valid;
	int ret;

	if ((ret = cni_version_require(version, err)) ||
	    (ret = require_verb(version, env->command, err)))
		return ret;
	conf = malloc(sizeof(*conf));
	result = malloc(sizeof(*result));
	if (!conf || !result) {
		ret = cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
		goto out;
	}
	cni_result_init(result);
	ret = ipam_conf_parse(json_object_get(root, "ipam"),
			      json_string_value(json_object_get(root, "name")), conf, err);
	if (ret)
		goto out;
	switch (env->command) {
	case CNI_CMD_ADD:
		ret = ipam_add(conf, env->container_id, env->ifname, result, err);
		if (!ret)
			ret = cni_result_print(stdout, result, version, err);
		break;
	case CNI_CMD_DEL:
		ret = ipam_del(conf, env->container_id, env->ifname, err);
		break;
	case CNI_CMD_CHECK:
		ret = run_check(root, conf, env, result, err);
		break;
	case CNI_CMD_GC:
		ret = parse_valid(root, &valid, &n_valid, err);
		if (!ret)
			ret = ipam_gc(conf, valid, n_valid, err);
		break;
	case CNI_CMD_STATUS:
		ret = ipam_status(conf, err);
		break;
	case CNI_CMD_VERSION:
		break;
	}
out:
	free(valid);
	free(result);
	free(conf);
	return ret;
}

int main(void)
{
	struct cni_error err = {0};
	const char *version = "1.1.0";
	struct cni_env env;
	json_error_t json_err;
	json_t *root;
	int ret;

	root = json_loadf(stdin, 0, &json_err);
	if (json_is_string(json_object_get(root, "cniVersion")))
		version = json_string_value(json_object_get(root, "cniVersion"));
	ret = cni_env_load(&env, env_lookup, &err);
	if (!ret && env.command == CNI_CMD_VERSION) {
		ret = print_version(version);
		json_decref(root);
		return ret ? 1 : 0;
	}
	if (!ret && !json_is_object(root))
		ret = cni_error_set(&err, CNI_ERR_DECODE, EINVAL,
				    "network config on stdin: %s (line %d)",
				    root ? "not a JSON object" : json_err.text, json_err.line);
	if (!ret)
		ret = run(root, &env, version, &err);
	if (ret && cni_error_print(stdout, &err, cni_version_supported(version) ? version : NULL))
		fprintf(stderr, "slicenet-ipam: %s\n", err.msg);
	json_decref(root);
	return ret ? 1 : 0;
}
