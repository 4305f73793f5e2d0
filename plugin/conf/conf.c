#include "plugin/conf/conf.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipam/ipam_conf.h"
#include "plugin/cni/cni_result.h"
#include "plugin/conf/conf_internal.h"
#include "plugin/conf/json_get.h"
#include "plugin/util/ipaddr.h"
#include "plugin/datapath/datapath.h"
#include "plugin/util/log.h"

/* libcni validates network names like container ids (skel validateConfig). */
static int validate_name(const char *name, struct cni_error *err)
{
	if (!isalnum((unsigned char)name[0]))
		goto bad;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.' && *p != '-')
			goto bad;
	return 0;
bad:
	return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
			     "invalid network name \"%s\": must match %s", name,
			     "^[a-zA-Z0-9][a-zA-Z0-9_.\\-]*$");
}

/* GC's list, copied: nothing borrows from the JSON after parsing. */
static int parse_valid_attachments(const json_t *root, struct netconf *out, struct cni_error *err)
{
	struct cni_gc_attachment *list = NULL;
	size_t n = 0;
	int ret = cni_gc_valid_attachments(root, &list, &n, err);

	if (ret || !list)
		return ret;
	out->valid = calloc(n + 1, sizeof(*out->valid));
	if (!out->valid) {
		free(list);
		return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		out->valid[i].container_id = strdup(list[i].container_id);
		out->valid[i].ifname = strdup(list[i].ifname);
		out->n_valid++;
		if (!out->valid[i].container_id || !out->valid[i].ifname) {
			free(list);
			return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
		}
	}
	free(list);
	return 0;
}

/* What every verb needs, DEL and GC included. */
static int parse_core(const json_t *root, struct netconf *out, struct cni_error *err)
{
	char level[16] = "";
	int ret;

	/* A missing cniVersion means 0.1.0 (libcni DecodeVersion), which we do not speak. */
	strcpy(out->cni_version, "0.1.0");
	if ((ret = json_get_string(root, "cniVersion", out->cni_version, sizeof(out->cni_version),
				   "", false, err)) ||
	    (ret = json_get_string(root, "name", out->name, sizeof(out->name), "", true, err)) ||
	    (ret = json_get_string(root, "type", out->type, sizeof(out->type), "", true, err)) ||
	    (ret = validate_name(out->name, err)) ||
	    (ret = json_get_string(root, "stateDir", out->state_dir, sizeof(out->state_dir), "",
				   false, err)) ||
	    (ret = json_get_string(root, "logFile", out->log_file, sizeof(out->log_file), "", false,
				   err)) ||
	    (ret = json_get_string(root, "logLevel", level, sizeof(level), "", false, err)))
		return ret;
	out->delegate_timeout_ms = CONF_DEFAULT_DELEGATE_TIMEOUT_MS;
	out->log_max_bytes = LOG_DEFAULT_MAX_BYTES;
	if ((ret = json_get_uint(root, "delegateTimeoutMs", 100, 600000, &out->delegate_timeout_ms,
				 NULL, "", err)) ||
	    (ret = json_get_uint(root, "logMaxBytes", 0, UINT_MAX, &out->log_max_bytes, NULL, "",
				 err)))
		return ret;
	out->log_level = LOG_LEVEL_INFO;
	if (level[0]) {
		out->log_level = log_level_parse(level);
		if (out->log_level < 0)
			return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
					     "logLevel \"%s\" is not one of error, warn, info, "
					     "debug",
					     level);
	}
	if (!out->state_dir[0])
		strcpy(out->state_dir, CONF_DEFAULT_STATE_DIR);
	return parse_valid_attachments(root, out, err);
}

static int parse_ipam(const json_t *root, struct netconf *out, struct cni_error *err)
{
	const json_t *ipam;
	int ret;

	if ((ret = json_get_object(root, "ipam", &ipam, "", err)) || !ipam)
		return ret;
	out->has_ipam = true;
	if ((ret = json_get_string(ipam, "type", out->ipam_type, sizeof(out->ipam_type),
				   "ipam: ", true, err)))
		return ret;
	if (strchr(out->ipam_type, '/'))
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "ipam: type \"%s\" must be a plugin name, not a path",
				     out->ipam_type);
	/* A delegate parses its own section; ours is parsed here, once. */
	if (strcmp(out->ipam_type, CONF_IPAM_IN_PROCESS_TYPE))
		return 0;
	out->ipam = calloc(1, sizeof(*out->ipam));
	if (!out->ipam)
		return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	ret = ipam_conf_parse(ipam, out->name, out->ipam, err);
	if (!ret)
		ret = ipam_requested_parse(json_object_get(root, "runtimeConfig"),
					   json_object_get(root, "args"), NULL, &out->requested,
					   err);
	if (ret) {
		/* Half a config must not be used: DEL then works from the record. */
		free(out->ipam);
		out->ipam = NULL;
	}
	return ret;
}

static int parse_prev_result(const json_t *root, struct netconf *out, struct cni_error *err)
{
	const json_t *value = json_object_get(root, "prevResult");
	int ret;

	if (!value || json_is_null(value))
		return 0;
	if (!json_is_object(value))
		return cni_error_set(err, CNI_ERR_DECODE, EINVAL,
				     "\"prevResult\" must be an object");
	out->prev_result = calloc(1, sizeof(*out->prev_result));
	if (!out->prev_result)
		return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	ret = cni_result_decode(value, out->prev_result, err);
	if (ret)
		cni_error_details(err, "in prevResult");
	return ret;
}

