/*
 * A hostile vhost-user frontend: what a pod could send slicenetd on its
 * port's socket. One attack per run; prints one line of facts
 * ("result=disconnected ms=512 ...") for the test to judge.
 *
 *   vhost_hostile --listen PATH ATTACK   (pod side of a client-mode port)
 *   vhost_hostile --connect PATH ATTACK  (server-mode port)
 *
 * Attacks: region-past-eof ring-outside descriptors shrink shrink-rings
 * partial stall flood postcopy reconnect-storm (listen) conn-storm (connect).
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "daemon/vhost_msg.h"

#define MEM_SIZE  (2u << 20)
#define RING_SIZE 256u
#define WAIT_MS	  3000

static const char *path;
static bool listening;
/* Die on a refused send only while building a device slicenetd should accept. */
static bool strict;
static int listen_fd = -1;

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void die(const char *what)
{
	printf("result=error what=\"%s: %s\"\n", what, strerror(errno));
	exit(2);
}

static void addr_of(struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(a->sun_path)) {
		errno = ENAMETOOLONG;
		die(path);
	}
	strcpy(a->sun_path, path);
}

/* The next connection with slicenetd, whichever side listens; -1 on timeout. */
static int connection(int timeout_ms)
{
	struct sockaddr_un a;
	struct pollfd p;
	int fd;

	addr_of(&a);
	if (!listening) {
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)))
			die("connect");
		return fd;
	}
	if (listen_fd < 0) {
		unlink(path);
		listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&a, sizeof(a)) ||
		    listen(listen_fd, 64))
			die("listen");
	}
	p = (struct pollfd){.fd = listen_fd, .events = POLLIN};
	if (poll(&p, 1, timeout_ms) != 1)
		return -1;
	return accept(listen_fd, NULL, NULL);
}

static int send_msg(int fd, uint32_t request, uint32_t flags, const void *payload, uint32_t size,
		    const int *fds, int nfds)
{
	struct vhost_msg_frame m = {
		.request = request, .flags = VHOST_MSG_VERSION | flags, .size = size};
	char control[CMSG_SPACE(sizeof(int) * VHOST_MSG_MAX_REGIONS)] = {0};
	struct iovec iov = {.iov_base = &m, .iov_len = VHOST_MSG_HDR_SIZE + size};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};

	memcpy(m.payload.raw, payload, size);
	if (nfds) {
		struct cmsghdr *c;

		mh.msg_control = control;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
	}
	return sendmsg(fd, &mh, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

static int send_u64(int fd, uint32_t request, uint64_t v, const int *fds, int nfds)
{
	return send_msg(fd, request, 0, &v, sizeof(v), fds, nfds);
}

static int send_state(int fd, uint32_t request, uint32_t index, uint32_t num)
{
	struct vhost_msg_vring_state st = {.index = index, .num = num};

	return send_msg(fd, request, 0, &st, sizeof(st), NULL, 0);
}

/* ms until slicenetd closed the connection (replies are read and dropped), or -1. */
static long wait_closed(int fd, int timeout_ms)
{
	long start = now_ms();
	char buf[4096];

	while (now_ms() - start < timeout_ms) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n;

		if (poll(&p, 1, 50) < 1)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return now_ms() - start;
	}
	return -1;
}

static void report(const char *attack, long ms, const char *extra)
{
	printf("attack=%s result=%s ms=%ld %s\n", attack, ms >= 0 ? "disconnected" : "connected",
	       ms, extra ? extra : "");
}

static int memfd_of(size_t size)
{
	int fd = memfd_create("hostile", 0);

	if (fd < 0 || ftruncate(fd, (off_t)size))
		die("memfd");
	return fd;
}

static void send_table(int fd, int memfd, uint64_t size, uint64_t uaddr)
{
	struct vhost_msg_memory m = {.nregions = 1};

	m.regions[0] = (struct vhost_msg_region){
		.guest_phys_addr = 0, .memory_size = size, .userspace_addr = uaddr};
	if (send_msg(fd, VHOST_MSG_SET_MEM_TABLE, 0, &m, 8 + 32, &memfd, 1) && strict)
		die("SET_MEM_TABLE");
}

static void set_ring(int fd, uint32_t index, uint64_t desc, uint64_t avail, uint64_t used)
{
	struct vhost_msg_vring_addr a = {.index = index,
					 .desc_user_addr = desc,
					 .avail_user_addr = avail,
					 .used_user_addr = used};
	int efd = eventfd(0, 0);

	if ((efd < 0 || send_u64(fd, VHOST_MSG_SET_VRING_CALL, index, &efd, 1) ||
	     send_state(fd, VHOST_MSG_SET_VRING_NUM, index, RING_SIZE) ||
	     send_state(fd, VHOST_MSG_SET_VRING_BASE, index, 0) ||
	     send_msg(fd, VHOST_MSG_SET_VRING_ADDR, 0, &a, sizeof(a), NULL, 0)) &&
	    strict)
		die("ring setup");
}

