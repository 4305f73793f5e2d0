#include "plugin/ipam_client.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ipam/ipam_conf.h"
#include "plugin/cni/cni_invoke.h"
#include "plugin/cni/cni_result.h"

bool ipam_client_in_process(const struct netconf *conf)
{
	return !strcmp(conf->ipam_type, IPAM_IN_PROCESS_TYPE);
}

static int parse_conf(const struct ipam_request *req, struct ipam_conf *out, struct cni_error *err)
{
	if (!req->conf->ipam)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "the \"ipam\" section is required");
	return ipam_conf_parse(req->conf->ipam, req->conf->name, out, err);
}

static int delegate(const struct ipam_request *req, const char *command, json_t **output,
		    struct cni_error *err)
{
	return cni_invoke_exec(req->conf->ipam_type, command, req->env, req->raw_config,
			       req->raw_config_size, output, err);
}

int ipam_client_add(const struct ipam_request *req, struct cni_result *result,
		    struct cni_error *err)
{
	struct cni_result *delegated = NULL;
	struct ipam_conf conf;
	json_t *output = NULL;
	int ret;

	if (ipam_client_in_process(req->conf)) {
		ret = parse_conf(req, &conf, err);
		return ret ? ret
			   : ipam_add(&conf, req->env->container_id, req->env->ifname, NULL, 0,
				      result, err);
	}
	if (!req->conf->ipam)
		return parse_conf(req, &conf, err);
	ret = delegate(req, "ADD", &output, err);
	if (ret)
		return ret;
	delegated = malloc(sizeof(*delegated));
	if (!delegated) {
		ret = cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
		goto out;
	}
	ret = cni_result_decode(output, delegated, err);
	if (ret) {
		cni_error_details(err, "in the result of IPAM plugin %s", req->conf->ipam_type);
		goto out;
	}
	if (!delegated->n_ips) {
		ret = cni_error_set(err, CNI_ERR_IPAM, EINVAL, "IPAM plugin %s returned no address",
				    req->conf->ipam_type);
		goto out;
	}
	for (unsigned int i = 0; i < delegated->n_ips && result->n_ips < CNI_MAX_IPS; i++) {
		result->ips[result->n_ips] = delegated->ips[i];
		result->ips[result->n_ips++].interface = -1;
	}
	for (unsigned int i = 0; i < delegated->n_routes && result->n_routes < CNI_MAX_ROUTES; i++)
		result->routes[result->n_routes++] = delegated->routes[i];
	if (delegated->dns.n_nameservers || delegated->dns.domain[0] || delegated->dns.n_search)
		result->dns = delegated->dns;
	ret = 0;
out:
	free(delegated);
	json_decref(output);
	if (ret) {
		/* Spec §4: a plugin whose IPAM ADD failed midway calls DEL before failing. */
		struct cni_error ignored = {0};

		if (delegate(req, "DEL", NULL, &ignored))
			return ret;
	}
	return ret;
}

int ipam_client_del(const struct ipam_request *req, struct cni_error *err)
{
	struct ipam_conf conf;
	int ret;

	if (!req->conf->ipam)
		return 0;
	if (!ipam_client_in_process(req->conf))
		return delegate(req, "DEL", NULL, err);
	ret = parse_conf(req, &conf, err);
	return ret ? ret : ipam_del(&conf, req->env->container_id, req->env->ifname, err);
}

int ipam_client_check(const struct ipam_request *req, const struct cni_result *expected,
		      struct cni_error *err)
{
	struct ipam_conf conf;
	int ret;

	if (!req->conf->ipam)
		return 0;
	if (!ipam_client_in_process(req->conf))
		return delegate(req, "CHECK", NULL, err);
	ret = parse_conf(req, &conf, err);
	return ret ? ret
		   : ipam_check(&conf, req->env->container_id, req->env->ifname, expected, err);
}

int ipam_client_gc(const struct ipam_request *req, const struct cni_gc_attachment *valid,
		   size_t n_valid, struct cni_error *err)
{
	struct ipam_conf conf;
	int ret;

	if (!req->conf->ipam)
		return 0;
	/* The delegate reads cni.dev/valid-attachments from the same config. */
	if (!ipam_client_in_process(req->conf))
		return delegate(req, "GC", NULL, err);
	ret = parse_conf(req, &conf, err);
	return ret ? ret : ipam_gc(&conf, valid, n_valid, err);
}

int ipam_client_status(const struct ipam_request *req, struct cni_error *err)
{
	struct ipam_conf conf;
	int ret;

	if (!req->conf->ipam)
		return 0;
	if (!ipam_client_in_process(req->conf))
		return delegate(req, "STATUS", NULL, err);
	ret = parse_conf(req, &conf, err);
	return ret ? ret : ipam_status(&conf, err);
}
