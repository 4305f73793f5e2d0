/* The VF reservation record's JSON form (the pool directory's files). */
#include "plugin/datapath/sriov_pool_codec.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

static json_t *pool_encode_fields(const struct sriov_reservation *r)
{
	const struct sriov_vf_settings *o = &r->orig_vf;
	char mac[18], vf_mac[18];

	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", r->orig_mac[0], r->orig_mac[1],
		 r->orig_mac[2], r->orig_mac[3], r->orig_mac[4], r->orig_mac[5]);
	snprintf(vf_mac, sizeof(vf_mac), "%02x:%02x:%02x:%02x:%02x:%02x", o->mac[0], o->mac[1],
		 o->mac[2], o->mac[3], o->mac[4], o->mac[5]);
	return json_pack("{s:s, s:s, s:I, s:b, s:s, s:s, s:s, s:s*, s:I, s:{s:I, s:s, s:I, s:I, "
			 "s:I, s:b, s:b, s:I, s:I, s:I}}",
			 "pciAddress", r->pci, "pf", r->pf, "vf", (json_int_t)r->vf_index, "dpdk",
			 r->dpdk, "containerID", r->container_id, "ifname", r->ifname, "origName",
			 r->orig_name, "origMac", r->have_orig_mac ? mac : NULL, "origMtu",
			 (json_int_t)r->orig_mtu, "origVF", "set", (json_int_t)o->set, "mac",
			 vf_mac, "vlan", (json_int_t)o->vlan, "qos", (json_int_t)o->vlan_qos,
			 "proto", (json_int_t)o->vlan_proto, "spoofchk", o->spoofchk, "trust",
			 o->trust, "minTxRate", (json_int_t)o->min_tx_rate, "maxTxRate",
			 (json_int_t)o->max_tx_rate, "linkState", (json_int_t)o->link_state);
}

static json_t *pool_encode(const struct sriov_reservation *r)
{
	json_t *root = pool_encode_fields(r);

	if (root &&
	    ((r->network[0] && json_object_set_new(root, "network", json_string(r->network))) ||
	     (r->pod_ifindex &&
	      json_object_set_new(root, "podIfindex", json_integer(r->pod_ifindex))))) {
		json_decref(root);
		return NULL;
	}
	return root;
}

static bool pool_mac(const char *text, unsigned char out[6])
{
	unsigned int b[6];

	if (!text ||
	    sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		return false;
	for (int i = 0; i < 6; i++)
		out[i] = (unsigned char)b[i];
	return true;
}

static int pool_copy(char *dst, size_t size, const char *src)
{
	if (!src || snprintf(dst, size, "%s", src) >= (int)size)
		return -EINVAL;
	return 0;
}

static int pool_decode(json_t *root, struct sriov_reservation *r)
{
	const char *pci = NULL, *pf = NULL, *id = NULL, *ifname = NULL, *name = NULL;
	const char *mac = NULL, *vf_mac = NULL;
	json_int_t index = 0, mtu = 0, set = 0, vlan = 0, qos = 0, proto = 0, min = 0, max = 0;
	json_int_t state = 0;
	int dpdk = 0, spoofchk = 0, trust = 0;
	json_error_t jerr;

	memset(r, 0, sizeof(*r));
	if (json_unpack_ex(root, &jerr, 0,
			   "{s:s, s:s, s:I, s:b, s:s, s:s, s:s, s?s, s:I, s:{s:I, s:s, s:I, "
			   "s:I, s:I, s:b, s:b, s:I, s:I, s:I}}",
			   "pciAddress", &pci, "pf", &pf, "vf", &index, "dpdk", &dpdk,
			   "containerID", &id, "ifname", &ifname, "origName", &name, "origMac",
			   &mac, "origMtu", &mtu, "origVF", "set", &set, "mac", &vf_mac, "vlan",
			   &vlan, "qos", &qos, "proto", &proto, "spoofchk", &spoofchk, "trust",
			   &trust, "minTxRate", &min, "maxTxRate", &max, "linkState", &state) < 0)
		return -EINVAL;
	if (pool_copy(r->pci, sizeof(r->pci), pci) || pool_copy(r->pf, sizeof(r->pf), pf) ||
	    pool_copy(r->container_id, sizeof(r->container_id), id) ||
	    pool_copy(r->ifname, sizeof(r->ifname), ifname) ||
	    pool_copy(r->orig_name, sizeof(r->orig_name), name) || index < 0 || mtu < 0)
		return -EINVAL;
	/* Records written before the network was recorded have none: GC skips them. */
	if (json_is_string(json_object_get(root, "network")) &&
	    pool_copy(r->network, sizeof(r->network),
		      json_string_value(json_object_get(root, "network"))))
		return -EINVAL;
	if (json_is_integer(json_object_get(root, "podIfindex")))
		r->pod_ifindex = (int)json_integer_value(json_object_get(root, "podIfindex"));
	r->vf_index = (unsigned int)index;
	r->dpdk = dpdk;
	r->have_orig_mac = mac && pool_mac(mac, r->orig_mac);
	r->orig_mtu = (unsigned int)mtu;
	r->orig_vf.set = (unsigned int)set;
	if (!pool_mac(vf_mac, r->orig_vf.mac))
		r->orig_vf.set &= ~SRIOV_VF_MAC;
	r->orig_vf.vlan = (unsigned int)vlan;
	r->orig_vf.vlan_qos = (unsigned int)qos;
	r->orig_vf.vlan_proto = (uint16_t)proto;
	r->orig_vf.spoofchk = spoofchk;
	r->orig_vf.trust = trust;
	r->orig_vf.min_tx_rate = (unsigned int)min;
	r->orig_vf.max_tx_rate = (unsigned int)max;
	r->orig_vf.link_state = (unsigned int)state;
	return 0;
}

char *sriov_pool_encode(const struct sriov_reservation *r)
{
	json_t *root = pool_encode(r);
	char *text = root ? json_dumps(root, JSON_COMPACT) : NULL;

	json_decref(root);
	return text;
}

int sriov_pool_decode(const char *text, size_t size, struct sriov_reservation *r)
{
	json_t *root = json_loadb(text, size, 0, NULL);
	int ret = root ? pool_decode(root, r) : -EINVAL;

	json_decref(root);
	return ret;
}
