/* One way to open the control socket, for the server's listener and the clients' connections. */
#include "daemon/ctl_socket.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "daemon/ctl_proto.h"

int ctl_socket_open(const char *path, struct sockaddr_un *addr, char *msg, size_t msg_size)
{
	int fd;

	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(addr->sun_path))
		return ctl_proto_errorf(msg, msg_size, -ENAMETOOLONG,
					"control socket path %s: longer than %zu bytes", path,
					sizeof(addr->sun_path) - 1);
	memcpy(addr->sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return ctl_proto_errorf(msg, msg_size, -errno, "socket: %s", strerror(errno));
	return fd;
}
