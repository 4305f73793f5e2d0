/*
 * Surviving a pod that shrinks the memory it shared with slicenetd. The
 * vhost library maps a pod's memfd/hugetlbfs files MAP_SHARED; the guard
 * (vhost_msg.h) checks their sizes when the table arrives, but the pod can
 * ftruncate them afterwards, and the next touch of the cut part by a
 * forwarding lcore or the vhost thread is SIGBUS. Every mapped region is
 * tracked (guest_mem_table.h); the SIGBUS handler maps anonymous memory
 * over a faulting guest region, so the access completes (reading zeros),
 * and flags the device; the control thread then disconnects that port
 * (port.h). A SIGBUS anywhere else keeps its default action (core dump).
 */
#ifndef SLICENET_DAEMON_GUEST_MEM_H
#define SLICENET_DAEMON_GUEST_MEM_H

#include <stdbool.h>

/* Install the SIGBUS handler; once, after rte_eal_init. 0 or -errno. */
int guest_mem_init(void) __attribute__((warn_unused_result));

/* Track vid's regions as the vhost library maps them now (after SET_MEM_TABLE, new_device). */
void guest_mem_track(int vid);
/* Stop tracking vid's regions; before the library unmaps them. */
void guest_mem_forget(int vid);

/* True once after a fault in vid's memory; the flag is cleared. */
bool guest_mem_take_fault(int vid);

#endif
