/*
 * probe.c -- see probe.h.
 */
#include "probe.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "par.h"

/* The Gaussians: exp(-M[j] k0 r^2), widths 1.3 A / sqrt(M[j]), from past a
 * probe's tail (1.3 A) to under its core (0.115 A), 1.15-1.4x apart.
 * Whole multiples of one exponent, so one exp() a distance gives them all
 * by products. */
static const int M[] = {1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128};
enum { NS = sizeof M / sizeof M[0] };
#define SIG_MAX 1.3
#define REACH2 (4.0 * SIG_MAX * 4.0 * SIG_MAX) /* four of the widest widths, squared */
/* the basis holds 3 x NS values a bin and site: past 48 MB (a large cell
 * with many sites) the fit is not made, and the caller keeps its own
 * estimate */
#define FIT_MAX_BIN_SITES (((size_t)48 << 20) / (3 * NS * sizeof(double)))

/* e[j] = exp(-M[j] x) for the x of e1 = exp(-x). */
static void powers(double e1, double *e)
{
	double e2 = e1 * e1, e3 = e2 * e1, e4 = e2 * e2, e6 = e3 * e3, e8 = e4 * e4, e12 = e6 * e6, e16 = e8 * e8;
	double e24 = e12 * e12, e32 = e16 * e16, e48 = e24 * e24, e64 = e32 * e32;
	double v[NS] = {e1, e2, e3, e4, e6, e8, e12, e16, e24, e32, e48, e64, e48 * e48, e64 * e64};
	memcpy(e, v, sizeof v);
}

/* Minimises x'Qx/2 - c'x over x_j >= 0 (x_j free where !pos[j]) by cyclic
 * coordinate descent from x. */
static void nnls(const double *Q, const double *c, double *x, const int *pos, int d)
{
	for (int sweep = 0; sweep < 400; sweep++) {
		double moved = 0, size = 0;
		for (int j = 0; j < d; j++) {
			if (!(Q[j * d + j] > 0))
				continue;
			double g = -c[j];
			for (int k = 0; k < d; k++)
				g += Q[j * d + k] * x[k];
			double nx = x[j] - g / Q[j * d + j];
			if (pos[j] && nx < 0)
				nx = 0;
			moved = fmax(moved, fabs(nx - x[j]) * sqrt(Q[j * d + j]));
			size = fmax(size, fabs(nx) * sqrt(Q[j * d + j]));
			x[j] = nx;
		}
		if (moved <= 1e-10 * size)
			break;
	}
}

/* At bin b and for site s, over the site's periodic images, per Gaussian
 * j (height 1): B[((b * n + s) * 3 + 0) * NS + j] its value, then (+1, +2)
 * its derivatives by the site's x and y (Angstrom). */
typedef struct basis_job {
	const am_probe_grid *g;
	const am_probe_site *sites;
	size_t n, st, su; /* every st-th bin each way, su of them a row */
	int ri, rj;
	double *B;
} basis_job;

static void basis_rows(void *arg, size_t lo, size_t hi)
{
	const basis_job *J = arg;
	const am_probe_grid *g = J->g;
	const double *a = g->L->a, *b = g->L->b, k0 = 1 / (2 * SIG_MAX * SIG_MAX);
	for (size_t jv = lo; jv < hi; jv++)
		for (size_t ju = 0; ju < J->su; ju++) {
			size_t iu = ju * J->st, iv = jv * J->st;
			double u = ((double)iu + 0.5) / (double)g->gu, v = ((double)iv + 0.5) / (double)g->gv;
			for (size_t s = 0; s < J->n; s++) {
				double *row = J->B + ((jv * J->su + ju) * J->n + s) * 3 * NS;
				double du = u - J->sites[s].u, dv = v - J->sites[s].v;
				du -= round(du), dv -= round(dv);
				for (int i = -J->ri; i <= J->ri; i++)
					for (int j = -J->rj; j <= J->rj; j++) {
						double x = ((du + i) * a[0] + (dv + j) * b[0]) * g->px;
						double y = ((du + i) * a[1] + (dv + j) * b[1]) * g->px;
						double d2 = x * x + y * y, e[NS];
						if (d2 > REACH2)
							continue;
						powers(exp(-d2 * k0), e);
						for (int q = 0; q < NS; q++) {
							/* moving the site by +dx moves the bin by -dx */
							double k2 = 2 * k0 * M[q];
							row[q] += e[q];
							row[NS + q] += e[q] * k2 * x;
							row[2 * NS + q] += e[q] * k2 * y;
						}
					}
			}
		}
}

