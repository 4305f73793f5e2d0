/* The port table's pure logic: socket confinement, clashes, same-spec re-add, lookups. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/port_slots.h"

static char dir[64];
static struct port_slots *t;
static char msg[CTL_MESSAGE_MAX];

static void setup(void)
{
	char sub[96];

	strcpy(dir, "/tmp/sn-slots-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/pod", dir);
	cr_assert_eq(mkdir(sub, 0755), 0);
	t = calloc(1, sizeof(*t));
	cr_assert_not_null(t);
	cr_assert_eq(port_slots_init(t, dir), 0);
}

static void teardown(void)
{
	char cmd[128];

	free(t);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(port_slots, .init = setup, .fini = teardown);

static struct ctl_port_spec spec_of(const char *name, const char *sock)
{
	struct ctl_port_spec s;

	ctl_port_spec_init(&s);
	snprintf(s.name, sizeof(s.name), "%s", name);
	snprintf(s.socket, sizeof(s.socket), "%s/%s", dir, sock);
	return s;
}

static int claim_ready(const char *name, const char *sock)
{
	struct ctl_port_spec s = spec_of(name, sock);
	int i = -1;

	cr_assert_eq(port_slots_claim(t, &s, &i, msg, sizeof(msg)), 0, "%s", msg);
	t->slot[i].state = PORT_SLOT_READY;
	return i;
}

Test(port_slots, init_fails_on_a_missing_directory)
{
	struct port_slots *other = calloc(1, sizeof(*other));

	cr_assert_eq(port_slots_init(other, "/nonexistent/sn-dir"), -ENOENT);
	free(other);
}

Test(port_slots, sockets_below_the_directory_are_allowed)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/a.sock", dir);
	cr_assert_eq(port_slots_socket_allowed(t, path, msg, sizeof(msg)), 0, "%s", msg);
	snprintf(path, sizeof(path), "%s/pod/a.sock", dir);
	cr_assert_eq(port_slots_socket_allowed(t, path, msg, sizeof(msg)), 0, "%s", msg);
}

Test(port_slots, sockets_elsewhere_are_refused)
{
	char path[160], link[160];

	cr_assert_eq(port_slots_socket_allowed(t, "relative.sock", msg, sizeof(msg)), -EINVAL);
	cr_assert(strstr(msg, "not an absolute path"));
	cr_assert_eq(port_slots_socket_allowed(t, "/tmp/x.sock", msg, sizeof(msg)), -EPERM);
	cr_assert(strstr(msg, "outside the socket directory"));
	snprintf(path, sizeof(path), "%s/../x.sock", dir);
	cr_assert_eq(port_slots_socket_allowed(t, path, msg, sizeof(msg)), -EPERM);
	/* A directory named like ours plus a suffix is not below it. */
	snprintf(path, sizeof(path), "%sx/a.sock", dir);
	cr_assert_eq(port_slots_socket_allowed(t, path, msg, sizeof(msg)), -ENOENT);
	/* A symlink in the directory that leads out of it is resolved and refused. */
	snprintf(link, sizeof(link), "%s/out", dir);
	cr_assert_eq(symlink("/tmp", link), 0);
	snprintf(path, sizeof(path), "%s/out/a.sock", dir);
	cr_assert_eq(port_slots_socket_allowed(t, path, msg, sizeof(msg)), -EPERM);
}

Test(port_slots, claim_takes_the_first_free_slot)
{
	int a = claim_ready("a", "a.sock"), b = claim_ready("b", "b.sock");

	cr_assert_eq(a, 0);
	cr_assert_eq(b, 1);
	cr_assert_eq(t->slot[b].kind, PORT_SLOT_VHOST);
	cr_assert_eq(t->slot[b].vid, -1);
	port_slots_release(t, a);
	cr_assert_eq(claim_ready("c", "c.sock"), 0);
}

