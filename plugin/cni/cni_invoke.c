#include "plugin/cni/cni_invoke.h"
#include "plugin/cni/cni_result.h"
#include "plugin/util/clock.h"

#include <jansson.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define DELEGATE_OUTPUT_MAX (1 << 20)

static int find_plugin(const char *type, const char *cni_path, char *out, size_t size,
		       struct cni_error *err)
{
	const char *dir = cni_path, *end;

	while (dir && *dir) {
		end = strchr(dir, ':');
		size_t len = end ? (size_t)(end - dir) : strlen(dir);

		if (len && snprintf(out, size, "%.*s/%s", (int)len, dir, type) < (int)size &&
		    access(out, X_OK) == 0)
			return 0;
		dir = end ? end + 1 : NULL;
	}
	return cni_error_set(err, CNI_ERR_INVALID_CONFIG, ENOENT,
			     "plugin \"%s\" not found in CNI_PATH \"%s\"", type,
			     cni_path ? cni_path : "");
}

/*
 * Write all of config to fd_in and read fd_out to EOF, without deadlocking on
 * full pipes. A delegate is not trusted to end: past timeout_ms this is
 * -ETIMEDOUT, past DELEGATE_OUTPUT_MAX bytes -EFBIG, and the caller kills it.
 */
static int pump(int fd_in, const char *config, size_t size, int fd_out, int timeout_ms,
		char **output, size_t *output_size)
{
	long long deadline = clock_now_ms() + timeout_ms;
	size_t written = 0, cap = 4096, used = 0;
	char *buf = malloc(cap);
	struct pollfd fds[2];
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	if (!size) {
		close(fd_in);
		fd_in = -1;
	}
	for (;;) {
		long long left = deadline - clock_now_ms();
		int n = 0, ready;

		if (left <= 0) {
			ret = -ETIMEDOUT;
			break;
		}
		if (fd_in >= 0)
			fds[n++] = (struct pollfd){.fd = fd_in, .events = POLLOUT};
		fds[n++] = (struct pollfd){.fd = fd_out, .events = POLLIN};
		ready = poll(fds, (nfds_t)n, (int)left);
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready < 0) {
			ret = -errno;
			break;
		}
		if (fd_in >= 0 && fds[0].revents) {
			ssize_t w = write(fd_in, config + written, size - written);

			if (w > 0)
				written += (size_t)w;
			if (w < 0 || written == size) {
				close(fd_in);
				fd_in = -1;
			}
		}
		if (fds[n - 1].revents) {
			ssize_t r;

			if (used + 1 >= cap) {
				char *grown =
					cap <= DELEGATE_OUTPUT_MAX ? realloc(buf, cap * 2) : NULL;

				if (!grown) {
					ret = cap > DELEGATE_OUTPUT_MAX ? -EFBIG : -ENOMEM;
					break;
				}
				buf = grown;
				cap *= 2;
			}
			r = read(fd_out, buf + used, cap - used - 1);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			used += (size_t)r;
		}
	}
	if (fd_in >= 0)
		close(fd_in);
	if (ret) {
		free(buf);
		return ret;
	}
	buf[used] = '\0';
	*output = buf;
	*output_size = used;
	return 0;
}

int cni_invoke_exec(const char *type, const char *command, const struct cni_env *env,
		    const char *config, size_t config_size, int timeout_ms,
		    struct cni_result *output, struct cni_error *err)
{
	int in_pipe[2] = {-1, -1}, out_pipe[2] = {-1, -1};
	char path[PATH_MAX], *text = NULL;
	size_t text_size = 0;
	json_t *json = NULL;
	json_error_t jerr;
	int status, ret;
	pid_t pid;

	if (output)
		cni_result_init(output);
	ret = find_plugin(type, env->path, path, sizeof(path), err);
	if (ret)
		return ret;
	if (pipe2(in_pipe, O_CLOEXEC) || pipe2(out_pipe, O_CLOEXEC)) {
		ret = cni_error_set(err, CNI_ERR_IO, errno, "pipe: %s", strerror(errno));
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		ret = cni_error_set(err, CNI_ERR_IO, errno, "fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		/* Its own process group: on a timeout its children go with it. */
		setpgid(0, 0);
		/* Same parameters as ours (spec §4), but for the attachment at hand (GC). */
		if (dup2(in_pipe[0], 0) < 0 || dup2(out_pipe[1], 1) < 0 ||
		    setenv("CNI_COMMAND", command, 1) ||
		    setenv("CNI_CONTAINERID", env->container_id, 1) ||
		    setenv("CNI_IFNAME", env->ifname, 1) || setenv("CNI_NETNS", env->netns, 1) ||
		    setenv("CNI_ARGS", env->args_raw, 1) || setenv("CNI_PATH", env->path, 1))
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		execl(path, type, (char *)NULL);
		_exit(127);
	}
	close(in_pipe[0]);
	close(out_pipe[1]);
	in_pipe[0] = out_pipe[1] = -1;
	ret = pump(in_pipe[1], config, config_size, out_pipe[0], timeout_ms, &text, &text_size);
	in_pipe[1] = -1;
	if (ret) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (ret == -ETIMEDOUT) {
		cni_error_set(err, CNI_ERR_DELEGATE, ETIMEDOUT,
			      "%s %s: no answer within %d ms; killed it", type, command,
			      timeout_ms);
		goto out;
	}
	if (ret == -EFBIG) {
		cni_error_set(err, CNI_ERR_DELEGATE, EFBIG,
			      "%s %s: printed more than %d bytes; killed it", type, command,
			      DELEGATE_OUTPUT_MAX);
		goto out;
	}
	if (ret) {
		cni_error_set(err, CNI_ERR_INTERNAL, -ret, "%s: reading its output failed", type);
		goto out;
	}
	if (text_size)
		json = json_loadb(text, text_size, 0, &jerr);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		const char *msg = json_string_value(json_object_get(json, "msg"));
		json_int_t code = json_integer_value(json_object_get(json, "code"));

		ret = cni_error_set(err, code > 0 ? (int)code : CNI_ERR_DELEGATE, EIO,
				    "%s %s failed: %s", type, command,
				    msg ? msg : "no error message (exit status not 0)");
		if (json_string_value(json_object_get(json, "details")))
			cni_error_details(err, "%s",
					  json_string_value(json_object_get(json, "details")));
		goto out;
	}
	if (text_size && !json) {
		ret = cni_error_set(err, CNI_ERR_DECODE, EINVAL, "%s %s printed invalid JSON: %s",
				    type, command, jerr.text);
		goto out;
	}
	ret = 0;
	if (output && json) {
		ret = cni_result_decode(json, output, err);
		if (ret)
			cni_error_details(err, "in the result of %s %s", type, command);
	}
out:
	for (int i = 0; i < 2; i++) {
		if (in_pipe[i] >= 0)
			close(in_pipe[i]);
		if (out_pipe[i] >= 0)
			close(out_pipe[i]);
	}
	json_decref(json);
	free(text);
	return ret;
}
