/*
 * spectrum.c -- see spectrum.h. FFTW plans are made with FFTW_ESTIMATE:
 * measuring would make the numbers depend on timing, and the plugin
 * makes the planner thread-safe once at load (fftw_make_planner_thread_safe),
 * since ops may run on several threads.
 */
#include "spectrum.h"

#include <fftw3.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fft2.h"
#include "par.h"
#include "sortd.h"

typedef struct windowing {
	const double *v;
	double *in;
	const double *wxs;
	double mean;
	size_t w, h;
} windowing;

static void window_rows(void *arg, size_t lo, size_t hi)
{
	const windowing *c = arg;
	size_t w = c->w;
	for (size_t y = lo; y < hi; y++) {
		double wy = 0.5 - 0.5 * cos(2 * M_PI * (double)y / (double)(c->h - 1));
		for (size_t x = 0; x < w; x++)
			c->in[y * w + x] = (c->v[y * w + x] - c->mean) * c->wxs[x] * wy;
	}
}

typedef struct powers {
	const fftw_complex *out;
	double *p, *sorted;
	size_t hw;
} powers;

static void power_rows(void *arg, size_t lo, size_t hi)
{
	const powers *c = arg;
	for (size_t q = lo * c->hw; q < hi * c->hw; q++)
		c->sorted[q] = c->p[q] = c->out[q][0] * c->out[q][0] + c->out[q][1] * c->out[q][1];
}

int am_spectrum_compute(am_spectrum *s, const am_image *im, char *err, size_t errlen)
{
	memset(s, 0, sizeof *s);
	size_t w = im->w, h = im->h, hw = w / 2 + 1, n = w * h;
	if (w < 16 || h < 16) {
		snprintf(err, errlen, "image is %zu x %zu; the lattice needs at least 16 x 16 pixels", w, h);
		return -1;
	}
	double *in = fftw_malloc(n * sizeof *in);
	fftw_complex *out = fftw_malloc(h * hw * sizeof *out);
	s->p = malloc(h * hw * sizeof *s->p);
	double *sorted = malloc(h * hw * sizeof *sorted);
	if (!in || !out || !s->p || !sorted) {
		fftw_free(in), fftw_free(out), free(sorted);
		am_spectrum_free(s);
		snprintf(err, errlen, "out of memory for the FFT of a %zu x %zu image", w, h);
		return -1;
	}
	double mean = 0;
	for (size_t i = 0; i < n; i++)
		mean += im->v[i];
	mean /= (double)n;
	/* the Hann window along x, computed once rather than per pixel (a
	 * cosine a pixel was a twentieth of a 4096 x 4096 analysis); `sorted`
	 * is free until the powers are written */
	double *wxs = sorted;
	for (size_t x = 0; x < w; x++)
		wxs[x] = 0.5 - 0.5 * cos(2 * M_PI * (double)x / (double)(w - 1));
	/* The two per-pixel loops split by rows across the image's threads,
	 * and so does the FFT between them on large images (fft2.c: the same
	 * bits on any number of threads). */
	windowing win = {im->v, in, wxs, mean, w, h};
	am_par_rows(im->threads, h, window_rows, &win);
	if (am_fft2_r2c(in, out, w, h, im->threads, -1) != 0) {
		fftw_free(in), fftw_free(out), free(sorted);
		am_spectrum_free(s);
		snprintf(err, errlen, "out of memory for the FFT of a %zu x %zu image", w, h);
		return -1;
	}
	powers pw = {out, s->p, sorted, hw};
	am_par_rows(im->threads, h, power_rows, &pw);
	s->w = w, s->h = h, s->hw = hw, s->threads = im->threads;
	s->floor = wsel_double(sorted, h * hw, h * hw / 2);
	fftw_free(in), fftw_free(out), free(sorted);
	return 0;
}

void am_spectrum_free(am_spectrum *s)
{
	free(s->p);
	memset(s, 0, sizeof *s);
}

/* The stored row of signed frequency ky (rows wrap: ky -1 is row h - 1). */
static const double *row_of(const am_spectrum *s, long ky)
{
	long h = (long)s->h;
	return s->p + (size_t)((ky % h + h) % h) * s->hw;
}

