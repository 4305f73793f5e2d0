/* The list/watch loop (client-go tools/cache/reflector.go is the model). */
#include "agent/reflector.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent/backoff.h"
#include "agent/node_parse.h"
#include "plugin/util/log.h"

#define LIST_PAGE_SIZE 500
/* Watches end after a random 300-600 s, as client-go asks, so not all agents re-watch at once. */
#define WATCH_TIMEOUT_MIN    300
#define WATCH_TIMEOUT_SPREAD 301
/* A watch that ends this fast without an event is an error (client-go's VeryShortWatchError). */
#define WATCH_VERY_SHORT_MS 1000

struct reflector {
	struct kube_http *http;
	const struct reflector_ops *ops;
	void *arg;
	struct reflector_stats *stats;
	struct backoff backoff;
	char rv[NODE_RV_MAX]; /* last resourceVersion seen; "" before the first list */
	bool need_list;
	bool list_unset; /* the last list with rv was 410: ask for a consistent read */
	bool stop;
	unsigned long watch_events;
};

static int tick(void *arg)
{
	struct reflector *r = arg;

	if (!r->stop && r->ops->tick(r->arg))
		r->stop = true;
	return r->stop;
}

/* Sleep ms in short steps so ticks (resync, stop) keep coming. */
static void wait_ms(struct reflector *r, uint64_t ms)
{
	uint64_t end = backoff_now_ms() + ms, now;

	while (!tick(r) && (now = backoff_now_ms()) < end) {
		uint64_t step = end - now < 200 ? end - now : 200;
		struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)step * 1000000};

		nanosleep(&ts, NULL);
	}
}

static void fail(struct reflector *r, long retry_after)
{
	uint64_t delay = backoff_next(&r->backoff, backoff_now_ms());

	/* API Priority and Fairness says when to come back. */
	if (retry_after > 0 && (uint64_t)retry_after * 1000 > delay)
		delay = (uint64_t)retry_after * 1000;
	r->stats->failures++;
	log_info("retrying in %" PRIu64 " ms", delay);
	wait_ms(r, delay);
}

/* Query values are opaque (resourceVersion, continue): percent-encode all but unreserved. */
static int append_query(char *buf, size_t size, const char *key, const char *value)
{
	size_t len = strlen(buf);
	int n = snprintf(buf + len, size - len, "&%s=", key);

	if (n < 0 || (size_t)n >= size - len)
		return -ENAMETOOLONG;
	len += (size_t)n;
	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			     (*p >= '0' && *p <= '9') || strchr("-._~", *p);

		n = snprintf(buf + len, size - len, plain ? "%c" : "%%%02X", *p);
		if (n < 0 || (size_t)n >= size - len)
			return -ENAMETOOLONG;
		len += (size_t)n;
	}
	return 0;
}

static void log_failed(const char *what, const struct kube_response *resp)
{
	struct api_status status;

	if (node_parse_status(resp->body ? resp->body : "", resp->size, &status))
		log_warn("%s: HTTP %ld", what, resp->code);
	else
		log_warn("%s: HTTP %ld %s: %s", what, resp->code, status.reason, status.message);
}

static int collect(struct node **all, size_t *n_all, const struct node_list *page)
{
	struct node *grown = realloc(*all, (*n_all + page->n_items + 1) * sizeof(**all));

	if (!grown)
		return -ENOMEM;
	memcpy(grown + *n_all, page->items, page->n_items * sizeof(*grown));
	*all = grown;
	*n_all += page->n_items;
	return 0;
}

/* Fetch every page. 0, -ESTALE on 410 (expired RV or continue token), else < 0. */
static int list_pages(struct reflector *r, struct node **all, size_t *n_all, char *list_rv)
{
	char cont[NODE_CONTINUE_MAX] = "", path[NODE_CONTINUE_MAX + 512];
	struct kube_response resp;
	struct node_list page;
	struct error err = {0};
	int ret;

	do {
		snprintf(path, sizeof(path), "/api/v1/nodes?limit=%d", LIST_PAGE_SIZE);
		/* Later pages carry the first page's snapshot in the continue token. */
		if (cont[0])
			ret = append_query(path, sizeof(path), "continue", cont);
		else if (!r->list_unset)
			ret = append_query(path, sizeof(path), "resourceVersion",
					   r->rv[0] ? r->rv : "0");
		else
			ret = 0;
		if (ret < 0) {
			log_warn("list: continue token or resourceVersion too long");
			return ret;
		}
		ret = kube_http_get(r->http, path, tick, r, &resp, &err);
		if (ret < 0) {
			if (ret != -ECANCELED)
				log_warn("list nodes: %s", err.msg);
			return ret;
		}
		if (resp.code == 410) {
			log_failed("list nodes", &resp);
			kube_response_free(&resp);
			return -ESTALE;
		}
		if (resp.code != 200) {
			if (resp.code == 401)
				r->stats->unauthorized++;
			log_failed("list nodes", &resp);
			kube_response_free(&resp);
			return -EIO;
		}
		ret = node_parse_list(resp.body, resp.size, &page, &err);
		kube_response_free(&resp);
		if (ret < 0) {
			log_warn("list nodes: %s", err.msg);
			return ret;
		}
		if (!cont[0])
			memcpy(list_rv, page.resource_version, NODE_RV_MAX);
		memcpy(cont, page.continue_token, sizeof(cont));
		ret = collect(all, n_all, &page);
		node_list_free(&page);
		if (ret < 0)
			return ret;
	} while (cont[0]);
	return 0;
}

