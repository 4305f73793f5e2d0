/* rtnetlink addresses: add, delete, list (RTM_*ADDR). */
#include "plugin/kernel/netlink.h"
#include "plugin/kernel/netlink_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

static int nl_addr_request(struct netlink *nl, uint16_t type, int ifindex,
			   const struct ip_prefix *prefix, unsigned int flags)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	size_t size = netlink_request_addr_len(prefix->addr.family);
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;

	nlh = netlink_request_start(buf, type, type == RTM_NEWADDR ? NLM_F_CREATE | NLM_F_EXCL : 0);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (unsigned char)prefix->addr.family;
	ifa->ifa_prefixlen = (unsigned char)prefix->len;
	ifa->ifa_index = (unsigned int)ifindex;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_flags = (unsigned char)(flags & 0xff);
	mnl_attr_put(nlh, IFA_LOCAL, size, prefix->addr.bytes);
	mnl_attr_put(nlh, IFA_ADDRESS, size, prefix->addr.bytes);
	/* Flags above bit 7 (NOPREFIXROUTE, ...) only fit in IFA_FLAGS. */
	if (type == RTM_NEWADDR)
		mnl_attr_put_u32(nlh, IFA_FLAGS, flags);
	return netlink_request_run(nl, nlh, NULL, NULL);
}

int netlink_addr_add(struct netlink *nl, int ifindex, const struct ip_prefix *prefix,
		     unsigned int flags, struct error *err)
{
	char text[IP_PREFIX_STRLEN + 16];
	int ret;

	nl_prefix_text(prefix, text, sizeof(text));
	ret = nl_prefix_check(prefix, "add address", text, err);
	if (ret < 0)
		return ret;
	/* Duplicate address detection would hold the address back for a second or more. */
	if (prefix->addr.family == AF_INET6)
		flags |= IFA_F_NODAD;
	nl_note(nl, "add address %s to ifindex %d", text, ifindex);
	ret = nl_addr_request(nl, RTM_NEWADDR, ifindex, prefix, flags);
	if (ret < 0)
		return netlink_request_fail(nl, err, ret, "add address %s to ifindex %d", text,
					    ifindex);
	return 0;
}

int netlink_addr_del(struct netlink *nl, int ifindex, const struct ip_prefix *prefix,
		     struct error *err)
{
	char text[IP_PREFIX_STRLEN + 16];
	int ret;

	nl_prefix_text(prefix, text, sizeof(text));
	ret = nl_prefix_check(prefix, "delete address", text, err);
	if (ret < 0)
		return ret;
	ret = nl_addr_request(nl, RTM_DELADDR, ifindex, prefix, 0);
	if (ret == -EADDRNOTAVAIL)
		return ret;
	if (ret < 0)
		return netlink_request_fail(nl, err, ret, "delete address %s from ifindex %d", text,
					    ifindex);
	return 0;
}

struct nl_addr_attrs {
	const struct nlattr *local;
	const struct nlattr *address;
	uint32_t flags;
	bool has_flags;
};

static int nl_addr_attr(const struct nlattr *attr, void *data)
{
	struct nl_addr_attrs *a = data;

	switch (mnl_attr_get_type(attr)) {
	case IFA_LOCAL:
		a->local = attr;
		break;
	case IFA_ADDRESS:
		a->address = attr;
		break;
	case IFA_FLAGS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0) {
			a->flags = mnl_attr_get_u32(attr);
			a->has_flags = true;
		}
		break;
	}
	return MNL_CB_OK;
}

static int nl_addr_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct nl_addr_attrs a = {0};
	struct nl_list *list = data;
	const struct nlattr *attr;
	struct netlink_addr *addr;
	size_t size = netlink_request_addr_len(ifa->ifa_family);

	if (nlh->nlmsg_type != RTM_NEWADDR || !size)
		return MNL_CB_OK;
	if (list->ifindex && (int)ifa->ifa_index != list->ifindex)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*ifa), nl_addr_attr, &a);
	/* IFA_LOCAL is the address itself; IFA_ADDRESS is the peer on point-to-point links. */
	attr = a.local ? a.local : a.address;
	if (!attr || mnl_attr_get_payload_len(attr) != size)
		return MNL_CB_OK;
	if (list->count++ >= list->max)
		return MNL_CB_OK;
	addr = (struct netlink_addr *)list->out + (list->count - 1);
	memset(addr, 0, sizeof(*addr));
	addr->ifindex = (int)ifa->ifa_index;
	addr->prefix.addr.family = ifa->ifa_family;
	memcpy(addr->prefix.addr.bytes, mnl_attr_get_payload(attr), size);
	addr->prefix.len = ifa->ifa_prefixlen;
	addr->flags = a.has_flags ? a.flags : ifa->ifa_flags;
	addr->scope = ifa->ifa_scope;
	return MNL_CB_OK;
}

int netlink_addr_list(struct netlink *nl, int ifindex, int family, struct netlink_addr *out,
		      size_t max, size_t *count, struct error *err)
{
	struct nl_list list = {.out = out, .max = max, .ifindex = ifindex};

	return nl_list_dump(nl, RTM_GETADDR, sizeof(struct ifaddrmsg), family, nl_addr_cb, &list,
			    count, err, "addresses of ifindex %d", ifindex);
}
