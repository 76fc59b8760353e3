/*
 * keyset.h -- a set of node keys (64 hex digits): the keys an earlier
 * attempt of a run finished, which `weft resume` reports as resumed and
 * `--force` does not compute twice.
 */
#ifndef WEFT_KEYSET_H
#define WEFT_KEYSET_H

#include <stddef.h>

typedef struct keyset {
	char (*keys)[65];
	size_t cap, n;
} keyset;

/* Adds key `k`; WEFT_OK, or an error when out of memory. */
int keyset_add(keyset *s, const char *k);
int keyset_has(const keyset *s, const char *k);
void keyset_free(keyset *s);

#endif
