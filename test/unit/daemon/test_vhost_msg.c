/* The checks on vhost-user frontend messages (daemon/vhost_msg.c). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "daemon/vhost_msg.h"

#define MEM   (1u << 20)
#define UADDR 0x7f0000000000ull

static struct vhost_msg_conn conn;
static char why[256];
static uint64_t now = 1000000000ull;

static void setup(void)
{
	memset(&conn, 0, sizeof(conn));
	conn.max_vrings = 2;
	why[0] = '\0';
}

TestSuite(vhost_msg, .init = setup);

static struct vhost_msg_frame msg_of(uint32_t request, uint32_t size)
{
	struct vhost_msg_frame m;

	memset(&m, 0, sizeof(m));
	m.request = request;
	m.flags = VHOST_MSG_VERSION;
	m.size = size;
	return m;
}

static int check(struct vhost_msg_frame *m, const int *fds, int n)
{
	return vhost_msg_check(&conn, m, fds, n, now += 1000000, why, sizeof(why));
}

static int memfd_of(off_t size)
{
	int fd = memfd_create("sn-test", 0);

	cr_assert_geq(fd, 0);
	cr_assert_eq(ftruncate(fd, size), 0);
	return fd;
}

static struct vhost_msg_frame table_of(uint32_t n, uint64_t size, uint64_t offset)
{
	struct vhost_msg_frame m = msg_of(VHOST_MSG_SET_MEM_TABLE, 8 + 32 * n);
	struct vhost_msg_memory mem = {.nregions = n};
	uint32_t i;

	for (i = 0; i < n && i < VHOST_MSG_MAX_REGIONS; i++)
		mem.regions[i] = (struct vhost_msg_region){.guest_phys_addr = i * 2ull * MEM,
							   .memory_size = size,
							   .userspace_addr = UADDR + i * 2ull * MEM,
							   .mmap_offset = offset};
	memcpy(m.payload.raw, &mem, sizeof(mem));
	return m;
}

static void accept_table(void)
{
	struct vhost_msg_frame m = table_of(1, MEM, 0);
	int fd = memfd_of(MEM);

	cr_assert_eq(check(&m, &fd, 1), 0, "%s", why);
	close(fd);
}

static int vring(uint32_t request, uint32_t index, uint32_t num)
{
	struct vhost_msg_frame m = msg_of(request, 8);
	struct vhost_msg_vring_state st = {.index = index, .num = num};

	memcpy(m.payload.raw, &st, sizeof(st));
	return check(&m, NULL, 0);
}

static int vring_addr(uint32_t index, uint64_t desc, uint64_t avail, uint64_t used)
{
	struct vhost_msg_frame m = msg_of(VHOST_MSG_SET_VRING_ADDR, 40);
	struct vhost_msg_vring_addr a = {.index = index,
					 .desc_user_addr = desc,
					 .avail_user_addr = avail,
					 .used_user_addr = used};

	memcpy(m.payload.raw, &a, sizeof(a));
	return check(&m, NULL, 0);
}

Test(vhost_msg, virtio_user_requests_pass_and_lose_need_reply)
{
	struct vhost_msg_frame m = msg_of(VHOST_MSG_GET_FEATURES, 0);

	m.flags |= VHOST_MSG_F_NEED_REPLY;
	cr_assert_eq(check(&m, NULL, 0), 0, "%s", why);
	cr_assert_eq(m.flags & VHOST_MSG_F_NEED_REPLY, 0);
	m = msg_of(VHOST_MSG_SET_FEATURES, 8);
	cr_assert_eq(check(&m, NULL, 0), 0, "%s", why);
	m = msg_of(VHOST_MSG_SET_STATUS, 8);
	cr_assert_eq(check(&m, NULL, 0), 0, "%s", why);
}

ParameterizedTestParameters(vhost_msg, other_requests_are_refused)
{
	static uint32_t requests[] = {0,
				      VHOST_MSG_SET_LOG_BASE,
				      VHOST_MSG_SET_LOG_FD,
				      VHOST_MSG_SET_VRING_ERR,
				      VHOST_MSG_SEND_RARP,
				      20,
				      21,
				      22,
				      24,
				      25,
				      26,
				      VHOST_MSG_POSTCOPY_ADVISE,
				      29,
				      30,
				      VHOST_MSG_GET_INFLIGHT_FD,
				      32,
				      41,
				      0xffffffffu};

	return cr_make_param_array(uint32_t, requests, sizeof(requests) / sizeof(requests[0]));
}

ParameterizedTest(uint32_t *request, vhost_msg, other_requests_are_refused)
{
	struct vhost_msg_frame m = msg_of(*request, 8);

	m.flags |= VHOST_MSG_F_NEED_REPLY;
	cr_assert_eq(check(&m, NULL, 0), -EPERM);
	cr_assert(strstr(why, "not allowed"), "%s", why);
}

Test(vhost_msg, bad_framing_is_refused)
{
	struct vhost_msg_frame m = msg_of(VHOST_MSG_GET_FEATURES, 0);

	m.flags = 2; /* version 2 */
	cr_assert_eq(check(&m, NULL, 0), -EINVAL);
	m = msg_of(VHOST_MSG_GET_FEATURES, 0);
	m.flags |= VHOST_MSG_F_REPLY;
	cr_assert_eq(check(&m, NULL, 0), -EINVAL);
	m = msg_of(VHOST_MSG_SET_FEATURES, 4);
	cr_assert_eq(check(&m, NULL, 0), -EINVAL);
	m = msg_of(VHOST_MSG_GET_FEATURES, VHOST_MSG_PAYLOAD_MAX + 1);
	cr_assert_eq(check(&m, NULL, 0), -EINVAL);
}

