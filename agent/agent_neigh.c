/* RTM_NEWNEIGH / DELNEIGH / GETNEIGH for neighbours (AF_INET*) and the VXLAN FDB (AF_BRIDGE). */
#include "agent/agent_neigh.h"
#include "plugin/kernel/netlink_request.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

bool agent_neigh_same_key(const struct agent_neigh *a, const struct agent_neigh *b)
{
	if (a->kind != b->kind)
		return false;
	if (a->kind == AGENT_NEIGH_FDB)
		return !memcmp(a->mac, b->mac, sizeof(a->mac));
	return ip_address_equal(&a->ip, &b->ip);
}

bool agent_neigh_equal(const struct agent_neigh *a, const struct agent_neigh *b)
{
	return a->kind == b->kind && ip_address_equal(&a->ip, &b->ip) &&
	       !memcmp(a->mac, b->mac, sizeof(a->mac));
}

static const char *text(const struct agent_neigh *n, char *buf, size_t size)
{
	char ip[INET6_ADDRSTRLEN], mac[18];

	ip_address_format(&n->ip, ip, sizeof(ip));
	netlink_mac_format(n->mac, mac);
	if (n->kind == AGENT_NEIGH_FDB)
		snprintf(buf, size, "fdb %s dst %s", mac, ip);
	else
		snprintf(buf, size, "neigh %s lladdr %s", ip, mac);
	return buf;
}

static int request(struct netlink *nl, uint16_t type, uint16_t flags, int ifindex,
		   const struct agent_neigh *n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	size_t size = netlink_request_addr_len(n->ip.family);
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;

	if (!size)
		return -EINVAL;
	nlh = netlink_request_start(buf, type, flags);
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_ifindex = ifindex;
	ndm->ndm_state = NUD_PERMANENT;
	if (n->kind == AGENT_NEIGH_FDB) {
		/* The device's own FDB (NTF_SELF), not a bridge master's. */
		ndm->ndm_family = AF_BRIDGE;
		ndm->ndm_flags = NTF_SELF;
		mnl_attr_put(nlh, NDA_LLADDR, NETLINK_MAC_LEN, n->mac);
		mnl_attr_put(nlh, NDA_DST, size, n->ip.bytes);
	} else {
		ndm->ndm_family = (unsigned char)n->ip.family;
		mnl_attr_put(nlh, NDA_DST, size, n->ip.bytes);
		if (type == RTM_NEWNEIGH)
			mnl_attr_put(nlh, NDA_LLADDR, NETLINK_MAC_LEN, n->mac);
	}
	return netlink_request_run(nl, nlh, NULL, NULL);
}

int agent_neigh_replace(struct netlink *nl, int ifindex, const struct agent_neigh *neigh,
			struct error *err)
{
	char buf[96];
	int ret = request(nl, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, ifindex, neigh);

	if (ret < 0)
		return netlink_request_fail(nl, err, ret, "replace %s",
					    text(neigh, buf, sizeof(buf)));
	return 0;
}

int agent_neigh_del(struct netlink *nl, int ifindex, const struct agent_neigh *neigh,
		    struct error *err)
{
	char buf[96];
	int ret = request(nl, RTM_DELNEIGH, 0, ifindex, neigh);

	if (ret == -ENOENT)
		return ret;
	if (ret < 0)
		return netlink_request_fail(nl, err, ret, "delete %s",
					    text(neigh, buf, sizeof(buf)));
	return 0;
}

struct neigh_dump {
	int ifindex;
	enum agent_neigh_kind kind;
	struct agent_neigh *entries;
	size_t count, capacity;
	int ret;
};

static int neigh_attr(const struct nlattr *attr, void *data)
{
	struct agent_neigh *n = data;
	size_t len = mnl_attr_get_payload_len(attr);

	switch (mnl_attr_get_type(attr)) {
	case NDA_DST:
		if (len == 4 || len == 16) {
			n->ip.family = len == 4 ? AF_INET : AF_INET6;
			memcpy(n->ip.bytes, mnl_attr_get_payload(attr), len);
		}
		break;
	case NDA_LLADDR:
		if (len == NETLINK_MAC_LEN)
			memcpy(n->mac, mnl_attr_get_payload(attr), NETLINK_MAC_LEN);
		break;
	}
	return MNL_CB_OK;
}

static int neigh_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	struct neigh_dump *dump = data;
	struct agent_neigh n = {.kind = dump->kind};

	if (nlh->nlmsg_type != RTM_NEWNEIGH || ndm->ndm_ifindex != dump->ifindex ||
	    !(ndm->ndm_state & NUD_PERMANENT))
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*ndm), neigh_attr, &n);
	if (!n.ip.family)
		return MNL_CB_OK;
	if (dump->count == dump->capacity) {
		size_t capacity = dump->capacity ? dump->capacity * 2 : 32;
		struct agent_neigh *entries = realloc(dump->entries, capacity * sizeof(*entries));

		if (!entries) {
			dump->ret = -ENOMEM;
			return MNL_CB_OK;
		}
		dump->entries = entries;
		dump->capacity = capacity;
	}
	dump->entries[dump->count++] = n;
	return MNL_CB_OK;
}

static int dump_family(struct netlink *nl, int family, struct neigh_dump *dump)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = netlink_request_start(buf, RTM_GETNEIGH, NLM_F_DUMP);
	struct ndmsg *ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));

	ndm->ndm_family = (unsigned char)family;
	/* The kernel filters IP neighbours by device; the bridge dump's legacy
	 * parser reads no such attribute, so neigh_cb checks the device anyway. */
	if (family != AF_BRIDGE)
		mnl_attr_put_u32(nlh, NDA_IFINDEX, (uint32_t)dump->ifindex);
	return netlink_request_run(nl, nlh, neigh_cb, dump);
}

int agent_neigh_list(struct netlink *nl, int ifindex, enum agent_neigh_kind kind,
		     struct agent_neigh **out, size_t *count, struct error *err)
{
	struct neigh_dump dump = {.ifindex = ifindex, .kind = kind};
	int ret;

	if (kind == AGENT_NEIGH_FDB)
		ret = dump_family(nl, AF_BRIDGE, &dump);
	else if ((ret = dump_family(nl, AF_INET, &dump)) == 0)
		ret = dump_family(nl, AF_INET6, &dump);
	if (ret == 0)
		ret = dump.ret;
	if (ret < 0) {
		free(dump.entries);
		return netlink_request_fail(nl, err, ret, "list %s entries of ifindex %d",
					    kind == AGENT_NEIGH_FDB ? "fdb" : "neighbour", ifindex);
	}
	*out = dump.entries;
	*count = dump.count;
	return 0;
}
