/*
 * Private to the control protocol's parse layer (daemon/ctl_proto_*.c): the
 * JSON plumbing and the port record they share. Nothing outside these files
 * includes it, so jansson stays inside the parse layer.
 */
#ifndef SLICENET_DAEMON_CTL_PROTO_INTERNAL_H
#define SLICENET_DAEMON_CTL_PROTO_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/ctl_proto.h"

/*
 * Copy the JSON string v into dst (size bytes, NUL included). Not a string,
 * too long or holding a NUL byte is -EINVAL with a message naming key.
 */
int ctl_proto_json_string(json_t *v, const char *key, char *dst, size_t size, char *msg,
			  size_t msg_size) __attribute__((warn_unused_result));

/*
 * Getters for responses, which are trusted more than requests but still
 * checked (a client must not crash on one): obj[key] as a string or a
 * non-negative integer; -EPROTO when missing or of the wrong type.
 */
int ctl_proto_json_get_str(json_t *obj, const char *key, char *dst, size_t size)
	__attribute__((warn_unused_result));
int ctl_proto_json_get_u64(json_t *obj, const char *key, uint64_t *dst)
	__attribute__((warn_unused_result));

/*
 * Parse text[0..len) as one JSON value: -EINVAL with "<what>: <jansson's
 * reason>" in msg when it is not. flags as json_loadb.
 */
int ctl_proto_json_load(const char *text, size_t len, size_t flags, const char *what, json_t **root,
			char *msg, size_t msg_size) __attribute__((warn_unused_result));

/*
 * Serialize root compactly and end it with '\n' into a malloc'ed *out
 * (*out_len excludes the NUL; out_len may be NULL). Consumes root; a NULL
 * root (a failed build) is -ENOMEM.
 */
int ctl_proto_json_dump_line(json_t *root, char **out, size_t *out_len)
	__attribute__((warn_unused_result));

/*
 * Decode a port record into spec (defaults first). name_only: port.del;
 * socket_optional: port.list entries (the uplink has no socket). Unknown
 * keys are errors. Returns 0 or -EINVAL with msg.
 */
int ctl_proto_port_decode(json_t *obj, struct ctl_port_spec *spec, bool name_only,
			  bool socket_optional, char *msg, size_t msg_size)
	__attribute__((warn_unused_result));
/* The port record as a new JSON object; NULL on allocation failure. */
json_t *ctl_proto_port_to_json(const struct ctl_port_spec *spec);
/* A port.list / port.add entry: the record plus "connected" and "activeQueues". */
json_t *ctl_proto_port_info_to_json(const struct ctl_port_info *info);
int ctl_proto_port_info_from_json(json_t *obj, struct ctl_port_info *info)
	__attribute__((warn_unused_result));

#endif
