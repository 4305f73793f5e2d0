/* Link requests: get, dump, create a veth pair, set attributes, move, delete. */
#include "plugin/kernel/netlink.h"
#include "plugin/kernel/netlink_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static bool nl_name_ok(const char *name)
{
	return name && name[0] && strlen(name) < IFNAMSIZ;
}

/* ---- links ---- */

static int nl_link_info_attr(const struct nlattr *attr, void *data)
{
	struct netlink_link *link = data;

	if (mnl_attr_get_type(attr) == IFLA_INFO_KIND &&
	    mnl_attr_validate(attr, MNL_TYPE_STRING) >= 0)
		snprintf(link->kind, sizeof(link->kind), "%.*s",
			 (int)strnlen(mnl_attr_get_str(attr), mnl_attr_get_payload_len(attr)),
			 mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

static int nl_link_attr(const struct nlattr *attr, void *data)
{
	struct netlink_link *link = data;

	switch (mnl_attr_get_type(attr)) {
	case IFLA_IFNAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
			snprintf(link->name, sizeof(link->name), "%s", mnl_attr_get_str(attr));
		break;
	case IFLA_ADDRESS:
		if (mnl_attr_get_payload_len(attr) == NETLINK_MAC_LEN)
			memcpy(link->mac, mnl_attr_get_payload(attr), NETLINK_MAC_LEN);
		break;
	case IFLA_MTU:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			link->mtu = mnl_attr_get_u32(attr);
		break;
	case IFLA_LINK:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			link->link_ifindex = (int)mnl_attr_get_u32(attr);
		break;
	case IFLA_LINK_NETNSID:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			link->link_netnsid = (int)mnl_attr_get_u32(attr);
		break;
	case IFLA_LINKINFO:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) >= 0)
			mnl_attr_parse_nested(attr, nl_link_info_attr, link);
		break;
	case IFLA_IFALIAS:
		snprintf(link->alias, sizeof(link->alias), "%.*s",
			 (int)strnlen(mnl_attr_get_payload(attr), mnl_attr_get_payload_len(attr)),
			 (const char *)mnl_attr_get_payload(attr));
		break;
	}
	return MNL_CB_OK;
}

static int nl_link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct netlink_link *link = data;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	memset(link, 0, sizeof(*link));
	link->ifindex = ifi->ifi_index;
	link->flags = ifi->ifi_flags;
	link->link_netnsid = -1;
	mnl_attr_parse(nlh, sizeof(*ifi), nl_link_attr, link);
	return MNL_CB_OK;
}

/* A link request addressed by name: header, ifinfomsg, IFLA_IFNAME. */
static struct nlmsghdr *nl_link_msg(char *buf, uint16_t type, uint16_t flags, const char *name)
{
	struct nlmsghdr *nlh = netlink_request_start(buf, type, flags);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nlh;
}

/* A request about the link ifindex: no lookup by name first, so it can be batched. */
static struct nlmsghdr *nl_index_msg(char *buf, uint16_t type, int ifindex,
				     struct ifinfomsg **ifi_out)
{
	struct nlmsghdr *nlh = netlink_request_start(buf, type, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	if (ifi_out)
		*ifi_out = ifi;
	return nlh;
}

int netlink_link_get(struct netlink *nl, const char *name, struct netlink_link *out,
		     struct error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int ret;

	if (!nl_name_ok(name))
		return error_set(err, EINVAL, "netlink: get link \"%s\": invalid interface name",
				 name ? name : "");
	nlh = nl_link_msg(buf, RTM_GETLINK, 0, name);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	memset(out, 0, sizeof(*out));
	ret = netlink_request_run(nl, nlh, nl_link_cb, out);
	if (ret == -ENODEV)
		return ret;
	if (ret < 0)
		return netlink_request_fail(nl, err, ret, "get link %s", name);
	if (out->ifindex <= 0)
		return error_set(err, EPROTO, "netlink: get link %s: no link in the reply", name);
	return 0;
}

struct nl_link_walk {
	int (*fn)(const struct netlink_link *link, void *arg);
	void *arg;
	int stopped;
};

static int nl_link_walk_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_link_walk *walk = data;
	struct netlink_link link;

