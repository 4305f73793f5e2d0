#include <criterion/criterion.h>
#include <string.h>

#include "plugin/conf/annotations.h"

static struct netconf conf;
static struct cni_env env;

static void load(const char *extra)
{
	char text[1024];
	struct cni_error err = {0};

	snprintf(text, sizeof(text),
		 "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"slicenet\","
		 "\"defaultSlice\":\"embb\",\"slices\":{\"embb\":{\"datapaths\":[\"veth\"]}}%s}",
		 extra);
	memset(&env, 0, sizeof(env));
	bool core_ok;

	cr_assert_eq(conf_parse(text, strlen(text), &conf, &core_ok, &err), 0, "%s", err.msg);
}

static const char *resolve(const char **source)
{
	static char slice[SLICE_NAME_MAX];
	struct cni_error err = {0};

	cr_assert_eq(annotations_slice(&conf, &env, slice, sizeof(slice), source, &err), 0, "%s",
		     err.msg);
	return slice;
}

Test(annotations, runtime_config_annotation_wins)
{
	const char *source;

	load(",\"runtimeConfig\":{\"io.kubernetes.cri.pod-annotations\":{\"slicenet.io/slice\":"
	     "\"urllc\",\"other\":\"x\"}},\"args\":{\"cni\":{\"slice\":\"mmtc\"}}");
	strcpy(env.args.slice, "gold");
	cr_assert_str_eq(resolve(&source), "urllc");
	cr_assert(strstr(source, "pod annotation"));
	conf_free(&conf);
}

Test(annotations, null_annotations_fall_to_args_cni)
{
	const char *source;

	/* containerd sends null for a pod without annotations. */
	load(",\"runtimeConfig\":{\"io.kubernetes.cri.pod-annotations\":null},"
	     "\"args\":{\"cni\":{\"slice\":\"mmtc\"}}");
	strcpy(env.args.slice, "gold");
	cr_assert_str_eq(resolve(&source), "mmtc");
	cr_assert_str_eq(source, "args.cni.slice");
	conf_free(&conf);
}

Test(annotations, cni_args_then_default)
{
	const char *source;

	load(",\"runtimeConfig\":{\"io.kubernetes.cri.pod-annotations\":{\"a\":\"b\"}}");
	strcpy(env.args.slice, "gold");
	cr_assert_str_eq(resolve(&source), "gold");
	cr_assert_str_eq(source, "CNI_ARGS SLICENET_SLICE");
	env.args.slice[0] = '\0';
	cr_assert_str_eq(resolve(&source), "embb");
	cr_assert_str_eq(source, "defaultSlice");
	conf_free(&conf);
}
