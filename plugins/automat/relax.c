/*
 * relax.c -- see relax.h. Cartesian positions are r = x a + y b + z c
 * with a along x, b in the xy plane at gamma, c along z.
 */
#include "relax.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elements.h"

#define RCUT 6.0
#define ALPHA 1.5

static void cell_of(const am_struct *s, double A[9])
{
	double g = s->gamma * M_PI / 180;
	double m[9] = {s->a, 0, 0, s->b * cos(g), s->b * sin(g), 0, 0, 0, s->c};
	memcpy(A, m, sizeof m); /* columns: a, b, c */
}

static double morse(double r, double r0, double D, double *dEdr)
{
	double e1 = exp(-ALPHA * (r - r0));
	*dEdr = D * (-2 * ALPHA * e1 * e1 + 2 * ALPHA * e1);
	return D * (e1 * e1 - 2 * e1);
}

double am_energy(const am_struct *s, double *F)
{
	double A[9];
	cell_of(s, A);
	size_t n = s->n;
	if (F)
		memset(F, 0, n * 3 * sizeof *F);
	if (n == 0)
		return 0;
	int na = (int)ceil(RCUT / s->a) + 1, nb = (int)ceil(RCUT / (s->b * sin(s->gamma * M_PI / 180))) + 1;
	int ncz = (int)ceil(RCUT / s->c) + 1;
	double E = 0;
	for (size_t i = 0; i < n; i++) {
		int zi = am_element_z(s->at[i].el);
		for (size_t j = i; j < n; j++) {
			int zj = am_element_z(s->at[j].el);
			double r0 = am_element_radius(zi) + am_element_radius(zj), D = zi == zj ? 0.3 : 1.0, dcut;
			double ecut = morse(RCUT, r0, D, &dcut);
			double df[3] = {s->at[j].x - s->at[i].x, s->at[j].y - s->at[i].y, s->at[j].z - s->at[i].z};
			for (int c = 0; c < 3; c++)
				df[c] -= round(df[c]);
			for (int p = -na; p <= na; p++)
				for (int q = -nb; q <= nb; q++)
					for (int t = -ncz; t <= ncz; t++) {
						if (i == j && (p > 0 || (p == 0 && (q > 0 || (q == 0 && t >= 0)))))
							continue; /* self-images once each, and never itself */
						double f[3] = {df[0] + p, df[1] + q, df[2] + t};
						double d[3] = {A[0] * f[0] + A[3] * f[1], A[4] * f[1], A[8] * f[2]};
						double r = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
						if (r >= RCUT || r < 1e-9)
							continue;
						double dEdr, e = morse(r, r0, D, &dEdr) - ecut;
						E += e;
						if (!F || i == j)
							continue;
						for (int c = 0; c < 3; c++) { /* F_i = -dE/dr_i = dEdr * d / r */
							F[i * 3 + c] += dEdr * d[c] / r;
							F[j * 3 + c] -= dEdr * d[c] / r;
						}
					}
		}
	}
	return E / (double)n;
}

/* Cartesian step dr applied to atom i's fractional coordinates. */
static void move(am_struct *s, size_t i, const double dr[3])
{
	double g = s->gamma * M_PI / 180, sb = s->b * sin(g);
	double fy = dr[1] / sb, fx = (dr[0] - s->b * cos(g) * fy) / s->a;
	s->at[i].x += fx, s->at[i].y += fy, s->at[i].z += dr[2] / s->c;
}

int am_relax(am_struct *s, const am_relax_opts *o, am_relax_result *r, char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	size_t n = s->n;
	double *F = malloc((n ? n : 1) * 3 * sizeof *F), *V = calloc((n ? n : 1) * 3, sizeof *V);
	double *X0 = malloc((n ? n : 1) * 3 * sizeof *X0);
	if (!F || !V || !X0) {
		free(F), free(V), free(X0);
		snprintf(err, errlen, "out of memory relaxing %zu atoms", n);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		X0[i * 3] = s->at[i].x, X0[i * 3 + 1] = s->at[i].y, X0[i * 3 + 2] = s->at[i].z;
	/* FIRE, with the paper's parameters; unit masses, time in arbitrary units */
	double dt = 0.05, dtmax = 0.5, alpha = 0.1;
	int since_neg = 0;
	r->e0 = am_energy(s, F);
	int step;
	for (step = 0; step < o->max_steps; step++) {
		double fm = 0, P = 0, vv = 0, ff = 0;
		for (size_t q = 0; q < n * 3; q++) {
			fm = fabs(F[q]) > fm ? fabs(F[q]) : fm;
			P += F[q] * V[q], vv += V[q] * V[q], ff += F[q] * F[q];
		}
		r->fmax = fm;
		if (fm < o->fmax) {
			r->converged = 1;
			break;
		}
		if (P > 0) {
			double k = ff > 0 ? sqrt(vv / ff) : 0;
			for (size_t q = 0; q < n * 3; q++)
				V[q] = (1 - alpha) * V[q] + alpha * k * F[q];
			if (++since_neg > 5) {
				dt = fmin(dt * 1.1, dtmax);
				alpha *= 0.99;
			}
		} else {
			memset(V, 0, n * 3 * sizeof *V);
			dt *= 0.5, alpha = 0.1, since_neg = 0;
		}
		for (size_t i = 0; i < n; i++) { /* semi-implicit Euler */
			double dr[3];
			for (int c = 0; c < 3; c++) {
				V[i * 3 + c] += dt * F[i * 3 + c];
				dr[c] = dt * V[i * 3 + c];
				double lim = 0.2; /* A per step, so a bad start cannot fling atoms */
				dr[c] = dr[c] > lim ? lim : dr[c] < -lim ? -lim : dr[c];
			}
			move(s, i, dr);
		}
		am_energy(s, F);
	}
	r->steps = step;
	r->e = am_energy(s, NULL);
	double A[9];
	cell_of(s, A);
	for (size_t i = 0; i < n; i++) {
		double f[3] = {s->at[i].x - X0[i * 3], s->at[i].y - X0[i * 3 + 1], s->at[i].z - X0[i * 3 + 2]};
		double d[3] = {A[0] * f[0] + A[3] * f[1], A[4] * f[1], A[8] * f[2]};
		double m = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
		r->max_shift = m > r->max_shift ? m : r->max_shift;
	}
	am_struct_wrap(s);
	free(F), free(V), free(X0);
	return 0;
}
