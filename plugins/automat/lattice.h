/*
 * lattice.h -- the template-free lattice estimate from the image's FFT.
 *
 * The Bragg peaks of a periodic image sit on its reciprocal lattice. From
 * the strongest peaks the estimator takes pairs of short non-collinear
 * vectors, and divides each by 1, 2 or 3 (a weak fundamental can hide
 * under the noise while its harmonics show). Each candidate basis votes:
 * it scores the power of the peaks it indexes with integers. The winner
 * is the coarsest reciprocal basis (the smallest real cell) that indexes
 * nearly as much power as the best; a least-squares fit over every
 * indexed peak then refines it, since high orders pin it down best.
 */
#ifndef AUTOMAT_LATTICE_H
#define AUTOMAT_LATTICE_H

#include <stddef.h>

#include "image.h"
#include "spectrum.h"

typedef struct am_lattice {
	double a[2], b[2];   /* real-space basis, pixels (x right, y down); Gauss-reduced, a.b <= 0 */
	double ga[2], gb[2]; /* the dual basis, cycles per pixel: a.ga = b.gb = 1, a.gb = b.ga = 0 */
	double len_a, len_b; /* Angstrom (pixels when the pixel size is unknown) */
	double gamma;        /* degrees, 90..120 */
	double periodicity;  /* share of the spectrum's power above the noise floor on lattice points */
	double indexed;      /* share of the strong peaks' power the basis indexes */
	size_t npeaks;       /* strong peaks considered */
	size_t nrefl;        /* reflections used in the refinement */
} am_lattice;

/* Estimates the lattice of im from its spectrum S. -1 with a message when
 * there are too few peaks to make a lattice; a lattice that exists but
 * explains little has a low periodicity, for the quality gate to judge. */
int am_lattice_estimate(am_lattice *L, const am_image *im, const am_spectrum *S, char *err, size_t errlen);

/* Fractional lattice coordinates (u, v) of pixel position (x, y)
 * relative to origin (ox, oy): (x, y) = o + u a + v b. */
void am_lattice_frac(const am_lattice *L, double ox, double oy, double x, double y, double *u, double *v);

#endif
