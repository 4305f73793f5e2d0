/* EAL args from the CPU set: -l from the affinity unless given, --no-pci unless a PCI list. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "daemon/eal_args.h"

static cpu_set_t cpus_of(const int *list, int n)
{
	cpu_set_t set;
	int i;

	CPU_ZERO(&set);
	for (i = 0; i < n; i++)
		CPU_SET(list[i], &set);
	return set;
}

/* The built argv joined with spaces. */
static const char *joined(const struct eal_args *a)
{
	static char buf[1024];
	size_t len = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < a->argc; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? " " : "",
					a->argv[i]);
	cr_assert_null(a->argv[a->argc], "argv not NULL-terminated");
	return buf;
}

static const char *build(const int *list, int n, char *const *argv, int argc, struct eal_args *out,
			 char *note)
{
	cpu_set_t set = cpus_of(list, n);

	cr_assert_eq(eal_args_build(&set, argc, argv, out, note, 256), 0, "%s", note);
	return joined(out);
}

Test(eal_args, cpuset_places_main_first_and_forwarders_on_the_rest)
{
	char *argv[] = {"slicenetd", "--no-huge", "-m", "256", NULL};
	int cpus[] = {2, 3, 4, 5, 7, 9, 10};
	struct eal_args a;
	char note[256];

	cr_assert_str_eq(build(cpus, 7, argv, 4, &a, note),
			 "slicenetd -l 2-5,7,9-10 --no-pci --no-huge -m 256");
	cr_assert(strstr(note, "7 CPU(s)"), "%s", note);
	cr_assert(strstr(note, "main lcore on the first, forwarding on the rest"), "%s", note);
	cr_assert(strstr(note, "--no-pci"), "%s", note);
	eal_args_free(&a);
}

Test(eal_args, one_cpu_is_one_forwarding_lcore)
{
	char *argv[] = {"slicenetd", NULL};
	int cpus[] = {3};
	struct eal_args a;
	char note[256];

	cr_assert_str_eq(build(cpus, 1, argv, 1, &a, note), "slicenetd -l 3 --no-pci");
	cr_assert(strstr(note, "one lcore, which forwards"), "%s", note);
	eal_args_free(&a);
}

Test(eal_args, highest_cpu_of_the_set)
{
	char *argv[] = {"slicenetd", NULL};
	int cpus[] = {0, CPU_SETSIZE - 1};
	struct eal_args a;
	char note[256], want[64];

	snprintf(want, sizeof(want), "slicenetd -l 0,%d --no-pci", CPU_SETSIZE - 1);
	cr_assert_str_eq(build(cpus, 2, argv, 1, &a, note), want);
	eal_args_free(&a);
}

struct given {
	char args[3][24];
	int n;
	char want[96];
};

static struct given givens[] = {
	/* The operator's placement wins in every spelling. */
	{{"-l", "0-1"}, 2, "slicenetd --no-pci -l 0-1"},
	{{"-l0-1"}, 1, "slicenetd --no-pci -l0-1"},
	{{"--lcores", "0@1,1@1"}, 2, "slicenetd --no-pci --lcores 0@1,1@1"},
	{{"--lcores=0@1"}, 1, "slicenetd --no-pci --lcores=0@1"},
	{{"-c", "0x3"}, 2, "slicenetd --no-pci -c 0x3"},
	/* A PCI allow- or block-list, or --no-pci itself: no --no-pci added. */
	{{"-a", "0000:03:00.0"}, 2, "slicenetd -l 1-2 -a 0000:03:00.0"},
	{{"--allow=0000:03:00.0"}, 1, "slicenetd -l 1-2 --allow=0000:03:00.0"},
	{{"-b", "0000:03:00.0"}, 2, "slicenetd -l 1-2 -b 0000:03:00.0"},
	{{"--no-pci"}, 1, "slicenetd -l 1-2 --no-pci"},
	/* Look-alikes are not the options. */
	{{"--lcoresx", "--allowed"}, 2, "slicenetd -l 1-2 --no-pci --lcoresx --allowed"},
	/* After "--" come the application's args. */
	{{"--", "-l", "-a"}, 3, "slicenetd -l 1-2 --no-pci -- -l -a"},
};

ParameterizedTestParameters(eal_args, operator_args_win)
{
	return cr_make_param_array(struct given, givens, sizeof(givens) / sizeof(givens[0]));
}

ParameterizedTest(struct given *g, eal_args, operator_args_win)
{
	char *argv[5] = {"slicenetd"};
	int cpus[] = {1, 2}, i;
	struct eal_args a;
	char note[256];

	for (i = 0; i < g->n; i++)
		argv[i + 1] = g->args[i];
	cr_assert_str_eq(build(cpus, 2, argv, g->n + 1, &a, note), g->want);
	eal_args_free(&a);
}

Test(eal_args, empty_set_is_an_error)
{
	char *argv[] = {"slicenetd", NULL};
	struct eal_args a;
	cpu_set_t none;
	char note[256];

	CPU_ZERO(&none);
	cr_assert_eq(eal_args_build(&none, 1, argv, &a, note, sizeof(note)), -EINVAL);
	cr_assert_str_eq(note, "no CPU to run on");
	eal_args_free(&a);
}
