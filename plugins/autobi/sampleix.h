/*
 * sampleix.h -- which columns' value samples another column holds, for
 * every column at once.
 *
 * The candidate search tests each column x against a key y on x's sample
 * (its SAMPLE smallest distinct hashes: uniform, since the hashes are).
 * Testing every pair costs tables squared: 1,000 tables spent 27 s there.
 * This index maps each sampled hash to the columns whose sample holds it,
 * so one pass over y's distinct values counts, for every column at once,
 * how much of its sample y holds: exactly the pairwise test's count, for
 * the columns with any, and nothing for the rest (whose count is 0).
 */
#ifndef ABI_SAMPLEIX_H
#define ABI_SAMPLEIX_H

#include <stddef.h>
#include <stdint.h>

#include "profile.h"

typedef struct abi_sampleix abi_sampleix;

/* Indexes the first min(ndistinct, sample) distinct hashes of every column
 * of every table whose type `want(type)` accepts. Column ids run over the
 * tables in order, and within a table over its columns. NULL when out of
 * memory. */
abi_sampleix *abi_sampleix_build(const abi_profile *profs, size_t ntables, size_t sample, int (*want)(uint32_t));
void abi_sampleix_free(abi_sampleix *ix);

/* A second handle on the same index with counters of its own, so that
 * threads can look up at once (abi_sampleix_hits writes its handle's
 * counters). Freed with abi_sampleix_free, before the index it views.
 * NULL when out of memory. */
abi_sampleix *abi_sampleix_view(const abi_sampleix *ix);

/* Counts the sampled values of every column that `y` (distinct hashes)
 * holds. Returns how many columns have any; *ids gets them in ascending id
 * order and *counts their counts (both borrowed until the next call). */
size_t abi_sampleix_hits(abi_sampleix *ix, const uint64_t *y, size_t ny, const uint32_t **ids, const uint32_t **counts);

/* Table and column of id `id`. */
void abi_sampleix_column(const abi_sampleix *ix, uint32_t id, uint32_t *table, uint32_t *col);

#endif
