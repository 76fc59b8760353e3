/*
 * sha1.h -- SHA-1 (FIPS 180-4), for one job only: git names its objects by
 * it, and gitstate checks a racily clean file against the blob id the
 * index recorded, as git itself does. Never used for weft's own keys.
 */
#ifndef WEFT_SHA1_H
#define WEFT_SHA1_H

#include <stddef.h>
#include <stdint.h>

typedef struct weft_sha1 {
	uint32_t state[5];
	uint64_t total; /* bytes so far */
	unsigned char buf[64];
	uint32_t used; /* bytes in buf */
} weft_sha1;

void weft_sha1_init(weft_sha1 *c);
void weft_sha1_update(weft_sha1 *c, const void *data, size_t len);
void weft_sha1_final(weft_sha1 *c, unsigned char out[20]);

#endif
