/*
 * temper.c -- see temper.h.
 */
#include "temper.h"

#include <math.h>

double aws_temper_at(int i)
{
	/* 0.2 * 25^(i / 32), written so that the middle one is exp(0): 0.2 at
	 * 0, 1 at 16, 5 at 32 */
	int mid = AWS_TEMPER_GRID / 2;
	return exp(log(25.0) * (i - mid) / (AWS_TEMPER_GRID - 1));
}

/* log(p) / T, a probability under 1e-12 counted as 1e-12 */
static double scaled_log(double p, double T)
{
	return log(p > 1e-12 ? p : 1e-12) / T;
}

/* The normaliser of row p tempered by T, sum_c exp(scaled_log - top),
 * with *top the largest scaled_log: less the largest, exp cannot
 * overflow, and the sum is at least 1 (the largest term is exp(0)). */
static double row_norm(const double *p, size_t k, double T, double *top)
{
	double t = -INFINITY, tot = 0;
	for (size_t c = 0; c < k; c++) {
		double l = scaled_log(p[c], T);
		t = l > t ? l : t;
	}
	for (size_t c = 0; c < k; c++)
		tot += exp(scaled_log(p[c], T) - t);
	*top = t;
	return tot;
}

void aws_temper_row(double *q, const double *p, size_t k, double T)
{
	double top, tot = row_norm(p, k, T, &top);
	for (size_t c = 0; c < k; c++)
		q[c] = exp(scaled_log(p[c], T) - top) / tot;
}

/* Row p's Brier score against label y once tempered by T, without a
 * buffer (each term is made again). */
static double row_brier(const double *p, int32_t y, size_t k, double T)
{
	double top, tot = row_norm(p, k, T, &top), b = 0;
	for (size_t c = 0; c < k; c++) {
		double e = exp(scaled_log(p[c], T) - top) / tot - (y == (int32_t)c);
		b += e * e;
	}
	return b;
}

double aws_temper_brier(const double *const *P, size_t nb, const int32_t *y, size_t n, size_t k, double *T)
{
	double best = INFINITY, bestT = 1;
	for (int i = 0; i < AWS_TEMPER_GRID; i++) {
		double t = aws_temper_at(i), b = 0;
		for (size_t s = 0; s < nb; s++)
			for (size_t r = 0; r < n; r++)
				b += row_brier(P[s] + r * k, y[r], k, t);
		if (b < best)
			best = b, bestT = t;
	}
	if (T)
		*T = bestT;
	return best;
}
