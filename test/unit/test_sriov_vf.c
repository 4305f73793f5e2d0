/*
 * The PF-side VF request libnl builds for us, compared attribute by attribute
 * with what iproute2 sends for the same `ip link set PF vf N ...` (vectors
 * captured with strace by test/integration/sriov_vectors/capture.sh).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plugin/datapath/sriov_vf.h"

#define VECTORS "test/integration/sriov_vectors/"

struct bytes {
	unsigned char data[4096];
	size_t len;
};

static void load_vector(const char *name, struct bytes *out)
{
	char path[256], line[512];
	FILE *f;

	snprintf(path, sizeof(path), VECTORS "%s", name);
	f = fopen(path, "r");
	cr_assert_not_null(f, "open %s: %s (run from the repository root)", path, strerror(errno));
	out->len = 0;
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end;

		if (line[0] == '#')
			continue;
		for (;;) {
			unsigned long byte = strtoul(p, &end, 16);

			if (end == p)
				break;
			cr_assert_lt(out->len, sizeof(out->data));
			out->data[out->len++] = (unsigned char)byte;
			p = end;
		}
	}
	fclose(f);
	cr_assert_gt(out->len, sizeof(struct nlmsghdr) + sizeof(struct ifinfomsg), "%s is empty",
		     path);
}

static void from_msg(struct nl_msg *msg, struct bytes *out)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	cr_assert_leq(nlh->nlmsg_len, sizeof(out->data));
	memcpy(out->data, nlh, nlh->nlmsg_len);
	out->len = nlh->nlmsg_len;
}

/* The one nested attribute of type inside the payload [data, data+len). */
static const struct nlattr *only_child(const void *data, size_t len, uint16_t type)
{
	const struct nlattr *attr = data, *found = NULL;
	int count = 0;

	while (mnl_attr_ok(attr, (int)((const char *)data + len - (const char *)attr))) {
		count++;
		if (mnl_attr_get_type(attr) == type)
			found = attr;
		attr = mnl_attr_next(attr);
	}
	cr_assert_eq(count, 1, "expected exactly one attribute, got %d", count);
	cr_assert_not_null(found, "attribute type %u missing", type);
	return found;
}

static const char *vf_attr_name(uint16_t type)
{
	switch (type) {
	case IFLA_VF_MAC:
		return "IFLA_VF_MAC";
	case IFLA_VF_VLAN:
		return "IFLA_VF_VLAN";
	case IFLA_VF_VLAN_LIST:
		return "IFLA_VF_VLAN_LIST";
	case IFLA_VF_SPOOFCHK:
		return "IFLA_VF_SPOOFCHK";
	case IFLA_VF_TRUST:
		return "IFLA_VF_TRUST";
	case IFLA_VF_RATE:
		return "IFLA_VF_RATE";
	case IFLA_VF_LINK_STATE:
		return "IFLA_VF_LINK_STATE";
	default:
		return "other";
	}
}

static void compare_payload(const struct nlattr *want, const struct nlattr *have, uint16_t type)
{
	size_t len = mnl_attr_get_payload_len(want);

	cr_assert_eq(mnl_attr_get_payload_len(have), len, "%s: length %u, iproute2 %zu",
		     vf_attr_name(type), (unsigned int)mnl_attr_get_payload_len(have), len);
	if (type == IFLA_VF_VLAN_INFO)
		/* struct ifla_vf_vlan_info ends in 2 padding bytes libnl leaves unset. */
		len = offsetof(struct ifla_vf_vlan_info, vlan_proto) + sizeof(__be16);
	cr_assert_eq(memcmp(mnl_attr_get_payload(want), mnl_attr_get_payload(have), len), 0,
		     "%s: payload differs from iproute2's", vf_attr_name(type));
}

/*
 * Every attribute of want's IFLA_VF_INFO appears in have's with equal bytes,
 * and nothing else does. Order may differ (iproute2 follows the command
 * line, libnl a fixed order), and libnl marks nests NLA_F_NESTED: the kernel
 * accepts both, so types are compared without flags.
 */
