/*
 * temper.h -- temperature scaling of class probabilities (Guo et al.,
 * "On Calibration of Modern Neural Networks", ICML 2017): each row's
 * p_c^(1/T), normalised, with T chosen on held-out predictions. AUTO
 * weighs its end-model candidates by their out-of-fold Brier scores after
 * it, so that a candidate that ranks the classes well but is over- or
 * under-confident is not outweighed for its calibration alone.
 */
#ifndef AUTOWS_TEMPER_H
#define AUTOWS_TEMPER_H

#include <stddef.h>
#include <stdint.h>

/* The grid of temperatures tried: 0.2 to 5, evenly spaced on a log
 * scale; its middle one, AWS_TEMPER_GRID / 2, is exactly 1. */
#define AWS_TEMPER_GRID 33
double aws_temper_at(int i);

/* q (k classes) = p tempered by T > 0: p_c^(1/T) / sum. A probability
 * under 1e-12 counts as 1e-12, so a row of zeros becomes uniform. q and p
 * may be the same array. */
void aws_temper_row(double *q, const double *p, size_t k, double T);

/* The least Brier score, over the grid's temperatures, of nb blocks of
 * predictions P[b] (n rows x k classes each) against the labels y (n, each
 * in 0..k-1), summed over every block's rows; *T (may be NULL) gets the
 * temperature that gives it, the smallest on a tie. T 1 is in the grid, so
 * the score is never above the untempered one. */
double aws_temper_brier(const double *const *P, size_t nb, const int32_t *y, size_t n, size_t k, double *T);

#endif
