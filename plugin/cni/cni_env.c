#include "plugin/cni/cni_env.h"

#include <ctype.h>
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const command_names[] = {
	[CNI_CMD_ADD] = "ADD",	       [CNI_CMD_DEL] = "DEL", [CNI_CMD_CHECK] = "CHECK",
	[CNI_CMD_VERSION] = "VERSION", [CNI_CMD_GC] = "GC",   [CNI_CMD_STATUS] = "STATUS",
};

const char *cni_command_name(enum cni_command command)
{
	if ((size_t)command < sizeof(command_names) / sizeof(command_names[0]))
		return command_names[command];
	return "?";
}

int cni_command_parse(const char *text, enum cni_command *out, struct cni_error *err)
{
	for (size_t i = 0; i < sizeof(command_names) / sizeof(command_names[0]); i++) {
		if (!strcmp(text, command_names[i])) {
			*out = (enum cni_command)i;
			return 0;
		}
	}
	return cni_error_set(err, CNI_ERR_INVALID_ENV, EINVAL,
			     "unknown CNI_COMMAND \"%s\" (want ADD, DEL, CHECK, VERSION, GC or "
			     "STATUS)",
			     text);
}

/* libcni: ^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$ */
int cni_validate_container_id(const char *id, struct cni_error *err)
{
	size_t len = strlen(id);

	if (!len)
		return cni_error_set(err, CNI_ERR_INVALID_ENV, EINVAL, "CNI_CONTAINERID is empty");
	if (len >= CNI_CONTAINER_ID_MAX)
		return cni_error_set(err, CNI_ERR_INVALID_ENV, ENAMETOOLONG,
				     "CNI_CONTAINERID \"%.32s...\" is longer than %d bytes", id,
				     CNI_CONTAINER_ID_MAX - 1);
	if (!isalnum((unsigned char)id[0]))
		goto bad;
	for (const char *p = id; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.' && *p != '-')
			goto bad;
	return 0;
bad:
	return cni_error_set(err, CNI_ERR_INVALID_ENV, EINVAL,
			     "invalid CNI_CONTAINERID \"%s\": must match "
			     "^[a-zA-Z0-9][a-zA-Z0-9_.\\-]*$",
			     id);
}

/* libcni ValidateInterfaceName: non-empty, < IFNAMSIZ, not . or .., no / : or space. */
int cni_validate_ifname(const char *ifname, struct cni_error *err)
{
	size_t len = strlen(ifname);

	if (!len)
		return cni_error_set(err, CNI_ERR_INVALID_ENV, EINVAL, "CNI_IFNAME is empty");
	if (len >= IFNAMSIZ)
		return cni_error_set(err, CNI_ERR_INVALID_ENV, ENAMETOOLONG,
				     "CNI_IFNAME \"%s\" is longer than %d bytes", ifname,
				     IFNAMSIZ - 1);
	if (!strcmp(ifname, ".") || !strcmp(ifname, ".."))
		return cni_error_set(err, CNI_ERR_INVALID_ENV, EINVAL,
				     "CNI_IFNAME \"%s\" is not a valid interface name", ifname);
	for (const char *p = ifname; *p; p++)
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p))
			return cni_error_set(
				err, CNI_ERR_INVALID_ENV, EINVAL,
				"CNI_IFNAME \"%s\" contains '%c', which is not allowed "
				"in an interface name",
				ifname, *p == '\t' || *p == '\n' ? ' ' : *p);
	/*
	 * Stricter than libcni: the name goes into JSON (which must be UTF-8)
	 * and into host-local's store records, which hold printable ASCII only;
	 * a record the store cannot read back blocks every later ADD.
	 */
	for (const char *p = ifname; *p; p++)
		if ((unsigned char)*p < ' ' || (unsigned char)*p >= 0x7f)
			return cni_error_set(err, CNI_ERR_INVALID_ENV, EINVAL,
					     "CNI_IFNAME has byte 0x%02x at offset %zu: only "
					     "printable ASCII is allowed in an interface name",
					     (unsigned char)*p, (size_t)(p - ifname));
	return 0;
}

static bool parse_bool(const char *value)
{
	return !strcmp(value, "1") || !strcasecmp(value, "true");
}

struct args_key {
	const char *name;
	size_t offset;
};

static const struct args_key args_keys[] = {
	{"K8S_POD_NAMESPACE", offsetof(struct cni_args, pod_namespace)},
	{"K8S_POD_NAME", offsetof(struct cni_args, pod_name)},
	{"K8S_POD_UID", offsetof(struct cni_args, pod_uid)},
	{"K8S_POD_INFRA_CONTAINER_ID", offsetof(struct cni_args, pod_infra_container_id)},
	{"SLICENET_SLICE", offsetof(struct cni_args, slice)},
	{"deviceID", offsetof(struct cni_args, device_id)},
	{"IP", offsetof(struct cni_args, ip)},
	{"MAC", offsetof(struct cni_args, mac)},
};

