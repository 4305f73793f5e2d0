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
