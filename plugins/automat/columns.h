/*
 * columns.h -- atom-column detection in a (denoised) STEM image.
 *
 * A threshold between the background and the columns' peaks makes a
 * mask; its connected components are the candidate regions; their local
 * maxima, brightest first, are the columns, each at least min_sep from a
 * brighter one (so touching columns split, and a noise bump on a
 * column's flank does not count); a quadratic fit to the log intensity around each maximum
 * -- a 2-D Gaussian -- gives its sub-pixel centre. Species come from 1-D
 * k-means on the columns' intensities: brighter means heavier, since
 * HAADF contrast goes as about Z^1.7.
 */
#ifndef AUTOMAT_COLUMNS_H
#define AUTOMAT_COLUMNS_H

#include <stddef.h>

#include "image.h"

typedef struct am_col {
	double x, y;      /* pixels, sub-pixel */
	double intensity; /* smoothed peak height above background */
	int cls;          /* intensity class, 0 = dimmest; -1 before classify */
	int site;         /* the motif site it tiles (motif.h), -1 when detected on its own */
} am_col;

typedef struct am_colset {
	am_col *v;
	size_t n;
	double background;
	int averaged; /* 1: the lattice-averaged sites tiled (motif.h), intensities per site */
} am_colset;

typedef struct am_col_opts {
	double min_sep;   /* pixels between two columns, at least */
	double threshold; /* share of the way from background to the bright peaks */
	double smooth;    /* Gaussian sigma, pixels, before detection */
} am_col_opts;

int am_columns_find(am_colset *out, const am_image *im, const am_col_opts *o, char *err, size_t errlen);
void am_colset_free(am_colset *s);

/* 1-D k-means (k <= 8) on intensities, seeded at quantiles, so results
 * are deterministic; sets each column's cls, dimmest class 0. Writes the
 * class centres to centres[k]. Returns the number of non-empty classes. */
int am_columns_classify(am_colset *s, int k, double *centres);

#endif
