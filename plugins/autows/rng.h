/*
 * rng.h -- the one random stream autows uses (splitmix64): seeded from a
 * node's inputs, so every draw, and every rerun, is reproducible.
 */
#ifndef AUTOWS_RNG_H
#define AUTOWS_RNG_H

#include <stdint.h>

static inline uint64_t aws_splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in (0, 1), never 0: safe under log(). */
static inline double aws_unif(uint64_t *s)
{
	return ((double)(aws_splitmix(s) >> 11) + 0.5) / 9007199254740992.0;
}

#endif
