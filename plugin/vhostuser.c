/*
 * The vhostuser datapath: a vhost-user port on slicenetd, the node's DPDK
 * switch, instead of a kernel interface. ADD asks the daemon for a port,
 * creates <socketDir>/<pod>/<ifname>.sock (the pod mounts <socketDir>/<pod>
 * at podSocketDir) and writes <ifname>.json beside it: a Device Information
 * Spec 1.1.0 descriptor plus our fields, so the pod's DPDK app knows its
 * socket, MAC and addresses without any kernel interface.
 *
 * netconf: "vhostuser": {"daemonSocket", "socketDir", "podSocketDir",
 * "mode": "client"|"server" (the switch's role; client survives daemon
 * restarts), "queues", "timeoutMs"}; a slice class may set "queues" too.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/ctl_client.h"
#include "plugin/vhostuser.h"
#include "plugin/datapath.h"
#include "plugin/fault.h"
#include "plugin/ipaddr.h"
#include "plugin/log.h"

#define VHU_DEFAULT_SOCKET_DIR	"/run/slicenet/ports"
#define VHU_DEFAULT_POD_DIR	"/var/run/slicenet"
#define VHU_DEFAULT_TIMEOUT_MS	3000
#define VHU_DEVICE_INFO_VERSION "1.1.0"

struct vhu_conf {
	char daemon_socket[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char socket_dir[PATH_MAX];
	char pod_dir[PATH_MAX];
	enum ctl_port_mode mode;
	unsigned int queues;
	int timeout_ms;
};

/* What one attachment is called on the host, in the daemon and inside the pod. */
struct vhu_names {
	char port[CTL_NAME_MAX];     /* "<container id>/<ifname>" */
	char dir[PATH_MAX];	     /* <socketDir>/<pod> */
	char socket[CTL_SOCKET_MAX]; /* <dir>/<ifname>.sock, host view */
	char descriptor[PATH_MAX];   /* <dir>/<ifname>.json */
	char pod_socket[PATH_MAX];   /* <podSocketDir>/<ifname>.sock, pod view */
};

/* ---- parse: the netconf section (jansson stays in this part and in the descriptor) ---- */

static int vhu_get_string(json_t *obj, const char *key, char *dst, size_t size,
			  struct cni_error *err)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return 0;
	if (!json_is_string(v) || !json_string_length(v) || json_string_length(v) >= size)
		return cni_error_set(
			err, CNI_ERR_INVALID_CONFIG, EINVAL,
			"vhostuser: \"%s\" must be a non-empty string shorter than %zu", key, size);
	memcpy(dst, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

static int vhu_get_uint(json_t *obj, const char *key, long long max, unsigned int *dst,
			struct cni_error *err)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > max)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "vhostuser: \"%s\" must be an integer 1..%lld", key, max);
	*dst = (unsigned int)json_integer_value(v);
	return 0;
}

static int vhu_conf_parse(const struct datapath_context *ctx, struct vhu_conf *c,
			  struct cni_error *err)
{
	json_t *obj = ctx->conf->vhostuser;
	char mode[16] = "client";
	unsigned int timeout = VHU_DEFAULT_TIMEOUT_MS;
	int ret;

