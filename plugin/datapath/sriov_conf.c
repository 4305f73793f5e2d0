#include "plugin/datapath/sriov_conf.h"
#include "plugin/conf/json_get.h"

#include <errno.h>
#include <jansson.h>
#include <linux/if_ether.h>
#include <stdio.h>
#include <string.h>

static int bad(struct cni_error *err, const char *where, const char *key, const char *want)
{
	return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "%ssriov: \"%s\" must be %s",
			     where, key, want);
}

/* The shared getters, with "<where>sriov: " naming the section in messages. */
static int get_str(const json_t *obj, const char *key, char *dst, size_t size, const char *where,
		   struct cni_error *err)
{
	char prefix[SLICE_NAME_MAX + 48];

	snprintf(prefix, sizeof(prefix), "%ssriov: ", where);
	return json_get_string(obj, key, dst, size, prefix, false, err);
}

/* An integer in [min, max] into *dst, setting bit in *set when present. */
static int get_uint(const json_t *obj, const char *key, unsigned int min, unsigned int max,
		    unsigned int *dst, unsigned int *set, unsigned int bit, const char *where,
		    struct cni_error *err)
{
	char prefix[SLICE_NAME_MAX + 48];
	bool present;
	int ret;

	snprintf(prefix, sizeof(prefix), "%ssriov: ", where);
	ret = json_get_uint(obj, key, min, max, dst, &present, prefix, err);
	if (!ret && present)
		*set |= bit;
	return ret;
}

static int get_bool(const json_t *obj, const char *key, bool *dst, unsigned int *set,
		    unsigned int bit, const char *where, struct cni_error *err)
{
	char prefix[SLICE_NAME_MAX + 48];
	bool present;
	int ret;

	snprintf(prefix, sizeof(prefix), "%ssriov: ", where);
	ret = json_get_bool(obj, key, dst, &present, prefix, err);
	if (!ret && present)
		*set |= bit;
	return ret;
}

static int parse_pfs(const json_t *obj, struct sriov_conf *out, const char *where,
		     struct cni_error *err)
{
	const json_t *list = json_object_get(obj, "pfs"), *item;
	size_t i;

	if (!list || json_is_null(list))
		return 0;
	if (!json_is_array(list) || json_array_size(list) > SRIOV_MAX_PFS)
		return bad(err, where, "pfs", "a list of at most 16 interface names");
	out->n_pfs = 0;
	json_array_foreach(list, i, item)
	{
		const char *name = json_string_value(item);

		if (!name || !name[0] || strlen(name) >= IFNAMSIZ || strchr(name, '/'))
			return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
					     "%ssriov: pfs[%zu] \"%s\" is not an interface name",
					     where, i, name ? name : "(not a string)");
		strcpy(out->pfs[out->n_pfs++], name);
	}
	return 0;
}

static int parse_enums(const json_t *obj, struct sriov_conf *out, const char *where,
		       struct cni_error *err)
{
	static const char *const states[] = {"auto", "enable", "disable"};
	char text[16] = "";
	int ret;

	if ((ret = get_str(obj, "linkState", text, sizeof(text), where, err)) < 0)
		return ret;
	if (text[0]) {
		unsigned int i;

		for (i = 0; i < 3 && strcmp(text, states[i]); i++)
			;
		if (i == 3)
			return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
					     "%ssriov: linkState \"%s\" is not auto, enable or "
					     "disable",
					     where, text);
		out->vf.link_state = i; /* the IFLA_VF_LINK_STATE_* order */
		out->vf.set |= SRIOV_VF_LINK_STATE;
	}
	text[0] = '\0';
	if ((ret = get_str(obj, "mode", text, sizeof(text), where, err)) < 0)
		return ret;
	if (!strcmp(text, "netdev"))
		out->mode = SRIOV_MODE_NETDEV;
	else if (!strcmp(text, "dpdk"))
		out->mode = SRIOV_MODE_DPDK;
	else if (!strcmp(text, "any"))
		out->mode = SRIOV_MODE_ANY;
	else if (text[0])
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "%ssriov: mode \"%s\" is not netdev, dpdk or any", where,
				     text);
	text[0] = '\0';
	if ((ret = get_str(obj, "vlanProto", text, sizeof(text), where, err)) < 0)
		return ret;
	if (!strcmp(text, "802.1Q") || !strcmp(text, "802.1q"))
		out->vf.vlan_proto = ETH_P_8021Q;
	else if (!strcmp(text, "802.1ad") || !strcmp(text, "802.1AD"))
		out->vf.vlan_proto = ETH_P_8021AD;
	else if (text[0])
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "%ssriov: vlanProto \"%s\" is not 802.1Q or 802.1ad", where,
				     text);
	return 0;
}

