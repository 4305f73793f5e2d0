#include "plugin/ipam_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/cni/cni_invoke.h"

/* The record's type when there is one: the config may have changed since ADD. */
static const char *ipam_type(const struct ipam_request *req)
{
	if (req->att && req->att->ipam_type[0])
		return req->att->ipam_type;
	return req->conf->ipam_type;
}

static bool in_process(const struct ipam_request *req)
{
	return !strcmp(ipam_type(req), CONF_IPAM_IN_PROCESS_TYPE);
}

/*
 * The in-process config: the parsed one, or (DEL of a network whose IPAM
 * section no longer parses) the store of this network at its default place.
 */
static const struct ipam_conf *ipam_conf_of(const struct ipam_request *req,
					    struct ipam_conf *fallback)
{
	if (req->ipam)
		return req->ipam;
	/* A data network's record names its own store; the network's config is not it. */
	if (req->conf->ipam && !(req->att && req->att->ipam_network[0]))
		return req->conf->ipam;
	memset(fallback, 0, sizeof(*fallback));
	snprintf(fallback->network_name, sizeof(fallback->network_name), "%s",
		 req->att && req->att->ipam_network[0] ? req->att->ipam_network : req->conf->name);
	snprintf(fallback->data_dir, sizeof(fallback->data_dir), "%s",
		 req->att && req->att->ipam_data_dir[0] ? req->att->ipam_data_dir
							: IPAM_DEFAULT_DATA_DIR);
	return fallback;
}

/* The delegate's environment is ours, for the attachment at hand (GC may name another). */
static int delegate(const struct ipam_request *req, const char *command, struct cni_result *output,
		    struct cni_error *err)
{
	struct cni_env *env = malloc(sizeof(*env));
	int ret;

	if (!env)
		return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	*env = *req->env;
	if (req->att) {
		snprintf(env->container_id, sizeof(env->container_id), "%s",
			 req->att->container_id);
		snprintf(env->ifname, sizeof(env->ifname), "%s", req->att->ifname);
		snprintf(env->netns, sizeof(env->netns), "%s", req->att->netns);
	}
	ret = cni_invoke_exec(ipam_type(req), command, env, req->raw_config, req->raw_config_size,
			      (int)req->conf->delegate_timeout_ms, output, err);
	free(env);
	return ret;
}

static int add_delegated(const struct ipam_request *req, struct cni_result *result,
			 struct cni_error *err)
{
	struct cni_result *delegated = malloc(sizeof(*delegated));
	int ret;

	if (!delegated)
		return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	ret = delegate(req, "ADD", delegated, err);
	if (ret)
		goto out;
	if (!delegated->n_ips) {
		ret = cni_error_set(err, CNI_ERR_IPAM, EINVAL, "IPAM plugin %s returned no address",
				    ipam_type(req));
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
out:
	free(delegated);
	if (ret) {
		/* Spec §4: a plugin whose IPAM ADD failed midway calls DEL before failing. */
		struct cni_error ignored = {0};

		if (delegate(req, "DEL", NULL, &ignored))
			return ret;
	}
	return ret;
}

int ipam_client_add(const struct ipam_request *req, struct cni_result *result,
		    struct cni_error *err)
{
	struct ipam_requested requested;
	int ret;

	if (req->ipam) /* a data block: its addresses are never requested statically */
		return ipam_add(req->ipam, req->att->container_id, req->att->ifname, NULL, 0,
				result, err);
	if (!req->conf->has_ipam)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "the \"ipam\" section is required: the pod needs an address");
	if (!in_process(req))
		return add_delegated(req, result, err);
	ret = conf_requested_ips(req->conf, req->env->args.ip, &requested, err);
	return ret ? ret
		   : ipam_add(req->conf->ipam, req->att->container_id, req->att->ifname,
			      requested.ips, requested.n, result, err);
}

int ipam_client_del(const struct ipam_request *req, struct cni_error *err)
{
	struct ipam_conf fallback;

	if (!ipam_type(req)[0])
		return 0;
	if (!in_process(req))
		return delegate(req, "DEL", NULL, err);
	return ipam_del(ipam_conf_of(req, &fallback), req->att->container_id, req->att->ifname,
			err);
}

int ipam_client_check(const struct ipam_request *req, const struct cni_result *expected,
		      struct cni_error *err)
{
	struct ipam_conf fallback;

	if (!req->conf->has_ipam && !req->ipam)
		return 0;
	if (!in_process(req))
		return delegate(req, "CHECK", NULL, err);
	return ipam_check(ipam_conf_of(req, &fallback), req->att->container_id, req->att->ifname,
			  expected, err);
}

int ipam_client_gc(const struct ipam_request *req, struct cni_error *err)
{
	struct ipam_conf fallback;

	if (!req->conf->ipam_type[0])
		return 0;
	/* The delegate reads cni.dev/valid-attachments from the same config. */
	if (!in_process(req))
		return delegate(req, "GC", NULL, err);
	return ipam_gc(ipam_conf_of(req, &fallback), req->conf->valid, req->conf->n_valid, err);
}

int ipam_client_status(const struct ipam_request *req, struct cni_error *err)
{
	if (!req->conf->has_ipam)
		return 0;
	if (!in_process(req))
		return delegate(req, "STATUS", NULL, err);
	return ipam_status(req->conf->ipam, err);
}