	memset(c, 0, sizeof(*c));
	snprintf(c->daemon_socket, sizeof(c->daemon_socket), "%s", CTL_DEFAULT_SOCKET);
	snprintf(c->socket_dir, sizeof(c->socket_dir), "%s", VHU_DEFAULT_SOCKET_DIR);
	snprintf(c->pod_dir, sizeof(c->pod_dir), "%s", VHU_DEFAULT_POD_DIR);
	c->queues = 1;
	if (obj) {
		ret = vhu_get_string(obj, "daemonSocket", c->daemon_socket,
				     sizeof(c->daemon_socket), err);
		if (!ret)
			ret = vhu_get_string(obj, "socketDir", c->socket_dir, sizeof(c->socket_dir),
					     err);
		if (!ret)
			ret = vhu_get_string(obj, "podSocketDir", c->pod_dir, sizeof(c->pod_dir),
					     err);
		if (!ret)
			ret = vhu_get_string(obj, "mode", mode, sizeof(mode), err);
		if (!ret)
			ret = vhu_get_uint(obj, "queues", CTL_MAX_QUEUES, &c->queues, err);
		if (!ret)
			ret = vhu_get_uint(obj, "timeoutMs", 60000, &timeout, err);
		if (ret)
			return ret;
	}
	/* A latency class may want more queue pairs than the network default. */
	if (ctx->slice && ctx->slice->settings) {
		ret = vhu_get_uint(ctx->slice->settings, "queues", CTL_MAX_QUEUES, &c->queues, err);
		if (ret)
			return ret;
	}
	if (!strcmp(mode, "client"))
		c->mode = CTL_MODE_CLIENT;
	else if (!strcmp(mode, "server"))
		c->mode = CTL_MODE_SERVER;
	else
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "vhostuser: \"mode\" \"%s\": want \"client\" or \"server\"",
				     mode);
	c->timeout_ms = (int)timeout;
	return 0;
}

/* runtimeConfig key (a capability the runtime passes), as a string; "" when absent. */
static void vhu_runtime_string(const struct datapath_context *ctx, const char *key, char *dst,
			       size_t size)
{
	json_t *v =
		ctx->conf->runtime_config ? json_object_get(ctx->conf->runtime_config, key) : NULL;

	dst[0] = '\0';
	if (json_is_string(v) && json_string_length(v) < size)
		memcpy(dst, json_string_value(v), json_string_length(v) + 1);
}

/* ---- naming ---- */

static int vhu_names_make(const struct cni_env *env, const struct vhu_conf *c, struct vhu_names *n,
			  struct cni_error *err)
{
	/* The pod UID names the directory when known: the same path for the pod's whole life. */
	const char *pod = env->args.pod_uid[0] ? env->args.pod_uid : env->container_id;

	/* K8S_POD_UID comes from CNI_ARGS: it names one directory, never a path. */
	if (strchr(pod, '/') || !strcmp(pod, ".") || !strcmp(pod, ".."))
		return cni_error_set(err, CNI_ERR_INVALID_ENV, EINVAL,
				     "vhostuser: K8S_POD_UID \"%s\" cannot name a directory", pod);
	if (snprintf(n->port, sizeof(n->port), "%s/%s", env->container_id, env->ifname) >=
		    (int)sizeof(n->port) ||
	    snprintf(n->dir, sizeof(n->dir), "%s/%s", c->socket_dir, pod) >= (int)sizeof(n->dir) ||
	    snprintf(n->descriptor, sizeof(n->descriptor), "%s/%s.json", n->dir, env->ifname) >=
		    (int)sizeof(n->descriptor) ||
	    snprintf(n->pod_socket, sizeof(n->pod_socket), "%s/%s.sock", c->pod_dir, env->ifname) >=
		    (int)sizeof(n->pod_socket))
		return cni_error_set(err, CNI_ERR_DATAPATH, ENAMETOOLONG,
				     "vhostuser: names for %s/%s are too long", env->container_id,
				     env->ifname);
	/* sun_path is 108 bytes and DPDK truncates silently: refuse instead. */
	if (snprintf(n->socket, sizeof(n->socket), "%s/%s.sock", n->dir, env->ifname) >=
		    (int)sizeof(n->socket) ||
	    strlen(n->pod_socket) >= sizeof(n->socket))
		return cni_error_set(err, CNI_ERR_DATAPATH, ENAMETOOLONG,
				     "vhostuser: socket path %s/%s.sock is longer than %zu bytes; "
				     "use a shorter \"socketDir\"",
				     n->dir, env->ifname, sizeof(n->socket) - 1);
	return 0;
}

