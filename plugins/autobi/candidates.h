/*
 * candidates.h -- candidate joins and the features the classifier sees.
 *
 * A candidate A.x -> B.y says "column(s) x of table A reference key y of
 * table B" (N:1, or 1:1). Candidates are pruned before any feature is
 * computed: y must be a key (unique), x and y must have the same type, and
 * the values of x must be contained in those of y.
 */
#ifndef AUTOBI_CANDIDATES_H
#define AUTOBI_CANDIDATES_H

#include <stddef.h>
#include <stdint.h>

#include "profile.h"

enum {
	ABI_F_CONTAIN,        /* |x n y| / |x| over distinct values */
	ABI_F_CONTAIN_FULL,   /* -log10(orphan share) / 3 in 0..1: 1 when all of x is in y, 0.67 at 1% orphans */
	ABI_F_REV_CONTAIN,    /* |x n y| / |y|: how much of the key is used */
	ABI_F_Y_UNIQUE,       /* distinct / non-missing of y */
	ABI_F_X_UNIQUE,       /* distinct / non-missing of x (1 means 1:1) */
	ABI_F_DISTINCT_RATIO, /* log|x| / log|y| */
	ABI_F_NAME_SIM,       /* token Jaccard of the names, prefixes stripped */
	ABI_F_NAME_EQUAL,     /* equal names after stripping prefixes */
	ABI_F_NAME_REFERS,    /* x's name names table B (customer_id -> customer) */
	ABI_F_REFERS_MARGIN,  /* refers(B) minus the best refers() to any other table */
	ABI_F_Y_OWN,          /* y is named like B's own key (id, customer_id in customer) */
	ABI_F_X_KEYISH,       /* x ends in id, key, code, ... */
	ABI_F_Y_KEYISH,
	ABI_F_BOTH_INT,
	ABI_F_BOTH_STRING,
	ABI_F_RANGE_OVERLAP, /* share of x's numeric range inside y's */
	ABI_F_Y_FIRST,       /* y is B's first column */
	ABI_F_X_POS,         /* x's position in A, 0..1 */
	ABI_F_ROW_RATIO,     /* log10(rows A / rows B) / 3, clipped */
	ABI_F_Y_DENSE,       /* y is a dense integer range (a surrogate key) */
	ABI_F_X_OWN_KEY,     /* x is A's own first-column key */
	ABI_F_COMPOSITE,     /* a two-column join */
	ABI_F_LEN_SIM,       /* mean value length, min/max */
	ABI_F_X_NULLS,       /* missing share of x */
	ABI_F_X_PURITY,      /* share of x's values of its type */
	ABI_F_CONTAIN_NAME,  /* containment x refers: the two signals together */
	ABI_F_SELF,          /* x and y in one table, x named as a role (manager_id -> id) */
	ABI_F_SELF_PLAIN,    /* x and y in one table, x's name saying neither */
	ABI_F_ROLE,          /* x's name is a person's role (ReportsTo, SupportRepId, soldBy) */
	ABI_F_VALUE_EVIDENCE, /* how unlikely the containment is by chance, 0..1 */
	ABI_F_BOTH_DATE,     /* x and y are dates */
	ABI_F_TO_ALT_KEY,    /* y is not B's own key: B's first column is another key */
	ABI_F_UNNAMED_CHANCE, /* no name evidence, times 1 - value evidence */
	ABI_F_SIBLING_NAMED,  /* another column of A names B clearly better */
	ABI_F_ROLE_TO_PEOPLE, /* a role name (SupportRepId) into a people table (employee, staff) */
	ABI_NFEATURES
};

extern const char *const abi_feature_names[ABI_NFEATURES];

typedef struct abi_cand {
	uint32_t from, to; /* table indices */
	uint32_t fc[2], tc[2];
	uint32_t ncols; /* 1 or 2 */
	double x[ABI_NFEATURES];
	double p; /* join probability, once predicted */
} abi_cand;

typedef struct abi_cands {
	abi_cand *v;
	size_t n, cap;
} abi_cands;

typedef struct abi_cand_opts {
	double min_containment; /* drop candidates below this containment */
	double min_key_unique;  /* y must be at least this unique */
	int composite;          /* also look for two-column joins */
	unsigned threads;       /* threads for the single-column pair search (0 and 1: one) */
} abi_cand_opts;

#define ABI_CAND_OPTS_INIT {0.5, 0.98, 1, 1}

/* Generates the candidates among `n` profiles into out (appending). */
int abi_candidates(abi_cands *out, const abi_profile *profs, size_t n, const abi_cand_opts *opts);

/* 1 when both candidates start from the same columns of the same table:
 * the FK-once unit, since those columns can reference one key only. */
int abi_cand_same_from(const abi_cand *a, const abi_cand *b);

/* group[i] (n entries): the first candidate that starts from the same
 * columns as candidate i (abi_cand_same_from), found by one sort rather
 * than by comparing every pair. 0, or -1 when out of memory. */
int abi_cand_groups(const abi_cands *c, uint32_t *group);

int abi_cands_push(abi_cands *c, const abi_cand *v);
void abi_cands_free(abi_cands *c);

#endif
