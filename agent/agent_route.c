/* RTM_NEWROUTE / DELROUTE / GETROUTE with the agent's route protocol. */
#include "agent/agent_route.h"
#include "plugin/kernel/netlink_request.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool agent_route_equal(const struct agent_route *a, const struct agent_route *b)
{
	return a->dst.len == b->dst.len && ip_address_equal(&a->dst.addr, &b->dst.addr) &&
	       a->gw.family == b->gw.family &&
	       (!a->gw.family || ip_address_equal(&a->gw, &b->gw)) && a->oif == b->oif &&
	       a->onlink == b->onlink;
}

const char *agent_route_format(const struct agent_route *route, char *buf, size_t size)
{
	char dst[IP_PREFIX_STRLEN], gw[INET6_ADDRSTRLEN] = "";

	ip_prefix_format(&route->dst, dst, sizeof(dst));
	if (route->gw.family)
		ip_address_format(&route->gw, gw, sizeof(gw));
	snprintf(buf, size, "%s%s%s oif %d%s", dst, gw[0] ? " via " : "", gw, route->oif,
		 route->onlink ? " onlink" : "");
	return buf;
}

static int request(struct netlink *nl, uint16_t type, uint16_t flags, const struct agent_route *r)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	size_t size = netlink_request_addr_len(r->dst.addr.family);
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	if (!size || r->dst.len > size * 8 || (r->gw.family && r->gw.family != r->dst.addr.family))
		return -EINVAL;
	nlh = netlink_request_start(buf, type, flags);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)r->dst.addr.family;
	rtm->rtm_dst_len = (unsigned char)r->dst.len;
	rtm->rtm_table = RT_TABLE_MAIN;
	/* On delete too: the kernel then only matches a route of this protocol. */
	rtm->rtm_protocol = AGENT_ROUTE_PROTOCOL;
	if (type == RTM_NEWROUTE) {
		rtm->rtm_type = RTN_UNICAST;
		rtm->rtm_scope = r->gw.family ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
		if (r->onlink)
			rtm->rtm_flags |= RTNH_F_ONLINK;
	} else {
		rtm->rtm_scope = RT_SCOPE_NOWHERE; /* any scope */
	}
	mnl_attr_put(nlh, RTA_DST, size, r->dst.addr.bytes);
	if (r->gw.family)
		mnl_attr_put(nlh, RTA_GATEWAY, size, r->gw.bytes);
	if (r->oif)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)r->oif);
	return netlink_request_run(nl, nlh, NULL, NULL);
}

int agent_route_add(struct netlink *nl, const struct agent_route *route, bool replace,
		    struct error *err)
{
	char text[IP_PREFIX_STRLEN + INET6_ADDRSTRLEN + 48];
	int ret;

	ret = request(nl, RTM_NEWROUTE, NLM_F_CREATE | (replace ? NLM_F_REPLACE : NLM_F_EXCL),
		      route);
	if (ret == -EEXIST && !replace)
		return ret;
	if (ret < 0)
		return netlink_request_fail(
			nl, err, ret, "%s route %s proto %d", replace ? "replace" : "add",
			agent_route_format(route, text, sizeof(text)), AGENT_ROUTE_PROTOCOL);
	return 0;
}

int agent_route_del(struct netlink *nl, const struct agent_route *route, struct error *err)
{
	char text[IP_PREFIX_STRLEN + INET6_ADDRSTRLEN + 48];
	int ret = request(nl, RTM_DELROUTE, 0, route);

	if (ret == -ESRCH)
		return ret;
	if (ret < 0)
		return netlink_request_fail(nl, err, ret, "delete route %s proto %d",
					    agent_route_format(route, text, sizeof(text)),
					    AGENT_ROUTE_PROTOCOL);
	return 0;
}

struct route_dump {
	struct agent_route *routes;
	size_t count, capacity;
	int ret;
};

static int route_attr(const struct nlattr *attr, void *data)
{
	struct agent_route *r = data;
	size_t size = netlink_request_addr_len(r->dst.addr.family);

	switch (mnl_attr_get_type(attr)) {
	case RTA_DST:
		if (mnl_attr_get_payload_len(attr) == size)
			memcpy(r->dst.addr.bytes, mnl_attr_get_payload(attr), size);
		break;
	case RTA_GATEWAY:
		if (mnl_attr_get_payload_len(attr) == size) {
			r->gw.family = r->dst.addr.family;
			memcpy(r->gw.bytes, mnl_attr_get_payload(attr), size);
		}
		break;
	case RTA_OIF:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			r->oif = (int)mnl_attr_get_u32(attr);
		break;
	}
	return MNL_CB_OK;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct route_dump *dump = data;
	struct agent_route r;

	if (nlh->nlmsg_type != RTM_NEWROUTE || !netlink_request_addr_len(rtm->rtm_family) ||
	    rtm->rtm_protocol != AGENT_ROUTE_PROTOCOL || rtm->rtm_table != RT_TABLE_MAIN ||
	    rtm->rtm_type != RTN_UNICAST || (rtm->rtm_flags & RTM_F_CLONED))
		return MNL_CB_OK;
	memset(&r, 0, sizeof(r));
	r.dst.addr.family = rtm->rtm_family;
	r.dst.len = rtm->rtm_dst_len;
	r.onlink = rtm->rtm_flags & RTNH_F_ONLINK;
	mnl_attr_parse(nlh, sizeof(*rtm), route_attr, &r);
	if (dump->count == dump->capacity) {
		size_t capacity = dump->capacity ? dump->capacity * 2 : 32;
		struct agent_route *routes = realloc(dump->routes, capacity * sizeof(*routes));

		if (!routes) {
			dump->ret = -ENOMEM;
			return MNL_CB_OK;
		}
		dump->routes = routes;
		dump->capacity = capacity;
	}
	dump->routes[dump->count++] = r;
	return MNL_CB_OK;
}

int agent_route_list(struct netlink *nl, struct agent_route **out, size_t *count, struct error *err)
{
	struct route_dump dump = {0};
	int ret = netlink_request_dump(nl, RTM_GETROUTE, sizeof(struct rtmsg), AF_UNSPEC, route_cb,
				       &dump);

	if (ret == 0)
		ret = dump.ret;
	if (ret < 0) {
		free(dump.routes);
		return ret == -ENOMEM
			       ? error_set(err, ENOMEM, "netlink: out of memory for routes")
			       : netlink_request_fail(nl, err, ret, "list routes of protocol %d",
						      AGENT_ROUTE_PROTOCOL);
	}
	*out = dump.routes;
	*count = dump.count;
	return 0;
}
