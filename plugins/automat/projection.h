/*
 * projection.h -- a structure seen down c, reduced to its smallest
 * in-plane cell: what an image of it can show.
 *
 * The projected columns of a 3-D cell can repeat with a smaller period
 * than the cell (a body-centred cell, a centred rectangular net): the
 * reduction finds every translation that maps the columns onto columns
 * of the same kind and takes the two shortest non-collinear ones, Gauss
 * reduced. Two columns are of one kind when their heaviest element is the
 * same, since an image tells columns apart by brightness.
 */
#ifndef AUTOMAT_PROJECTION_H
#define AUTOMAT_PROJECTION_H

#include <stddef.h>

#include "structure.h"

typedef struct am_pcol {
	double u, v; /* fractional, in the reduced cell */
	int z;       /* heaviest element */
	double weight;
} am_pcol;

typedef struct am_proj {
	double a[2], b[2]; /* reduced in-plane basis, Angstrom, a along x, a.b <= 0 */
	double len_a, len_b, gamma;
	am_pcol *col;
	size_t n;
} am_proj;

int am_proj_from_struct(am_proj *p, const am_struct *s, char *err, size_t errlen);
void am_proj_free(am_proj *p);

#endif