Test(vhost_msg, a_table_that_fits_its_memfd_passes)
{
	accept_table();
	cr_assert_eq(conn.nregions, 1);
}

Test(vhost_msg, a_region_past_the_end_of_its_file_is_refused)
{
	struct vhost_msg_frame m = table_of(1, MEM, 0);
	int fd = memfd_of(4096);

	cr_assert_eq(check(&m, &fd, 1), -EBADF);
	cr_assert(strstr(why, "past the file"), "%s", why);
	m = table_of(1, MEM, 4096); /* fits by size, not with its offset */
	cr_assert_eq(ftruncate(fd, MEM), 0);
	cr_assert_eq(check(&m, &fd, 1), -EBADF);
	close(fd);
	cr_assert_eq(conn.nregions, 0, "a refused table is not remembered");
}

Test(vhost_msg, region_fds_must_be_memory_files)
{
	struct vhost_msg_frame m = table_of(1, 4096, 0);
	int p[2];

	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(check(&m, p, 1), -EBADF);
	cr_assert(strstr(why, "not a memfd"), "%s", why);
	close(p[0]);
	close(p[1]);
}

Test(vhost_msg, table_shapes_are_checked)
{
	struct vhost_msg_frame m;
	int fds[2] = {memfd_of(MEM), memfd_of(MEM)};

	m = table_of(1, MEM, 0);
	cr_assert_eq(check(&m, fds, 2), -EINVAL, "region and fd counts differ");
	m = table_of(0, MEM, 0);
	cr_assert_eq(check(&m, NULL, 0), -EINVAL, "no regions");
	m = table_of(9, MEM, 0);
	cr_assert_eq(check(&m, fds, 2), -EINVAL, "too many regions");
	m = table_of(1, 0, 0);
	cr_assert_eq(check(&m, fds, 1), -EINVAL, "empty region");
	m = table_of(1, MEM, UINT64_MAX - 10);
	cr_assert_eq(check(&m, fds, 1), -EINVAL, "offset wraps");
	m = table_of(2, MEM, 0);
	m.size = 8 + 32; /* two regions announced, one sent */
	cr_assert_eq(check(&m, fds, 2), -EINVAL);
	/* Two regions on the same guest addresses. */
	m = table_of(2, MEM, 0);
	{
		struct vhost_msg_memory mem;

		memcpy(&mem, m.payload.raw, sizeof(mem));
		mem.regions[1].guest_phys_addr = MEM / 2;
		memcpy(m.payload.raw, &mem, sizeof(mem));
	}
	cr_assert_eq(check(&m, fds, 2), -EINVAL);
	cr_assert(strstr(why, "overlap"), "%s", why);
	m = table_of(2, MEM, 0);
	cr_assert_eq(check(&m, fds, 2), 0, "%s", why);
	close(fds[0]);
	close(fds[1]);
}

