/*
 * columns.c -- see columns.h.
 */
#define _GNU_SOURCE
#include "columns.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "sortd.h"

/* Solves the n x n system M x = b in place (partial pivoting). */
static int solve(double *M, double *b, int n)
{
	for (int c = 0; c < n; c++) {
		int p = c;
		for (int r = c + 1; r < n; r++)
			if (fabs(M[r * n + c]) > fabs(M[p * n + c]))
				p = r;
		if (fabs(M[p * n + c]) < 1e-12)
			return -1;
		for (int k = 0; k < n; k++) {
			double t = M[c * n + k];
			M[c * n + k] = M[p * n + k], M[p * n + k] = t;
		}
		double t = b[c];
		b[c] = b[p], b[p] = t;
		for (int r = c + 1; r < n; r++) {
			double f = M[r * n + c] / M[c * n + c];
			for (int k = c; k < n; k++)
				M[r * n + k] -= f * M[c * n + k];
			b[r] -= f * b[c];
		}
	}
	for (int c = n - 1; c >= 0; c--) {
		for (int k = c + 1; k < n; k++)
			b[c] -= M[c * n + k] * b[k];
		b[c] /= M[c * n + c];
	}
	return 0;
}

/* Sub-pixel centre: fit ln I = c0 + c1 x + c2 y + c3 x^2 + c4 y^2 + c5 xy
 * over a 5 x 5 window and take the stationary point; keeps the integer
 * position when the fit is not a maximum or lands outside the window. */
static void refine(const am_image *sm, double bg, long px, long py, double *x, double *y)
{
	double M[36] = {0}, b[6] = {0};
	*x = (double)px, *y = (double)py;
	for (long dy = -2; dy <= 2; dy++)
		for (long dx = -2; dx <= 2; dx++) {
			long xx = px + dx, yy = py + dy;
			if (xx < 0 || yy < 0 || xx >= (long)sm->w || yy >= (long)sm->h)
				return;
			double v = sm->v[(size_t)yy * sm->w + (size_t)xx] - bg;
			if (v <= 0)
				continue;
			double f[6] = {1, (double)dx, (double)dy, (double)(dx * dx), (double)(dy * dy), (double)(dx * dy)};
			double w = v; /* bright pixels carry the shape; faint ones mostly noise */
			for (int i = 0; i < 6; i++) {
				b[i] += w * f[i] * log(v);
				for (int j = 0; j < 6; j++)
					M[i * 6 + j] += w * f[i] * f[j];
			}
		}
	if (solve(M, b, 6) != 0)
		return;
	double a = 2 * b[3], c = 2 * b[4], d = b[5], det = a * c - d * d;
	if (!(a < 0 && det > 0))
		return;
	double ox = (-b[1] * c + b[2] * d) / det, oy = (-b[2] * a + b[1] * d) / det;
	if (fabs(ox) <= 1.5 && fabs(oy) <= 1.5)
		*x += ox, *y += oy;
}

/* How far a peak rises above the lowest point within radius r: a column
 * stands out of the dip around it, a noise bump on a flat background or
 * in a hollow between columns barely does. */
static double prominence(const am_image *sm, size_t x, size_t y, double r)
{
	double v = sm->v[y * sm->w + x], lo = v;
	long rr = (long)ceil(r);
	for (long dy = -rr; dy <= rr; dy++)
		for (long dx = -rr; dx <= rr; dx++) {
			long xx = (long)x + dx, yy = (long)y + dy;
			if (xx >= 0 && yy >= 0 && xx < (long)sm->w && yy < (long)sm->h && (double)(dx * dx + dy * dy) <= r * r)
				lo = fmin(lo, sm->v[(size_t)yy * sm->w + (size_t)xx]);
		}
	return v - lo;
}

/* Brightest first; ties by position, so the order is the same everywhere. */
static int by_value_desc(const void *a, const void *b, void *img)
{
	const double *v = img;
	size_t p = *(const size_t *)a, q = *(const size_t *)b;
	if (v[p] != v[q])
		return v[p] > v[q] ? -1 : 1;
	return p < q ? -1 : p > q;
}

void am_colset_free(am_colset *s)
{
	free(s->v);
	memset(s, 0, sizeof *s);
}

