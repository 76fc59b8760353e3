/*
 * synth_util.h -- what the generator's files share: the seeded random
 * stream and the truth file.
 */
#ifndef AUTOBI_SYNTH_UTIL_H
#define AUTOBI_SYNTH_UTIL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* splitmix64: one stream per schema, so a seed always writes the same bytes. */
typedef struct abi_rng {
	uint64_t s;
} abi_rng;

uint64_t abi_rng_next(abi_rng *r);
double abi_rng_unif(abi_rng *r);            /* [0, 1) */
int abi_rng_range(abi_rng *r, int lo, int hi); /* lo..hi inclusive */

/* One true join {from, from_columns, to, to_columns}; a new reference. */
json_t *abi_truth_join(const char *from, const char *const *fc, int nf, const char *to, const char *const *tc);
/* Writes DIR/truth.json (autobi-truth/1); steals joins and facts. */
int abi_truth_write(const char *dir, const char *shape, json_t *joins, json_t *facts, char *err, size_t errlen);

/* synth_tpch.c */
int abi_synth_tpch(const char *dir, abi_rng *r, int lineitem_rows, char *err, size_t errlen);

#endif
