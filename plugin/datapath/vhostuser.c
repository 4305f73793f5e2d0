/*
 * The vhostuser datapath: a vhost-user port on slicenetd instead of a kernel
 * interface. ADD asks the daemon for a port on <socketDir>/<pod>/<ifname>.sock
 * (the pod mounts <socketDir>/<pod> at podSocketDir) and writes <ifname>.json
 * beside it: a Device Information Spec descriptor plus our fields, so the
 * pod's DPDK app knows its socket, MAC and addresses.
 *
 * The pod directory is the pod's: it may hold symlinks, FIFOs or directories
 * under any name. It is opened once, without following a symlink, and every
 * file in it is touched through that fd (fs.h); nothing is ever read back
 * from it. DEL, CHECK and GC work from the attachment record.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/ctl_client.h"
#include "plugin/cni/device_info.h"
#include "plugin/util/ipaddr.h"
#include "plugin/datapath/vhostuser.h"
#include "plugin/datapath/vhostuser_internal.h"
#include "plugin/util/fault.h"
#include "plugin/util/fs.h"
#include "plugin/util/log.h"

static int vhu_call(const char *daemon_socket, unsigned int timeout_ms,
		    const struct ctl_request *req, struct ctl_response *resp, char *msg,
		    size_t msg_size)
{
	return ctl_client_call(daemon_socket, (int)timeout_ms, req, resp, NULL, msg, msg_size);
}

/* The record's daemon socket wins: the config may have changed or broken since ADD. */
static const char *vhu_daemon(const struct vhu_conf *c, const struct attachment *att)
{
	return att && att->daemon_socket[0] ? att->daemon_socket : c->daemon_socket;
}

static bool vhostuser_available(const struct datapath_context *ctx, const struct attachment *att,
				char *why, size_t why_size)
{
	const struct vhu_conf *c = ctx->dp_conf;
	struct ctl_request req = {.method = CTL_VERSION};
	struct ctl_response resp;
	char msg[256];

	(void)att;
	/* A short deadline: an absent daemon must not slow down the fallback datapath. */
	if (vhu_call(c->daemon_socket, c->timeout_ms < 1000 ? c->timeout_ms : 1000, &req, &resp,
		     msg, sizeof(msg))) {
		snprintf(why, why_size, "%s", msg);
		return false;
	}
	ctl_response_free(&resp);
	if (why_size)
		why[0] = '\0';
	return true;
}

/* The pod's directory below socketDir, opened without following a symlink. */
static int vhu_pod_dir_open(const struct vhu_conf *c, const struct vhu_names *n, bool create,
			    struct cni_error *err)
{
	int top, fd;

	if (create && (fd = fs_mkdirs(c->socket_dir, 0755)) < 0)
		return cni_error_set(err, CNI_ERR_DATAPATH, -fd, "vhostuser: mkdir %s: %s",
				     c->socket_dir, strerror(-fd));
	top = fs_dir_open_at(AT_FDCWD, c->socket_dir, false, 0);
	if (top < 0)
		return create ? cni_error_set(err, CNI_ERR_DATAPATH, -top, "vhostuser: %s: %s",
					      c->socket_dir, strerror(-top))
			      : top;
	fd = fs_dir_open_at(top, n->pod, create, 0755);
	close(top);
	/* Through the fd we opened without following symlinks: only that directory changes. */
	if (fd >= 0 && create &&
	    ((c->has_pod_dir_group && fchown(fd, (uid_t)-1, (gid_t)c->pod_dir_group)) ||
	     (c->pod_dir_mode && fchmod(fd, (mode_t)c->pod_dir_mode)))) {
		int saved = errno;

		close(fd);
		return cni_error_set(err, CNI_ERR_DATAPATH, saved,
				     "vhostuser: pod directory %s/%s: setting its group/mode: %s",
				     c->socket_dir, n->pod, strerror(saved));
	}
	if (fd < 0 && create)
		return cni_error_set(err, CNI_ERR_DATAPATH, -fd,
				     "vhostuser: pod directory %s/%s: %s (a symlink or file where "
				     "the directory should be?)",
				     c->socket_dir, n->pod, strerror(-fd));
	return fd;
}

