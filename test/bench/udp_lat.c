/*
 * udp_lat: vgen's latency and max modes for the kernel path. One process, one
 * thread, two UDP sockets: the sender's opened in network namespace A, the
 * receiver's in B (setns between the two socket() calls; a socket stays in
 * the namespace it was made in), joined by the veth pair the benchmark
 * creates. Departure and arrival are CLOCK_MONOTONIC read by this thread; the
 * receiver polls with MSG_DONTWAIT, as a DPDK pod polls its ring.
 *   udp_lat --ns-a PATH --ns-b PATH --dst IP --mode max|lat [--rate PPS]
 *           [--samples N] [--warmup S] [--duration S] [--size 64] [--cdf PATH]
 * --size is the Ethernet frame size with FCS (64: an 18-byte UDP payload).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "test/bench/hist.h"

#define BATCH 32
#define MAGIC 0x534e4c54u
#define PORT  9000

struct opts {
	const char *ns_a, *ns_b, *dst, *cdf;
	bool max;
	double rate, warmup, duration;
	unsigned long long samples;
	unsigned int payload;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int socket_in(const char *ns, int *fd)
{
	int nsfd = open(ns, O_RDONLY | O_CLOEXEC);

	if (nsfd < 0 || setns(nsfd, CLONE_NEWNET)) {
		perror(ns);
		if (nsfd >= 0)
			close(nsfd);
		return -1;
	}
	close(nsfd);
	*fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	return *fd < 0 ? -1 : 0;
}

static int parse(struct opts *o, int argc, char **argv)
{
	static const struct option lo[] = {
		{"ns-a", required_argument, NULL, 'a'},
		{"ns-b", required_argument, NULL, 'b'},
		{"dst", required_argument, NULL, 'd'},
		{"mode", required_argument, NULL, 'm'},
		{"rate", required_argument, NULL, 'r'},
		{"samples", required_argument, NULL, 'n'},
		{"warmup", required_argument, NULL, 'w'},
		{"duration", required_argument, NULL, 't'},
		{"size", required_argument, NULL, 's'},
		{"cdf", required_argument, NULL, 'c'},
		{NULL, 0, NULL, 0},
	};
	unsigned int size = 64;
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'a':
			o->ns_a = optarg;
			break;
		case 'b':
			o->ns_b = optarg;
			break;
		case 'd':
			o->dst = optarg;
			break;
		case 'm':
			o->max = !strcmp(optarg, "max");
			break;
		case 'r':
			o->rate = strtod(optarg, NULL);
			break;
		case 'n':
			o->samples = strtoull(optarg, NULL, 10);
			break;
		case 'w':
			o->warmup = strtod(optarg, NULL);
			break;
		case 't':
			o->duration = strtod(optarg, NULL);
			break;
		case 's':
			size = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'c':
			o->cdf = optarg;
			break;
		default:
			return -1;
		}
	}
	if (!o->ns_a || !o->ns_b || !o->dst || size < 64 || size > 1518 || o->rate < 0)
		return -1;
	o->payload = size - 4 - 14 - 20 - 8;
	return 0;
}

int main(int argc, char **argv)
{
	static struct hist h;
	static char rbuf[BATCH][2048];
	struct opts o = {.samples = 1000000, .warmup = 0.5, .duration = 30};
	struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons(PORT)};
	struct sockaddr_in any = {.sin_family = AF_INET, .sin_port = htons(PORT)};
	struct mmsghdr sm[BATCH], rm[BATCH];
	struct iovec siov[BATCH], riov[BATCH];
	char sbuf[BATCH][2048];
	uint64_t t0, rec_start, t_end, now, next, interval, sent_at = 0;
	unsigned long long sent = 0, sent0 = 0, rx = 0, rx0 = 0, lost = 0, late = 0;
	bool outstanding = false, in_window = false;
	int a, b, i, k, n, rcvbuf = 4 << 20;
	uint32_t magic = MAGIC;

	if (parse(&o, argc, argv)) {
		fprintf(stderr, "udp_lat: bad arguments (see test/bench/udp_lat.c)\n");
		return 2;
	}
	if (inet_pton(AF_INET, o.dst, &dst.sin_addr) != 1 || socket_in(o.ns_a, &a) ||
	    socket_in(o.ns_b, &b) ||
	    setsockopt(b, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) ||
	    bind(b, (struct sockaddr *)&any, sizeof(any)) ||
	    connect(a, (struct sockaddr *)&dst, sizeof(dst))) {
		perror("udp_lat: sockets");
		return 1;
	}
	memset(sm, 0, sizeof(sm));
	memset(rm, 0, sizeof(rm));
	for (i = 0; i < BATCH; i++) {
		memset(sbuf[i], 0, sizeof(sbuf[i]));
		memcpy(sbuf[i], &magic, sizeof(magic));
		siov[i] = (struct iovec){.iov_base = sbuf[i], .iov_len = o.payload};
		sm[i].msg_hdr.msg_iov = &siov[i];
		sm[i].msg_hdr.msg_iovlen = 1;
		riov[i] = (struct iovec){.iov_base = rbuf[i], .iov_len = sizeof(rbuf[i])};
		rm[i].msg_hdr.msg_iov = &riov[i];
		rm[i].msg_hdr.msg_iovlen = 1;
	}
	hist_init(&h);
	interval = o.rate > 0 ? (uint64_t)(1e9 / o.rate) : 0;
	t0 = now_ns();
	rec_start = t0 + (uint64_t)(o.warmup * 1e9);
	t_end = rec_start + (uint64_t)(o.duration * 1e9);
	next = t0;
	for (now = t0; now < t_end && (o.max || h.count < o.samples); now = now_ns()) {
		if (!in_window && now >= rec_start) {
			in_window = true;
			rec_start = now;
			sent0 = sent;
			rx0 = rx;
		}
		k = 0;
		if (o.max) {
			k = BATCH;
		} else if (!interval) {
			if (outstanding && now - sent_at > 10000000) {
				lost++;
				outstanding = false;
			}
			k = outstanding ? 0 : 1;
		} else {
			while (next <= now && k < BATCH) {
				next += interval;
				k++;
			}
			if (now > next + 1000000) {
				late++;
				next = now;
			}
		}
		if (k) {
			sent_at = now_ns();
			for (i = 0; i < k; i++)
				memcpy(sbuf[i] + 4, &sent_at, sizeof(sent_at));
			n = sendmmsg(a, sm, (unsigned int)k, MSG_DONTWAIT);
			if (n > 0) {
				sent += (unsigned long long)n;
				outstanding = true;
			}
		}
		n = recvmmsg(b, rm, BATCH, MSG_DONTWAIT, NULL);
		if (n > 0) {
			uint64_t t = now_ns(), st;
			uint32_t mg;

			rx += (unsigned long long)n;
			outstanding = false;
			for (i = 0; i < n && !o.max; i++) {
				memcpy(&mg, rbuf[i], sizeof(mg));
				memcpy(&st, rbuf[i] + 4, sizeof(st));
				if (mg == MAGIC && st >= rec_start && t >= st)
					hist_add(&h, t - st);
			}
		}
	}
	double secs = (double)(now - rec_start) / 1e9;

	if (o.max) {
		printf("RESULT mode=max size=%u mpps=%.4f seconds=%.3f\n", o.payload + 46,
		       (double)(rx - rx0) / secs / 1e6, secs);
		return rx > rx0 ? 0 : 1;
	}
	printf("RESULT mode=lat size=%u rate=%.0f sent_pps=%.0f lost=%llu refused=0 late=%llu "
	       "flood_mpps=0 seconds=%.3f ",
	       o.payload + 46, o.rate, (double)(sent - sent0) / secs, lost, late, secs);
	hist_print_summary(&h, stdout);
	printf("\n");
	if (o.cdf && hist_write_cdf(&h, o.cdf))
		return 1;
	return h.count ? 0 : 1;
}
