/*
 * The optional "mtu" and "priority" of a port: defaults (1500, 2), ranges,
 * encoded only when set, shown in port info.
 */
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

/* A default spec named "p" on /run/p.sock. */
static void spec_p(struct ctl_port_spec *spec)
{
	ctl_port_spec_init(spec);
	strcpy(spec->name, "p");
	strcpy(spec->socket, "/run/p.sock");
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

	spec_p(&spec);
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

	spec_p(&resp.port.spec);
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
	cr_assert_str_eq(ctl_drop_name(CTL_DROP_VHOST_REFUSED), "vhost_refused");
	cr_assert_null(ctl_drop_name(CTL_DROP_COUNT));
}

Test(ctl_proto_priority, default_and_range)
{
	struct ctl_request req;
	char msg[CTL_MESSAGE_MAX];

	cr_assert_eq(decode("", &req, msg), 0);
	cr_assert_eq(req.port.priority, CTL_PRIORITY_DEFAULT);
	cr_assert_eq(CTL_PRIORITY_DEFAULT, 2);
	cr_assert_eq(decode(",\"priority\":0", &req, msg), 0);
	cr_assert_eq(req.port.priority, 0);
	cr_assert_eq(decode(",\"priority\":3", &req, msg), 0);
	cr_assert_eq(req.port.priority, 3);
	cr_assert_eq(decode(",\"priority\":4", &req, msg), -EINVAL);
	cr_assert(strstr(msg, "\"priority\" must be an integer 0 (highest)..3"), "%s", msg);
	cr_assert_eq(decode(",\"priority\":-1", &req, msg), -EINVAL);
	cr_assert_eq(decode(",\"priority\":\"0\"", &req, msg), -EINVAL);
	cr_assert_eq(decode(",\"priority\":true", &req, msg), -EINVAL);
}

Test(ctl_proto_priority, spec_encodes_priority_only_when_set)
{
	struct ctl_port_spec spec, back;
	char *text, msg[CTL_MESSAGE_MAX];

	spec_p(&spec);
	cr_assert_eq(ctl_proto_encode_port_spec(&spec, &text), 0);
	/* A state file written before the key existed reads back and re-encodes byte for byte. */
	cr_assert_str_eq(text, "{\"name\":\"p\",\"mode\":\"client\",\"queues\":1,"
			       "\"socket\":\"/run/p.sock\"}");
	cr_assert_eq(ctl_proto_decode_port_spec(text, &back, msg, sizeof(msg)), 0);
	cr_assert_eq(back.priority, CTL_PRIORITY_DEFAULT);
	free(text);
	spec.priority = 0;
	cr_assert_eq(ctl_proto_encode_port_spec(&spec, &text), 0);
	cr_assert(strstr(text, "\"priority\":0"), "%s", text);
	cr_assert_eq(ctl_proto_decode_port_spec(text, &back, msg, sizeof(msg)), 0);
	cr_assert_eq(back.priority, 0);
	/* port_slots compares whole specs: a restored port equals the one added. */
	cr_assert_eq(memcmp(&back, &spec, sizeof(spec)), 0);
	free(text);
}

Test(ctl_proto_priority, port_info_always_shows_priority)
{
	struct ctl_response resp = {.method = CTL_PORT_ADD}, back;
	char *line, msg[CTL_MESSAGE_MAX];
	size_t len;

	spec_p(&resp.port.spec);
	cr_assert_eq(ctl_proto_encode_response(&resp, &line, &len), 0);
	cr_assert(strstr(line, "\"priority\":2"), "%s", line);
	cr_assert_eq(ctl_proto_decode_response(line, len, CTL_PORT_ADD, &back, msg, sizeof(msg)),
		     0);
	cr_assert_eq(back.port.spec.priority, 2);
	ctl_response_free(&back);
	free(line);
}
