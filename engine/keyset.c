/* keyset.c -- see keyset.h. Open addressing on the key's first 64 bits:
 * keys are SHA-256 digests, so those bits are already uniform. */
#include "keyset.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

uint64_t keyset_bits(const char *k)
{
	uint64_t h = 0;
	for (int i = 0; i < 16; i++)
		h = (h << 4) | (uint64_t)(k[i] <= '9' ? k[i] - '0' : k[i] - 'a' + 10);
	return h;
}

int keyset_add(keyset *s, const char *k)
{
	if ((s->n + 1) * 2 > s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 256;
		char(*nk)[65] = calloc(ncap, 65);
		if (!nk)
			return weft_err_set(WEFT_ERROR, "out of memory");
		for (size_t i = 0; i < s->cap; i++) {
			if (!s->keys[i][0])
				continue;
			size_t j = keyset_bits(s->keys[i]) & (ncap - 1);
			while (nk[j][0])
				j = (j + 1) & (ncap - 1);
			memcpy(nk[j], s->keys[i], 65);
		}
		free(s->keys);
		s->keys = nk;
		s->cap = ncap;
	}
	size_t j = keyset_bits(k) & (s->cap - 1);
	while (s->keys[j][0]) {
		if (!strcmp(s->keys[j], k))
			return WEFT_OK;
		j = (j + 1) & (s->cap - 1);
	}
	memcpy(s->keys[j], k, 65);
	s->n++;
	return WEFT_OK;
}

int keyset_has(const keyset *s, const char *k)
{
	if (!s->cap)
		return 0;
	size_t j = keyset_bits(k) & (s->cap - 1);
	while (s->keys[j][0]) {
		if (!strcmp(s->keys[j], k))
			return 1;
		j = (j + 1) & (s->cap - 1);
	}
	return 0;
}

void keyset_free(keyset *s)
{
	free(s->keys);
	memset(s, 0, sizeof *s);
}
