#include "plugin/cni/cni_version.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

const char *const cni_supported_versions[] = {
	"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0", NULL,
};

bool cni_version_supported(const char *version)
{
	for (const char *const *v = cni_supported_versions; *v; v++)
		if (!strcmp(*v, version))
			return true;
	return false;
}

static bool parse_version(const char *text, int parts[3])
{
	char tail;

	/* "1.0" is accepted as "1.0.0"; anything else must be three numbers. */
	parts[2] = 0;
	if (sscanf(text, "%d.%d.%d%c", &parts[0], &parts[1], &parts[2], &tail) == 3)
		return true;
	return sscanf(text, "%d.%d%c", &parts[0], &parts[1], &tail) == 2;
}

int cni_version_compare(const char *a, const char *b)
{
	int pa[3], pb[3];
	bool oka = a && parse_version(a, pa), okb = b && parse_version(b, pb);

	if (!oka || !okb)
		return (int)oka - (int)okb;
	for (int i = 0; i < 3; i++)
		if (pa[i] != pb[i])
			return pa[i] < pb[i] ? -1 : 1;
	return 0;
}

bool cni_version_at_least(const char *version, const char *min)
{
	return cni_version_compare(version, min) >= 0;
}

int cni_version_require(const char *version, struct cni_error *err)
{
	if (cni_version_supported(version))
		return 0;
	return cni_error_set(err, CNI_ERR_INCOMPATIBLE_VERSION, EINVAL,
			     "incompatible CNI version \"%s\" (supported: 0.3.0, 0.3.1, 0.4.0, "
			     "1.0.0, 1.1.0)",
			     version);
}

int cni_version_require_command(const char *version, enum cni_command command,
				struct cni_error *err)
{
	const char *since = command == CNI_CMD_CHECK				 ? "0.4.0"
			    : command == CNI_CMD_GC || command == CNI_CMD_STATUS ? "1.1.0"
										 : NULL;

	if (since && !cni_version_at_least(version, since))
		return cni_error_set(err, CNI_ERR_INCOMPATIBLE_VERSION, ENOTSUP,
				     "%s needs cniVersion %s or later, the config has %s",
				     cni_command_name(command), since, version);
	return 0;
}

int cni_version_print(FILE *out, const char *version)
{
	json_t *list = json_array(), *obj;
	int ret = 0;

	for (const char *const *v = cni_supported_versions; list && *v; v++)
		if (json_array_append_new(list, json_string(*v)))
			ret = -ENOMEM;
	obj = json_pack("{s:s, s:o}", "cniVersion", version, "supportedVersions", list);
	if (ret || !obj || json_dumpf(obj, out, JSON_COMPACT) || fputc('\n', out) == EOF)
		ret = -EIO;
	json_decref(obj);
	return ret;
}
