#include "plugin/kernel/netlink.h"
#include "plugin/kernel/netlink_internal.h"
#include "plugin/kernel/netns.h"

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

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* What one request's callbacks share: the handle and the caller's parser. */
struct nl_call {
	struct netlink *nl;
	mnl_cb_t cb;
	void *data;
};

struct netlink *netlink_open(struct error *err)
{
	struct netlink *nl;
	int one = 1;
	int ret;

	nl = calloc(1, sizeof(*nl));
	if (!nl) {
		error_set(err, ENOMEM, "netlink: out of memory");
		errno = ENOMEM;
		return NULL;
	}
	nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->sock) {
		ret = errno;
		error_set(err, ret, "netlink: open rtnetlink socket: %s",
			      strerror(ret));
		goto fail;
	}
	/* Best effort: old kernels lack extack and capped acks, requests still work. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = errno;
		error_set(err, ret, "netlink: bind rtnetlink socket: %s",
			      strerror(ret));
		goto fail;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (unsigned int)time(NULL);
	return nl;
fail:
	netlink_close(nl);
	errno = ret;
	return NULL;
}

struct netlink_open_in {
	struct netlink *nl;
	struct error *err;
};

static int netlink_open_in_cb(void *arg)
{
	struct netlink_open_in *open = arg;

	open->nl = netlink_open(open->err);
	return open->nl ? 0 : -errno;
}

/* A socket keeps the netns it was created in, so it can be used from here after. */
int netlink_open_in(int ns_fd, struct netlink **out, struct error *err)
{
	struct netlink_open_in open = {.nl = NULL, .err = err};
	int ret = netns_run(ns_fd, netlink_open_in_cb, &open, err);

	if (ret < 0) {
		netlink_close(open.nl);
		return ret;
	}
	*out = open.nl;
	return 0;
}

void netlink_mac_format(const unsigned char mac[NETLINK_MAC_LEN], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
		 mac[5]);
}

void netlink_close(struct netlink *nl)
{
	if (!nl)
		return;
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl);
}

static int nl_extack_attr(const struct nlattr *attr, void *data)
{
	struct netlink *nl = data;

	if (mnl_attr_get_type(attr) != NLMSGERR_ATTR_MSG)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_OK;
	snprintf(nl->extack, sizeof(nl->extack), "%s", mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

/* Extack TLVs follow the error header, after the echoed request unless capped. */
static void nl_parse_extack(struct netlink *nl, const struct nlmsghdr *nlh,
			    const struct nlmsgerr *e)
{
	size_t off = sizeof(*e);
	size_t len = mnl_nlmsg_get_payload_len(nlh);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	off = MNL_ALIGN(off);
	if (off >= len)
		return;
	mnl_attr_parse_payload((const char *)mnl_nlmsg_get_payload(nlh) + off, len - off,
			       nl_extack_attr, nl);
}

static int nl_cb_error(const struct nlmsghdr *nlh, void *data)
{
	struct nl_call *call = data;
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (e->error == 0)
		return MNL_CB_STOP;
	nl_parse_extack(call->nl, nlh, e);
	errno = e->error < 0 ? -e->error : e->error;
	return MNL_CB_ERROR;
}

/* A dump that failed half-way reports its error in NLMSG_DONE's payload. */
static int nl_cb_done(const struct nlmsghdr *nlh, void *data)
{
	(void)data;
	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int)) {
		int code = *(const int *)mnl_nlmsg_get_payload(nlh);

		if (code < 0) {
			errno = -code;
			return MNL_CB_ERROR;
		}
	}
	return MNL_CB_STOP;
}

static int nl_cb_data(const struct nlmsghdr *nlh, void *data)
{
	struct nl_call *call = data;

	return call->cb ? call->cb(nlh, call->data) : MNL_CB_OK;
}

/*
 * Send one request and read replies until its ack, error or end of dump.
 * libmnl checks sequence number and port id of every reply. Returns 0 or
 * -errno; nl->extack holds the kernel's text for a failure.
 */
int nl_talk(struct netlink *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = nl_cb_error,
		[NLMSG_DONE] = nl_cb_done,
	};
	struct nl_call call = {.nl = nl, .cb = cb, .data = data};
	ssize_t n;
	int ret;

	nl->extack[0] = '\0';
	nlh->nlmsg_seq = ++nl->seq;
	/* NLM_F_DUMP is two bits, one of them shared with NLM_F_EXCL. */
	if ((nlh->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP || (nlh->nlmsg_flags & NLM_F_CREATE))
		nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
		if (n < 0)
			return -errno;
		errno = 0;
		ret = mnl_cb_run2(nl->buf, (size_t)n, nlh->nlmsg_seq, nl->portid, nl_cb_data, &call,
				  ctl, NLMSG_MIN_TYPE);
		if (ret < 0)
			return errno ? -errno : -EPROTO;
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

/* Record "netlink: <what>: <strerror> (extack: <kernel text>)"; returns ret. */
int nl_fail(struct netlink *nl, struct error *err, int ret, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (nl->extack[0])
		return error_set(err, -ret, "netlink: %s: %s (extack: %s)",
				     what, strerror(-ret), nl->extack);
	return error_set(err, -ret, "netlink: %s: %s", what, strerror(-ret));
}

struct nlmsghdr *nl_msg(char *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	return nlh;
}

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
	struct nlmsghdr *nlh = nl_msg(buf, type, flags);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nlh;
}

