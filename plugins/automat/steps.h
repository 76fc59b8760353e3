/*
 * steps.h -- the stages the ops chain, as library calls, so the ops, the
 * benchmark and the tests run the same code.
 */
#ifndef AUTOMAT_STEPS_H
#define AUTOMAT_STEPS_H

#include <stddef.h>

#include "columns.h"
#include "image.h"
#include "lattice.h"
#include "motif.h"
#include "quality.h"

/* Denoising levels, mildest first. 0 asks for the level the measured
 * noise calls for (am_denoise_level). */
enum { AM_DENOISE_AUTO = 0, AM_DENOISE_MAX = 4 };

/* The first level for an image of this SNR: 1 (light Gaussian) from 3
 * up, else 2 (median, then Gaussian). The Bragg-mask levels come only
 * after the gate has seen a lattice (am_gate_next). */
int am_denoise_level(double snr);
/* Denoises im in place at `level` (1..4); levels 3 and 4 need the image's
 * lattice, which they estimate themselves. *method gets a name for the
 * report. */
int am_denoise(am_image *im, int level, const char **method, char *err, size_t errlen);

/* The agent's rule after the gate failed on an image denoised at
 * `level`: the next level to try, or -1 to stop with the verdict. An
 * empty image stops at once. A periodicity that mild denoising (levels
 * 1-2) does not lift stops too: the Bragg mask (levels 3-4) keeps only
 * what sits on a lattice, and on an image without one it would make up
 * the very periodicity the gate asks for. Low SNR or contrast goes on up
 * to level 4. */
int am_gate_next(const am_quality *q, const am_quality_opts *o, int level);

/* Column detection with the parameters derived from the lattice; el, the
 * sample's elements, may be NULL. */
int am_find_columns(am_colset *cols, const am_image *im, const am_lattice *L, const am_elements_hint *el, char *err,
		    size_t errlen);

#endif
