/*
 * steps.c -- see steps.h.
 */
#include "steps.h"

#include <math.h>
#include <stdio.h>

#include "filter.h"
#include "motif.h"
#include "spectrum.h"

int am_denoise_level(double snr)
{
	return snr >= 3 ? 1 : 2; /* never the Bragg mask first: see am_gate_next */
}

/* Widths in Angstrom, so the filters mean the same at any pixel size;
 * a probe is about 0.5 A wide, and smoothing far beyond it merges
 * columns. */
static double px_of(const am_image *im, double angstrom, double least)
{
	double px = im->px > 0 ? angstrom / im->px : least;
	return px < least ? least : px;
}

int am_denoise(am_image *im, int level, const char **method, char *err, size_t errlen)
{
	int rc = 0;
	if (level <= 1) {
		*method = "gaussian";
		rc = am_filter_gaussian(im, px_of(im, 0.15, 1.0));
	} else if (level == 2) {
		*method = "median+gaussian";
		rc = am_filter_median(im, 1);
		if (rc == 0)
			rc = am_filter_gaussian(im, px_of(im, 0.25, 1.5));
	} else {
		*method = level == 3 ? "bragg" : "bragg-narrow";
		am_spectrum S;
		am_lattice L;
		if (am_spectrum_compute(&S, im, err, errlen) != 0)
			return -1;
		rc = am_lattice_estimate(&L, im, &S, err, errlen);
		am_spectrum_free(&S);
		if (rc != 0)
			return -1; /* no lattice to keep: the message says why */
		rc = am_filter_bragg(im, &L, level == 3 ? 3.0 : 1.5, err, errlen);
		if (rc == 0)
			rc = am_filter_gaussian(im, px_of(im, 0.1, 0.7));
		return rc;
	}
	if (rc != 0)
		snprintf(err, errlen, "out of memory denoising a %zu x %zu image", im->w, im->h);
	return rc;
}

int am_gate_next(const am_quality *q, const am_quality_opts *o, int level)
{
	if (q->pass)
		return level;
	if (q->empty)
		return -1;
	if (q->periodicity < o->min_periodicity && level >= 2)
		return -1;
	return level < AM_DENOISE_MAX ? level + 1 : -1;
}

int am_find_columns(am_colset *cols, const am_image *im, const am_lattice *L, const am_elements_hint *el, char *err,
		    size_t errlen)
{
	am_motif M;
	if (am_motif_build(&M, im, L, el, err, errlen) != 0)
		return -1;
	if (M.nsites > 0) {
		int rc = am_motif_columns(cols, &M, L, im->w, im->h, 1.0, err, errlen);
		cols->averaged = 1;
		am_motif_free(&M);
		return rc;
	}
	am_motif_free(&M);
	/* no site stands out of the average: single columns, as detected */
	double la = hypot(L->a[0], L->a[1]);
	am_col_opts o = {0.3 * la, 0.04, 1.0};
	return am_columns_find(cols, im, &o, err, errlen);
}
