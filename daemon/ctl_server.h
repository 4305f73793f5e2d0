/*
 * The control socket: a unix stream socket (mode 0660, peers checked with
 * SO_PEERCRED: root or the control group) served by one control thread,
 * which also runs a once-a-second housekeeping tick.
 */
#ifndef SLICENET_DAEMON_CTL_SERVER_H
#define SLICENET_DAEMON_CTL_SERVER_H

/* group: "" = root only. tick: called about once a second on the control thread. */
int ctl_server_start(const char *path, const char *group, void (*tick)(void))
	__attribute__((warn_unused_result));
/* Stop the thread, close every connection and remove the socket file. */
void ctl_server_stop(void);

#endif
