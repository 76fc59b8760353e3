/*
 * filter.c -- see filter.h.
 */
#include "filter.h"

#include <fftw3.h>
#include <pthread.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "par.h"
#include "sortd.h"

static size_t mirror(long i, size_t n)
{
	while (i < 0 || i >= (long)n)
		i = i < 0 ? -i - 1 : 2 * (long)n - i - 1;
	return (size_t)i;
}

/* Separable, with mirrored edges. The row pass takes the mirror only
 * within r of an edge, and the column pass adds whole rows at a time, so
 * both run along memory; each pixel's terms are still added in the same
 * order, so the result is the same to the bit as tap by tap. Both passes
 * split the image's rows across im->threads (par.h). */
typedef struct gauss {
	const double *k;
	int r;
	size_t w, h;
	double *img, *tmp;
} gauss;

static void gauss_rows(void *arg, size_t lo, size_t hi)
{
	const gauss *g = arg;
	const double *k = g->k;
	int r = g->r;
	size_t w = g->w;
	for (size_t y = lo; y < hi; y++) {
		const double *row = g->img + y * w;
		double *out = g->tmp + y * w;
		for (size_t x = 0; x < w; x++) {
			double s = 0;
			if (x >= (size_t)r && x + (size_t)r < w) {
				const double *p = row + x - (size_t)r;
				for (int i = 0; i <= 2 * r; i++)
					s += k[i] * p[i];
			} else {
				for (int i = -r; i <= r; i++)
					s += k[i + r] * row[mirror((long)x + i, w)];
			}
			out[x] = s;
		}
	}
}

static void gauss_cols(void *arg, size_t lo, size_t hi)
{
	const gauss *g = arg;
	size_t w = g->w;
	for (size_t y = lo; y < hi; y++) {
		double *out = g->img + y * w;
		for (size_t x = 0; x < w; x++)
			out[x] = 0;
		for (int i = -g->r; i <= g->r; i++) {
			const double *src = g->tmp + mirror((long)y + i, g->h) * w, ki = g->k[i + g->r];
			for (size_t x = 0; x < w; x++)
				out[x] += ki * src[x];
		}
	}
}

int am_filter_gaussian(am_image *im, double sigma)
{
	if (sigma <= 0)
		return 0;
	int r = (int)ceil(3 * sigma);
	size_t w = im->w, h = im->h;
	double *k = malloc((size_t)(2 * r + 1) * sizeof *k);
	double *tmp = malloc(w * h * sizeof *tmp);
	if (!k || !tmp) {
		free(k), free(tmp);
		return -1;
	}
	double ks = 0;
	for (int i = -r; i <= r; i++)
		ks += k[i + r] = exp(-(double)(i * i) / (2 * sigma * sigma));
	for (int i = 0; i <= 2 * r; i++)
		k[i] /= ks;
	gauss g = {k, r, w, h, im->v, tmp};
	am_par_rows(im->threads, h, gauss_rows, &g);
	am_par_rows(im->threads, h, gauss_cols, &g);
	free(k), free(tmp);
	return 0;
}

/* The median of 9 by a fixed exchange network (19 min/max pairs, after
 * Paeth / Devillard's opt_med9): the 3 x 3 median is the denoiser's first
 * step, and selecting per pixel was a seventh of a 4096 x 4096 analysis. */
#define MED_SORT(a, b)                                                                                                 \
	{                                                                                                              \
		double lo_ = p[a] < p[b] ? p[a] : p[b], hi_ = p[a] < p[b] ? p[b] : p[a];                               \
		p[a] = lo_;                                                                                            \
		p[b] = hi_;                                                                                            \
	}
static double median9(double *p)
{
	MED_SORT(1, 2) MED_SORT(4, 5) MED_SORT(7, 8) MED_SORT(0, 1) MED_SORT(3, 4) MED_SORT(6, 7)
	MED_SORT(1, 2) MED_SORT(4, 5) MED_SORT(7, 8) MED_SORT(0, 3) MED_SORT(5, 8) MED_SORT(4, 7)
	MED_SORT(3, 6) MED_SORT(1, 4) MED_SORT(2, 5) MED_SORT(4, 7) MED_SORT(4, 2) MED_SORT(6, 4)
	MED_SORT(4, 2)
	return p[4];
}
#undef MED_SORT