/* A stable locally administered MAC per (pod, ifname), unless the runtime asked for one. */
static void vhu_mac(const struct datapath_context *ctx, uint8_t mac[6])
{
	const struct cni_env *env = ctx->env;
	const char *parts[5] = {env->args.pod_namespace, "/", env->args.pod_name, "/", env->ifname};
	char requested[CNI_MAC_STRLEN];
	uint64_t hash = 0xcbf29ce484222325ULL;

	vhu_runtime_string(ctx, "mac", requested, sizeof(requested));
	if (requested[0] && !ctl_mac_parse(requested, mac) && !(mac[0] & 1))
		return;
	if (!env->args.pod_name[0])
		parts[2] = env->container_id;
	for (size_t i = 0; i < 5; i++)
		for (const unsigned char *p = (const unsigned char *)parts[i]; *p; p++) {
			hash ^= *p;
			hash *= 0x100000001b3ULL;
		}
	mac[0] = 0x02; /* locally administered, unicast */
	for (int i = 1; i < 6; i++)
		mac[i] = (uint8_t)(hash >> (8 * i));
}

/* ---- encode: the descriptor the pod reads ---- */

static json_t *vhu_device_info(const struct vhu_conf *c, const struct vhu_names *n)
{
	/* Device Information Spec: "mode" is the role of the pod's application. */
	return json_pack("{s:s, s:s, s:{s:s, s:s}}", "type", "vhost-user", "version",
			 VHU_DEVICE_INFO_VERSION, "vhost-user", "mode",
			 c->mode == CTL_MODE_CLIENT ? "server" : "client", "path", n->pod_socket);
}

static json_t *vhu_descriptor(const struct datapath_context *ctx, const struct vhu_conf *c,
			      const struct vhu_names *n, const char *mac,
			      const struct cni_result *result)
{
	json_t *root = vhu_device_info(c, n), *ips = json_array(), *routes = json_array();
	char buf[IP_PREFIX_STRLEN], gw[INET6_ADDRSTRLEN];

	if (!root || !ips || !routes)
		goto fail;
	for (unsigned int i = 0; i < result->n_ips; i++) {
		json_t *ip = json_pack("{s:s}", "address",
				       ip_prefix_format(&result->ips[i].address, buf, sizeof(buf)));

		if (ip && result->ips[i].gateway.family)
			json_object_set_new(ip, "gateway",
					    json_string(ip_address_format(&result->ips[i].gateway,
									  gw, sizeof(gw))));
		if (json_array_append_new(ips, ip))
			goto fail;
	}
	for (unsigned int i = 0; i < result->n_routes; i++) {
		json_t *r = json_pack("{s:s}", "dst",
				      ip_prefix_format(&result->routes[i].dst, buf, sizeof(buf)));

		if (r && result->routes[i].gw.family)
			json_object_set_new(r, "gw",
					    json_string(ip_address_format(&result->routes[i].gw, gw,
									  sizeof(gw))));
		if (json_array_append_new(routes, r))
			goto fail;
	}
	if (json_object_set_new(root, "mac", json_string(mac)) ||
	    json_object_set_new(root, "ips", ips) || json_object_set_new(root, "routes", routes) ||
	    json_object_set_new(root, "mtu", json_integer(ctx->slice ? ctx->slice->mtu : 0)) ||
	    json_object_set_new(root, "queues", json_integer(c->queues)) ||
	    json_object_set_new(root, "slice", json_string(ctx->slice ? ctx->slice->name : "")) ||
	    json_object_set_new(root, "ifname", json_string(ctx->env->ifname)) ||
	    json_object_set_new(root, "containerID", json_string(ctx->env->container_id)) ||
	    json_object_set_new(root, "network", json_string(ctx->conf->name)))
		goto fail_owned;
	return root;
fail:
	json_decref(ips);
	json_decref(routes);
fail_owned:
	json_decref(root);
	return NULL;
}

/* Write-then-rename: the pod never reads half a descriptor. */
static int vhu_write_json(const char *path, json_t *obj, struct cni_error *err)
{
	char tmp[PATH_MAX];
	int ret;

	if (!obj)
		return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "vhostuser: out of memory");
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		json_decref(obj);
		return cni_error_set(err, CNI_ERR_DATAPATH, ENAMETOOLONG, "vhostuser: %s: too long",
				     path);
	}
	ret = json_dump_file(obj, tmp, JSON_INDENT(2));
	json_decref(obj);
	if (ret || rename(tmp, path)) {
		ret = errno ? errno : EIO;
		unlink(tmp);
		return cni_error_set(err, CNI_ERR_DATAPATH, ret, "vhostuser: writing %s: %s", path,
				     strerror(ret));
	}
	return 0;
}

