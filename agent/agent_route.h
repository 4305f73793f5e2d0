/*
 * The agent's routes in the main table, marked with its own route protocol
 * (rtm_protocol AGENT_ROUTE_PROTOCOL): listing filters on it and deletes
 * carry it, so the kernel itself refuses to touch another owner's route.
 * rtnetlink through plugin/kernel's transport (libmnl).
 */
#ifndef SLICENET_AGENT_AGENT_ROUTE_H
#define SLICENET_AGENT_AGENT_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "plugin/kernel/netlink.h"
#include "plugin/util/error.h"
#include "plugin/util/ipaddr.h"

/*
 * 199: unassigned in iproute2's rt_protocols (kernel and daemons use up to
 * 188, "ip route" prints it as a number); shown by "ip route show proto 199".
 */
#define AGENT_ROUTE_PROTOCOL 199

struct agent_route {
	struct ip_prefix dst; /* network address */
	struct ip_address gw; /* family 0 = none */
	int oif;	      /* 0 = none */
	bool onlink;	      /* RTNH_F_ONLINK: gw needs no route of its own */
};

/* Same destination, next hop and link. */
bool agent_route_equal(const struct agent_route *a, const struct agent_route *b);
/* "10.244.2.0/24 via 10.99.0.2 oif 3 onlink" into buf. */
const char *agent_route_format(const struct agent_route *route, char *buf, size_t size);

/*
 * Add a route with the agent's protocol. With replace, an existing route to
 * the same destination and metric is replaced (only used for the agent's
 * own); without, one there already is -EEXIST (err left untouched).
 */
int agent_route_add(struct netlink *nl, const struct agent_route *route, bool replace,
		    struct error *err) __attribute__((warn_unused_result));
/* Delete the agent's route; -ESRCH (err untouched) when it is not there. */
int agent_route_del(struct netlink *nl, const struct agent_route *route, struct error *err)
	__attribute__((warn_unused_result));
/* The agent's routes (both families, main table) into a malloc'ed array. */
int agent_route_list(struct netlink *nl, struct agent_route **out, size_t *count, struct error *err)
	__attribute__((warn_unused_result));

#endif
