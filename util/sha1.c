/* sha1.c -- see sha1.h. */
#include "sha1.h"

#include <string.h>

#include "util.h"

static uint32_t rol(uint32_t x, int n)
{
	return x << n | x >> (32 - n);
}

static void block(uint32_t h[5], const unsigned char *p)
{
	uint32_t w[80];
	for (int i = 0; i < 16; i++)
		w[i] = weft_be32(p + 4 * i);
	for (int i = 16; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
	for (int i = 0; i < 80; i++) {
		uint32_t f, k;
		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		uint32_t t = rol(a, 5) + f + e + k + w[i];
		e = d;
		d = c;
		c = rol(b, 30);
		b = a;
		a = t;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

void weft_sha1_init(weft_sha1 *c)
{
	static const uint32_t iv[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
	memcpy(c->state, iv, sizeof iv);
	c->total = 0;
	c->used = 0;
}

void weft_sha1_update(weft_sha1 *c, const void *data, size_t len)
{
	const unsigned char *p = data;
	c->total += len;
	if (c->used) {
		size_t take = 64 - c->used < len ? 64 - c->used : len;
		memcpy(c->buf + c->used, p, take);
		c->used += (uint32_t)take;
		p += take;
		len -= take;
		if (c->used < 64)
			return;
		block(c->state, c->buf);
		c->used = 0;
	}
	for (; len >= 64; p += 64, len -= 64)
		block(c->state, p);
	memcpy(c->buf, p, len);
	c->used = (uint32_t)len;
}

void weft_sha1_final(weft_sha1 *c, unsigned char out[20])
{
	uint64_t bits = c->total * 8;
	unsigned char pad[72] = {0x80};
	size_t n = (c->used < 56 ? 56 : 120) - c->used;
	unsigned char len[8];
	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char)(bits >> (56 - 8 * i));
	weft_sha1_update(c, pad, n);
	weft_sha1_update(c, len, 8);
	for (int i = 0; i < 5; i++) {
		out[4 * i] = (unsigned char)(c->state[i] >> 24);
		out[4 * i + 1] = (unsigned char)(c->state[i] >> 16);
		out[4 * i + 2] = (unsigned char)(c->state[i] >> 8);
		out[4 * i + 3] = (unsigned char)c->state[i];
	}
}
