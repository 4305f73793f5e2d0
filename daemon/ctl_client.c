/* One request, one response over the control socket, with a deadline. */
#include "daemon/ctl_client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "daemon/ctl_socket.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for events on fd until deadline; 0, or -ETIMEDOUT / -errno. */
static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd pfd = {.fd = fd, .events = events};
	int left, rc;

	for (;;) {
		left = (int)(deadline - now_ms());
		if (left <= 0)
			return -ETIMEDOUT;
		rc = poll(&pfd, 1, left);
		if (rc > 0)
			return 0;
		if (rc == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

static int connect_socket(const char *path, long long deadline, char *err, size_t errlen)
{
	struct sockaddr_un addr;
	socklen_t optlen = sizeof(int);
	int fd, rc, soerr = 0;

	fd = ctl_socket_open(path, &addr, err, errlen);
	if (fd < 0)
		return fd;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
		return fd;
	if (errno == EAGAIN || errno == EINPROGRESS) {
		/* A unix listener with a full backlog: wait for room until the deadline. */
		rc = wait_fd(fd, POLLOUT, deadline);
		if (!rc && !getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &optlen) && !soerr)
			return fd;
		errno = rc ? -rc : soerr;
	}
	rc = errno;
	close(fd);
	if (rc == ENOENT || rc == ECONNREFUSED)
		return ctl_proto_errorf(err, errlen, -ENOTCONN,
					"slicenetd is not listening on %s: %s", path, strerror(rc));
	return ctl_proto_errorf(err, errlen, -rc, "connect %s: %s", path, strerror(rc));
}

int ctl_client_exchange(const char *socket_path, int timeout_ms, const char *request,
			size_t request_len, char **response, char *err, size_t errlen)
{
	long long deadline =
		now_ms() + (timeout_ms > 0 ? timeout_ms : CTL_CLIENT_DEFAULT_TIMEOUT_MS);
	size_t off = 0, cap = 4096, len = 0;
	char *buf = NULL, *nl, *grown;
	ssize_t n;
	int fd, rc;

	*response = NULL;
	fd = connect_socket(socket_path, deadline, err, errlen);
	if (fd < 0)
		return fd;
	while (off < request_len) {
		n = send(fd, request + off, request_len - off, MSG_NOSIGNAL);
		if (n >= 0) {
			off += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		/* The daemon refused the rest (request too long): its answer may be waiting. */
		if (errno == EPIPE || errno == ECONNRESET)
			break;
		if (errno != EAGAIN) {
			rc = ctl_proto_errorf(err, errlen, -errno, "send to %s: %s", socket_path,
					      strerror(errno));
			goto out;
		}
		rc = wait_fd(fd, POLLOUT, deadline);
		if (rc) {
			ctl_proto_errorf(err, errlen, rc, "send to %s: %s", socket_path,
					 strerror(-rc));
			goto out;
		}
	}
	buf = malloc(cap);
	if (!buf) {
		rc = ctl_proto_errorf(err, errlen, -ENOMEM, "out of memory");
		goto out;
	}
	for (;;) {
		if (len + 1 >= cap) {
			if (cap >= CTL_PROTO_MAX_RESPONSE) {
				rc = ctl_proto_errorf(err, errlen, -EPROTO,
						      "response from %s exceeds %u bytes",
						      socket_path, CTL_PROTO_MAX_RESPONSE);
				goto out;
			}
			grown = realloc(buf, cap * 2);
			if (!grown) {
				rc = ctl_proto_errorf(err, errlen, -ENOMEM, "out of memory");
				goto out;
			}
			buf = grown;
			cap *= 2;
		}
		n = recv(fd, buf + len, cap - len - 1, 0);
		if (n > 0) {
			len += (size_t)n;
			buf[len] = '\0';
			nl = memchr(buf, '\n', len);
			if (nl) {
				*nl = '\0';
				*response = buf;
				buf = NULL;
				rc = 0;
				goto out;
			}
			continue;
		}
		if (n == 0) {
			rc = ctl_proto_errorf(err, errlen, -EPROTO,
					      "%s closed the connection without a response",
					      socket_path);
			goto out;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN) {
			rc = ctl_proto_errorf(err, errlen, -errno, "recv from %s: %s", socket_path,
					      strerror(errno));
			goto out;
		}
		rc = wait_fd(fd, POLLIN, deadline);
		if (rc) {
			ctl_proto_errorf(err, errlen, rc, "no response from %s within %d ms",
					 socket_path, timeout_ms);
			goto out;
		}
	}
out:
	free(buf);
	close(fd);
	return rc;
}

int ctl_client_call(const char *socket_path, int timeout_ms, const struct ctl_request *req,
		    struct ctl_response *resp, char **raw, char *err, size_t errlen)
{
	char *line = NULL, *answer = NULL;
	size_t line_len;
	int rc;

	memset(resp, 0, sizeof(*resp));
	if (raw)
		*raw = NULL;
	rc = ctl_proto_encode_request(req, &line, &line_len);
	if (rc)
		return ctl_proto_errorf(err, errlen, rc, "encode %s request: %s",
					ctl_method_name(req->method), strerror(-rc));
	rc = ctl_client_exchange(socket_path, timeout_ms, line, line_len, &answer, err, errlen);
	free(line);
	if (rc)
		return rc;
	rc = ctl_proto_decode_response(answer, strlen(answer), req->method, resp, err, errlen);
	if (!rc && resp->error) {
		rc = ctl_proto_errorf(err, errlen, resp->error, "slicenetd %s: %s",
				      ctl_method_name(req->method), resp->message);
		ctl_response_free(resp);
	}
	if (raw)
		*raw = answer;
	else
		free(answer);
	return rc;
}
