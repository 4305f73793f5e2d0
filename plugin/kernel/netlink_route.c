/* rtnetlink routes: add, delete, list (RTM_*ROUTE). */
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

void netlink_route_init(struct netlink_route *route)
{
	memset(route, 0, sizeof(*route));
	route->scope = NETLINK_SCOPE_AUTO;
}

static const char *nl_route_text(const struct netlink_route *route, char *buf, size_t size)
{
	char dst[IP_PREFIX_STRLEN + 16], gw[INET6_ADDRSTRLEN] = "";

	nl_prefix_text(&route->dst, dst, sizeof(dst));
	if (route->gw.family && !inet_ntop(route->gw.family, route->gw.bytes, gw, sizeof(gw)))
		snprintf(gw, sizeof(gw), "?");
	if (route->oif)
		snprintf(buf, size, "%s%s%s oif %d", dst, gw[0] ? " via " : "", gw, route->oif);
	else
		snprintf(buf, size, "%s%s%s", dst, gw[0] ? " via " : "", gw);
	return buf;
}

static int nl_route_request(struct netlink *nl, uint16_t type, const struct netlink_route *r)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	size_t size = netlink_request_addr_len(r->dst.addr.family);
	unsigned int table = r->table ? r->table : RT_TABLE_MAIN;
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	nlh = netlink_request_start(buf, type,
				    type == RTM_NEWROUTE ? NLM_F_CREATE | NLM_F_EXCL : 0);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)r->dst.addr.family;
	rtm->rtm_dst_len = (unsigned char)r->dst.len;
	rtm->rtm_table = table < 256 ? (unsigned char)table : RT_TABLE_UNSPEC;
	if (type == RTM_NEWROUTE) {
		rtm->rtm_protocol = RTPROT_BOOT;
		rtm->rtm_type = RTN_UNICAST;
		if (r->scope != NETLINK_SCOPE_AUTO)
			rtm->rtm_scope = (unsigned char)r->scope;
		else
			rtm->rtm_scope =
				r->gw.family || !r->oif ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	} else {
		/* NOWHERE matches a route of any scope. */
		rtm->rtm_scope = RT_SCOPE_NOWHERE;
	}
	if (r->onlink)
		rtm->rtm_flags |= RTNH_F_ONLINK;
	if (r->dst.len)
		mnl_attr_put(nlh, RTA_DST, size, r->dst.addr.bytes);
	if (r->gw.family)
		mnl_attr_put(nlh, RTA_GATEWAY, netlink_request_addr_len(r->gw.family), r->gw.bytes);
	if (r->prefsrc.family)
		mnl_attr_put(nlh, RTA_PREFSRC, netlink_request_addr_len(r->prefsrc.family),
			     r->prefsrc.bytes);
	if (r->oif)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)r->oif);
	if (r->priority)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, r->priority);
	mnl_attr_put_u32(nlh, RTA_TABLE, table);
	if (r->mtu || r->advmss) {
		struct nlattr *metrics = mnl_attr_nest_start(nlh, RTA_METRICS);

		if (r->mtu)
			mnl_attr_put_u32(nlh, RTAX_MTU, r->mtu);
		if (r->advmss)
			mnl_attr_put_u32(nlh, RTAX_ADVMSS, r->advmss);
		mnl_attr_nest_end(nlh, metrics);
	}
	return netlink_request_run(nl, nlh, NULL, NULL);
}

static int nl_route_check(const struct netlink_route *r, const char *what, const char *text,
			  struct error *err)
{
	size_t size = netlink_request_addr_len(r->dst.addr.family);

	if (!size || r->dst.len > size * 8 || (r->gw.family && r->gw.family != r->dst.addr.family))
		return error_set(err, EINVAL, "netlink: %s %s: invalid destination or gateway",
				 what, text);
	return 0;
}

int netlink_route_add(struct netlink *nl, const struct netlink_route *route, struct error *err)
{
	char text[2 * INET6_ADDRSTRLEN + 48];
	int ret;

	nl_route_text(route, text, sizeof(text));
	ret = nl_route_check(route, "add route", text, err);
	if (ret < 0)
		return ret;
	nl_note(nl, "add route %s", text);
	ret = nl_route_request(nl, RTM_NEWROUTE, route);
	if (ret < 0)
		return netlink_request_fail(nl, err, ret, "add route %s", text);
	return 0;
}

