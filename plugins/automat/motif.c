/*
 * motif.c -- see motif.h.
 */
#define _GNU_SOURCE /* qsort_r */
#include "motif.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elements.h"
#include "par.h"
#include "probe.h"
#include "sortd.h"
#include "structure.h"

static size_t bin_of(double f, size_t g)
{
	size_t b = (size_t)(am_wrap1(f) * (double)g);
	return b < g ? b : g - 1;
}

/* Box sums of radius r (clamped at the edges), separable; tmp is w * h and
 * col w. out may be in: the row pass reads all of in into tmp first. The
 * column pass keeps one running sum per column and moves down the image a
 * row at a time, so it reads memory in order; a column at a time, every
 * step was a cache miss on a 4096 x 4096 image. Each sum sees the same
 * additions in the same order either way. The row pass splits by rows,
 * the column pass by strips of columns, over the image's threads: every
 * sum is still made on one thread in the same order, so the bits do not
 * depend on how many ran. */
typedef struct boxjob {
	const double *in;
	double *out, *tmp, *col;
	size_t w, h, r;
} boxjob;

static void box_rows(void *arg, size_t lo, size_t hi)
{
	const boxjob *b = arg;
	size_t w = b->w, r = b->r;
	for (size_t y = lo; y < hi; y++) {
		const double *row = b->in + y * w;
		double s = 0;
		for (size_t x = 0; x <= r && x < w; x++)
			s += row[x];
		for (size_t x = 0; x < w; x++) {
			b->tmp[y * w + x] = s;
			if (x + r + 1 < w)
				s += row[x + r + 1];
			if (x >= r)
				s -= row[x - r];
		}
	}
}

/* Columns [x0, x1), with their own stretch of col. */
static void box_cols(void *arg, size_t x0, size_t x1)
{
	const boxjob *b = arg;
	size_t w = b->w, h = b->h, r = b->r;
	double *col = b->col, *tmp = b->tmp, *out = b->out;
	for (size_t x = x0; x < x1; x++)
		col[x] = 0;
	for (size_t y = 0; y <= r && y < h; y++)
		for (size_t x = x0; x < x1; x++)
			col[x] += tmp[y * w + x];
	for (size_t y = 0; y < h; y++) {
		for (size_t x = x0; x < x1; x++)
			out[y * w + x] = col[x];
		if (y + r + 1 < h)
			for (size_t x = x0; x < x1; x++)
				col[x] += tmp[(y + r + 1) * w + x];
		if (y >= r)
			for (size_t x = x0; x < x1; x++)
				col[x] -= tmp[(y - r) * w + x];
	}
}

static void box(const double *in, double *out, double *tmp, double *col, size_t w, size_t h, size_t r,
		unsigned threads)
{
	boxjob b = {in, out, tmp, col, w, h, r};
	am_par_rows(threads, h, box_rows, &b);
	am_par_rows(threads, w, box_cols, &b);
}

/* The mean per grid bin over the pixels with in[p] set (all when in is
 * NULL), and the median standard error of a bin into *se. */
static void fold(am_motif *M, const am_image *im, const uint32_t *bins, double *sum2, size_t *cnt, double *se)
{
	size_t G = M->gu * M->gv;
	memset(M->m, 0, G * sizeof *M->m);
	memset(sum2, 0, G * sizeof *sum2);
	memset(cnt, 0, G * sizeof *cnt);
	for (size_t p = 0; p < im->w * im->h; p++) {
		if (M->in && !M->in[p])
			continue;
		size_t b = bins[p];
		M->m[b] += im->v[p], sum2[b] += im->v[p] * im->v[p], cnt[b]++;
	}
	double *ses = sum2; /* reused for the standard errors once read */
	size_t ns = 0;
	for (size_t b = 0; b < G; b++) {
		if (!cnt[b])
			continue;
		double mean = M->m[b] / (double)cnt[b], var = sum2[b] / (double)cnt[b] - mean * mean;
		M->m[b] = mean;
		ses[ns++] = sqrt(fmax(var, 0) / (double)cnt[b]);
	}
	*se = ns ? wsel_double(ses, ns, ns / 2) : 0;
	/* an empty bin (a few cells only) takes its row neighbour's mean */
	for (size_t b = 0; b < G; b++)
		if (!cnt[b])
			M->m[b] = M->m[(b / M->gu) * M->gu + (b % M->gu + 1) % M->gu];
}

/* Each pixel's bin of the cell grid, split by rows: where it falls in the
 * cell (am_lattice_frac, two wraps) was most of folding the image, which
 * is done twice, and of the crystal mask; the sums themselves stay in
 * pixel order on one thread. */
typedef struct binjob {
	const am_motif *M;
	const am_lattice *L;
	size_t w;
	uint32_t *bins;
} binjob;

static void bin_rows(void *arg, size_t lo, size_t hi)
{
	const binjob *j = arg;
	const am_motif *M = j->M;
	for (size_t y = lo; y < hi; y++)
		for (size_t x = 0; x < j->w; x++) {
			double u, v;
			am_lattice_frac(j->L, M->ox, M->oy, (double)x, (double)y, &u, &v);
			j->bins[y * j->w + x] = (uint32_t)(bin_of(v, M->gv) * M->gu + bin_of(u, M->gu));
		}
}

/* The crystal mask's window sums run on blocks of s x s pixels: s is 1
 * (each pixel its own block) below BLOCK_FROM pixels, and on a larger
 * image r / 12 for a window radius of r px, since the window is several
 * cells wide (r >= 12 px) and five image-sized arrays of per-pixel sums
 * were most of the columns step's time on a 4096 x 4096 image (faulting in
 * 640 MB). */
