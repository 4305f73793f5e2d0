/*
 * Where slicenetd's lcores run, when the operator did not say: the EAL
 * arguments are completed from the CPUs the process may run on (its
 * affinity: in Kubernetes the container's cpuset, exclusive CPUs for a
 * Guaranteed pod under the static CPU manager).
 *
 * - No -l, --lcores or -c among the EAL args: "-l <cpus>" with every
 *   allowed CPU. The lowest becomes the main lcore (control plane and the
 *   DPDK control threads, which DPDK puts on CPUs that are no lcore's, or
 *   else the main lcore's); the others forward. One CPU: a single lcore,
 *   which forwards (fwd.c runs on the main lcore when there is no worker).
 * - No -a/--allow, -b/--block or --no-pci: "--no-pci". slicenetd's pod ports
 *   are vhost-user and its uplinks tap/af_packet vdevs; probing every PCI
 *   device the image has a PMD for would grab NICs the node still uses. A
 *   NIC uplink is named with -a (an allow-list).
 *
 * Pure: no DPDK, no syscalls; main.c passes sched_getaffinity's set.
 */
#ifndef SLICENET_DAEMON_EAL_ARGS_H
#define SLICENET_DAEMON_EAL_ARGS_H

#include <sched.h>
#include <stddef.h>

struct eal_args {
	int argc;
	char **argv;  /* argv[0], what we added, then the caller's args; NULL-terminated */
	char *lcores; /* the "-l" value we added, or NULL */
	int n_cpus;   /* CPUs in the set */
	int no_pci;   /* 1 when we added --no-pci */
};

/*
 * Build from argv[0..argc) (argv[0] is the program; the rest EAL args). The
 * strings of argv are borrowed, not copied: they must outlive out. 0, or
 * -EINVAL (empty CPU set), -ENOMEM. note gets one line saying what was
 * chosen and why (for the log).
 */
int eal_args_build(const cpu_set_t *cpus, int argc, char *const *argv, struct eal_args *out,
		   char *note, size_t note_size) __attribute__((warn_unused_result));
/* Accepts a zeroed or built struct. */
void eal_args_free(struct eal_args *args);

#endif
