/*
 * The one data model of a CNI result, shared by the plugin, the IPAM library
 * and slicenet-ipam. Version-specific JSON shapes live in cni_result.c only.
 */
#ifndef SLICENET_PLUGIN_CNI_TYPES_H
#define SLICENET_PLUGIN_CNI_TYPES_H

#include <net/if.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/un.h>

#include "plugin/util/ipaddr.h"

#define CNI_MAX_INTERFACES  8
#define CNI_MAX_IPS	    8
#define CNI_MAX_ROUTES	    32
#define CNI_MAX_DNS_ENTRIES 8
#define CNI_VERSION_STRLEN  16
#define CNI_MAC_STRLEN	    18 /* "aa:bb:cc:dd:ee:ff" + NUL */

struct cni_interface {
	char name[IFNAMSIZ];
	char mac[CNI_MAC_STRLEN]; /* "" when unknown */
	char sandbox[PATH_MAX];	  /* "" for host-side interfaces */
	unsigned int mtu;	  /* 1.1.0; 0 = not reported */
	char socket_path[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* 1.1.0 */
	char pci_id[64];					       /* 1.1.0 */
};

struct cni_ip {
	struct ip_prefix address;  /* address with its subnet length */
	struct ip_address gateway; /* family 0 = no gateway */
	int interface;		   /* index into interfaces, -1 = none */
};

struct cni_route {
	struct ip_prefix dst;
	struct ip_address gw; /* family 0 = no gateway */
	/* 1.1.0 optional fields; 0 (scope: -1) = not set */
	unsigned int mtu;
	unsigned int advmss;
	unsigned int priority;
	unsigned int table;
	int scope;
};

struct cni_dns {
	char nameservers[CNI_MAX_DNS_ENTRIES][INET6_ADDRSTRLEN];
	unsigned int n_nameservers;
	char domain[256];
	char search[CNI_MAX_DNS_ENTRIES][256];
	unsigned int n_search;
	char options[CNI_MAX_DNS_ENTRIES][128];
	unsigned int n_options;
};

struct cni_result {
	struct cni_interface interfaces[CNI_MAX_INTERFACES];
	unsigned int n_interfaces;
	struct cni_ip ips[CNI_MAX_IPS];
	unsigned int n_ips;
	struct cni_route routes[CNI_MAX_ROUTES];
	unsigned int n_routes;
	struct cni_dns dns;
};

/* Zero a result and mark every route scope as unset. */
void cni_result_init(struct cni_result *result);

#endif
