/* The slicenetd log type. */
#include "daemon/log.h"

int slicenetd_logtype = RTE_LOGTYPE_USER1;

void log_init(void)
{
	int t = rte_log_register_type_and_pick_level("slicenetd", RTE_LOG_INFO);

	if (t >= 0)
		slicenetd_logtype = t;
}
