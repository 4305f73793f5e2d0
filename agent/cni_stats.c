/* Small linear tables: a node sees a handful of networks, slices and codes. */
#include "agent/cni_stats.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const operation_labels[] = {"verb", "network", "slice", "datapath", "result"};
static const char *const fallback_labels[] = {"network", "slice", "preferred", "datapath"};
static const char *const failure_labels[] = {"verb", "code"};

static struct cni_series *find(const struct cni_family *f, const char *const *values, size_t n)
{
	for (size_t i = 0; i < f->n; i++) {
		size_t j = 0;

		while (j < n && !strcmp(f->series[i].values[j], values[j]))
			j++;
		if (j == n)
			return &f->series[i];
	}
	return NULL;
}

static int bump(struct cni_family *f, const char *const *values, size_t n)
{
	struct cni_series *s = find(f, values, n);

	if (s) {
		s->count++;
		return 0;
	}
	if (f->n == CNI_STATS_SERIES_MAX)
		return -ENOSPC;
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 8;
		struct cni_series *grown = realloc(f->series, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		f->series = grown;
		f->cap = cap;
	}
	s = &f->series[f->n];
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < n; i++) {
		s->values[i] = strdup(values[i]);
		if (!s->values[i]) {
			while (i--)
				free(s->values[i]);
			return -ENOMEM;
		}
	}
	s->count = 1;
	f->n++;
	return 0;
}

int cni_stats_add(struct cni_stats *stats, const struct cni_event *ev)
{
	const char *op[] = {ev->verb, ev->network, ev->slice, ev->datapath,
			    ev->code ? "error" : "ok"};
	const char *fb[] = {ev->network, ev->slice, ev->preferred, ev->datapath};
	char code[16];
	const char *fail[] = {ev->verb, code};
	int ret;

	snprintf(code, sizeof(code), "%d", ev->code);
	stats->lines++;
	ret = bump(&stats->operations, op, 5);
	if (!ret && cni_event_is_fallback(ev))
		ret = bump(&stats->fallbacks, fb, 4);
	if (!ret && ev->code)
		ret = bump(&stats->failures, fail, 2);
	if (ret)
		stats->dropped++;
	return ret;
}

uint64_t cni_stats_get(const struct cni_family *family, const char *const *values, size_t n)
{
	const struct cni_series *s = find(family, values, n);

	return s ? s->count : 0;
}

static void render(const struct cni_family *f, struct metrics_text *text, const char *name,
		   const char *help, const char *const *labels, size_t n)
{
	struct metrics_label l[CNI_STATS_LABELS_MAX];

	metrics_text_family(text, name, "counter", help);
	for (size_t i = 0; i < f->n; i++) {
		for (size_t j = 0; j < n; j++)
			l[j] = (struct metrics_label){labels[j], f->series[i].values[j]};
		metrics_text_sample(text, name, l, n, f->series[i].count);
	}
}

void cni_stats_render(const struct cni_stats *stats, struct metrics_text *text)
{
	render(&stats->operations, text, "slicenet_cni_operations_total",
	       "CNI ADD and DEL calls on this node, from the plugin's event lines",
	       operation_labels, 5);
	render(&stats->fallbacks, text, "slicenet_cni_fallbacks_total",
	       "successful ADDs that got another datapath than their class's first choice",
	       fallback_labels, 4);
	render(&stats->failures, text, "slicenet_cni_failures_total",
	       "failed CNI calls by CNI error code", failure_labels, 2);
	metrics_text_family(text, "slicenet_cni_event_lines_dropped_total", "counter",
			    "event lines not counted (series cap or out of memory)");
	metrics_text_sample(text, "slicenet_cni_event_lines_dropped_total", NULL, 0,
			    stats->dropped);
}

static void family_free(struct cni_family *f)
{
	for (size_t i = 0; i < f->n; i++)
		for (size_t j = 0; j < CNI_STATS_LABELS_MAX; j++)
			free(f->series[i].values[j]);
	free(f->series);
	memset(f, 0, sizeof(*f));
}

void cni_stats_free(struct cni_stats *stats)
{
	if (!stats)
		return;
	family_free(&stats->operations);
	family_free(&stats->fallbacks);
	family_free(&stats->failures);
	memset(stats, 0, sizeof(*stats));
}
