/*
 * hset.h -- a set of 64-bit hashes by open addressing, for the profile
 * (distinct values, repeated key pairs) and the pair search (the key being
 * tried). A value's slot is its top bits, since the hashes are uniform;
 * probing is linear; 0, which no value hashes to (it means "missing"),
 * marks an empty slot. Inline: it is probed for every row.
 */
#ifndef ABI_HSET_H
#define ABI_HSET_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct abi_hset {
	uint64_t *slot;
	size_t alloc, mask;
	unsigned shift;
} abi_hset;

/* Empties the set and sizes it for up to n values, at most half full (the
 * caller adds no more). 0, or -1 when out of memory. */
static inline int abi_hset_reset(abi_hset *s, size_t n)
{
	unsigned bits = 4;
	while (((size_t)1 << bits) < 2 * n)
		bits++;
	size_t cap = (size_t)1 << bits;
	if (cap > s->alloc) {
		uint64_t *ns = realloc(s->slot, cap * sizeof *ns);
		if (!ns)
			return -1;
		s->slot = ns;
		s->alloc = cap;
	}
	memset(s->slot, 0, cap * sizeof *s->slot);
	s->mask = cap - 1;
	s->shift = 64 - bits;
	return 0;
}

/* Adds h (not 0): 1 when it was new, 0 when it was there already. */
static inline int abi_hset_add(abi_hset *s, uint64_t h)
{
	size_t j = (size_t)(h >> s->shift);
	for (; s->slot[j]; j = (j + 1) & s->mask)
		if (s->slot[j] == h)
			return 0;
	s->slot[j] = h;
	return 1;
}

static inline int abi_hset_has(const abi_hset *s, uint64_t h)
{
	for (size_t j = (size_t)(h >> s->shift); s->slot[j]; j = (j + 1) & s->mask)
		if (s->slot[j] == h)
			return 1;
	return 0;
}

static inline void abi_hset_free(abi_hset *s)
{
	free(s->slot);
	memset(s, 0, sizeof *s);
}

#endif
