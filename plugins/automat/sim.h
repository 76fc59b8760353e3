/*
 * sim.h -- a STEM (HAADF) image simulator for tests and benchmarks.
 *
 * It tiles the structure's projected cell over the field of view, renders
 * each atom column as a Gaussian probe image of height sum(Z^1.7) (the
 * incoherent "Z-contrast" approximation), and adds shot noise at a dose
 * and Gaussian detector noise. Scan distortion shifts each row sideways
 * (a linear drift plus a sinusoidal jitter), as a slow scan does.
 */
#ifndef AUTOMAT_SIM_H
#define AUTOMAT_SIM_H

#include <stdint.h>

#include "image.h"
#include "structure.h"

typedef struct am_sim_opts {
	size_t w, h;       /* pixels */
	double px;         /* Angstrom per pixel */
	double rotation;   /* degrees, of a against the image x axis */
	double sigma;      /* probe: Gaussian standard deviation, Angstrom */
	double dose;       /* electrons per square Angstrom; 0: no shot noise */
	double read_noise; /* Gaussian noise, as a fraction of the brightest column's peak */
	double background; /* as a fraction of the brightest column's peak */
	double drift;      /* sideways shift per row, pixels (shears the lattice) */
	double jitter;     /* amplitude of the row jitter, pixels */
	uint64_t seed;
} am_sim_opts;
#define AM_SIM_OPTS_INIT {512, 512, 0.1, 0, 0.45, 0, 0, 0.05, 0, 0, 1}

/* Renders s into im (allocated here; free with am_image_free). The image
 * is in units of the brightest column's peak above background, times the
 * counts per pixel when dose > 0. */
int am_simulate(am_image *im, const am_struct *s, const am_sim_opts *o, char *err, size_t errlen);

#endif
