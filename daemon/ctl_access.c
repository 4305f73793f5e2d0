/* The control socket's file mode and owner, and the SO_PEERCRED check of each peer. */
/* struct ucred (SO_PEERCRED) is a GNU extension. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "daemon/ctl_access.h"

#include <errno.h>
#include <grp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/ctl_proto.h"
#include "daemon/ctl_socket.h"

int ctl_access_init(struct ctl_access *access, const char *group, char *msg, size_t msg_size)
{
	struct group *gr;

	access->has_group = false;
	access->gid = 0;
	if (!group || !group[0])
		return 0;
	gr = getgrnam(group);
	if (!gr)
		return ctl_proto_errorf(msg, msg_size, -ENOENT, "control group %s: no such group",
					group);
	access->gid = gr->gr_gid;
	access->has_group = true;
	return 0;
}

int ctl_access_listen(const struct ctl_access *access, const char *path, int backlog, char *msg,
		      size_t msg_size)
{
	struct sockaddr_un addr;
	int fd, rc;

	fd = ctl_socket_open(path, &addr, msg, msg_size);
	if (fd < 0)
		return fd;
	/* A previous instance that was killed leaves its socket behind; it is ours to replace. */
	unlink(path);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) || chmod(path, 0660) ||
	    (access->has_group && chown(path, 0, access->gid)) || listen(fd, backlog)) {
		rc = ctl_proto_errorf(msg, msg_size, -errno, "control socket %s: %s", path,
				      strerror(errno));
		close(fd);
		return rc;
	}
	return fd;
}

/* The control group may be one of the peer's supplementary groups too. */
static bool peer_in_group(int fd, gid_t gid)
{
	gid_t groups[256];
	socklen_t len = sizeof(groups);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len))
		return false;
	for (size_t i = 0; i < len / sizeof(groups[0]); i++)
		if (groups[i] == gid)
			return true;
	return false;
}

bool ctl_access_peer_allowed(const struct ctl_access *access, int fd, struct ctl_peer *peer)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	*peer = (struct ctl_peer){.pid = 0, .uid = (uid_t)-1, .gid = (gid_t)-1};
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		return false;
	*peer = (struct ctl_peer){.pid = cred.pid, .uid = cred.uid, .gid = cred.gid};
	if (cred.uid == 0 || cred.uid == geteuid() ||
	    (access->has_group && cred.gid == access->gid))
		return true;
	return access->has_group && peer_in_group(fd, access->gid);
}