#define BLOCK_FROM (2048u * 2048u)

typedef struct maskjob {
	const am_motif *M;
	const am_image *im;
	const uint32_t *bins;
	size_t s, bw, bh, br;
	double *t[5]; /* per block: sums of I, m, I m, I^2 and m^2; box-summed in place */
	double *rho;  /* per block */
} maskjob;

/* The image, the motif tiled over it, and their products, summed per
 * block, split by block rows. */
static void mask_terms(void *arg, size_t lo, size_t hi)
{
	const maskjob *j = arg;
	size_t w = j->im->w, h = j->im->h, s = j->s;
	double *const *t = j->t;
	for (size_t by = lo; by < hi; by++)
		for (size_t y = by * s; y < (by + 1) * s && y < h; y++)
			for (size_t x = 0, q = by * j->bw, k = 0; x < w; x++) {
				size_t p = y * w + x;
				double I = j->im->v[p], m = j->M->m[j->bins[p]];
				t[0][q] += I, t[1][q] += m, t[2][q] += I * m, t[3][q] += I * I, t[4][q] += m * m;
				if (++k == s)
					k = 0, q++;
			}
}

/* Pixels in blocks [b - br, b + br] (clipped) of n blocks of s pixels
 * over `len` pixels. */
static double window_px(size_t b, size_t br, size_t n, size_t s, size_t len)
{
	size_t lo = b > br ? b - br : 0, hi = b + br < n ? b + br + 1 : n;
	return (double)((hi * s < len ? hi * s : len) - lo * s);
}

/* Their correlation from the box sums, split by block rows. */
static void mask_rho(void *arg, size_t lo, size_t hi)
{
	const maskjob *j = arg;
	double *const *t = j->t;
	for (size_t by = lo; by < hi; by++) {
		double ny = window_px(by, j->br, j->bh, j->s, j->im->h);
		for (size_t bx = 0; bx < j->bw; bx++) {
			size_t q = by * j->bw + bx;
			double c = window_px(bx, j->br, j->bw, j->s, j->im->w) * ny;
			double cov = t[2][q] - t[0][q] * t[1][q] / c;
			double vi = t[3][q] - t[0][q] * t[0][q] / c, vm = t[4][q] - t[1][q] * t[1][q] / c;
			j->rho[q] = vi > 0 && vm > 0 ? cov / sqrt(vi * vm) : 0;
		}
	}
}

/* Which pixels are crystal: the correlation, over windows of a few cells,
 * between the image and the motif tiled over it. Each pixel takes its
 * block's verdict. */
static int crystal_mask(am_motif *M, const am_image *im, const uint32_t *bins, double cell_px)
{
	size_t w = im->w, h = im->h, n = w * h;
	size_t r = (size_t)fmax(12, 1.5 * cell_px);
	size_t s = n >= BLOCK_FROM && r / 12 >= 2 ? r / 12 : 1;
	size_t bw = (w + s - 1) / s, bh = (h + s - 1) / s, nb = bw * bh;
	maskjob j = {M, im, bins, s, bw, bh, (r + s / 2) / s, {NULL}, NULL};
	/* each sum is box-summed in place (box reads all of its input before
	 * it writes): 7 block-sized arrays */
	double *tmp = malloc(nb * sizeof *tmp), *col = malloc(bw * sizeof *col);
	int ok = tmp && col && (j.rho = malloc(nb * sizeof *j.rho));
	for (int k = 0; k < 5; k++)
		ok = ok && (j.t[k] = calloc(nb, sizeof *j.t[k]));
	if (!ok)
		goto out;
	am_par_rows(im->threads, bh, mask_terms, &j);
	for (int k = 0; k < 5; k++)
		box(j.t[k], j.t[k], tmp, col, bw, bh, j.br, im->threads);
	am_par_rows(im->threads, bh, mask_rho, &j);
	memcpy(tmp, j.rho, nb * sizeof *tmp);
	double p90 = wsel_double(tmp, nb, nb * 9 / 10);
	M->in = malloc(n);
	if (!M->in)
		goto out;
	/* a window counts as crystal when it correlates half as well as the
	 * best-correlated tenth; with no lattice anywhere, all pixels count */
	size_t kept = 0;
	for (size_t y = 0; y < h; y++)
		for (size_t x = 0, q = (y / s) * bw, k = 0; x < w; x++) {
			M->in[y * w + x] = p90 < 0.1 || j.rho[q] >= 0.5 * p90;
			kept += M->in[y * w + x];
			if (++k == s)
				k = 0, q++;
		}
	M->crystal = (double)kept / (double)n;
out:
	free(tmp), free(col), free(j.rho);
	for (int k = 0; k < 5; k++)
		free(j.t[k]);
	return M->in ? 0 : -1;
}

/* Squared distance in Angstrom (pixels times px) between grid offsets. */
static double grid_d2(const am_lattice *L, double du, double dv, double px)
{
	du -= round(du), dv -= round(dv);
	double x = du * L->a[0] + dv * L->b[0], y = du * L->a[1] + dv * L->b[1];
	return (x * x + y * y) * px * px;
}

/* Bin (iu, iv) of grid g, of M's shape, periodic in both. */
static double cell_at(const am_motif *M, const double *g, long iu, long iv)
{
	long gu = (long)M->gu, gv = (long)M->gv;
	iu = ((iu % gu) + gu) % gu, iv = ((iv % gv) + gv) % gv;
	return g[(size_t)iv * M->gu + (size_t)iu];
}

