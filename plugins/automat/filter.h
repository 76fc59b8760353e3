/*
 * filter.h -- the denoising filters: Gaussian blur, median, and the
 * Bragg-mask Fourier filter, which keeps only the spectrum near the
 * lattice's reciprocal points (and DC) and so removes everything that is
 * not periodic -- noise, and also defects, which is why it is the
 * strongest level and not the default.
 */
#ifndef AUTOMAT_FILTER_H
#define AUTOMAT_FILTER_H

#include <stddef.h>

#include "image.h"
#include "lattice.h"

/* Separable Gaussian blur, sigma in pixels (edges mirrored), in place. */
int am_filter_gaussian(am_image *im, double sigma);
/* Median over a (2r+1)^2 window (edges clamped), in place. */
int am_filter_median(am_image *im, int r);
/* Keeps the Fourier components within radius `r` bins of each lattice
 * point h ga + k gb (Gaussian-tapered), up to |g| < 0.5. In place. */
int am_filter_bragg(am_image *im, const am_lattice *L, double r, char *err, size_t errlen);

/* The blur, in pixels, that separates noise from columns below. */
#define AM_NOISE_BLUR 1.5

/* The noise level: 1.4826 x the median absolute deviation of the image
 * minus its Gaussian blur (sigma AM_NOISE_BLUR). Robust to the columns,
 * which the blur keeps. NAN when memory runs out. */
double am_noise_sigma(const am_image *im);
/* The same, for a caller that already holds that blur of im in lo. */
double am_noise_sigma_from(const am_image *im, const am_image *lo);

#endif
