/*
 * par.h -- a loop over rows split across threads, for the per-pixel
 * filters of a large image. Each row's result is computed exactly as on
 * one thread, so the output does not depend on how many threads ran it.
 */
#ifndef AUTOMAT_PAR_H
#define AUTOMAT_PAR_H

#include <stddef.h>

/* Does rows [lo, hi) of the loop; ctx is the caller's. */
typedef void am_rows_fn(void *ctx, size_t lo, size_t hi);

/* Runs fn over rows [0, n) in up to `threads` contiguous parts at once,
 * the calling thread taking the first. Small loops (under 64 rows a part)
 * and threads <= 1 run on the calling thread alone; a thread that cannot
 * be started leaves its part to the caller. fn must write only what its
 * rows own. */
void am_par_rows(unsigned threads, size_t n, am_rows_fn *fn, void *ctx);

#endif
