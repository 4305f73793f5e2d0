#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <string.h>

#include "plugin/cni/cni_version.h"

Test(cni_version, supported_list)
{
	const char *want[] = {"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		cr_assert(cni_version_supported(want[i]), "%s", want[i]);
		cr_assert_str_eq(cni_supported_versions[i], want[i]);
	}
	cr_assert_null(cni_supported_versions[5]);
	cr_assert_not(cni_version_supported("0.2.0"));
	cr_assert_not(cni_version_supported("1.2.0"));
	cr_assert_not(cni_version_supported(""));
}

Test(cni_version, compare_is_numeric)
{
	cr_assert_lt(cni_version_compare("0.4.0", "1.0.0"), 0);
	cr_assert_gt(cni_version_compare("0.10.0", "0.4.0"), 0);
	cr_assert_eq(cni_version_compare("1.0", "1.0.0"), 0);
	cr_assert(cni_version_at_least("1.1.0", "1.1.0"));
	cr_assert_not(cni_version_at_least("1.0.0", "1.1.0"));
	cr_assert_lt(cni_version_compare("garbage", "0.1.0"), 0);
}

Test(cni_version, require_names_the_version)
{
	struct cni_error err = {0};

	cr_assert_lt(cni_version_require("9.9.9", &err), 0);
	cr_assert_eq(err.code, CNI_ERR_INCOMPATIBLE_VERSION);
	cr_assert(strstr(err.msg, "\"9.9.9\""));
}

Test(cni_version, verbs_need_their_version)
{
	struct cni_error err = {0};

	cr_assert_eq(cni_version_require_command("0.4.0", CNI_CMD_CHECK, &err), 0);
	cr_assert_lt(cni_version_require_command("0.3.1", CNI_CMD_CHECK, &err), 0);
	cr_assert_eq(err.code, CNI_ERR_INCOMPATIBLE_VERSION);
	memset(&err, 0, sizeof(err));
	cr_assert_lt(cni_version_require_command("1.0.0", CNI_CMD_STATUS, &err), 0);
	cr_assert(strstr(err.msg, "STATUS needs cniVersion 1.1.0"), "%s", err.msg);
	cr_assert_eq(cni_version_require_command("1.1.0", CNI_CMD_GC, &err), 0);
	cr_assert_eq(cni_version_require_command("0.3.0", CNI_CMD_ADD, &err), 0);
}

Test(cni_version, print_lists_every_version, .init = cr_redirect_stdout)
{
	cr_assert_eq(cni_version_print(stdout, "1.0.0"), 0);
	fflush(stdout);
	cr_assert_stdout_eq_str("{\"cniVersion\":\"1.0.0\",\"supportedVersions\":[\"0.3.0\","
				"\"0.3.1\",\"0.4.0\",\"1.0.0\",\"1.1.0\"]}\n");
}
