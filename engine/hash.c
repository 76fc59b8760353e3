/*
 * hash.c -- SHA-256 via OpenSSL's EVP interface. Files are streamed in 64 KiB
 * chunks so hashing a large artifact never needs it in memory.
 */
#include "hash.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

struct weft_hasher {
	EVP_MD_CTX *ctx;
};

weft_hasher *weft_hasher_new(void)
{
	weft_hasher *h = calloc(1, sizeof *h);
	if (!h)
		return NULL;
	h->ctx = EVP_MD_CTX_new();
	if (!h->ctx || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
		weft_hasher_free(h);
		return NULL;
	}
	return h;
}

int weft_hasher_update(weft_hasher *h, const void *data, size_t len)
{
	if (len && EVP_DigestUpdate(h->ctx, data, len) != 1)
		return weft_err_set(WEFT_ERROR, "sha256 update failed");
	return WEFT_OK;
}

int weft_hasher_final(weft_hasher *h, char out[WEFT_HASH_HEX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	int ok = EVP_DigestFinal_ex(h->ctx, md, &n) == 1 && n == 32;
	weft_hasher_free(h);
	if (!ok)
		return weft_err_set(WEFT_ERROR, "sha256 final failed");
	static const char hexd[] = "0123456789abcdef";
	for (unsigned int i = 0; i < 32; i++) {
		out[2 * i] = hexd[md[i] >> 4];
		out[2 * i + 1] = hexd[md[i] & 15];
	}
	out[64] = '\0';
	return WEFT_OK;
}

void weft_hasher_free(weft_hasher *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->ctx);
	free(h);
}

int weft_hash_bytes(char out[WEFT_HASH_HEX], const void *data, size_t len)
{
	weft_hasher *h = weft_hasher_new();
	if (!h)
		return weft_err_set(WEFT_ERROR, "cannot create sha256 context");
	if (weft_hasher_update(h, data, len) != WEFT_OK) {
		weft_hasher_free(h);
		return WEFT_ERROR;
	}
	return weft_hasher_final(h, out);
}

int weft_hash_file(char out[WEFT_HASH_HEX], const char *path, uint64_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return weft_err_set(errno == ENOENT ? WEFT_ENOTFOUND : WEFT_EIO, "cannot open %s: %s", path,
				    strerror(errno));
	weft_hasher *h = weft_hasher_new();
	if (!h) {
		close(fd);
		return weft_err_set(WEFT_ERROR, "cannot create sha256 context");
	}
	char buf[65536];
	uint64_t total = 0;
	for (;;) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd);
			weft_hasher_free(h);
			return weft_err_set(WEFT_EIO, "cannot read %s: %s", path, strerror(e));
		}
		if (r == 0)
			break;
		total += (uint64_t)r;
		if (weft_hasher_update(h, buf, (size_t)r) != WEFT_OK) {
			close(fd);
			weft_hasher_free(h);
			return WEFT_ERROR;
		}
	}
	close(fd);
	if (size)
		*size = total;
	return weft_hasher_final(h, out);
}

int weft_hash_is_hex(const char *s)
{
	if (!s || strlen(s) != 64)
		return 0;
	for (int i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}
