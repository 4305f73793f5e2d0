/* slicenetd logging: DPDK's logger with our own type, so --log-level=slicenetd:debug works. */
#ifndef SLICENET_DAEMON_LOG_H
#define SLICENET_DAEMON_LOG_H

#include <rte_log.h>

extern int slicenetd_logtype;

/* Registers the "slicenetd" log type (default level info). Call after rte_eal_init. */
void log_init(void);

#define LOG(level, fmt, ...)                                                                       \
	rte_log(RTE_LOG_##level, slicenetd_logtype, "slicenetd: " fmt "\n", ##__VA_ARGS__)

#endif
