/*
 * projection.c -- see projection.h.
 */
#include "projection.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOL 0.15 /* Angstrom: two columns closer than this are one */

void am_proj_free(am_proj *p)
{
	free(p->col);
	memset(p, 0, sizeof *p);
}

/* Does translation (tu, tv) map every column onto one of its kind? */
static int maps(const am_column *c, size_t n, const double A[4], double tu, double tv)
{
	for (size_t i = 0; i < n; i++) {
		int hit = 0;
		for (size_t j = 0; j < n && !hit; j++)
			hit = c[j].z_max == c[i].z_max && am_dist2d(A, c[i].x + tu, c[i].y + tv, c[j].x, c[j].y) < TOL;
		if (!hit)
			return 0;
	}
	return 1;
}

static double dot(const double *u, const double *v)
{
	return u[0] * v[0] + u[1] * v[1];
}

int am_proj_from_struct(am_proj *p, const am_struct *s, char *err, size_t errlen)
{
	memset(p, 0, sizeof *p);
	size_t nc;
	am_column *c = am_struct_columns(s, TOL, &nc);
	if (!c || nc == 0) {
		free(c);
		snprintf(err, errlen, nc ? "out of memory" : "the structure has no atoms");
		return -1;
	}
	double A[4];
	am_struct_basis2(s, A);
	/* candidate lattice vectors: the cell's own, and each valid internal
	 * translation, each with small multiples of the cell added */
	double best1[2] = {A[0], A[1]}, best2[2] = {A[2], A[3]};
	double l1 = INFINITY, l2 = INFINITY;
	double (*cand)[2] = malloc((nc + 1) * 9 * sizeof *cand);
	size_t ncand = 0;
	if (!cand) {
		free(c);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t j = 0; j <= nc; j++) {
		double tu = 0, tv = 0;
		if (j < nc) {
			if (j == 0 || c[j].z_max != c[0].z_max)
				continue;
			tu = c[j].x - c[0].x, tv = c[j].y - c[0].y;
			if (!maps(c, nc, A, tu, tv))
				continue;
		}
		for (int i = -1; i <= 1; i++)
			for (int k = -1; k <= 1; k++) {
				double uu = tu - round(tu) + i, vv = tv - round(tv) + k;
				double x = A[0] * uu + A[2] * vv, y = A[1] * uu + A[3] * vv;
				if (hypot(x, y) > 1e-6)
					cand[ncand][0] = x, cand[ncand][1] = y, ncand++;
			}
	}
	for (size_t q = 0; q < ncand; q++) {
		double L = hypot(cand[q][0], cand[q][1]);
		if (L < l1 - 1e-9)
			l1 = L, best1[0] = cand[q][0], best1[1] = cand[q][1];
	}
	for (size_t q = 0; q < ncand; q++) {
		double L = hypot(cand[q][0], cand[q][1]);
		double cr = fabs(best1[0] * cand[q][1] - best1[1] * cand[q][0]) / (l1 * L);
		if (cr > 1e-3 && L < l2 - 1e-9)
			l2 = L, best2[0] = cand[q][0], best2[1] = cand[q][1];
	}
	free(cand);
	double a[2] = {best1[0], best1[1]}, b[2] = {best2[0], best2[1]};
	am_reduce2(a, b);
	/* into the new cell: fractional coordinates by the dual basis */
	double det = a[0] * b[1] - a[1] * b[0];
	p->col = calloc(nc, sizeof *p->col);
	if (!p->col) {
		free(c);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	double la = hypot(a[0], a[1]), lb = hypot(b[0], b[1]);
	p->len_a = la, p->len_b = lb, p->gamma = acos(dot(a, b) / (la * lb)) * 180 / M_PI;
	/* canonical frame: a along x, b above it; for a left-handed (a, b)
	 * that draws the mirror image, which comparisons allow anyway */
	p->a[0] = la, p->a[1] = 0;
	p->b[0] = lb * cos(p->gamma * M_PI / 180), p->b[1] = lb * sin(p->gamma * M_PI / 180);
	double P[4] = {p->a[0], p->a[1], p->b[0], p->b[1]};
	for (size_t i = 0; i < nc; i++) {
		double x = A[0] * c[i].x + A[2] * c[i].y, y = A[1] * c[i].x + A[3] * c[i].y;
		double u = am_wrap1((x * b[1] - y * b[0]) / det), v = am_wrap1((a[0] * y - a[1] * x) / det);
		int dup = 0;
		for (size_t j = 0; j < p->n && !dup; j++)
			dup = p->col[j].z == c[i].z_max && am_dist2d(P, u, v, p->col[j].u, p->col[j].v) < TOL;
		if (!dup)
			p->col[p->n++] = (am_pcol){u, v, c[i].z_max, c[i].weight};
	}
	free(c);
	return 0;
}
