/* Splits an events.log line into words; strict on the fixed fields. */
#include "agent/cni_event.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define FIELDS_MIN 7
#define FIELDS_MAX 9

static int number(const char *text, long long min, long long max, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(text, &end, 10);
	if (errno || end == text || *end || *out < min || *out > max)
		return -EINVAL;
	return 0;
}

static int field(const char *word, char *out)
{
	if (strlen(word) >= CNI_EVENT_FIELD_MAX)
		return -EINVAL;
	strcpy(out, strcmp(word, "-") ? word : "");
	return 0;
}

int cni_event_parse(const char *line, size_t size, struct cni_event *out)
{
	char buf[CNI_EVENT_LINE_MAX], *words[FIELDS_MAX + 1], *save = NULL, *w;
	char *targets[FIELDS_MAX];
	long long code;
	size_t n = 0;
	int ret = 0;

	if (size >= sizeof(buf) || memchr(line, '\0', size))
		return -EINVAL;
	memcpy(buf, line, size);
	buf[size] = '\0';
	for (w = strtok_r(buf, " ", &save); w && n <= FIELDS_MAX; w = strtok_r(NULL, " ", &save))
		words[n++] = w;
	/* Eight words would be a pod namespace without a name: not a line we write. */
	if (n < FIELDS_MIN || n > FIELDS_MAX || n == FIELDS_MIN + 1)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (number(words[0], 0, (long long)1 << 40, &out->time) ||
	    (strcmp(words[1], "ADD") && strcmp(words[1], "DEL")) ||
	    number(words[6], 0, 1 << 30, &code))
		return -EINVAL;
	strcpy(out->verb, words[1]);
	out->code = (int)code;
	targets[2] = out->network;
	targets[3] = out->slice;
	targets[4] = out->datapath;
	targets[5] = out->preferred;
	targets[7] = out->pod_namespace;
	targets[8] = out->pod_name;
	for (size_t i = 2; i < n && !ret; i++)
		if (i != 6)
			ret = field(words[i], targets[i]);
	return ret;
}

bool cni_event_is_fallback(const struct cni_event *ev)
{
	return !strcmp(ev->verb, "ADD") && ev->code == 0 && ev->datapath[0] && ev->preferred[0] &&
	       strcmp(ev->datapath, ev->preferred);
}
