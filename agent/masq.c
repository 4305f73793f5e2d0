/* The masquerade table through libnftables. */
#include "agent/masq.h"

#include <errno.h>
#include <nftables/libnftables.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#define TABLE MASQ_TABLE_FAMILY " " MASQ_TABLE_NAME

static int append(char *buf, size_t size, size_t *len, const char *fmt, const char *a,
		  const char *b)
{
	int n = snprintf(buf + *len, size - *len, fmt, a, b);

	if (n < 0 || (size_t)n >= size - *len)
		return -ENAMETOOLONG;
	*len += (size_t)n;
	return 0;
}

/* "{ 10.244.0.0/16, 10.96.0.0/12 }" of the family; "" when there is none. */
static int cluster_set(const struct masq_conf *conf, int family, char *buf, size_t size)
{
	size_t len = 0;
	int ret = 0;

	buf[0] = '\0';
	for (size_t i = 0; ret == 0 && i < conf->n_cluster; i++) {
		char cidr[IP_PREFIX_STRLEN];

		if (conf->cluster[i].addr.family != family)
			continue;
		ip_prefix_format(&conf->cluster[i], cidr, sizeof(cidr));
		ret = append(buf, size, &len, "%s%s", len ? ", " : "{ ", cidr);
	}
	if (ret == 0 && len)
		ret = append(buf, size, &len, "%s%s", " }", "");
	return ret;
}

int masq_script(const struct masq_conf *conf, const struct node *self, char *buf, size_t size)
{
	size_t len = 0;
	int ret;

	/* add + delete: the delete never fails, and the new table replaces the old atomically. */
	ret = append(buf, size, &len,
		     "add table %s%s\ndelete table " TABLE "\ntable " TABLE " {\n"
		     "\tchain postrouting {\n"
		     "\t\ttype nat hook postrouting priority srcnat; policy accept;\n",
		     TABLE, "");
	for (size_t i = 0; ret == 0 && i < self->n_pod_cidrs; i++) {
		const struct ip_prefix *cidr = &self->pod_cidrs[i];
		bool v4 = cidr->addr.family == AF_INET;
		char text[IP_PREFIX_STRLEN], set[MASQ_CLUSTER_MAX * (IP_PREFIX_STRLEN + 2) + 8];

		ret = cluster_set(conf, cidr->addr.family, set, sizeof(set));
		if (ret < 0 || !set[0])
			continue;
		ip_prefix_format(cidr, text, sizeof(text));
		ret = append(buf, size, &len,
			     v4 ? "\t\tip saddr %s ip daddr != %s masquerade\n"
				: "\t\tip6 saddr %s ip6 daddr != %s masquerade\n",
			     text, set);
	}
	if (ret == 0)
		ret = append(buf, size, &len, "\t}\n}\n%s%s", "", "");
	return ret;
}

static int run(const char *script, bool ignore_missing, struct error *err)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	const char *msg;
	int ret = 0;

	if (!nft)
		return error_set(err, ENOMEM, "nftables: nft_ctx_new failed");
	if (nft_ctx_buffer_error(nft) || nft_ctx_buffer_output(nft)) {
		ret = error_set(err, ENOMEM, "nftables: cannot buffer messages");
		goto out;
	}
	if (nft_run_cmd_from_buffer(nft, script)) {
		msg = nft_ctx_get_error_buffer(nft);
		if (ignore_missing && msg && strstr(msg, "No such file or directory"))
			goto out;
		ret = error_set(err, EIO, "nftables: table " TABLE ": %s",
				msg && *msg ? msg : "command failed");
	}
out:
	nft_ctx_free(nft);
	return ret;
}

int masq_apply(const char *script, struct error *err)
{
	return run(script, false, err);
}

int masq_remove(struct error *err)
{
	return run("delete table " TABLE "\n", true, err);
}
