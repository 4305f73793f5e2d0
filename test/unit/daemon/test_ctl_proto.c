/* Control protocol: malformed requests are refused with a message; encode/decode round trips. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/ctl_proto.h"

/* Arrays, not pointers: Criterion copies parameters into a separate worker process. */
struct bad_request {
	char line[160];
	char want[40]; /* substring of the error message */
};

ParameterizedTestParameters(ctl_proto, malformed)
{
	static struct bad_request cases[] = {
		{"", "malformed JSON"},
		{"\n", "malformed JSON"},
		{"{", "malformed JSON"},
		{"[]", "must be a JSON object"},
		{"\"port.list\"", "malformed JSON"},
		{"{}", "\"method\" is required"},
		{"{\"method\":1}", "\"method\" must be a string"},
		{"{\"method\":\"port.nuke\"}", "unknown method"},
		{"{\"method\":\"port.list\",\"extra\":1}", "unknown key \"extra\""},
		{"{\"method\":\"port.list\",\"params\":{\"a\":1}}", "takes no params"},
		{"{\"method\":\"version\",\"params\":[]}", "takes no params"},
		{"{\"method\":\"port.add\"}", "needs \"params\""},
		{"{\"method\":\"port.add\",\"params\":[]}", "must be an object"},
		{"{\"method\":\"port.add\",\"params\":{\"socket\":\"/run/a.sock\"}}",
		 "\"name\" is required"},
		{"{\"method\":\"port.add\",\"params\":{\"name\":\"a\"}}", "\"socket\" is required"},
		{"{\"method\":\"port.add\",\"params\":{\"name\":\"a b\",\"socket\":\"/s\"}}",
		 "only letters"},
		{"{\"method\":\"port.add\",\"params\":{\"name\":\"\",\"socket\":\"/s\"}}",
		 "only letters"},
		{"{\"method\":\"port.add\",\"params\":{\"name\":7,\"socket\":\"/s\"}}",
		 "must be a string"},
		{"{\"method\":\"port.add\",\"params\":{\"name\":\"a\",\"socket\":\"rel.sock\"}}",
		 "absolute"},
		{"{\"method\":\"port.add\",\"params\":{\"name\":\"a\",\"socket\":\"/"
		 "s\",\"mode\":\"both\"}}",
		 "\"mode\""},
		{"{\"method\":\"port.add\",\"params\":{\"name\":\"a\",\"socket\":\"/"
		 "s\",\"mac\":\"zz:00:00:00:00:01\"}}",
		 "not a unicast MAC"},
		{"{\"method\":\"port.add\",\"params\":{\"name\":\"a\",\"socket\":\"/"
		 "s\",\"mac\":\"01:00:5e:00:00:01\"}}",
		 "not a unicast MAC"},
		{"{\"method\":\"port.add\",\"params\":{\"name\":\"a\",\"socket\":\"/"
		 "s\",\"mac\":\"02:00:00:00:00:1\"}}",
		 "not a unicast MAC"},
		{"{\"method\":\"port.add\",\"params\":{\"name\":\"a\",\"socket\":\"/"
		 "s\",\"queues\":0}}",
		 "\"queues\""},
		{"{\"method\":\"port.add\",\"params\":{\"name\":\"a\",\"socket\":\"/"
		 "s\",\"queues\":9}}",
		 "\"queues\""},
		{"{\"method\":\"port.add\",\"params\":{\"name\":\"a\",\"socket\":\"/"
		 "s\",\"queues\":\"1\"}}",
		 "\"queues\""},
		{"{\"method\":\"port.add\",\"params\":{\"name\":\"a\",\"socket\":\"/"
		 "s\",\"addresses\":\"10.0.0.1\"}}",
		 "\"addresses\""},
		{"{\"method\":\"port.add\",\"params\":{\"name\":\"a\",\"socket\":\"/"
		 "s\",\"addresses\":[1]}}",
		 "must be a string"},
		{"{\"method\":\"port.add\",\"params\":{\"name\":\"a\",\"socket\":\"/"
		 "s\",\"colour\":\"red\"}}",
		 "unknown key \"colour\""},
		{"{\"method\":\"port.del\",\"params\":{\"name\":\"a\",\"socket\":\"/s\"}}",
		 "unknown key \"socket\""},
		{"{\"method\":\"port.del\",\"params\":{\"name\":\"a\",\"name\":\"b\"}}",
		 "malformed JSON"},
		{"{\"method\":\"port.list\"} trailing", "malformed JSON"},
	};
	return cr_make_param_array(struct bad_request, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_request *c, ctl_proto, malformed)
{
	struct ctl_request req;
	char msg[256] = "";
	int rc = ctl_proto_decode_request(c->line, strlen(c->line), &req, msg, sizeof(msg));

	cr_assert_eq(rc, -EINVAL, "%s: rc %d", c->line, rc);
	cr_assert(strstr(msg, c->want), "%s: message '%s' lacks '%s'", c->line, msg, c->want);
}

Test(ctl_proto, oversized_request)
{
	size_t n = CTL_PROTO_MAX_REQUEST + 1;
	char *line = malloc(n);
	struct ctl_request req;
	char msg[128];

	memset(line, ' ', n);
	cr_assert_eq(ctl_proto_decode_request(line, n, &req, msg, sizeof(msg)), -EMSGSIZE);
	free(line);
}

Test(ctl_proto, socket_path_too_long)
{
	char line[400], path[120];
	struct ctl_request req;
	char msg[128];

	memset(path, 'a', sizeof(path));
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	snprintf(line, sizeof(line),
		 "{\"method\":\"port.add\",\"params\":{\"name\":\"a\",\"socket\":\"%s\"}}", path);
	cr_assert_eq(ctl_proto_decode_request(line, strlen(line), &req, msg, sizeof(msg)), -EINVAL);
	cr_assert(strstr(msg, "longer than 107"), "%s", msg);
}

Test(ctl_proto, request_round_trip)
{
	struct ctl_request req = {.method = CTL_PORT_ADD}, back;
	char *line, msg[128];
	size_t len;

	ctl_port_spec_init(&req.port);
	strcpy(req.port.name, "c0ffee/net1");
	strcpy(req.port.socket, "/run/slicenet/ports/c0ffee/net1.sock");
	req.port.mode = CTL_MODE_SERVER;
	req.port.queues = 2;
	req.port.has_mac = true;
	cr_assert_eq(ctl_mac_parse("02:00:00:00:00:0A", req.port.mac), 0);
	req.port.n_addresses = 2;
	strcpy(req.port.addresses[0], "10.1.0.5/24");
	strcpy(req.port.addresses[1], "fd00::5/64");
	cr_assert_eq(ctl_proto_encode_request(&req, &line, &len), 0);
	cr_assert_eq(line[len - 1], '\n');
	cr_assert_eq(ctl_proto_decode_request(line, len, &back, msg, sizeof(msg)), 0, "%s", msg);
	free(line);
	cr_assert_eq(back.method, CTL_PORT_ADD);
	cr_assert_eq(memcmp(&back.port, &req.port, sizeof(req.port)), 0);
}

Test(ctl_proto, methods_without_params)
{
	static const char *lines[] = {"{\"method\":\"port.list\"}",
				      "{\"method\":\"stats\",\"params\":{}}",
				      "{\"method\":\"fdb.list\"}\n", "{\"method\":\"version\"}"};
	static const enum ctl_method want[] = {CTL_PORT_LIST, CTL_STATS, CTL_FDB_LIST, CTL_VERSION};
	struct ctl_request req;
	char msg[128];

	for (size_t i = 0; i < 4; i++) {
		cr_assert_eq(ctl_proto_decode_request(lines[i], strlen(lines[i]), &req, msg,
						      sizeof(msg)),
			     0, "%s: %s", lines[i], msg);
		cr_assert_eq(req.method, want[i]);
	}
}

Test(ctl_proto, error_response_round_trip)
{
	struct ctl_response resp = {.method = CTL_PORT_DEL}, back;
	char *line, msg[128];
	size_t len;

	ctl_response_fail(&resp, -ENOENT, "no port named %s", "x");
	cr_assert_eq(ctl_proto_encode_response(&resp, &line, &len), 0);
	cr_assert_eq(ctl_proto_decode_response(line, len, CTL_PORT_DEL, &back, msg, sizeof(msg)),
		     0);
	cr_assert_eq(back.error, -ENOENT);
	cr_assert_str_eq(back.message, "no port named x");
	free(line);
}

Test(ctl_proto, stats_and_fdb_round_trip)
{
	struct ctl_port_stats stats[2] = {
		{.name = "a", .rx = 10, .tx = 9, .rx_pps = 1, .drops = {1, 2, 3, 4}},
		{.name = "uplink", .tx_pps = 5}};
	struct ctl_fdb_entry fdb[1] = {
		{.mac = {2, 0, 0, 0, 0, 0xa}, .port = "a", .is_static = true}};
	/* The forwarding lcores' busy cycles ride along with the ports. */
	struct ctl_lcore_stats lcores[2] = {{.lcore = 1,
					     .busy_cycles = 12345678901ull,
					     .cycles = 22345678901ull,
					     .busy_ratio = 0.5},
					    {.lcore = 3}};
	struct ctl_response resp = {.method = CTL_STATS,
				    .stats = stats,
				    .n_stats = 2,
				    .lcores = lcores,
				    .n_lcores = 2,
				    .tsc_hz = 2100000000},
			    back;
	char *line, msg[128];
	size_t len;

	cr_assert_eq(ctl_proto_encode_response(&resp, &line, &len), 0);
	cr_assert_eq(ctl_proto_decode_response(line, len, CTL_STATS, &back, msg, sizeof(msg)), 0,
		     "%s", msg);
	free(line);
	cr_assert_eq(back.n_stats, 2);
	cr_assert_eq(memcmp(back.stats, stats, sizeof(stats)), 0);
	cr_assert_eq(back.n_lcores, 2);
	cr_assert_eq(back.tsc_hz, 2100000000);
	cr_assert_eq(back.lcores[0].lcore, 1);
	cr_assert_eq(back.lcores[0].busy_cycles, 12345678901ull);
	cr_assert_eq(back.lcores[0].cycles, 22345678901ull);
	cr_assert_float_eq(back.lcores[0].busy_ratio, 0.5, 1e-9);
	cr_assert_eq(back.lcores[1].lcore, 3);
	ctl_response_free(&back);

	resp = (struct ctl_response){
		.method = CTL_FDB_LIST, .fdb = fdb, .n_fdb = 1, .fdb_aging = 300};
	cr_assert_eq(ctl_proto_encode_response(&resp, &line, &len), 0);
	cr_assert_eq(ctl_proto_decode_response(line, len, CTL_FDB_LIST, &back, msg, sizeof(msg)), 0,
		     "%s", msg);
	free(line);
	cr_assert_eq(back.n_fdb, 1);
	cr_assert_eq(back.fdb_aging, 300);
	cr_assert_eq(memcmp(back.fdb, fdb, sizeof(fdb)), 0);
	ctl_response_free(&back);
}

Test(ctl_proto, garbled_response)
{
	static const char *lines[] = {"", "{}", "{\"ok\":true}", "{\"ok\":false,\"error\":{}}",
				      "{\"ok\":true,\"result\":{\"ports\":[{\"name\":1}]}}"};
	struct ctl_response back;
	char msg[128];

	for (size_t i = 0; i < 5; i++)
		cr_assert_eq(ctl_proto_decode_response(lines[i], strlen(lines[i]), CTL_PORT_LIST,
						       &back, msg, sizeof(msg)),
			     -EPROTO, "%s", lines[i]);
}

Test(ctl_proto, port_spec_state_record)
{
	struct ctl_port_spec spec, back;
	char *text, msg[128];

	ctl_port_spec_init(&spec);
	strcpy(spec.name, "p");
	strcpy(spec.socket, "/p.sock");
	cr_assert_eq(ctl_proto_encode_port_spec(&spec, &text), 0);
	cr_assert_eq(ctl_proto_decode_port_spec(text, &back, msg, sizeof(msg)), 0, "%s", msg);
	cr_assert_eq(memcmp(&spec, &back, sizeof(spec)), 0);
	free(text);
}

/* A stats answer without lcores (an older daemon) still decodes; a bad lcore does not. */
Test(ctl_proto, stats_lcores_optional_and_checked)
{
	static const char old[] = "{\"ok\":true,\"result\":{\"ports\":[]}}\n";
	static const char bad[] =
		"{\"ok\":true,\"result\":{\"ports\":[],\"lcores\":[{\"lcore\":1,"
		"\"busyCycles\":-1,\"cycles\":2,\"busyRatio\":0.1}],\"tscHz\":1}}\n";
	struct ctl_response back;
	char msg[128];

	cr_assert_eq(
		ctl_proto_decode_response(old, sizeof(old) - 1, CTL_STATS, &back, msg, sizeof(msg)),
		0, "%s", msg);
	cr_assert_eq(back.n_lcores, 0);
	ctl_response_free(&back);
	cr_assert_eq(
		ctl_proto_decode_response(bad, sizeof(bad) - 1, CTL_STATS, &back, msg, sizeof(msg)),
		-EPROTO);
}

/* An older daemon's port stats lack the newer drop reasons: they read as 0; a reason that is
 * present but not a count is refused. */
Test(ctl_proto, stats_drop_reasons_optional_and_checked)
{
	static const char old[] =
		"{\"ok\":true,\"result\":{\"ports\":[{\"name\":\"a\",\"rx\":1,"
		"\"tx\":2,\"rxPps\":0,\"txPps\":0,\"drops\":{\"spoofed\":7}}]}}\n";
	static const char bad[] =
		"{\"ok\":true,\"result\":{\"ports\":[{\"name\":\"a\",\"rx\":1,"
		"\"tx\":2,\"rxPps\":0,\"txPps\":0,\"drops\":{\"oversize\":\"x\"}}]}}\n";
	struct ctl_response back;
	char msg[128];
	int d;

	cr_assert_eq(
		ctl_proto_decode_response(old, sizeof(old) - 1, CTL_STATS, &back, msg, sizeof(msg)),
		0, "%s", msg);
	cr_assert_eq(back.n_stats, 1);
	for (d = 0; d < CTL_DROP_COUNT; d++)
		cr_assert_eq(back.stats[0].drops[d], d == CTL_DROP_SPOOFED ? 7u : 0u, "%s",
			     ctl_drop_name((enum ctl_drop)d));
	ctl_response_free(&back);
	cr_assert_eq(
		ctl_proto_decode_response(bad, sizeof(bad) - 1, CTL_STATS, &back, msg, sizeof(msg)),
		-EPROTO);
}
