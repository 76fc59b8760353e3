/*
 * profile.h -- per-column statistics of one table, the unit of caching.
 *
 * A profile keeps, besides the statistics, each column's row hashes (0 for
 * a missing value) and its sorted distinct hashes. Containment between two
 * columns is then a merge of sorted arrays, and the containment of a column
 * pair in a composite key is computed from the row hashes, so no later step
 * needs the CSV again.
 */
#ifndef AUTOBI_PROFILE_H
#define AUTOBI_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "csv.h"

typedef enum abi_type { ABI_T_EMPTY = 0, ABI_T_INT, ABI_T_FLOAT, ABI_T_DATE, ABI_T_STRING } abi_type;

typedef struct abi_column {
	char *name;
	uint32_t pos;
	uint32_t type;      /* abi_type */
	double purity;      /* fraction of non-missing values of that type */
	uint64_t nnull, ndistinct;
	double min, max;    /* numeric columns; 0 otherwise */
	double avg_len;     /* mean length of the value texts */
	uint64_t *rows;     /* nrows hashes, 0 = missing */
	uint64_t *distinct; /* ndistinct sorted hashes */
} abi_column;

/* Two columns that are unique together though neither is alone. */
typedef struct abi_ckey {
	uint32_t a, b;
	uint64_t ndistinct;
	uint64_t *distinct; /* sorted pair hashes */
} abi_ckey;

typedef struct abi_profile {
	char *table;
	uint64_t nrows;
	size_t ncols, nckeys;
	abi_column *cols;
	abi_ckey *ckeys;
} abi_profile;

const char *abi_type_name(abi_type t);

/* Profiles a parsed table. Composite keys are searched among the first
 * `max_key_cols` key-like columns (a bound on the quadratic pair search). */
int abi_profile_build(abi_profile *out, const wcsv *t, const char *table, size_t max_key_cols, char *err,
		      size_t errlen);

/* Binary form (native byte order: a profile is a cache artifact read back by
 * the same build). Both return 0 or -1 with a message in err. */
int abi_profile_save(const abi_profile *p, const char *path, char *err, size_t errlen);
/* The largest profile file read. */
#define ABI_PROFILE_MAX_BYTES ((size_t)256 << 20)
int abi_profile_load(abi_profile *out, const char *path, char *err, size_t errlen);

void abi_profile_free(abi_profile *p);

/* Hash of a pair of row hashes, never 0. */
uint64_t abi_pair_hash(uint64_t a, uint64_t b);

/* 1 when hash h is in the sorted set y (binary search). */
int abi_contains(const uint64_t *y, size_t ny, uint64_t h);

/* Fraction of the sorted set `x` found in the sorted set `y`. */
double abi_containment(const uint64_t *x, size_t nx, const uint64_t *y, size_t ny);
/* The same, estimated from the first `sample` elements of x (hashes are
 * uniform, so the smallest ones are a random sample). */
double abi_containment_sample(const uint64_t *x, size_t nx, const uint64_t *y, size_t ny, size_t sample);

/* Sorts and deduplicates v in place, skipping zeros; returns the new length. */
size_t abi_sort_unique(uint64_t *v, size_t n);

#endif