	if (walk->stopped || nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	nl_link_cb(nlh, &link);
	walk->stopped = walk->fn(&link, walk->arg);
	return MNL_CB_OK;
}

int netlink_link_foreach(struct netlink *nl, int (*fn)(const struct netlink_link *link, void *arg),
			 void *arg, struct error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nl_link_walk walk = {fn, arg, 0};
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh;
	int ret;

	nlh = netlink_request_start(buf, RTM_GETLINK, NLM_F_DUMP);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	ret = netlink_request_run(nl, nlh, nl_link_walk_cb, &walk);
	if (ret < 0)
		return netlink_request_fail(nl, err, ret, "list links");
	return walk.stopped;
}

/* Put a veth peer's ifinfomsg and attributes (VETH_INFO_PEER). */
static void nl_put_veth_peer(struct nlmsghdr *nlh, const struct netlink_veth *veth)
{
	struct nlattr *linkinfo, *info_data, *peer;
	struct ifinfomsg *pifi;

	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	info_data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	/* The peer attribute's payload starts with its own ifinfomsg. */
	pifi = (struct ifinfomsg *)((char *)nlh + nlh->nlmsg_len);
	memset(pifi, 0, sizeof(*pifi));
	pifi->ifi_family = AF_UNSPEC;
	nlh->nlmsg_len += MNL_ALIGN(sizeof(*pifi));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, veth->peer_name);
	if (veth->queues) {
		mnl_attr_put_u32(nlh, IFLA_NUM_TX_QUEUES, veth->queues);
		mnl_attr_put_u32(nlh, IFLA_NUM_RX_QUEUES, veth->queues);
	}
	if (veth->peer_netns_fd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)veth->peer_netns_fd);
	if (veth->mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, veth->mtu);
	if (veth->peer_mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, NETLINK_MAC_LEN, veth->peer_mac);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, info_data);
	mnl_attr_nest_end(nlh, linkinfo);
}

int netlink_veth_create(struct netlink *nl, const struct netlink_veth *veth, struct error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int ret;

	if (!nl_name_ok(veth->name) || !nl_name_ok(veth->peer_name))
		return error_set(
			err, EINVAL, "netlink: create veth \"%s\"/\"%s\": invalid interface name",
			veth->name ? veth->name : "", veth->peer_name ? veth->peer_name : "");
	nlh = nl_link_msg(buf, RTM_NEWLINK,
			  NLM_F_CREATE | NLM_F_EXCL | (veth->created ? NLM_F_ECHO : 0), veth->name);
	if (veth->up) {
		struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

		ifi->ifi_change = IFF_UP;
		ifi->ifi_flags = IFF_UP;
	}
	if (veth->queues) {
		mnl_attr_put_u32(nlh, IFLA_NUM_TX_QUEUES, veth->queues);
		mnl_attr_put_u32(nlh, IFLA_NUM_RX_QUEUES, veth->queues);
	}
	if (veth->mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, veth->mtu);
	if (veth->mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, NETLINK_MAC_LEN, veth->mac);
	nl_put_veth_peer(nlh, veth);
	if (veth->created)
		memset(veth->created, 0, sizeof(*veth->created));
	/* Created links are echoed as RTM_NEWLINK before the ack (Linux 6.3+). */
	ret = netlink_request_run(nl, nlh, veth->created ? nl_link_cb : NULL, veth->created);
	if (ret < 0)
		return netlink_request_fail(nl, err, ret, "create veth %s/%s", veth->name,
					    veth->peer_name);
	if (veth->created && veth->created->ifindex <= 0)
		return netlink_link_get(nl, veth->name, veth->created, err);
	return 0;
}

/* Start an RTM_SETLINK for the link named name, addressed by its index. */
static int nl_setlink_begin(struct netlink *nl, char *buf, const char *name, const char *what,
			    struct nlmsghdr **out, struct error *err)
{
	struct netlink_link link;
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh;
	int ret;

	ret = netlink_link_get(nl, name, &link, err);
	if (ret == -ENODEV)
		return netlink_request_fail(nl, err, ret, "%s %s", what, name);
	if (ret < 0)
		return ret;
	nlh = netlink_request_start(buf, RTM_SETLINK, 0);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = link.ifindex;
	*out = nlh;
	return 0;
}

int netlink_link_set_alias(struct netlink *nl, const char *name, const char *alias,
			   struct error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int ret;

	if (strlen(alias) >= NETLINK_ALIAS_MAX)
		return error_set(err, ENAMETOOLONG, "netlink: alias for %s is longer than %d bytes",
				 name, NETLINK_ALIAS_MAX - 1);
	ret = nl_setlink_begin(nl, buf, name, "set alias of", &nlh, err);
	if (ret < 0)
		return ret;
	mnl_attr_put_strz(nlh, IFLA_IFALIAS, alias);
	ret = netlink_request_run(nl, nlh, NULL, NULL);
	if (ret < 0)
		return netlink_request_fail(nl, err, ret, "set alias of %s", name);
	return 0;
}

int netlink_link_set_alias_index(struct netlink *nl, int ifindex, const char *alias,
				 struct error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int ret;

	if (strlen(alias) >= NETLINK_ALIAS_MAX)
		return error_set(err, ENAMETOOLONG,
				 "netlink: alias for ifindex %d is longer than %d bytes", ifindex,
				 NETLINK_ALIAS_MAX - 1);
	nlh = nl_index_msg(buf, RTM_SETLINK, ifindex, NULL);
	mnl_attr_put_strz(nlh, IFLA_IFALIAS, alias);
	nl_note(nl, "set alias of ifindex %d", ifindex);
	ret = netlink_request_run(nl, nlh, NULL, NULL);
	if (ret < 0)
		return netlink_request_fail(nl, err, ret, "set alias of ifindex %d", ifindex);
	return 0;
}