static void list(struct reflector *r)
{
	char list_rv[NODE_RV_MAX] = "";
	struct node *all = NULL;
	size_t n_all = 0;
	int ret;

	r->stats->lists++;
	ret = list_pages(r, &all, &n_all, list_rv);
	if (ret == -ESTALE && !r->list_unset) {
		/* Relisting with a stale RV forever was calico#6032: read consistently. */
		r->list_unset = true;
		r->stats->gone++;
	} else if (ret == 0 && !list_rv[0]) {
		log_warn("list nodes: the NodeList has no resourceVersion to watch from");
		ret = -EBADMSG;
	} else if (ret == 0) {
		ret = r->ops->replace(r->arg, all, n_all);
		if (ret == 0) {
			memcpy(r->rv, list_rv, sizeof(r->rv));
			r->need_list = false;
			r->list_unset = false;
			log_info("listed %zu nodes at resourceVersion %s", n_all, r->rv);
		}
	}
	free(all);
	if (ret < 0 && ret != -ESTALE && ret != -ECANCELED)
		fail(r, 0);
}

static int on_line(const char *line, size_t size, void *arg)
{
	struct reflector *r = arg;
	struct node_event ev;
	struct error err = {0};
	int ret = 0;

	if (node_parse_event(line, size, &ev, &err)) {
		/* A missed event cannot be made up for: start over from a list. */
		log_warn("watch: %s", err.msg);
		return -EBADMSG;
	}
	r->watch_events++;
	r->stats->events++;
	switch (ev.type) {
	case NODE_EVENT_ADDED:
	case NODE_EVENT_MODIFIED:
		ret = r->ops->upsert(r->arg, &ev.node);
		break;
	case NODE_EVENT_DELETED:
		ret = r->ops->remove(r->arg, &ev.node);
		break;
	case NODE_EVENT_BOOKMARK:
		break;
	case NODE_EVENT_ERROR:
		log_warn("watch: ERROR event %d %s: %s", ev.status.code, ev.status.reason,
			 ev.status.message);
		return ev.status.code == 410 ? -ESTALE : -EIO;
	}
	if (ret < 0)
		return -EBADMSG; /* the table missed it: relist */
	if (ev.resource_version[0])
		memcpy(r->rv, ev.resource_version, sizeof(r->rv));
	return 0;
}

static void watch(struct reflector *r)
{
	long timeout = WATCH_TIMEOUT_MIN + random() % WATCH_TIMEOUT_SPREAD;
	struct kube_response resp;
	struct error err = {0};
	uint64_t start = backoff_now_ms();
	char path[NODE_RV_MAX * 3 + 256];
	int ret;

	snprintf(path, sizeof(path),
		 "/api/v1/nodes?watch=1&allowWatchBookmarks=true&timeoutSeconds=%ld", timeout);
	if (append_query(path, sizeof(path), "resourceVersion", r->rv) < 0) {
		r->need_list = true;
		return;
	}
	r->stats->watches++;
	r->watch_events = 0;
	/* No event, not even a bookmark, for a minute past the deadline: the stream is dead. */
	ret = kube_http_watch(r->http, path, timeout + 60, on_line, tick, r, &resp, &err);
	if (ret == -ECANCELED) {
		kube_response_free(&resp);
		return;
	}
	if (ret == -ESTALE || (ret == 0 && resp.code == 410)) {
		if (ret == 0)
			log_failed("watch nodes", &resp);
		/* History is gone: relist (from lastRV; from scratch if that is gone too). */
		r->stats->gone++;
		r->need_list = true;
	} else if (ret < 0) {
		if (ret == -EBADMSG || ret == -EIO)
			r->need_list = true;
		else
			log_warn("watch nodes: %s", err.msg);
		fail(r, 0);
	} else if (resp.code == 200) {
		if (!r->watch_events && backoff_now_ms() - start < WATCH_VERY_SHORT_MS) {
			log_warn("watch nodes: ended at once without an event");
			fail(r, 0);
		}
		/* else: a normal end, re-watch from lastRV at once */
	} else if (resp.code == 429 || resp.code == 503) {
		log_failed("watch nodes", &resp);
		fail(r, resp.retry_after);
	} else {
		if (resp.code == 401)
			r->stats->unauthorized++;
		log_failed("watch nodes", &resp);
		r->need_list = true;
		fail(r, resp.retry_after);
	}
	kube_response_free(&resp);
}

int reflector_run(struct kube_http *http, const struct reflector_ops *ops, void *arg,
		  struct reflector_stats *stats)
{
	struct reflector r = {
		.http = http, .ops = ops, .arg = arg, .stats = stats, .need_list = true};

	srandom((unsigned int)(backoff_now_ms() ^ (uint64_t)getpid()));
	backoff_init(&r.backoff, backoff_now_ms() ^ ((uint64_t)getpid() << 32));
	while (!tick(&r)) {
		if (r.need_list)
			list(&r);
		else
			watch(&r);
	}
	return 0;
}