static double *basis(const am_probe_grid *g, const am_probe_site *sites, size_t n, size_t st)
{
	size_t su = (g->gu + st - 1) / st, sv = (g->gv + st - 1) / st;
	double *B = calloc(su * sv * n * 3 * NS, sizeof *B);
	if (!B)
		return NULL;
	const double *a = g->L->a, *b = g->L->b;
	double la = hypot(a[0], a[1]) * g->px, lb = hypot(b[0], b[1]) * g->px;
	int ri = (int)ceil(sqrt(REACH2) / fmax(la, 1e-9)) + 1, rj = (int)ceil(sqrt(REACH2) / fmax(lb, 1e-9)) + 1;
	basis_job J = {g, sites, n, st, su, ri > 8 ? 8 : ri, rj > 8 ? 8 : rj, B};
	am_par_rows(g->threads, sv, basis_rows, &J);
	return B;
}

int am_probe_fit(const am_probe_grid *g, am_probe_site *sites, size_t n, double *amp, double *base, double *prof,
		 int nprof, double step, double *res)
{
	/* the fit reads every other bin each way of a fine grid: its bins
	 * are finer than the pixels and smoothed, so a quarter of them hold
	 * what there is to fit, at a quarter of the work */
	size_t st = g->gu * g->gv > 1024 ? 2 : 1, su = (g->gu + st - 1) / st, G = su * ((g->gv + st - 1) / st);
	if (n == 0 || n > 64 || g->gu * g->gv * n > FIT_MAX_BIN_SITES)
		return -1;
	enum { DA = NS + 1 };
	int da = DA, db = 3 * (int)n + 1, pos[3 * 64 + 1];
	double c[3 * 64 + 1], w[DA] = {0}, x[3 * 64 + 1], a[64];
	double *Q = malloc((size_t)(db > da ? db * db : da * da) * sizeof *Q), *ys = malloc(G * sizeof *ys);
	am_probe_site sp[64];
	memcpy(sp, sites, n * sizeof *sp);
	if (!Q || !ys) {
		free(Q), free(ys);
		return -1;
	}
	for (size_t bin = 0; bin < G; bin++)
		ys[bin] = g->m[(bin / su) * st * g->gu + (bin % su) * st] - g->lo;
	double *B = basis(g, sp, n, st);
	if (!B) {
		free(Q), free(ys);
		return -1;
	}
	memcpy(a, amp, n * sizeof *a);
	for (int j = 0; j < NS; j++)
		w[j] = 1.0 / NS;
	w[NS] = 0;
	double bg = 0;
	int ok = 0;
	for (int it = 0; it < 8; it++) {
		/* the profile's weights, for these amplitudes */
		memset(Q, 0, (size_t)(da * da) * sizeof *Q);
		memset(c, 0, (size_t)da * sizeof *c);
		for (size_t bin = 0; bin < G; bin++) {
			double row[DA] = {0};
			for (size_t s = 0; s < n; s++)
				for (int j = 0; j < NS; j++)
					row[j] += a[s] * B[(bin * n + s) * 3 * NS + j];
			row[NS] = 1;
			double y = ys[bin];
			for (int i = 0; i < da; i++) {
				c[i] += row[i] * y;
				for (int j = 0; j < da; j++)
					Q[i * da + j] += row[i] * row[j];
			}
		}
		for (int j = 0; j < da; j++)
			pos[j] = j < NS;
		w[NS] = bg;
		nnls(Q, c, w, pos, da);
		bg = w[NS];
		double p0 = 0;
		for (int j = 0; j < NS; j++)
			p0 += w[j];
		if (!(p0 > 0))
			break;
		for (int j = 0; j < NS; j++)
			w[j] /= p0; /* the amplitudes carry the scale */
		for (size_t s = 0; s < n; s++)
			a[s] *= p0;
		/* the amplitudes and (linearised: amplitude x shift) the sites'
		 * moves, for this profile */
		memset(Q, 0, (size_t)(db * db) * sizeof *Q);
		memset(c, 0, (size_t)db * sizeof *c);
		for (size_t bin = 0; bin < G; bin++) {
			double row[3 * 64 + 1];
			for (size_t s = 0; s < n; s++)
				for (int t = 0; t < 3; t++) {
					double p = 0;
					for (int j = 0; j < NS; j++)
						p += w[j] * B[((bin * n + s) * 3 + (size_t)t) * NS + j];
					row[t * (int)n + (int)s] = p;
				}
			row[3 * n] = 1;
			double y = ys[bin];
			for (int i = 0; i < db; i++) {
				if (row[i] == 0)
					continue;
				c[i] += row[i] * y;
				for (int j = 0; j < db; j++)
					Q[i * db + j] += row[i] * row[j];
			}
		}
		for (int j = 0; j < db; j++)
			pos[j] = j < (int)n, x[j] = j < (int)n ? a[j] : j == 3 * (int)n ? bg : 0;
		nnls(Q, c, x, pos, db);
		memcpy(a, x, n * sizeof *a);
		bg = x[3 * n];
		ok = 1;
		/* the moves, at most 0.05 A a round; the basis for the new places */
		int moved = 0;
		for (size_t s = 0; s < n && it < 4; s++) {
			if (!(a[s] > 0))
				continue;
			double dx = x[n + s] / a[s], dy = x[2 * n + s] / a[s], d = hypot(dx, dy);
			if (!(d > 0.002))
				continue;
			if (d > 0.05)
				dx *= 0.05 / d, dy *= 0.05 / d;
			double du, dv;
			am_lattice_frac(g->L, 0, 0, dx / g->px, dy / g->px, &du, &dv);
			sp[s].u += du, sp[s].v += dv;
			sp[s].u -= floor(sp[s].u), sp[s].v -= floor(sp[s].v);
			moved = 1;
		}
		if (moved) {
			free(B);
			if (!(B = basis(g, sp, n, st))) {
				ok = 0;
				break;
			}
		}
	}
	/* the residual on every bin: the fit's own basis when it read them all */
	double *BF = !ok || !res ? NULL : st == 1 ? B : basis(g, sp, n, 1);
	if (res && !BF)
		ok = 0;
	if (ok) {
		memcpy(sites, sp, n * sizeof *sites);
		memcpy(amp, a, n * sizeof *amp);
		*base = bg;
		for (int k = 0; k < nprof; k++) {
			double r2 = (k * step) * (k * step), p = 0, e[NS];
			powers(exp(-r2 / (2 * SIG_MAX * SIG_MAX)), e);
			for (int j = 0; j < NS; j++)
				p += w[j] * e[j];
			prof[k] = p;
		}
		for (size_t bin = 0; BF && bin < g->gu * g->gv; bin++) {
			double model = bg;
			for (size_t s = 0; s < n; s++)
				for (int j = 0; j < NS; j++)
					model += a[s] * w[j] * BF[(bin * n + s) * 3 * NS + j];
			res[bin] = g->m[bin] - g->lo - model;
		}
	}
	if (BF != B)
		free(BF);
	free(B);
	free(Q), free(ys);
	return ok ? 0 : -1;
}
