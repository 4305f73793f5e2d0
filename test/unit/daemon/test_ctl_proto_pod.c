/* The optional "podNamespace"/"podName" of a port: validated, bounded, encoded only when set. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/ctl_proto.h"

static int decode(const char *params, struct ctl_request *req, char *msg)
{
	char line[1024];

	snprintf(line, sizeof(line),
		 "{\"method\":\"port.add\",\"params\":{\"name\":\"p\","
		 "\"socket\":\"/run/p.sock\"%s}}",
		 params);
	return ctl_proto_decode_request(line, strlen(line), req, msg, CTL_MESSAGE_MAX);
}

Test(ctl_proto_pod, accepted_and_copied)
{
	struct ctl_request req;
	char msg[CTL_MESSAGE_MAX];

	cr_assert_eq(decode("", &req, msg), 0);
	cr_assert_str_eq(req.port.pod_namespace, "");
	cr_assert_str_eq(req.port.pod_name, "");
	cr_assert_eq(decode(",\"podNamespace\":\"ran-1\",\"podName\":\"du-0.x-7f9c\"", &req, msg),
		     0, "%s", msg);
	cr_assert_str_eq(req.port.pod_namespace, "ran-1");
	cr_assert_str_eq(req.port.pod_name, "du-0.x-7f9c");
}

/* Arrays, not pointers: each parameterized test runs in a process of its own. */
struct bad_pod {
	char params[64];
	char message[48];
};

static struct bad_pod bad_pods[] = {
	{",\"podNamespace\":\"Ran\"", "not a valid Kubernetes namespace"},
	{",\"podNamespace\":\"a.b\"", "not a valid Kubernetes namespace"},
	{",\"podNamespace\":\"-a\"", "not a valid Kubernetes namespace"},
	{",\"podNamespace\":\"\"", "not a valid Kubernetes namespace"},
	{",\"podNamespace\":7", "must be a string"},
	{",\"podName\":\"a\\\"b\"", "not a valid Kubernetes pod name"},
	{",\"podName\":\"a\\nb\"", "not a valid Kubernetes pod name"},
	{",\"podName\":\"a b\"", "not a valid Kubernetes pod name"},
	{",\"podName\":\"pod-\"", "not a valid Kubernetes pod name"},
	{",\"podName\":\"a\\u0000b\"", "malformed JSON"},
};

ParameterizedTestParameters(ctl_proto_pod, rejected)
{
	return cr_make_param_array(struct bad_pod, bad_pods,
				   sizeof(bad_pods) / sizeof(bad_pods[0]));
}

ParameterizedTest(struct bad_pod *c, ctl_proto_pod, rejected)
{
	struct ctl_request req;
	char msg[CTL_MESSAGE_MAX];

	cr_assert_eq(decode(c->params, &req, msg), -EINVAL, "accepted: %s", c->params);
	cr_assert(strstr(msg, c->message), "%s: %s", c->params, msg);
}

Test(ctl_proto_pod, too_long)
{
	struct ctl_request req;
	char params[400], msg[CTL_MESSAGE_MAX], *p;

	p = params + sprintf(params, ",\"podNamespace\":\"");
	memset(p, 'a', 64);
	strcpy(p + 64, "\"");
	cr_assert_eq(decode(params, &req, msg), -EINVAL);
	cr_assert(strstr(msg, "longer than 63 bytes"), "%s", msg);
	p = params + sprintf(params, ",\"podName\":\"");
	memset(p, 'a', 254);
	strcpy(p + 254, "\"");
	cr_assert_eq(decode(params, &req, msg), -EINVAL);
	cr_assert(strstr(msg, "longer than 253 bytes"), "%s", msg);
}

Test(ctl_proto_pod, longest_valid_names)
{
	char ns[64] = {0}, name[254] = {0};

	memset(ns, 'a', 63);
	memset(name, 'b', 253);
	name[100] = '.';
	cr_assert(ctl_pod_namespace_valid(ns));
	cr_assert(ctl_pod_name_valid(name));
	cr_assert(ctl_pod_name_valid("0"));
	cr_assert_not(ctl_pod_name_valid(".a"));
}

Test(ctl_proto_pod, encoded_only_when_set)
{
	struct ctl_port_spec spec, back;
	char *text, msg[CTL_MESSAGE_MAX];

	ctl_port_spec_init(&spec);
	strcpy(spec.name, "p");
	strcpy(spec.socket, "/run/p.sock");
	cr_assert_eq(ctl_proto_encode_port_spec(&spec, &text), 0);
	/* A record of a port added without them is byte for byte what it was before. */
	cr_assert_str_eq(text, "{\"name\":\"p\",\"mode\":\"client\",\"queues\":1,"
			       "\"socket\":\"/run/p.sock\"}");
	free(text);
	strcpy(spec.pod_namespace, "ran");
	strcpy(spec.pod_name, "du-0");
	cr_assert_eq(ctl_proto_encode_port_spec(&spec, &text), 0);
	cr_assert(strstr(text, "\"podNamespace\":\"ran\",\"podName\":\"du-0\""), "%s", text);
	cr_assert_eq(ctl_proto_decode_port_spec(text, &back, msg, sizeof(msg)), 0, "%s", msg);
	cr_assert_eq(memcmp(&spec, &back, sizeof(spec)), 0, "round trip differs");
	free(text);
}

Test(ctl_proto_pod, port_list_carries_them)
{
	struct ctl_response resp = {.method = CTL_PORT_LIST}, back;
	struct ctl_port_info info;
	char *line, msg[CTL_MESSAGE_MAX];
	size_t len;

	memset(&info, 0, sizeof(info));
	ctl_port_spec_init(&info.spec);
	strcpy(info.spec.name, "p");
	strcpy(info.spec.socket, "/run/p.sock");
	strcpy(info.spec.pod_namespace, "ran");
	strcpy(info.spec.pod_name, "du-0");
	resp.ports = &info;
	resp.n_ports = 1;
	cr_assert_eq(ctl_proto_encode_response(&resp, &line, &len), 0);
	cr_assert_eq(ctl_proto_decode_response(line, len, CTL_PORT_LIST, &back, msg, sizeof(msg)),
		     0, "%s", msg);
	cr_assert_eq(back.n_ports, 1);
	cr_assert_str_eq(back.ports[0].spec.pod_namespace, "ran");
	cr_assert_str_eq(back.ports[0].spec.pod_name, "du-0");
	ctl_response_free(&back);
	free(line);
}