/* One "sriov" object (network-wide or a class's) over what out already holds. */
static int parse_section(const json_t *obj, struct sriov_conf *out, const char *where,
			 struct cni_error *err)
{
	unsigned int rate_set = 0, vlan_set = 0, qos_set = 0;
	struct sriov_vf_settings *vf = &out->vf;
	int ret;

	if (!obj || json_is_null(obj))
		return 0;
	if (!json_is_object(obj))
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "%s\"sriov\" must be an object", where);
	if ((ret = parse_pfs(obj, out, where, err)) < 0 ||
	    (ret = get_str(obj, "sysfsRoot", out->sysfs_root, sizeof(out->sysfs_root), where,
			   err)) < 0 ||
	    (ret = get_str(obj, "poolDir", out->pool_dir, sizeof(out->pool_dir), where, err)) < 0 ||
	    (ret = get_str(obj, "descriptorDir", out->descriptor_dir, sizeof(out->descriptor_dir),
			   where, err)) < 0 ||
	    (ret = get_str(obj, "cgroupRoot", out->cgroup_root, sizeof(out->cgroup_root), where,
			   err)) < 0 ||
	    (ret = get_uint(obj, "vlan", 0, 4095, &vf->vlan, &vlan_set, 1, where, err)) < 0 ||
	    (ret = get_uint(obj, "vlanQoS", 0, 7, &vf->vlan_qos, &qos_set, 1, where, err)) < 0 ||
	    (ret = get_bool(obj, "spoofchk", &vf->spoofchk, &vf->set, SRIOV_VF_SPOOFCHK, where,
			    err)) < 0 ||
	    (ret = get_bool(obj, "trust", &vf->trust, &vf->set, SRIOV_VF_TRUST, where, err)) < 0 ||
	    (ret = get_uint(obj, "minTxRate", 0, UINT32_MAX, &vf->min_tx_rate, &rate_set, 1, where,
			    err)) < 0 ||
	    (ret = get_uint(obj, "maxTxRate", 0, UINT32_MAX, &vf->max_tx_rate, &rate_set, 1, where,
			    err)) < 0 ||
	    (ret = parse_enums(obj, out, where, err)) < 0)
		return ret;
	if (vlan_set || qos_set || json_object_get(obj, "vlanProto"))
		vf->set |= SRIOV_VF_VLAN;
	if (rate_set)
		vf->set |= SRIOV_VF_RATE;
	return 0;
}

static int validate(struct sriov_conf *out, struct cni_error *err)
{
	const struct sriov_vf_settings *vf = &out->vf;

	if ((vf->set & SRIOV_VF_RATE) && vf->max_tx_rate && vf->min_tx_rate > vf->max_tx_rate)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "sriov: minTxRate %u is above maxTxRate %u", vf->min_tx_rate,
				     vf->max_tx_rate);
	if ((vf->set & SRIOV_VF_VLAN) && !vf->vlan && vf->vlan_qos)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "sriov: vlanQoS %u needs a vlan", vf->vlan_qos);
	return 0;
}

int sriov_parse(const struct datapath_parse_input *in, void *out_, struct cni_error *err)
{
	struct sriov_conf *out = out_;
	const char *state_dir = in->conf->state_dir;
	char where[SLICE_NAME_MAX + 32];
	int ret;

	out->configured = in->section != NULL;
	if ((ret = parse_section(in->section, out, "", err)) < 0)
		return ret;
	if (in->class_obj) {
		snprintf(where, sizeof(where), "slices: class \"%s\": ", in->class_name);
		ret = parse_section(json_object_get(in->class_obj, "sriov"), out, where, err);
		if (ret < 0)
			return ret;
	}
	if ((ret = validate(out, err)) < 0)
		return ret;
	if (!out->sysfs_root[0])
		strcpy(out->sysfs_root, SRIOV_DEFAULT_SYSFS_ROOT);
	if (!out->descriptor_dir[0])
		strcpy(out->descriptor_dir, SRIOV_DEFAULT_DESCRIPTOR_DIR);
	if (!out->cgroup_root[0])
		strcpy(out->cgroup_root, SRIOV_DEFAULT_CGROUP_ROOT);
	/* Node-wide by default for every network that shares the state dir. */
	if (!out->pool_dir[0] && snprintf(out->pool_dir, sizeof(out->pool_dir), "%s/sriov-pool",
					  state_dir) >= (int)sizeof(out->pool_dir))
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, ENAMETOOLONG,
				     "sriov: stateDir %.60s... is too long for the pool directory",
				     state_dir);
	return 0;
}

void sriov_conf_for(const struct datapath_context *ctx, const struct attachment *att,
		    struct sriov_conf *out)
{
	*out = *(const struct sriov_conf *)ctx->dp_conf;
	snprintf(out->device_id, sizeof(out->device_id), "%s", att->device_id);
	snprintf(out->device_info_file, sizeof(out->device_info_file), "%s", att->device_info_file);
}
