/*
 * rng.h -- splitmix64: a small, seedable stream, so one seed gives the
 * same image on every machine.
 */
#ifndef AUTOMAT_RNG_H
#define AUTOMAT_RNG_H

#include <math.h>
#include <stdint.h>

static inline uint64_t am_splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Uniform in (0, 1). */
static inline double am_unif(uint64_t *s)
{
	return ((double)(am_splitmix(s) >> 11) + 0.5) / 9007199254740992.0;
}

static inline double am_gauss(uint64_t *s)
{
	double a = am_unif(s), b = am_unif(s);
	return sqrt(-2 * log(a)) * cos(6.283185307179586 * b);
}

/* Poisson(lambda): Knuth's product method while it is cheap, a normal
 * approximation (rounded, clipped at 0) beyond. */
static inline double am_poisson(uint64_t *s, double lambda)
{
	if (lambda <= 0)
		return 0;
	if (lambda > 40) {
		double v = round(lambda + sqrt(lambda) * am_gauss(s));
		return v < 0 ? 0 : v;
	}
	double L = exp(-lambda), p = 1;
	int k = 0;
	do {
		k++;
		p *= am_unif(s);
	} while (p > L);
	return k - 1;
}

#endif
