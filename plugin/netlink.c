#include "plugin/netlink.h"

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

/* Dumps of a busy routing table come in large batches; 32 KiB is libmnl's advice. */
#define NETLINK_RECV_SIZE 32768

struct netlink {
	struct mnl_socket *sock;
	unsigned int portid;
	unsigned int seq;
	char extack[256]; /* the kernel's message for the last failed request */
	char buf[NETLINK_RECV_SIZE];
};

/* What one request's callbacks share: the handle and the caller's parser. */
struct nl_call {
	struct netlink *nl;
	mnl_cb_t cb;
	void *data;
};

struct netlink *netlink_open(struct cni_error *err)
{
	struct netlink *nl;
	int one = 1;
	int ret;

	nl = calloc(1, sizeof(*nl));
	if (!nl) {
		cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "netlink: out of memory");
		errno = ENOMEM;
		return NULL;
	}
	nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->sock) {
		ret = errno;
		cni_error_set(err, CNI_ERR_NETLINK, ret, "netlink: open rtnetlink socket: %s",
			      strerror(ret));
		goto fail;
	}
	/* Best effort: old kernels lack extack and capped acks, requests still work. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = errno;
		cni_error_set(err, CNI_ERR_NETLINK, ret, "netlink: bind rtnetlink socket: %s",
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
static int nl_talk(struct netlink *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
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
__attribute__((format(printf, 4, 5))) static int nl_fail(struct netlink *nl, struct cni_error *err,
							 int ret, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (nl->extack[0])
		return cni_error_set(err, CNI_ERR_NETLINK, -ret, "netlink: %s: %s (extack: %s)",
				     what, strerror(-ret), nl->extack);
	return cni_error_set(err, CNI_ERR_NETLINK, -ret, "netlink: %s: %s", what, strerror(-ret));
}

static struct nlmsghdr *nl_msg(char *buf, uint16_t type, uint16_t flags)
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

int netlink_link_get(struct netlink *nl, const char *name, struct netlink_link *out,
		     struct cni_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	int ret;

	if (!nl_name_ok(name))
		return cni_error_set(err, CNI_ERR_NETLINK, EINVAL,
				     "netlink: get link \"%s\": invalid interface name",
				     name ? name : "");
	nlh = nl_msg(buf, RTM_GETLINK, 0);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	memset(out, 0, sizeof(*out));
	ret = nl_talk(nl, nlh, nl_link_cb, out);
	if (ret == -ENODEV)
		return ret;
	if (ret < 0)
		return nl_fail(nl, err, ret, "get link %s", name);
	if (out->ifindex <= 0)
		return cni_error_set(err, CNI_ERR_NETLINK, EPROTO,
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
			 void *arg, struct cni_error *err)
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

int netlink_veth_create(struct netlink *nl, const struct netlink_veth *veth, struct cni_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	int ret;

	if (!nl_name_ok(veth->name) || !nl_name_ok(veth->peer_name))
		return cni_error_set(err, CNI_ERR_NETLINK, EINVAL,
				     "netlink: create veth \"%s\"/\"%s\": invalid interface name",
				     veth->name ? veth->name : "",
				     veth->peer_name ? veth->peer_name : "");
	nlh = nl_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, veth->name);
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
			    struct nlmsghdr **out, struct cni_error *err)
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
			   struct cni_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int ret;

	if (strlen(alias) >= NETLINK_ALIAS_MAX)
		return cni_error_set(err, CNI_ERR_NETLINK, ENAMETOOLONG,
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

int netlink_link_set_up(struct netlink *nl, const char *name, bool up, struct cni_error *err)
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
			 struct cni_error *err)
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
			struct cni_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int ret;

	if (!nl_name_ok(new_name))
		return cni_error_set(err, CNI_ERR_NETLINK, EINVAL,
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
			 const unsigned char mac[NETLINK_MAC_LEN], struct cni_error *err)
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
			   struct cni_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int ret;

	if (new_name && !nl_name_ok(new_name))
		return cni_error_set(err, CNI_ERR_NETLINK, EINVAL,
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

int netlink_link_delete(struct netlink *nl, const char *name, struct cni_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	int ret;

	if (!nl_name_ok(name))
		return cni_error_set(err, CNI_ERR_NETLINK, EINVAL,
				     "netlink: delete link \"%s\": invalid interface name",
				     name ? name : "");
	nlh = nl_msg(buf, RTM_DELLINK, 0);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	ret = nl_talk(nl, nlh, NULL, NULL);
	if (ret == -ENODEV)
		return ret;
	if (ret < 0)
		return nl_fail(nl, err, ret, "delete link %s", name);
	return 0;
}

/* ---- addresses ---- */