/* Power at signed bin (kx, ky), through the mirror for kx < 0. */
static double at(const am_spectrum *s, long kx, long ky)
{
	if (kx < 0)
		kx = -kx, ky = -ky;
	if (kx >= (long)s->hw)
		return 0;
	return row_of(s, ky)[kx];
}

double am_parabola_vertex(double a, double b, double c)
{
	double d = a - 2 * b + c;
	double v = d < 0 ? 0.5 * (a - c) / d : 0;
	return v < -0.5 ? -0.5 : v > 0.5 ? 0.5 : v;
}

/* Inserts pk into the strongest-first list out (n long, at most max):
 * after every entry at least as strong, so equal powers keep the order
 * they came in. */
static size_t insert_peak(am_peak *out, size_t n, size_t max, am_peak pk)
{
	size_t at_i = n < max ? n : max;
	while (at_i > 0 && out[at_i - 1].power < pk.power)
		at_i--;
	if (at_i >= max)
		return n;
	if (n < max)
		n++;
	memmove(out + at_i + 1, out + at_i, (n - 1 - at_i) * sizeof *out);
	out[at_i] = pk;
	return n;
}

/* The peaks of rows ky0 <= ky < ky1 into out, as the whole scan keeps them. */
static size_t scan_peaks(const am_spectrum *s, double gmin, double gmax, double thr, long ky0, long ky1, am_peak *out,
			 size_t max)
{
	size_t n = 0;
	for (long ky = ky0; ky < ky1; ky++) {
		/* the row once, not a wrap (two divisions) per bin: nearly every
		 * bin is under the threshold, which is tested first */
		const double *row = row_of(s, ky);
		for (long kx = 0; kx < (long)s->hw - 1; kx++) {
			double v = row[kx];
			if (v <= thr || (kx == 0 && ky <= 0)) /* the mirror holds kx 0, ky <= 0 */
				continue;
			double gx = (double)kx / (double)s->w, gy = (double)ky / (double)s->h;
			double g = sqrt(gx * gx + gy * gy);
			if (g < gmin || g > gmax)
				continue;
			int peak = 1;
			for (int dy = -1; dy <= 1 && peak; dy++)
				for (int dx = -1; dx <= 1; dx++) {
					double nb = at(s, kx + dx, ky + dy);
					int earlier = dy < 0 || (dy == 0 && dx < 0);
					if ((dx || dy) && (nb > v || (nb == v && earlier))) {
						peak = 0; /* a plateau's peak is its first bin in scan order */
						break;
					}
				}
			if (!peak)
				continue;
			/* sub-bin position: parabolas through log power */
			double l = log(v);
			double fx = am_parabola_vertex(log(at(s, kx - 1, ky) + 1e-300), l, log(at(s, kx + 1, ky) + 1e-300));
			double fy = am_parabola_vertex(log(at(s, kx, ky - 1) + 1e-300), l, log(at(s, kx, ky + 1) + 1e-300));
			double pw = 0;
			for (int dy = -1; dy <= 1; dy++)
				for (int dx = -1; dx <= 1; dx++) {
					double q = at(s, kx + dx, ky + dy) - s->floor;
					pw += q > 0 ? q : 0;
				}
			am_peak pk = {((double)kx + fx) / (double)s->w, ((double)ky + fy) / (double)s->h, pw};
			n = insert_peak(out, n, max, pk);
		}
	}
	return n;
}

/* The scan split by rows over s->threads: each part keeps its own list;
 * merged in row order by the same insertion, the lists give the list the
 * whole scan would (a peak a part leaves out has `max` stronger ones
 * before it, or as strong and earlier, in that part alone). */
enum { MAX_PARTS = 64 };

typedef struct peakjob {
	const am_spectrum *s;
	double gmin, gmax, thr;
	size_t max, nparts;
	long ky0;
	struct {
		size_t lo, n;
		am_peak *v;
	} part[MAX_PARTS];
	int failed;
	pthread_mutex_t lock;
} peakjob;

static void peak_part(void *arg, size_t lo, size_t hi)
{
	peakjob *j = arg;
	am_peak *v = malloc(j->max * sizeof *v);
	size_t n = v ? scan_peaks(j->s, j->gmin, j->gmax, j->thr, j->ky0 + (long)lo, j->ky0 + (long)hi, v, j->max) : 0;
	pthread_mutex_lock(&j->lock);
	if (!v || j->nparts == MAX_PARTS) {
		j->failed = 1;
		free(v);
	} else {
		j->part[j->nparts].lo = lo, j->part[j->nparts].n = n, j->part[j->nparts].v = v;
		j->nparts++;
	}
	pthread_mutex_unlock(&j->lock);
}

