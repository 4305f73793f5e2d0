/*
 * Client side of the slicenetd control socket, shared by slicenetctl and the
 * CNI plugin. Errors follow Redis' anet: a -errno return plus a message in a
 * caller buffer, so callers in other folders need nothing but this header.
 */
#ifndef SLICENET_DAEMON_CTL_CLIENT_H
#define SLICENET_DAEMON_CTL_CLIENT_H

#include <stddef.h>

#include "daemon/ctl_proto.h"

#define CTL_DEFAULT_SOCKET	      "/run/slicenet/slicenetd.sock"
#define CTL_CLIENT_DEFAULT_TIMEOUT_MS 5000

/*
 * Send one request line (ending in '\n') and read one response line into a
 * malloc'ed *response (NUL-terminated, without '\n'). The whole exchange,
 * connect included, is bounded by timeout_ms. Returns 0, -ENOTCONN when no
 * daemon listens on socket_path, -ETIMEDOUT, or another -errno; err says why.
 */
int ctl_client_exchange(const char *socket_path, int timeout_ms, const char *request,
			size_t request_len, char **response, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/*
 * One request/response round trip. Returns 0 when the daemon succeeded; the
 * daemon's -errno (with its message in err) when it refused; a transport
 * error as ctl_client_exchange otherwise (-EPROTO for a garbled answer).
 * On 0 the caller frees resp with ctl_response_free; raw, if not NULL,
 * receives the response line (free() it) whatever the outcome.
 */
int ctl_client_call(const char *socket_path, int timeout_ms, const struct ctl_request *req,
		    struct ctl_response *resp, char **raw, char *err, size_t errlen)
	__attribute__((warn_unused_result));

#endif
