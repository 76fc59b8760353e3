/*
 * sha256.h -- SHA-256 (FIPS 180-4), the one digest behind every key, value
 * hash and object name. Written here rather than taken from libcrypto
 * because OpenSSL's EVP layer cost more to set up (provider fetch, library
 * init, relocating libcrypto) than hashing a node's key costs, and because
 * the SHA extensions make a plain implementation as fast as OpenSSL's.
 * Blocks go through the x86 SHA instructions when the CPU has them (checked
 * once per context), else through portable C; both give the same digest.
 */
#ifndef WEFT_SHA256_H
#define WEFT_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct weft_sha256 {
	uint32_t state[8];
	uint64_t total; /* bytes so far */
	unsigned char buf[64];
	uint32_t used;  /* bytes in buf */
	int accel;      /* 0 portable code, 1 with BMI2's rorx, 2 the SHA instructions */
} weft_sha256;

void weft_sha256_init(weft_sha256 *c);
/* The same, forcing the portable code (for tests that compare the two). */
void weft_sha256_init_portable(weft_sha256 *c);
/* The portable code compiled for BMI2's rotate, for tests; 0 (and the plain
 * portable code) when the CPU has no BMI2. */
int weft_sha256_init_bmi2(weft_sha256 *c);
void weft_sha256_update(weft_sha256 *c, const void *data, size_t len);
void weft_sha256_final(weft_sha256 *c, unsigned char out[32]);
/* Whether this CPU runs the SHA instructions path. */
int weft_sha256_accelerated(void);

#endif
