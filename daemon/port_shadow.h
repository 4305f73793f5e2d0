/*
 * Client-mode ports never connect through the pod-writable name. The pod's
 * application creates <socketDir>/<pod>/<ifname>.sock, and the pod can put a
 * symlink there at any time (to containerd's socket, to our own control
 * socket): connect() would follow it, as root. So DPDK is given a root-owned
 * "shadow" path instead, <socketDir>/.slicenetd/p<slot>.sock, kept as a hard
 * link to the pod's socket inode: it is (re)made only after checking, on our
 * own link, that the inode is a socket. linkat() without AT_SYMLINK_FOLLOW
 * links a symlink itself, never its target, so a swap between the check and
 * the link is caught by the check on our side.
 */
#ifndef SLICENET_DAEMON_PORT_SHADOW_H
#define SLICENET_DAEMON_PORT_SHADOW_H

#include <stddef.h>

/* Create (or empty) <socket_dir>/.slicenetd, mode 0700. */
int port_shadow_init(const char *socket_dir) __attribute__((warn_unused_result));

/* The shadow path of a slot; -ENAMETOOLONG when it does not fit. */
int port_shadow_path(int slot, char *out, size_t size) __attribute__((warn_unused_result));

/*
 * Point slot's shadow at the socket named pod_path when that is a socket
 * (not a symlink, FIFO, file or directory); remove the shadow otherwise.
 * 1: the shadow changed, 0: unchanged, -errno: failure (shadow removed).
 * why names what was refused (may be NULL).
 */
int port_shadow_refresh(int slot, const char *pod_path, char *why, size_t why_size);

/* Remove slot's shadow; absent is fine. */
void port_shadow_remove(int slot);

#endif
