/* libFuzzer target: streaming a blob out of a hostile repository's object
 * store (engine/gitstream.c), as `weft run --rev` does. The first byte
 * picks what the rest of the input is:
 *   0: a loose object file;
 *   1: a pack, found through a well-formed version-2 index that points at
 *      offset 12 (the first entry) with the input's CRC-32;
 *   2: a pack index, in front of a fixed small pack.
 * Whatever the bytes, the reader must end (no hang, no overread) with
 * WEFT_OK, WEFT_ENOTFOUND or an error, and never hand out more bytes than
 * the object's header declares. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "gitstream.h"
#include "weft/plugin.h"

#define OID "0123456789abcdef0123456789abcdef01234567"

static char dir[128];

static void put(const char *p, const void *data, size_t len)
{
	FILE *f = fopen(p, "wb");
	if (!f)
		abort();
	if (len)
		fwrite(data, 1, len, f);
	fclose(f);
}

static void be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* A version-2 index holding OID alone, at offset 12. */
static size_t make_idx(unsigned char *idx, uint32_t crc)
{
	memset(idx, 0, 8 + 1024 + 28 + 40);
	memcpy(idx, "\377tOc", 4);
	be32(idx + 4, 2);
	for (int i = 0x01; i < 256; i++)
		be32(idx + 8 + i * 4, 1); /* the id starts with byte 0x01 */
	unsigned char *id = idx + 8 + 1024;
	for (int i = 0; i < 20; i++) {
		unsigned v;
		sscanf(&OID[2 * i], "%2x", &v);
		id[i] = (unsigned char)v;
	}
	be32(id + 20, crc);
	be32(id + 24, 12);
	return 8 + 1024 + 28 + 40;
}

typedef struct seen {
	uint64_t n;
} seen;

static int sink(void *ctx, const void *data, size_t len)
{
	(void)data;
	((seen *)ctx)->n += len;
	return WEFT_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!dir[0]) {
		snprintf(dir, sizeof dir, "/tmp/fuzz_gitstream.%d", (int)getpid());
		char p[256];
		mkdir(dir, 0700);
		snprintf(p, sizeof p, "%s/01", dir);
		mkdir(p, 0700);
		snprintf(p, sizeof p, "%s/pack", dir);
		mkdir(p, 0700);
	}
	if (size < 1)
		return 0;
	char loose[256], idxp[256], packp[256];
	snprintf(loose, sizeof loose, "%s/01/%s", dir, &OID[2]);
	snprintf(idxp, sizeof idxp, "%s/pack/p.idx", dir);
	snprintf(packp, sizeof packp, "%s/pack/p.pack", dir);
	unlink(loose);
	unlink(idxp);
	unlink(packp);
	const uint8_t *body = data + 1;
	size_t n = size - 1;
	static unsigned char idx[8 + 1024 + 28 + 40];
	switch (data[0] % 3) {
	case 0:
		put(loose, body, n);
		break;
	case 1: {
		/* "PACK", version, count, then the entry; a trailer of 20 */
		unsigned char *pack = malloc(12 + n + 20);
		if (!pack)
			return 0;
		memcpy(pack, "PACK\0\0\0\2\0\0\0\1", 12);
		memcpy(pack + 12, body, n);
		memset(pack + 12 + n, 0, 20);
		put(packp, pack, 12 + n + 20);
		free(pack);
		put(idxp, idx, make_idx(idx, (uint32_t)crc32(0L, body, (uInt)n)));
		break;
	}
	default: {
		/* one blob entry, "hello": type 3, size 5, then its zlib stream */
		static const unsigned char pack[] = {'P', 'A', 'C', 'K', 0, 0, 0, 2, 0, 0, 0, 1, 0x35, 0x78, 0x9c, 0xcb,
						     0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x06, 0x2c, 0x02, 0x15, 0, 0, 0, 0,
						     0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
		put(packp, pack, sizeof pack);
		put(idxp, body, n);
		break;
	}
	}
	seen s = {0};
	uint64_t got = 0;
	int rc = gitstream_blob(dir, OID, sink, &s, &got);
	if (rc == WEFT_OK && got != s.n)
		abort(); /* the size said is the size given */
	return 0;
}
