/*
 * Format: a header line "slicenet-ipam-index 2 <entries> <body bytes> <checksum
 * of the body in hex>", then one line per entry:
 *   "<address> <inode> o <containerID> =<ifname>"  (ifname may be empty)
 *   "<address> <inode> c"                          (a corrupt record)
 * IDs and ifnames never hold blanks (the disk store refuses such records), so
 * one blank separates fields. The checksum makes a torn write an unusable
 * index, never a wrong one. Keys are not parsed as addresses here: the store
 * looks entries up by the names of files it has already parsed.
 *
 * Parsing and writing are per byte, not per sscanf/snprintf call, and the
 * lookup is a hash table, not a sort: at 500 reservations every ADD does both.
 */
#include "ipam/store_index.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Version 1 had a byte-wise FNV-1a checksum: such an index is rebuilt once. */
#define INDEX_MAGIC "slicenet-ipam-index 2"
static uint64_t rotl(uint64_t v, unsigned int bits)
{
	return (v << bits) | (v >> (64 - bits));
}

/*
 * FNV-1a's step on 64-bit words in four lanes: byte-wise FNV-1a over a
 * 40 KB index (500 reservations) took ~60 us per read and again per write.
 * Each step is a bijection of the lane, so any one changed word changes the
 * sum; it only has to catch a torn write, not an adversary.
 */
static uint64_t checksum(const char *data, size_t size)
{
	const uint64_t prime = 0x100000001b3ULL;
	uint64_t lane[4] = {0xcbf29ce484222325ULL, 1, 2, 3}, sum;
	size_t i = 0;

	for (; i + 32 <= size; i += 32)
		for (int k = 0; k < 4; k++) {
			uint64_t word;

			memcpy(&word, data + i + 8 * k, sizeof(word));
			lane[k] = rotl((lane[k] ^ word) * prime, 29);
		}
	sum = lane[0] ^ rotl(lane[1], 16) ^ rotl(lane[2], 32) ^ rotl(lane[3], 48) ^ size;
	return sum ^ slot_table_hash(data + i, size - i);
}

static uint64_t hash_key(const char *key)
{
	return slot_table_hash(key, strlen(key));
}

/* Split the next blank-ended token off *line, NUL-terminating it; NULL if empty or too long. */
static char *take_token(char **line, size_t max)
{
	char *start = *line, *end = start + strcspn(start, " ");
	size_t len = (size_t)(end - start);

	if (!len || len >= max)
		return NULL;
	if (*end)
		*end++ = '\0';
	*line = end;
	return start;
}

static bool parse_line(char *line, struct store_index_entry *e)
{
	char *ino, *kind, *end;

	memset(e, 0, sizeof(*e));
	if (!(e->key = take_token(&line, INET6_ADDRSTRLEN)) || !(ino = take_token(&line, 24)) ||
	    !(kind = take_token(&line, 2)))
		return false;
	errno = 0;
	e->ino = strtoull(ino, &end, 10);
	if (errno || *end)
		return false;
	if (!strcmp(kind, "c")) {
		e->corrupt = true;
		e->container_id = e->ifname = "";
		return !*line;
	}
	if (strcmp(kind, "o") || !(e->container_id = take_token(&line, IPAM_STORE_ID_MAX)) ||
	    *line != '=' || strlen(line + 1) >= IFNAMSIZ)
		return false;
	e->ifname = line + 1;
	return true;
}

/* 0, -EUCLEAN when a key is there twice, -ENOMEM. */
static int index_hash(struct store_index *index)
{
	struct slot_table *t = &index->table;
	int ret = slot_table_init(t, index->n);

	for (size_t i = 0; !ret && i < index->n; i++) {
		size_t slot = slot_table_first(t, hash_key(index->entries[i].key));

		for (; t->slots[slot] != SLOT_TABLE_FREE; slot = slot_table_next(t, slot))
			if (!strcmp(index->entries[t->slots[slot]].key, index->entries[i].key))
				return -EUCLEAN;
		t->slots[slot] = (uint32_t)i;
	}
	return ret;
}

