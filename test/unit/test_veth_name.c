/* veth_host_ifname: the host end's name is short, stable and distinct. */
#include <criterion/criterion.h>
#include <string.h>

#include "plugin/datapath/veth.h"

Test(veth_name, fits_ifnamsiz_and_has_prefix)
{
	char name[IFNAMSIZ];
	char long_id[300];

	memset(long_id, 'a', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	veth_host_ifname(long_id, "eth0", name);
	cr_assert_leq(strlen(name), 15);
	cr_assert_eq(strlen(name), 14);
	cr_assert_eq(strncmp(name, "sn", 2), 0);
	for (size_t i = 2; i < strlen(name); i++)
		cr_assert(strchr("0123456789abcdef", name[i]), "non-hex char in %s", name);
}

Test(veth_name, deterministic)
{
	char a[IFNAMSIZ], b[IFNAMSIZ];

	veth_host_ifname("0123456789abcdef", "eth0", a);
	veth_host_ifname("0123456789abcdef", "eth0", b);
	cr_assert_str_eq(a, b);
}

Test(veth_name, known_value)
{
	char name[IFNAMSIZ];

	/* FNV-1a 64 of "/", top 48 bits, computed independently. */
	veth_host_ifname("", "", name);
	cr_assert_str_eq(name, "snaf63a24c8601");
}

Test(veth_name, different_ids_differ)
{
	char a[IFNAMSIZ], b[IFNAMSIZ];

	veth_host_ifname("container-a", "eth0", a);
	veth_host_ifname("container-b", "eth0", b);
	cr_assert_str_neq(a, b);
}

Test(veth_name, different_ifnames_differ)
{
	char a[IFNAMSIZ], b[IFNAMSIZ];

	veth_host_ifname("container-a", "eth0", a);
	veth_host_ifname("container-a", "eth1", b);
	cr_assert_str_neq(a, b);
}

Test(veth_name, separator_matters)
{
	char a[IFNAMSIZ], b[IFNAMSIZ];

	/* "ab/c" vs "a/bc": the "/" keeps the two fields apart. */
	veth_host_ifname("ab", "c", a);
	veth_host_ifname("a", "bc", b);
	cr_assert_str_neq(a, b);
}
