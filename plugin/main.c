/*
 * slicenet: the CNI plugin binary. Parse env + stdin, dispatch, print one result.
 * `slicenet --validate [--slices-file PATH]` instead checks a config on stdin
 * with the same parser and acts on nothing (the node installer's gate).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plugin/cni/cni_result.h"
#include "plugin/cni/cni_version.h"
#include "plugin/commands.h"
#include "plugin/util/log.h"

#define CONFIG_MAX (1 << 20)

static const char *env_lookup(const char *name)
{
	return getenv(name);
}

static int read_stdin(char **out, size_t *size, struct cni_error *err)
{
	size_t cap = 8192, used = 0;
	char *buf = malloc(cap);

	if (!buf)
		return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	for (;;) {
		ssize_t n;

		if (used == cap) {
			char *grown = cap < CONFIG_MAX ? realloc(buf, cap * 2) : NULL;

			if (!grown) {
				free(buf);
				return cni_error_set(err, CNI_ERR_INVALID_CONFIG, E2BIG,
						     "network config on stdin is larger than %d "
						     "bytes",
						     CONFIG_MAX);
			}
			buf = grown;
			cap *= 2;
		}
		n = read(0, buf + used, cap - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return cni_error_set(err, CNI_ERR_IO, errno, "reading stdin: %s",
					     strerror(errno));
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	*out = buf;
	*size = used;
	return 0;
}

static int run(struct cni_call *call, char *version, size_t version_size, struct cni_error *err)
{
	struct cni_result *result = NULL;
	struct cni_error conf_err = {0};
	char context[160];
	bool core_ok;
	int ret;

	ret = conf_parse(call->raw_config, call->raw_config_size, &call->conf, &core_ok, &conf_err);
	call->conf_complete = ret == 0;
	/*
	 * DEL and GC only remove what records name: a broken slice table or
	 * datapath section must not keep pods from being torn down.
	 */
	if (ret &&
	    !(core_ok && (call->env.command == CNI_CMD_DEL || call->env.command == CNI_CMD_GC))) {
		*err = conf_err;
		/* STATUS: a node whose range is not known yet (no rangesFile) is not ready. */
		if (call->env.command == CNI_CMD_STATUS && err->code == CNI_ERR_TRY_AGAIN)
			err->code = CNI_ERR_NOT_AVAILABLE;
		return ret;
	}
	if (!call->conf_complete && (ret = conf_datapath_defaults(&call->conf, err)))
		return ret;
	if (cni_version_supported(call->conf.cni_version))
		snprintf(version, version_size, "%s", call->conf.cni_version);
	if (log_open(call->conf.log_file, (enum log_level)call->conf.log_level,
		     call->conf.log_max_bytes))
		fprintf(stderr, "slicenet: cannot open log file %s\n", call->conf.log_file);
	snprintf(context, sizeof(context), "%s %.12s/%s", cni_command_name(call->env.command),
		 call->env.container_id, call->env.ifname);
	log_set_context(context);
	if (!call->conf_complete)
		log_warn("configuration error, removing from records: %s (code %d)", conf_err.msg,
			 conf_err.code);
	if ((ret = cni_version_require(call->conf.cni_version, err)) ||
	    (ret = cni_version_require_command(call->conf.cni_version, call->env.command, err)))
		return ret;

	switch (call->env.command) {
	case CNI_CMD_ADD:
		result = malloc(sizeof(*result));
		if (!result)
			return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
		ret = cmd_add(call, result, err);
		if (!ret)
			ret = cni_result_print(stdout, result, call->conf.cni_version, err);
		free(result);
		return ret;
	case CNI_CMD_DEL:
		return cmd_del(call, err);
	case CNI_CMD_CHECK:
		return cmd_check(call, err);
	case CNI_CMD_GC:
		return cmd_gc(call, err);
	case CNI_CMD_STATUS:
		return cmd_status(call, err);
	case CNI_CMD_VERSION:
		break;
	}
	return 0;
}

static void usage(void)
{
	fputs("usage: slicenet                  (a CNI plugin: CNI_* environment, config on "
	      "stdin)\n"
	      "       slicenet --validate [--slices-file PATH] < conflist-or-config\n",
	      stderr);
}

int main(int argc, char **argv)
{
	struct cni_call *call = calloc(1, sizeof(*call));
	const char *slices_file = NULL;
	bool validating = false;
	struct cni_error err = {0};
	char version[CNI_VERSION_STRLEN] = "1.1.0";
	char *config = NULL;
	size_t config_size = 0;
	int ret;

	/* A delegate that exits early must not kill us with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	/* libcni runs plugins without arguments; arguments are for operators. */
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--validate")) {
			validating = true;
		} else if (!strcmp(argv[i], "--slices-file") && i + 1 < argc) {
			slices_file = argv[++i];
		} else {
			usage();
			free(call);
			return 2;
		}
	}
	if (!validating && slices_file) {
		usage();
		free(call);
		return 2;
	}
	if (!call) {
		cni_error_set(&err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
		goto fail;
	}
	ret = read_stdin(&config, &config_size, &err);
	if (ret)
		goto fail;
	{
		char peeked[CNI_VERSION_STRLEN] = "";

		/* Best effort: the cniVersion to label an error with, before full parsing. */
		if (!conf_peek_version(config, config_size, peeked, sizeof(peeked)) &&
		    cni_version_supported(peeked))
			snprintf(version, sizeof(version), "%s", peeked);
	}
	if (validating) {
		ret = conf_validate(config, config_size, slices_file, &err);
		if (ret)
			goto fail;
		free(config);
		free(call);
		return 0;
	}
	ret = cni_env_load(&call->env, env_lookup, &err);
	if (ret)
		goto fail;
	if (call->env.command == CNI_CMD_VERSION) {
		/* Echo the asked version: libcni probes with {"cniVersion":"1.1.0"}. */
		char asked[CNI_VERSION_STRLEN];

		ret = cni_version_print(stdout,
					conf_peek_version(config, config_size, asked, sizeof(asked))
						? version
						: asked);
		free(config);
		free(call);
		return ret ? 1 : 0;
	}
	call->raw_config = config;
	call->raw_config_size = config_size;
	ret = run(call, version, sizeof(version), &err);
	if (ret)
		goto fail;
	conf_free(&call->conf);
	log_close();
	free(config);
	free(call);
	return 0;

fail:
	log_error("%s (code %d)%s%s", err.msg, err.code, err.details[0] ? ": " : "", err.details);
	if (cni_error_print(stdout, &err, version))
		fprintf(stderr, "slicenet: %s\n", err.msg);
	if (call)
		conf_free(&call->conf);
	log_close();
	free(config);
	free(call);
	return 1;
}