Test(port_slots, same_spec_again_is_the_existing_port)
{
	struct ctl_port_spec s = spec_of("a", "a.sock");
	int first = claim_ready("a", "a.sock"), i = -1;

	cr_assert_eq(port_slots_claim(t, &s, &i, msg, sizeof(msg)), 1);
	cr_assert_eq(i, first);
}

Test(port_slots, same_spec_while_adding_is_a_clash)
{
	struct ctl_port_spec s = spec_of("a", "a.sock");
	int i = -1;

	cr_assert_eq(port_slots_claim(t, &s, &i, msg, sizeof(msg)), 0);
	cr_assert_eq(port_slots_claim(t, &s, &i, msg, sizeof(msg)), -EEXIST);
}

Test(port_slots, name_or_socket_clashes_are_eexist)
{
	struct ctl_port_spec same_name = spec_of("a", "other.sock");
	struct ctl_port_spec same_socket = spec_of("z", "a.sock");
	struct ctl_port_spec other_mode = spec_of("a", "a.sock");
	int i = -1;

	claim_ready("a", "a.sock");
	cr_assert_eq(port_slots_claim(t, &same_name, &i, msg, sizeof(msg)), -EEXIST);
	cr_assert(strstr(msg, "already used by port a"), "%s", msg);
	cr_assert_eq(port_slots_claim(t, &same_socket, &i, msg, sizeof(msg)), -EEXIST);
	other_mode.mode = CTL_MODE_SERVER;
	cr_assert_eq(port_slots_claim(t, &other_mode, &i, msg, sizeof(msg)), -EEXIST);
}

Test(port_slots, the_uplink_name_is_reserved)
{
	struct ctl_port_spec s = spec_of(PORT_SLOTS_UPLINK_NAME, "u.sock");
	int i = -1, up;

	cr_assert_eq(port_slots_claim(t, &s, &i, msg, sizeof(msg)), -EEXIST);
	cr_assert(strstr(msg, "reserved"));
	up = port_slots_add_uplink(t, 3, 2);
	cr_assert_eq(up, 0);
	cr_assert_eq(t->slot[up].kind, PORT_SLOT_ETH);
	cr_assert_eq(t->slot[up].eth_port, 3);
	cr_assert_eq(port_slots_find_name(t, PORT_SLOTS_UPLINK_NAME), up);
	cr_assert_eq(port_slots_claim(t, &s, &i, msg, sizeof(msg)), -EEXIST);
}

Test(port_slots, a_full_table_is_enospc)
{
	struct ctl_port_spec s;
	char name[16];
	int n, i = -1;

	for (n = 0; n < L2SWITCH_PORT_MAX; n++) {
		snprintf(name, sizeof(name), "p%d", n);
		s = spec_of(name, name);
		cr_assert_eq(port_slots_claim(t, &s, &i, msg, sizeof(msg)), 0);
	}
	s = spec_of("one-more", "one-more");
	cr_assert_eq(port_slots_claim(t, &s, &i, msg, sizeof(msg)), -ENOSPC);
	cr_assert(strstr(msg, "full"));
	cr_assert_eq(port_slots_add_uplink(t, 0, 1), -ENOSPC);
}

Test(port_slots, lookups_by_socket_and_vid)
{
	int a = claim_ready("a", "a.sock"), b = claim_ready("b", "b.sock");

	cr_assert_eq(port_slots_find_socket(t, t->slot[b].spec.socket), b);
	cr_assert_eq(port_slots_find_socket(t, "/nowhere"), -1);
	cr_assert_eq(port_slots_find_vid(t, 7), -1);
	t->slot[a].vid = 7;
	cr_assert_eq(port_slots_find_vid(t, 7), a);
	/* A port being removed takes no new device. */
	t->slot[b].state = PORT_SLOT_DELETING;
	cr_assert_eq(port_slots_find_socket(t, t->slot[b].spec.socket), -1);
	cr_assert_eq(port_slots_find_name(t, "b"), b);
	port_slots_release(t, b);
	cr_assert_eq(port_slots_find_name(t, "b"), -1);
}