static double at(const am_motif *M, long iu, long iv)
{
	return cell_at(M, M->m, iu, iv);
}

typedef struct cand {
	long iu, iv;
	double val;
} cand;

static int by_val(const void *a, const void *b)
{
	double x = ((const cand *)a)->val, y = ((const cand *)b)->val;
	return x > y ? -1 : x < y;
}

/* Periodic local maxima of grid g (M's shape) that rise `need` above the
 * lowest point within 0.9 A and lie at least `apart` A from the sites
 * already in M, brightest first; appended to M's sites with their value
 * above lo as height. */
static void add_peaks(am_motif *M, const double *g, const am_lattice *L, double px, double need, double apart,
		      double lo, const am_motif_site *dead, size_t ndead)
{
	long gu = (long)M->gu, gv = (long)M->gv;
	cand *c = malloc(M->gu * M->gv * sizeof *c);
	size_t nc = 0, first = M->nsites;
	if (!c)
		return;
	for (long iv = 0; iv < gv; iv++)
		for (long iu = 0; iu < gu; iu++) {
			double v = cell_at(M, g, iu, iv);
			int peak = 1;
			for (int dv = -1; dv <= 1 && peak; dv++)
				for (int du = -1; du <= 1; du++) {
					double nb = cell_at(M, g, iu + du, iv + dv);
					if ((du || dv) && (nb > v || (nb == v && (dv < 0 || (dv == 0 && du < 0))))) {
						peak = 0;
						break;
					}
				}
			if (peak)
				c[nc++] = (cand){iu, iv, v};
		}
	qsort(c, nc, sizeof *c, by_val);
	double r_prom2 = 0.9 * 0.9, r_nms2 = 0.5 * 0.5, apart2 = apart * apart;
	long ru = (long)ceil(0.9 / (px * hypot(L->a[0], L->a[1])) * (double)gu) + 1;
	long rv = (long)ceil(0.9 / (px * hypot(L->b[0], L->b[1])) * (double)gv) + 1;
	ru = ru > gu / 2 ? gu / 2 : ru, rv = rv > gv / 2 ? gv / 2 : rv;
	for (size_t i = 0; i < nc && M->nsites < sizeof M->site / sizeof M->site[0]; i++) {
		double fu = (double)c[i].iu / (double)gu, fv = (double)c[i].iv / (double)gv;
		int near = 0;
		for (size_t s = 0; s < M->nsites && !near; s++)
			near = grid_d2(L, fu - M->site[s].u, fv - M->site[s].v, px) < (s < first ? apart2 : r_nms2);
		for (size_t s = 0; s < ndead && !near; s++)
			near = grid_d2(L, fu - dead[s].u, fv - dead[s].v, px) < r_nms2;
		if (near)
			continue;
		double low = c[i].val;
		for (long dv = -rv; dv <= rv; dv++)
			for (long du = -ru; du <= ru; du++)
				if (grid_d2(L, (double)du / (double)gu, (double)dv / (double)gv, px) <= r_prom2)
					low = fmin(low, cell_at(M, g, c[i].iu + du, c[i].iv + dv));
		if (c[i].val - low < need)
			continue;
		long iu = c[i].iu, iv = c[i].iv;
		double su = am_parabola_vertex(cell_at(M, g, iu - 1, iv), c[i].val, cell_at(M, g, iu + 1, iv));
		double sv = am_parabola_vertex(cell_at(M, g, iu, iv - 1), c[i].val, cell_at(M, g, iu, iv + 1));
		/* bins are cells of the grid: a bin's value is its centre's */
		M->site[M->nsites++] = (am_motif_site){am_wrap1(((double)c[i].iu + 0.5 + su) / (double)gu),
						       am_wrap1(((double)c[i].iv + 0.5 + sv) / (double)gv), c[i].val - lo};
	}
	free(c);
}

/* The motif's value at fractional (u, v), bilinear between bin centres. */
static double sample(const am_motif *M, double u, double v)
{
	double x = am_wrap1(u) * (double)M->gu - 0.5, y = am_wrap1(v) * (double)M->gv - 0.5;
	long ix = (long)floor(x), iy = (long)floor(y);
	double fx = x - (double)ix, fy = y - (double)iy;
	return (1 - fy) * ((1 - fx) * at(M, ix, iy) + fx * at(M, ix + 1, iy)) +
	       fy * ((1 - fx) * at(M, ix, iy + 1) + fx * at(M, ix + 1, iy + 1));
}

/* 1.4826 x the median absolute deviation of v: a spread that outliers
 * (the columns left in a residual) do not inflate. NAN without memory. */
static double mad_sigma(const double *v, size_t n)
{
	double *t = malloc(n * sizeof *t);
	if (!t)
		return NAN;
	memcpy(t, v, n * sizeof *t);
	double s = wmad_sigma(t, n);
	free(t);
	return s;
}

enum { PROF_N = 90 };
#define PROF_STEP 0.04 /* Angstrom: the profile reaches 3.6 A */

/* Sum over the periodic images of site s within the profile's reach of
 * prof(distance from (u, v)). */
