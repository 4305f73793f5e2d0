/*
 * vhost_msg_check over a sequence of frontend messages. Input: one byte,
 * the port's ring count; then per message one byte of fd count (each fd a
 * 64 KiB memfd, so memory tables can pass and rings be placed) followed by
 * a 12-byte header and up to size payload bytes. An accepted message has
 * NEED_REPLY cleared; the remembered table always fits the limits.
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "daemon/vhost_msg.h"
#include "test/fuzz/fuzz_util.h"

static int memfd = -1;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vhost_msg_conn conn;
	struct vhost_msg_frame msg;
	int fds[VHOST_MSG_MAX_REGIONS];
	uint64_t now = 1;
	size_t pos = 1, take;
	char why[256];
	int n, i;

	if (memfd < 0) {
		memfd = memfd_create("fuzz", 0);
		if (memfd < 0 || ftruncate(memfd, 65536))
			__builtin_trap();
	}
	if (!size)
		return 0;
	memset(&conn, 0, sizeof(conn));
	conn.max_vrings = data[0] % (VHOST_MSG_MAX_VRINGS + 4);
	while (pos + 1 + VHOST_MSG_HDR_SIZE <= size) {
		n = data[pos++] % (VHOST_MSG_MAX_REGIONS + 1);
		for (i = 0; i < n; i++)
			fds[i] = memfd;
		memset(&msg, 0, sizeof(msg));
		memcpy(&msg, data + pos, VHOST_MSG_HDR_SIZE);
		pos += VHOST_MSG_HDR_SIZE;
		take = msg.size < size - pos ? msg.size : size - pos;
		if (take > VHOST_MSG_PAYLOAD_MAX)
			take = VHOST_MSG_PAYLOAD_MAX;
		memcpy(msg.payload.raw, data + pos, take);
		pos += take;
		why[0] = '\0';
		if (!vhost_msg_check(&conn, &msg, fds, n, now += 1000, why, sizeof(why))) {
			if (msg.flags & VHOST_MSG_F_NEED_REPLY)
				__builtin_trap();
		} else if (!why[0]) {
			__builtin_trap();
		}
		if (conn.nregions > VHOST_MSG_MAX_REGIONS ||
		    conn.max_vrings > VHOST_MSG_MAX_VRINGS || conn.tokens < 0)
			__builtin_trap();
	}
	return 0;
}