/* "mode" and what primary mode needs of every class with a fast datapath. */
static int parse_mode(const json_t *root, struct netconf *out, struct cni_error *err)
{
	static const char *const modes[] = {"secondary", "primary"};
	char cidr[IP_PREFIX_STRLEN] = "";
	unsigned int mode = 0;
	int ret;

	if ((ret = json_get_enum(root, "mode", modes, 2, &mode, "", err)) ||
	    (ret = json_get_string(root, "clusterCIDR", cidr, sizeof(cidr), "", false, err)))
		return ret;
	out->primary = mode == 1;
	if (cidr[0] &&
	    (ip_prefix_parse(cidr, &out->cluster_cidr) || out->cluster_cidr.addr.family != AF_INET))
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "\"clusterCIDR\": \"%s\" is not an IPv4 subnet", cidr);
	for (unsigned int c = 0; out->primary && c < out->n_slices; c++) {
		const struct slice_class *slice = &out->slices[c];
		bool fast = false;

		for (unsigned int d = 0; d < slice->n_datapaths; d++)
			fast |= strcmp(slice->datapaths[d], "veth") != 0;
		if (fast && !slice->data_subnet.addr.family)
			return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
					     "slices: class \"%s\": primary mode needs a "
					     "\"dataSubnet\" for its non-veth datapaths",
					     slice->name);
		if (fast && !cidr[0])
			return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
					     "primary mode with class \"%s\" needs \"clusterCIDR\" "
					     "(nodes' data blocks follow their pod ranges)",
					     slice->name);
	}
	return 0;
}

/* Everything else: what ADD, CHECK and STATUS act on. */
static int parse_dns(const json_t *root, struct netconf *out, struct cni_error *err)
{
	int ret = cni_dns_decode(json_object_get(root, "dns"), &out->dns, err);

	return ret ? cni_error_set(err, CNI_ERR_INVALID_CONFIG, -ret, "invalid \"dns\"") : 0;
}

/*
 * Everything else: what ADD, CHECK and STATUS act on. Every part is parsed
 * even after one failed (the first error is reported): a DEL of a network
 * whose IPAM section broke still gets the datapaths' real settings.
 */
static int parse_rest(const json_t *root, struct netconf *out, struct cni_error *err)
{
	int (*const parts[])(const json_t *, struct netconf *, struct cni_error *) = {
		parse_ipam, parse_prev_result, conf_runtime_parse, parse_dns, conf_slices_parse,
	};
	int first = 0;

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		struct cni_error part_err = {0};
		int ret = parts[i](root, out, &part_err);

		if (ret && !first) {
			first = ret;
			*err = part_err;
		}
	}
	return first ? first : parse_mode(root, out, err);
}

int conf_parse(const char *data, size_t size, struct netconf *out, bool *core_ok,
	       struct cni_error *err)
{
	json_error_t jerr;
	json_t *root;
	int ret;

	memset(out, 0, sizeof(*out));
	*core_ok = false;
	root = json_loadb(data, size, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return cni_error_set(err, CNI_ERR_DECODE, EINVAL,
				     "network config is not valid JSON: %s (line %d, column %d)",
				     jerr.text, jerr.line, jerr.column);
	if (!json_is_object(root)) {
		json_decref(root);
		return cni_error_set(err, CNI_ERR_DECODE, EINVAL,
				     "network config is not a JSON object");
	}
	ret = parse_core(root, out, err);
	if (!ret) {
		*core_ok = true;
		ret = parse_rest(root, out, err);
	}
	json_decref(root);
	return ret;
}

int conf_peek_version(const char *data, size_t size, char *out, size_t out_size)
{
	json_t *json = json_loadb(data, size, 0, NULL);
	const char *version = json_string_value(json_object_get(json, "cniVersion"));
	int ret = -ENOENT;

	if (version && snprintf(out, out_size, "%s", version) < (int)out_size)
		ret = 0;
	json_decref(json);
	return ret;
}

void conf_free(struct netconf *conf)
{
	if (!conf)
		return;
	for (size_t i = 0; i < conf->n_valid; i++) {
		free((char *)conf->valid[i].container_id);
		free((char *)conf->valid[i].ifname);
	}
	free(conf->valid);
	conf->valid = NULL;
	conf->n_valid = 0;
	free(conf->ipam);
	conf->ipam = NULL;
	free(conf->prev_result);
	conf->prev_result = NULL;
	conf_datapaths_free(conf);
}

const struct slice_class *conf_find_slice(const struct netconf *conf, const char *name)
{
	for (unsigned int i = 0; i < conf->n_slices; i++)
		if (!strcmp(conf->slices[i].name, name))
			return &conf->slices[i];
	return NULL;
}

const void *conf_datapath_conf(const struct netconf *conf, const struct slice_class *slice,
			       const char *name)
{
	unsigned int i = 0;

	/* A class whose config did not parse (DEL of a broken config) falls back to the network's.
	 */
	if (slice)
		for (unsigned int d = 0; d < slice->n_datapaths; d++)
			if (!strcmp(slice->datapaths[d], name) && slice->datapath_conf[d])
				return slice->datapath_conf[d];
	for (const struct datapath_ops *const *ops = datapath_registry; *ops; ops++, i++)
		if (!strcmp((*ops)->name, name))
			return i < DATAPATH_MAX ? conf->datapath_conf[i] : NULL;
	return NULL;
}