static double profile_at(const am_lattice *L, const double *prof, double px, double u, double v,
			 const am_motif_site *s)
{
	double du = u - s->u, dv = v - s->v, sum = 0;
	du -= round(du), dv -= round(dv);
	for (int i = -2; i <= 2; i++)
		for (int j = -2; j <= 2; j++) {
			double x = (du + i) * L->a[0] + (dv + j) * L->b[0], y = (du + i) * L->a[1] + (dv + j) * L->b[1];
			double r = sqrt(x * x + y * y) * px / PROF_STEP;
			if (r < PROF_N - 1) {
				long k = (long)r;
				sum += prof[k] + (r - (double)k) * (prof[k + 1] - prof[k]);
			}
		}
	return sum;
}

/* Between two found columns closer than 2.6 A the probe tails overlap
 * most, and the radial profile, measured where they overlap least, misses
 * their sum there: the residual keeps a bump at the midpoint. New sites
 * (from index `from`) within 0.25 A of such a midpoint are dropped. Light
 * columns at midpoints (O between two Sr, 3.9 A apart) are further apart
 * than that. */
static void drop_saddles(am_motif *M, const am_lattice *L, double px, size_t from)
{
	size_t kept = from;
	for (size_t s = from; s < M->nsites; s++) {
		int saddle = 0;
		for (size_t t1 = 0; t1 < from && !saddle; t1++)
			for (size_t t2 = t1; t2 < from && !saddle; t2++)
				for (int i = -1; i <= 1 && !saddle; i++)
					for (int j = -1; j <= 1 && !saddle; j++) {
						double du = M->site[t2].u + i - M->site[t1].u, dv = M->site[t2].v + j - M->site[t1].v;
						if ((t1 == t2 && i == 0 && j == 0) || grid_d2(L, du, dv, px) > 2.6 * 2.6 ||
						    fabs(du) > 1.5 || fabs(dv) > 1.5)
							continue;
						/* unwrapped, so the pair's midpoint is not wrapped away */
						double x = (du * L->a[0] + dv * L->b[0]) * px, y = (du * L->a[1] + dv * L->b[1]) * px;
						if (hypot(x, y) > 2.6)
							continue;
						double mu = M->site[t1].u + du / 2, mv = M->site[t1].v + dv / 2;
						saddle = grid_d2(L, M->site[s].u - mu, M->site[s].v - mv, px) < 0.25 * 0.25;
					}
		if (!saddle)
			M->site[kept++] = M->site[s];
	}
	M->nsites = kept;
}

/* The residual's spread (1.4826 MAD) where a new site may be, 1 A or more
 * from the n sites; all of it when too little lies there. NAN without
 * memory. */
static double far_spread(const am_motif *M, const am_lattice *L, double px, const double *res, size_t n)
{
	size_t G = M->gu * M->gv, na = 0;
	double *away = malloc(G * sizeof *away);
	if (!away)
		return NAN;
	for (size_t iv = 0; iv < M->gv; iv++)
		for (size_t iu = 0; iu < M->gu; iu++) {
			double u = ((double)iu + 0.5) / (double)M->gu, v = ((double)iv + 0.5) / (double)M->gv, d2 = INFINITY;
			for (size_t s = 0; s < n; s++)
				d2 = fmin(d2, grid_d2(L, u - M->site[s].u, v - M->site[s].v, px));
			if (d2 >= 1.0)
				away[na++] = res[iv * M->gu + iu];
		}
	double sp = na >= 16 ? wmad_sigma(away, na) : NAN;
	free(away);
	return sp >= 0 ? sp : mad_sigma(res, G);
}

/* The share of the motif's bins below its value at (u, v). */
static double rank_of(const am_motif *M, double u, double v)
{
	double mv = sample(M, u, v);
	size_t G = M->gu * M->gv, below = 0;
	for (size_t b = 0; b < G; b++)
		below += M->m[b] < mv;
	return (double)below / (double)G;
}

/* The matched filter's width (Angstrom), a probe core's: 0.2 and 0.4
 * gave one tier-3 image fewer over the four sets of bench/automat-unseen.sh
 * (the value was chosen before they were run). */
#define MF_SIGMA 0.3

/* One periodic Gaussian pass along a line of n values (stride st). */
static void gauss_line(const double *in, double *out, size_t n, size_t st, const double *k, long r)
{
	for (size_t i = 0; i < n; i++) {
		double acc = 0;
		for (long d = -r; d <= r; d++) {
			long j = ((long)i + d) % (long)n;
			acc += k[d + r] * in[(size_t)(j < 0 ? j + (long)n : j) * st];
		}
		out[i * st] = acc;
	}
}

/* A normalised Gaussian kernel of sigma sg bins (radius 3 sigma, at most
 * `max` taps), its radius into *r; returns the sum of squares of that
 * kernel after the motif's 3-tap binomial: what the two leave of the
 * variance of independent bins. */
static double gauss_kernel(double sg, double *k, long max, long *r)
{
	long rr = (long)ceil(3 * sg);
	rr = rr < 1 ? 1 : rr > (max - 1) / 2 ? (max - 1) / 2 : rr;
	double sum = 0;
	for (long d = -rr; d <= rr; d++)
		sum += k[d + rr] = exp(-0.5 * (double)(d * d) / (sg * sg));
	for (long d = -rr; d <= rr; d++)
		k[d + rr] /= sum;
	double sq = 0;
	for (long d = -rr - 1; d <= rr + 1; d++) {
		double c = 0;
		for (long e = -1; e <= 1; e++)
			if (d - e >= -rr && d - e <= rr)
				c += (e ? 0.25 : 0.5) * k[d - e + rr];
		sq += c * c;
	}
	*r = rr;
	return sq;
}

/* The residual smoothed with a Gaussian of `sigma_a` Angstrom (a matched
 * filter for a column's bump) into sm; returns the standard error of a
 * smoothed bin from `se`, that of one bin as folded. -1 without memory. */
