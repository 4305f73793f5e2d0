/* The listener, wake pipe and pollfd array of a poll-loop server. */
#include "daemon/server_base.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int server_base_init(struct server_base *base, unsigned int max_clients)
{
	base->listen_fd = base->wake[0] = base->wake[1] = -1;
	base->pfds = calloc(SERVER_BASE_FIRST_CONN + max_clients, sizeof(*base->pfds));
	if (!base->pfds)
		return -ENOMEM;
	if (pipe2(base->wake, O_NONBLOCK | O_CLOEXEC))
		return -errno;
	return 0;
}

unsigned int server_base_arm(struct server_base *base)
{
	base->pfds[0] = (struct pollfd){.fd = base->wake[0], .events = POLLIN};
	base->pfds[1] = (struct pollfd){.fd = base->listen_fd, .events = POLLIN};
	return SERVER_BASE_FIRST_CONN;
}

void server_base_wake(struct server_base *base)
{
	char one = 1;

	if (write(base->wake[1], &one, 1) < 0)
		(void)0; /* the pipe is full: a wake-up is pending anyway */
}

void server_base_close(struct server_base *base)
{
	if (base->listen_fd >= 0)
		close(base->listen_fd);
	if (base->wake[0] >= 0)
		close(base->wake[0]);
	if (base->wake[1] >= 0)
		close(base->wake[1]);
	free(base->pfds);
	base->listen_fd = base->wake[0] = base->wake[1] = -1;
	base->pfds = NULL;
}
