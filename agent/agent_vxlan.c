/* RTM_NEWLINK / GETLINK of kind "vxlan" (IFLA_VXLAN_*). */
#include "agent/agent_vxlan.h"
#include "plugin/kernel/netlink_request.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

int agent_vxlan_create(struct netlink *nl, const struct agent_vxlan *v, struct error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlattr *linkinfo, *data;
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh;
	int ret;

	nlh = netlink_request_start(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, v->name);
	mnl_attr_put(nlh, IFLA_ADDRESS, NETLINK_MAC_LEN, v->mac);
	if (v->mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, v->mtu);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "vxlan");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, IFLA_VXLAN_ID, v->vni);
	if (v->local.family == AF_INET)
		mnl_attr_put(nlh, IFLA_VXLAN_LOCAL, 4, v->local.bytes);
	else
		mnl_attr_put(nlh, IFLA_VXLAN_LOCAL6, 16, v->local.bytes);
	mnl_attr_put_u16(nlh, IFLA_VXLAN_PORT, htons(v->port));
	mnl_attr_put_u8(nlh, IFLA_VXLAN_LEARNING, 0);
	if (v->link_ifindex)
		mnl_attr_put_u32(nlh, IFLA_VXLAN_LINK, (uint32_t)v->link_ifindex);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	ret = netlink_request_run(nl, nlh, NULL, NULL);
	if (ret < 0)
		return netlink_request_fail(nl, err, ret,
					    "create vxlan device %s (vni %u, port %u)", v->name,
					    v->vni, v->port);
	return 0;
}

struct vxlan_get {
	struct agent_vxlan *out;
	char kind[NETLINK_KIND_MAX];
};

static int data_attr(const struct nlattr *attr, void *arg)
{
	struct agent_vxlan *v = arg;
	size_t len = mnl_attr_get_payload_len(attr);

	switch (mnl_attr_get_type(attr)) {
	case IFLA_VXLAN_ID:
		if (len == 4)
			v->vni = mnl_attr_get_u32(attr);
		break;
	case IFLA_VXLAN_PORT:
		if (len == 2)
			v->port = ntohs(mnl_attr_get_u16(attr));
		break;
	case IFLA_VXLAN_LOCAL:
		if (len == 4) {
			v->local.family = AF_INET;
			memcpy(v->local.bytes, mnl_attr_get_payload(attr), 4);
		}
		break;
	case IFLA_VXLAN_LOCAL6:
		if (len == 16) {
			v->local.family = AF_INET6;
			memcpy(v->local.bytes, mnl_attr_get_payload(attr), 16);
		}
		break;
	case IFLA_VXLAN_LINK:
		if (len == 4)
			v->link_ifindex = (int)mnl_attr_get_u32(attr);
		break;
	}
	return MNL_CB_OK;
}

static int info_attr(const struct nlattr *attr, void *arg)
{
	struct vxlan_get *get = arg;

	if (mnl_attr_get_type(attr) == IFLA_INFO_KIND &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
		snprintf(get->kind, sizeof(get->kind), "%s", mnl_attr_get_str(attr));
	else if (mnl_attr_get_type(attr) == IFLA_INFO_DATA &&
		 mnl_attr_validate(attr, MNL_TYPE_NESTED) >= 0)
		mnl_attr_parse_nested(attr, data_attr, get->out);
	return MNL_CB_OK;
}

static int link_attr(const struct nlattr *attr, void *arg)
{
	struct vxlan_get *get = arg;

	switch (mnl_attr_get_type(attr)) {
	case IFLA_ADDRESS:
		if (mnl_attr_get_payload_len(attr) == NETLINK_MAC_LEN)
			memcpy(get->out->mac, mnl_attr_get_payload(attr), NETLINK_MAC_LEN);
		break;
	case IFLA_MTU:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			get->out->mtu = mnl_attr_get_u32(attr);
		break;
	case IFLA_LINKINFO:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) >= 0)
			mnl_attr_parse_nested(attr, info_attr, get);
		break;
	}
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct vxlan_get *get = arg;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	get->out->ifindex = ifi->ifi_index;
	mnl_attr_parse(nlh, sizeof(*ifi), link_attr, get);
	return MNL_CB_OK;
}

int agent_vxlan_get(struct netlink *nl, const char *name, struct agent_vxlan *out,
		    struct error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct vxlan_get get = {.out = out};
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh;
	int ret;

	memset(out, 0, sizeof(*out));
	if (strlen(name) >= IFNAMSIZ)
		return error_set(err, EINVAL, "netlink: device name \"%s\" is too long", name);
	snprintf(out->name, sizeof(out->name), "%s", name);
	nlh = netlink_request_start(buf, RTM_GETLINK, 0);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	ret = netlink_request_run(nl, nlh, link_cb, &get);
	if (ret == -ENODEV)
		return ret;
	if (ret < 0)
		return netlink_request_fail(nl, err, ret, "get link %s", name);
	if (strcmp(get.kind, "vxlan"))
		return error_set(err, EMEDIUMTYPE,
				 "netlink: %s exists and is not a vxlan device (kind \"%s\"): "
				 "not ours, left alone",
				 name, get.kind);
	return 0;
}
