/* Checks on vhost-user messages from an untrusted frontend (see vhost_msg.h). */
#include "daemon/vhost_msg.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/magic.h>

_Static_assert(sizeof(struct vhost_msg_frame) == VHOST_MSG_HDR_SIZE + VHOST_MSG_PAYLOAD_MAX,
	       "vhost_msg is the wire header followed by the payload");
_Static_assert(sizeof(struct vhost_msg_memory) == 8 + 32 * VHOST_MSG_MAX_REGIONS,
	       "memory table layout of the vhost-user spec");
_Static_assert(sizeof(struct vhost_msg_vring_addr) == 40, "vring address layout");

__attribute__((format(printf, 3, 4))) static int fail(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

const char *vhost_msg_request_name(uint32_t request)
{
	static const char *const names[] = {
		[VHOST_MSG_GET_FEATURES] = "GET_FEATURES",
		[VHOST_MSG_SET_FEATURES] = "SET_FEATURES",
		[VHOST_MSG_SET_OWNER] = "SET_OWNER",
		[VHOST_MSG_RESET_OWNER] = "RESET_OWNER",
		[VHOST_MSG_SET_MEM_TABLE] = "SET_MEM_TABLE",
		[VHOST_MSG_SET_LOG_BASE] = "SET_LOG_BASE",
		[VHOST_MSG_SET_LOG_FD] = "SET_LOG_FD",
		[VHOST_MSG_SET_VRING_NUM] = "SET_VRING_NUM",
		[VHOST_MSG_SET_VRING_ADDR] = "SET_VRING_ADDR",
		[VHOST_MSG_SET_VRING_BASE] = "SET_VRING_BASE",
		[VHOST_MSG_GET_VRING_BASE] = "GET_VRING_BASE",
		[VHOST_MSG_SET_VRING_KICK] = "SET_VRING_KICK",
		[VHOST_MSG_SET_VRING_CALL] = "SET_VRING_CALL",
		[VHOST_MSG_SET_VRING_ERR] = "SET_VRING_ERR",
		[VHOST_MSG_GET_PROTOCOL_FEATURES] = "GET_PROTOCOL_FEATURES",
		[VHOST_MSG_SET_PROTOCOL_FEATURES] = "SET_PROTOCOL_FEATURES",
		[VHOST_MSG_GET_QUEUE_NUM] = "GET_QUEUE_NUM",
		[VHOST_MSG_SET_VRING_ENABLE] = "SET_VRING_ENABLE",
		[VHOST_MSG_SEND_RARP] = "SEND_RARP",
		[VHOST_MSG_POSTCOPY_ADVISE] = "POSTCOPY_ADVISE",
		[VHOST_MSG_GET_INFLIGHT_FD] = "GET_INFLIGHT_FD",
		[VHOST_MSG_SET_STATUS] = "SET_STATUS",
		[VHOST_MSG_GET_STATUS] = "GET_STATUS",
	};

	if (request < sizeof(names) / sizeof(names[0]) && names[request])
		return names[request];
	return "unknown";
}

static int over_budget(struct vhost_msg_conn *c, uint64_t now_ns)
{
	if (!c->bucket_started) {
		c->bucket_started = 1;
		c->tokens = VHOST_MSG_BURST;
	} else if (now_ns > c->last_ns) {
		c->tokens += (double)(now_ns - c->last_ns) * VHOST_MSG_RATE / 1e9;
		if (c->tokens > VHOST_MSG_BURST)
			c->tokens = VHOST_MSG_BURST;
	}
	c->last_ns = now_ns;
	if (c->tokens < 1.0)
		return 1;
	c->tokens -= 1.0;
	return 0;
}

/* [a, a + len) inside one region of the table, in frontend virtual addresses. */
static int in_table(const struct vhost_msg_conn *c, uint64_t a, uint64_t len)
{
	uint32_t i;

	for (i = 0; i < c->nregions; i++) {
		const struct vhost_msg_region *r = &c->regions[i];

		if (a >= r->userspace_addr && a - r->userspace_addr <= r->memory_size &&
		    len <= r->memory_size - (a - r->userspace_addr))
			return 1;
	}
	return 0;
}

static int ring_fits(const struct vhost_msg_conn *c, const struct vhost_msg_vring *v,
		     unsigned int index, char *why, size_t why_size)
{
	uint64_t n = v->num;

	if (!v->has_addr)
		return 0;
	if (!in_table(c, v->desc, 16 * n))
		return fail(why, why_size, "ring %u: descriptor table 0x%llx+%llu outside memory",
			    index, (unsigned long long)v->desc, (unsigned long long)(16 * n));
	if (!in_table(c, v->avail, 4 + 2 * n))
		return fail(why, why_size, "ring %u: avail ring 0x%llx outside memory", index,
			    (unsigned long long)v->avail);
	if (!in_table(c, v->used, 4 + 8 * n))
		return fail(why, why_size, "ring %u: used ring 0x%llx outside memory", index,
			    (unsigned long long)v->used);
	return 0;
}

/* Remember ring index as next only if it still lies in the table. */
static int set_ring(struct vhost_msg_conn *c, unsigned int index,
		    const struct vhost_msg_vring *next, char *why, size_t why_size)
{
	int rc = ring_fits(c, next, index, why, why_size);

	if (!rc)
		c->vring[index] = *next;
	return rc;
}

static int overlaps(uint64_t a, uint64_t a_len, uint64_t b, uint64_t b_len)
{
	return a < b + b_len && b < a + a_len;
}

/*
 * DPDK maps offset + size of each fd and only uses fstat for the block
 * size: a region past the end of its file maps fine and the first touch
 * is SIGBUS, in a forwarding lcore or the vhost thread.
 */
static int check_region_fd(int fd, const struct vhost_msg_region *r, unsigned int i, char *why,
			   size_t why_size)
{
	struct statfs sfs;
	struct stat st;

	if (fstat(fd, &st) || fstatfs(fd, &sfs)) {
		fail(why, why_size, "region %u: fd: %s", i, strerror(errno));
		return -EBADF;
	}
	if (!S_ISREG(st.st_mode) || (sfs.f_type != TMPFS_MAGIC && sfs.f_type != HUGETLBFS_MAGIC)) {
		/* Disk or FUSE files could make a page fault wait on the pod. */
		fail(why, why_size, "region %u: fd is not a memfd, tmpfs or hugetlbfs file", i);
		return -EBADF;
	}
	if ((uint64_t)st.st_size < r->mmap_offset + r->memory_size) {
		fail(why, why_size, "region %u: offset %llu + size %llu past the file's %lld bytes",
		     i, (unsigned long long)r->mmap_offset, (unsigned long long)r->memory_size,
		     (long long)st.st_size);
		return -EBADF;
	}
	return 0;
}

/* The payload at its own alignment (it sits at offset 12 on the wire), zero past size. */
union payload {
	uint64_t u64;
	struct vhost_msg_vring_state state;
	struct vhost_msg_vring_addr addr;
	struct vhost_msg_memory memory;
};

static int check_mem_table(struct vhost_msg_conn *c, const struct vhost_msg_frame *msg,
			   const struct vhost_msg_memory *m, const int *fds, int fd_num, char *why,
			   size_t why_size)
{
	uint64_t total = 0;
	uint32_t i, j;
	int rc;

	if (msg->size < 8 || m->nregions < 1 || m->nregions > VHOST_MSG_MAX_REGIONS ||
	    msg->size < 8 + 32 * m->nregions)
		return fail(why, why_size, "memory table: %u regions in %u bytes", m->nregions,
			    msg->size);
	if ((int)m->nregions != fd_num)
		return fail(why, why_size, "memory table: %u regions, %d fds", m->nregions, fd_num);
	for (i = 0; i < m->nregions; i++) {
		const struct vhost_msg_region *r = &m->regions[i];

		if (!r->memory_size || r->guest_phys_addr + r->memory_size < r->guest_phys_addr ||
		    r->userspace_addr + r->memory_size < r->userspace_addr ||
		    r->mmap_offset + r->memory_size < r->mmap_offset)
			return fail(why, why_size, "region %u: empty or wrapping", i);
		total += r->memory_size;
		if (total > VHOST_MSG_MAX_MEMORY)
			return fail(why, why_size, "memory table: more than %llu bytes",
				    VHOST_MSG_MAX_MEMORY);
		for (j = 0; j < i; j++)
			if (overlaps(r->guest_phys_addr, r->memory_size,
				     m->regions[j].guest_phys_addr, m->regions[j].memory_size) ||
			    overlaps(r->userspace_addr, r->memory_size,
				     m->regions[j].userspace_addr, m->regions[j].memory_size))
				return fail(why, why_size, "regions %u and %u overlap", j, i);
	}
	for (i = 0; i < m->nregions; i++) {
		rc = check_region_fd(fds[i], &m->regions[i], i, why, why_size);
		if (rc)
			return rc;
	}
	/* DPDK translates the rings again with the new table. */
	c->nregions = m->nregions;
	memcpy(c->regions, m->regions, sizeof(m->regions[0]) * m->nregions);
	for (i = 0; i < c->max_vrings; i++) {
		rc = ring_fits(c, &c->vring[i], i, why, why_size);
		if (rc)
			return rc;
	}
	return 0;
}

/* Kick and call fds are written and polled by us: only an eventfd can't block a writer. */
static int is_eventfd(int fd)
{
	char link[64], target[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return 0;
	target[n] = '\0';
	return !strcmp(target, "anon_inode:[eventfd]");
}

static int check_ring_index(const struct vhost_msg_conn *c, uint32_t index, const char *name,
			    char *why, size_t why_size)
{
	if (index >= c->max_vrings)
		return fail(why, why_size, "%s: ring %u of %u", name, index, c->max_vrings);
	return 0;
}

static int check_vring_fd(struct vhost_msg_conn *c, const struct vhost_msg_frame *msg, uint64_t v,
			  const int *fds, int fd_num, char *why, size_t why_size)
{
	const char *name = vhost_msg_request_name(msg->request);
	int rc;

	if (v & ~(uint64_t)(VHOST_MSG_VRING_IDX_MASK | VHOST_MSG_VRING_NOFD))
		return fail(why, why_size, "%s: stray bits 0x%llx", name, (unsigned long long)v);
	rc = check_ring_index(c, (uint32_t)(v & VHOST_MSG_VRING_IDX_MASK), name, why, why_size);
	if (rc)
		return rc;
	if (v & VHOST_MSG_VRING_NOFD)
		return fd_num ? fail(why, why_size, "%s: fd with NOFD", name) : 0;
	if (fd_num != 1)
		return fail(why, why_size, "%s: %d fds", name, fd_num);
	if (!is_eventfd(fds[0])) {
		fail(why, why_size, "%s: fd is not an eventfd", name);
		return -EBADF;
	}
	return 0;
}

static int check_payload_size(const struct vhost_msg_frame *msg, uint32_t want, int fd_num,
			      char *why, size_t why_size)
{
	if (msg->size != want)
		return fail(why, why_size, "%s: payload of %u bytes, want %u",
			    vhost_msg_request_name(msg->request), msg->size, want);
	if (fd_num)
		return fail(why, why_size, "%s: unexpected fds",
			    vhost_msg_request_name(msg->request));
	return 0;
}

static int check_request(struct vhost_msg_conn *c, struct vhost_msg_frame *msg, const int *fds,
			 int fd_num, char *why, size_t why_size)
{
	union payload p = {0};
	const struct vhost_msg_vring_state *st = &p.state;
	const struct vhost_msg_vring_addr *ad = &p.addr;
	const char *name = vhost_msg_request_name(msg->request);
	struct vhost_msg_vring next;
	int rc;

	memcpy(&p, msg->payload.raw, msg->size < sizeof(p) ? msg->size : sizeof(p));
	switch (msg->request) {
	case VHOST_MSG_GET_FEATURES:
	case VHOST_MSG_GET_PROTOCOL_FEATURES:
	case VHOST_MSG_GET_QUEUE_NUM:
	case VHOST_MSG_GET_STATUS:
	case VHOST_MSG_SET_OWNER:
	case VHOST_MSG_RESET_OWNER:
		return fd_num ? fail(why, why_size, "%s: unexpected fds", name) : 0;
	case VHOST_MSG_SET_FEATURES:
	case VHOST_MSG_SET_PROTOCOL_FEATURES:
	case VHOST_MSG_SET_STATUS:
		return check_payload_size(msg, 8, fd_num, why, why_size);
	case VHOST_MSG_SET_MEM_TABLE:
		return check_mem_table(c, msg, &p.memory, fds, fd_num, why, why_size);
	case VHOST_MSG_SET_VRING_NUM:
		rc = check_payload_size(msg, 8, fd_num, why, why_size);
		if (!rc)
			rc = check_ring_index(c, st->index, name, why, why_size);
		if (rc)
			return rc;
		/* Power of two: the split ring paths mask indices with num - 1. */
		if (!st->num || st->num > VHOST_MSG_MAX_VRING_NUM || (st->num & (st->num - 1)))
			return fail(why, why_size, "ring %u: size %u", st->index, st->num);
		next = c->vring[st->index];
		next.num = st->num;
		return set_ring(c, st->index, &next, why, why_size);
	case VHOST_MSG_SET_VRING_BASE:
	case VHOST_MSG_GET_VRING_BASE:
	case VHOST_MSG_SET_VRING_ENABLE:
		rc = check_payload_size(msg, 8, fd_num, why, why_size);
		return rc ? rc : check_ring_index(c, st->index, name, why, why_size);
	case VHOST_MSG_SET_VRING_ADDR:
		rc = check_payload_size(msg, sizeof(*ad), fd_num, why, why_size);
		if (!rc)
			rc = check_ring_index(c, ad->index, name, why, why_size);
		if (rc)
			return rc;
		if (ad->flags)
			return fail(why, why_size, "ring %u: flags 0x%x (no dirty logging)",
				    ad->index, ad->flags);
		if (!c->nregions || !c->vring[ad->index].num)
			return fail(why, why_size, "ring %u: address before memory table and size",
				    ad->index);
		next = c->vring[ad->index];
		next.desc = ad->desc_user_addr;
		next.avail = ad->avail_user_addr;
		next.used = ad->used_user_addr;
		next.has_addr = 1;
		return set_ring(c, ad->index, &next, why, why_size);
	case VHOST_MSG_SET_VRING_KICK:
	case VHOST_MSG_SET_VRING_CALL:
		if (msg->size != 8)
			return fail(why, why_size, "%s: payload of %u bytes", name, msg->size);
		return check_vring_fd(c, msg, p.u64, fds, fd_num, why, why_size);
	default:
		/*
		 * Postcopy, inflight, dirty log, IOTLB, RARP, MTU, backend
		 * channel, config: a virtio-user pod sends none of them, and
		 * DPDK handles each whatever was negotiated.
		 */
		fail(why, why_size, "request %u (%s) not allowed", msg->request, name);
		return -EPERM;
	}
}

int vhost_msg_check(struct vhost_msg_conn *conn, struct vhost_msg_frame *msg, const int *fds,
		    int fd_num, uint64_t now_ns, char *why, size_t why_size)
{
	int rc;

	if (over_budget(conn, now_ns)) {
		fail(why, why_size, "more than %.0f messages at once or %.0f a second",
		     VHOST_MSG_BURST, VHOST_MSG_RATE);
		return -EBUSY;
	}
	if (conn->max_vrings > VHOST_MSG_MAX_VRINGS)
		conn->max_vrings = VHOST_MSG_MAX_VRINGS;
	if (fd_num < 0 || fd_num > (int)VHOST_MSG_MAX_REGIONS || msg->size > VHOST_MSG_PAYLOAD_MAX)
		return fail(why, why_size, "%d fds, payload of %u bytes", fd_num, msg->size);
	if ((msg->flags & VHOST_MSG_F_VERSION) != VHOST_MSG_VERSION ||
	    (msg->flags & VHOST_MSG_F_REPLY))
		return fail(why, why_size, "%s: flags 0x%x", vhost_msg_request_name(msg->request),
			    msg->flags);
	rc = check_request(conn, msg, fds, fd_num, why, why_size);
	if (!rc)
		msg->flags &= ~VHOST_MSG_F_NEED_REPLY;
	return rc;
}
