#include "plugin/conf/conf.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "plugin/cni/cni_result.h"
#include "plugin/util/log.h"

/* Datapaths a slice may name; one that is not built in is simply never available. */
static const char *const known_datapaths[] = {"veth", "sriov", "vhostuser"};

static int invalid(struct cni_error *err, const char *fmt, const char *a, const char *b)
{
	return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, fmt, a, b);
}

static int get_string(const json_t *obj, const char *key, char *dst, size_t size, const char *where,
		      bool required, struct cni_error *err)
{
	const json_t *value = json_object_get(obj, key);

	if (!value || json_is_null(value)) {
		if (required)
			return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
					     "%s\"%s\" is required", where, key);
		return 0;
	}
	if (!json_is_string(value))
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "%s\"%s\" must be a string", where, key);
	if (snprintf(dst, size, "%s", json_string_value(value)) >= (int)size)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, ENAMETOOLONG,
				     "%s\"%s\" value \"%.40s...\" is longer than %zu bytes", where,
				     key, json_string_value(value), size - 1);
	return 0;
}

static int get_object(json_t *obj, const char *key, json_t **dst, struct cni_error *err)
{
	json_t *value = json_object_get(obj, key);

	*dst = NULL;
	if (!value || json_is_null(value))
		return 0;
	if (!json_is_object(value))
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "\"%s\" must be an object", key);
	*dst = value;
	return 0;
}

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
	return invalid(err, "invalid network name \"%s\": must match %s", name,
		       "^[a-zA-Z0-9][a-zA-Z0-9_.\\-]*$");
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

static int parse_class(const char *name, json_t *obj, struct slice_class *out,
		       struct cni_error *err)
{
	json_t *list, *item, *mtu;
	size_t i;

	if (snprintf(out->name, sizeof(out->name), "%s", name) >= (int)sizeof(out->name))
		return invalid(err, "slices: class name \"%.40s...\" is too long%s", name, "");
	if (validate_slice_name(name, err))
		return -EINVAL;
	if (!json_is_object(obj))
		return invalid(err, "slices: class \"%s\" must be an object%s", name, "");
	out->settings = obj;
	list = json_object_get(obj, "datapaths");
	if (!json_is_array(list) || !json_array_size(list))
		return invalid(err, "slices: class \"%s\" needs a non-empty \"datapaths\" list%s",
			       name, "");
	if (json_array_size(list) > SLICE_MAX_DATAPATHS)
		return invalid(err, "slices: class \"%s\" lists more datapaths than exist%s", name,
			       "");
	json_array_foreach(list, i, item)
	{
		const char *dp = json_string_value(item);
		bool known = false;

		for (size_t k = 0; dp && k < sizeof(known_datapaths) / sizeof(known_datapaths[0]);
		     k++)
			known |= !strcmp(dp, known_datapaths[k]);
		if (!known)
			return invalid(err,
				       "slices: class \"%s\": unknown datapath \"%s\" (want veth, "
				       "sriov or vhostuser)",
				       name, dp ? dp : "(not a string)");
		for (unsigned int k = 0; k < out->n_datapaths; k++)
			if (!strcmp(out->datapaths[k], dp))
				return invalid(err,
					       "slices: class \"%s\" lists datapath \"%s\" twice",
					       name, dp);
		strcpy(out->datapaths[out->n_datapaths++], dp);
	}
	mtu = json_object_get(obj, "mtu");
	if (mtu && !json_is_null(mtu)) {
		if (!json_is_integer(mtu) || json_integer_value(mtu) < 68 ||
		    json_integer_value(mtu) > 65535)
			return invalid(err,
				       "slices: class \"%s\": mtu must be an integer from 68 to "
				       "65535%s",
				       name, "");
		out->mtu = (unsigned int)json_integer_value(mtu);
	}
	return 0;
}

static int parse_slices(json_t *slices, struct netconf *out, const char *where,
			struct cni_error *err)
{
	const char *name;
	json_t *obj;

	if (!json_is_object(slices))
		return invalid(err, "%s\"slices\" must be an object of classes%s", where, "");
	if (json_object_size(slices) > SLICE_MAX_CLASSES)
		return invalid(err, "%s\"slices\" has more classes than supported%s", where, "");
	json_object_foreach(slices, name, obj)
	{
		int ret = parse_class(name, obj, &out->slices[out->n_slices], err);

		if (ret)
			return ret;
		out->n_slices++;
	}
	return 0;
}

/* The Helm chart keeps the slice table in a ConfigMap mounted as a file. */
static int load_slices_file(const char *path, struct netconf *out, struct cni_error *err)
{
	json_error_t jerr;
	json_t *file = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr), *slices, *def;
	char where[PATH_MAX + 16];
	int ret;

	if (!file)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "slicesFile %s: %s (line %d)", path, jerr.text, jerr.line);
	/* The file owns the class objects the slices borrow: keep it alive with root. */
	if (json_object_set_new(out->root, "slicenet.loadedSlicesFile", file))
		return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	snprintf(where, sizeof(where), "slicesFile %s: ", path);
	slices = json_object_get(file, "slices");
	ret = parse_slices(slices ? slices : file, out, where, err);
	if (ret)
		return ret;
	def = json_object_get(file, "defaultSlice");
	if (json_is_string(def) && !out->default_slice[0])
		snprintf(out->default_slice, sizeof(out->default_slice), "%s",
			 json_string_value(def));
	return 0;
}

