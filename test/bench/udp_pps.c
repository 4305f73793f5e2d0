/*
 * Kernel reference for bench-datapath: UDP datagrams (64-byte payload) over
 * the kernel path, batched with sendmmsg/recvmmsg so the syscall cost is
 * amortised as well as the kernel allows.
 *   udp_pps send DST_IP PORT SECONDS   |   udp_pps recv PORT SECONDS
 * recv prints the number of datagrams received during SECONDS.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH	64
#define PAYLOAD 64

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static char bufs[BATCH][PAYLOAD];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in addr = {.sin_family = AF_INET};
	unsigned long long count = 0;
	struct timeval tv = {.tv_sec = 0, .tv_usec = 200000};
	double end;
	int fd, i, n, rcvbuf = 4 << 20;

	if (argc < 4 || (strcmp(argv[1], "send") && strcmp(argv[1], "recv"))) {
		fprintf(stderr, "usage: udp_pps send DST PORT SECONDS | recv PORT SECONDS\n");
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return 1;
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = PAYLOAD;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	if (!strcmp(argv[1], "send")) {
		if (argc < 5 || inet_pton(AF_INET, argv[2], &addr.sin_addr) != 1)
			return 2;
		addr.sin_port = htons((unsigned short)atoi(argv[3]));
		if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)))
			return 1;
		end = now() + atof(argv[4]);
		while (now() < end) {
			n = sendmmsg(fd, msgs, BATCH, 0);
			/* ENOBUFS/ECONNREFUSED: the receiver is slower or not yet bound; keep
			 * offering. */
			if (n < 0 && errno != ENOBUFS && errno != ECONNREFUSED && errno != EAGAIN)
				return 1;
		}
		return 0;
	}
	addr.sin_port = htons((unsigned short)atoi(argv[2]));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)))
		return 1;
	end = now() + atof(argv[3]);
	while (now() < end) {
		n = recvmmsg(fd, msgs, BATCH, 0, NULL);
		if (n > 0)
			count += (unsigned long long)n;
	}
	printf("%llu\n", count);
	return 0;
}