static double matched(const am_motif *M, const am_lattice *L, double px, const double *res, double se, double sigma_a,
		      double *sm)
{
	double k[129];
	long ru, rv;
	double bu = hypot(L->a[0], L->a[1]) * px / (double)M->gu, bv = hypot(L->b[0], L->b[1]) * px / (double)M->gv;
	double su2 = gauss_kernel(sigma_a / bu, k, 129, &ru);
	double *t = malloc(M->gu * M->gv * sizeof *t);
	if (!t)
		return -1;
	for (size_t iv = 0; iv < M->gv; iv++)
		gauss_line(res + iv * M->gu, t + iv * M->gu, M->gu, 1, k, ru);
	double sv2 = gauss_kernel(sigma_a / bv, k, 129, &rv);
	for (size_t iu = 0; iu < M->gu; iu++)
		gauss_line(t + iu, sm + iu, M->gv, M->gu, k, rv);
	free(t);
	return se * sqrt(su2 * sv2);
}

/* A new site that fell short of its bar, where a site that passed lies
 * at its place turned by the lattice's rotation about the brightest site
 * (90 degrees on a square lattice, 120 on a hexagonal one), with at most
 * twice its amplitude: the projection's symmetry says it is that site's
 * twin. It needs only 3 standard errors (perovskite's two O columns along
 * [001], one of which rose 4.5 and the other fell just short at a low
 * dose, so the cell had three columns for four). */
static void symmetric_partners(const am_motif *M, const am_lattice *L, double px, size_t n, size_t first_new,
			       const double *want, uint8_t *pass, double noise)
{
	if (!(fabs(L->len_a - L->len_b) < 0.02 * L->len_a))
		return;
	double turn = fabs(L->gamma - 90) < 1.5 ? M_PI / 2
		      : fabs(L->gamma - 120) < 1.5 || fabs(L->gamma - 60) < 1.5 ? 2 * M_PI / 3
										: 0;
	if (turn == 0)
		return;
	const am_motif_site *top = &M->site[0];
	for (size_t s = first_new; s < n; s++) {
		if (pass[s] || !isfinite(want[s]) || !(M->site[s].height >= 3 * noise))
			continue;
		for (size_t p = 1; p < n && !pass[s]; p++) {
			if (p == s || !pass[p] || M->site[p].height > 2 * M->site[s].height)
				continue;
			double du = M->site[p].u - top->u, dv = M->site[p].v - top->v;
			du -= round(du), dv -= round(dv);
			double x = du * L->a[0] + dv * L->b[0], y = du * L->a[1] + dv * L->b[1];
			for (int sign = -1; sign <= 1 && !pass[s]; sign += 2) {
				double c = cos(sign * turn), sn = sin(sign * turn), ru, rv;
				am_lattice_frac(L, 0, 0, c * x - sn * y, sn * x + c * y, &ru, &rv);
				pass[s] = grid_d2(L, top->u + ru - M->site[s].u, top->v + rv - M->site[s].v, px) < 0.3 * 0.3;
			}
		}
	}
}

/* A sample element that no site's brightness stands for: the sites make
 * fewer intensity groups than the elements given (species go by groups,
 * the brightest the heaviest), so the lightest element has no column.
 * New sites that fell short of their bar are then looked at again: one
 * that rises 2.5 standard errors and 5 misfit spreads (not 4.5 errors),
 * or that failed only the bar for the cell's lowest points (7% of the
 * brightest, for the empty centre of a honeycomb or a 2H bilayer), is
 * that element's column when its amplitude is what Z-contrast gives it
 * beside the brightest column: (Z / Z_top)^n with n between 1.6 and 2.0,
 * times a column density between 1/2 and 2 of the top one's. The
 * strongest such site is taken, with the others of at least 2/3 its
 * amplitude (one species, within the noise of sites this faint).
 * Examples: the O at the centre of CeO2's Ce square along [001] (3.5-7% of
 * Ce, 9 to 57 standard errors), the two O columns of a perovskite along
 * [001] at a low dose (1-2% of Ta or La, 2.6-2.9 errors each), where the
 * rule for twins (symmetric_partners) needs one of them to pass. Not
 * taken: a 2H bilayer's empty centre (4-5% of columns that hold both Mo
 * and S, where S alone would be 7-42%), and bumps where every element has
 * its column already. */
static void missing_element_site(am_motif *M, const am_motif_site *held, size_t nheld, const am_elements_hint *el)
{
	if (!el || el->n < 2 || nheld == 0 || M->nsites == 0)
		return;
	double v[64];
	int cls[64];
	for (size_t s = 0; s < M->nsites; s++)
		v[s] = M->site[s].height;
	if (am_species_by_ratio(v, M->nsites, (int)el->n, AM_SAME_SPECIES, cls) >= (int)el->n)
		return;
	int zl = el->z[0], zh = el->z[0];
	for (size_t i = 1; i < el->n; i++)
		zl = el->z[i] < zl ? el->z[i] : zl, zh = el->z[i] > zh ? el->z[i] : zh;
	if (zl <= 0 || zh <= zl)
		return;
	double q = (double)zl / (double)zh, lo = 0.5 * q * q, hi = 2 * pow(q, 1.6), top = M->site[0].height;
	double best = 0;
	for (size_t s = 0; s < nheld; s++) {
		double r = held[s].height / top;
		if (r >= lo && r <= hi)
			best = fmax(best, held[s].height);
	}
	for (size_t s = 0; s < nheld && best > 0 && M->nsites < 64; s++) {
		double r = held[s].height / top;
		if (r >= lo && r <= hi && held[s].height >= best * (2.0 / 3.0))
			M->site[M->nsites++] = held[s];
	}
}

