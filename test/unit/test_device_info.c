/* The one encoder for Device Information Spec files and our descriptors. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/cni/cni_result.h"
#include "plugin/cni/device_info.h"
#include "plugin/util/ipaddr.h"

static json_t *decode(char *text)
{
	json_t *root;

	cr_assert_not_null(text);
	root = json_loads(text, 0, NULL);
	free(text);
	cr_assert_not_null(root);
	return root;
}

static const char *str(const json_t *root, const char *path1, const char *path2)
{
	const json_t *v = json_object_get(root, path1);

	if (path2)
		v = json_object_get(v, path2);
	return json_string_value(v);
}

static void one_address(struct cni_result *r)
{
	cni_result_init(r);
	cr_assert_eq(ip_prefix_parse("10.9.0.4/24", &r->ips[0].address), 0);
	cr_assert_eq(ip_address_parse("10.9.0.1", &r->ips[0].gateway), 0);
	r->n_ips = 1;
	cr_assert_eq(ip_prefix_parse("0.0.0.0/0", &r->routes[0].dst), 0);
	cr_assert_eq(ip_address_parse("10.9.0.1", &r->routes[0].gw), 0);
	r->n_routes = 1;
}

Test(device_info, vhost_user_spec_object)
{
	struct device_info info = {DEVICE_INFO_VHOST_USER, "server", "/var/run/slicenet/net1.sock",
				   NULL, NULL};
	json_t *root = decode(device_info_encode(&info, NULL));

	cr_assert_str_eq(str(root, "type", NULL), "vhost-user");
	cr_assert_str_eq(str(root, "version", NULL), DEVICE_INFO_VERSION);
	cr_assert_str_eq(str(root, "vhost-user", "mode"), "server");
	cr_assert_str_eq(str(root, "vhost-user", "path"), "/var/run/slicenet/net1.sock");
	cr_assert_null(json_object_get(root, "ips"), "no descriptor part asked for");
	json_decref(root);
}

Test(device_info, pci_spec_object)
{
	struct device_info info = {DEVICE_INFO_PCI, NULL, NULL, "0000:3b:02.1", "0000:3b:00.0"};
	json_t *root = decode(device_info_encode(&info, NULL));

	cr_assert_str_eq(str(root, "type", NULL), "pci");
	cr_assert_str_eq(str(root, "pci", "pci-address"), "0000:3b:02.1");
	cr_assert_str_eq(str(root, "pci", "pf-pci-address"), "0000:3b:00.0");
	json_decref(root);
}

Test(device_info, vhost_user_descriptor_carries_addresses)
{
	struct device_info info = {DEVICE_INFO_VHOST_USER, "client", "/p/net1.sock", NULL, NULL};
	struct cni_result r;
	struct device_descriptor desc = {
		"net1", "02:00:00:00:00:01", 9000, 2, "urllc", "ctr", "edge", &r};
	json_t *root, *ip;

	one_address(&r);
	root = decode(device_info_encode(&info, &desc));
	cr_assert_str_eq(str(root, "vhost-user", "mode"), "client");
	cr_assert_str_eq(str(root, "mac", NULL), "02:00:00:00:00:01");
	cr_assert_eq(json_integer_value(json_object_get(root, "mtu")), 9000);
	cr_assert_eq(json_integer_value(json_object_get(root, "queues")), 2);
	cr_assert_str_eq(str(root, "slice", NULL), "urllc");
	ip = json_array_get(json_object_get(root, "ips"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(ip, "address")), "10.9.0.4/24");
	cr_assert_str_eq(json_string_value(json_object_get(ip, "gateway")), "10.9.0.1");
	cr_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(json_object_get(root, "routes"), 0), "dst")),
			 "0.0.0.0/0");
	json_decref(root);
}

Test(device_info, pci_descriptor)
{
	struct cni_result r;
	struct device_pci_descriptor d = {
		"net1", "0000:3b:02.1", "0000:3b:00.0", "vfio-pci", "/dev/vfio/42", 1, &r};
	json_t *root;

	one_address(&r);
	root = decode(device_pci_descriptor_encode(&d));
	cr_assert_str_eq(str(root, "pciAddress", NULL), "0000:3b:02.1");
	cr_assert_str_eq(str(root, "vfioDevice", NULL), "/dev/vfio/42");
	cr_assert_eq(json_integer_value(json_object_get(root, "numaNode")), 1);
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(root, "ips"), 0)),
			 "10.9.0.4/24");
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(root, "gateways"), 0)),
			 "10.9.0.1");
	d.vfio_device = "";
	json_decref(root);
	root = decode(device_pci_descriptor_encode(&d));
	cr_assert_null(json_object_get(root, "vfioDevice"), "no VFIO group: no key");
	json_decref(root);
}
