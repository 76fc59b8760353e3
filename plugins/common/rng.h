/*
 * rng.h -- the one random stream the plugins in this tree use
 * (splitmix64), header-only so each plugin stays one self-contained .so.
 * Seeded from a node's inputs and parameters, every draw, and so every
 * rerun, is reproducible on any machine.
 */
#ifndef WEFT_PLUGINS_RNG_H
#define WEFT_PLUGINS_RNG_H

#include <math.h>
#include <stdint.h>

static inline uint64_t wrng_splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in (0, 1), never 0: safe under log(). */
static inline double wrng_unif(uint64_t *s)
{
	return ((double)(wrng_splitmix(s) >> 11) + 0.5) / 9007199254740992.0;
}

/* Standard normal (Box-Muller, one of the pair). */
static inline double wrng_gauss(uint64_t *s)
{
	double a = wrng_unif(s), b = wrng_unif(s);
	return sqrt(-2 * log(a)) * cos(6.283185307179586 * b);
}

/* Poisson(lambda): Knuth's product method while it is cheap, a normal
 * approximation (rounded, clipped at 0) beyond. */
static inline double wrng_poisson(uint64_t *s, double lambda)
{
	if (lambda <= 0)
		return 0;
	if (lambda > 40) {
		double v = round(lambda + sqrt(lambda) * wrng_gauss(s));
		return v < 0 ? 0 : v;
	}
	double L = exp(-lambda), p = 1;
	int k = 0;
	do {
		k++;
		p *= wrng_unif(s);
	} while (p > L);
	return k - 1;
}

#endif
