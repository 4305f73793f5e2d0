/* Aggregation of event lines into the CNI counter families and their text. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/cni_stats.h"

static void add(struct cni_stats *s, const char *line)
{
	struct cni_event ev;

	cr_assert_eq(cni_event_parse(line, strlen(line), &ev), 0, "%s", line);
	cr_assert_eq(cni_stats_add(s, &ev), 0);
}

Test(cni_stats, counts_per_label_set)
{
	struct cni_stats s = {0};
	const char *ok_fb[] = {"ADD", "edge", "urllc", "veth", "ok"};
	const char *ok_direct[] = {"ADD", "edge", "urllc", "vhostuser", "ok"};
	const char *err_add[] = {"ADD", "edge", "urllc", "", "error"};
	const char *del[] = {"DEL", "edge", "urllc", "veth", "ok"};
	const char *fb[] = {"edge", "urllc", "vhostuser", "veth"};
	const char *fail[] = {"ADD", "11"};

	add(&s, "1 ADD edge urllc veth vhostuser 0 ns a");
	add(&s, "2 ADD edge urllc veth vhostuser 0 ns b");
	add(&s, "3 ADD edge urllc vhostuser vhostuser 0 ns c");
	add(&s, "4 ADD edge urllc - vhostuser 11 ns d");
	add(&s, "5 DEL edge urllc veth vhostuser 0");
	cr_assert_eq(cni_stats_get(&s.operations, ok_fb, 5), 2);
	cr_assert_eq(cni_stats_get(&s.operations, ok_direct, 5), 1);
	cr_assert_eq(cni_stats_get(&s.operations, err_add, 5), 1);
	cr_assert_eq(cni_stats_get(&s.operations, del, 5), 1);
	cr_assert_eq(s.operations.n, 4);
	cr_assert_eq(cni_stats_get(&s.fallbacks, fb, 4), 2, "only successful ADDs fall back");
	cr_assert_eq(s.fallbacks.n, 1);
	cr_assert_eq(cni_stats_get(&s.failures, fail, 2), 1);
	cr_assert_eq(s.failures.n, 1);
	cr_assert_eq(s.lines, 5);
	cni_stats_free(&s);
}

Test(cni_stats, renders_prometheus_text)
{
	struct cni_stats s = {0};
	struct metrics_text t;
	size_t len;
	char *out;

	add(&s, "1 ADD edge urllc veth vhostuser 0 ns a");
	add(&s, "2 DEL edge - - - 3");
	metrics_text_init(&t);
	cni_stats_render(&s, &t);
	cr_assert_eq(metrics_text_finish(&t, &out, &len), 0);
	cr_assert(strstr(out, "# TYPE slicenet_cni_operations_total counter\n"), "%s", out);
	cr_assert(strstr(out, "slicenet_cni_operations_total{verb=\"ADD\",network=\"edge\","
			      "slice=\"urllc\",datapath=\"veth\",result=\"ok\"} 1\n"),
		  "%s", out);
	cr_assert(strstr(out, "slicenet_cni_fallbacks_total{network=\"edge\",slice=\"urllc\","
			      "preferred=\"vhostuser\",datapath=\"veth\"} 1\n"),
		  "%s", out);
	cr_assert(strstr(out, "slicenet_cni_failures_total{verb=\"DEL\",code=\"3\"} 1\n"), "%s",
		  out);
	free(out);
	cni_stats_free(&s);
}

Test(cni_stats, series_are_capped)
{
	struct cni_stats s = {0};
	struct cni_event ev;
	int ret = 0;

	cr_assert_eq(cni_event_parse("1 ADD n - - - 0", 15, &ev), 0);
	for (int i = 0; i <= CNI_STATS_SERIES_MAX && !ret; i++) {
		snprintf(ev.network, sizeof(ev.network), "net%d", i);
		ret = cni_stats_add(&s, &ev);
	}
	cr_assert_eq(ret, -ENOSPC);
	cr_assert_eq(s.operations.n, CNI_STATS_SERIES_MAX);
	cr_assert_eq(s.dropped, 1);
	cni_stats_free(&s);
}
