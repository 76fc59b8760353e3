/*
 * quality.h -- the image quality gate: is this image periodic, and is its
 * signal strong enough to find atom columns in?
 *
 * - periodicity: the share of the spectrum's power above its noise floor
 *   that sits on the lattice's reciprocal points (lattice.h);
 * - SNR: the standard deviation of a low-pass copy (Gaussian, 1.5 px)
 *   over the noise sigma, 1.4826 x the MAD of the high-pass residual;
 * - CNR: Otsu's threshold on the low-pass copy splits columns from
 *   background; the difference of their means in the raw image over the
 *   pooled standard deviation.
 */
#ifndef AUTOMAT_QUALITY_H
#define AUTOMAT_QUALITY_H

#include <stddef.h>

#include "image.h"
#include "lattice.h"

typedef struct am_quality_opts {
	double min_periodicity, min_snr, min_cnr;
} am_quality_opts;
#define AM_QUALITY_OPTS_INIT {0.35, 1.5, 1.0}

typedef struct am_quality {
	double periodicity, snr, cnr, noise_sigma, otsu;
	int has_lattice; /* 0: no lattice could be estimated at all */
	int empty;       /* every pixel the same: nothing was measured */
	am_lattice lattice;
	int pass;
	char verdict[256]; /* "ok", or what failed, with the numbers */
} am_quality;

/* Measures im. Never fails on a valid image: an empty or non-periodic one
 * gets pass = 0 and a verdict. -1 only when memory runs out. */
int am_quality_measure(am_quality *q, const am_image *im, const am_quality_opts *o, char *err, size_t errlen);

/* The SNR alone, as the gate measures it, without the spectrum: NAN when
 * memory runs out. */
double am_snr(const am_image *im);

/* Otsu's threshold of the values (256-bin histogram between min and max). */
double am_otsu(const double *v, size_t n, unsigned threads);

#endif
