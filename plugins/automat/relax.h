/*
 * relax.h -- a classical relaxation of the atom positions in a fixed
 * cell, with FIRE (Bitzek et al., PRL 97, 170201, 2006) on a Morse pair
 * potential.
 *
 * The potential is an empirical stand-in for the machine-learned
 * potential of the AutoMat paper: E = sum over pairs of
 * D (exp(-2 alpha (r - r0)) - 2 exp(-alpha (r - r0))), r0 the sum of the
 * two covalent radii (Cordero 2008), alpha = 1.5 / A, D = 1 eV between
 * unlike elements and 0.3 eV between like ones (bonds form between
 * species), cut off at 6 A and shifted to 0 there. It keeps atoms at
 * bonding distances and removes overlaps from a reconstruction; its
 * energies are not formation energies of any real material.
 */
#ifndef AUTOMAT_RELAX_H
#define AUTOMAT_RELAX_H

#include <stddef.h>

#include "structure.h"

typedef struct am_relax_opts {
	double fmax;  /* eV/A: converged when every force is below */
	int max_steps;
} am_relax_opts;
#define AM_RELAX_OPTS_INIT {0.01, 3000}

typedef struct am_relax_result {
	double e0, e;        /* energy per atom before and after, eV */
	double fmax;         /* largest force at the end, eV/A */
	double max_shift;    /* largest displacement, A */
	int steps, converged;
} am_relax_result;

/* Relaxes s in place. */
int am_relax(am_struct *s, const am_relax_opts *o, am_relax_result *r, char *err, size_t errlen);
/* Energy per atom and forces (eV/A, Cartesian, n x 3; may be NULL). */
double am_energy(const am_struct *s, double *forces);

#endif
