#include "plugin/cni/cni_gc.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>

int cni_gc_valid_attachments(const json_t *root, struct cni_gc_attachment **out, size_t *n,
			     struct cni_error *err)
{
	const json_t *list = json_object_get(root, "cni.dev/valid-attachments"), *item;
	size_t i;

	if (!list)
		list = json_object_get(root, "cni.dev/attachments");
	*out = NULL;
	*n = 0;
	if (!list || json_is_null(list))
		return 0;
	if (!json_is_array(list))
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "cni.dev/valid-attachments must be a list");
	*out = calloc(json_array_size(list) + 1, sizeof(**out));
	if (!*out)
		return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	json_array_foreach(list, i, item)
	{
		const char *id = json_string_value(json_object_get(item, "containerID"));
		const char *ifname = json_string_value(json_object_get(item, "ifname"));

		if (!id || !ifname) {
			free(*out);
			*out = NULL;
			*n = 0;
			return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
					     "cni.dev/valid-attachments[%zu] needs string "
					     "\"containerID\" and \"ifname\"",
					     i);
		}
		(*out)[(*n)++] = (struct cni_gc_attachment){id, ifname};
	}
	return 0;
}
