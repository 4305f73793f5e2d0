/* libcurl transfers to the API server: TLS, bearer token, line reassembly. */
#include "agent/kube_http.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/backoff.h"
#include "plugin/util/log.h"

#define KUBE_USER_AGENT	    "slicenet-agent/1"
#define KUBE_BODY_MAX	    (64u << 20) /* a NodeList of thousands of fat Nodes */
#define KUBE_LINE_MAX	    (4u << 20)	/* one watch event: one Node */
#define KUBE_ERROR_BODY_MAX (64u << 10) /* a Status */
/* client-go re-reads the token when its copy is older than a minute. */
#define KUBE_TOKEN_REFRESH_MS 60000

struct kube_http {
	struct kube_config config;
	char token[KUBE_TOKEN_MAX];
	uint64_t token_read_ms; /* 0 = never read or forced re-read */
};

struct transfer {
	CURL *curl;
	bool watch;
	bool aborted_by_line;
	int line_ret;
	long code;
	char *buf;
	size_t len, cap, max;
	kube_line_fn line;
	kube_tick_fn tick;
	void *arg;
	bool ticked_stop;
	const char *post_body; /* NULL: GET */
	size_t post_size;
};

struct kube_http *kube_http_new(const struct kube_config *config, struct error *err)
{
	struct kube_http *http = calloc(1, sizeof(*http));

	if (!http) {
		error_set(err, ENOMEM, "kube: out of memory");
		errno = ENOMEM;
		return NULL;
	}
	http->config = *config;
	return http;
}

void kube_http_free(struct kube_http *http)
{
	if (!http)
		return;
	/* The token is a credential: do not leave it in freed memory. */
	explicit_bzero(http->token, sizeof(http->token));
	free(http);
}

void kube_response_free(struct kube_response *resp)
{
	free(resp->body);
	memset(resp, 0, sizeof(*resp));
}

/* Re-read when stale; a failed read keeps the last good token, as client-go does. */
static int refresh_token(struct kube_http *http, struct error *err)
{
	uint64_t now = backoff_now_ms();
	char token[KUBE_TOKEN_MAX];
	struct error read_err = {0};
	int ret;

	if (http->token_read_ms && now - http->token_read_ms < KUBE_TOKEN_REFRESH_MS)
		return 0;
	ret = kube_config_read_token(&http->config, token, sizeof(token), &read_err);
	if (ret == 0) {
		memcpy(http->token, token, sizeof(token));
		http->token_read_ms = now;
	} else if (http->token[0]) {
		log_warn("%s; keeping the last token", read_err.msg);
	} else {
		error_set(err, -ret, "%s", read_err.msg);
	}
	explicit_bzero(token, sizeof(token));
	return http->token[0] ? 0 : ret;
}

static int append(struct transfer *t, const char *data, size_t size)
{
	if (t->len + size > t->max)
		return -EFBIG;
	if (t->len + size + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 16384;
		char *buf;

		while (cap < t->len + size + 1)
			cap *= 2;
		buf = realloc(t->buf, cap);
		if (!buf)
			return -ENOMEM;
		t->buf = buf;
		t->cap = cap;
	}
	memcpy(t->buf + t->len, data, size);
	t->len += size;
	t->buf[t->len] = '\0';
	return 0;
}

/* Dispatch every complete line; keep the partial tail for the next slice. */
static int drain_lines(struct transfer *t)
{
	size_t start = 0;
	char *nl;

	while ((nl = memchr(t->buf + start, '\n', t->len - start))) {
		size_t size = (size_t)(nl - (t->buf + start));

		if (size) {
			int ret = t->line(t->buf + start, size, t->arg);

			if (ret < 0)
				return ret;
		}
		start += size + 1;
	}
	memmove(t->buf, t->buf + start, t->len - start);
	t->len -= start;
	return 0;
}

/* The body arrives de-chunked in slices of any size, not NUL-terminated. */
static size_t on_write(char *data, size_t one, size_t size, void *userdata)
{
	struct transfer *t = userdata;
	bool lines;
	int ret;

	(void)one;
	if (!t->code)
		curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &t->code);
	lines = t->watch && t->code == 200;
	if (!lines && t->code != 200)
		t->max = KUBE_ERROR_BODY_MAX;
	ret = append(t, data, size);
	if (ret == 0 && lines)
		ret = drain_lines(t);
	if (ret < 0) {
		t->aborted_by_line = true;
		t->line_ret = ret;
		return 0; /* anything but size: CURLE_WRITE_ERROR */
	}
	return size;
}

static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct transfer *t = userdata;

	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	if (t->tick && t->tick(t->arg)) {
		t->ticked_stop = true;
		return 1;
	}
	return 0;
}

static struct curl_slist *headers(struct kube_http *http, bool post, struct error *err)
{
	const char *fixed[] = {"Accept: application/json", "User-Agent: " KUBE_USER_AGENT,
			       "Content-Type: application/json"};
	size_t n_fixed = post ? 3 : 2;
	char auth[KUBE_TOKEN_MAX + 32];
	struct curl_slist *list, *next;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", http->token);
	list = curl_slist_append(NULL, auth);
	explicit_bzero(auth, sizeof(auth));
	for (size_t i = 0; list && i < n_fixed; i++) {
		next = curl_slist_append(list, fixed[i]);
		if (!next) {
			curl_slist_free_all(list);
			list = NULL;
		}
	}
	if (!list)
		error_set(err, ENOMEM, "kube: out of memory for request headers");
	return list;
}

