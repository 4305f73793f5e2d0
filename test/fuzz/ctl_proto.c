/*
 * slicenetd's control requests (and the responses the plugin reads):
 * ctl_proto_decode_request, ctl_proto_decode_response, and the port spec
 * records of the daemon's state file. A decoded request must encode and
 * decode again.
 */
#include <stdlib.h>
#include <string.h>

#include "daemon/ctl_proto.h"
#include "test/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size), *line = NULL;
	struct ctl_request req, again;
	struct ctl_response resp;
	struct ctl_port_spec spec;
	char msg[CTL_MESSAGE_MAX];
	size_t len;

	msg[0] = '\0';
	if (!ctl_proto_decode_request(text, size, &req, msg, sizeof(msg))) {
		if (ctl_proto_encode_request(&req, &line, &len) ||
		    ctl_proto_decode_request(line, len, &again, msg, sizeof(msg)) ||
		    again.method != req.method || strcmp(again.port.name, req.port.name))
			__builtin_trap();
		free(line);
	} else if (!msg[0]) {
		__builtin_trap();
	}
	for (int m = 0; m < CTL_METHOD_COUNT; m++) {
		if (ctl_proto_decode_response(text, size, (enum ctl_method)m, &resp, msg,
					      sizeof(msg)) == 0 &&
		    !memchr(resp.message, '\0', sizeof(resp.message)))
			__builtin_trap();
		ctl_response_free(&resp);
	}
	if (!ctl_proto_decode_port_spec(text, &spec, msg, sizeof(msg)) &&
	    (!spec.name[0] || !memchr(spec.socket, '\0', sizeof(spec.socket))))
		__builtin_trap();
	free(text);
	return 0;
}
