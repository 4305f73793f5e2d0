/*
 * The Prometheus text exposition format (version 0.0.4), without I/O: a
 * growing buffer of metric families and samples. Label values and HELP text
 * are escaped as the format requires (backslash, double quote in label
 * values, newline), so a pod name or a port name can never break a line or
 * forge a series.
 */
#ifndef SLICENET_DAEMON_METRICS_TEXT_H
#define SLICENET_DAEMON_METRICS_TEXT_H

#include <stddef.h>
#include <stdint.h>

#define METRICS_TEXT_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct metrics_text {
	char *buf; /* NUL-terminated; NULL until something is written */
	size_t len, cap;
	int error; /* first failure: -ENOMEM, or -EINVAL for a bad metric or label name */
};

/* A label; a NULL value leaves the label out (an unknown pod has no pod_name). */
struct metrics_label {
	const char *name;
	const char *value;
};

void metrics_text_init(struct metrics_text *t);
/* Frees the buffer; t may be reused after metrics_text_init. Accepts NULL. */
void metrics_text_free(struct metrics_text *t);

/* "# HELP name help" and "# TYPE name type" (type: "counter", "gauge", ...). */
void metrics_text_family(struct metrics_text *t, const char *name, const char *type,
			 const char *help);
/* One sample line: name{labels} value. */
void metrics_text_sample(struct metrics_text *t, const char *name,
			 const struct metrics_label *labels, size_t n_labels, uint64_t value);
void metrics_text_sample_double(struct metrics_text *t, const char *name,
				const struct metrics_label *labels, size_t n_labels, double value);

/*
 * Hand the text over: 0 with *out (malloc'ed, NUL-terminated, the caller
 * frees) and *len, or t->error. t is empty afterwards either way.
 */
int metrics_text_finish(struct metrics_text *t, char **out, size_t *len)
	__attribute__((warn_unused_result));

#endif