int store_index_parse(char *text, size_t size, struct store_index *out)
{
	size_t n = 0, body_size = 0, used = 0;
	uint64_t sum = 0;
	char *body = memchr(text, '\n', size), *line, *save = NULL;
	int ret = -EUCLEAN;

	memset(out, 0, sizeof(*out));
	text[size] = '\0'; /* sscanf reads the header up to a NUL */
	if (!body || sscanf(text, INDEX_MAGIC " %zu %zu %" SCNx64, &n, &body_size, &sum) != 3) {
		free(text);
		return -EUCLEAN;
	}
	out->text = text;
	body++;
	if (body_size > size - (size_t)(body - text) || checksum(body, body_size) != sum ||
	    n > body_size / 8 || n >= SLOT_TABLE_FREE / 4 || memchr(body, '\0', body_size))
		goto fail;
	out->entries = calloc(n ? n : 1, sizeof(*out->entries));
	if (!out->entries) {
		ret = -ENOMEM;
		goto fail;
	}
	body[body_size] = '\0';
	for (line = strtok_r(body, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (used == n || !parse_line(line, &out->entries[used++]))
			goto fail;
	if (used != n)
		goto fail;
	out->n = n;
	ret = index_hash(out);
	if (ret)
		goto fail;
	return 0;

fail:
	store_index_free(out);
	return ret;
}

const struct store_index_entry *store_index_find(const struct store_index *index, const char *key)
{
	const struct slot_table *t = &index->table;

	if (!index->n)
		return NULL;
	for (size_t s = slot_table_first(t, hash_key(key)); t->slots[s] != SLOT_TABLE_FREE;
	     s = slot_table_next(t, s))
		if (!strcmp(index->entries[t->slots[s]].key, key))
			return &index->entries[t->slots[s]];
	return NULL;
}

static char *put(char *p, const char *s)
{
	size_t len = strlen(s);

	memcpy(p, s, len);
	return p + len;
}

static char *put_u64(char *p, uint64_t v)
{
	char digits[24];
	size_t n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = digits[--n];
	return p;
}

char *store_index_encode(const struct ipam_reservation *res, const uint64_t *inos, size_t n,
			 size_t *size)
{
	/* Fixed part of a line: inode (20 digits), kind, blanks, '=', newline. */
	size_t header_max = sizeof(INDEX_MAGIC) + 3 * 21 + 4, body_max = 0, body_size;
	char *text, *body, *p, header[128];
	int len;

	for (size_t i = 0; i < n; i++)
		body_max +=
			strlen(res[i].key) + 20 + 8 +
			(res[i].corrupt ? 0 : strlen(res[i].container_id) + strlen(res[i].ifname));
	text = malloc(header_max + body_max + 1);
	if (!text)
		return NULL;
	body = p = text + header_max;
	for (size_t i = 0; i < n; i++) {
		p = put(p, res[i].key);
		*p++ = ' ';
		p = put_u64(p, inos[i]);
		if (res[i].corrupt) {
			p = put(p, " c\n");
			continue;
		}
		p = put(p, " o ");
		p = put(p, res[i].container_id);
		p = put(p, " =");
		p = put(p, res[i].ifname);
		*p++ = '\n';
	}
	body_size = (size_t)(p - body);
	len = snprintf(header, sizeof(header), INDEX_MAGIC " %zu %zu %016" PRIx64 "\n", n,
		       body_size, checksum(body, body_size));
	memmove(text + len, body, body_size);
	memcpy(text, header, (size_t)len);
	*size = (size_t)len + body_size;
	text[*size] = '\0';
	return text;
}

void store_index_free(struct store_index *index)
{
	free(index->entries);
	slot_table_free(&index->table);
	free(index->text);
	memset(index, 0, sizeof(*index));
}
