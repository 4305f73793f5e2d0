/* The slice table: classes, their datapath preference lists and MTUs. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "plugin/cni/cni_env.h"
#include "plugin/conf/conf_internal.h"
#include "plugin/conf/json_get.h"
#include "plugin/datapath/datapath.h"
#include "plugin/util/ipaddr.h"

static int invalid(struct cni_error *err, const char *fmt, const char *a, const char *b)
{
	return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, fmt, a, b);
}

static int validate_slice_name(const char *name, struct cni_error *err)
{
	if (!*name)
		return invalid(err, "slices: a class name is empty%s%s", "", "");
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
			return invalid(err,
				       "slices: class name \"%s\" has characters other than %s",
				       name, "letters, digits, '-', '_' and '.'");
	return 0;
}

static int parse_datapath_list(const char *name, const json_t *list, struct slice_class *out,
			       const char *where, struct cni_error *err)
{
	const json_t *item;
	size_t i;

	if (!json_is_array(list) || !json_array_size(list))
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "%sslices: class \"%s\" needs a non-empty \"datapaths\" list",
				     where, name);
	if (json_array_size(list) > SLICE_MAX_DATAPATHS)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "%sslices: class \"%s\" lists more datapaths than exist",
				     where, name);
	json_array_foreach(list, i, item)
	{
		const char *dp = json_string_value(item);

		if (!dp || !datapath_find(dp))
			return cni_error_set(
				err, CNI_ERR_INVALID_CONFIG, EINVAL,
				"%sslices: class \"%s\": unknown datapath \"%s\" (want "
				"veth, sriov or vhostuser)",
				where, name, dp ? dp : "(not a string)");
		for (unsigned int k = 0; k < out->n_datapaths; k++)
			if (!strcmp(out->datapaths[k], dp))
				return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
						     "%sslices: class \"%s\" lists datapath \"%s\" "
						     "twice",
						     where, name, dp);
		snprintf(out->datapaths[out->n_datapaths++], DATAPATH_NAME_MAX, "%s", dp);
	}
	return 0;
}

/* Primary mode's data network of a class: "dataIfname", "dataSubnet", "dataBlockPrefix". */
static int parse_data_network(const json_t *obj, struct slice_class *out, const char *prefix,
			      struct cni_error *err)
{
	char subnet[IP_PREFIX_STRLEN] = "";
	int ret;

	strcpy(out->data_ifname, "net1");
	out->data_block_prefix = 24;
	if ((ret = json_get_string(obj, "dataIfname", out->data_ifname, sizeof(out->data_ifname),
				   prefix, false, err)) ||
	    (ret = json_get_string(obj, "dataSubnet", subnet, sizeof(subnet), prefix, false,
				   err)) ||
	    (ret = json_get_uint(obj, "dataBlockPrefix", 8, 30, &out->data_block_prefix, NULL,
				 prefix, err)))
		return ret;
	if (cni_validate_ifname(out->data_ifname, err))
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "%s\"dataIfname\": \"%s\" is not an interface name", prefix,
				     out->data_ifname);
	if (!subnet[0])
		return 0;
	if (ip_prefix_parse(subnet, &out->data_subnet) || out->data_subnet.addr.family != AF_INET)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "%s\"dataSubnet\": \"%s\" is not an IPv4 subnet", prefix,
				     subnet);
	if (out->data_block_prefix <= out->data_subnet.len)
		return cni_error_set(
			err, CNI_ERR_INVALID_CONFIG, EINVAL,
			"%s\"dataBlockPrefix\": /%u is not smaller than \"dataSubnet\" %s", prefix,
			out->data_block_prefix, subnet);
	return 0;
}