static int setup(struct kube_http *http, CURL *curl, const char *url, struct curl_slist *hdrs,
		 struct transfer *t)
{
	CURLcode rc = CURLE_OK;

#define SET(opt, val)                                                                              \
	do {                                                                                       \
		if (rc == CURLE_OK)                                                                \
			rc = curl_easy_setopt(curl, opt, val);                                     \
	} while (0)
	SET(CURLOPT_URL, url);
	SET(CURLOPT_PROTOCOLS_STR, "https");
	SET(CURLOPT_HTTPHEADER, hdrs);
	SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	/* Only the cluster CA: no compiled-in CA path, no public CAs. */
	SET(CURLOPT_CAINFO, http->config.ca_file);
	SET(CURLOPT_CAPATH, (char *)NULL);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	/* The CA file changes on CA rotation; do not trust a day-old parse. */
	SET(CURLOPT_CA_CACHE_TIMEOUT, 300L);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_CONNECTTIMEOUT, 10L);
	/* Dead peers behind NAT or a load balancer: notice without traffic. */
	SET(CURLOPT_TCP_KEEPALIVE, 1L);
	SET(CURLOPT_TCP_KEEPIDLE, 30L);
	SET(CURLOPT_TCP_KEEPINTVL, 10L);
	SET(CURLOPT_WRITEFUNCTION, on_write);
	SET(CURLOPT_WRITEDATA, t);
	SET(CURLOPT_NOPROGRESS, 0L);
	SET(CURLOPT_XFERINFOFUNCTION, on_progress);
	SET(CURLOPT_XFERINFODATA, t);
#undef SET
	return rc == CURLE_OK ? 0 : -EINVAL;
}

static int perform(struct kube_http *http, const char *path, struct transfer *t, long idle_seconds,
		   struct kube_response *resp, struct error *err)
{
	struct curl_slist *hdrs = NULL;
	char url[KUBE_SERVER_URL_MAX + 4096];
	CURLcode rc;
	int ret;

	memset(resp, 0, sizeof(*resp));
	if ((size_t)snprintf(url, sizeof(url), "%s%s", http->config.server, path) >= sizeof(url))
		return error_set(err, ENAMETOOLONG, "kube: URL for %.64s... is too long", path);
	ret = refresh_token(http, err);
	if (ret < 0)
		return ret;
	hdrs = headers(http, t->post_body != NULL, err);
	if (!hdrs)
		return -ENOMEM;
	t->curl = curl_easy_init();
	if (!t->curl) {
		ret = error_set(err, ENOMEM, "kube: curl_easy_init failed");
		goto out;
	}
	if (setup(http, t->curl, url, hdrs, t) ||
	    (idle_seconds && (curl_easy_setopt(t->curl, CURLOPT_LOW_SPEED_LIMIT, 1L) ||
			      curl_easy_setopt(t->curl, CURLOPT_LOW_SPEED_TIME, idle_seconds))) ||
	    (!idle_seconds && curl_easy_setopt(t->curl, CURLOPT_TIMEOUT, 120L)) ||
	    (t->post_body &&
	     (curl_easy_setopt(t->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)t->post_size) ||
	      curl_easy_setopt(t->curl, CURLOPT_POSTFIELDS, t->post_body)))) {
		ret = error_set(err, EINVAL, "kube: libcurl rejected an option (too old?)");
		goto out;
	}
	rc = curl_easy_perform(t->curl);
	curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &resp->code);
	curl_easy_getinfo(t->curl, CURLINFO_RETRY_AFTER, &resp->retry_after);
	if (resp->code == 401)
		http->token_read_ms = 0; /* maybe rotated under us: re-read before the next */
	if (t->ticked_stop) {
		ret = -ECANCELED;
	} else if (t->aborted_by_line) {
		ret = t->line_ret;
		if (ret == -EFBIG || ret == -ENOMEM)
			error_set(err, -ret, "kube: GET %s: body too large or out of memory", path);
	} else if (rc != CURLE_OK && !(t->watch && resp->code == 200)) {
		/* A 200 stream that breaks is a normal end of a watch; anything else failed. */
		ret = error_set(err, rc == CURLE_COULDNT_CONNECT ? ECONNREFUSED : EIO,
				"kube: %s %s%s: %s", t->post_body ? "POST" : "GET",
				http->config.server, path, curl_easy_strerror(rc));
	} else {
		ret = 0;
		if (!t->watch || resp->code != 200) {
			resp->body = t->buf;
			resp->size = t->len;
			t->buf = NULL;
		}
	}
out:
	curl_easy_cleanup(t->curl);
	curl_slist_free_all(hdrs);
	free(t->buf);
	return ret;
}

int kube_http_get(struct kube_http *http, const char *path, kube_tick_fn tick, void *arg,
		  struct kube_response *resp, struct error *err)
{
	struct transfer t = {.max = KUBE_BODY_MAX, .tick = tick, .arg = arg};

	return perform(http, path, &t, 0, resp, err);
}

int kube_http_watch(struct kube_http *http, const char *path, long idle_seconds, kube_line_fn line,
		    kube_tick_fn tick, void *arg, struct kube_response *resp, struct error *err)
{
	struct transfer t = {
		.watch = true, .max = KUBE_LINE_MAX, .line = line, .tick = tick, .arg = arg};

	return perform(http, path, &t, idle_seconds, resp, err);
}

int kube_http_post(struct kube_http *http, const char *path, const char *body, size_t size,
		   struct kube_response *resp, struct error *err)
{
	struct transfer t = {.max = KUBE_ERROR_BODY_MAX, .post_body = body, .post_size = size};

	return perform(http, path, &t, 0, resp, err);
}