static void vhu_remove_files(const struct vhu_conf *c, const struct vhu_names *n,
			     const char *device_info_file)
{
	int dir = vhu_pod_dir_open(c, n, false, NULL), top;

	if (dir >= 0) {
		/* Client mode: the pod's app created the socket; it goes with the pod. */
		if (fs_unlink_at(dir, n->descriptor_file) || fs_unlink_at(dir, n->socket_file))
			log_warn("vhostuser: could not remove files of %s in %s/%s", n->port,
				 c->socket_dir, n->pod);
		close(dir);
		top = fs_dir_open_at(AT_FDCWD, c->socket_dir, false, 0);
		/* Other interfaces of the same pod may still live here: ENOTEMPTY is fine. */
		if (top >= 0) {
			unlinkat(top, n->pod, AT_REMOVEDIR);
			close(top);
		}
	}
	if (device_info_file[0] && unlink(device_info_file) && errno != ENOENT)
		log_warn("vhostuser: removing %s: %s", device_info_file, strerror(errno));
}

static int vhu_write_files(const struct datapath_context *ctx, const struct attachment *att,
			   const struct vhu_names *n, const char *mac,
			   const struct cni_result *result, struct cni_error *err)
{
	const struct vhu_conf *c = ctx->dp_conf;
	/* Device Information Spec: "mode" is the role of the pod's application. */
	struct device_info info = {
		.type = DEVICE_INFO_VHOST_USER,
		.vhost_mode = c->mode == CTL_MODE_CLIENT ? "server" : "client",
		.vhost_path = n->pod_socket,
	};
	struct device_descriptor desc = {
		.ifname = att->ifname,
		.mac = mac,
		.mtu = ctx->slice ? ctx->slice->mtu : 0,
		.queues = c->queues,
		.slice = att->slice,
		.container_id = att->container_id,
		.network = att->network,
		.result = result,
	};
	char *text = device_info_encode(&info, &desc);
	int dir = -1, ret;

	if (!text)
		return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "vhostuser: out of memory");
	dir = vhu_pod_dir_open(c, n, true, err);
	if (dir < 0) {
		ret = dir;
		goto out;
	}
	ret = fs_write_new_at(dir, n->descriptor_file, text, strlen(text), 0644);
	if (ret) {
		ret = cni_error_set(err, CNI_ERR_DATAPATH, -ret,
				    "vhostuser: writing %s in %s/%s: %s", n->descriptor_file,
				    c->socket_dir, n->pod, strerror(-ret));
		goto out;
	}
	if (att->device_info_file[0]) {
		free(text);
		text = device_info_encode(&info, NULL);
		ret = text ? fs_mkdirs_parent(att->device_info_file, 0755) : -ENOMEM;
		if (!ret)
			ret = fs_write_replace(att->device_info_file, text, strlen(text), 0644,
					       false);
		if (ret)
			ret = cni_error_set(err, CNI_ERR_DATAPATH, -ret,
					    "vhostuser: writing %s: %s", att->device_info_file,
					    strerror(-ret));
	}
out:
	if (dir >= 0)
		close(dir);
	free(text);
	return ret;
}

/*
 * The pod's namespace and name label the port in slicenetctl and metrics.
 * They come from the runtime (CNI_ARGS); a value the daemon would refuse is
 * left out rather than failing the pod's ADD over a label.
 */
static void vhu_pod_identity(const struct attachment *att, struct ctl_port_spec *spec)
{
	if (att->pod_namespace[0] && ctl_pod_namespace_valid(att->pod_namespace) &&
	    att->pod_name[0] && ctl_pod_name_valid(att->pod_name)) {
		/* Valid means short enough: both fit with their NUL. */
		memcpy(spec->pod_namespace, att->pod_namespace, strlen(att->pod_namespace) + 1);
		memcpy(spec->pod_name, att->pod_name, strlen(att->pod_name) + 1);
	} else if (att->pod_namespace[0] || att->pod_name[0]) {
		log_warn("vhostuser: pod \"%.64s/%.64s\" is not a Kubernetes namespace/name; "
			 "port %s goes without them",
			 att->pod_namespace, att->pod_name, spec->name);
	}
}

