/*
 * keyset.h -- a set of node keys (64 hex digits): the keys an earlier
 * attempt of a run finished, which `weft resume` reports as resumed and
 * `--force` does not compute twice.
 */
#ifndef WEFT_KEYSET_H
#define WEFT_KEYSET_H

#include <stddef.h>
#include <stdint.h>

typedef struct keyset {
	char (*keys)[65];
	size_t cap, n;
} keyset;

/* The first 64 bits of key `k` (its first 16 hex digits): uniform, since
 * keys are SHA-256 digests. */
uint64_t keyset_bits(const char *k);
/* Adds key `k`; WEFT_OK, or an error when out of memory. */
int keyset_add(keyset *s, const char *k);
int keyset_has(const keyset *s, const char *k);
void keyset_free(keyset *s);

#endif
