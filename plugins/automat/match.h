/*
 * match.h -- template retrieval: which known structure is this image of?
 *
 * Each template is described in projection (projection.h) by its reduced
 * lattice and two normalised histograms; the image's detected columns
 * and its lattice give the same:
 * - in-plane distances between atom columns (0-6 A, 0.05 A bins,
 *   Gaussian-smoothed by 0.1 A), each pair weighted by the product of its
 *   columns' brightness (Z^1.7 sums, over the brightest), so a faint
 *   column that detection may miss weighs little on both sides;
 * - the columns' brightness over the brightest's (0-1.2, smoothed by
 *   0.08, each weighted by its brightness), which tells apart structures
 *   whose columns sit alike but weigh differently (2H and 1T MoS2).
 * The score is the distance histograms' cosine similarity, times the
 * square root of the brightness histograms' (measured brightness is
 * noisier than position: the full similarity cost 5 of 21 tier-3 images
 * in automat-eval), times a lattice agreement exp(-e^2 / 2 (0.03)^2), e
 * the largest relative error of a, b and gamma / 90 degrees --
 * "physics-guided": a template whose cell cannot be this image's scores
 * near 0 whatever its histograms. Templates whose elements differ from
 * the requested ones are skipped.
 */
#ifndef AUTOMAT_MATCH_H
#define AUTOMAT_MATCH_H

#include <stddef.h>

#include "columns.h"
#include "lattice.h"
#include "projection.h"
#include "structure.h"

enum { AM_HIST_BINS = 120, AM_IHIST_BINS = 30 };

typedef struct am_template {
	char name[64];
	am_struct s;
	am_proj p;
	double hist[AM_HIST_BINS];
	double ihist[AM_IHIST_BINS]; /* column brightness over the brightest's, 0..1.2 */
	double level[8];             /* its columns' distinct brightness levels over the brightest's, falling */
	int nlevels;
} am_template;

typedef struct am_library {
	am_template *t;
	size_t n;
} am_library;

/* Loads every *.cif in dir (sorted by name). Errors name the bad file. */
int am_library_load(am_library *lib, const char *dir, char *err, size_t errlen);
void am_library_free(am_library *lib);

typedef struct am_match {
	size_t index;     /* into the library */
	double score, hist_sim, intensity_sim, lattice_err;
	int elements_ok;
} am_match;

/* Scores every template against the image's columns (pixels) and
 * lattice; out gets lib->n entries, best first. elements may be NULL (no
 * filter). -1 when memory runs out. */
int am_match_templates(am_match *out, const am_library *lib, const am_colset *cols, const am_lattice *L,
		       double px, size_t img_w, size_t img_h, const char *const *elements, size_t nelements);

/* The rule that takes the template line: the best-ranked template has the
 * requested elements and scores at least min_score. */
int am_match_accepted(const am_match *best, double min_score);

/* The template scaled to the measured lattice (by the square root of the
 * area ratio of the reduced cells), as a new structure. */
int am_template_fit(am_struct *out, const am_template *t, const am_lattice *L);

#endif