size_t am_spectrum_peaks(const am_spectrum *s, double gmin, double gmax, double above, am_peak *out, size_t max)
{
	long h = (long)s->h, ky0 = -h / 2 + 1, ky1 = h / 2;
	double thr = above * s->floor;
	if (max == 0 || ky1 <= ky0)
		return 0;
	peakjob j = {.s = s, .gmin = gmin, .gmax = gmax, .thr = thr, .max = max, .ky0 = ky0,
		     .lock = PTHREAD_MUTEX_INITIALIZER};
	am_par_rows(s->threads, (size_t)(ky1 - ky0), peak_part, &j);
	size_t n = 0;
	if (!j.failed) {
		/* parts in row order (they registered as they finished) */
		for (size_t a = 1; a < j.nparts; a++)
			for (size_t b = a; b > 0 && j.part[b - 1].lo > j.part[b].lo; b--) {
				__typeof__(j.part[0]) t = j.part[b];
				j.part[b] = j.part[b - 1];
				j.part[b - 1] = t;
			}
		for (size_t p = 0; p < j.nparts; p++)
			for (size_t i = 0; i < j.part[p].n; i++)
				n = insert_peak(out, n, max, j.part[p].v[i]);
	}
	for (size_t p = 0; p < j.nparts; p++)
		free(j.part[p].v);
	return j.failed ? scan_peaks(s, gmin, gmax, thr, ky0, ky1, out, max) : n;
}

double am_spectrum_structured(const am_spectrum *s, double gmin, double gmax, size_t *nbins)
{
	double mu = s->floor / M_LN2, sum = 0;
	size_t n = 0;
	long h = (long)s->h;
	for (long ky = -h / 2 + 1; ky < h / 2; ky++) {
		double gy = (double)ky / (double)s->h;
		if (fabs(gy) > gmax)
			continue;
		const double *row = row_of(s, ky);
		for (long kx = 0; kx < (long)s->hw - 1; kx++) {
			if (kx == 0 && ky <= 0)
				continue; /* the mirror holds these */
			double gx = (double)kx / (double)s->w, g2 = gx * gx + gy * gy;
			if (g2 >= gmin * gmin && g2 <= gmax * gmax)
				sum += row[kx] - mu, n++;
		}
	}
	*nbins = n;
	return sum;
}

double am_spectrum_power_near(const am_spectrum *s, double gx, double gy, double r)
{
	double cx = gx * (double)s->w, cy = gy * (double)s->h, sum = 0;
	long rr = (long)ceil(r);
	for (long dy = -rr; dy <= rr; dy++)
		for (long dx = -rr; dx <= rr; dx++) {
			long kx = lround(cx) + dx, ky = lround(cy) + dy;
			if ((double)(dx * dx + dy * dy) > r * r)
				continue;
			double q = at(s, kx, ky) - s->floor;
			sum += q > 0 ? q : 0;
		}
	return sum;
}

double am_spectrum_excess_near(const am_spectrum *s, double gx, double gy, double r, double *level)
{
	double cx = gx * (double)s->w, cy = gy * (double)s->h, disc = 0, ring = 0, nd = 0, nr = 0;
	double ro = 2.5 * r;
	long rr = (long)ceil(ro);
	for (long dy = -rr; dy <= rr; dy++)
		for (long dx = -rr; dx <= rr; dx++) {
			long kx = lround(cx) + dx, ky = lround(cy) + dy;
			double d2 = (double)(dx * dx + dy * dy);
			if (d2 > ro * ro || (kx == 0 && ky == 0))
				continue;
			double q = at(s, kx, ky) - s->floor;
			q = q > 0 ? q : 0;
			if (d2 <= r * r)
				disc += q, nd += 1;
			else
				ring += q, nr += 1;
		}
	if (level) /* the mean power of a bin there: the floor's mean plus the ring's excess */
		*level = s->floor / M_LN2 + (nr > 0 ? ring / nr : 0);
	return disc - (nr > 0 ? ring / nr * nd : 0);
}
