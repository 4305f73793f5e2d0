/*
 * PF-side settings of one virtual function (what `ip link set PF vf N ...`
 * sets), built and sent with libnl-route-3's SR-IOV API. The request is
 * built apart from sending so tests can compare it with iproute2's bytes.
 */
#ifndef SLICENET_PLUGIN_SRIOV_VF_H
#define SLICENET_PLUGIN_SRIOV_VF_H

#include <stdbool.h>
#include <stdint.h>

#include "plugin/cni/cni_error.h"

struct nl_msg;

#define SRIOV_VF_MAC	    (1U << 0)
#define SRIOV_VF_VLAN	    (1U << 1) /* vlan, vlan_qos, vlan_proto */
#define SRIOV_VF_SPOOFCHK   (1U << 2)
#define SRIOV_VF_TRUST	    (1U << 3)
#define SRIOV_VF_RATE	    (1U << 4) /* min_tx_rate and max_tx_rate together */
#define SRIOV_VF_LINK_STATE (1U << 5)

/* IFLA_VF_LINK_STATE_* values. */
enum sriov_vf_link_state {
	SRIOV_VF_LINK_AUTO = 0,
	SRIOV_VF_LINK_ENABLE = 1,
	SRIOV_VF_LINK_DISABLE = 2,
};

struct sriov_vf_settings {
	unsigned int set; /* SRIOV_VF_* bits: the fields that mean something */
	unsigned char mac[6];
	unsigned int vlan;     /* 0-4095, 0 = no VLAN */
	unsigned int vlan_qos; /* 0-7 */
	uint16_t vlan_proto;   /* ETH_P_8021Q or ETH_P_8021AD, host order; 0 = 802.1Q */
	bool spoofchk;
	bool trust;
	unsigned int min_tx_rate; /* Mbps, 0 = no limit */
	unsigned int max_tx_rate;
	unsigned int link_state; /* enum sriov_vf_link_state */
};

/*
 * Build the RTM_NEWLINK request setting the fields of s named in s->set on
 * VF vf of the PF with pf_ifindex. *out is freed with nlmsg_free.
 */
int sriov_vf_build(int pf_ifindex, unsigned int vf, const struct sriov_vf_settings *s,
		   struct nl_msg **out, struct cni_error *err) __attribute__((warn_unused_result));

/*
 * Set them on the PF named pf (in the current netns). Nothing is sent when
 * s->set is 0. The kernel's refusal (a PF without SR-IOV: EOPNOTSUPP) is
 * returned as -errno naming the PF and VF.
 */
int sriov_vf_apply(const char *pf, unsigned int vf, const struct sriov_vf_settings *s,
		   struct cni_error *err) __attribute__((warn_unused_result));

/*
 * The VF's current settings as the PF reports them (RTEXT_FILTER_VF).
 * *found is false, and out->set 0, when the PF reports no such VF (a
 * stand-in PF without SR-IOV): there is then nothing to restore.
 */
int sriov_vf_query(const char *pf, unsigned int vf, struct sriov_vf_settings *out, bool *found,
		   struct cni_error *err) __attribute__((warn_unused_result));

/*
 * Test seam: when fn is set, sriov_vf_apply hands the built request to fn
 * instead of the kernel and returns fn's result. NULL restores the kernel.
 */
typedef int (*sriov_vf_transport_fn)(struct nl_msg *msg, void *arg);
void sriov_vf_set_transport(sriov_vf_transport_fn fn, void *arg);

#endif
