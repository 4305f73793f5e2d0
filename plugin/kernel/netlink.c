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
		error_set(err, ret, "netlink: open rtnetlink socket: %s", strerror(ret));
		goto fail;
	}
	/* Best effort: old kernels lack extack and capped acks, requests still work. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = errno;
		error_set(err, ret, "netlink: bind rtnetlink socket: %s", strerror(ret));
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
	free(nl->batch);
	free(nl->last);
	free(nl);
}

struct nl_extack_out {
	char *out;
	size_t size;
};

static int nl_extack_attr(const struct nlattr *attr, void *data)
{
	struct nl_extack_out *ext = data;

	if (mnl_attr_get_type(attr) != NLMSGERR_ATTR_MSG)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_OK;
	snprintf(ext->out, ext->size, "%s", mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

/* Extack TLVs follow the error header, after the echoed request unless capped. */
void nl_parse_extack(const struct nlmsghdr *nlh, char *out, size_t size)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	struct nl_extack_out ext = {out, size};
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
			       nl_extack_attr, &ext);
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
	nl_parse_extack(nlh, call->nl->extack, sizeof(call->nl->extack));
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

static int nl_queue(struct netlink *nl, const struct nlmsghdr *nlh)
{
	struct nl_batch *b = nl->batch;
	struct nl_pending *p;

	if (b->n == NL_BATCH_MAX || b->len + nlh->nlmsg_len > sizeof(b->buf)) {
		b->overflow = -ENOSPC;
		return 0;
	}
	p = &b->pending[b->n++];
	p->seq = nlh->nlmsg_seq;
	p->result = 1;
	p->extack[0] = '\0';
	snprintf(p->what, sizeof(p->what), "%s", b->what[0] ? b->what : "request");
	b->what[0] = '\0';
	memcpy(b->buf + b->len, nlh, nlh->nlmsg_len);
	b->len += MNL_ALIGN(nlh->nlmsg_len);
	return 0;
}

void nl_note(struct netlink *nl, const char *fmt, ...)
{
	va_list ap;

	if (!nl->batch)
		return;
	va_start(ap, fmt);
	vsnprintf(nl->batch->what, sizeof(nl->batch->what), fmt, ap);
	va_end(ap);
}

int netlink_batch_begin(struct netlink *nl, struct error *err)
{
	if (nl->batch)
		return error_set(err, EBUSY, "netlink: a batch is already open");
	nl->batch = calloc(1, sizeof(*nl->batch));
	if (!nl->batch)
		return error_set(err, ENOMEM, "netlink: out of memory");
	return 0;
}

/* The queued request an ack answers, or NULL. */
static struct nl_pending *nl_batch_find(struct nl_batch *b, unsigned int seq)
{
	for (unsigned int i = 0; i < b->n; i++)
		if (b->pending[i].seq == seq)
			return &b->pending[i];
	return NULL;
}

static int nl_batch_read(struct netlink *nl, struct nl_batch *b)
{
	unsigned int waiting = b->n;

	while (waiting) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)nl->buf;
		int len = (int)n;

		if (n < 0)
			return -errno;
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
			struct nl_pending *p;

			if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_pid != nl->portid ||
			    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
				continue;
			p = nl_batch_find(b, nlh->nlmsg_seq);
			if (!p || p->result != 1)
				continue;
			p->result = e->error > 0 ? -e->error : e->error;
			if (p->result)
				nl_parse_extack(nlh, p->extack, sizeof(p->extack));
			waiting--;
		}
	}
	return 0;
}

int netlink_batch_end(struct netlink *nl, int *results, size_t max, struct error *err)
{
	struct nl_batch *b = nl->batch;
	int ret = 0;

	if (!b)
		return error_set(err, EINVAL, "netlink: no batch is open");
	if (b->overflow)
		ret = error_set(err, -b->overflow, "netlink: more than %d requests in a batch",
				NL_BATCH_MAX);
	else if (b->n > max)
		ret = error_set(err, EINVAL, "netlink: %u results for %zu slots", b->n, max);
	else if (b->n && mnl_socket_sendto(nl->sock, b->buf, b->len) < 0)
		ret = error_set(err, errno, "netlink: send a batch of %u requests: %s", b->n,
				strerror(errno));
	else if (b->n && (ret = nl_batch_read(nl, b)) < 0)
		ret = error_set(err, -ret, "netlink: read the acks of %u requests: %s", b->n,
				strerror(-ret));
	for (unsigned int i = 0; !ret && i < b->n; i++)
		results[i] = b->pending[i].result;
	/* The texts stay until the next batch: netlink_batch_error reads them. */
	nl->batch = NULL;
	free(nl->last);
	nl->last = b;
	return ret;
}

int netlink_batch_error(struct netlink *nl, size_t index, struct error *err)
{
	const struct nl_pending *p;

	if (!nl->last || index >= nl->last->n)
		return error_set(err, EINVAL, "netlink: no request %zu in the last batch", index);
	p = &nl->last->pending[index];
	if (p->extack[0])
		return error_set(err, -p->result, "netlink: %s: %s (extack: %s)", p->what,
				 strerror(-p->result), p->extack);
	return error_set(err, -p->result, "netlink: %s: %s", p->what, strerror(-p->result));
}

/*
 * Send one request and read replies until its ack, error or end of dump.
 * libmnl checks sequence number and port id of every reply. Returns 0 or
 * -errno; nl->extack holds the kernel's text for a failure.
 */
int netlink_request_run(struct netlink *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
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
	if (nl->batch && !cb && (nlh->nlmsg_flags & NLM_F_ACK))
		return nl_queue(nl, nlh);
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
int netlink_request_fail(struct netlink *nl, struct error *err, int ret, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (nl->extack[0])
		return error_set(err, -ret, "netlink: %s: %s (extack: %s)", what, strerror(-ret),
				 nl->extack);
	return error_set(err, -ret, "netlink: %s: %s", what, strerror(-ret));
}

struct nlmsghdr *netlink_request_start(char *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	return nlh;
}

int netlink_request_dump(struct netlink *nl, uint16_t type, size_t header_len, int family,
			 mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = netlink_request_start(buf, type, NLM_F_DUMP);
	unsigned char *header = mnl_nlmsg_put_extra_header(nlh, header_len);

	header[0] = (unsigned char)family;
	return netlink_request_run(nl, nlh, cb, data);
}

int nl_list_dump(struct netlink *nl, uint16_t type, size_t header_len, int family, mnl_cb_t cb,
		 struct nl_list *list, size_t *count, struct error *err, const char *fmt, ...)
{
	int ret = netlink_request_dump(nl, type, header_len, family, cb, list);
	char what[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (ret < 0)
		return netlink_request_fail(nl, err, ret, "list %s", what);
	*count = list->count;
	if (list->count > list->max)
		return error_set(err, ENOSPC, "netlink: list %s: %zu found, room for %zu", what,
				 list->count, list->max);
	return 0;
}

size_t netlink_request_addr_len(int family)
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
	size_t size = netlink_request_addr_len(prefix->addr.family);

	if (!size || prefix->len > size * 8)
		return error_set(err, EINVAL, "netlink: %s %s: invalid address or prefix length",
				 what, text);
	return 0;
}