static void kick(int fd, uint32_t index)
{
	int efd = eventfd(0, 0);

	if ((efd < 0 || send_u64(fd, VHOST_MSG_SET_VRING_KICK, index, &efd, 1)) && strict)
		die("SET_VRING_KICK");
}

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

/*
 * Negotiate a device slicenetd accepts over MEM_SIZE bytes of memfd at mem:
 * ring i at i * 64 KiB (descriptors, avail at +4 KiB, used at +8 KiB).
 */
static void start_device(int fd, int memfd, uint8_t *mem)
{
	uint64_t base = (uint64_t)(uintptr_t)mem, features = 0;
	struct vhost_msg_frame reply;
	uint32_t i;

	strict = true;
	if (send_msg(fd, VHOST_MSG_GET_FEATURES, 0, NULL, 0, NULL, 0) ||
	    read(fd, &reply, VHOST_MSG_HDR_SIZE + 8) != VHOST_MSG_HDR_SIZE + 8)
		die("GET_FEATURES");
	memcpy(&features, reply.payload.raw, sizeof(features));
	/* VERSION_1 only: no protocol features, so the rings start at kick. */
	features &= 1ull << 32;
	if (send_u64(fd, VHOST_MSG_SET_FEATURES, features, NULL, 0) ||
	    send_msg(fd, VHOST_MSG_SET_OWNER, 0, NULL, 0, NULL, 0))
		die("features");
	send_table(fd, memfd, MEM_SIZE, base);
	for (i = 0; i < 2; i++)
		set_ring(fd, i, base + i * 65536, base + i * 65536 + 4096, base + i * 65536 + 8192);
}

/* The mapping of a fresh MEM_SIZE memfd; the fd in *memfd. */
static uint8_t *guest_memory(int *memfd)
{
	uint8_t *mem;

	*memfd = memfd_of(MEM_SIZE);
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, *memfd, 0);
	if (mem == MAP_FAILED)
		die("mmap");
	return mem;
}

/*
 * A device slicenetd accepts, whose TX ring then holds a looping chain, a
 * buffer outside guest memory and a head index past the ring. Reports the
 * used index slicenetd reached (0: it consumed none of them).
 */
static void descriptors(int fd)
{
	int memfd;
	uint8_t *mem = guest_memory(&memfd);
	struct desc *d;
	uint16_t *avail;
	volatile uint16_t *used_idx;
	char extra[96];
	long ms;

	start_device(fd, memfd, mem);
	d = (struct desc *)(mem + 65536);
	d[0] = (struct desc){.addr = 0x100000, .len = 64, .flags = 1 /* NEXT */, .next = 0};
	d[1] = (struct desc){.addr = 0xdead00000000ull, .len = 64};
	d[2] = (struct desc){.addr = 0x100000, .len = 64, .flags = 1, .next = 3};
	d[3] = (struct desc){.addr = 0x100000, .len = 64, .flags = 1, .next = 2};
	avail = (uint16_t *)(mem + 65536 + 4096);
	avail[2] = 0;	 /* ring[0]: a chain that points at itself */
	avail[3] = 1;	 /* ring[1]: a buffer outside guest memory */
	avail[4] = 9999; /* ring[2]: no such descriptor */
	avail[5] = 2;	 /* ring[3]: a two-descriptor loop */
	__atomic_store_n(&avail[1], 4, __ATOMIC_RELEASE);
	kick(fd, 0);
	kick(fd, 1);
	used_idx = (volatile uint16_t *)(mem + 65536 + 8192 + 2);
	ms = wait_closed(fd, 2000);
	snprintf(extra, sizeof(extra), "used_idx=%u", (unsigned int)*used_idx);
	report("descriptors", ms, extra);
}

/*
 * A device slicenetd accepts; once it runs, the memfd shrinks under it.
 * cut_rings: to 4 KiB, so the rings slicenetd polls are gone; otherwise to
 * 1 MiB with a TX frame whose buffer lies in the cut part. Either way
 * slicenetd's next touch is SIGBUS; reports whether it dropped us.
 */
static void shrink(int fd, bool cut_rings)
{
	int memfd;
	uint8_t *mem = guest_memory(&memfd);
	struct desc *d = (struct desc *)(mem + 65536);
	uint16_t *avail = (uint16_t *)(mem + 65536 + 4096);
	char extra[96];
	long ms;

	start_device(fd, memfd, mem);
	kick(fd, 0);
	kick(fd, 1);
	/* Let slicenetd start polling the rings as they are. */
	usleep(300 * 1000);
	if (ftruncate(memfd, cut_rings ? 4096 : MEM_SIZE / 2))
		die("ftruncate");
	if (!cut_rings) {
		/* A 12-byte virtio-net header and a 64-byte frame at 1.5 MiB. */
		d[0] = (struct desc){.addr = MEM_SIZE / 2 + MEM_SIZE / 4, .len = 76};
		avail[2] = 0;
		__atomic_store_n(&avail[1], 1, __ATOMIC_RELEASE);
	}
	ms = wait_closed(fd, WAIT_MS);
	snprintf(extra, sizeof(extra), "cut=%s", cut_rings ? "rings" : "buffer");
	report(cut_rings ? "shrink-rings" : "shrink", ms, extra);
}