int am_columns_find(am_colset *out, const am_image *im, const am_col_opts *o, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	size_t w = im->w, h = im->h, n = w * h;
	am_image sm;
	double *sorted = malloc(n * sizeof *sorted);
	int *label = malloc(n * sizeof *label);
	size_t *stack = malloc(n * sizeof *stack);
	size_t cap = 1024;
	out->v = malloc(cap * sizeof *out->v);
	int rc = -1;
	if (am_image_copy(&sm, im) != 0 || !sorted || !label || !stack || !out->v ||
	    am_filter_gaussian(&sm, o->smooth) != 0) {
		snprintf(err, errlen, "out of memory finding columns in a %zu x %zu image", w, h);
		goto done;
	}
	memcpy(sorted, sm.v, n * sizeof *sorted);
	/* 5th and 99.5th percentiles */
	double bg = wsel_double(sorted, n, n / 20), top = wsel_double(sorted, n, n - 1 - n / 200);
	double thr = bg + o->threshold * (top - bg);
	out->background = bg;
	/* connected components of the mask (4-connected), by flood fill */
	for (size_t i = 0; i < n; i++)
		label[i] = sm.v[i] > thr ? 0 : -1;
	int nlab = 0;
	for (size_t seed = 0; seed < n; seed++) {
		if (label[seed] != 0)
			continue;
		int id = ++nlab;
		size_t sp = 0;
		stack[sp++] = seed;
		label[seed] = id;
		while (sp) {
			size_t p = stack[--sp];
			size_t x = p % w, y = p / w;
			size_t nb[4] = {x > 0 ? p - 1 : p, x + 1 < w ? p + 1 : p, y > 0 ? p - w : p, y + 1 < h ? p + w : p};
			for (int q = 0; q < 4; q++)
				if (label[nb[q]] == 0)
					label[nb[q]] = id, stack[sp++] = nb[q];
		}
	}
	/* Peaks: local maxima (radius 2) inside a component, brightest first,
	 * each kept unless a brighter kept one lies within min_sep. Testing
	 * for the maximum over all of min_sep instead would lose a faint
	 * column beside a bright one: the bright one's tail, halfway between
	 * them, outshines the faint peak (S beside Mo in 1T-MoS2). A peak must
	 * also rise `threshold` of the range above the lowest point around it. */
	size_t nc = 0;
	for (size_t y = 0; y < h; y++)
		for (size_t x = 0; x < w; x++) {
			size_t p = y * w + x;
			if (label[p] <= 0)
				continue;
			double v = sm.v[p];
			int peak = 1;
			for (long dy = -2; dy <= 2 && peak; dy++)
				for (long dx = -2; dx <= 2; dx++) {
					long xx = (long)x + dx, yy = (long)y + dy;
					if ((!dx && !dy) || xx < 0 || yy < 0 || xx >= (long)w || yy >= (long)h)
						continue;
					double u = sm.v[(size_t)yy * w + (size_t)xx];
					if (u > v || (u == v && (dy < 0 || (dy == 0 && dx < 0)))) {
						peak = 0;
						break;
					}
				}
			if (peak)
				stack[nc++] = p; /* the flood fill is done: its stack is free */
		}
	qsort_r(stack, nc, sizeof *stack, by_value_desc, sm.v);
	/* label now marks the pixels within min_sep of a kept peak */
	for (size_t i = 0; i < n; i++)
		label[i] = 0;
	int r = (int)ceil(o->min_sep);
	for (size_t q = 0; q < nc; q++) {
		size_t p = stack[q], x = p % w, y = p / w;
		if (label[p] || prominence(&sm, x, y, o->min_sep) < o->threshold * (top - bg))
			continue;
		for (long dy = -r; dy <= r; dy++)
			for (long dx = -r; dx <= r; dx++) {
				long xx = (long)x + dx, yy = (long)y + dy;
				if (xx >= 0 && yy >= 0 && xx < (long)w && yy < (long)h &&
				    (double)(dx * dx + dy * dy) < o->min_sep * o->min_sep)
					label[(size_t)yy * w + (size_t)xx] = 1;
			}
		if (out->n == cap) {
			am_col *g = realloc(out->v, 2 * cap * sizeof *g);
			if (!g) {
				snprintf(err, errlen, "out of memory: more than %zu columns", cap);
				goto done;
			}
			out->v = g, cap *= 2;
		}
		am_col *c = &out->v[out->n++];
		refine(&sm, bg, (long)x, (long)y, &c->x, &c->y);
		c->intensity = sm.v[p] - bg;
		c->cls = -1, c->site = -1;
	}
	rc = 0;
done:
	am_image_free(&sm);
	free(sorted), free(label), free(stack);
	if (rc != 0)
		am_colset_free(out);
	return rc;
}

int am_columns_classify(am_colset *s, int k, double *centres)
{
	if (k < 1 || k > 8 || s->n == 0)
		return 0;
	double *v = malloc(s->n * sizeof *v);
	if (!v)
		return 0;
	for (size_t i = 0; i < s->n; i++)
		v[i] = s->v[i].intensity;
	wsort_doubles(v, s->n);
	for (int c = 0; c < k; c++)
		centres[c] = v[(size_t)((2.0 * c + 1) / (2.0 * k) * (double)s->n)];
	free(v);
	double sum[8], cnt[8];
	for (int it = 0; it < 100; it++) {
		memset(sum, 0, sizeof sum), memset(cnt, 0, sizeof cnt);
		int moved = 0;
		for (size_t i = 0; i < s->n; i++) {
			int best = 0;
			for (int c = 1; c < k; c++)
				if (fabs(s->v[i].intensity - centres[c]) < fabs(s->v[i].intensity - centres[best]))
					best = c;
			moved += s->v[i].cls != best;
			s->v[i].cls = best;
			sum[best] += s->v[i].intensity, cnt[best] += 1;
		}
		for (int c = 0; c < k; c++)
			if (cnt[c] > 0)
				centres[c] = sum[c] / cnt[c];
		if (!moved)
			break;
	}
	int used = 0;
	for (int c = 0; c < k; c++)
		used += cnt[c] > 0;
	return used;
}
