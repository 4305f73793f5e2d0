/*
 * Deleting the pair without waiting for the kernel to free it. RTM_DELLINK
 * unregisters a veth and its peer at once (names, addresses and routes go,
 * the removal is announced), then the task that asked waits in
 * netdev_run_todo for rcu_barrier(): ~20 ms of a ~22 ms DEL on the
 * project's VM, and nothing DEL promises depends on it. So a child asks for
 * the deletion and does that waiting, while DEL returns as soon as the
 * kernel announced the removal — what the kernel's own netns teardown does
 * with a worker. When the child cannot be made or the announcement does not
 * come, DEL deletes the pair itself, as before.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "plugin/datapath/veth_internal.h"
#include "plugin/kernel/netlink.h"
#include "plugin/util/fault.h"

/* Announcements come within a millisecond; this only bounds a lost one. */
#define VETH_GONE_WAIT_MS 2000

static void __attribute__((noreturn)) delete_and_exit(int ifindex)
{
	struct error ignored = {0};
	struct netlink *nl;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	/*
	 * The runtime reads the plugin's stdout to its end, and the IPAM and
	 * state locks follow their open files: nothing of ours may stay open.
	 */
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
	}
	if (close_range(3, ~0U, 0) < 0)
		for (int fd = 3; fd < 1024; fd++) /* kernels before 5.9 */
			close(fd);
	/* Out of the plugin's process group: a runtime killing it on timeout leaves this be. */
	setsid();
	fault_point("veth-delete-child");
	nl = netlink_open(&ignored);
	if (nl)
		(void)!netlink_link_delete_index(nl, ifindex, &ignored);
	/* No atexit handlers, no stdio flush: they are the plugin's. */
	_exit(0);
}

int veth_delete_pair(struct netlink *nl, int ifindex, struct cni_error *err)
{
	struct netlink_watch *watch = NULL;
	struct error ignored = {0};
	/* Listening before the child exists: its announcement cannot come too early. */
	int ret = netlink_watch_links(&watch, &ignored);

	if (!ret) {
		/*
		 * Not waited for: when the plugin exits first, the child goes to
		 * init (or the runtime's subreaper), which reaps it; until then it
		 * is a zombie for at most the plugin's remaining life.
		 */
		pid_t pid = fork();

		if (pid == 0)
			delete_and_exit(ifindex);
		fault_point("veth-delete-forked");
		ret = pid < 0 ? -errno : netlink_watch_gone(watch, ifindex, VETH_GONE_WAIT_MS);
		netlink_watch_close(watch);
		if (!ret)
			return 0;
	}
	/* Lost, late or no child: here, waiting as before; -ENODEV: the child was first. */
	ret = netlink_link_delete_index(nl, ifindex, &err->base);
	return ret == -ENODEV ? 0 : ret;
}
