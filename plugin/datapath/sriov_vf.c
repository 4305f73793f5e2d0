#include "plugin/datapath/sriov_vf.h"

#include <dlfcn.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <net/if.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/sriov.h>
#include <string.h>

/*
 * libnl-route-3 (and libnl-3 with it) is loaded on first use, not linked:
 * only SR-IOV VF settings call it, and loading both cost every CNI call
 * about 0.2 ms of a 1 ms process start on the development VM.
 */
#ifndef SRIOV_LIBNL_ROUTE
#define SRIOV_LIBNL_ROUTE "libnl-route-3.so.200"
#endif

/* One symbol a line, kept by hand: clang-format 14 reflows X-lists differently on each pass. */
// clang-format off
#define VF_LIBNL(X) \
	X(nl_addr_build) \
	X(nl_addr_get_binary_addr) \
	X(nl_addr_get_len) \
	X(nl_addr_put) \
	X(nl_connect) \
	X(nl_geterror) \
	X(nl_send_auto) \
	X(nl_socket_alloc) \
	X(nl_socket_free) \
	X(nl_wait_for_ack) \
	X(nlmsg_free) \
	X(nlmsg_hdr) \
	X(rtnl_link_alloc) \
	X(rtnl_link_build_change_request) \
	X(rtnl_link_get_kernel) \
	X(rtnl_link_get_num_vf) \
	X(rtnl_link_put) \
	X(rtnl_link_set_ifindex) \
	X(rtnl_link_vf_add) \
	X(rtnl_link_vf_alloc) \
	X(rtnl_link_vf_get) \
	X(rtnl_link_vf_get_addr) \
	X(rtnl_link_vf_get_linkstate) \
	X(rtnl_link_vf_get_rate) \
	X(rtnl_link_vf_get_spoofchk) \
	X(rtnl_link_vf_get_trust) \
	X(rtnl_link_vf_get_vlans) \
	X(rtnl_link_vf_put) \
	X(rtnl_link_vf_set_addr) \
	X(rtnl_link_vf_set_index) \
	X(rtnl_link_vf_set_linkstate) \
	X(rtnl_link_vf_set_rate) \
	X(rtnl_link_vf_set_spoofchk) \
	X(rtnl_link_vf_set_trust) \
	X(rtnl_link_vf_set_vlans) \
	X(rtnl_link_vf_vlan_alloc) \
	X(rtnl_link_vf_vlan_put)
// clang-format on

static struct {
#define VF_LIBNL_POINTER(name) __typeof__(name) *name;
	VF_LIBNL(VF_LIBNL_POINTER)
#undef VF_LIBNL_POINTER
} libnl;
static bool libnl_loaded;

