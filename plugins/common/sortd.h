/*
 * sortd.h -- sorting an array of doubles ascending, for the medians,
 * percentiles and split points the plugins in this tree take. Header-only
 * (one comparator, no state), so each plugin stays one self-contained .so.
 */
#ifndef WEFT_PLUGINS_SORTD_H
#define WEFT_PLUGINS_SORTD_H

#include <stddef.h>
#include <stdlib.h>

static int wsort_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static inline void wsort_doubles(double *v, size_t n)
{
	qsort(v, n, sizeof *v, wsort_cmp_double);
}

#endif
