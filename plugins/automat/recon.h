/*
 * recon.h -- the template-free reconstruction: from detected columns and
 * the lattice to a minimal cell with its sites.
 *
 * Every column is folded into the cell (fractional coordinates modulo 1).
 * Columns that land within merge_tol of each other, across the cell's
 * edges too, are one site: periodic union-find joins them. A site must be
 * seen in enough cells (min_support x the best-supported site's count) to
 * count, which drops detections on noise and on defects. Species go by
 * the sites' intensity ratios (am_species_by_ratio): sites of equal
 * brightness are one species, and the brightest gets the heaviest element.
 */
#ifndef AUTOMAT_RECON_H
#define AUTOMAT_RECON_H

#include <stddef.h>

#include "columns.h"
#include "lattice.h"
#include "structure.h"

typedef struct am_recon_opts {
	double merge_tol;   /* Angstrom */
	double min_support; /* share of the best site's count */
	double vacuum;      /* c of the written cell, Angstrom */
	double px;          /* Angstrom per pixel */
	const char *const *elements; /* element symbols, any order */
	size_t nelements;
} am_recon_opts;

typedef struct am_site {
	double u, v, intensity;
	size_t count;
	int element; /* index into the elements, sorted by Z */
} am_site;

/* Builds out (free with am_struct_free); sites (malloc'd, *nsites) get the
 * sites for the report when not NULL. */
int am_reconstruct(am_struct *out, am_site **sites, size_t *nsites, const am_colset *cols, const am_lattice *L,
		   size_t img_w, size_t img_h, const am_recon_opts *o, char *err, size_t errlen);

#endif
