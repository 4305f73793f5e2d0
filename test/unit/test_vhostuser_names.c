/* The vhost-user naming plan: what an attachment is called on the host, in slicenetd and in the
 * pod. */
#include <criterion/criterion.h>
#include <string.h>

#include "plugin/datapath/vhostuser_internal.h"

static struct vhu_conf conf(const char *socket_dir)
{
	struct vhu_conf c = {.queues = 1};

	snprintf(c.socket_dir, sizeof(c.socket_dir), "%s", socket_dir);
	snprintf(c.pod_dir, sizeof(c.pod_dir), "/var/run/slicenet");
	return c;
}

static struct attachment pod(const char *id, const char *ifname, const char *uid)
{
	struct attachment att = {0};

	snprintf(att.container_id, sizeof(att.container_id), "%s", id);
	snprintf(att.ifname, sizeof(att.ifname), "%s", ifname);
	snprintf(att.pod_uid, sizeof(att.pod_uid), "%s", uid);
	return att;
}

Test(vhostuser_names, pod_uid_names_the_directory)
{
	struct vhu_conf c = conf("/run/slicenet/ports");
	struct attachment att = pod("abc123", "net1", "0f1e-uid");
	struct vhu_names n;
	struct cni_error err = {0};

	cr_assert_eq(vhu_names_make(&att, &c, &n, &err), 0, "%s", err.msg);
	cr_assert_str_eq(n.port, "abc123/net1");
	cr_assert_str_eq(n.pod, "0f1e-uid");
	cr_assert_str_eq(n.socket, "/run/slicenet/ports/0f1e-uid/net1.sock");
	cr_assert_str_eq(n.socket_file, "net1.sock");
	cr_assert_str_eq(n.descriptor_file, "net1.json");
	cr_assert_str_eq(n.pod_socket, "/var/run/slicenet/net1.sock");
}

Test(vhostuser_names, container_id_without_a_pod_uid)
{
	struct vhu_conf c = conf("/run/p");
	struct attachment att = pod("ctr9", "eth0", "");
	struct vhu_names n;
	struct cni_error err = {0};

	cr_assert_eq(vhu_names_make(&att, &c, &n, &err), 0, "%s", err.msg);
	cr_assert_str_eq(n.socket, "/run/p/ctr9/eth0.sock");
}

Test(vhostuser_names, a_uid_that_is_a_path_is_refused)
{
	static const char *const bad[] = {"..", ".", "a/b", "../../etc"};
	struct vhu_conf c = conf("/run/p");

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct attachment att = pod("ctr", "eth0", bad[i]);
		struct cni_error err = {0};
		struct vhu_names n;

		cr_assert_lt(vhu_names_make(&att, &c, &n, &err), 0, "%s accepted", bad[i]);
		cr_assert(strstr(err.msg, "cannot name a directory"), "%s", err.msg);
	}
}

Test(vhostuser_names, a_socket_path_longer_than_sun_path_is_refused)
{
	char dir[128];
	struct vhu_conf c;
	struct attachment att = pod("ctr", "eth0", "0123456789abcdef0123456789abcdef");
	struct vhu_names n;
	struct cni_error err = {0};

	memset(dir, 'd', sizeof(dir) - 1);
	dir[0] = '/';
	dir[90] = '\0';
	c = conf(dir);
	cr_assert_lt(vhu_names_make(&att, &c, &n, &err), 0);
	cr_assert(strstr(err.msg, "use a shorter \"socketDir\""), "%s", err.msg);
}

Test(vhostuser_names, mac_is_stable_local_unicast_or_the_requested_one)
{
	struct attachment a = pod("ctr", "net1", ""), b = pod("ctr", "net1", "");
	uint8_t m1[6], m2[6];

	snprintf(a.pod_namespace, sizeof(a.pod_namespace), "ran");
	snprintf(a.pod_name, sizeof(a.pod_name), "du-0");
	b = a;
	vhu_mac(&a, m1);
	vhu_mac(&b, m2);
	cr_assert_arr_eq(m1, m2, 6, "the same pod and ifname get the same MAC");
	cr_assert_eq(m1[0], 0x02, "locally administered unicast");
	snprintf(b.ifname, sizeof(b.ifname), "net2");
	vhu_mac(&b, m2);
	cr_assert(memcmp(m1, m2, 6), "another interface, another MAC");
	snprintf(a.mac, sizeof(a.mac), "0a:11:22:33:44:55");
	vhu_mac(&a, m1);
	cr_assert_eq(m1[0], 0x0a);
	cr_assert_eq(m1[5], 0x55);
}
