/* Prometheus text format 0.0.4 encoder (see metrics_text.h). */
#include "daemon/metrics_text.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void metrics_text_init(struct metrics_text *t)
{
	memset(t, 0, sizeof(*t));
}

void metrics_text_free(struct metrics_text *t)
{
	if (!t)
		return;
	free(t->buf);
	memset(t, 0, sizeof(*t));
}

static bool reserve(struct metrics_text *t, size_t more)
{
	size_t cap;
	char *buf;

	if (t->error)
		return false;
	if (t->len + more + 1 <= t->cap)
		return true;
	for (cap = t->cap ? t->cap : 4096; cap < t->len + more + 1; cap *= 2)
		;
	buf = realloc(t->buf, cap);
	if (!buf) {
		t->error = -ENOMEM;
		return false;
	}
	t->buf = buf;
	t->cap = cap;
	return true;
}

static void put(struct metrics_text *t, const char *s, size_t n)
{
	if (!reserve(t, n))
		return;
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

static void puts_(struct metrics_text *t, const char *s)
{
	put(t, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) static void putf(struct metrics_text *t, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int)sizeof(tmp)) {
		if (!t->error)
			t->error = -EINVAL;
		return;
	}
	put(t, tmp, (size_t)n);
}

/*
 * The format's escapes: "\\" and "\n" everywhere, '"' inside label values.
 * Other bytes (UTF-8 included) pass as they are.
 */
static void put_escaped(struct metrics_text *t, const char *s, bool quote)
{
	const char *run = s;

	for (; *s; s++) {
		const char *esc = NULL;

		if (*s == '\\')
			esc = "\\\\";
		else if (*s == '\n')
			esc = "\\n";
		else if (quote && *s == '"')
			esc = "\\\"";
		if (!esc)
			continue;
		put(t, run, (size_t)(s - run));
		put(t, esc, 2);
		run = s + 1;
	}
	put(t, run, (size_t)(s - run));
}

/* [a-zA-Z_:][a-zA-Z0-9_:]* for metric names; label names do not allow ':'. */
static bool name_valid(const char *name, bool colon)
{
	const char *p;

	if (!name || !*name || (*name >= '0' && *name <= '9'))
		return false;
	for (p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || (colon && *p == ':')))
			return false;
	return true;
}

static bool check_name(struct metrics_text *t, const char *name, bool colon)
{
	if (name_valid(name, colon))
		return true;
	if (!t->error)
		t->error = -EINVAL;
	return false;
}

void metrics_text_family(struct metrics_text *t, const char *name, const char *type,
			 const char *help)
{
	if (!check_name(t, name, true) || !check_name(t, type, false))
		return;
	puts_(t, "# HELP ");
	puts_(t, name);
	puts_(t, " ");
	put_escaped(t, help, false);
	puts_(t, "\n# TYPE ");
	puts_(t, name);
	puts_(t, " ");
	puts_(t, type);
	puts_(t, "\n");
}

static void sample_head(struct metrics_text *t, const char *name,
			const struct metrics_label *labels, size_t n_labels)
{
	bool first = true;
	size_t i;

	if (!check_name(t, name, true))
		return;
	puts_(t, name);
	for (i = 0; i < n_labels; i++) {
		if (!labels[i].value)
			continue;
		/* "__" names are reserved for Prometheus itself. */
		if (!check_name(t, labels[i].name, false) || !strncmp(labels[i].name, "__", 2)) {
			if (!t->error)
				t->error = -EINVAL;
			return;
		}
		puts_(t, first ? "{" : ",");
		first = false;
		puts_(t, labels[i].name);
		puts_(t, "=\"");
		put_escaped(t, labels[i].value, true);
		puts_(t, "\"");
	}
	if (!first)
		puts_(t, "}");
}

void metrics_text_sample(struct metrics_text *t, const char *name,
			 const struct metrics_label *labels, size_t n_labels, uint64_t value)
{
	sample_head(t, name, labels, n_labels);
	putf(t, " %" PRIu64 "\n", value);
}

void metrics_text_sample_double(struct metrics_text *t, const char *name,
				const struct metrics_label *labels, size_t n_labels, double value)
{
	sample_head(t, name, labels, n_labels);
	/* The format's spellings of the special values (Go's ParseFloat reads them). */
	if (isnan(value))
		puts_(t, " NaN\n");
	else if (isinf(value))
		puts_(t, value > 0 ? " +Inf\n" : " -Inf\n");
	else
		putf(t, " %.9g\n", value);
}

int metrics_text_finish(struct metrics_text *t, char **out, size_t *len)
{
	int rc = t->error;

	*out = NULL;
	*len = 0;
	if (!rc && !reserve(t, 0))
		rc = t->error;
	if (rc) {
		metrics_text_free(t);
		return rc;
	}
	*out = t->buf;
	*len = t->len;
	t->buf[t->len] = '\0';
	memset(t, 0, sizeof(*t));
	return 0;
}
