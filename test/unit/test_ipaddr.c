#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "plugin/util/ipaddr.h"

static struct ip_address addr(const char *text)
{
	struct ip_address a;

	cr_assert_eq(ip_address_parse(text, &a), 0, "parse %s", text);
	return a;
}

static struct ip_prefix prefix(const char *text)
{
	struct ip_prefix p;

	cr_assert_eq(ip_prefix_parse(text, &p), 0, "parse %s", text);
	return p;
}

static const char *fmt(const struct ip_address *a)
{
	static char buf[INET6_ADDRSTRLEN];

	return ip_address_format(a, buf, sizeof(buf));
}

Test(ipaddr, parse_and_format_both_families)
{
	struct ip_address a = addr("10.1.2.3"), b = addr("fd00::0:1");
	char buf[IP_PREFIX_STRLEN];
	struct ip_prefix p = prefix("fd00:1::5/64");

	cr_assert_eq(a.family, AF_INET);
	cr_assert_eq(ip_address_size(&a), 4);
	cr_assert_eq(ip_address_bits(&b), 128);
	cr_assert_str_eq(fmt(&a), "10.1.2.3");
	cr_assert_str_eq(fmt(&b), "fd00::1");
	cr_assert_str_eq(ip_prefix_format(&p, buf, sizeof(buf)), "fd00:1::5/64");
	cr_assert_eq(p.len, 64);
}

/* Arrays, not pointers: Criterion runs each parameter in a fresh process. */
struct bad_input {
	char text[24];
	int want;
};

ParameterizedTestParameters(ipaddr, bad_prefixes)
{
	static struct bad_input cases[] = {
		{"10.0.0.0", -EINVAL},	    {"10.0.0.0/", -EINVAL}, {"10.0.0.0/+8", -EINVAL},
		{"10.0.0.0/ 8", -EINVAL},   {"10.0.0/8", -EINVAL},  {"10.0.0.0/33", -ERANGE},
		{"::/129", -ERANGE},	    {"x/8", -EINVAL},	    {"10.0.0.0/8x", -EINVAL},
		{"10.0.0.0/0008", -EINVAL}, {"", -EINVAL},
	};
	return cr_make_param_array(struct bad_input, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_input *c, ipaddr, bad_prefixes)
{
	struct ip_prefix p;

	cr_assert_eq(ip_prefix_parse(c->text, &p), c->want, "%s", c->text);
}

Test(ipaddr, bad_addresses)
{
	struct ip_address a;

	cr_assert_eq(ip_address_parse("10.0.0.256", &a), -EINVAL);
	cr_assert_eq(ip_address_parse("10.0.0.1/24", &a), -EINVAL);
	cr_assert_eq(ip_address_parse("", &a), -EINVAL);
	cr_assert_eq(a.family, 0);
}

Test(ipaddr, network_last_contains)
{
	struct ip_prefix p = prefix("10.1.2.77/23"), p6 = prefix("fd00::234/118");
	struct ip_address net, last;
	struct ip_address in = addr("10.1.3.200"), out = addr("10.1.4.0"), v6 = addr("fd00::1");

	ip_prefix_network(&p, &net);
	ip_prefix_last(&p, &last);
	cr_assert_str_eq(fmt(&net), "10.1.2.0");
	cr_assert_str_eq(fmt(&last), "10.1.3.255");
	cr_assert(ip_prefix_contains(&p, &in));
	cr_assert_not(ip_prefix_contains(&p, &out));
	cr_assert_not(ip_prefix_contains(&p, &v6));
	ip_prefix_network(&p6, &net);
	ip_prefix_last(&p6, &last);
	cr_assert_str_eq(fmt(&net), "fd00::");
	cr_assert_str_eq(fmt(&last), "fd00::3ff");
	cr_assert(ip_prefix_contains(&p6, &v6));
}

Test(ipaddr, zero_length_prefix_contains_everything_of_its_family)
{
	struct ip_prefix p = prefix("0.0.0.0/0");
	struct ip_address a = addr("203.0.113.9"), b = addr("::1");

	cr_assert(ip_prefix_contains(&p, &a));
	cr_assert_not(ip_prefix_contains(&p, &b));
}

Test(ipaddr, increment_carries_and_wraps)
{
	struct ip_address a = addr("10.0.0.255"), b = addr("255.255.255.255");
	struct ip_address c = addr("fd00::ffff");

	cr_assert_not(ip_address_increment(&a));
	cr_assert_str_eq(fmt(&a), "10.0.1.0");
	cr_assert(ip_address_increment(&b));
	cr_assert_str_eq(fmt(&b), "0.0.0.0");
	cr_assert_not(ip_address_increment(&c));
	cr_assert_str_eq(fmt(&c), "fd00::1:0");
}

Test(ipaddr, compare_and_equal)
{
	struct ip_address a = addr("10.0.0.2"), b = addr("10.0.0.10"), c = addr("10.0.0.2");
	struct ip_address v6 = addr("::");

	cr_assert_lt(ip_address_compare(&a, &b), 0);
	cr_assert_gt(ip_address_compare(&b, &a), 0);
	cr_assert_eq(ip_address_compare(&a, &c), 0);
	cr_assert(ip_address_equal(&a, &c));
	cr_assert_not(ip_address_equal(&a, &v6));
	cr_assert_neq(ip_address_compare(&a, &v6), 0);
}

Test(ipaddr, format_unset_and_small_buffer)
{
	struct ip_address none = {0};
	struct ip_address a = addr("192.168.100.200");
	char small[4];

	cr_assert_str_eq(fmt(&none), "none");
	ip_address_format(&a, small, sizeof(small));
	cr_assert_str_eq(small, "?");
}