/* ---- act ---- */

static int vhu_call(const struct vhu_conf *c, const struct ctl_request *req,
		    struct ctl_response *resp, char *msg, size_t msg_size)
{
	return ctl_client_call(c->daemon_socket, c->timeout_ms, req, resp, NULL, msg, msg_size);
}

static bool vhostuser_available(const struct datapath_context *ctx, char *why, size_t why_size)
{
	struct ctl_request req = {.method = CTL_VERSION};
	struct ctl_response resp;
	struct cni_error ignored = {0};
	struct vhu_conf c;
	char msg[256];

	if (vhu_conf_parse(ctx, &c, &ignored)) {
		snprintf(why, why_size, "%s", ignored.msg);
		return false;
	}
	/* A short deadline: an absent daemon must not slow down the fallback datapath. */
	c.timeout_ms = c.timeout_ms < 1000 ? c.timeout_ms : 1000;
	if (vhu_call(&c, &req, &resp, msg, sizeof(msg))) {
		snprintf(why, why_size, "%s", msg);
		return false;
	}
	ctl_response_free(&resp);
	if (why_size)
		why[0] = '\0';
	return true;
}

static void vhu_remove_files(const struct vhu_names *n, const char *device_info_file)
{
	unlink(n->descriptor);
	/* Client mode: the pod's app created the socket; it is gone with the pod. */
	unlink(n->socket);
	if (device_info_file && device_info_file[0])
		unlink(device_info_file);
	/* Other interfaces of the same pod may still live here: ENOTEMPTY is fine. */
	rmdir(n->dir);
}

static int vhu_port_del(const struct vhu_conf *c, const struct vhu_names *n, struct cni_error *err)
{
	struct ctl_request req = {.method = CTL_PORT_DEL};
	struct ctl_response resp;
	char msg[512];
	int ret;

	snprintf(req.port.name, sizeof(req.port.name), "%s", n->port);
	ret = vhu_call(c, &req, &resp, msg, sizeof(msg));
	if (!ret) {
		ctl_response_free(&resp);
		return 0;
	}
	if (ret == -ENOENT)
		return 0;
	if (ret == -ENOTCONN) {
		/* slicenetd drops ports whose directory is gone when it starts again. */
		log_warn("vhostuser: slicenetd is down; port %s will be reconciled at its start",
			 n->port);
		return 0;
	}
	return cni_error_set(err, CNI_ERR_DATAPATH, -ret, "vhostuser: %s", msg);
}

static int vhostuser_add(const struct datapath_context *ctx, struct cni_result *result,
			 struct attachment *att, struct cni_error *err)
{
	const struct cni_env *env = ctx->env;
	struct ctl_request req = {.method = CTL_PORT_ADD};
	struct ctl_response resp;
	struct cni_interface *iface;
	char mac[CNI_MAC_STRLEN], info_file[PATH_MAX], msg[512], buf[IP_PREFIX_STRLEN];
	struct vhu_names n;
	struct vhu_conf c;
	int ret;

	ret = vhu_conf_parse(ctx, &c, err);
	if (!ret)
		ret = vhu_names_make(env, &c, &n, err);
	if (ret)
		return ret;
	if (result->n_interfaces >= CNI_MAX_INTERFACES)
		return cni_error_set(err, CNI_ERR_DATAPATH, ENOSPC,
				     "vhostuser: too many interfaces");
	if ((mkdir(c.socket_dir, 0755) && errno != EEXIST) ||
	    (mkdir(n.dir, 0755) && errno != EEXIST))
		return cni_error_set(err, CNI_ERR_DATAPATH, errno, "vhostuser: mkdir %s: %s", n.dir,
				     strerror(errno));