static void compare_attrs(const struct nlattr *want_nest, const struct nlattr *have_nest)
{
	const struct nlattr *w, *h;
	int n_want = 0, n_have = 0;

	mnl_attr_for_each_nested(h, have_nest) n_have++;
	mnl_attr_for_each_nested(w, want_nest)
	{
		uint16_t type = mnl_attr_get_type(w);
		const struct nlattr *match = NULL;

		n_want++;
		mnl_attr_for_each_nested(h, have_nest) if (mnl_attr_get_type(h) == type) match = h;
		cr_assert_not_null(match, "%s (type %u) missing from slicenet's request",
				   vf_attr_name(type), type);
		if (type == IFLA_VF_VLAN_LIST)
			compare_attrs(w, match);
		else
			compare_payload(w, match, type);
	}
	cr_assert_eq(n_have, n_want, "slicenet sends %d attributes, iproute2 %d", n_have, n_want);
}

static void compare_with_iproute2(const struct bytes *have, const char *vector)
{
	struct bytes want;
	const struct nlmsghdr *wh, *hh;
	const struct ifinfomsg *wi, *hi;
	const struct nlattr *wl, *hl, *wv, *hv;
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct ifinfomsg));

	load_vector(vector, &want);
	wh = (const void *)want.data;
	hh = (const void *)have->data;
	cr_assert_eq(hh->nlmsg_type, wh->nlmsg_type, "message type");
	cr_assert_eq(hh->nlmsg_flags, wh->nlmsg_flags, "message flags");
	cr_assert_eq(hh->nlmsg_len, have->len);
	wi = (const void *)(want.data + NLMSG_HDRLEN);
	hi = (const void *)(have->data + NLMSG_HDRLEN);
	cr_assert_eq(hi->ifi_family, wi->ifi_family);
	cr_assert_eq(hi->ifi_change, wi->ifi_change);
	cr_assert_eq(hi->ifi_flags, wi->ifi_flags);
	wl = only_child(want.data + off, want.len - off, IFLA_VFINFO_LIST);
	hl = only_child(have->data + off, have->len - off, IFLA_VFINFO_LIST);
	wv = only_child(mnl_attr_get_payload(wl), mnl_attr_get_payload_len(wl), IFLA_VF_INFO);
	hv = only_child(mnl_attr_get_payload(hl), mnl_attr_get_payload_len(hl), IFLA_VF_INFO);
	compare_attrs(wv, hv);
}

static void build_and_compare(unsigned int vf, const struct sriov_vf_settings *s,
			      const char *vector)
{
	struct cni_error err = {0};
	struct nl_msg *msg = NULL;
	struct bytes have;

	cr_assert_eq(sriov_vf_build(12, vf, s, &msg, &err), 0, "%s", err.msg);
	from_msg(msg, &have);
	nlmsg_free(msg);
	cr_assert_eq(((struct ifinfomsg *)(have.data + NLMSG_HDRLEN))->ifi_index, 12);
	compare_with_iproute2(&have, vector);
}

static const struct sriov_vf_settings full = {
	.set = SRIOV_VF_MAC | SRIOV_VF_VLAN | SRIOV_VF_SPOOFCHK | SRIOV_VF_TRUST | SRIOV_VF_RATE |
	       SRIOV_VF_LINK_STATE,
	.mac = {0x02, 0, 0, 0, 0, 0x01},
	.vlan = 100,
	.vlan_qos = 3,
	.spoofchk = false,
	.trust = true,
	.min_tx_rate = 10,
	.max_tx_rate = 100,
	.link_state = SRIOV_VF_LINK_ENABLE,
};

Test(sriov_vf, every_setting_matches_iproute2)
{
	build_and_compare(0, &full, "vf0_full.hex");
}

Test(sriov_vf, mac_only_matches_iproute2)
{
	struct sriov_vf_settings s = {.set = SRIOV_VF_MAC,
				      .mac = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55}};

	build_and_compare(1, &s, "vf1_mac.hex");
}

