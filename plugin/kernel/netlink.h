/*
 * rtnetlink through libmnl: the only place that talks to the kernel's routing
 * socket. Each call is one request acknowledged by the kernel (NLM_F_ACK);
 * failures fill err with a message naming the object and
 * quoting the kernel's extack text.
 */
#ifndef SLICENET_PLUGIN_NETLINK_H
#define SLICENET_PLUGIN_NETLINK_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "plugin/util/error.h"
#include "plugin/util/ipaddr.h"

#define NETLINK_MAC_LEN	  6
#define NETLINK_KIND_MAX  32
#define NETLINK_ALIAS_MAX 256 /* IFALIASZ */

/* An rtnetlink socket bound to the network namespace current at open time. */
struct netlink;

/*
 * Open a socket in the calling thread's current netns; requests keep acting
 * on that netns after the caller returns to another one. NULL on failure.
 */
struct netlink *netlink_open(struct error *err);
/* The same, bound to the netns ns_fd (entered and left around the open). */
int netlink_open_in(int ns_fd, struct netlink **out, struct error *err)
	__attribute__((warn_unused_result));
/* "aa:bb:cc:dd:ee:ff", as CNI results carry it. */
void netlink_mac_format(const unsigned char mac[NETLINK_MAC_LEN], char out[18]);

/* Close the socket; accepts NULL. */
void netlink_close(struct netlink *nl);

/*
 * Batches: between netlink_batch_begin and netlink_batch_end, requests that
 * only wait for an ack (netlink_addr_add, netlink_route_add,
 * netlink_link_set_alias_index, netlink_link_set_up_index) are queued and return 0 at once; lookups
 * and dumps still go out at once. netlink_batch_end sends the queue in one
 * message and reads every ack: one round trip instead of one per request.
 * The kernel runs them in order and a failure does not stop the later ones.
 * results[i] is request i's 0 or -errno; the return value is 0 or a
 * transport failure (err set). At most 64 requests.
 */
int netlink_batch_begin(struct netlink *nl, struct error *err) __attribute__((warn_unused_result));
int netlink_batch_end(struct netlink *nl, int *results, size_t max, struct error *err)
	__attribute__((warn_unused_result));
/* Name request index of the last batch in err, as the unbatched call would; returns -errno. */
int netlink_batch_error(struct netlink *nl, size_t index, struct error *err);

struct netlink_link {
	int ifindex;
	char name[IFNAMSIZ];
	unsigned char mac[NETLINK_MAC_LEN]; /* all zero when the link has none */
	unsigned int mtu;
	unsigned int flags;	       /* IFF_* */
	int link_ifindex;	       /* IFLA_LINK (a veth's peer), 0 = none */
	int link_netnsid;	       /* IFLA_LINK_NETNSID, -1 = same netns */
	char kind[NETLINK_KIND_MAX];   /* IFLA_INFO_KIND ("veth"), "" if none */
	char alias[NETLINK_ALIAS_MAX]; /* IFLA_IFALIAS, "" if none */
};

/*
 * Look up a link by name. Returns -ENODEV without touching err when no link
 * has that name, so callers decide whether absence is an error.
 */
int netlink_link_get(struct netlink *nl, const char *name, struct netlink_link *out,
		     struct error *err) __attribute__((warn_unused_result));

struct netlink_veth {
	const char *name; /* end created in the socket's netns */
	const char *peer_name;
	int peer_netns_fd;	       /* netns for the peer, -1 = same netns */
	unsigned int mtu;	       /* both ends; 0 = kernel default */
	const unsigned char *mac;      /* NULL = random */
	const unsigned char *peer_mac; /* NULL = random */
	/*
	 * TX and RX queues of both ends; 0 = the kernel's default (one per
	 * possible CPU, which veth then cuts to one real queue, waiting for
	 * an RCU grace period on the way).
	 */
	unsigned int queues;
	/*
	 * The end in the socket's netns created up. Not the peer: Linux 6.18
	 * answers a create with NLM_F_ECHO and the peer up with ENOTCONN.
	 */
	bool up;
	/*
	 * When not NULL, the new end as the kernel reports it (NLM_F_ECHO,
	 * Linux 6.3+; a lookup on older kernels). Its link_ifindex is the
	 * peer's ifindex in the peer's netns.
	 */
	struct netlink_link *created;
};

/*
 * Call fn for every link of the socket's netns (a dump); fn returning
 * non-zero stops the walk and is returned.
 */
int netlink_link_foreach(struct netlink *nl, int (*fn)(const struct netlink_link *link, void *arg),
			 void *arg, struct error *err) __attribute__((warn_unused_result));

/* Set the link's alias (ip link set NAME alias TEXT). */
int netlink_link_set_alias(struct netlink *nl, const char *name, const char *alias,
			   struct error *err) __attribute__((warn_unused_result));
/* The same by ifindex: no lookup, so it can be batched. */
int netlink_link_set_alias_index(struct netlink *nl, int ifindex, const char *alias,
				 struct error *err) __attribute__((warn_unused_result));

/* Create a veth pair, the peer placed directly in peer_netns_fd (one request). */
int netlink_veth_create(struct netlink *nl, const struct netlink_veth *veth, struct error *err)
	__attribute__((warn_unused_result));

