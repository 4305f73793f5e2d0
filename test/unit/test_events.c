/* The per-call event lines the node agent turns into metrics. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin/events.h"

static char dir[64], path[128];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/tev.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/" EVENTS_FILE, dir);
}

static void teardown(void)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(events, .init = setup, .fini = teardown);

static char *slurp(void)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	cr_assert_not_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

Test(events, one_line_per_call_with_the_fallback_visible)
{
	struct attachment att = {0};
	long long t;
	char verb[8], net[32], slice[32], dp[32], pref[32], pns[32], pod[32];
	int code;

	strcpy(att.network, "edge");
	strcpy(att.slice, "urllc");
	strcpy(att.datapath, "veth");
	strcpy(att.preferred, "vhostuser");
	strcpy(att.pod_namespace, "ran");
	strcpy(att.pod_name, "du-0");
	events_append(dir, "ADD", &att, 0);
	memset(&att, 0, sizeof(att));
	events_append(dir, "ADD", &att, 7);
	cr_assert_eq(sscanf(slurp(), "%lld %7s %31s %31s %31s %31s %d %31s %31s", &t, verb, net,
			    slice, dp, pref, &code, pns, pod),
		     9);
	cr_assert_str_eq(pns, "ran");
	cr_assert_str_eq(pod, "du-0");
	cr_assert_str_eq(verb, "ADD");
	cr_assert_str_eq(dp, "veth");
	cr_assert_str_eq(pref, "vhostuser");
	cr_assert(strstr(slurp(), " ADD - - - - 7 - -\n"), "unknown fields are '-': %s", slurp());
}

Test(events, stops_at_the_cap_and_never_follows_a_symlink)
{
	struct attachment att = {0};
	struct stat st;
	char target[160];
	int fd = open(path, O_WRONLY | O_CREAT, 0600);

	cr_assert_geq(fd, 0);
	cr_assert_eq(ftruncate(fd, EVENTS_MAX_BYTES), 0);
	close(fd);
	events_append(dir, "DEL", &att, 0);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_size, EVENTS_MAX_BYTES, "no write past the cap");
	unlink(path);
	snprintf(target, sizeof(target), "%s/target", dir);
	cr_assert_eq(close(open(target, O_WRONLY | O_CREAT, 0600)), 0);
	cr_assert_eq(symlink(target, path), 0);
	events_append(dir, "DEL", &att, 0);
	cr_assert_eq(stat(target, &st), 0);
	cr_assert_eq(st.st_size, 0, "nothing written through the symlink");
}

Test(events, a_value_with_a_space_cannot_add_a_field)
{
	struct attachment att = {0};

	strcpy(att.network, "edge");
	strcpy(att.pod_namespace, "a b");
	strcpy(att.pod_name, "x\ny");
	events_append(dir, "DEL", &att, 0);
	cr_assert(strstr(slurp(), " DEL edge - - - 0 - -\n"), "got %s", slurp());
}
