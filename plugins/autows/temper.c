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

void aws_temper_row(double *q, const double *p, size_t k, double T)
{
	double top = -INFINITY, tot = 0;
	for (size_t c = 0; c < k; c++) {
		q[c] = log(p[c] > 1e-12 ? p[c] : 1e-12) / T;
		top = q[c] > top ? q[c] : top;
	}
	for (size_t c = 0; c < k; c++) /* less the largest: exp cannot overflow */
		tot += q[c] = exp(q[c] - top);
	for (size_t c = 0; c < k; c++)
		q[c] /= tot; /* tot >= 1: the largest term is exp(0) */
}

/* Row p's Brier score against label y once tempered by T, without a
 * buffer: the terms are made twice, once for their sum and once each. */
static double row_brier(const double *p, int32_t y, size_t k, double T)
{
	double top = -INFINITY, tot = 0, b = 0;
	for (size_t c = 0; c < k; c++) {
		double l = log(p[c] > 1e-12 ? p[c] : 1e-12) / T;
		top = l > top ? l : top;
	}
	for (size_t c = 0; c < k; c++)
		tot += exp(log(p[c] > 1e-12 ? p[c] : 1e-12) / T - top);
	for (size_t c = 0; c < k; c++) {
		double e = exp(log(p[c] > 1e-12 ? p[c] : 1e-12) / T - top) / tot - (y == (int32_t)c);
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
