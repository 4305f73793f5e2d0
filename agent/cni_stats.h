/*
 * The node's CNI counters, aggregated from event lines: operations per
 * verb/network/slice/datapath/result, fallbacks per network/slice/
 * preferred/datapath, failures per verb/code. Series are created on first
 * use and never removed (counters); at most CNI_STATS_SERIES_MAX per family,
 * past that a line is counted in `dropped` only, so a flood of distinct
 * network names cannot grow the agent without bound.
 */
#ifndef SLICENET_AGENT_CNI_STATS_H
#define SLICENET_AGENT_CNI_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "agent/cni_event.h"
#include "daemon/metrics_text.h"

#define CNI_STATS_SERIES_MAX 1024
#define CNI_STATS_LABELS_MAX 5

struct cni_series {
	char *values[CNI_STATS_LABELS_MAX];
	uint64_t count;
};

struct cni_family {
	struct cni_series *series;
	size_t n, cap;
};

struct cni_stats {
	struct cni_family operations; /* verb, network, slice, datapath, result */
	struct cni_family fallbacks;  /* network, slice, preferred, datapath */
	struct cni_family failures;   /* verb, code */
	uint64_t lines;		      /* event lines counted */
	uint64_t dropped;	      /* lines past a family's series cap */
};

/* Count one event. 0, or -ENOMEM / -ENOSPC (counted in dropped). */
int cni_stats_add(struct cni_stats *stats, const struct cni_event *ev)
	__attribute__((warn_unused_result));

/* The families as Prometheus text (empty families still get HELP/TYPE). */
void cni_stats_render(const struct cni_stats *stats, struct metrics_text *text);

/* A series' count (0 when absent), for tests and logs. */
uint64_t cni_stats_get(const struct cni_family *family, const char *const *values, size_t n);

/* Frees every series; stats is zeroed and reusable. Accepts NULL. */
void cni_stats_free(struct cni_stats *stats);

#endif
