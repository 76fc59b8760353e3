/*
 * sha256.c -- see sha256.h. The portable compression function is FIPS
 * 180-4 section 6.2.2 unrolled by eight rounds; the accelerated one keeps the state
 * in the register order the SHA instructions want (ABEF, CDGH) and runs
 * two rounds per sha256rnds2, four message words per sha256msg1/msg2.
 */
#include "sha256.h"

#include <string.h>

#include "util.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>
#define WEFT_SHA_X86 1
#endif
#define ACCEL_BMI2 1
#define ACCEL_SHA 2

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static const uint32_t H0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
			       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

static inline uint32_t ror(uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

#define BSIG0(x) (ror(x, 2) ^ ror(x, 13) ^ ror(x, 22))
#define BSIG1(x) (ror(x, 6) ^ ror(x, 11) ^ ror(x, 25))
#define SSIG0(x) (ror(x, 7) ^ ror(x, 18) ^ ((x) >> 3))
#define SSIG1(x) (ror(x, 17) ^ ror(x, 19) ^ ((x) >> 10))
/* One round of FIPS 180-4 6.2.2 step 3, without the shuffle of a..h: the
 * callers rotate the names instead. Ch and Maj are the usual equivalent
 * forms with one operation fewer each. */
#define ROUND(a, b, c, d, e, f, g, h, t)                                                                        \
	do {                                                                                                     \
		uint32_t t1_ = h + BSIG1(e) + (g ^ (e & (f ^ g))) + K[t] + w[t];                             \
		d += t1_;                                                                                        \
		h = t1_ + BSIG0(a) + ((a & b) | (c & (a | b)));                                                  \
	} while (0)

/* The portable compression function, inlined into two callers so that one
 * can be compiled for BMI2's rorx. */
static inline __attribute__((always_inline)) void compress(uint32_t st[8], const unsigned char *p, size_t n)
{
	for (; n; n--, p += 64) {
		uint32_t w[64];
		for (int t = 0; t < 16; t++)
			w[t] = weft_be32(p + 4 * t);
		for (int t = 16; t < 64; t++)
			w[t] = w[t - 16] + SSIG0(w[t - 15]) + w[t - 7] + SSIG1(w[t - 2]);
		uint32_t a = st[0], b = st[1], c = st[2], d = st[3], e = st[4], f = st[5], g = st[6], h = st[7];
		for (int t = 0; t < 64; t += 8) {
			ROUND(a, b, c, d, e, f, g, h, t);
			ROUND(h, a, b, c, d, e, f, g, t + 1);
			ROUND(g, h, a, b, c, d, e, f, t + 2);
			ROUND(f, g, h, a, b, c, d, e, t + 3);
			ROUND(e, f, g, h, a, b, c, d, t + 4);
			ROUND(d, e, f, g, h, a, b, c, t + 5);
			ROUND(c, d, e, f, g, h, a, b, t + 6);
			ROUND(b, c, d, e, f, g, h, a, t + 7);
		}
		st[0] += a, st[1] += b, st[2] += c, st[3] += d, st[4] += e, st[5] += f, st[6] += g, st[7] += h;
	}
}

static void blocks_portable(uint32_t st[8], const unsigned char *p, size_t n)
{
	compress(st, p, n);
}

#ifdef WEFT_SHA_X86
/* The same code with rorx: a rotate without a copy, and without touching
 * the flags, a fifth fewer instructions on CPUs that have BMI2 but no SHA
 * instructions (and under valgrind, which has no SHA instructions). */
__attribute__((target("bmi2"))) static void blocks_bmi2(uint32_t st[8], const unsigned char *p, size_t n)
{
	compress(st, p, n);
}
#endif

#ifdef WEFT_SHA_X86
__attribute__((target("sha,sse4.1,ssse3"))) static void blocks_shani(uint32_t st[8], const unsigned char *p,
								     size_t n)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i dcba = _mm_loadu_si128((const __m128i *)&st[0]);
	__m128i hgfe = _mm_loadu_si128((const __m128i *)&st[4]);
	__m128i cdab = _mm_shuffle_epi32(dcba, 0xb1);
	__m128i efgh = _mm_shuffle_epi32(hgfe, 0x1b);
	__m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
	__m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xf0);
	for (; n; n--, p += 64) {
		__m128i save0 = abef, save1 = cdgh;
		__m128i w[4];
		for (int i = 0; i < 16; i++) {
			if (i < 4) {
				w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)), bswap);
			} else {
				/* W[t-16..t-13] + sigma0(W[t-15..t-12]) + W[t-7..t-4], then sigma1 of the
				 * two words before each new one. */
				__m128i x = _mm_sha256msg1_epu32(w[i & 3], w[(i + 1) & 3]);
				x = _mm_add_epi32(x, _mm_alignr_epi8(w[(i + 3) & 3], w[(i + 2) & 3], 4));
				w[i & 3] = _mm_sha256msg2_epu32(x, w[(i + 3) & 3]);
			}
			__m128i m = _mm_add_epi32(w[i & 3], _mm_loadu_si128((const __m128i *)&K[4 * i]));
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, m);
			abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(m, 0x0e));
		}
		abef = _mm_add_epi32(abef, save0);
		cdgh = _mm_add_epi32(cdgh, save1);
	}
	__m128i feba = _mm_shuffle_epi32(abef, 0x1b);
	__m128i dchg = _mm_shuffle_epi32(cdgh, 0xb1);
	_mm_storeu_si128((__m128i *)&st[0], _mm_blend_epi16(feba, dchg, 0xf0));
	_mm_storeu_si128((__m128i *)&st[4], _mm_alignr_epi8(dchg, feba, 8));
}
#endif