static void vhu_port_spec(const struct vhu_conf *c, const struct vhu_names *n, const uint8_t mac[6],
			  unsigned int mtu, const struct cni_result *result,
			  struct ctl_port_spec *spec)
{
	char buf[IP_PREFIX_STRLEN];

	ctl_port_spec_init(spec);
	snprintf(spec->name, sizeof(spec->name), "%s", n->port);
	snprintf(spec->socket, sizeof(spec->socket), "%s", n->socket);
	spec->mode = c->mode;
	spec->queues = c->queues;
	/* The switch drops (and counts) frames over the port's MTU: the slice's, or 1500. */
	if (mtu)
		spec->mtu = mtu;
	spec->has_mac = true;
	memcpy(spec->mac, mac, 6);
	for (unsigned int i = 0; i < result->n_ips && i < CTL_MAX_ADDRESSES; i++)
		snprintf(spec->addresses[spec->n_addresses++], CTL_ADDRESS_MAX, "%s",
			 ip_prefix_format(&result->ips[i].address, buf, sizeof(buf)));
}

static int vhostuser_add(const struct datapath_context *ctx, struct attachment *att,
			 struct cni_result *result, struct cni_error *err)
{
	const struct vhu_conf *c = ctx->dp_conf;
	struct ctl_request req = {.method = CTL_PORT_ADD};
	struct ctl_response resp;
	struct cni_interface *iface;
	char mac[CNI_MAC_STRLEN], msg[512];
	uint8_t mac_bytes[6];
	struct vhu_names n;
	int ret;

	if ((ret = vhu_names_make(att, c, &n, err)))
		return ret;
	if (result->n_interfaces >= CNI_MAX_INTERFACES)
		return cni_error_set(err, CNI_ERR_DATAPATH, ENOSPC,
				     "vhostuser: too many interfaces");
	vhu_mac(att, mac_bytes);
	ctl_mac_format(mac_bytes, mac);
	vhu_port_spec(c, &n, mac_bytes, ctx->slice ? ctx->slice->mtu : 0, result, &req.port);
	/* The class's priority on the switch; unset keeps the daemon's default (and old specs). */
	if (ctx->slice && ctx->slice->switch_priority >= 0)
		req.port.priority = (unsigned int)ctx->slice->switch_priority;
	vhu_pod_identity(att, &req.port);
	snprintf(att->socket_path, sizeof(att->socket_path), "%s", n.socket);
	snprintf(att->daemon_socket, sizeof(att->daemon_socket), "%s", c->daemon_socket);

	ret = vhu_write_files(ctx, att, &n, mac, result, err);
	if (ret)
		goto fail;
	fault_point("vhostuser-after-descriptor");
	ret = vhu_call(c->daemon_socket, c->timeout_ms, &req, &resp, msg, sizeof(msg));
	if (ret) {
		ret = cni_error_set(err, CNI_ERR_DATAPATH, -ret, "vhostuser: %s", msg);
		goto fail;
	}
	ctl_response_free(&resp);
	fault_point("vhostuser-after-port");

	iface = &result->interfaces[result->n_interfaces];
	memset(iface, 0, sizeof(*iface));
	snprintf(iface->name, sizeof(iface->name), "%s", att->ifname);
	snprintf(iface->mac, sizeof(iface->mac), "%s", mac);
	snprintf(iface->sandbox, sizeof(iface->sandbox), "%s", att->netns);
	snprintf(iface->socket_path, sizeof(iface->socket_path), "%s", n.socket);
	iface->mtu = ctx->slice ? ctx->slice->mtu : 0;
	for (unsigned int i = 0; i < result->n_ips; i++)
		result->ips[i].interface = (int)result->n_interfaces;
	result->n_interfaces++;
	log_info("vhostuser: port %s on %s (%s mode, mac %s, %u queue pair(s))", n.port, n.socket,
		 c->mode == CTL_MODE_CLIENT ? "client" : "server", mac, c->queues);
	return 0;
fail:
	vhu_remove_files(c, &n, att->device_info_file);
	return ret;
}

