/*
 * lattice_of.h -- for the AutoMat unit tests: the lattice of an image,
 * through the spectrum as the ops estimate it, asserting that there is one.
 * Include after cmocka.h.
 */
#ifndef AUTOMAT_TEST_LATTICE_OF_H
#define AUTOMAT_TEST_LATTICE_OF_H

#include "lattice.h"
#include "spectrum.h"

static void lattice_of(am_lattice *L, const am_image *im)
{
	am_spectrum S;
	char err[256];
	assert_int_equal(am_spectrum_compute(&S, im, err, sizeof err), 0);
	assert_int_equal(am_lattice_estimate(L, im, &S, err, sizeof err), 0);
	am_spectrum_free(&S);
}

#endif