static size_t nl_family_size(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

static const char *nl_prefix_text(const struct ip_prefix *prefix, char *buf, size_t size)
{
	char addr[INET6_ADDRSTRLEN];

	if (!inet_ntop(prefix->addr.family, prefix->addr.bytes, addr, sizeof(addr)))
		snprintf(addr, sizeof(addr), "(family %d)", prefix->addr.family);
	snprintf(buf, size, "%s/%u", addr, prefix->len);
	return buf;
}

static int nl_prefix_check(const struct ip_prefix *prefix, const char *what, const char *text,
			   struct cni_error *err)
{
	size_t size = nl_family_size(prefix->addr.family);

	if (!size || prefix->len > size * 8)
		return cni_error_set(err, CNI_ERR_NETLINK, EINVAL,
				     "netlink: %s %s: invalid address or prefix length", what,
				     text);
	return 0;
}

static int nl_addr_request(struct netlink *nl, uint16_t type, int ifindex,
			   const struct ip_prefix *prefix, unsigned int flags)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	size_t size = nl_family_size(prefix->addr.family);
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;

	nlh = nl_msg(buf, type, type == RTM_NEWADDR ? NLM_F_CREATE | NLM_F_EXCL : 0);
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
	return nl_talk(nl, nlh, NULL, NULL);
}

int netlink_addr_add(struct netlink *nl, int ifindex, const struct ip_prefix *prefix,
		     unsigned int flags, struct cni_error *err)
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
	ret = nl_addr_request(nl, RTM_NEWADDR, ifindex, prefix, flags);
	if (ret < 0)
		return nl_fail(nl, err, ret, "add address %s to ifindex %d", text, ifindex);
	return 0;
}

int netlink_addr_del(struct netlink *nl, int ifindex, const struct ip_prefix *prefix,
		     struct cni_error *err)
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
		return nl_fail(nl, err, ret, "delete address %s from ifindex %d", text, ifindex);
	return 0;
}

/* A dump's destination array and filter. */
struct nl_list {
	void *out;
	size_t max;
	size_t count;
	int ifindex;
	unsigned int table;
};

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
	size_t size = nl_family_size(ifa->ifa_family);

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
		      size_t max, size_t *count, struct cni_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nl_list list = {.out = out, .max = max, .ifindex = ifindex};
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	int ret;

	nlh = nl_msg(buf, RTM_GETADDR, NLM_F_DUMP);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (unsigned char)family;
	ret = nl_talk(nl, nlh, nl_addr_cb, &list);
	if (ret < 0)
		return nl_fail(nl, err, ret, "list addresses of ifindex %d", ifindex);
	*count = list.count;
	if (list.count > max)
		return cni_error_set(
			err, CNI_ERR_NETLINK, ENOSPC,
			"netlink: list addresses of ifindex %d: %zu found, room for %zu", ifindex,
			list.count, max);
	return 0;
}

/* ---- routes ---- */

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
	size_t size = nl_family_size(r->dst.addr.family);
	unsigned int table = r->table ? r->table : RT_TABLE_MAIN;
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	nlh = nl_msg(buf, type, type == RTM_NEWROUTE ? NLM_F_CREATE | NLM_F_EXCL : 0);
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
		mnl_attr_put(nlh, RTA_GATEWAY, nl_family_size(r->gw.family), r->gw.bytes);
	if (r->prefsrc.family)
		mnl_attr_put(nlh, RTA_PREFSRC, nl_family_size(r->prefsrc.family), r->prefsrc.bytes);
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
	return nl_talk(nl, nlh, NULL, NULL);
}

static int nl_route_check(const struct netlink_route *r, const char *what, const char *text,
			  struct cni_error *err)
{
	size_t size = nl_family_size(r->dst.addr.family);

	if (!size || r->dst.len > size * 8 || (r->gw.family && r->gw.family != r->dst.addr.family))
		return cni_error_set(err, CNI_ERR_NETLINK, EINVAL,
				     "netlink: %s %s: invalid destination or gateway", what, text);
	return 0;
}

int netlink_route_add(struct netlink *nl, const struct netlink_route *route, struct cni_error *err)
{
	char text[2 * INET6_ADDRSTRLEN + 48];
	int ret;

	nl_route_text(route, text, sizeof(text));
	ret = nl_route_check(route, "add route", text, err);
	if (ret < 0)
		return ret;
	ret = nl_route_request(nl, RTM_NEWROUTE, route);
	if (ret < 0)
		return nl_fail(nl, err, ret, "add route %s", text);
	return 0;
}

int netlink_route_del(struct netlink *nl, const struct netlink_route *route, struct cni_error *err)
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
		return nl_fail(nl, err, ret, "delete route %s", text);
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
	size_t size = nl_family_size(family);

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

	if (nlh->nlmsg_type != RTM_NEWROUTE || !nl_family_size(rtm->rtm_family))
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
		       struct netlink_route *out, size_t max, size_t *count, struct cni_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nl_list list = {.out = out, .max = max, .table = table};
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	int ret;

	nlh = nl_msg(buf, RTM_GETROUTE, NLM_F_DUMP);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)family;
	ret = nl_talk(nl, nlh, nl_route_cb, &list);
	if (ret < 0)
		return nl_fail(nl, err, ret, "list routes of table %u", table);
	*count = list.count;
	if (list.count > max)
		return cni_error_set(err, CNI_ERR_NETLINK, ENOSPC,
				     "netlink: list routes of table %u: %zu found, room for %zu",
				     table, list.count, max);
	return 0;
}