static int parse_class(const char *name, const json_t *obj, struct slice_class *out,
		       const char *where, struct cni_error *err)
{
	char prefix[SLICE_NAME_MAX + PATH_MAX + 32];
	int ret;

	if (snprintf(out->name, sizeof(out->name), "%s", name) >= (int)sizeof(out->name))
		return invalid(err, "slices: class name \"%.40s...\" is too long%s", name, "");
	if ((ret = validate_slice_name(name, err)))
		return ret;
	if (!json_is_object(obj))
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "%sslices: class \"%s\" must be an object", where, name);
	if ((ret = parse_datapath_list(name, json_object_get(obj, "datapaths"), out, where, err)))
		return ret;
	snprintf(prefix, sizeof(prefix), "%sslices: class \"%s\": ", where, name);
	if ((ret = json_get_uint(obj, "mtu", 68, 65535, &out->mtu, NULL, prefix, err)))
		return ret;
	/* 0..3 as slicenetd's port "priority" (daemon/ctl_proto.h CTL_PRIORITY_MAX). */
	unsigned int prio = 0;
	bool has_prio = false;

	if ((ret = json_get_uint(obj, "switchPriority", 0, 3, &prio, &has_prio, prefix, err)))
		return ret;
	out->switch_priority = has_prio ? (int)prio : -1;
	return parse_data_network(obj, out, prefix, err);
}

static int parse_table(const json_t *slices, struct netconf *out, const char *where,
		       struct cni_error *err)
{
	const char *name;
	json_t *obj;

	if (!json_is_object(slices))
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "%s\"slices\" must be an object of classes", where);
	if (json_object_size(slices) > SLICE_MAX_CLASSES)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "%s\"slices\" has more than %d classes", where,
				     SLICE_MAX_CLASSES);
	json_object_foreach((json_t *)slices, name, obj)
	{
		int ret = parse_class(name, obj, &out->slices[out->n_slices], where, err);

		if (ret)
			return ret;
		out->n_slices++;
	}
	return 0;
}

/* The Helm chart keeps the slice table in a ConfigMap mounted as a file. */
static json_t *load_slices_file(const char *path, struct cni_error *err)
{
	json_error_t jerr;
	json_t *file = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);

	if (!file)
		cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "slicesFile %s: %s (line %d)",
			      path, jerr.text, jerr.line);
	return file;
}

int conf_slices_parse(const json_t *root, struct netconf *out, struct cni_error *err)
{
	char slices_file[PATH_MAX] = "", where[PATH_MAX + 16] = "";
	const json_t *slices = json_object_get(root, "slices");
	const json_t *table = NULL;
	json_t *file = NULL;
	int ret;

	if ((ret = json_get_string(root, "defaultSlice", out->default_slice,
				   sizeof(out->default_slice), "", false, err)) ||
	    (ret = json_get_string(root, "slicesFile", slices_file, sizeof(slices_file), "", false,
				   err)))
		return ret;
	if (slices && !json_is_null(slices)) {
		table = slices;
		ret = parse_table(slices, out, "", err);
	} else if (slices_file[0]) {
		file = load_slices_file(slices_file, err);
		if (!file)
			return -EINVAL;
		snprintf(where, sizeof(where), "slicesFile %s: ", slices_file);
		slices = json_object_get(file, "slices");
		table = slices ? slices : file;
		ret = parse_table(table, out, where, err);
		if (!ret && !out->default_slice[0])
			ret = json_get_string(file, "defaultSlice", out->default_slice,
					      sizeof(out->default_slice), where, false, err);
	} else {
		/* No slice table: every pod gets the kernel datapath. */
		strcpy(out->slices[0].name, "default");
		strcpy(out->slices[0].datapaths[0], "veth");
		out->slices[0].n_datapaths = 1;
		out->slices[0].switch_priority = -1;
		out->n_slices = 1;
	}
	/* The datapaths' class overrides are parsed from the same objects. */
	if (!ret)
		ret = conf_datapaths_parse(root, table, out, err);
	json_decref(file);
	if (ret)
		return ret;
	if (!out->n_slices)
		return invalid(err, "\"slices\" has no class%s%s", "", "");
	if (!out->default_slice[0]) {
		if (out->n_slices > 1)
			return invalid(err,
				       "\"defaultSlice\" is required when there is more than one "
				       "slice class%s%s",
				       "", "");
		strcpy(out->default_slice, out->slices[0].name);
	}
	if (!conf_find_slice(out, out->default_slice))
		return invalid(err, "defaultSlice \"%s\" is not a class in %s", out->default_slice,
			       "\"slices\"");
	return 0;
}
