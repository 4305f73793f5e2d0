#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/cni/cni_gc.h"

static json_t *parse(const char *text)
{
	json_t *json = json_loads(text, 0, NULL);

	cr_assert_not_null(json, "%s", text);
	return json;
}

Test(cni_gc, reads_either_key)
{
	const char *texts[] = {
		"{\"cni.dev/valid-attachments\":[{\"containerID\":\"a\",\"ifname\":\"eth0\"},"
		"{\"containerID\":\"b\",\"ifname\":\"net1\"}]}",
		"{\"cni.dev/attachments\":[{\"containerID\":\"a\",\"ifname\":\"eth0\"},"
		"{\"containerID\":\"b\",\"ifname\":\"net1\"}]}",
	};

	for (size_t i = 0; i < 2; i++) {
		struct cni_gc_attachment *valid;
		struct cni_error err = {0};
		json_t *json = parse(texts[i]);
		size_t n;

		cr_assert_eq(cni_gc_valid_attachments(json, &valid, &n, &err), 0, "%s", err.msg);
		cr_assert_eq(n, 2);
		cr_assert_str_eq(valid[1].container_id, "b");
		cr_assert_str_eq(valid[1].ifname, "net1");
		free(valid);
		json_decref(json);
	}
}

Test(cni_gc, absent_key_keeps_nothing_and_bad_entries_are_named)
{
	struct cni_gc_attachment *valid;
	struct cni_error err = {0};
	json_t *json = parse("{}");
	size_t n = 7;

	cr_assert_eq(cni_gc_valid_attachments(json, &valid, &n, &err), 0);
	cr_assert_eq(n, 0);
	cr_assert_null(valid);
	json_decref(json);
	json = parse("{\"cni.dev/valid-attachments\":[{\"containerID\":\"a\",\"ifname\":\"x\"},"
		     "{\"containerID\":\"b\"}]}");
	cr_assert_lt(cni_gc_valid_attachments(json, &valid, &n, &err), 0);
	cr_assert(strstr(err.msg, "[1]"), "%s", err.msg);
	cr_assert_null(valid);
	json_decref(json);
	json = parse("{\"cni.dev/valid-attachments\":{}}");
	memset(&err, 0, sizeof(err));
	cr_assert_lt(cni_gc_valid_attachments(json, &valid, &n, &err), 0);
	cr_assert(strstr(err.msg, "must be a list"));
	json_decref(json);
}
