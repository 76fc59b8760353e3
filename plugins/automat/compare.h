/*
 * compare.h -- structure matching of two crystal structures, in the
 * projection an image shows (projection.h).
 *
 * Both are reduced to their smallest in-plane cells. The lattices match
 * when the lengths agree within ltol (relative) and the angle within
 * atol degrees, for some change of basis (integer matrix of determinant
 * +-1 with entries in -1..1, mirror images included). Then every origin
 * shift that puts a column of B on one of the same kind in A is tried;
 * each column of A takes the nearest column of B of its kind under
 * periodic boundaries, and the best shift's RMSD (Angstrom) is kept. The
 * structures match when the lattices do, the column counts are equal and
 * every column lies within stol.
 */
#ifndef AUTOMAT_COMPARE_H
#define AUTOMAT_COMPARE_H

#include <stddef.h>

#include "structure.h"

typedef struct am_cmp_opts {
	double ltol, atol, stol;
} am_cmp_opts;
#define AM_CMP_OPTS_INIT {0.05, 3.0, 0.5}

typedef struct am_cmp {
	int lattice_match, match;
	double err_a, err_b, err_gamma; /* relative, relative, degrees: B against A */
	double rmsd, max_dist;          /* Angstrom, over A's columns */
	size_t cols_a, cols_b;
	char why[160]; /* when not a match */
} am_cmp;

int am_compare(am_cmp *r, const am_struct *A, const am_struct *B, const am_cmp_opts *o, char *err, size_t errlen);

#endif