static void default_slices(struct netconf *out)
{
	/* No slice table: every pod gets the kernel datapath. */
	strcpy(out->slices[0].name, "default");
	strcpy(out->slices[0].datapaths[0], "veth");
	out->slices[0].n_datapaths = 1;
	out->n_slices = 1;
}

int conf_parse(const char *data, size_t size, struct netconf *out, struct cni_error *err)
{
	json_error_t jerr;
	json_t *slices, *value;
	char level[16] = "";
	char slices_file[PATH_MAX] = "";
	int ret;

	memset(out, 0, sizeof(*out));
	out->root = json_loadb(data, size, JSON_REJECT_DUPLICATES, &jerr);
	if (!out->root)
		return cni_error_set(err, CNI_ERR_DECODE, EINVAL,
				     "network config is not valid JSON: %s (line %d, column %d)",
				     jerr.text, jerr.line, jerr.column);
	if (!json_is_object(out->root))
		return cni_error_set(err, CNI_ERR_DECODE, EINVAL,
				     "network config is not a JSON object");
	/* A missing cniVersion means 0.1.0 (libcni DecodeVersion), which we do not speak. */
	strcpy(out->cni_version, "0.1.0");
	if ((ret = get_string(out->root, "cniVersion", out->cni_version, sizeof(out->cni_version),
			      "", false, err)) ||
	    (ret = get_string(out->root, "name", out->name, sizeof(out->name), "", true, err)) ||
	    (ret = get_string(out->root, "type", out->type, sizeof(out->type), "", true, err)) ||
	    (ret = validate_name(out->name, err)) ||
	    (ret = get_object(out->root, "ipam", &out->ipam, err)) ||
	    (ret = get_object(out->root, "runtimeConfig", &out->runtime_config, err)) ||
	    (ret = get_object(out->root, "args", &out->args, err)) ||
	    (ret = get_object(out->root, "sriov", &out->sriov, err)) ||
	    (ret = get_object(out->root, "vhostuser", &out->vhostuser, err)) ||
	    (ret = get_string(out->root, "defaultSlice", out->default_slice,
			      sizeof(out->default_slice), "", false, err)) ||
	    (ret = get_string(out->root, "stateDir", out->state_dir, sizeof(out->state_dir), "",
			      false, err)) ||
	    (ret = get_string(out->root, "logFile", out->log_file, sizeof(out->log_file), "", false,
			      err)) ||
	    (ret = get_string(out->root, "logLevel", level, sizeof(level), "", false, err)) ||
	    (ret = get_string(out->root, "slicesFile", slices_file, sizeof(slices_file), "", false,
			      err)))
		return ret;
	if (out->ipam && (ret = get_string(out->ipam, "type", out->ipam_type,
					   sizeof(out->ipam_type), "ipam: ", true, err)))
		return ret;
	if (out->ipam_type[0] && strchr(out->ipam_type, '/'))
		return invalid(err, "ipam: type \"%s\" must be a plugin name, not a path%s",
			       out->ipam_type, "");
	value = json_object_get(out->root, "prevResult");
	if (value && !json_is_null(value)) {
		if (!json_is_object(value))
			return cni_error_set(err, CNI_ERR_DECODE, EINVAL,
					     "\"prevResult\" must be an object");
		out->prev_result = value;
	}
	out->log_level = LOG_LEVEL_INFO;
	if (level[0]) {
		out->log_level = log_level_parse(level);
		if (out->log_level < 0)
			return invalid(err, "logLevel \"%s\" is not one of %s", level,
				       "error, warn, info, debug");
	}
	if (!out->state_dir[0])
		strcpy(out->state_dir, CONF_DEFAULT_STATE_DIR);
	if ((ret = cni_dns_decode(json_object_get(out->root, "dns"), &out->dns, err)))
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, -ret, "invalid \"dns\"");
	slices = json_object_get(out->root, "slices");
	if (slices && !json_is_null(slices))
		ret = parse_slices(slices, out, "", err);
	else if (slices_file[0])
		ret = load_slices_file(slices_file, out, err);
	else
		default_slices(out);
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

void conf_free(struct netconf *conf)
{
	if (!conf)
		return;
	json_decref(conf->root);
	conf->root = NULL;
}

const struct slice_class *conf_find_slice(const struct netconf *conf, const char *name)
{
	for (unsigned int i = 0; i < conf->n_slices; i++)
		if (!strcmp(conf->slices[i].name, name))
			return &conf->slices[i];
	return NULL;
}
