/*
 * slicenet-ipam: the IPAM library as a standalone CNI IPAM plugin, a drop-in
 * for host-local. Parse env + stdin, call one ipam_* verb, print one result.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipam/ipam_conf.h"
#include "plugin/cni/cni_env.h"
#include "plugin/cni/cni_gc.h"
#include "plugin/cni/cni_result.h"
#include "plugin/cni/cni_version.h"

static const char *env_lookup(const char *name)
{
	return getenv(name);
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

/*
 * Static addresses are ADD's input only: parsed here, so a malformed IP= in
 * CNI_ARGS can never stop a DEL (host-local fails DEL on it too; we don't).
 */
static int run_add(const json_t *root, const struct ipam_conf *conf, const struct cni_env *env,
		   const char *version, struct cni_result *result, struct cni_error *err)
{
	struct ipam_requested requested;
	int ret;

	ret = ipam_requested_parse(json_object_get(root, "runtimeConfig"),
				   json_object_get(root, "args"), env->args.ip, &requested, err);
	if (!ret)
		ret = ipam_add(conf, env->container_id, env->ifname, requested.ips, requested.n,
			       result, err);
	if (!ret)
		ret = cni_result_print(stdout, result, version, err);
	return ret;
}

static int run(const json_t *root, const struct cni_env *env, const char *version,
	       struct cni_error *err)
{
	struct cni_gc_attachment *valid = NULL;
	struct cni_result *result = NULL;
	struct ipam_conf *conf = NULL;
	size_t n_valid;
	int ret;

	if ((ret = cni_version_require(version, err)) ||
	    (ret = cni_version_require_command(version, env->command, err)))
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
		ret = run_add(root, conf, env, version, result, err);
		break;
	case CNI_CMD_DEL:
		ret = ipam_del(conf, env->container_id, env->ifname, err);
		break;
	case CNI_CMD_CHECK:
		ret = run_check(root, conf, env, result, err);
		break;
	case CNI_CMD_GC:
		ret = cni_gc_valid_attachments(root, &valid, &n_valid, err);
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
		ret = cni_version_print(stdout, version);
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
