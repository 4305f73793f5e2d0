#include "plugin/conf/record.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "plugin/cni/cni_result.h"

#define FIELD(key, member, required)                                                               \
	{                                                                                          \
		key, offsetof(struct attachment, member),                                          \
			sizeof(((struct attachment *)0)->member), required                         \
	}

static const struct record_field {
	const char *key;
	size_t offset, size;
	bool required;
} fields[] = {
	FIELD("containerID", container_id, true),
	FIELD("ifname", ifname, true),
	FIELD("netns", netns, true),
	FIELD("network", network, true),
	FIELD("slice", slice, true),
	FIELD("datapath", datapath, true),
	FIELD("hostIfname", host_ifname, true),
	FIELD("socketPath", socket_path, true),
	FIELD("pciID", pci_id, true),
	FIELD("ipamType", ipam_type, true),
	FIELD("ipamDataDir", ipam_data_dir, false),
	FIELD("preferredDatapath", preferred, false),
	FIELD("ipamNetwork", ipam_network, false),
	FIELD("dataIfname", data_ifname, false),
	FIELD("ownerIfname", owner_ifname, false),
	FIELD("podNamespace", pod_namespace, false),
	FIELD("podName", pod_name, false),
	FIELD("podUID", pod_uid, false),
	FIELD("podInfraContainerID", infra_container_id, false),
	FIELD("mac", mac, false),
	FIELD("deviceID", device_id, false),
	FIELD("deviceInfoFile", device_info_file, false),
	FIELD("daemonSocket", daemon_socket, false),
};

char *record_encode(const struct attachment *att, struct cni_error *err)
{
	json_t *root = json_pack("{s:i}", "version", 1);
	json_t *result = cni_result_encode(&att->result, "1.1.0", err);
	char *text = NULL;
	bool ok = root && result;

	for (size_t i = 0; ok && i < sizeof(fields) / sizeof(fields[0]); i++)
		ok = !json_object_set_new(root, fields[i].key,
					  json_string((const char *)att + fields[i].offset));
	if (ok && !json_object_set_new(root, "result", result)) {
		result = NULL;
		text = json_dumps(root, JSON_COMPACT);
	}
	json_decref(result);
	json_decref(root);
	if (!text && !err->code)
		cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "encoding the record: out of memory");
	return text;
}

int record_decode(const char *text, size_t size, struct attachment *out, struct cni_error *err)
{
	struct cni_error inner = {0};
	json_error_t jerr;
	json_t *root = json_loadb(text, size, 0, &jerr);
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(root)) {
		json_decref(root);
		return cni_error_set(err, CNI_ERR_STATE, EINVAL, "corrupt: %s",
				     root ? "not an object" : jerr.text);
	}
	for (size_t i = 0; !ret && i < sizeof(fields) / sizeof(fields[0]); i++) {
		const json_t *v = json_object_get(root, fields[i].key);

		if (!v && !fields[i].required)
			continue;
		if (!json_is_string(v) || json_string_length(v) >= fields[i].size ||
		    strlen(json_string_value(v)) != json_string_length(v))
			ret = cni_error_set(err, CNI_ERR_STATE, EINVAL,
					    "field \"%s\" is missing or too long", fields[i].key);
		else
			memcpy((char *)out + fields[i].offset, json_string_value(v),
			       json_string_length(v) + 1);
	}
	if (!ret && cni_result_decode(json_object_get(root, "result"), &out->result, &inner))
		ret = cni_error_set(err, CNI_ERR_STATE, EINVAL, "result: %s", inner.msg);
	json_decref(root);
	return ret;
}
