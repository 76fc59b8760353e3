/*
 * quality.c -- see quality.h.
 */
#include "quality.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "filter.h"
#include "par.h"
#include "spectrum.h"

/* Otsu's two passes, split across threads: each part finds its own range
 * and then counts its own histogram, merged under a lock. Minima, maxima
 * and counts (whole numbers in doubles) do not depend on the order they
 * are merged in, so the threshold is the same bits on any number of
 * threads. */
typedef struct otsujob {
	const double *v;
	double lo, hi, hist[256];
	int pass;
	pthread_mutex_t lock;
} otsujob;

static void otsu_part(void *arg, size_t a, size_t b)
{
	otsujob *j = arg;
	if (j->pass == 0) {
		double lo = INFINITY, hi = -INFINITY;
		for (size_t i = a; i < b; i++)
			lo = j->v[i] < lo ? j->v[i] : lo, hi = j->v[i] > hi ? j->v[i] : hi;
		pthread_mutex_lock(&j->lock);
		j->lo = lo < j->lo ? lo : j->lo, j->hi = hi > j->hi ? hi : j->hi;
		pthread_mutex_unlock(&j->lock);
		return;
	}
	double hist[256] = {0}, lo = j->lo, hi = j->hi;
	for (size_t i = a; i < b; i++) {
		if (!(j->v[i] >= lo && j->v[i] <= hi))
			continue; /* a NaN has no bin */
		int bin = (int)((j->v[i] - lo) / (hi - lo) * 255.999);
		hist[bin]++;
	}
	pthread_mutex_lock(&j->lock);
	for (int k = 0; k < 256; k++)
		j->hist[k] += hist[k];
	pthread_mutex_unlock(&j->lock);
}

double am_otsu(const double *v, size_t n, unsigned threads)
{
	otsujob j = {.v = v, .lo = INFINITY, .hi = -INFINITY, .lock = PTHREAD_MUTEX_INITIALIZER};
	am_par_rows(threads, n, otsu_part, &j);
	double lo = j.lo, hi = j.hi;
	if (!(hi > lo))
		return lo;
	j.pass = 1;
	am_par_rows(threads, n, otsu_part, &j);
	const double *hist = j.hist;
	double sum = 0, sumb = 0, wb = 0, best = -1, thr = lo;
	for (int b = 0; b < 256; b++)
		sum += b * hist[b];
	for (int b = 0; b < 255; b++) {
		wb += hist[b];
		sumb += b * hist[b];
		double wf = (double)n - wb;
		if (wb == 0 || wf == 0)
			continue;
		double mb = sumb / wb, mf = (sum - sumb) / wf;
		double between = wb * wf * (mb - mf) * (mb - mf);
		if (between > best) {
			best = between;
			thr = lo + (b + 1) * (hi - lo) / 256.0;
		}
	}
	return thr;
}

/* SNR of im against its low-pass copy lo; the noise sigma into *noise. */
static double snr_of(const am_image *im, const am_image *lo, double *noise)
{
	*noise = am_noise_sigma_from(im, lo);
	double lm, lsd;
	am_image_stats(lo, &lm, &lsd);
	return *noise > 0 ? lsd / *noise : INFINITY;
}

double am_snr(const am_image *im)
{
	am_image lo;
	double noise, snr = NAN;
	if (am_image_copy(&lo, im) == 0 && am_filter_gaussian(&lo, AM_NOISE_BLUR) == 0)
		snr = snr_of(im, &lo, &noise);
	am_image_free(&lo);
	return snr;
}

static void verdict(am_quality *q, const am_quality_opts *o)
{
	size_t len = 0;
	q->pass = 1;
	q->verdict[0] = '\0';
	if (q->periodicity < o->min_periodicity) {
		len += (size_t)snprintf(q->verdict + len, sizeof q->verdict - len, "not periodic enough: periodicity %.2f < %.2f",
					q->periodicity, o->min_periodicity);
		q->pass = 0;
	}
	if (q->snr < o->min_snr && len < sizeof q->verdict) {
		len += (size_t)snprintf(q->verdict + len, sizeof q->verdict - len, "%stoo noisy: SNR %.2f < %.2f",
					len ? "; " : "", q->snr, o->min_snr);
		q->pass = 0;
	}
	if (q->cnr < o->min_cnr && len < sizeof q->verdict) {
		snprintf(q->verdict + len, sizeof q->verdict - len, "%stoo little contrast: CNR %.2f < %.2f", len ? "; " : "",
			 q->cnr, o->min_cnr);
		q->pass = 0;
	}
	if (q->pass)
		snprintf(q->verdict, sizeof q->verdict, "ok");
}

int am_quality_measure(am_quality *q, const am_image *im, const am_quality_opts *o, char *err, size_t errlen)
{
	memset(q, 0, sizeof *q);
	size_t n = im->w * im->h;
	double mean, sd;
	am_image_stats(im, &mean, &sd);
	if (!(sd > 1e-12 * (fabs(mean) + 1))) {
		snprintf(q->verdict, sizeof q->verdict, "empty image: every pixel is %g, there is nothing to measure", mean);
		q->empty = 1;
		return 0;
	}
	am_spectrum S;
	if (am_spectrum_compute(&S, im, err, errlen) != 0) {
		snprintf(q->verdict, sizeof q->verdict, "%s", err);
		return 0;
	}
	char lerr[256];
	q->has_lattice = am_lattice_estimate(&q->lattice, im, &S, lerr, sizeof lerr) == 0;
	am_spectrum_free(&S);
	q->periodicity = q->has_lattice ? q->lattice.periodicity : 0;
	am_image lo;
	if (am_image_copy(&lo, im) != 0 || am_filter_gaussian(&lo, AM_NOISE_BLUR) != 0) {
		am_image_free(&lo);
		snprintf(err, errlen, "out of memory measuring quality");
		return -1;
	}
	q->snr = snr_of(im, &lo, &q->noise_sigma);
	q->otsu = am_otsu(lo.v, n, lo.threads);
	double s[2] = {0}, ss[2] = {0}, c[2] = {0};
	for (size_t i = 0; i < n; i++) {
		int f = lo.v[i] > q->otsu;
		s[f] += im->v[i], ss[f] += im->v[i] * im->v[i], c[f] += 1;
	}
	am_image_free(&lo);
	if (c[0] > 0 && c[1] > 0) {
		double m0 = s[0] / c[0], m1 = s[1] / c[1];
		double v0 = ss[0] / c[0] - m0 * m0, v1 = ss[1] / c[1] - m1 * m1;
		double pooled = sqrt(fmax((v0 + v1) / 2, 1e-300));
		q->cnr = (m1 - m0) / pooled;
	}
	verdict(q, o);
	if (!q->has_lattice && q->pass == 0 && strstr(q->verdict, "periodic"))
		snprintf(q->verdict + strlen(q->verdict), sizeof q->verdict - strlen(q->verdict), " (%s)", lerr);
	return 0;
}