typedef struct median {
	const double *in;
	double *out;
	size_t w, h;
	int r;
	int failed; /* a part found no memory for its window (atomic) */
} median;

static void median3_rows(void *arg, size_t lo, size_t hi)
{
	const median *m = arg;
	size_t w = m->w, h = m->h;
	for (size_t y = lo; y < hi; y++) {
		const double *up = m->in + (y ? y - 1 : 0) * w, *mid = m->in + y * w;
		const double *dn = m->in + (y + 1 < h ? y + 1 : h - 1) * w;
		for (size_t x = 0; x < w; x++) {
			size_t l = x ? x - 1 : 0, rr = x + 1 < w ? x + 1 : w - 1; /* clamped, as below */
			double p[9] = {up[l], up[x], up[rr], mid[l], mid[x], mid[rr], dn[l], dn[x], dn[rr]};
			m->out[y * w + x] = median9(p);
		}
	}
}

static void median_rows(void *arg, size_t lo, size_t hi)
{
	median *m = arg;
	long r = m->r;
	size_t w = m->w, h = m->h, nw = (size_t)(2 * r + 1) * (size_t)(2 * r + 1);
	double *win = malloc(nw * sizeof *win);
	if (!win) {
		__atomic_store_n(&m->failed, 1, __ATOMIC_RELAXED);
		return;
	}
	for (size_t y = lo; y < hi; y++)
		for (size_t x = 0; x < w; x++) {
			size_t n = 0;
			for (long dy = -r; dy <= r; dy++) {
				long yy = (long)y + dy;
				yy = yy < 0 ? 0 : yy >= (long)h ? (long)h - 1 : yy;
				for (long dx = -r; dx <= r; dx++) {
					long xx = (long)x + dx;
					xx = xx < 0 ? 0 : xx >= (long)w ? (long)w - 1 : xx;
					win[n++] = m->in[(size_t)yy * w + (size_t)xx];
				}
			}
			m->out[y * w + x] = wsel_double(win, n, n / 2);
		}
	free(win);
}

int am_filter_median(am_image *im, int r)
{
	if (r <= 0)
		return 0;
	size_t w = im->w, h = im->h;
	double *out = malloc(w * h * sizeof *out);
	if (!out)
		return -1;
	median m = {im->v, out, w, h, r, 0};
	am_par_rows(im->threads, h, r == 1 && w >= 3 && h >= 3 ? median3_rows : median_rows, &m);
	int failed = __atomic_load_n(&m.failed, __ATOMIC_RELAXED); /* the parts have joined: read once */
	if (!failed)
		memcpy(im->v, out, w * h * sizeof *out);
	free(out);
	return failed ? -1 : 0;
}

int am_filter_bragg(am_image *im, const am_lattice *L, double r, char *err, size_t errlen)
{
	size_t w = im->w, h = im->h, hw = w / 2 + 1;
	double *in = fftw_malloc(w * h * sizeof *in);
	fftw_complex *F = fftw_malloc(h * hw * sizeof *F);
	double *mask = calloc(h * hw, sizeof *mask);
	fftw_plan fwd = in && F ? fftw_plan_dft_r2c_2d((int)h, (int)w, in, F, FFTW_ESTIMATE) : NULL;
	fftw_plan inv = in && F ? fftw_plan_dft_c2r_2d((int)h, (int)w, F, in, FFTW_ESTIMATE) : NULL;
	int rc = -1;
	if (!fwd || !inv || !mask) {
		snprintf(err, errlen, "out of memory for the Fourier filter of a %zu x %zu image", w, h);
		goto done;
	}
	memcpy(in, im->v, w * h * sizeof *in);
	fftw_execute(fwd);
	double ga = hypot(L->ga[0], L->ga[1]), gb = hypot(L->gb[0], L->gb[1]);
	long hmax = (long)ceil(0.5 / fmin(ga, gb)) + 1;
	int rr = (int)ceil(2.5 * r);
	for (long p = -hmax; p <= hmax; p++)
		for (long q = -hmax; q <= hmax; q++) {
			double gx = (double)p * L->ga[0] + (double)q * L->gb[0];
			double gy = (double)p * L->ga[1] + (double)q * L->gb[1];
			if (hypot(gx, gy) > 0.5)
				continue;
			if (gx < 0) /* the stored half plane holds -g */
				gx = -gx, gy = -gy;
			double cx = gx * (double)w, cy = gy * (double)h;
			for (long dy = -rr; dy <= rr; dy++)
				for (long dx = -rr; dx <= rr; dx++) {
					long kx = lround(cx) + dx, ky = lround(cy) + dy;
					if (kx < 0 || kx >= (long)hw)
						continue;
					double d2 = ((double)kx - cx) * ((double)kx - cx) + ((double)ky - cy) * ((double)ky - cy);
					double m = exp(-d2 / (2 * r * r));
					size_t at = (size_t)(((ky % (long)h) + (long)h) % (long)h) * hw + (size_t)kx;
					mask[at] = m > mask[at] ? m : mask[at];
				}
		}
	mask[0] = 1; /* keep the mean */
	for (size_t i = 0; i < h * hw; i++) {
		double m = mask[i] / (double)(w * h); /* FFTW leaves the inverse unscaled */
		F[i][0] *= m, F[i][1] *= m;
	}
	fftw_execute(inv);
	memcpy(im->v, in, w * h * sizeof *in);
	rc = 0;
done:
	if (fwd)
		fftw_destroy_plan(fwd);
	if (inv)
		fftw_destroy_plan(inv);
	fftw_free(in), fftw_free(F), free(mask);
	return rc;
}

