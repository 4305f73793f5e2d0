/* The veth address/route plan: pure, so every rule is checked without a kernel. */
#include <criterion/criterion.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "plugin/datapath/veth_internal.h"
#include "plugin/util/ipaddr.h"

static void add_ip(struct cni_result *r, const char *cidr, const char *gw)
{
	struct cni_ip *ip = &r->ips[r->n_ips++];

	memset(ip, 0, sizeof(*ip));
	cr_assert_eq(ip_prefix_parse(cidr, &ip->address), 0, "%s", cidr);
	if (gw)
		cr_assert_eq(ip_address_parse(gw, &ip->gateway), 0, "%s", gw);
	ip->interface = -1;
}

static const char *fmt_prefix(const struct ip_prefix *p)
{
	static char buf[4][IP_PREFIX_STRLEN];
	static int n;

	return ip_prefix_format(p, buf[n++ % 4], IP_PREFIX_STRLEN);
}

Test(veth_plan, dual_stack_as_ptp_lays_it_out)
{
	struct cni_result r;
	struct veth_plan plan;
	struct cni_error err = {0};
	char gw[INET6_ADDRSTRLEN];

	cni_result_init(&r);
	add_ip(&r, "10.5.0.7/24", NULL);
	add_ip(&r, "fd05::7/64", "fd05::fe");
	cr_assert_eq(veth_plan_make(&r, &plan, &err), 0, "%s", err.msg);
	cr_assert_str_eq(ip_address_format(&plan.gw[0], gw, sizeof(gw)), "10.5.0.1");
	cr_assert_str_eq(ip_address_format(&plan.gw[1], gw, sizeof(gw)), "fd05::fe");
	cr_assert_eq(plan.n_host_addrs, 2);
	cr_assert_str_eq(fmt_prefix(&plan.host_addrs[0]), "10.5.0.1/32");
	cr_assert_eq(plan.n_host_routes, 2);
	cr_assert_str_eq(fmt_prefix(&plan.host_routes[1].dst), "fd05::7/128");
	/* gateway on-link x2, subnet via gateway x2, default x2 */
	cr_assert_eq(plan.n_pod_routes, 6);
	cr_assert_eq(plan.pod_routes[0].scope, RT_SCOPE_LINK);
	cr_assert_str_eq(fmt_prefix(&plan.pod_routes[2].dst), "10.5.0.0/24");
	cr_assert(plan.pod_route_is_default[4]);
	cr_assert(plan.pod_route_is_default[5]);
	cr_assert_eq(plan.pod_routes[4].dst.len, 0);
	cr_assert_not(plan.pod_route_is_default[0]);
}

Test(veth_plan, ipam_default_route_wins_over_ours)
{
	struct cni_result r;
	struct veth_plan plan;
	struct cni_error err = {0};
	unsigned int defaults = 0;

	cni_result_init(&r);
	add_ip(&r, "10.6.0.9/16", NULL);
	cr_assert_eq(ip_prefix_parse("0.0.0.0/0", &r.routes[0].dst), 0);
	cr_assert_eq(ip_address_parse("10.6.0.254", &r.routes[0].gw), 0);
	r.routes[0].scope = -1;
	r.n_routes = 1;
	cr_assert_eq(veth_plan_make(&r, &plan, &err), 0, "%s", err.msg);
	for (unsigned int i = 0; i < plan.n_pod_routes; i++)
		defaults += plan.pod_routes[i].dst.len == 0;
	cr_assert_eq(defaults, 1, "one default route, IPAM's");
	for (unsigned int i = 0; i < plan.n_pod_routes; i++)
		if (plan.pod_routes[i].dst.len == 0)
			cr_assert_not(plan.pod_route_is_default[i], "not ours to report");
}

Test(veth_plan, two_addresses_share_one_gateway_address)
{
	struct cni_result r;
	struct veth_plan plan;
	struct cni_error err = {0};

	cni_result_init(&r);
	add_ip(&r, "10.7.0.2/24", NULL);
	add_ip(&r, "10.7.0.3/24", NULL);
	cr_assert_eq(veth_plan_make(&r, &plan, &err), 0, "%s", err.msg);
	cr_assert_eq(plan.n_host_addrs, 1);
	cr_assert_eq(plan.n_host_routes, 2);
}

Test(veth_plan, bad_layouts_are_named)
{
	struct cni_result r;
	struct veth_plan plan;
	struct cni_error err = {0};

	cni_result_init(&r);
	add_ip(&r, "10.8.0.1/24", NULL);
	cr_assert_lt(veth_plan_make(&r, &plan, &err), 0);
	cr_assert(strstr(err.msg, "10.8.0.1/24 is its own gateway"), "%s", err.msg);

	memset(&err, 0, sizeof(err));
	cni_result_init(&r);
	add_ip(&r, "10.8.0.5/24", "fd00::1");
	cr_assert_lt(veth_plan_make(&r, &plan, &err), 0);
	cr_assert(strstr(err.msg, "gateway of another family"), "%s", err.msg);

	memset(&err, 0, sizeof(err));
	cni_result_init(&r);
	add_ip(&r, "10.8.0.5/24", NULL);
	cr_assert_eq(ip_prefix_parse("fd09::/64", &r.routes[0].dst), 0);
	r.routes[0].scope = -1;
	r.n_routes = 1;
	cr_assert_lt(veth_plan_make(&r, &plan, &err), 0);
	cr_assert(strstr(err.msg, "no address of its family"), "%s", err.msg);
}
