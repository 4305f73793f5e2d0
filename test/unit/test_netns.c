/* netns.c: validating a netns path and running code inside one. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin/kernel/netns.h"

static ino_t current_netns_inode(void)
{
	struct stat st;

	cr_assert_eq(stat("/proc/thread-self/ns/net", &st), 0);
	return st.st_ino;
}

Test(netns, missing_path_is_enoent)
{
	struct error err = {0};

	cr_assert_eq(netns_open("/run/netns/tnl-does-not-exist", &err), -ENOENT);
	cr_assert_neq(err.msg[0], 0, "the kernel layer names the failure");
	cr_assert_str_eq(err.msg, "netns /run/netns/tnl-does-not-exist does not exist");
}

Test(netns, empty_path_rejected)
{
	struct error err = {0};

	cr_assert_eq(netns_open("", &err), -EINVAL);
	cr_assert_neq(err.msg[0], 0, "the kernel layer names the failure");
}

Test(netns, regular_file_rejected)
{
	char path[] = "/tmp/tnl-netns-XXXXXX";
	struct error err = {0};
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	close(fd);
	cr_assert_eq(netns_open(path, &err), -EINVAL);
	unlink(path);
	cr_assert_neq(err.msg[0], 0, "the kernel layer names the failure");
	cr_assert(strstr(err.msg, path), "%s", err.msg);
	cr_assert(strstr(err.msg, "not a network namespace"), "%s", err.msg);
}

Test(netns, other_namespace_type_rejected)
{
	struct error err = {0};

	cr_assert_eq(netns_open("/proc/self/ns/mnt", &err), -EINVAL);
	cr_assert(strstr(err.msg, "not a network namespace"), "%s", err.msg);
}

Test(netns, proc_netns_accepted)
{
	struct error err = {0};
	int fd = netns_open("/proc/self/ns/net", &err);

	cr_assert_geq(fd, 0, "%s", err.msg);
	close(fd);
}

struct probe {
	ino_t inside;
	int calls;
};

static int probe_fn(void *arg)
{
	struct probe *p = arg;

	p->inside = current_netns_inode();
	p->calls++;
	return 42;
}

static int failing_fn(void *arg)
{
	(void)arg;
	return -EPERM;
}

Test(netns, run_enters_and_returns)
{
	struct error err = {0};
	struct probe p = {0};
	ino_t original, other;
	int self, peer;

	cr_assert_eq(unshare(CLONE_NEWNET), 0, "unshare: %s", strerror(errno));
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	original = current_netns_inode();
	cr_assert_eq(unshare(CLONE_NEWNET), 0);
	peer = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	other = current_netns_inode();
	cr_assert_eq(setns(self, CLONE_NEWNET), 0);
	cr_assert_neq(original, other);

	cr_assert_eq(netns_run(peer, probe_fn, &p, &err), 42, "%s", err.msg);
	cr_assert_eq(p.calls, 1);
	cr_assert_eq(p.inside, other);
	cr_assert_eq(current_netns_inode(), original);

	cr_assert_eq(netns_run(peer, failing_fn, NULL, &err), -EPERM);
	cr_assert_eq(current_netns_inode(), original);
	close(peer);
	close(self);
}

Test(netns, enter_and_return)
{
	struct error err = {0};
	ino_t original;
	int saved = -1, peer;

	cr_assert_eq(unshare(CLONE_NEWNET), 0);
	original = current_netns_inode();
	{
		int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);

		cr_assert_eq(unshare(CLONE_NEWNET), 0);
		peer = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		cr_assert_eq(setns(self, CLONE_NEWNET), 0);
		close(self);
	}
	cr_assert_eq(netns_enter(peer, &saved, &err), 0, "%s", err.msg);
	cr_assert_geq(saved, 0);
	cr_assert_neq(current_netns_inode(), original);
	cr_assert_eq(netns_return(saved, &err), 0, "%s", err.msg);
	cr_assert_eq(current_netns_inode(), original);
	cr_assert_eq(netns_return(-1, &err), 0);
	close(peer);
}

Test(netns, enter_bad_fd_fails)
{
	struct error err = {0};
	int saved = 7;

	cr_assert_lt(netns_enter(-1, &saved, &err), 0);
	cr_assert_eq(saved, -1);
	cr_assert_neq(err.msg[0], 0);
}