static int vf_libnl_load(struct cni_error *err)
{
	void *lib;

	if (libnl_loaded)
		return 0;
	lib = dlopen(SRIOV_LIBNL_ROUTE, RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		return cni_error_set(err, CNI_ERR_INTERNAL, ELIBACC, "sriov: cannot load %s: %s",
				     SRIOV_LIBNL_ROUTE, dlerror());
		/* dlsym on the handle also searches libnl-3, which it depends on. */
#define VF_LIBNL_SYMBOL(name)                                                                      \
	if (!(libnl.name = (__typeof__(libnl.name))dlsym(lib, #name)))                             \
		return cni_error_set(err, CNI_ERR_INTERNAL, ELIBBAD, "sriov: %s has no %s",        \
				     SRIOV_LIBNL_ROUTE, #name);
	VF_LIBNL(VF_LIBNL_SYMBOL)
#undef VF_LIBNL_SYMBOL
	libnl_loaded = true;
	return 0;
}

static sriov_vf_transport_fn vf_transport;
static void *vf_transport_arg;

void sriov_vf_set_transport(sriov_vf_transport_fn fn, void *arg)
{
	vf_transport = fn;
	vf_transport_arg = arg;
}

/* libnl returns its own NLE_* codes; the rest of slicenet speaks errno. */
static int vf_errno(int nle)
{
	static const struct {
		int nle, err;
	} map[] = {
		{NLE_NOMEM, ENOMEM},	     {NLE_INVAL, EINVAL},	 {NLE_RANGE, ERANGE},
		{NLE_OPNOTSUPP, EOPNOTSUPP}, {NLE_NODEV, ENODEV},	 {NLE_PERM, EPERM},
		{NLE_BUSY, EBUSY},	     {NLE_OBJ_NOTFOUND, ENOENT}, {NLE_AGAIN, EAGAIN},
		{NLE_EXIST, EEXIST},	     {NLE_MSGSIZE, EMSGSIZE},	 {NLE_NOACCESS, EACCES},
	};

	if (nle < 0)
		nle = -nle;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].nle == nle)
			return map[i].err;
	return EIO;
}

static int vf_add_vlan(struct rtnl_link_vf *vf, const struct sriov_vf_settings *s)
{
	uint16_t proto = s->vlan_proto ? s->vlan_proto : ETH_P_8021Q;
	nl_vf_vlans_t *vlans = NULL;
	int ret;

	ret = libnl.rtnl_link_vf_vlan_alloc(&vlans, 1);
	if (ret < 0)
		return ret;
	vlans->vlans[0].vf_vlan = s->vlan;
	vlans->vlans[0].vf_vlan_qos = s->vlan_qos;
	/*
	 * libnl 3.7 copies vf_vlan_proto into IFLA_VF_VLAN_INFO as is, but the
	 * kernel reads it as __be16 (iproute2 sends htons). 802.1Q must stay in
	 * host order: that is what makes libnl send the legacy IFLA_VF_VLAN, as
	 * iproute2 does. The test vectors pin both encodings.
	 */
	vlans->vlans[0].vf_vlan_proto = proto == ETH_P_8021Q ? proto : htons(proto);
	libnl.rtnl_link_vf_set_vlans(vf, vlans);
	libnl.rtnl_link_vf_vlan_put(vlans);
	return 0;
}

static int vf_fill(struct rtnl_link_vf *vf, unsigned int index, const struct sriov_vf_settings *s)
{
	int ret;

	libnl.rtnl_link_vf_set_index(vf, index);
	if (s->set & SRIOV_VF_MAC) {
		struct nl_addr *addr = libnl.nl_addr_build(AF_LLC, s->mac, sizeof(s->mac));

		if (!addr)
			return -NLE_NOMEM;
		libnl.rtnl_link_vf_set_addr(vf, addr);
		libnl.nl_addr_put(addr);
	}
	if (s->set & SRIOV_VF_VLAN) {
		ret = vf_add_vlan(vf, s);
		if (ret < 0)
			return ret;
	}
	if (s->set & SRIOV_VF_SPOOFCHK)
		libnl.rtnl_link_vf_set_spoofchk(vf, s->spoofchk);
	if (s->set & SRIOV_VF_TRUST)
		libnl.rtnl_link_vf_set_trust(vf, s->trust);
	if (s->set & SRIOV_VF_RATE) {
		struct nl_vf_rate rate = {.api = RTNL_LINK_VF_RATE_API_NEW,
					  .min_tx_rate = s->min_tx_rate,
					  .max_tx_rate = s->max_tx_rate};

		libnl.rtnl_link_vf_set_rate(vf, &rate);
	}
	if (s->set & SRIOV_VF_LINK_STATE)
		libnl.rtnl_link_vf_set_linkstate(vf, s->link_state);
	return 0;
}

int sriov_vf_build(int pf_ifindex, unsigned int vf, const struct sriov_vf_settings *s,
		   struct nl_msg **out, struct cni_error *err)
{
	struct rtnl_link *orig = NULL, *changes = NULL;
	struct rtnl_link_vf *vf_data = NULL;
	int ret;

	*out = NULL;
	ret = vf_libnl_load(err);
	if (ret < 0)
		return ret;
	orig = libnl.rtnl_link_alloc();
	changes = libnl.rtnl_link_alloc();
	vf_data = libnl.rtnl_link_vf_alloc();
	if (!orig || !changes || !vf_data) {
		ret = -NLE_NOMEM;
		goto out;
	}
	libnl.rtnl_link_set_ifindex(orig, pf_ifindex);
	libnl.rtnl_link_set_ifindex(changes, pf_ifindex);
	ret = vf_fill(vf_data, vf, s);
	if (ret < 0)
		goto out;
	ret = libnl.rtnl_link_vf_add(changes, vf_data);
	if (ret < 0)
		goto out;
	ret = libnl.rtnl_link_build_change_request(orig, changes, 0, out);
	if (ret < 0)
		goto out;
	/* What iproute2 sends; libnl's nl_send_auto would add the same flags. */
	libnl.nlmsg_hdr(*out)->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
out:
	libnl.rtnl_link_vf_put(vf_data);
	libnl.rtnl_link_put(changes);
	libnl.rtnl_link_put(orig);
	if (ret < 0)
		return cni_error_set(err, CNI_ERR_INTERNAL, vf_errno(ret),
				     "sriov: building the request for VF %u: %s", vf,
				     libnl.nl_geterror(ret));
	return 0;
}

static int vf_connect(struct nl_sock **out, const char *pf, struct cni_error *err)
{
	struct nl_sock *sk = libnl.nl_socket_alloc();
	int ret;

	if (!sk)
		return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "sriov: out of memory");
	ret = libnl.nl_connect(sk, NETLINK_ROUTE);
	if (ret < 0) {
		libnl.nl_socket_free(sk);
		return cni_error_set(err, CNI_ERR_NETLINK, vf_errno(ret),
				     "sriov: PF %s: netlink socket: %s", pf,
				     libnl.nl_geterror(ret));
	}
	*out = sk;
	return 0;
}

static int vf_pf_index(const char *pf, int *out, struct cni_error *err)
{
	unsigned int index = if_nametoindex(pf);

	if (!index)
		return cni_error_set(err, CNI_ERR_DATAPATH, ENODEV,
				     "sriov: PF %s is not a link in the host netns", pf);
	*out = (int)index;
	return 0;
}

int sriov_vf_apply(const char *pf, unsigned int vf, const struct sriov_vf_settings *s,
		   struct cni_error *err)
{
	struct nl_sock *sk = NULL;
	struct nl_msg *msg = NULL;
	int ifindex = 0, ret;

	if (!s->set)
		return 0;
	ret = vf_pf_index(pf, &ifindex, err);
	if (ret < 0)
		return ret;
	ret = sriov_vf_build(ifindex, vf, s, &msg, err);
	if (ret < 0)
		return ret;
	if (vf_transport) {
		ret = vf_transport(msg, vf_transport_arg);
		goto out;
	}
	ret = vf_connect(&sk, pf, err);
	if (ret < 0)
		goto out;
	ret = libnl.nl_send_auto(sk, msg);
	if (ret >= 0)
		ret = libnl.nl_wait_for_ack(sk);
	if (ret < 0)
		ret = cni_error_set(err, CNI_ERR_NETLINK, vf_errno(ret),
				    "sriov: PF %s refused the settings of VF %u: %s", pf, vf,
				    libnl.nl_geterror(ret));
out:
	libnl.nlmsg_free(msg);
	libnl.nl_socket_free(sk);
	return ret < 0 ? ret : 0;
}

static void vf_read(struct rtnl_link_vf *vf, struct sriov_vf_settings *out)
{
	struct nl_addr *addr = NULL;
	nl_vf_vlans_t *vlans = NULL;
	struct nl_vf_rate rate;
	uint32_t value;

	if (libnl.rtnl_link_vf_get_addr(vf, &addr) == 0 && addr &&
	    libnl.nl_addr_get_len(addr) >= sizeof(out->mac)) {
		memcpy(out->mac, libnl.nl_addr_get_binary_addr(addr), sizeof(out->mac));
		out->set |= SRIOV_VF_MAC;
	}
	if (libnl.rtnl_link_vf_get_vlans(vf, &vlans) == 0 && vlans && vlans->size > 0) {
		out->vlan = vlans->vlans[0].vf_vlan;
		out->vlan_qos = vlans->vlans[0].vf_vlan_qos;
		out->vlan_proto = vlans->vlans[0].vf_vlan_proto;
		out->set |= SRIOV_VF_VLAN;
	} else {
		/* A VF without VLAN reports none: restoring means VLAN 0. */
		out->set |= SRIOV_VF_VLAN;
	}
	if (libnl.rtnl_link_vf_get_spoofchk(vf, &value) == 0) {
		out->spoofchk = value;
		out->set |= SRIOV_VF_SPOOFCHK;
	}
	if (libnl.rtnl_link_vf_get_trust(vf, &value) == 0) {
		out->trust = value;
		out->set |= SRIOV_VF_TRUST;
	}
	if (libnl.rtnl_link_vf_get_rate(vf, &rate) == 0) {
		out->min_tx_rate = rate.min_tx_rate;
		out->max_tx_rate =
			rate.api == RTNL_LINK_VF_RATE_API_OLD ? rate.rate : rate.max_tx_rate;
		out->set |= SRIOV_VF_RATE;
	}
	if (libnl.rtnl_link_vf_get_linkstate(vf, &value) == 0) {
		out->link_state = value;
		out->set |= SRIOV_VF_LINK_STATE;
	}
}

int sriov_vf_query(const char *pf, unsigned int vf, struct sriov_vf_settings *out, bool *found,
		   struct cni_error *err)
{
	struct rtnl_link *link = NULL;
	struct rtnl_link_vf *vf_data = NULL;
	struct nl_sock *sk = NULL;
	uint32_t num_vf = 0;
	int ifindex = 0, ret;

	memset(out, 0, sizeof(*out));
	*found = false;
	ret = vf_libnl_load(err);
	if (ret < 0)
		return ret;
	ret = vf_pf_index(pf, &ifindex, err);
	if (ret < 0)
		return ret;
	ret = vf_connect(&sk, pf, err);
	if (ret < 0)
		return ret;
	/* libnl asks with RTEXT_FILTER_VF, so the reply carries IFLA_VFINFO_LIST. */
	ret = libnl.rtnl_link_get_kernel(sk, ifindex, NULL, &link);
	if (ret < 0) {
		ret = cni_error_set(err, CNI_ERR_NETLINK, vf_errno(ret), "sriov: PF %s: %s", pf,
				    libnl.nl_geterror(ret));
		goto out;
	}
	/* libnl 3.7's rtnl_link_vf_get crashes on a link without VF list: ask first. */
	if (libnl.rtnl_link_get_num_vf(link, &num_vf) == 0 && vf < num_vf)
		vf_data = libnl.rtnl_link_vf_get(link, vf);
	if (vf_data) {
		vf_read(vf_data, out);
		*found = true;
	}
	ret = 0;
out:
	if (vf_data)
		libnl.rtnl_link_vf_put(vf_data);
	libnl.rtnl_link_put(link);
	libnl.nl_socket_free(sk);
	return ret;
}