/* Light columns beside heavy ones sit on the heavy columns' probe tails
 * (a Lorentzian tail puts 10-20% of a heavy column's height 2 A away,
 * ten times an O column's own). The sites found so far, a flat background
 * and one radial profile for all (probe.h: fitted to the whole motif,
 * sites moved to where they fit best) leave a residual; its strongest
 * bump that is no noise (4.5 standard errors) becomes a site, and the fit
 * is made again with it, until no bump is left (at most 8 rounds). One
 * at a time, because a fit that lacks a strong column (four O at 1.3 A
 * from Ti in rutile) misfits everywhere, and its bumps are not columns;
 * once that column is in, the misfit falls to the noise.
 *
 * Then the new sites must stand out of the last fit's misfit: five times
 * the residual's spread away from the sites. Heights become the fitted
 * amplitudes, so species compare columns, not columns plus tails. A
 * large cell with many sites (over 48 MB of basis, probe.h) keeps the
 * profile read off the brightest site: the lowest value around it at
 * each radius, so neighbours do not add to it. Last, a sample element
 * with no site may take one of the sites that fell short
 * (missing_element_site). */
static void peel(am_motif *M, const am_lattice *L, double px, double lo, double noise, double base_need,
		 const am_elements_hint *el, unsigned threads)
{
	if (M->nsites == 0)
		return;
	double prof[PROF_N];
	const am_motif_site *top = &M->site[0];
	for (int k = 0; k < PROF_N; k++) {
		double r = k * PROF_STEP / px, low = INFINITY;
		for (int t = 0; t < 72; t++) {
			double ang = t * (2 * M_PI / 72), dx = r * cos(ang), dy = r * sin(ang);
			double du, dv; /* the pixel offset, fractional */
			am_lattice_frac(L, 0, 0, dx, dy, &du, &dv);
			low = fmin(low, sample(M, top->u + du, top->v + dv));
		}
		prof[k] = fmax(low - lo, 0) / fmax(top->height, 1e-300);
		if (k > 0 && prof[k] > prof[k - 1])
			prof[k] = prof[k - 1]; /* a profile falls */
	}
	size_t G = M->gu * M->gv, first_new = M->nsites, ndead = 0;
	am_motif_site dead[64];
	double *res = malloc(G * sizeof *res);
	if (!res)
		return;
	for (int round = 0;; round++) {
		/* amplitudes: height = own amplitude + the others' tails there */
		size_t n = M->nsites;
		double amp[64], h[64], base = 0;
		for (size_t s = 0; s < n; s++)
			h[s] = amp[s] = M->site[s].height;
		for (int it = 0; it < 30; it++)
			for (size_t t = 0; t < n; t++) {
				double others = 0;
				for (size_t s = 0; s < n; s++) {
					double pr = profile_at(L, prof, px, M->site[t].u, M->site[t].v, &M->site[s]);
					others += amp[s] * (s == t ? pr - 1 : pr); /* its own periodic images only, for s == t */
				}
				amp[t] = fmax(h[t] - others, 0);
			}
		/* then, from those, the profile and the amplitudes fitted to the
		 * whole motif */
		am_probe_site ps[64];
		for (size_t s = 0; s < n; s++)
			ps[s] = (am_probe_site){M->site[s].u, M->site[s].v};
		am_probe_grid pg = {M->m, M->gu, M->gv, lo, L, px, threads};
		if (am_probe_fit(&pg, ps, n, amp, &base, prof, PROF_N, PROF_STEP, res) == 0) {
			for (size_t s = 0; s < n; s++)
				M->site[s].u = ps[s].u, M->site[s].v = ps[s].v;
		} else {
			for (size_t iv = 0; iv < M->gv; iv++)
				for (size_t iu = 0; iu < M->gu; iu++) {
					double u = ((double)iu + 0.5) / (double)M->gu, v = ((double)iv + 0.5) / (double)M->gv;
					double model = 0;
					for (size_t s = 0; s < n; s++)
						model += amp[s] * profile_at(L, prof, px, u, v, &M->site[s]);
					res[iv * M->gu + iu] = M->m[iv * M->gu + iu] - lo - model;
				}
		}
		for (size_t s = 0; s < n; s++)
			M->site[s].height = amp[s];
		/* A new site the fit gave no amplitude (a bump of the misfit on
		 * a bright column's flank, fitted away) is dropped before the
		 * next search, where it kept real columns 1 A around it from
		 * being found (rutile's fourth O, 2 A from Ti); its place is
		 * not searched again. */
		if (round < 8) {
			size_t k = first_new;
			for (size_t s = first_new; s < n; s++) {
				if (amp[s] > 0) {
					M->site[k] = M->site[s];
					amp[k++] = amp[s];
				} else if (ndead < sizeof dead / sizeof *dead) {
					dead[ndead++] = M->site[s];
				}
			}
			M->nsites = n = k;
		}
		/* a new site: a light column is at least 1 A from a found one,
		 * and rises 4.5 standard errors (noise alone passes that in one
		 * place of about 300,000). 6, the first pass's, lost the O of
		 * LaAlO3 and the C of Ti2C at tier 2. The rise is measured in the
		 * residual smoothed with a Gaussian of a probe core's width,
		 * against that smoothed residual's own standard error: one bin's
		 * noise is about half a light column's bump at a low dose (O
		 * beside Ta at tier 2: 63-73 against 30), while the bump spreads
		 * over hundreds of bins. (noise is a bin's standard error after
		 * the motif's binomial smoothing, about half the folded one.)
		 * The fit then judges the site as before. */
		if (round < 8) {
			double *sm = malloc(G * sizeof *sm), nmf = sm ? matched(M, L, px, res, 2 * noise, MF_SIGMA, sm) : -1;
			if (nmf > 0)
				add_peaks(M, sm, L, px, fmax(4.5 * nmf, 0.003 * top->height), 1.0, 0, dead, ndead);
			else
				add_peaks(M, res, L, px, fmax(4.5 * noise, 0.003 * top->height), 1.0, 0, dead, ndead);
			free(sm);
			drop_saddles(M, L, px, n);
			if (M->nsites > n) {
				M->nsites = n + 1; /* the strongest, then fit again */
				M->site[n].height = sample(M, M->site[n].u, M->site[n].v) - lo;
				continue;
			}
		}
		/* The last fit judges the new sites. Where the misfit (the
		 * residual's spread) makes bumps that are no column, a site must
		 * rise 5 spreads above it (at 4, a bump 1 A from Ti in a noisy
		 * PbTiO3 image passed). At the cell's lowest points (its
		 * lowest tenth), furthest from every column, the tails of many
		 * columns meet and fit worst: a site there (the empty centre of
		 * a honeycomb, h-BN or a 2H bilayer) must carry 7% of the
		 * brightest site's amplitude (C in Ti2C: 11%). The fit moves
		 * sites: one that ended within 1 A of a brighter one is that
		 * one's shoulder (a probe sheared by drift). Sites from the first
		 * pass need only what made them sites, against their amplitude
		 * now. */
		double sp = far_spread(M, L, px, res, n);
		double need = fmax(fmax(4.5 * noise, 5 * (sp >= 0 ? sp : 0)), 0.003 * top->height);
		double want[64];
		uint8_t pass[64];
		for (size_t s = 1; s < n; s++) {
			want[s] = base_need;
			if (s >= first_new) {
				want[s] = rank_of(M, M->site[s].u, M->site[s].v) < 0.1 ? fmax(need, 0.07 * top->height) : need;
				for (size_t t = 0; t < n; t++)
					if (t != s && amp[t] > amp[s] &&
					    grid_d2(L, M->site[s].u - M->site[t].u, M->site[s].v - M->site[t].v, px) < 1.0)
						want[s] = INFINITY;
			}
			pass[s] = M->site[s].height >= want[s];
		}
		symmetric_partners(M, L, px, n, first_new, want, pass, noise);
		am_motif_site held[64];
		size_t nheld = 0;
		double floor_ = fmax(fmax(2.5 * noise, 5 * (sp >= 0 ? sp : 0)), 0.003 * top->height);
		for (size_t s = first_new; s < n; s++)
			if (!pass[s] && isfinite(want[s]) && M->site[s].height >= floor_)
				held[nheld++] = M->site[s];
		size_t kept = 1;
		for (size_t s = 1; s < n; s++)
			if (pass[s])
				M->site[kept++] = M->site[s];
		M->nsites = kept;
		missing_element_site(M, held, nheld, el);
		break;
	}
	free(res);
}