int netlink_route_del(struct netlink *nl, const struct netlink_route *route, struct error *err)
{
	char text[2 * INET6_ADDRSTRLEN + 48];
	int ret;

	nl_route_text(route, text, sizeof(text));
	ret = nl_route_check(route, "delete route", text, err);
	if (ret < 0)
		return ret;
	ret = nl_route_request(nl, RTM_DELROUTE, route);
	if (ret == -ESRCH)
		return ret;
	if (ret < 0)
		return netlink_request_fail(nl, err, ret, "delete route %s", text);
	return 0;
}

static int nl_metric_attr(const struct nlattr *attr, void *data)
{
	struct netlink_route *r = data;

	if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
		return MNL_CB_OK;
	if (mnl_attr_get_type(attr) == RTAX_MTU)
		r->mtu = mnl_attr_get_u32(attr);
	else if (mnl_attr_get_type(attr) == RTAX_ADVMSS)
		r->advmss = mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

static void nl_route_addr(const struct nlattr *attr, int family, struct ip_address *out)
{
	size_t size = netlink_request_addr_len(family);

	if (mnl_attr_get_payload_len(attr) != size)
		return;
	out->family = family;
	memcpy(out->bytes, mnl_attr_get_payload(attr), size);
}

struct nl_route_parse {
	struct netlink_route *r;
	int family;
};

static int nl_route_attr(const struct nlattr *attr, void *data)
{
	struct nl_route_parse *p = data;
	struct netlink_route *r = p->r;

	switch (mnl_attr_get_type(attr)) {
	case RTA_DST:
		nl_route_addr(attr, p->family, &r->dst.addr);
		break;
	case RTA_GATEWAY:
		nl_route_addr(attr, p->family, &r->gw);
		break;
	case RTA_PREFSRC:
		nl_route_addr(attr, p->family, &r->prefsrc);
		break;
	case RTA_OIF:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			r->oif = (int)mnl_attr_get_u32(attr);
		break;
	case RTA_PRIORITY:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			r->priority = mnl_attr_get_u32(attr);
		break;
	case RTA_TABLE:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			r->table = mnl_attr_get_u32(attr);
		break;
	case RTA_METRICS:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) >= 0)
			mnl_attr_parse_nested(attr, nl_metric_attr, r);
		break;
	}
	return MNL_CB_OK;
}

static int nl_route_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct nl_list *list = data;
	struct netlink_route r;
	struct nl_route_parse p = {.r = &r, .family = rtm->rtm_family};

	if (nlh->nlmsg_type != RTM_NEWROUTE || !netlink_request_addr_len(rtm->rtm_family))
		return MNL_CB_OK;
	if (rtm->rtm_type != RTN_UNICAST || (rtm->rtm_flags & RTM_F_CLONED))
		return MNL_CB_OK;
	netlink_route_init(&r);
	r.dst.addr.family = rtm->rtm_family;
	r.dst.len = rtm->rtm_dst_len;
	r.table = rtm->rtm_table;
	r.scope = rtm->rtm_scope;
	r.onlink = rtm->rtm_flags & RTNH_F_ONLINK;
	mnl_attr_parse(nlh, sizeof(*rtm), nl_route_attr, &p);
	if (list->table && r.table != list->table)
		return MNL_CB_OK;
	if (list->count++ < list->max)
		((struct netlink_route *)list->out)[list->count - 1] = r;
	return MNL_CB_OK;
}

int netlink_route_list(struct netlink *nl, int family, unsigned int table,
		       struct netlink_route *out, size_t max, size_t *count, struct error *err)
{
	struct nl_list list = {.out = out, .max = max, .table = table};

	return nl_list_dump(nl, RTM_GETROUTE, sizeof(struct rtmsg), family, nl_route_cb, &list,
			    count, err, "routes of table %u", table);
}
