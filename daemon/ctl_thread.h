/*
 * slicenetd's control thread: the control server (ctl_server.c) with the
 * real command table (ctl_cmds.c) and DPDK's logger, on a DPDK control
 * thread (off the forwarding lcores' CPUs).
 */
#ifndef SLICENET_DAEMON_CTL_THREAD_H
#define SLICENET_DAEMON_CTL_THREAD_H

#include "daemon/config.h"

/*
 * Listen on cfg->ctl_socket (group, limits and timeouts from cfg too) and
 * serve on a new control thread. tick: about once a second.
 */
int ctl_thread_start(const struct daemon_config *cfg, void (*tick)(void))
	__attribute__((warn_unused_result));
/* Stop the thread, close every connection and remove the socket file. Safe if not started. */
void ctl_thread_stop(void);

#endif
