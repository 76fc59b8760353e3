/*
 * sortd.h -- sorting an array of doubles ascending, and picking one order
 * statistic, for the medians, percentiles and split points the plugins in
 * this tree take. Header-only (no state), so each plugin stays one
 * self-contained .so.
 *
 * Large arrays are radix sorted on their bits (mapped so that unsigned
 * order is numeric order); qsort with a comparator was half of AutoMat's
 * time on a 1024 x 1024 image, sorting a million pixels for one median.
 * A quantile alone is selected without sorting (wsel_double).
 */
#ifndef WEFT_PLUGINS_SORTD_H
#define WEFT_PLUGINS_SORTD_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int wsort_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* A double's bits as an unsigned key in its numeric order: negatives
 * flipped whole, positives with the sign bit set. NaNs sort to the ends. */
static inline uint64_t wsort_key(double d)
{
	uint64_t u;
	memcpy(&u, &d, sizeof u);
	return u >> 63 ? ~u : u | 0x8000000000000000ULL;
}

static inline double wsort_unkey(uint64_t k)
{
	uint64_t u = k >> 63 ? k & 0x7fffffffffffffffULL : ~k;
	double d;
	memcpy(&d, &u, sizeof d);
	return d;
}

static inline void wsort_doubles(double *v, size_t n)
{
	/* 16-bit digits: four passes, each over a 65,536-entry count table,
	 * which pays off from about that many values */
	uint64_t *a = n >= 65536 ? malloc(2 * n * sizeof *a) : NULL;
	size_t *count = a ? malloc(65537 * sizeof *count) : NULL;
	if (!count) { /* small, or no memory for the radix passes */
		free(a);
		qsort(v, n, sizeof *v, wsort_cmp_double);
		return;
	}
	uint64_t *src = a, *dst = a + n;
	for (size_t i = 0; i < n; i++)
		src[i] = wsort_key(v[i]);
	for (int shift = 0; shift < 64; shift += 16) {
		memset(count, 0, 65537 * sizeof *count);
		for (size_t i = 0; i < n; i++)
			count[((src[i] >> shift) & 0xffff) + 1]++;
		if (count[((src[0] >> shift) & 0xffff) + 1] == n)
			continue; /* one digit: nothing moves */
		for (size_t d = 0; d < 65536; d++)
			count[d + 1] += count[d];
		for (size_t i = 0; i < n; i++)
			dst[count[(src[i] >> shift) & 0xffff]++] = src[i];
		uint64_t *t = src;
		src = dst;
		dst = t;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = wsort_unkey(src[i]);
	free(count);
	free(a);
}

/* Quickselect on a median of three, with a sort once it has taken more
 * rounds than a balanced split would, so no input is quadratic. */
static inline double wsel_double_qs(double *v, size_t n, size_t k)
{
	if (n == 0)
		return 0.0; /* no such element: the caller checks n */
	size_t lo = 0, hi = n - 1, rounds = 0, limit = 8;
	for (size_t m = n; m > 1; m >>= 1)
		limit += 2;
	while (hi > lo) {
		if (++rounds > limit) {
			wsort_doubles(v + lo, hi - lo + 1);
			return v[k];
		}
		size_t mid = lo + (hi - lo) / 2;
		double a = v[lo], b = v[mid], c = v[hi];
		double p = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
		size_t i = lo, j = hi;
		while (i <= j) {
			while (v[i] < p)
				i++;
			while (p < v[j])
				j--;
			if (i <= j) {
				double t = v[i];
				v[i] = v[j];
				v[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return v[k];
	}
	return v[k];
}

/* One narrowing step: given `count`, how many of v[0..n) have each 16-bit
 * digit of their keys at `shift`, moves the values of the k-th's digit to
 * the front and returns how many they are, *k becoming its rank among
 * them. Swapped, not copied: v stays a permutation of itself (wmad_sigma
 * reads all of it again). */
static inline size_t wsel_narrow(double *v, size_t n, size_t *k, const size_t *count, int shift)
{
	size_t d = 0;
	while (*k >= count[d])
		*k -= count[d++];
	if (count[d] == n)
		return n; /* one digit: nothing to move */
	size_t j = 0;
	for (size_t i = 0; i < n; i++)
		if (((wsort_key(v[i]) >> shift) & 0xffff) == d) {
			double t = v[j];
			v[j++] = v[i];
			v[i] = t;
		}
	return j;
}

/* The k-th smallest of v[0..n) (k < n), as v sorted would have at k; v is
 * reordered (no order is promised). From 65,536 values on, the candidates
 * are first narrowed a 16-bit digit of their keys (wsort_key) at a time:
 * one pass counts the digits, one swaps the values of the k-th's digit to
 * the front, until few are left for quickselect. Quickselect alone swept
 * a 4096 x 4096 image's 16 million values three or four times, for each of
 * AutoMat's medians and percentiles; the count leaves a few percent of
 * them after two passes. The value is the same either way, but for the
 * sign of a zero and where NaNs fall (keys order them; comparisons do
 * not). */
static inline double wsel_double(double *v, size_t n, size_t k)
{
	if (n == 0)
		return 0.0; /* no such element: the caller checks n */
	size_t *count = n >= 65536 ? malloc(65536 * sizeof *count) : NULL;
	size_t m = n;
	for (int shift = 48; count && m >= 65536 && shift >= 0; shift -= 16) {
		memset(count, 0, 65536 * sizeof *count);
		for (size_t i = 0; i < m; i++)
			count[(wsort_key(v[i]) >> shift) & 0xffff]++;
		m = wsel_narrow(v, m, &k, count, shift);
	}
	free(count);
	return wsel_double_qs(v, m, k);
}

/* 1.4826 x the median absolute deviation of v[0..n): a spread that
 * outliers do not inflate, sigma for normal noise; 0 when n is 0. v is
 * overwritten. */
static inline double wmad_sigma(double *v, size_t n)
{
	double med = wsel_double(v, n, n / 2);
	for (size_t i = 0; i < n; i++)
		v[i] = fabs(v[i] - med);
	return 1.4826 * wsel_double(v, n, n / 2);
}

#endif
