/*
 * hashbench.c -- content-hashing throughput, the figure bench/run.sh prints
 * beside its target (>= 1 GB/s per core): SHA-256 over MIB MiB in memory,
 * through the path this CPU uses and through the portable code.
 * Usage: weft-hashbench [MIB]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sha256.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double rate(const unsigned char *data, size_t len, int portable)
{
	weft_sha256 c;
	unsigned char md[32];
	double t0 = now();
	portable ? weft_sha256_init_portable(&c) : weft_sha256_init(&c);
	weft_sha256_update(&c, data, len);
	weft_sha256_final(&c, md);
	double dt = now() - t0;
	return (double)len / dt / 1e9;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 256;
	if (!mib || mib > 4096) {
		fprintf(stderr, "usage: weft-hashbench [MIB (1-4096)]\n");
		return 2;
	}
	size_t len = mib << 20;
	unsigned char *data = malloc(len);
	if (!data) {
		fprintf(stderr, "weft-hashbench: cannot allocate %zu MiB\n", mib);
		return 1;
	}
	for (size_t i = 0; i < len; i++)
		data[i] = (unsigned char)(i * 2654435761u >> 13);
	double best = 0, best_portable = 0;
	for (int r = 0; r < 3; r++) {
		double a = rate(data, len, 0), b = rate(data, len, 1);
		best = a > best ? a : best;
		best_portable = b > best_portable ? b : best_portable;
	}
	printf("sha256 %s: %.2f GB/s (portable code: %.2f GB/s), best of 3 over %zu MiB\n",
	       weft_sha256_accelerated() ? "with SHA instructions" : "portable", best, best_portable, mib);
	free(data);
	return 0;
}