/* One pass over "K=V;K=V": the first pass only reads IgnoreUnknown, the second stores. */
static int args_each(const char *text, struct cni_args *out, bool store, struct cni_error *err)
{
	char buf[4096];
	char *save = NULL, *pair;

	if (snprintf(buf, sizeof(buf), "%s", text) >= (int)sizeof(buf))
		return cni_error_set(err, CNI_ERR_INVALID_ENV, E2BIG,
				     "CNI_ARGS is longer than %zu bytes", sizeof(buf) - 1);
	for (pair = strtok_r(buf, ";", &save); pair; pair = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(pair, '=');
		bool known = false;

		if (!eq)
			return cni_error_set(err, CNI_ERR_INVALID_ENV, EINVAL,
					     "CNI_ARGS: \"%s\" is not KEY=VALUE", pair);
		*eq = '\0';
		if (!strcmp(pair, "IgnoreUnknown")) {
			if (!store)
				out->ignore_unknown = parse_bool(eq + 1);
			continue;
		}
		if (!store)
			continue;
		for (size_t i = 0; i < sizeof(args_keys) / sizeof(args_keys[0]); i++) {
			if (strcmp(pair, args_keys[i].name))
				continue;
			known = true;
			if (strlen(eq + 1) >= CNI_ARGS_VALUE_MAX)
				return cni_error_set(
					err, CNI_ERR_INVALID_ENV, E2BIG,
					"CNI_ARGS: value of %s is longer than %d bytes", pair,
					CNI_ARGS_VALUE_MAX - 1);
			strcpy((char *)out + args_keys[i].offset, eq + 1);
		}
		if (!known && !out->ignore_unknown)
			return cni_error_set(err, CNI_ERR_INVALID_ENV, EINVAL,
					     "CNI_ARGS: unknown key \"%s\" (set IgnoreUnknown=1 to "
					     "ignore it)",
					     pair);
	}
	return 0;
}

int cni_args_parse(const char *text, struct cni_args *out, struct cni_error *err)
{
	int ret;

	memset(out, 0, sizeof(*out));
	if (!text || !*text)
		return 0;
	/* IgnoreUnknown may come after the keys it excuses: runtimes shuffle the order. */
	ret = args_each(text, out, false, err);
	if (ret)
		return ret;
	return args_each(text, out, true, err);
}

static const char *env_value(const char *(*getenv_fn)(const char *), const char *name)
{
	const char *value = getenv_fn(name);

	/* libcni exports every variable, empty when unused: empty means unset. */
	return value && *value ? value : NULL;
}

static int copy_env(char *dst, size_t size, const char *name, const char *value,
		    struct cni_error *err)
{
	if (snprintf(dst, size, "%s", value) >= (int)size)
		return cni_error_set(err, CNI_ERR_INVALID_ENV, ENAMETOOLONG,
				     "%s is longer than %zu bytes", name, size - 1);
	return 0;
}

int cni_env_load(struct cni_env *env, const char *(*getenv_fn)(const char *name),
		 struct cni_error *err)
{
	/* Which variables each command needs (SPEC-1.1 "Parameters"). */
	enum { NEED_ID = 1, NEED_NETNS = 2, NEED_IFNAME = 4, NEED_PATH = 8 };
	static const int needs[] = {
		[CNI_CMD_ADD] = NEED_ID | NEED_NETNS | NEED_IFNAME | NEED_PATH,
		[CNI_CMD_DEL] = NEED_ID | NEED_IFNAME,
		[CNI_CMD_CHECK] = NEED_ID | NEED_NETNS | NEED_IFNAME | NEED_PATH,
		[CNI_CMD_VERSION] = 0,
		[CNI_CMD_GC] = NEED_PATH,
		[CNI_CMD_STATUS] = 0,
	};
	const char *command, *id, *netns, *ifname, *args, *path;
	char missing[128] = "";
	int need, ret;

	memset(env, 0, sizeof(*env));
	command = env_value(getenv_fn, "CNI_COMMAND");
	if (!command)
		return cni_error_set(err, CNI_ERR_INVALID_ENV, EINVAL,
				     "required environment variables missing: CNI_COMMAND");
	ret = cni_command_parse(command, &env->command, err);
	if (ret)
		return ret;
	need = needs[env->command];
	id = env_value(getenv_fn, "CNI_CONTAINERID");
	netns = env_value(getenv_fn, "CNI_NETNS");
	ifname = env_value(getenv_fn, "CNI_IFNAME");
	args = env_value(getenv_fn, "CNI_ARGS");
	path = env_value(getenv_fn, "CNI_PATH");
	if ((need & NEED_ID) && !id)
		strcat(missing, " CNI_CONTAINERID");
	if ((need & NEED_NETNS) && !netns)
		strcat(missing, " CNI_NETNS");
	if ((need & NEED_IFNAME) && !ifname)
		strcat(missing, " CNI_IFNAME");
	if ((need & NEED_PATH) && !path)
		strcat(missing, " CNI_PATH");
	if (missing[0])
		return cni_error_set(err, CNI_ERR_INVALID_ENV, EINVAL,
				     "required environment variables missing for %s:%s", command,
				     missing);
	if (env->command == CNI_CMD_VERSION)
		return 0; /* probes send "dummy" values: nothing else to check */
	if (id && ((ret = cni_validate_container_id(id, err)) ||
		   (ret = copy_env(env->container_id, sizeof(env->container_id), "CNI_CONTAINERID",
				   id, err))))
		return ret;
	if (ifname &&
	    ((ret = cni_validate_ifname(ifname, err)) ||
	     (ret = copy_env(env->ifname, sizeof(env->ifname), "CNI_IFNAME", ifname, err))))
		return ret;
	if (netns && (ret = copy_env(env->netns, sizeof(env->netns), "CNI_NETNS", netns, err)))
		return ret;
	if (path && (ret = copy_env(env->path, sizeof(env->path), "CNI_PATH", path, err)))
		return ret;
	if (args &&
	    ((ret = copy_env(env->args_raw, sizeof(env->args_raw), "CNI_ARGS", args, err)) ||
	     (ret = cni_args_parse(args, &env->args, err))))
		return ret;
	return 0;
}