/* The noise estimate's median and MAD over a large image, exactly as
 * wmad_sigma picks them, with its passes over all the pixels split by rows
 * across the image's threads: the residual (or its distance to the
 * median) is made and the top 16-bit digit of its key (wsort_key) counted
 * in one pass, each part with its own counts, summed into the total under
 * a lock (integers: the order does not matter). Only moving the k-th's
 * digit to the front and the selection among those are serial. */
typedef struct madjob {
	const double *a, *b; /* the residual a - b, or NULL: |d - med| */
	double *d, med;
	size_t w, *count;
	int failed;
	pthread_mutex_t lock;
} madjob;

static void mad_pass(void *arg, size_t lo, size_t hi)
{
	madjob *j = arg;
	size_t *c = calloc(65536, sizeof *c);
	for (size_t i = lo * j->w; i < hi * j->w; i++) {
		j->d[i] = j->a ? j->a[i] - j->b[i] : fabs(j->d[i] - j->med);
		if (c)
			c[wsort_key(j->d[i]) >> 48]++;
	}
	pthread_mutex_lock(&j->lock);
	for (size_t k = 0; c && k < 65536; k++)
		j->count[k] += c[k];
	j->failed |= !c;
	pthread_mutex_unlock(&j->lock);
	free(c);
}

/* The k-th smallest of d[0..n) given its top digits' counts. */
static double mad_select(double *d, size_t n, size_t k, const size_t *count)
{
	size_t m = wsel_narrow(d, n, &k, count, 48);
	return wsel_double(d, m, k);
}

double am_noise_sigma_from(const am_image *im, const am_image *lo)
{
	size_t n = im->w * im->h;
	double *d = malloc(n * sizeof *d);
	if (!d)
		return NAN;
	madjob j = {im->v, lo->v, d, 0, im->w, calloc(65536, sizeof(size_t)), 0, PTHREAD_MUTEX_INITIALIZER};
	double s = NAN;
	int counted = j.count && n >= 65536;
	if (counted) {
		am_par_rows(im->threads, im->h, mad_pass, &j);
		if (!j.failed) {
			j.med = mad_select(d, n, n / 2, j.count);
			memset(j.count, 0, 65536 * sizeof *j.count);
			j.a = NULL;
			am_par_rows(im->threads, im->h, mad_pass, &j);
		}
		counted = !j.failed;
		if (counted)
			s = 1.4826 * mad_select(d, n, n / 2, j.count);
	}
	if (!counted) { /* small, or a part had no memory for its counts */
		for (size_t i = 0; i < n; i++)
			d[i] = im->v[i] - lo->v[i];
		s = wmad_sigma(d, n);
	}
	free(j.count);
	free(d);
	return s;
}

double am_noise_sigma(const am_image *im)
{
	am_image lo;
	if (am_image_copy(&lo, im) != 0)
		return NAN;
	double s = am_filter_gaussian(&lo, AM_NOISE_BLUR) == 0 ? am_noise_sigma_from(im, &lo) : NAN;
	am_image_free(&lo);
	return s;
}