int netlink_link_get(struct netlink *nl, const char *name, struct netlink_link *out,
		     struct error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int ret;

	if (!nl_name_ok(name))
		return error_set(err, EINVAL,
				     "netlink: get link \"%s\": invalid interface name",
				     name ? name : "");
	nlh = nl_link_msg(buf, RTM_GETLINK, 0, name);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	memset(out, 0, sizeof(*out));
	ret = nl_talk(nl, nlh, nl_link_cb, out);
	if (ret == -ENODEV)
		return ret;
	if (ret < 0)
		return nl_fail(nl, err, ret, "get link %s", name);
	if (out->ifindex <= 0)
		return error_set(err, EPROTO,
				     "netlink: get link %s: no link in the reply", name);
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

	nlh = nl_msg(buf, RTM_GETLINK, NLM_F_DUMP);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	ret = nl_talk(nl, nlh, nl_link_walk_cb, &walk);
	if (ret < 0)
		return nl_fail(nl, err, ret, "list links");
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
		return error_set(err, EINVAL,
				     "netlink: create veth \"%s\"/\"%s\": invalid interface name",
				     veth->name ? veth->name : "",
				     veth->peer_name ? veth->peer_name : "");
	nlh = nl_link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, veth->name);
	if (veth->mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, veth->mtu);
	if (veth->mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, NETLINK_MAC_LEN, veth->mac);
	nl_put_veth_peer(nlh, veth);
	ret = nl_talk(nl, nlh, NULL, NULL);
	if (ret < 0)
		return nl_fail(nl, err, ret, "create veth %s/%s", veth->name, veth->peer_name);
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
		return nl_fail(nl, err, ret, "%s %s", what, name);
	if (ret < 0)
		return ret;
	nlh = nl_msg(buf, RTM_SETLINK, 0);
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
		return error_set(err, ENAMETOOLONG,
				     "netlink: alias for %s is longer than %d bytes", name,
				     NETLINK_ALIAS_MAX - 1);
	ret = nl_setlink_begin(nl, buf, name, "set alias of", &nlh, err);
	if (ret < 0)
		return ret;
	mnl_attr_put_strz(nlh, IFLA_IFALIAS, alias);
	ret = nl_talk(nl, nlh, NULL, NULL);
	if (ret < 0)
		return nl_fail(nl, err, ret, "set alias of %s", name);
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
	ret = nl_talk(nl, nlh, NULL, NULL);
	if (ret < 0)
		return nl_fail(nl, err, ret, "%s %s", what, name);
	return 0;
}

int netlink_link_set_mtu(struct netlink *nl, const char *name, unsigned int mtu,
			 struct error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int ret;

	ret = nl_setlink_begin(nl, buf, name, "set mtu of", &nlh, err);
	if (ret < 0)
		return ret;
	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	ret = nl_talk(nl, nlh, NULL, NULL);
	if (ret < 0)
		return nl_fail(nl, err, ret, "set mtu %u on %s", mtu, name);
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
	ret = nl_talk(nl, nlh, NULL, NULL);
	if (ret < 0)
		return nl_fail(nl, err, ret, "rename %s to %s", name, new_name);
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
	ret = nl_talk(nl, nlh, NULL, NULL);
	if (ret < 0)
		return nl_fail(nl, err, ret, "set mac %02x:%02x:%02x:%02x:%02x:%02x on %s", mac[0],
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
		return error_set(err, EINVAL,
				     "netlink: move %s: invalid new interface name \"%s\"", name,
				     new_name);
	ret = nl_setlink_begin(nl, buf, name, "move link", &nlh, err);
	if (ret < 0)
		return ret;
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)netns_fd);
	if (new_name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, new_name);
	ret = nl_talk(nl, nlh, NULL, NULL);
	if (ret < 0)
		return nl_fail(nl, err, ret, "move link %s to netns fd %d%s%s", name, netns_fd,
			       new_name ? " as " : "", new_name ? new_name : "");
	return 0;
}

int netlink_link_delete(struct netlink *nl, const char *name, struct error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int ret;

	if (!nl_name_ok(name))
		return error_set(err, EINVAL,
				     "netlink: delete link \"%s\": invalid interface name",
				     name ? name : "");
	nlh = nl_link_msg(buf, RTM_DELLINK, 0, name);
	ret = nl_talk(nl, nlh, NULL, NULL);
	if (ret == -ENODEV)
		return ret;
	if (ret < 0)
		return nl_fail(nl, err, ret, "delete link %s", name);
	return 0;
}

/* ---- helpers for addresses and routes ---- */

size_t nl_family_size(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

const char *nl_prefix_text(const struct ip_prefix *prefix, char *buf, size_t size)
{
	char addr[INET6_ADDRSTRLEN];

	if (!inet_ntop(prefix->addr.family, prefix->addr.bytes, addr, sizeof(addr)))
		snprintf(addr, sizeof(addr), "(family %d)", prefix->addr.family);
	snprintf(buf, size, "%s/%u", addr, prefix->len);
	return buf;
}

int nl_prefix_check(const struct ip_prefix *prefix, const char *what, const char *text,
		    struct error *err)
{
	size_t size = nl_family_size(prefix->addr.family);

	if (!size || prefix->len > size * 8)
		return error_set(err, EINVAL,
				     "netlink: %s %s: invalid address or prefix length", what,
				     text);
	return 0;
}
