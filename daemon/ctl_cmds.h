/* Control request handlers, one per method, dispatched from a table. */
#ifndef SLICENET_DAEMON_CTL_CMDS_H
#define SLICENET_DAEMON_CTL_CMDS_H

#include "daemon/ctl_proto.h"
#include "daemon/fdb.h"

void ctl_cmds_init(struct fdb *fdb);
/* Fill resp for req (resp->error set on failure). Caller frees with ctl_response_free. */
void ctl_cmds_handle(const struct ctl_request *req, struct ctl_response *resp);

#endif