int netlink_link_set_up_index(struct netlink *nl, int ifindex, bool up, struct error *err)
{
	const char *what = up ? "set up" : "set down";
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh;
	int ret;

	nlh = nl_index_msg(buf, RTM_SETLINK, ifindex, &ifi);
	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = up ? IFF_UP : 0;
	nl_note(nl, "%s link ifindex %d", what, ifindex);
	ret = netlink_request_run(nl, nlh, NULL, NULL);
	if (ret < 0)
		return netlink_request_fail(nl, err, ret, "%s link ifindex %d", what, ifindex);
	return 0;
}

int netlink_link_delete_index(struct netlink *nl, int ifindex, struct error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int ret;

	nlh = nl_index_msg(buf, RTM_DELLINK, ifindex, NULL);
	ret = netlink_request_run(nl, nlh, NULL, NULL);
	if (ret == -ENODEV)
		return ret;
	if (ret < 0)
		return netlink_request_fail(nl, err, ret, "delete link ifindex %d", ifindex);
	return 0;
}

int netlink_link_set_up(struct netlink *nl, const char *name, bool up, struct error *err)
{
	const char *what = up ? "set up link" : "set down link";
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh;
	int ret;

	ret = nl_setlink_begin(nl, buf, name, what, &nlh, err);
	if (ret < 0)
		return ret;
	ifi = mnl_nlmsg_get_payload(nlh);
	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = up ? IFF_UP : 0;
	ret = netlink_request_run(nl, nlh, NULL, NULL);
	if (ret < 0)
		return netlink_request_fail(nl, err, ret, "%s %s", what, name);
	return 0;
}

int netlink_link_set_mtu(struct netlink *nl, const char *name, unsigned int mtu, struct error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int ret;

	ret = nl_setlink_begin(nl, buf, name, "set mtu of", &nlh, err);
	if (ret < 0)
		return ret;
	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	ret = netlink_request_run(nl, nlh, NULL, NULL);
	if (ret < 0)
		return netlink_request_fail(nl, err, ret, "set mtu %u on %s", mtu, name);
	return 0;
}

int netlink_link_rename(struct netlink *nl, const char *name, const char *new_name,
			struct error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int ret;

	if (!nl_name_ok(new_name))
		return error_set(err, EINVAL,
				 "netlink: rename %s to \"%s\": invalid interface name", name,
				 new_name ? new_name : "");
	ret = nl_setlink_begin(nl, buf, name, "rename", &nlh, err);
	if (ret < 0)
		return ret;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, new_name);
	ret = netlink_request_run(nl, nlh, NULL, NULL);
	if (ret < 0)
		return netlink_request_fail(nl, err, ret, "rename %s to %s", name, new_name);
	return 0;
}

int netlink_link_set_mac(struct netlink *nl, const char *name,
			 const unsigned char mac[NETLINK_MAC_LEN], struct error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int ret;

	ret = nl_setlink_begin(nl, buf, name, "set mac of", &nlh, err);
	if (ret < 0)
		return ret;
	mnl_attr_put(nlh, IFLA_ADDRESS, NETLINK_MAC_LEN, mac);
	ret = netlink_request_run(nl, nlh, NULL, NULL);
	if (ret < 0)
		return netlink_request_fail(nl, err, ret,
					    "set mac %02x:%02x:%02x:%02x:%02x:%02x on %s", mac[0],
					    mac[1], mac[2], mac[3], mac[4], mac[5], name);
	return 0;
}

int netlink_link_set_netns(struct netlink *nl, const char *name, int netns_fd, const char *new_name,
			   struct error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int ret;

	if (new_name && !nl_name_ok(new_name))
		return error_set(err, EINVAL, "netlink: move %s: invalid new interface name \"%s\"",
				 name, new_name);
	ret = nl_setlink_begin(nl, buf, name, "move link", &nlh, err);
	if (ret < 0)
		return ret;
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)netns_fd);
	if (new_name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, new_name);
	ret = netlink_request_run(nl, nlh, NULL, NULL);
	if (ret < 0)
		return netlink_request_fail(nl, err, ret, "move link %s to netns fd %d%s%s", name,
					    netns_fd, new_name ? " as " : "",
					    new_name ? new_name : "");
	return 0;
}

int netlink_link_delete(struct netlink *nl, const char *name, struct error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int ret;

	if (!nl_name_ok(name))
		return error_set(err, EINVAL, "netlink: delete link \"%s\": invalid interface name",
				 name ? name : "");
	nlh = nl_link_msg(buf, RTM_DELLINK, 0, name);
	ret = netlink_request_run(nl, nlh, NULL, NULL);
	if (ret == -ENODEV)
		return ret;
	if (ret < 0)
		return netlink_request_fail(nl, err, ret, "delete link %s", name);
	return 0;
}

/* ---- helpers for addresses and routes ---- */