Test(vhost_msg, ring_sizes_and_indices)
{
	cr_assert_eq(vring(VHOST_MSG_SET_VRING_NUM, 0, 256), 0, "%s", why);
	cr_assert_eq(vring(VHOST_MSG_SET_VRING_NUM, 1, 0), -EINVAL);
	cr_assert_eq(vring(VHOST_MSG_SET_VRING_NUM, 1, 300), -EINVAL);
	cr_assert_eq(vring(VHOST_MSG_SET_VRING_NUM, 1, 65536), -EINVAL);
	cr_assert_eq(vring(VHOST_MSG_SET_VRING_NUM, 2, 256), -EINVAL, "ring of a queue we lack");
	cr_assert_eq(vring(VHOST_MSG_SET_VRING_BASE, 255, 0), -EINVAL);
	cr_assert_eq(vring(VHOST_MSG_SET_VRING_ENABLE, 1, 1), 0, "%s", why);
}

Test(vhost_msg, rings_must_lie_in_the_table)
{
	uint64_t n = 256;

	cr_assert_eq(vring_addr(0, UADDR, UADDR + 16 * n, UADDR + 8192), -EINVAL,
		     "address before any table");
	accept_table();
	cr_assert_eq(vring_addr(0, UADDR, UADDR + 16 * n, UADDR + 8192), -EINVAL,
		     "address before the ring size");
	cr_assert_eq(vring(VHOST_MSG_SET_VRING_NUM, 0, 256), 0, "%s", why);
	cr_assert_eq(vring_addr(0, UADDR, UADDR + 16 * n, UADDR + 8192), 0, "%s", why);
	cr_assert_eq(vring_addr(0, 0x1000, UADDR + 16 * n, UADDR + 8192), -EINVAL);
	cr_assert(strstr(why, "descriptor table"), "%s", why);
	cr_assert_eq(vring_addr(0, UADDR, UADDR + MEM - 4, UADDR + 8192), -EINVAL);
	cr_assert_eq(vring_addr(0, UADDR, UADDR + 16 * n, UINT64_MAX - 8), -EINVAL);
	/* A bigger ring would no longer fit its place at the end of memory. */
	cr_assert_eq(vring_addr(0, UADDR + MEM - 16 * n, UADDR, UADDR + 8192), 0, "%s", why);
	cr_assert_eq(vring(VHOST_MSG_SET_VRING_NUM, 0, 512), -EINVAL);
	/* Nor may a new table leave the rings out. */
	{
		struct vhost_msg_frame m = table_of(1, MEM / 2, 0);
		int fd = memfd_of(MEM);

		cr_assert_eq(check(&m, &fd, 1), -EINVAL);
		close(fd);
	}
}

Test(vhost_msg, kick_and_call_fds_must_be_eventfds)
{
	struct vhost_msg_frame m = msg_of(VHOST_MSG_SET_VRING_CALL, 8);
	int efd = eventfd(0, 0), p[2];

	cr_assert_geq(efd, 0);
	cr_assert_eq(pipe(p), 0);
	m.payload.u64 = 1;
	cr_assert_eq(check(&m, &efd, 1), 0, "%s", why);
	cr_assert_eq(check(&m, p, 1), -EBADF);
	cr_assert(strstr(why, "not an eventfd"), "%s", why);
	cr_assert_eq(check(&m, NULL, 0), -EINVAL, "fd missing");
	m.payload.u64 = 1 | VHOST_MSG_VRING_NOFD;
	cr_assert_eq(check(&m, NULL, 0), 0, "%s", why);
	m.payload.u64 = 5;
	cr_assert_eq(check(&m, &efd, 1), -EINVAL, "ring index");
	m.payload.u64 = 1ull << 40;
	cr_assert_eq(check(&m, &efd, 1), -EINVAL, "stray bits");
	close(efd);
	close(p[0]);
	close(p[1]);
}

Test(vhost_msg, a_flood_runs_out_of_budget)
{
	struct vhost_msg_frame m;
	int i, rc = 0;

	for (i = 0; i < 10000 && !rc; i++) {
		m = msg_of(VHOST_MSG_GET_FEATURES, 0);
		rc = vhost_msg_check(&conn, &m, NULL, 0, now, why, sizeof(why));
	}
	cr_assert_eq(rc, -EBUSY);
	cr_assert_eq(i, (int)VHOST_MSG_BURST + 1);
	/* A second later the budget is back for a reconnecting honest pod's pace. */
	m = msg_of(VHOST_MSG_GET_FEATURES, 0);
	cr_assert_eq(vhost_msg_check(&conn, &m, NULL, 0, now + 1000000000ull, why, sizeof(why)), 0);
}