static int vhostuser_check(const struct datapath_context *ctx, const struct attachment *att,
			   const struct cni_result *expected, struct cni_error *err)
{
	const struct vhu_conf *c = ctx->dp_conf;
	struct ctl_request req = {.method = CTL_PORT_LIST};
	struct ctl_response resp;
	struct vhu_names n;
	char msg[512];
	size_t i;
	int ret;

	(void)expected;
	if ((ret = vhu_names_make(att, c, &n, err)))
		return ret;
	ret = vhu_call(vhu_daemon(c, att), c->timeout_ms, &req, &resp, msg, sizeof(msg));
	if (ret)
		return cni_error_set(err, CNI_ERR_CHECK_FAILED, -ret, "check: vhostuser: %s", msg);
	for (i = 0; i < resp.n_ports && strcmp(resp.ports[i].spec.name, n.port); i++)
		;
	if (i == resp.n_ports)
		ret = cni_error_set(err, CNI_ERR_CHECK_FAILED, ENOENT,
				    "check: slicenetd has no port %s", n.port);
	else if (strcmp(resp.ports[i].spec.socket,
			att->socket_path[0] ? att->socket_path : n.socket))
		ret = cni_error_set(err, CNI_ERR_CHECK_FAILED, EINVAL,
				    "check: port %s serves %s, not %s", n.port,
				    resp.ports[i].spec.socket, n.socket);
	ctl_response_free(&resp);
	return ret;
}

/*
 * The config as it was at ADD where the record says so: the socket directory
 * is the recorded socket's grandparent (the config may have changed or broken).
 */
static const struct vhu_conf *
vhu_conf_recorded(const struct vhu_conf *c, const struct attachment *att, struct vhu_conf *local)
{
	char dir[sizeof(att->socket_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", att->socket_path);
	for (int up = 0; up < 2; up++) {
		slash = strrchr(dir, '/');
		if (!slash || slash == dir)
			return c;
		*slash = '\0';
	}
	*local = *c;
	snprintf(local->socket_dir, sizeof(local->socket_dir), "%s", dir);
	return local;
}

static int vhostuser_del(const struct datapath_context *ctx, const struct attachment *att,
			 struct cni_error *err)
{
	struct vhu_conf local;
	const struct vhu_conf *c = vhu_conf_recorded(ctx->dp_conf, att, &local);
	struct ctl_request req = {.method = CTL_PORT_DEL};
	struct ctl_response resp;
	struct vhu_names n;
	char msg[512];
	int ret;

	if ((ret = vhu_names_make(att, c, &n, err)))
		return ret;
	snprintf(req.port.name, sizeof(req.port.name), "%s", n.port);
	ret = vhu_call(vhu_daemon(c, att), c->timeout_ms, &req, &resp, msg, sizeof(msg));
	if (!ret)
		ctl_response_free(&resp);
	else if (ret == -ENOTCONN)
		/* slicenetd drops ports whose directory is gone when it starts again. */
		log_warn("vhostuser: slicenetd is down; port %s will be reconciled at its start",
			 n.port);
	else if (ret != -ENOENT)
		return cni_error_set(err, CNI_ERR_DATAPATH, -ret, "vhostuser: %s", msg);
	vhu_remove_files(c, &n, att->device_info_file);
	return 0;
}

const struct datapath_ops vhostuser_datapath = {
	.name = "vhostuser",
	.conf_size = sizeof(struct vhu_conf),
	.parse = vhostuser_parse,
	.available = vhostuser_available,
	.add = vhostuser_add,
	.check = vhostuser_check,
	.del = vhostuser_del,
};