	ctl_port_spec_init(&req.port);
	snprintf(req.port.name, sizeof(req.port.name), "%s", n.port);
	snprintf(req.port.socket, sizeof(req.port.socket), "%s", n.socket);
	req.port.mode = c.mode;
	req.port.queues = c.queues;
	/* The switch drops (and counts) frames over the port's MTU: the slice's, or 1500. */
	if (ctx->slice && ctx->slice->mtu)
		req.port.mtu = ctx->slice->mtu;
	req.port.has_mac = true;
	vhu_mac(ctx, req.port.mac);
	ctl_mac_format(req.port.mac, mac);
	for (unsigned int i = 0; i < result->n_ips && i < CTL_MAX_ADDRESSES; i++)
		snprintf(req.port.addresses[req.port.n_addresses++], CTL_ADDRESS_MAX, "%s",
			 ip_prefix_format(&result->ips[i].address, buf, sizeof(buf)));
	/*
	 * Descriptor first, port second: a crash between the two leaves a
	 * descriptor naming the owner, which is how GC finds the port.
	 */
	ret = vhu_write_json(n.descriptor, vhu_descriptor(ctx, &c, &n, mac, result), err);
	vhu_runtime_string(ctx, "CNIDeviceInfoFile", info_file, sizeof(info_file));
	if (!ret && info_file[0])
		ret = vhu_write_json(info_file, vhu_device_info(&c, &n), err);
	if (ret) {
		vhu_remove_files(&n, info_file);
		return ret;
	}
	fault_point("vhostuser-after-descriptor");
	ret = vhu_call(&c, &req, &resp, msg, sizeof(msg));
	if (ret) {
		vhu_remove_files(&n, info_file);
		return cni_error_set(err, CNI_ERR_DATAPATH, -ret, "vhostuser: %s", msg);
	}
	ctl_response_free(&resp);
	fault_point("vhostuser-after-port");

	iface = &result->interfaces[result->n_interfaces];
	memset(iface, 0, sizeof(*iface));
	snprintf(iface->name, sizeof(iface->name), "%s", env->ifname);
	snprintf(iface->mac, sizeof(iface->mac), "%s", mac);
	snprintf(iface->sandbox, sizeof(iface->sandbox), "%s", env->netns);
	snprintf(iface->socket_path, sizeof(iface->socket_path), "%s", n.socket);
	iface->mtu = ctx->slice ? ctx->slice->mtu : 0;
	for (unsigned int i = 0; i < result->n_ips; i++)
		result->ips[i].interface = (int)result->n_interfaces;
	result->n_interfaces++;
	snprintf(att->socket_path, sizeof(att->socket_path), "%s", n.socket);
	log_info("vhostuser: port %s on %s (%s mode, mac %s, %u queue pair(s))", n.port, n.socket,
		 c.mode == CTL_MODE_CLIENT ? "client" : "server", mac, c.queues);
	return 0;
}

static int vhostuser_check(const struct datapath_context *ctx, const struct attachment *att,
			   const struct cni_result *expected, struct cni_error *err)
{
	struct ctl_request req = {.method = CTL_PORT_LIST};
	struct ctl_response resp;
	struct vhu_names n;
	struct vhu_conf c;
	char msg[512];
	size_t i;
	int ret;

	(void)expected;
	ret = vhu_conf_parse(ctx, &c, err);
	if (!ret)
		ret = vhu_names_make(ctx->env, &c, &n, err);
	if (ret)
		return ret;
	ret = vhu_call(&c, &req, &resp, msg, sizeof(msg));
	if (ret)
		return cni_error_set(err, CNI_ERR_CHECK_FAILED, -ret, "check: vhostuser: %s", msg);
	for (i = 0; i < resp.n_ports && strcmp(resp.ports[i].spec.name, n.port); i++)
		;
	if (i == resp.n_ports)
		ret = cni_error_set(err, CNI_ERR_CHECK_FAILED, ENOENT,
				    "check: slicenetd has no port %s", n.port);
	else if (strcmp(resp.ports[i].spec.socket,
			att && att->socket_path[0] ? att->socket_path : n.socket))
		ret = cni_error_set(err, CNI_ERR_CHECK_FAILED, EINVAL,
				    "check: port %s serves %s, not %s", n.port,
				    resp.ports[i].spec.socket, n.socket);
	else if (access(n.descriptor, R_OK))
		ret = cni_error_set(err, CNI_ERR_CHECK_FAILED, ENOENT,
				    "check: descriptor %s is missing", n.descriptor);
	ctl_response_free(&resp);
	return ret;
}