static void find_sites(am_motif *M, const am_lattice *L, double px, const am_elements_hint *el, unsigned threads)
{
	double lo = INFINITY, hi = -INFINITY;
	for (size_t b = 0; b < M->gu * M->gv; b++)
		lo = fmin(lo, M->m[b]), hi = fmax(hi, M->m[b]);
	M->nsites = 0;
	if (!(hi > lo))
		return;
	/* a site must rise above the lowest point within 0.9 A of it by six
	 * standard errors (it is not noise) and 0.5% of the motif's range
	 * (not a ripple of the filters); columns closer than 0.5 A are one,
	 * since no probe resolves them */
	double need = fmax(6 * M->noise, 0.005 * (hi - lo));
	add_peaks(M, M->m, L, px, need, 0.5, lo, NULL, 0);
	peel(M, L, px, lo, M->noise, need, el, threads);
}

/* A light periodic 3 x 3 binomial smoothing of the grid. */
static int smooth(am_motif *M)
{
	size_t G = M->gu * M->gv;
	double *t = malloc(G * sizeof *t);
	if (!t)
		return -1;
	for (long iv = 0; iv < (long)M->gv; iv++)
		for (long iu = 0; iu < (long)M->gu; iu++) {
			double s = 0;
			for (int dv = -1; dv <= 1; dv++)
				for (int du = -1; du <= 1; du++)
					s += at(M, iu + du, iv + dv) * (du ? 1 : 2) * (dv ? 1 : 2);
			t[(size_t)iv * M->gu + (size_t)iu] = s / 16;
		}
	memcpy(M->m, t, G * sizeof *t);
	free(t);
	return 0;
}

void am_elements_hint_of(am_elements_hint *h, const char *const *sym, size_t n)
{
	h->n = 0;
	for (size_t i = 0; i < n && h->n < sizeof h->z / sizeof *h->z; i++) {
		int z = am_element_z(sym[i]), dup = z <= 0;
		for (size_t k = 0; k < h->n; k++)
			dup |= h->z[k] == z;
		if (!dup)
			h->z[h->n++] = z;
	}
}

