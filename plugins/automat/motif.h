/*
 * motif.h -- lattice averaging: the image folded into one unit cell.
 *
 * Once the lattice is known, every pixel has a place in the cell. The
 * mean over all cells (the motif) has the noise of one pixel divided by
 * the square root of the number of cells, so a light column beside a heavy
 * one (O next to Ta, N next to Ga) stands out of it, where no single noisy
 * column does; this is the unit-cell averaging of crystallographic image
 * processing. Only pixels where the image looks like the motif count: a
 * local correlation with the tiled motif, over windows of a few cells,
 * masks holes, vacuum past an edge, a second grain and contamination.
 *
 * The motif's peaks are the sites. Columns are then the sites tiled over
 * the crystal part of the image, each with its site's height, so what
 * comes after (retrieval, species, the template-free cell) reads the
 * averaged intensities, not single noisy columns.
 */
#ifndef AUTOMAT_MOTIF_H
#define AUTOMAT_MOTIF_H

#include <stddef.h>

#include "columns.h"
#include "image.h"
#include "lattice.h"

typedef struct am_motif_site {
	double u, v;   /* fractional, in [0, 1) */
	double height; /* above the motif's lowest point */
} am_motif_site;

typedef struct am_motif {
	size_t gu, gv;     /* grid along a and b */
	double *m;         /* gv x gu mean intensity, row v */
	double ox, oy;     /* pixel of fractional (0, 0) */
	double noise;      /* standard error of one grid value */
	double crystal;    /* share of the image's pixels taken as crystal */
	unsigned char *in; /* w x h: 1 where the image is crystal */
	am_motif_site site[64];
	size_t nsites;
} am_motif;

/* The sample's elements, by atomic number, when the caller knows them:
 * they let a faint site stand for an element no other site stands for
 * (motif.c, missing_element_site). */
typedef struct am_elements_hint {
	int z[8];
	size_t n;
} am_elements_hint;

/* The hint for n element symbols: their atomic numbers, each once
 * (unknown symbols and those past 8 left out). */
void am_elements_hint_of(am_elements_hint *h, const char *const *sym, size_t n);

/* Folds im into the cell of L and finds the sites (el may be NULL). -1 with a message
 * when memory runs out or the lattice is degenerate; 0 sites is not an
 * error (the caller falls back). */
int am_motif_build(am_motif *M, const am_image *im, const am_lattice *L, const am_elements_hint *el, char *err,
		   size_t errlen);
void am_motif_free(am_motif *M);

/* The sites tiled over the crystal part of the image, at least `margin`
 * pixels inside it. */
int am_motif_columns(am_colset *out, const am_motif *M, const am_lattice *L, size_t w, size_t h, double margin,
		     char *err, size_t errlen);

/* Species by intensity ratio, for n sites (or columns) of intensities v:
 * sorted brightest first, a site joins the group above it when it is at
 * least `same` of that group's brightest (0.94: columns of one kind differ
 * by noise only), or 0.8 among faint sites (under 15% of the brightest),
 * whose heights are measured on heavy columns' tails. The brightest group gets the heaviest element, the next
 * group the next, and groups beyond the elements the lightest. Fewer
 * groups than elements is kept: a bilayer's equal columns all get the
 * heaviest. cls[i] is the element's index among nel sorted lightest
 * first. Returns the number of groups. */
#define AM_SAME_SPECIES 0.94
int am_species_by_ratio(const double *v, size_t n, int nel, double same, int *cls);

#endif
