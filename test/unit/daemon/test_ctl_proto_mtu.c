/* The optional "mtu" of a port: default 1500, range, encode only when set, shown in port info. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/ctl_proto.h"

static int decode(const char *params, struct ctl_request *req, char *msg)
{
	char line[512];

	snprintf(line, sizeof(line),
		 "{\"method\":\"port.add\",\"params\":{\"name\":\"p\","
		 "\"socket\":\"/run/p.sock\"%s}}",
		 params);
	return ctl_proto_decode_request(line, strlen(line), req, msg, CTL_MESSAGE_MAX);
}

Test(ctl_proto_mtu, default_and_range)
{
	struct ctl_request req;
	char msg[CTL_MESSAGE_MAX];

	cr_assert_eq(decode("", &req, msg), 0);
	cr_assert_eq(req.port.mtu, 1500);
	cr_assert_eq(decode(",\"mtu\":9000", &req, msg), 0);
	cr_assert_eq(req.port.mtu, 9000);
	cr_assert_eq(decode(",\"mtu\":68", &req, msg), 0);
	cr_assert_eq(decode(",\"mtu\":9001", &req, msg), -EINVAL);
	cr_assert(strstr(msg, "\"mtu\" must be an integer 68..9000"), "%s", msg);
	cr_assert_eq(decode(",\"mtu\":67", &req, msg), -EINVAL);
	cr_assert_eq(decode(",\"mtu\":\"9000\"", &req, msg), -EINVAL);
}

Test(ctl_proto_mtu, spec_encodes_mtu_only_when_set)
{
	struct ctl_port_spec spec, back;
	char *text, msg[CTL_MESSAGE_MAX];

	ctl_port_spec_init(&spec);
	strcpy(spec.name, "p");
	strcpy(spec.socket, "/run/p.sock");
	cr_assert_eq(ctl_proto_encode_port_spec(&spec, &text), 0);
	cr_assert_null(strstr(text, "mtu"), "old records stay identical: %s", text);
	free(text);
	spec.mtu = 9000;
	cr_assert_eq(ctl_proto_encode_port_spec(&spec, &text), 0);
	cr_assert(strstr(text, "\"mtu\": 9000") || strstr(text, "\"mtu\":9000"), "%s", text);
	cr_assert_eq(ctl_proto_decode_port_spec(text, &back, msg, sizeof(msg)), 0);
	cr_assert_eq(back.mtu, 9000);
	free(text);
}

Test(ctl_proto_mtu, port_info_always_shows_mtu)
{
	struct ctl_response resp = {.method = CTL_PORT_ADD}, back;
	char *line, msg[CTL_MESSAGE_MAX];
	size_t len;

	ctl_port_spec_init(&resp.port.spec);
	strcpy(resp.port.spec.name, "p");
	strcpy(resp.port.spec.socket, "/run/p.sock");
	cr_assert_eq(ctl_proto_encode_response(&resp, &line, &len), 0);
	cr_assert(strstr(line, "\"mtu\":1500") || strstr(line, "\"mtu\": 1500"), "%s", line);
	cr_assert_eq(ctl_proto_decode_response(line, len, CTL_PORT_ADD, &back, msg, sizeof(msg)),
		     0);
	cr_assert_eq(back.port.spec.mtu, 1500);
	ctl_response_free(&back);
	free(line);
}

Test(ctl_proto_mtu, drop_reasons_have_names)
{
	cr_assert_str_eq(ctl_drop_name(CTL_DROP_SPOOFED), "spoofed");
	cr_assert_str_eq(ctl_drop_name(CTL_DROP_OVERSIZE), "oversize");
	cr_assert_str_eq(ctl_drop_name(CTL_DROP_FLOOD_LIMITED), "flood_limited");
	cr_assert_null(ctl_drop_name(CTL_DROP_COUNT));
}
