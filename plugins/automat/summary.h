/*
 * summary.h -- what a person reads at the end of a run: a short Markdown
 * page from the run's JSON report, the warnings that say a result is
 * physically implausible, and the column overlay drawn on the image.
 *
 * A result is implausible, and said to be, when the relaxation finds it
 * unbound (a positive energy per atom) or far from equilibrium, when the
 * template line ran on a template that does not match, when no template
 * resembles the image at all, when the lattice behind it is weak, or when
 * it differs from a given reference. The thresholds are the ones below,
 * each with its reason.
 */
#ifndef AUTOMAT_SUMMARY_H
#define AUTOMAT_SUMMARY_H

#include <jansson.h>
#include <stddef.h>

#include "columns.h"
#include "image.h"

/* Atoms that moved further than this in the relaxation (Angstrom) mean the
 * reconstruction was far from any stable structure: bonds are 1.5-3 A. */
#define AM_SUMMARY_MAX_MOVE 0.5
/* A lattice indexing fewer of its peaks, or less periodic, than this is
 * too weak to build a structure on. */
#define AM_SUMMARY_MIN_INDEXED 0.5
#define AM_SUMMARY_MIN_PERIODICITY 0.5

/* The warnings for an automat-report/1 document: a new JSON array of
 * strings, each saying what is implausible and why; empty when none. */
json_t *am_summary_warnings(const json_t *report);

/* The colour the overlay rings intensity class `cls` in, and its name. */
const char *am_summary_colour(int cls);

/* The Markdown page: the result, the stages' figures, the warnings, and
 * the overlay (`overlay` names its file; NULL: none). names[c] is class
 * c's element ("" when unknown; names may be NULL). Caller frees. */
char *am_summary_markdown(const json_t *report, const json_t *warnings, const am_colset *cols,
			  const char (*names)[8], const char *overlay);

/* The image in gray (1st to 99th percentile), each column ringed in its
 * intensity class's colour, as 8-bit RGB rows (caller frees), scaled down
 * to at most max_side pixels a side. *w and *h get its size. NULL when
 * memory is short. */
unsigned char *am_summary_overlay(const am_image *im, const am_colset *cols, size_t max_side, size_t *w, size_t *h);

#endif
