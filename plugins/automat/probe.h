/*
 * probe.h -- the probe's radial profile, fitted to a whole motif.
 *
 * A motif (the image folded into one cell) is a flat background plus, at
 * each site, the site's amplitude times one radial profile: the probe's.
 * The profile is modelled as a sum of centred Gaussians of fixed widths
 * (0.115 to 1.3 A) with weights >= 0, and fitted with the amplitudes by
 * alternating non-negative least squares; each round also moves every
 * site by the linearised least-squares step (at most 0.05 A). A site a
 * hundredth of an Angstrom off leaves a dipole in the residual as large as
 * a light column (a 30,000-count column, 0.5 A wide), so the places are
 * fitted too.
 *
 * Why that family: any such sum falls with the radius and is convex in
 * r^2. It takes a Gaussian core, a Lorentzian-like tail (itself a sum of
 * Gaussians of growing width) and source-size blur, but no shoulder or
 * ring at one radius. That matters because light columns often sit at
 * one distance from every heavy one (the four O at 2.0 A around both K
 * and Ta in KTaO3 along [001]): a free radial profile takes them as a
 * shoulder of the probe, and they vanish from the residual.
 */
#ifndef AUTOMAT_PROBE_H
#define AUTOMAT_PROBE_H

#include <stddef.h>

#include "lattice.h"

/* A periodic grid of gu x gv bins over one cell (row v), less its
 * lowest value. */
typedef struct am_probe_grid {
	const double *m;
	size_t gu, gv;
	double lo;
	const am_lattice *L;
	double px;        /* Angstrom per pixel */
	unsigned threads; /* to share the work among */
} am_probe_grid;

/* A site of the grid, fractional. */
typedef struct am_probe_site {
	double u, v;
} am_probe_site;

/* Fits the profile, the n sites' places (sites: in and out) and their
 * amplitudes (amp: in, the starting ones; out, the fitted ones, in the
 * grid's units at the profile's centre) and the background (*base, may be
 * negative: the tails lift even the lowest point). prof gets nprof knots, step
 * apart (Angstrom), prof[0] = 1; res (when not NULL, gu x gv) what the fit
 * leaves of the grid. -1 when memory runs out or nothing fits (nothing is then
 * written). */
int am_probe_fit(const am_probe_grid *g, am_probe_site *sites, size_t n, double *amp, double *base, double *prof,
		 int nprof, double step, double *res);

#endif
