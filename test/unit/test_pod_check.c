/* pod_check_addresses against the kernel, in a private network namespace per test. */
#include <criterion/criterion.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/datapath/pod_check.h"

static struct netlink *nl;
static int ifindex;

static void setup(void)
{
	struct netlink_link link;
	struct cni_error err = {0};

	cr_assert_eq(unshare(CLONE_NEWNET), 0, "unshare needs root");
	nl = netlink_open(&err.base);
	cr_assert_not_null(nl, "%s", err.msg);
	/* lo is always there: addresses on it are as real as on any link. */
	cr_assert_eq(netlink_link_get(nl, "lo", &link, &err.base), 0, "%s", err.msg);
	ifindex = link.ifindex;
}

static void teardown(void)
{
	netlink_close(nl);
}

static void expect(struct cni_result *r, const char *prefix, int interface)
{
	cr_assert_eq(ip_prefix_parse(prefix, &r->ips[r->n_ips].address), 0);
	r->ips[r->n_ips++].interface = interface;
}

Test(pod_check, present_addresses_pass_missing_ones_are_named, .init = setup, .fini = teardown)
{
	struct cni_result r;
	struct cni_error err = {0};

	cni_result_init(&r);
	expect(&r, "10.7.0.2/24", 1);
	expect(&r, "fd07::2/64", 1);
	expect(&r, "10.8.0.2/24", 0); /* another interface's: not checked here */
	cr_assert_eq(netlink_addr_add(nl, ifindex, &r.ips[0].address, 0, &err.base), 0, "%s",
		     err.msg);
	cr_assert_eq(netlink_addr_add(nl, ifindex, &r.ips[1].address, 0, &err.base), 0, "%s",
		     err.msg);
	cr_assert_eq(pod_check_addresses(nl, ifindex, "lo", &r, 1, &err), 0, "%s", err.msg);
	cr_assert_eq(netlink_addr_del(nl, ifindex, &r.ips[1].address, &err.base), 0, "%s", err.msg);
	cr_assert_lt(pod_check_addresses(nl, ifindex, "lo in netns x", &r, 1, &err), 0);
	cr_assert_eq(err.code, CNI_ERR_CHECK_FAILED);
	cr_assert(strstr(err.msg, "fd07::2/64 is missing on lo in netns x"), "%s", err.msg);
}

Test(pod_check, prefix_length_must_match, .init = setup, .fini = teardown)
{
	struct cni_result r;
	struct cni_error err = {0};
	struct ip_prefix other;

	cni_result_init(&r);
	expect(&r, "10.9.0.2/24", 0);
	cr_assert_eq(ip_prefix_parse("10.9.0.2/16", &other), 0);
	cr_assert_eq(netlink_addr_add(nl, ifindex, &other, 0, &err.base), 0, "%s", err.msg);
	cr_assert_lt(pod_check_addresses(nl, ifindex, "lo", &r, 0, &err), 0);
	cr_assert(strstr(err.msg, "10.9.0.2/24"), "%s", err.msg);
}
