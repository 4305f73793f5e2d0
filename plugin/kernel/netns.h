/*
 * Network namespaces by path: open and validate, enter and return, run a
 * function inside one. The plugin is single-threaded, so switching the
 * process's (its only thread's) netns is safe.
 */
#ifndef SLICENET_PLUGIN_NETNS_H
#define SLICENET_PLUGIN_NETNS_H

#include "plugin/util/error.h"

/*
 * Open path (e.g. /var/run/netns/x or /proc/PID/ns/net) and check that it is
 * a network namespace. Returns the fd or -errno with err naming the path:
 * -ENOENT "netns PATH does not exist", -EINVAL when it is something else.
 */
int netns_open(const char *path, struct error *err) __attribute__((warn_unused_result));

/*
 * Switch into ns_fd; *saved_fd receives an fd of the netns left behind, to
 * hand to netns_return. *saved_fd is -1 on failure.
 */
int netns_enter(int ns_fd, int *saved_fd, struct error *err) __attribute__((warn_unused_result));

/* Switch back to saved_fd and close it; accepts -1 (nothing to do). */
int netns_return(int saved_fd, struct error *err) __attribute__((warn_unused_result));

/*
 * Run fn(arg) inside ns_fd and come back. Returns fn's result, or -errno
 * when entering or leaving failed (err filled).
 */
int netns_run(int ns_fd, int (*fn)(void *arg), void *arg, struct error *err)
	__attribute__((warn_unused_result));

#endif