static int attack(const char *name, int fd)
{
	char extra[96] = "";
	long ms;
	int memfd, i;

	if (!strcmp(name, "region-past-eof")) {
		/* 4 KiB file, 2 MiB region: the first touch past 4 KiB would be SIGBUS. */
		memfd = memfd_of(4096);
		send_msg(fd, VHOST_MSG_SET_OWNER, 0, NULL, 0, NULL, 0);
		send_table(fd, memfd, MEM_SIZE, 0x7f0000000000ull);
	} else if (!strcmp(name, "ring-outside")) {
		memfd = memfd_of(MEM_SIZE);
		send_msg(fd, VHOST_MSG_SET_OWNER, 0, NULL, 0, NULL, 0);
		send_table(fd, memfd, MEM_SIZE, 0x7f0000000000ull);
		set_ring(fd, 0, 0x1000, 0x7f0000001000ull, 0x7f0000002000ull);
		kick(fd, 0);
	} else if (!strcmp(name, "descriptors")) {
		descriptors(fd);
		return 0;
	} else if (!strcmp(name, "shrink") || !strcmp(name, "shrink-rings")) {
		shrink(fd, !strcmp(name, "shrink-rings"));
		return 0;
	} else if (!strcmp(name, "partial")) {
		/* A header announcing 8 payload bytes, then 4 of them. */
		struct vhost_msg_frame m = {
			.request = VHOST_MSG_SET_FEATURES, .flags = VHOST_MSG_VERSION, .size = 8};

		if (write(fd, &m, VHOST_MSG_HDR_SIZE + 4) != VHOST_MSG_HDR_SIZE + 4)
			die("write");
	} else if (!strcmp(name, "stall")) {
		struct vhost_msg_frame m = {
			.request = VHOST_MSG_SET_FEATURES, .flags = VHOST_MSG_VERSION, .size = 8};

		/* The header only: the payload never comes. */
		if (write(fd, &m, VHOST_MSG_HDR_SIZE) != VHOST_MSG_HDR_SIZE)
			die("write");
	} else if (!strcmp(name, "flood")) {
		for (i = 0; i < 100000; i++)
			if (send_msg(fd, VHOST_MSG_GET_FEATURES, 0, NULL, 0, NULL, 0))
				break;
		snprintf(extra, sizeof(extra), "sent=%d", i);
	} else if (!strcmp(name, "postcopy")) {
		send_msg(fd, VHOST_MSG_POSTCOPY_ADVISE, VHOST_MSG_F_NEED_REPLY, NULL, 0, NULL, 0);
	} else {
		fprintf(stderr, "unknown attack %s\n", name);
		return 2;
	}
	ms = wait_closed(fd, WAIT_MS);
	report(name, ms, extra);
	return 0;
}

/* Pod side of a client-mode port: take each reconnect and drop it at once. */
static void reconnect_storm(void)
{
	long start = now_ms();
	int n = 0, fd;

	while (now_ms() - start < 3000) {
		fd = connection(200);
		if (fd >= 0) {
			close(fd);
			n++;
		}
	}
	printf("attack=reconnect-storm result=done conns=%d\n", n);
}

/* Server-mode port: many connections at once, then connect-and-drop in a loop. */
static void conn_storm(void)
{
	int fds[32], i, closed = 0, loops;

	for (i = 0; i < 32; i++)
		fds[i] = connection(0);
	for (i = 0; i < 32; i++)
		if (wait_closed(fds[i], i ? 100 : 1000) >= 0)
			closed++;
	for (i = 0; i < 32; i++)
		close(fds[i]);
	for (loops = 0; loops < 500; loops++)
		close(connection(0));
	printf("attack=conn-storm result=done parallel=32 closed=%d loops=%d\n", closed, loops);
}

int main(int argc, char **argv)
{
	int fd, rc;

	if (argc != 4 || (strcmp(argv[1], "--listen") && strcmp(argv[1], "--connect"))) {
		fprintf(stderr, "usage: vhost_hostile --listen|--connect PATH ATTACK\n");
		return 2;
	}
	listening = !strcmp(argv[1], "--listen");
	path = argv[2];
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[3], "reconnect-storm")) {
		reconnect_storm();
		return 0;
	}
	if (!strcmp(argv[3], "conn-storm")) {
		conn_storm();
		return 0;
	}
	fd = connection(10000);
	if (fd < 0) {
		printf("attack=%s result=error what=\"no connection\"\n", argv[3]);
		return 2;
	}
	rc = attack(argv[3], fd);
	close(fd);
	if (listen_fd >= 0)
		close(listen_fd);
	return rc;
}
