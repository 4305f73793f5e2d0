/*
 * The per-call keys: runtimeConfig (the capabilities the runtime passes),
 * "args" (Multus cni-args) and the top-level deviceID Multus injects.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ipam/ipam_conf.h"
#include "plugin/conf/annotations.h"
#include "plugin/conf/conf_internal.h"
#include "plugin/conf/json_get.h"

static int slice_value(const json_t *value, const char *what, bool *has, char *dst, size_t size,
		       struct cni_error *err)
{
	if (!value || json_is_null(value))
		return 0;
	if (!json_is_string(value))
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "%s: slice annotation must be a string", what);
	if (json_string_length(value) >= size)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, ENAMETOOLONG,
				     "%s: slice \"%.40s...\" is longer than %zu bytes", what,
				     json_string_value(value), size - 1);
	snprintf(dst, size, "%s", json_string_value(value));
	*has = true;
	return 0;
}

static int parse_slice_request(const json_t *runtime, const json_t *args,
			       struct conf_slice_request *out, struct cni_error *err)
{
	const json_t *annotations = json_object_get(runtime, POD_ANNOTATIONS_CAPABILITY);
	const json_t *cni = json_object_get(args, "cni");
	int ret;

	/* containerd sends null, not {}, for a pod without annotations. */
	ret = slice_value(
		json_is_object(annotations) ? json_object_get(annotations, SLICE_ANNOTATION) : NULL,
		"pod annotation " SLICE_ANNOTATION, &out->has_annotation, out->annotation,
		sizeof(out->annotation), err);
	if (ret)
		return ret;
	return slice_value(json_is_object(cni) ? json_object_get(cni, "slice") : NULL,
			   "args.cni.slice", &out->has_args_cni, out->args_cni,
			   sizeof(out->args_cni), err);
}

int conf_mac_normalize(const char *text, char out[CNI_MAC_STRLEN], const char *what,
		       struct cni_error *err)
{
	unsigned char b[6];
	char tail;

	if (strlen(text) != 17 || sscanf(text, "%2hhx:%2hhx:%2hhx:%2hhx:%2hhx:%2hhx%c", &b[0],
					 &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "%s \"%s\" is not a MAC address", what, text);
	if (b[0] & 1)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "%s \"%s\" is a multicast address", what, text);
	if (!(b[0] | b[1] | b[2] | b[3] | b[4] | b[5]))
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "%s \"%s\" is all zero",
				     what, text);
	snprintf(out, CNI_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4],
		 b[5]);
	return 0;
}

static int parse_mac(const json_t *runtime, char *dst, struct cni_error *err)
{
	char text[32] = "";
	int ret =
		json_get_string(runtime, "mac", text, sizeof(text), "runtimeConfig: ", false, err);

	if (ret || !text[0])
		return ret;
	return conf_mac_normalize(text, dst, "runtimeConfig: mac", err);
}

int conf_runtime_parse(const json_t *root, struct netconf *out, struct cni_error *err)
{
	struct conf_runtime *rt = &out->runtime;
	const json_t *runtime, *args;
	int ret;

	if ((ret = json_get_object(root, "runtimeConfig", &runtime, "", err)) ||
	    (ret = json_get_object(root, "args", &args, "", err)) ||
	    (ret = parse_slice_request(runtime, args, &rt->slice, err)) ||
	    (ret = parse_mac(runtime, rt->mac, err)) ||
	    (ret = json_get_string(runtime, "CNIDeviceInfoFile", rt->device_info_file,
				   sizeof(rt->device_info_file), "runtimeConfig: ", false, err)) ||
	    (ret = json_get_string(runtime, "deviceID", rt->device_id, sizeof(rt->device_id),
				   "runtimeConfig: ", false, err)))
		return ret;
	if (rt->device_info_file[0] && rt->device_info_file[0] != '/')
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "runtimeConfig: CNIDeviceInfoFile \"%s\" is not an absolute "
				     "path",
				     rt->device_info_file);
	/* Multus puts deviceID at the top level of the delegate's config. */
	if (!rt->device_id[0])
		ret = json_get_string(root, "deviceID", rt->device_id, sizeof(rt->device_id), "",
				      false, err);
	return ret;
}

int conf_requested_ips(const struct netconf *conf, const char *cni_args_ip,
		       struct ipam_requested *out, struct cni_error *err)
{
	int ret = ipam_requested_parse(NULL, NULL, cni_args_ip[0] ? cni_args_ip : NULL, out, err);

	for (size_t i = 0; !ret && i < conf->requested.n; i++) {
		const struct ip_prefix *ip = &conf->requested.ips[i];
		bool seen = false;

		for (size_t k = 0; k < out->n; k++)
			seen = seen || ip_address_equal(&out->ips[k].addr, &ip->addr);
		if (seen)
			continue;
		if (out->n >= IPAM_MAX_REQUESTED)
			return cni_error_set(err, CNI_ERR_INVALID_CONFIG, E2BIG,
					     "more than %d static addresses requested",
					     IPAM_MAX_REQUESTED);
		out->ips[out->n++] = *ip;
	}
	return ret;
}
