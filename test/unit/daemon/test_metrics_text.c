/* The Prometheus text encoder: exact lines, escaping of label values and HELP, bad names. */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/metrics_text.h"

static char *finish(struct metrics_text *t)
{
	char *out;
	size_t len;

	cr_assert_eq(metrics_text_finish(t, &out, &len), 0);
	cr_assert_eq(strlen(out), len);
	return out;
}

Test(metrics_text, family_and_samples_exact)
{
	struct metrics_text t;
	struct metrics_label l[] = {{"port", "a"}, {"pod_namespace", NULL}, {"reason", "spoofed"}};
	char *out;

	metrics_text_init(&t);
	metrics_text_family(&t, "slicenet_port_drops_total", "counter", "Frames dropped.");
	metrics_text_sample(&t, "slicenet_port_drops_total", l, 3, 18446744073709551615ULL);
	metrics_text_sample(&t, "slicenet_ports", NULL, 0, 0);
	out = finish(&t);
	cr_assert_str_eq(out, "# HELP slicenet_port_drops_total Frames dropped.\n"
			      "# TYPE slicenet_port_drops_total counter\n"
			      "slicenet_port_drops_total{port=\"a\",reason=\"spoofed\"} "
			      "18446744073709551615\n"
			      "slicenet_ports 0\n");
	free(out);
}

Test(metrics_text, label_values_are_escaped)
{
	struct metrics_text t;
	/* A value that would end the label, start a new series and inject a line if not escaped. */
	struct metrics_label l[] = {{"port", "a\"} 1\nslicenet_fake{x=\"\\"}, {"pod_name", "ü-0"}};
	char *out;

	metrics_text_init(&t);
	metrics_text_sample(&t, "slicenet_x", l, 2, 7);
	out = finish(&t);
	cr_assert_str_eq(out, "slicenet_x{port=\"a\\\"} 1\\nslicenet_fake{x=\\\"\\\\\","
			      "pod_name=\"ü-0\"} 7\n");
	/* One line: the newline inside the value did not end it. */
	cr_assert_eq(strchr(out, '\n'), out + strlen(out) - 1);
	free(out);
}

Test(metrics_text, help_is_escaped_but_quotes_stay)
{
	struct metrics_text t;
	char *out;

	metrics_text_init(&t);
	metrics_text_family(&t, "m", "gauge", "a \"b\" c\\d\ne");
	out = finish(&t);
	cr_assert_str_eq(out, "# HELP m a \"b\" c\\\\d\\ne\n# TYPE m gauge\n");
	free(out);
}

Test(metrics_text, doubles_and_special_values)
{
	struct metrics_text t;
	struct metrics_label l[] = {{"lcore", "1"}};
	char *out;

	metrics_text_init(&t);
	metrics_text_sample_double(&t, "r", l, 1, 0.25);
	metrics_text_sample_double(&t, "r", l, 1, NAN);
	metrics_text_sample_double(&t, "r", l, 1, INFINITY);
	metrics_text_sample_double(&t, "r", l, 1, -INFINITY);
	out = finish(&t);
	cr_assert_str_eq(out, "r{lcore=\"1\"} 0.25\nr{lcore=\"1\"} NaN\n"
			      "r{lcore=\"1\"} +Inf\nr{lcore=\"1\"} -Inf\n");
	free(out);
}

Test(metrics_text, bad_names_fail_the_whole_text)
{
	struct metrics_label bad_label[] = {{"pod-name", "x"}};
	struct metrics_label reserved[] = {{"__name__", "x"}};
	const char *bad_metrics[] = {"", "0abc", "a-b", "a b", "a{b"};
	struct metrics_text t;
	char *out;
	size_t len, i;

	for (i = 0; i < sizeof(bad_metrics) / sizeof(bad_metrics[0]); i++) {
		metrics_text_init(&t);
		metrics_text_sample(&t, bad_metrics[i], NULL, 0, 1);
		cr_assert_eq(metrics_text_finish(&t, &out, &len), -EINVAL, "%s", bad_metrics[i]);
		cr_assert_null(out);
	}
	metrics_text_init(&t);
	metrics_text_sample(&t, "m", bad_label, 1, 1);
	cr_assert_eq(metrics_text_finish(&t, &out, &len), -EINVAL);
	metrics_text_init(&t);
	metrics_text_sample(&t, "m", reserved, 1, 1);
	cr_assert_eq(metrics_text_finish(&t, &out, &len), -EINVAL);
	metrics_text_init(&t);
	metrics_text_family(&t, "m", "not a type", "x");
	cr_assert_eq(metrics_text_finish(&t, &out, &len), -EINVAL);
	/* Colons are fine in metric names (recording rules), not in labels. */
	metrics_text_init(&t);
	metrics_text_sample(&t, "job:m:rate5m", NULL, 0, 1);
	out = finish(&t);
	free(out);
}

Test(metrics_text, grows_past_the_first_buffer)
{
	struct metrics_text t;
	char name[32], *out;
	size_t len;
	int i;

	metrics_text_init(&t);
	for (i = 0; i < 2000; i++) {
		struct metrics_label l[] = {{"port", name}};

		snprintf(name, sizeof(name), "port-%d", i);
		metrics_text_sample(&t, "slicenet_port_up", l, 1, (uint64_t)i);
	}
	cr_assert_eq(metrics_text_finish(&t, &out, &len), 0);
	cr_assert(strstr(out, "slicenet_port_up{port=\"port-1999\"} 1999\n"));
	cr_assert_gt(len, 4096);
	free(out);
}

Test(metrics_text, empty_text_is_an_empty_string)
{
	struct metrics_text t;
	char *out = finish((metrics_text_init(&t), &t));

	cr_assert_str_eq(out, "");
	free(out);
	metrics_text_free(NULL);
}
