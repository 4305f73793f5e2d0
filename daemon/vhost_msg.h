/*
 * vhost-user messages from an untrusted frontend (a pod): the wire format
 * (qemu docs/interop/vhost-user.rst) and the checks slicenetd makes before
 * DPDK's vhost library acts on a message. No DPDK here: the validator is
 * unit tested and fuzzed, and the hostile test frontend builds its
 * messages from the same definitions.
 *
 * What DPDK 22.11 checks by itself is not repeated (framing, fd counts
 * per request, ring index < 256, ring size <= 32768, rings inside a
 * region once kicked); this adds what it leaves open: an allow-list of
 * the requests a virtio-user pod sends, region sizes against their files,
 * overlaps and wraps, ring addresses against the table at the time they
 * arrive, eventfd-only kick/call fds, and a message budget.
 */
#ifndef SLICENET_DAEMON_VHOST_MSG_H
#define SLICENET_DAEMON_VHOST_MSG_H

#include <stddef.h>
#include <stdint.h>

#define VHOST_MSG_VERSION      0x1u
#define VHOST_MSG_F_VERSION    0x3u
#define VHOST_MSG_F_REPLY      (1u << 2)
#define VHOST_MSG_F_NEED_REPLY (1u << 3)
#define VHOST_MSG_HDR_SIZE     12u
#define VHOST_MSG_MAX_REGIONS  8u
/* Payload room of DPDK 22.11's message context (its largest union member). */
#define VHOST_MSG_PAYLOAD_MAX	 632u
#define VHOST_MSG_VRING_IDX_MASK 0xffu
#define VHOST_MSG_VRING_NOFD	 (1u << 8)
#define VHOST_MSG_MAX_VRING_NUM	 32768u
/* 2 x CTL_MAX_QUEUES: a port never has more rings than that. */
#define VHOST_MSG_MAX_VRINGS 16u

enum vhost_msg_request {
	VHOST_MSG_GET_FEATURES = 1,
	VHOST_MSG_SET_FEATURES = 2,
	VHOST_MSG_SET_OWNER = 3,
	VHOST_MSG_RESET_OWNER = 4,
	VHOST_MSG_SET_MEM_TABLE = 5,
	VHOST_MSG_SET_LOG_BASE = 6,
	VHOST_MSG_SET_LOG_FD = 7,
	VHOST_MSG_SET_VRING_NUM = 8,
	VHOST_MSG_SET_VRING_ADDR = 9,
	VHOST_MSG_SET_VRING_BASE = 10,
	VHOST_MSG_GET_VRING_BASE = 11,
	VHOST_MSG_SET_VRING_KICK = 12,
	VHOST_MSG_SET_VRING_CALL = 13,
	VHOST_MSG_SET_VRING_ERR = 14,
	VHOST_MSG_GET_PROTOCOL_FEATURES = 15,
	VHOST_MSG_SET_PROTOCOL_FEATURES = 16,
	VHOST_MSG_GET_QUEUE_NUM = 17,
	VHOST_MSG_SET_VRING_ENABLE = 18,
	VHOST_MSG_SEND_RARP = 19,
	VHOST_MSG_POSTCOPY_ADVISE = 28,
	VHOST_MSG_GET_INFLIGHT_FD = 31,
	VHOST_MSG_SET_STATUS = 39,
	VHOST_MSG_GET_STATUS = 40,
};

struct vhost_msg_region {
	uint64_t guest_phys_addr;
	uint64_t memory_size;
	uint64_t userspace_addr;
	uint64_t mmap_offset;
};

struct vhost_msg_memory {
	uint32_t nregions;
	uint32_t padding;
	struct vhost_msg_region regions[VHOST_MSG_MAX_REGIONS];
};

struct vhost_msg_vring_state {
	uint32_t index;
	uint32_t num;
};

struct vhost_msg_vring_addr {
	uint32_t index;
	uint32_t flags;
	uint64_t desc_user_addr;
	uint64_t used_user_addr;
	uint64_t avail_user_addr;
	uint64_t log_guest_addr;
};

struct __attribute__((packed)) vhost_msg_frame {
	uint32_t request;
	uint32_t flags;
	uint32_t size; /* payload bytes that follow */
	union {
		uint64_t u64;
		struct vhost_msg_vring_state state;
		struct vhost_msg_vring_addr addr;
		struct vhost_msg_memory memory;
		uint8_t raw[VHOST_MSG_PAYLOAD_MAX];
	} payload;
};

/* Ring placement as last accepted (frontend virtual addresses). */
struct vhost_msg_vring {
	uint32_t num; /* 0 until SET_VRING_NUM */
	uint64_t desc, avail, used;
	int has_addr;
};

/*
 * What the checks remember about one connection. Zero it, then set
 * max_vrings (2 x the port's queue pairs, at most VHOST_MSG_MAX_VRINGS).
 */
struct vhost_msg_conn {
	unsigned int max_vrings;
	uint32_t nregions;
	struct vhost_msg_region regions[VHOST_MSG_MAX_REGIONS];
	struct vhost_msg_vring vring[VHOST_MSG_MAX_VRINGS];
	/* Message budget: a token bucket refilled at VHOST_MSG_RATE per second. */
	double tokens;
	uint64_t last_ns;
	int bucket_started;
};

/* An honest virtio-user pod sends ~7 messages per ring at start; a burst covers 8 queue pairs. */
#define VHOST_MSG_BURST 256.0
#define VHOST_MSG_RATE	64.0
/* Largest guest memory one port may ask us to map. */
#define VHOST_MSG_MAX_MEMORY (64ull << 30)

/*
 * Check one message whose header and size-bytes payload were read, with the
 * fds that came with it, at time now_ns (monotonic). 0: let DPDK handle it
 * (NEED_REPLY is cleared: we never offer REPLY_ACK, and a reply sent under
 * the ring locks would let a pod that stops reading stall our lcores).
 * Otherwise -EPERM (request not allowed), -EINVAL (bad content), -EBADF (an
 * fd of the wrong kind or size) or -EBUSY (over the message budget), with
 * why saying what; the caller then closes the fds and disconnects.
 */
int vhost_msg_check(struct vhost_msg_conn *conn, struct vhost_msg_frame *msg, const int *fds,
		    int fd_num, uint64_t now_ns, char *why, size_t why_size)
	__attribute__((warn_unused_result));

/* "SET_MEM_TABLE" etc., "unknown" otherwise. */
const char *vhost_msg_request_name(uint32_t request);

#endif
