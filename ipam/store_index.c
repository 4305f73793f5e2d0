/*
 * Format: a header line "slicenet-ipam-index 1 <entries> <body bytes> <fnv1a64
 * of the body in hex>", then one line per entry:
 *   "<address> <inode> o <containerID> =<ifname>"  (ifname may be empty)
 *   "<address> <inode> c"                          (a corrupt record)
 * IDs and ifnames never hold blanks (the disk store refuses such records), so
 * blanks separate fields. The checksum makes a torn write an unusable index,
 * never a wrong one.
 */
#include "ipam/store_index.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INDEX_MAGIC "slicenet-ipam-index 1"

static uint64_t fnv1a(const char *data, size_t size)
{
	uint64_t hash = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < size; i++) {
		hash ^= (unsigned char)data[i];
		hash *= 0x100000001b3ULL;
	}
	return hash;
}

static int compare_entries(const void *a, const void *b)
{
	return strcmp(((const struct store_index_entry *)a)->res.key,
		      ((const struct store_index_entry *)b)->res.key);
}

/* Copy the next blank-separated token of line into out (size bytes); false if none or too long. */
static bool next_token(char **line, char *out, size_t size)
{
	char *start = *line, *end;
	size_t len;

	while (*start == ' ')
		start++;
	end = start + strcspn(start, " ");
	len = (size_t)(end - start);
	if (!len || len >= size)
		return false;
	memcpy(out, start, len);
	out[len] = '\0';
	*line = end;
	return true;
}

static bool parse_line(char *line, struct store_index_entry *e)
{
	char ino[24], kind[2], ifname[IFNAMSIZ + 1], *end;

	memset(e, 0, sizeof(*e));
	if (!next_token(&line, e->res.key, sizeof(e->res.key)) ||
	    ip_address_parse(e->res.key, &e->res.ip) || !next_token(&line, ino, sizeof(ino)) ||
	    !next_token(&line, kind, sizeof(kind)))
		return false;
	errno = 0;
	e->ino = strtoull(ino, &end, 10);
	if (errno || *end)
		return false;
	if (!strcmp(kind, "c")) {
		e->res.corrupt = true;
		return !*line;
	}
	if (strcmp(kind, "o") ||
	    !next_token(&line, e->res.container_id, sizeof(e->res.container_id)))
		return false;
	while (*line == ' ')
		line++;
	if (*line != '=' || strlen(line + 1) >= sizeof(e->res.ifname))
		return false;
	snprintf(ifname, sizeof(ifname), "%s", line + 1);
	memcpy(e->res.ifname, ifname, strlen(ifname) + 1);
	return true;
}

int store_index_parse(const char *text, size_t size, struct store_index *out)
{
	size_t n = 0, body_size = 0, used = 0;
	uint64_t sum = 0;
	const char *body = memchr(text, '\n', size);
	char *copy = NULL, *line, *save = NULL;
	int ret = -EUCLEAN;

	memset(out, 0, sizeof(*out));
	if (!body || sscanf(text, INDEX_MAGIC " %zu %zu %" SCNx64, &n, &body_size, &sum) != 3)
		return -EUCLEAN;
	body++;
	if (body_size > size - (size_t)(body - text) || fnv1a(body, body_size) != sum ||
	    n > body_size / 8 || memchr(body, '\0', body_size))
		return -EUCLEAN;
	copy = malloc(body_size + 1);
	out->entries = calloc(n ? n : 1, sizeof(*out->entries));
	if (!copy || !out->entries) {
		ret = -ENOMEM;
		goto fail;
	}
	memcpy(copy, body, body_size);
	copy[body_size] = '\0';
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (used == n || !parse_line(line, &out->entries[used++]))
			goto fail;
	if (used != n)
		goto fail;
	out->n = n;
	qsort(out->entries, n, sizeof(*out->entries), compare_entries);
	free(copy);
	return 0;

fail:
	free(copy);
	store_index_free(out);
	return ret;
}

const struct store_index_entry *store_index_find(const struct store_index *index, const char *key)
{
	struct store_index_entry probe;

	if (!index->n || strlen(key) >= sizeof(probe.res.key))
		return NULL;
	strcpy(probe.res.key, key);
	return bsearch(&probe, index->entries, index->n, sizeof(*index->entries), compare_entries);
}

char *store_index_encode(const struct store_index_entry *entries, size_t n, size_t *size)
{
	/* Longest line: key, inode, kind, id, ifname, blanks, '=', newline. */
	size_t line_max = INET6_ADDRSTRLEN + 21 + 2 + IPAM_STORE_ID_MAX + IFNAMSIZ + 8;
	size_t header_max = sizeof(INDEX_MAGIC) + 3 * 21 + 4, body_size = 0;
	char *text = malloc(header_max + n * line_max + 1), *body, header[128];
	int len;

	if (!text)
		return NULL;
	body = text + header_max;
	for (size_t i = 0; i < n; i++) {
		const struct ipam_reservation *r = &entries[i].res;

		if (r->corrupt)
			len = snprintf(body + body_size, line_max, "%s %" PRIu64 " c\n", r->key,
				       entries[i].ino);
		else
			len = snprintf(body + body_size, line_max, "%s %" PRIu64 " o %s =%s\n",
				       r->key, entries[i].ino, r->container_id, r->ifname);
		body_size += (size_t)len;
	}
	len = snprintf(header, sizeof(header), INDEX_MAGIC " %zu %zu %016" PRIx64 "\n", n,
		       body_size, fnv1a(body, body_size));
	memmove(text + len, body, body_size);
	memcpy(text, header, (size_t)len);
	*size = (size_t)len + body_size;
	text[*size] = '\0';
	return text;
}

void store_index_free(struct store_index *index)
{
	free(index->entries);
	index->entries = NULL;
	index->n = 0;
}
