/*
 * hash.c -- SHA-256 (sha256.c) over bytes, streams and files, as hex. Files
 * are streamed in 64 KiB chunks so hashing a large artifact never needs it
 * in memory.
 */
#include "hash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sha256.h"
#include "util.h"

struct weft_hasher {
	weft_sha256 ctx;
};

weft_hasher *weft_hasher_new(void)
{
	weft_hasher *h = malloc(sizeof *h);
	if (h)
		weft_sha256_init(&h->ctx);
	return h;
}

weft_hasher *weft_hasher_dup(const weft_hasher *h)
{
	weft_hasher *d = malloc(sizeof *d);
	if (d)
		*d = *h;
	return d;
}

int weft_hasher_update(weft_hasher *h, const void *data, size_t len)
{
	weft_sha256_update(&h->ctx, data, len);
	return WEFT_OK;
}

void weft_hash_hex(char out[WEFT_HASH_HEX], const unsigned char md[32])
{
	static const char hexd[] = "0123456789abcdef";
	for (unsigned int i = 0; i < 32; i++) {
		out[2 * i] = hexd[md[i] >> 4];
		out[2 * i + 1] = hexd[md[i] & 15];
	}
	out[64] = '\0';
}

int weft_hasher_final(weft_hasher *h, char out[WEFT_HASH_HEX])
{
	unsigned char md[32];
	weft_sha256_final(&h->ctx, md);
	free(h);
	weft_hash_hex(out, md);
	return WEFT_OK;
}

void weft_hasher_free(weft_hasher *h)
{
	free(h);
}

int weft_hash_bytes(char out[WEFT_HASH_HEX], const void *data, size_t len)
{
	weft_sha256 c;
	unsigned char md[32];
	weft_sha256_init(&c);
	weft_sha256_update(&c, data, len);
	weft_sha256_final(&c, md);
	weft_hash_hex(out, md);
	return WEFT_OK;
}

int weft_hash_fd(char out[WEFT_HASH_HEX], int fd, uint64_t *size)
{
	return weft_hash_fd_known(out, fd, UINT64_MAX, size);
}

int weft_hash_fd_known(char out[WEFT_HASH_HEX], int fd, uint64_t known, uint64_t *size)
{
	weft_hasher *h = weft_hasher_new();
	if (!h)
		return weft_err_set(WEFT_ERROR, "cannot create sha256 context");
	char buf[65536];
	uint64_t total = 0;
	for (;;) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			weft_hasher_free(h);
			return weft_err_set(WEFT_EIO, "%s", strerror(e));
		}
		if (r == 0)
			break;
		total += (uint64_t)r;
		if (weft_hasher_update(h, buf, (size_t)r) != WEFT_OK) {
			weft_hasher_free(h);
			return WEFT_ERROR;
		}
		/* A short read that reaches the size the caller saw is the end:
		 * the read that would return 0 is skipped (the caller's fstat
		 * after the hash tells whether the file grew meanwhile). */
		if ((size_t)r < sizeof buf && total == known)
			break;
	}
	if (size)
		*size = total;
	return weft_hasher_final(h, out);
}

int weft_hash_file(char out[WEFT_HASH_HEX], const char *path, uint64_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return weft_err_set(errno == ENOENT ? WEFT_ENOTFOUND : WEFT_EIO, "cannot open %s: %s", path,
				    strerror(errno));
	int rc = weft_hash_fd(out, fd, size);
	close(fd);
	if (rc == WEFT_EIO) {
		char why[256]; /* the message is rewritten in its own buffer */
		snprintf(why, sizeof why, "%s", weft_error_last());
		rc = weft_err_set(WEFT_EIO, "cannot read %s: %s", path, why);
	}
	return rc;
}

/* 0x80 in each byte of w that holds '0'-'9' or 'a'-'f', for bytes under
 * 0x80 (adding at most 0x50 to such a byte carries into no other). */
static uint64_t hex_bytes(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	uint64_t ge0 = w + ones * (0x80 - '0'), gecolon = w + ones * (0x80 - '9' - 1);
	uint64_t gea = w + ones * (0x80 - 'a'), geg = w + ones * (0x80 - 'f' - 1);
	return ((ge0 & ~gecolon) | (gea & ~geg)) & high;
}

int weft_hash_hex64_at(const void *p)
{
	const unsigned char *s = p;
	for (int i = 0; i < 64; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		if ((w & 0x8080808080808080ULL) || hex_bytes(w) != 0x8080808080808080ULL)
			return 0;
	}
	return 1;
}

int weft_hash_is_hex(const char *s)
{
	/* strnlen first (a NUL ends the string: nothing past it is read),
	 * then eight bytes a step: a branch per character was the single
	 * largest cost of a 10,000-node no-op run (4 artifacts a node). */
	return s && strnlen(s, 65) == 64 && weft_hash_hex64_at(s);
}