#ifdef WEFT_SHA_X86
/* CPUID directly: not every compiler's __builtin_cpu_supports knows "sha".
 * Leaf 7 EBX bit 29: SHA; leaf 1 ECX bits 9 and 19: SSSE3, SSE4.1. */
/* ACCEL_SHA with the SHA instructions (and SSE4.1, SSSE3), else ACCEL_BMI2
 * with BMI2, else 0. */
static int probe_cpu(void)
{
	unsigned a, b, c, d, b7 = 0;
	if (!__get_cpuid(1, &a, &b, &c, &d))
		return 0;
	unsigned c1 = c;
	if (__get_cpuid_count(7, 0, &a, &b, &c, &d))
		b7 = b;
	if ((c1 & (1u << 9)) && (c1 & (1u << 19)) && (b7 & (1u << 29)))
		return ACCEL_SHA;
	return (b7 & (1u << 8)) ? ACCEL_BMI2 : 0;
}
#endif

static int accel_level(void)
{
#ifdef WEFT_SHA_X86
	/* Asked once per process: CPUID traps to the hypervisor in a virtual
	 * machine and cost more than hashing a key. The answer is a property
	 * of the CPU, so caching it is not state. -1 unknown. */
	static int known = -1;
	int k = __atomic_load_n(&known, __ATOMIC_RELAXED);
	if (k < 0) {
		k = probe_cpu();
		__atomic_store_n(&known, k, __ATOMIC_RELAXED);
	}
	return k;
#else
	return 0;
#endif
}

int weft_sha256_accelerated(void)
{
	return accel_level() == ACCEL_SHA;
}

static void blocks(weft_sha256 *c, const unsigned char *p, size_t n)
{
#ifdef WEFT_SHA_X86
	if (c->accel == ACCEL_SHA) {
		blocks_shani(c->state, p, n);
		return;
	}
	if (c->accel == ACCEL_BMI2) {
		blocks_bmi2(c->state, p, n);
		return;
	}
#endif
	blocks_portable(c->state, p, n);
}

void weft_sha256_init_portable(weft_sha256 *c)
{
	memcpy(c->state, H0, sizeof H0);
	c->total = 0;
	c->used = 0;
	c->accel = 0;
}

int weft_sha256_init_bmi2(weft_sha256 *c)
{
	weft_sha256_init_portable(c);
	int have = accel_level() >= ACCEL_BMI2;
	c->accel = have ? ACCEL_BMI2 : 0;
	return have;
}

void weft_sha256_init(weft_sha256 *c)
{
	weft_sha256_init_portable(c);
	c->accel = accel_level();
}

void weft_sha256_update(weft_sha256 *c, const void *data, size_t len)
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
		blocks(c, c->buf, 1);
		c->used = 0;
	}
	if (len >= 64) {
		blocks(c, p, len / 64);
		p += len & ~(size_t)63;
		len &= 63;
	}
	if (len) {
		memcpy(c->buf, p, len);
		c->used = (uint32_t)len;
	}
}

void weft_sha256_final(weft_sha256 *c, unsigned char out[32])
{
	uint64_t bits = c->total * 8;
	unsigned char pad[72] = {0x80};
	size_t padlen = (c->used < 56 ? 56 : 120) - c->used;
	for (int i = 0; i < 8; i++)
		pad[padlen + (size_t)i] = (unsigned char)(bits >> (56 - 8 * i));
	weft_sha256_update(c, pad, padlen + 8);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(c->state[i] >> 24);
		out[4 * i + 1] = (unsigned char)(c->state[i] >> 16);
		out[4 * i + 2] = (unsigned char)(c->state[i] >> 8);
		out[4 * i + 3] = (unsigned char)c->state[i];
	}
}
