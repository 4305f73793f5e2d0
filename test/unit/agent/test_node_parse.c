#include <criterion/criterion.h>
#include <string.h>
#include <sys/socket.h>

#include "agent/node_parse.h"

static const char *fmt_prefix(const struct ip_prefix *p)
{
	static char bufs[4][IP_PREFIX_STRLEN];
	static int next;

	return ip_prefix_format(p, bufs[next++ % 4], sizeof(bufs[0]));
}

static const char *fmt_addr(const struct ip_address *a)
{
	static char bufs[4][INET6_ADDRSTRLEN];
	static int next;

	return ip_address_format(a, bufs[next++ % 4], sizeof(bufs[0]));
}

#define NODE_A                                                                                     \
	"{\"kind\":\"Node\",\"metadata\":{\"name\":\"a\",\"uid\":\"u1\",\"resourceVersion\":"      \
	"\"7\"},"                                                                                  \
	"\"spec\":{\"podCIDR\":\"10.244.1.0/24\",\"podCIDRs\":[\"10.244.1.0/24\","                 \
	"\"fd00:1::/64\"]},\"status\":{\"addresses\":[{\"type\":\"Hostname\",\"address\":\"a\"},"  \
	"{\"type\":\"InternalIP\",\"address\":\"10.0.0.1\"},{\"type\":\"ExternalIP\","             \
	"\"address\":\"1.2.3.4\"},{\"type\":\"InternalIP\",\"address\":\"fd00::1\"}],"             \
	"\"images\":[{\"names\":[\"x\"]}]}}"

Test(node_parse, list_with_dual_stack_node)
{
	const char *text = "{\"kind\":\"NodeList\",\"apiVersion\":\"v1\",\"metadata\":{"
			   "\"resourceVersion\":\"1234\",\"continue\":\"abc\"},\"items\":[" NODE_A
			   ",{\"metadata\":{\"name\":\"b\"},\"spec\":{}}]}";
	struct node_list list;
	struct error err = {0};

	cr_assert_eq(node_parse_list(text, strlen(text), &list, &err), 0, "%s", err.msg);
	cr_assert_str_eq(list.resource_version, "1234");
	cr_assert_str_eq(list.continue_token, "abc");
	cr_assert_eq(list.n_items, 2);
	cr_assert_str_eq(list.items[0].name, "a");
	cr_assert_str_eq(list.items[0].uid, "u1");
	cr_assert_eq(list.items[0].n_pod_cidrs, 2);
	cr_assert_str_eq(fmt_prefix(&list.items[0].pod_cidrs[1]), "fd00:1::/64");
	cr_assert_eq(list.items[0].n_internal_ips, 2,
		     "ExternalIP and Hostname are not InternalIPs");
	cr_assert_str_eq(fmt_addr(node_internal_ip(&list.items[0], AF_INET6)), "fd00::1");
	cr_assert_str_eq(fmt_addr(node_internal_ip(&list.items[0], AF_UNSPEC)), "10.0.0.1");
	cr_assert_eq(list.items[1].n_pod_cidrs, 0);
	cr_assert_null(node_internal_ip(&list.items[1], AF_UNSPEC));
	node_list_free(&list);
}

Test(node_parse, legacy_pod_cidr_and_bad_values_dropped)
{
	const char *text = "{\"type\":\"MODIFIED\",\"object\":{\"metadata\":{\"name\":\"c\","
			   "\"resourceVersion\":\"9\"},\"spec\":{\"podCIDR\":\"10.9.0.77/24\"},"
			   "\"status\":{\"addresses\":[{\"type\":\"InternalIP\",\"address\":"
			   "\"banana\"},{\"type\":\"InternalIP\",\"address\":\"10.0.0.3\"}]}}}";
	struct node_event ev;
	struct error err = {0};

	cr_assert_eq(node_parse_event(text, strlen(text), &ev, &err), 0, "%s", err.msg);
	cr_assert_eq(ev.type, NODE_EVENT_MODIFIED);
	cr_assert_str_eq(ev.resource_version, "9");
	cr_assert_eq(ev.node.n_pod_cidrs, 1);
	cr_assert_str_eq(fmt_prefix(&ev.node.pod_cidrs[0]), "10.9.0.0/24", "network address");
	cr_assert_eq(ev.node.n_internal_ips, 1);
	cr_assert_str_eq(fmt_addr(&ev.node.internal_ips[0]), "10.0.0.3");
}

Test(node_parse, bookmark_and_error_events)
{
	const char *bookmark = "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Node\","
			       "\"metadata\":{\"resourceVersion\":\"555\"}}}";
	const char *error = "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"status\":"
			    "\"Failure\",\"reason\":\"Expired\",\"code\":410,\"message\":"
			    "\"too old resource version: 1 (2)\"}}";
	struct node_event ev;
	struct error err = {0};

	cr_assert_eq(node_parse_event(bookmark, strlen(bookmark), &ev, &err), 0, "%s", err.msg);
	cr_assert_eq(ev.type, NODE_EVENT_BOOKMARK);
	cr_assert_str_eq(ev.resource_version, "555");
	cr_assert_eq(node_parse_event(error, strlen(error), &ev, &err), 0, "%s", err.msg);
	cr_assert_eq(ev.type, NODE_EVENT_ERROR);
	cr_assert_eq(ev.status.code, 410);
	cr_assert_str_eq(ev.status.reason, "Expired");
}

Test(node_parse, rejects)
{
	const char *bad[] = {
		"{\"type\":\"WHAT\",\"object\":{}}",
		"{\"type\":\"ADDED\"}",
		"{\"type\":\"ADDED\",\"object\":{\"metadata\":{}}}",
		"{\"type\":\"ADDED\",\"object\":{\"spec\":{}}}",
		"[1]",
		"{\"type\":\"ADDED\",\"obj",
	};
	struct node_event ev;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct error err = {0};

		cr_assert_lt(node_parse_event(bad[i], strlen(bad[i]), &ev, &err), 0, "%s", bad[i]);
		cr_assert(err.msg[0], "no message for %s", bad[i]);
	}
}

Test(node_parse, list_needs_kind_and_items)
{
	const char *text = "{\"kind\":\"PodList\",\"items\":[]}";
	struct node_list list;
	struct error err = {0};

	cr_assert_lt(node_parse_list(text, strlen(text), &list, &err), 0);
	cr_assert(strstr(err.msg, "NodeList"), "%s", err.msg);
}

Test(node_parse, status_body)
{
	const char *text = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
			   "\"message\":\"Unauthorized\",\"reason\":\"Unauthorized\",\"code\":401}";
	struct api_status st;

	cr_assert_eq(node_parse_status(text, strlen(text), &st), 0);
	cr_assert_eq(st.code, 401);
	cr_assert_str_eq(st.message, "Unauthorized");
	cr_assert_lt(node_parse_status("<html>", 6, &st), 0);
}
