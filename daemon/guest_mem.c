/* SIGBUS recovery for guest memory (see guest_mem.h). */
#include "daemon/guest_mem.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_vhost.h>

#include "daemon/guest_mem_table.h"
#include "daemon/log.h"

static struct guest_mem_table table;
static atomic_bool faulted[RTE_MAX_VHOST_DEVICE];

/*
 * Only BUS_ADRERR is a mapping past its file's end; a machine check
 * (BUS_MCEERR_*) or an address outside guest memory is ours to die of:
 * back to the default action, and the access faults again on return.
 * mmap is a plain syscall on Linux, fine here although POSIX does not
 * list it as async-signal-safe (libwayland's shm pools do the same).
 */
static void on_sigbus(int sig, siginfo_t *si, void *ucontext)
{
	struct guest_mem_range hit;
	int owner = -1, saved = errno;

	(void)ucontext;
	if (si->si_code == BUS_ADRERR)
		owner = guest_mem_table_find(&table, (uintptr_t)si->si_addr, &hit);
	if (owner < 0 || owner >= RTE_MAX_VHOST_DEVICE ||
	    mmap((void *)hit.start, hit.len, PROT_READ | PROT_WRITE,
		 MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0) == MAP_FAILED) {
		signal(sig, SIG_DFL);
		errno = saved;
		return;
	}
	atomic_store(&faulted[owner], true);
	errno = saved;
}

int guest_mem_init(void)
{
	struct sigaction sa;

	guest_mem_table_init(&table);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	/* NODEFER: a second region faulting inside the handler must not kill us blocked. */
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGBUS, &sa, NULL) ? -errno : 0;
}

void guest_mem_track(int vid)
{
	struct guest_mem_range ranges[8];
	struct rte_vhost_memory *mem = NULL;
	unsigned int i, n = 0;
	int rc;

	if (vid < 0 || vid >= RTE_MAX_VHOST_DEVICE)
		return;
	if (rte_vhost_get_mem_table(vid, &mem)) {
		LOG(WARNING, "vhost device %d: no memory table to track", vid);
		return;
	}
	for (i = 0; i < mem->nregions && n < 8; i++)
		if (mem->regions[i].mmap_addr && mem->regions[i].mmap_size)
			ranges[n++] = (struct guest_mem_range){
				.start = (uintptr_t)mem->regions[i].mmap_addr,
				.len = (uintptr_t)mem->regions[i].mmap_size};
	free(mem);
	rc = guest_mem_table_set(&table, vid, ranges, n);
	if (rc)
		LOG(ERR, "vhost device %d: tracking its memory: %s; a shrinking pod can crash us",
		    vid, strerror(-rc));
}

void guest_mem_forget(int vid)
{
	if (vid >= 0 && vid < RTE_MAX_VHOST_DEVICE)
		guest_mem_table_clear(&table, vid);
}

bool guest_mem_take_fault(int vid)
{
	if (vid < 0 || vid >= RTE_MAX_VHOST_DEVICE)
		return false;
	return atomic_exchange(&faulted[vid], false);
}
