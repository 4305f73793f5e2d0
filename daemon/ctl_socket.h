/* The control socket's transport, shared by the server and every client: a unix stream socket. */
#ifndef SLICENET_DAEMON_CTL_SOCKET_H
#define SLICENET_DAEMON_CTL_SOCKET_H

#include <stddef.h>
#include <sys/un.h>

/*
 * A non-blocking, close-on-exec unix stream socket, and addr set to path.
 * Returns the fd, or -errno (-ENAMETOOLONG when path does not fit
 * sun_path) with msg naming the path.
 */
int ctl_socket_open(const char *path, struct sockaddr_un *addr, char *msg, size_t msg_size)
	__attribute__((warn_unused_result));

#endif
