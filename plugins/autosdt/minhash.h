/*
 * minhash.h -- near-duplicate programs by MinHash over token shingles
 * (Broder 1997) with LSH banding, so that comparing n programs costs about
 * n, not n^2, and the pairs found are checked on their estimated Jaccard.
 */
#ifndef AUTOSDT_MINHASH_H
#define AUTOSDT_MINHASH_H

#include <stddef.h>
#include <stdint.h>

#define SDT_MINHASH_PERM 128

typedef struct sdt_minhash {
	uint64_t sig[SDT_MINHASH_PERM];
	size_t n_shingles; /* 0: too short to have a shingle */
} sdt_minhash;

/* The signature of `code`: Python tokens (names, numbers, strings,
 * operators; comments and whitespace dropped), in shingles of `k` tokens. */
void sdt_minhash_code(sdt_minhash *out, const char *code, size_t len, int k);

/* The estimated Jaccard similarity of two signatures (0 when either is
 * empty). */
double sdt_minhash_jaccard(const sdt_minhash *a, const sdt_minhash *b);

/* For each of the n signatures, dup_of[i] = the index of the earlier one
 * it duplicates (estimated Jaccard >= threshold), or -1. Candidates come
 * from `bands` bands of SDT_MINHASH_PERM/bands rows. 0, or -1 when out of
 * memory. */
int sdt_minhash_dedup(const sdt_minhash *sigs, size_t n, int bands, double threshold, long *dup_of);

#endif
