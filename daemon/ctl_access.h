/*
 * Who may use the control socket: the socket file is mode 0660 (owned by
 * the control group when there is one), and every peer is checked again
 * with SO_PEERCRED: root, our own uid, or a member of the control group
 * (primary or supplementary).
 */
#ifndef SLICENET_DAEMON_CTL_ACCESS_H
#define SLICENET_DAEMON_CTL_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct ctl_access {
	bool has_group;
	gid_t gid;
};

struct ctl_peer {
	pid_t pid;
	uid_t uid;
	gid_t gid;
};

/* Resolve group (NULL or "" = root and our uid only). -ENOENT with msg naming it. */
int ctl_access_init(struct ctl_access *access, const char *group, char *msg, size_t msg_size)
	__attribute__((warn_unused_result));

/*
 * A non-blocking listening unix socket at path (an old file there is
 * replaced) with the mode and owner above. Returns the fd or -errno with msg.
 */
int ctl_access_listen(const struct ctl_access *access, const char *path, int backlog, char *msg,
		      size_t msg_size) __attribute__((warn_unused_result));

/* May the peer of the accepted fd use the socket? peer is filled for the log either way. */
bool ctl_access_peer_allowed(const struct ctl_access *access, int fd, struct ctl_peer *peer);

#endif