int am_motif_build(am_motif *M, const am_image *im, const am_lattice *L, const am_elements_hint *el, char *err,
		   size_t errlen)
{
	memset(M, 0, sizeof *M);
	double la = hypot(L->a[0], L->a[1]), lb = hypot(L->b[0], L->b[1]);
	if (!(la > 1 && lb > 1) || im->w < 16 || im->h < 16) {
		snprintf(err, errlen, "the lattice is degenerate: no cell to fold the image into");
		return -1;
	}
	/* about two bins a pixel: pixels fall at every offset across the cells */
	M->gu = (size_t)fmin(160, fmax(16, ceil(2 * la))), M->gv = (size_t)fmin(160, fmax(16, ceil(2 * lb)));
	M->ox = (double)im->w / 2, M->oy = (double)im->h / 2;
	size_t G = M->gu * M->gv;
	M->m = malloc(G * sizeof *M->m);
	double *sum2 = malloc(G * sizeof *sum2);
	size_t *cnt = malloc(G * sizeof *cnt);
	if (!M->m || !sum2 || !cnt) {
		free(sum2), free(cnt);
		am_motif_free(M);
		snprintf(err, errlen, "out of memory folding the image into its cell");
		return -1;
	}
	double se;
	uint32_t *bins = malloc(im->w * im->h * sizeof *bins);
	if (bins) {
		binjob bj = {M, L, im->w, bins};
		am_par_rows(im->threads, im->h, bin_rows, &bj);
		fold(M, im, bins, sum2, cnt, &se);
	}
	if (!bins || crystal_mask(M, im, bins, fmax(la, lb)) != 0) {
		free(sum2), free(cnt), free(bins);
		am_motif_free(M);
		snprintf(err, errlen, "out of memory finding the crystal in a %zu x %zu image", im->w, im->h);
		return -1;
	}
	fold(M, im, bins, sum2, cnt, &se);
	free(sum2), free(cnt), free(bins);
	if (smooth(M) != 0) {
		am_motif_free(M);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	M->noise = se * 0.5; /* the 3 x 3 binomial averages about 4 bins' noise away */
	find_sites(M, L, im->px > 0 ? im->px : 0.1, el, im->threads);
	return 0;
}

void am_motif_free(am_motif *M)
{
	free(M->m), free(M->in);
	memset(M, 0, sizeof *M);
}

int am_motif_columns(am_colset *out, const am_motif *M, const am_lattice *L, size_t w, size_t h, double margin,
		     char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	/* lattice indices that reach the image: invert its corners */
	double imin = INFINITY, imax = -INFINITY, jmin = INFINITY, jmax = -INFINITY;
	for (int q = 0; q < 4; q++) {
		double u, v;
		am_lattice_frac(L, M->ox, M->oy, q & 1 ? (double)w : 0, q & 2 ? (double)h : 0, &u, &v);
		imin = fmin(imin, u), imax = fmax(imax, u), jmin = fmin(jmin, v), jmax = fmax(jmax, v);
	}
	size_t cap = 1024, n = 0;
	am_col *c = malloc(cap * sizeof *c);
	if (!c)
		goto oom;
	for (long i = (long)floor(imin) - 1; i <= (long)ceil(imax); i++)
		for (long j = (long)floor(jmin) - 1; j <= (long)ceil(jmax); j++)
			for (size_t s = 0; s < M->nsites; s++) {
				double fu = (double)i + M->site[s].u, fv = (double)j + M->site[s].v;
				double x = M->ox + fu * L->a[0] + fv * L->b[0], y = M->oy + fu * L->a[1] + fv * L->b[1];
				if (x < margin || y < margin || x > (double)w - 1 - margin || y > (double)h - 1 - margin)
					continue;
				if (M->in && !M->in[(size_t)lround(y) * w + (size_t)lround(x)])
					continue;
				if (n == cap) {
					am_col *t = realloc(c, 2 * cap * sizeof *c);
					if (!t)
						goto oom;
					c = t, cap *= 2;
				}
				c[n++] = (am_col){x, y, M->site[s].height, -1, (int)s};
			}
	out->v = c, out->n = n;
	return 0;
oom:
	free(c);
	snprintf(err, errlen, "out of memory tiling the cell's sites");
	return -1;
}

static int desc_idx_cmp(const void *a, const void *b, void *ctx)
{
	const double *v = ctx;
	double x = v[*(const size_t *)a], y = v[*(const size_t *)b];
	return x > y ? -1 : x < y;
}

int am_species_by_ratio(const double *v, size_t n, int nel, double same, int *cls)
{
	if (n == 0 || nel <= 0)
		return 0;
	size_t *ord = malloc(n * sizeof *ord);
	if (!ord) { /* rank alone cannot be had: everything the heaviest */
		for (size_t i = 0; i < n; i++)
			cls[i] = nel - 1;
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		ord[i] = i;
	qsort_r(ord, n, sizeof *ord, desc_idx_cmp, (void *)v);
	int group = 0;
	double top = v[ord[0]], brightest = top;
	for (size_t k = 0; k < n; k++) {
		double x = v[ord[k]];
		/* a faint site's height (under 15% of the brightest) is measured
		 * on the heavy columns' tails and uncertain by 10-20%: faint
		 * sites within 20% are one species */
		double need = top < 0.15 * brightest ? fmin(same, 0.8) : same;
		if (k > 0 && !(x >= need * top)) /* a new, dimmer group */
			group++, top = x;
		int e = nel - 1 - group;
		cls[ord[k]] = e < 0 ? 0 : e;
	}
	free(ord);
	return group + 1;
}
