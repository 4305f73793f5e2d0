/* Client-mode shadows: linked only to a real socket, never through a symlink, FIFO or file. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/port_shadow.h"

static char root[64], pod[128], sock[160], shadow[160];

static void setup(void)
{
	snprintf(root, sizeof(root), "/tmp/tps.XXXXXX");
	cr_assert_not_null(mkdtemp(root));
	snprintf(pod, sizeof(pod), "%s/uid-1", root);
	cr_assert_eq(mkdir(pod, 0755), 0);
	snprintf(sock, sizeof(sock), "%s/net1.sock", pod);
	cr_assert_eq(port_shadow_init(root), 0);
	cr_assert_eq(port_shadow_path(3, shadow, sizeof(shadow)), 0);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(port_shadow, .init = setup, .fini = teardown);

static int listen_at(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0, "%s", strerror(errno));
	cr_assert_eq(listen(fd, 4), 0);
	return fd;
}

static ino_t inode(const char *path)
{
	struct stat st;

	return lstat(path, &st) ? 0 : st.st_ino;
}

Test(port_shadow, links_the_pods_socket_and_follows_its_restarts)
{
	char why[256] = "";
	int fd;

	cr_assert_eq(port_shadow_refresh(3, sock, why, sizeof(why)), -ENOENT, "no socket yet");
	cr_assert_eq(inode(shadow), 0);
	fd = listen_at(sock);
	cr_assert_eq(port_shadow_refresh(3, sock, why, sizeof(why)), 1, "%s", why);
	cr_assert_eq(inode(shadow), inode(sock));
	cr_assert_eq(port_shadow_refresh(3, sock, why, sizeof(why)), 0, "unchanged");
	/* The application restarts: a new socket, a new inode, a new link. */
	close(fd);
	unlink(sock);
	fd = listen_at(sock);
	cr_assert_eq(port_shadow_refresh(3, sock, why, sizeof(why)), 1);
	cr_assert_eq(inode(shadow), inode(sock));
	close(fd);
}

Test(port_shadow, never_links_a_symlink_fifo_or_file)
{
	char victim[192], why[256];
	int fd;

	snprintf(victim, sizeof(victim), "%s/victim.sock", root);
	fd = listen_at(victim);
	cr_assert_eq(symlink(victim, sock), 0);
	cr_assert_eq(port_shadow_refresh(3, sock, why, sizeof(why)), -EINVAL);
	cr_assert(strstr(why, "is not a socket"), "%s", why);
	cr_assert_eq(inode(shadow), 0, "no link to the symlink's target");
	unlink(sock);
	cr_assert_eq(mkfifo(sock, 0600), 0);
	cr_assert_eq(port_shadow_refresh(3, sock, why, sizeof(why)), -EINVAL);
	unlink(sock);
	cr_assert_eq(close(creat(sock, 0600)), 0);
	cr_assert_eq(port_shadow_refresh(3, sock, why, sizeof(why)), -EINVAL);
	cr_assert_eq(inode(shadow), 0);
	close(fd);
}

Test(port_shadow, a_socket_swapped_for_a_symlink_drops_the_link)
{
	char victim[192], why[256];
	int fd = listen_at(sock), vfd;

	cr_assert_eq(port_shadow_refresh(3, sock, why, sizeof(why)), 1);
	snprintf(victim, sizeof(victim), "%s/victim.sock", root);
	vfd = listen_at(victim);
	unlink(sock);
	cr_assert_eq(symlink(victim, sock), 0);
	cr_assert_lt(port_shadow_refresh(3, sock, why, sizeof(why)), 0);
	cr_assert_eq(inode(shadow), 0, "the old link is gone, no new one made");
	port_shadow_remove(3);
	close(fd);
	close(vfd);
}
