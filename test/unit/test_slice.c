/*
 * Slice resolution and datapath choice. The registry is replaced by fakes
 * whose availability each test sets, so selection and fallback are tested
 * without touching the kernel.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "plugin/conf/annotations.h"
#include "plugin/slice.c"

static bool fake_up[3];

static bool fake_available(const struct datapath_context *ctx, char *why, size_t size, int index)
{
	(void)ctx;
	if (!fake_up[index])
		snprintf(why, size, "fake %d down", index);
	return fake_up[index];
}

#define FAKE(i, dpname)                                                                            \
	static bool fake_available_##i(const struct datapath_context *ctx,                         \
				       const struct attachment *att, char *why, size_t size)       \
	{                                                                                          \
		(void)att;                                                                         \
		return fake_available(ctx, why, size, i);                                          \
	}                                                                                          \
	static const struct datapath_ops fake_##i = {.name = dpname,                               \
						     .available = fake_available_##i}
FAKE(0, "sriov");
FAKE(1, "vhostuser");
FAKE(2, "veth");

const struct datapath_ops *const datapath_registry[] = {&fake_0, &fake_1, &fake_2, NULL};

const struct datapath_ops *datapath_find(const char *name)
{
	for (const struct datapath_ops *const *ops = datapath_registry; *ops; ops++)
		if (!strcmp((*ops)->name, name))
			return *ops;
	return NULL;
}

static struct netconf conf;

static void load(void)
{
	const char *text = "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"slicenet\","
			   "\"defaultSlice\":\"embb\",\"slices\":{"
			   "\"embb\":{\"datapaths\":[\"veth\"]},"
			   "\"urllc\":{\"datapaths\":[\"sriov\",\"vhostuser\",\"veth\"]},"
			   "\"fronthaul\":{\"datapaths\":[\"sriov\"]}}}";
	struct cni_error err = {0};

	bool core_ok;

	cr_assert_eq(conf_parse(text, strlen(text), &conf, &core_ok, &err), 0, "%s", err.msg);
}

static void unload(void)
{
	conf_free(&conf);
}

static const char *pick(const char *slice, struct cni_error *err)
{
	const struct attachment att = {0};
	const struct slice_class *class;
	const struct datapath_ops *ops = NULL;
	struct datapath_context ctx;

	cr_assert_eq(slice_resolve(&conf, slice, &class, err), 0, "%s", err->msg);
	if (slice_pick_datapath(&conf, class, &att, &ops, &ctx, err))
		return NULL;
	return ops->name;
}

Test(slice, first_available_wins, .init = load, .fini = unload)
{
	struct cni_error err = {0};

	fake_up[0] = fake_up[1] = fake_up[2] = true;
	cr_assert_str_eq(pick("urllc", &err), "sriov");
	cr_assert_str_eq(pick("embb", &err), "veth");
}

Test(slice, falls_back_in_class_order, .init = load, .fini = unload)
{
	struct cni_error err = {0};

	fake_up[0] = false;
	fake_up[1] = fake_up[2] = true;
	cr_assert_str_eq(pick("urllc", &err), "vhostuser");
	fake_up[1] = false;
	cr_assert_str_eq(pick("urllc", &err), "veth");
}

Test(slice, none_available_lists_every_reason, .init = load, .fini = unload)
{
	struct cni_error err = {0};

	fake_up[0] = false;
	fake_up[1] = fake_up[2] = true;
	cr_assert_null(pick("fronthaul", &err));
	cr_assert_eq(err.code, CNI_ERR_DATAPATH);
	cr_assert(strstr(err.msg, "slice fronthaul"), "%s", err.msg);
	cr_assert(strstr(err.msg, "sriov: fake 0 down"), "%s", err.msg);
}

Test(slice, unknown_class_is_code_7_naming_it, .init = load, .fini = unload)
{
	const struct slice_class *slice;
	struct cni_error err = {0};

	cr_assert_lt(slice_resolve(&conf, "gold", &slice, &err), 0);
	cr_assert_eq(err.code, CNI_ERR_INVALID_CONFIG);
	cr_assert(strstr(err.msg, "\"gold\""));
	cr_assert(strstr(err.msg, "urllc"));
}
