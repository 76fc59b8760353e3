/*
 * spectrum.h -- the image's Fourier side: a Hann-windowed power spectrum
 * (FFTW, real-to-complex) and the local maxima in it.
 *
 * Frequencies are in cycles per pixel: bin (kx, ky) of a w x h image is
 * (kx / w, ky / h), with ky signed. Only the half plane kx >= 0 is stored;
 * the other half is its mirror (the image is real).
 */
#ifndef AUTOMAT_SPECTRUM_H
#define AUTOMAT_SPECTRUM_H

#include <stddef.h>

#include "image.h"

typedef struct am_spectrum {
	size_t w, h, hw; /* image size; hw = w / 2 + 1 columns stored */
	double *p;       /* h x hw power, row ky (0..h-1, wrapped), column kx */
	double floor;    /* median power: the white-noise level */
	unsigned threads; /* the image's: am_spectrum_peaks splits its scan */
} am_spectrum;

/* Mean-subtracted, Hann-windowed power spectrum of im. */
int am_spectrum_compute(am_spectrum *s, const am_image *im, char *err, size_t errlen);
void am_spectrum_free(am_spectrum *s);

typedef struct am_peak {
	double gx, gy; /* sub-pixel frequency, cycles per pixel */
	double power;  /* above the floor, summed over the 3 x 3 bins */
} am_peak;

/* The strongest local maxima (3 x 3) with |g| between gmin and gmax
 * (cycles per pixel) and power above `above` x floor, strongest first,
 * at most max. Returns how many were written to out. */
size_t am_spectrum_peaks(const am_spectrum *s, double gmin, double gmax, double above, am_peak *out, size_t max);

/* The power in the band gmin <= |g| <= gmax (cycles per pixel) that is
 * not white noise: the sum of the power less the noise's mean there. The
 * noise's mean is floor / ln 2, since a bin of white noise has an
 * exponentially distributed power whose median is the floor. Unlike a sum
 * of the power above the floor it is near 0 for pure noise, so a low dose
 * does not dilute a lattice's share; bounding the band keeps the slowly
 * varying background (a gradient, contamination, holes) out. *nbins
 * gets the number of bins summed: the sum's noise is floor / ln 2 times
 * its square root. */
double am_spectrum_structured(const am_spectrum *s, double gmin, double gmax, size_t *nbins);

/* Vertex of the parabola through (-1, a), (0, b), (1, c), in [-0.5, 0.5]:
 * a peak's sub-bin offset from its bin and its two neighbours. */
double am_parabola_vertex(double a, double b, double c);

/* Power above the floor within radius r bins of frequency (gx, gy). */
double am_spectrum_power_near(const am_spectrum *s, double gx, double gy, double r);
/* The same, less what the ring r < d <= 2.5 r around it predicts for the
 * disc (its mean power times the disc's bins): a sharp Bragg peak keeps
 * its power, a broad hump (random blobs, a gradient) keeps almost none.
 * Not floored at 0, so that over white noise it is 0 on average and a sum
 * of many does not grow with their number. *level (when not NULL) gets
 * the mean power of one bin there without the peak: the noise's mean plus
 * what the ring holds above the floor, for significance tests where a
 * broad background lifts the noise above the floor. */
double am_spectrum_excess_near(const am_spectrum *s, double gx, double gy, double r, double *level);

#endif