/*
 * Change one property of the link named name (looked up first, so a missing
 * link is -ENODEV with a message naming it).
 */
int netlink_link_set_up(struct netlink *nl, const char *name, bool up, struct error *err)
	__attribute__((warn_unused_result));
/* The same by ifindex: no lookup, so it can be batched. */
int netlink_link_set_up_index(struct netlink *nl, int ifindex, bool up, struct error *err)
	__attribute__((warn_unused_result));
int netlink_link_set_mtu(struct netlink *nl, const char *name, unsigned int mtu, struct error *err)
	__attribute__((warn_unused_result));
int netlink_link_rename(struct netlink *nl, const char *name, const char *new_name,
			struct error *err) __attribute__((warn_unused_result));
int netlink_link_set_mac(struct netlink *nl, const char *name,
			 const unsigned char mac[NETLINK_MAC_LEN], struct error *err)
	__attribute__((warn_unused_result));
/* Move a link into netns_fd, renaming it there when new_name is not NULL. */
int netlink_link_set_netns(struct netlink *nl, const char *name, int netns_fd, const char *new_name,
			   struct error *err) __attribute__((warn_unused_result));
/*
 * Delete a link (a veth takes its peer along). Returns -ENODEV without
 * touching err when it does not exist: callers treat that as already gone.
 */
int netlink_link_delete(struct netlink *nl, const char *name, struct error *err)
	__attribute__((warn_unused_result));

/* The same by ifindex (-ENODEV untouched err when gone). */
int netlink_link_delete_index(struct netlink *nl, int ifindex, struct error *err)
	__attribute__((warn_unused_result));

/*
 * Link removals in the current netns (netlink_watch.c): open before the
 * removal is asked for, so its announcement cannot be missed.
 */
struct netlink_watch;
int netlink_watch_links(struct netlink_watch **out, struct error *err)
	__attribute__((warn_unused_result));
/*
 * 0 once the kernel announced ifindex's removal; -ETIMEDOUT after
 * timeout_ms, -ENOBUFS when announcements were lost (look another way).
 */
int netlink_watch_gone(struct netlink_watch *w, int ifindex, int timeout_ms)
	__attribute__((warn_unused_result));
void netlink_watch_close(struct netlink_watch *w);

struct netlink_addr {
	int ifindex;
	struct ip_prefix prefix; /* the local address and its length */
	unsigned int flags;	 /* IFA_F_* */
	unsigned char scope;	 /* RT_SCOPE_* */
};

/*
 * Add an address; flags are IFA_F_* (IFA_F_NOPREFIXROUTE, ...). IPv6 always
 * gets IFA_F_NODAD so it is usable at once.
 */
int netlink_addr_add(struct netlink *nl, int ifindex, const struct ip_prefix *prefix,
		     unsigned int flags, struct error *err) __attribute__((warn_unused_result));
/* -EADDRNOTAVAIL without touching err when the address is not there. */
int netlink_addr_del(struct netlink *nl, int ifindex, const struct ip_prefix *prefix,
		     struct error *err) __attribute__((warn_unused_result));
/*
 * Addresses of ifindex (0 = every link) of family (AF_UNSPEC = both). Fills at
 * most max entries; *count is the number found, -ENOSPC if it exceeds max.
 */
int netlink_addr_list(struct netlink *nl, int ifindex, int family, struct netlink_addr *out,
		      size_t max, size_t *count, struct error *err)
	__attribute__((warn_unused_result));

#define NETLINK_SCOPE_AUTO (-1)

struct netlink_route {
	struct ip_prefix dst;	   /* dst.addr.family is required; len 0 = default */
	struct ip_address gw;	   /* family 0 = none */
	struct ip_address prefsrc; /* family 0 = none */
	int oif;		   /* 0 = none */
	int scope;		   /* RT_SCOPE_*; AUTO: link without gw, else universe */
	unsigned int table;	   /* 0 = main */
	unsigned int priority;	   /* metric, 0 = none */
	unsigned int mtu;	   /* RTAX_MTU, 0 = none */
	unsigned int advmss;	   /* RTAX_ADVMSS, 0 = none */
	bool onlink;		   /* RTNH_F_ONLINK: gw need not be reachable */
};

/* Zero a route and set scope to NETLINK_SCOPE_AUTO. */
void netlink_route_init(struct netlink_route *route);

/* Add a route (NLM_F_EXCL: an existing identical route is -EEXIST). */
int netlink_route_add(struct netlink *nl, const struct netlink_route *route, struct error *err)
	__attribute__((warn_unused_result));
/* -ESRCH without touching err when no such route exists. */
int netlink_route_del(struct netlink *nl, const struct netlink_route *route, struct error *err)
	__attribute__((warn_unused_result));
/*
 * Unicast routes of family in table (0 = every table), cache clones skipped.
 * Same counting as netlink_addr_list.
 */
int netlink_route_list(struct netlink *nl, int family, unsigned int table,
		       struct netlink_route *out, size_t max, size_t *count, struct error *err)
	__attribute__((warn_unused_result));

#endif