static int vhostuser_del(const struct datapath_context *ctx, const struct attachment *att,
			 struct cni_error *err)
{
	char info_file[PATH_MAX];
	struct vhu_names n;
	struct vhu_conf c;
	int ret;

	(void)att;
	ret = vhu_conf_parse(ctx, &c, err);
	if (!ret)
		ret = vhu_names_make(ctx->env, &c, &n, err);
	if (ret)
		return ret;
	ret = vhu_port_del(&c, &n, err);
	if (ret)
		return ret;
	vhu_runtime_string(ctx, "CNIDeviceInfoFile", info_file, sizeof(info_file));
	vhu_remove_files(&n, info_file);
	return 0;
}

/* GC of one pod directory: descriptors of this network whose owner is not valid. */
static int vhu_gc_dir(const struct datapath_context *ctx, const struct vhu_conf *c, const char *pod,
		      bool (*is_valid)(const char *, const char *, void *), void *arg,
		      struct cni_error *err)
{
	char dir[PATH_MAX], path[PATH_MAX * 2];
	struct dirent *de;
	int first = 0;
	DIR *d;

	if (snprintf(dir, sizeof(dir), "%s/%s", c->socket_dir, pod) >= (int)sizeof(dir) ||
	    !(d = opendir(dir)))
		return 0;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		const char *id, *ifname, *network;
		json_t *desc;

		if (len <= 5 || strcmp(de->d_name + len - 5, ".json"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		desc = json_load_file(path, 0, NULL);
		id = json_string_value(json_object_get(desc, "containerID"));
		ifname = json_string_value(json_object_get(desc, "ifname"));
		network = json_string_value(json_object_get(desc, "network"));
		if (id && ifname && network && !strcmp(network, ctx->conf->name) &&
		    strlen(id) < CNI_CONTAINER_ID_MAX && strlen(ifname) < IFNAMSIZ &&
		    strlen(pod) < CNI_ARGS_VALUE_MAX && !is_valid(id, ifname, arg)) {
			struct cni_env env = *ctx->env;
			struct datapath_context one = {.env = &env, .conf = ctx->conf};
			int ret;

			log_info("vhostuser: GC: port %s/%s of a stale attachment", id, ifname);
			snprintf(env.container_id, sizeof(env.container_id), "%s", id);
			snprintf(env.ifname, sizeof(env.ifname), "%s", ifname);
			snprintf(env.args.pod_uid, sizeof(env.args.pod_uid), "%s", pod);
			env.netns[0] = '\0';
			ret = vhostuser_del(&one, NULL, err);
			if (ret && !first)
				first = ret;
		}
		json_decref(desc);
	}
	closedir(d);
	return first;
}

/*
 * GC: ports of this network that no record describes (a crash between the
 * descriptor and the record), found through the descriptors ADD writes first.
 */
static int vhostuser_gc(const struct datapath_context *ctx,
			bool (*is_valid)(const char *container_id, const char *ifname, void *arg),
			void *arg, struct cni_error *err)
{
	struct dirent *de;
	struct vhu_conf c;
	int first = 0, ret;
	DIR *d;

	if (!ctx->conf->vhostuser)
		return 0;
	ret = vhu_conf_parse(ctx, &c, err);
	if (ret)
		return ret;
	d = opendir(c.socket_dir);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		ret = vhu_gc_dir(ctx, &c, de->d_name, is_valid, arg, err);
		if (ret && !first)
			first = ret;
	}
	closedir(d);
	return first;
}

const struct datapath_ops vhostuser_datapath = {
	.name = "vhostuser",
	.available = vhostuser_available,
	.add = vhostuser_add,
	.check = vhostuser_check,
	.del = vhostuser_del,
	.gc = vhostuser_gc,
};