Test(sriov_vf, restore_matches_iproute2)
{
	struct sriov_vf_settings s = {
		.set = SRIOV_VF_MAC | SRIOV_VF_VLAN | SRIOV_VF_SPOOFCHK | SRIOV_VF_TRUST |
		       SRIOV_VF_RATE | SRIOV_VF_LINK_STATE,
		.mac = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0x02},
		.spoofchk = true,
		.link_state = SRIOV_VF_LINK_AUTO,
	};

	build_and_compare(2, &s, "vf2_restore.hex");
}

/* 802.1ad needs IFLA_VF_VLAN_LIST with a big-endian protocol, as iproute2 sends it. */
Test(sriov_vf, vlan_8021ad_list_matches_iproute2)
{
	struct sriov_vf_settings s = {
		.set = SRIOV_VF_VLAN, .vlan = 200, .vlan_qos = 1, .vlan_proto = ETH_P_8021AD};

	build_and_compare(3, &s, "vf3_vlan_8021ad.hex");
}

Test(sriov_vf, link_state_matches_iproute2)
{
	struct sriov_vf_settings s = {.set = SRIOV_VF_LINK_STATE,
				      .link_state = SRIOV_VF_LINK_DISABLE};

	build_and_compare(5, &s, "vf5_state_disable.hex");
}

/* A different value must fail the comparison, or the comparison proves nothing. */
Test(sriov_vf, comparison_catches_a_wrong_value, .exit_code = 0, .signal = 0)
{
	struct sriov_vf_settings s = full;
	struct cni_error err = {0};
	struct nl_msg *msg = NULL;
	struct bytes have, want;

	s.vlan = 101;
	cr_assert_eq(sriov_vf_build(12, 0, &s, &msg, &err), 0, "%s", err.msg);
	from_msg(msg, &have);
	nlmsg_free(msg);
	load_vector("vf0_full.hex", &want);
	cr_assert_eq(have.len, want.len);
	/* Same length, yet bytes beyond the header differ (the VLAN id). */
	cr_assert_neq(memcmp(have.data + 32, want.data + 32, want.len - 32), 0);
}

static struct bytes captured;
static int captures;

static int capture(struct nl_msg *msg, void *arg)
{
	(void)arg;
	from_msg(msg, &captured);
	captures++;
	return 0;
}

/* The seam sriov.c goes through: the same request reaches the transport. */
Test(sriov_vf, apply_hands_the_request_to_the_transport)
{
	struct sriov_vf_settings none = {0};
	struct cni_error err = {0};

	sriov_vf_set_transport(capture, NULL);
	cr_assert_eq(sriov_vf_apply("lo", 0, &none, &err), 0);
	cr_assert_eq(captures, 0, "nothing to set must send nothing");
	cr_assert_eq(sriov_vf_apply("lo", 0, &full, &err), 0, "%s", err.msg);
	cr_assert_eq(captures, 1);
	compare_with_iproute2(&captured, "vf0_full.hex");
	cr_assert_eq(sriov_vf_apply("tsrnope0", 0, &full, &err), -ENODEV);
	cr_assert(strstr(err.msg, "tsrnope0"), "%s", err.msg);
	sriov_vf_set_transport(NULL, NULL);
}

/* A stand-in PF (veth) has no SR-IOV: the kernel refuses, the error names PF and VF. */
Test(sriov_vf, kernel_refusal_is_reported)
{
	struct cni_error err = {0};
	struct sriov_vf_settings now;
	bool found = true;
	int ret;

	cr_assert_eq(unshare(CLONE_NEWNET), 0, "unshare: %s", strerror(errno));
	cr_assert_eq(system("ip link add tsrpf0 type veth peer name tsrpf0p"), 0);
	ret = sriov_vf_apply("tsrpf0", 4, &full, &err);
	cr_assert_eq(ret, -EOPNOTSUPP, "got %d: %s", ret, err.msg);
	cr_assert(strstr(err.msg, "tsrpf0") && strstr(err.msg, "VF 4"), "%s", err.msg);
	memset(&err, 0, sizeof(err));
	cr_assert_eq(sriov_vf_query("tsrpf0", 4, &now, &found, &err), 0, "%s", err.msg);
	cr_assert(!found);
	cr_assert_eq(now.set, 0);
}
