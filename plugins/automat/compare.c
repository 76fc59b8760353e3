/*
 * compare.c -- see compare.h.
 */
#include "compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "projection.h"

/* The best mapping of B's columns (in A's basis, fractional u, v) onto
 * A's: RMSD and largest distance, for the best origin shift. */
static void map_cols(const am_proj *pa, const double *u, const double *v, const am_proj *pb, double *rmsd,
		     double *maxd)
{
	double A[4] = {pa->a[0], pa->a[1], pa->b[0], pa->b[1]};
	*rmsd = INFINITY, *maxd = INFINITY;
	for (size_t j = 0; j < pb->n; j++) {
		if (pb->col[j].z != pa->col[0].z)
			continue;
		double su = pa->col[0].u - u[j], sv = pa->col[0].v - v[j];
		double ss = 0, mx = 0;
		for (size_t i = 0; i < pa->n; i++) {
			double d = INFINITY;
			for (size_t q = 0; q < pb->n; q++)
				if (pb->col[q].z == pa->col[i].z) {
					double e = am_dist2d(A, pa->col[i].u, pa->col[i].v, u[q] + su, v[q] + sv);
					d = e < d ? e : d;
				}
			ss += d * d;
			mx = d > mx ? d : mx;
		}
		double r = sqrt(ss / (double)pa->n);
		if (r < *rmsd)
			*rmsd = r, *maxd = mx;
	}
}

int am_compare(am_cmp *r, const am_struct *SA, const am_struct *SB, const am_cmp_opts *o, char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	r->rmsd = r->max_dist = INFINITY;
	am_proj pa, pb;
	if (am_proj_from_struct(&pa, SA, err, errlen) != 0)
		return -1;
	if (am_proj_from_struct(&pb, SB, err, errlen) != 0) {
		am_proj_free(&pa);
		return -1;
	}
	r->cols_a = pa.n, r->cols_b = pb.n;
	double *u = malloc(pb.n * sizeof *u), *v = malloc(pb.n * sizeof *v);
	if (!u || !v) {
		free(u), free(v);
		am_proj_free(&pa), am_proj_free(&pb);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	double best_lat = INFINITY;
	for (int m00 = -1; m00 <= 1; m00++)
		for (int m01 = -1; m01 <= 1; m01++)
			for (int m10 = -1; m10 <= 1; m10++)
				for (int m11 = -1; m11 <= 1; m11++) {
					int det = m00 * m11 - m01 * m10;
					if (det != 1 && det != -1)
						continue;
					double na[2] = {m00 * pb.a[0] + m01 * pb.b[0], m00 * pb.a[1] + m01 * pb.b[1]};
					double nb[2] = {m10 * pb.a[0] + m11 * pb.b[0], m10 * pb.a[1] + m11 * pb.b[1]};
					double la = hypot(na[0], na[1]), lb = hypot(nb[0], nb[1]);
					double g = acos((na[0] * nb[0] + na[1] * nb[1]) / (la * lb)) * 180 / M_PI;
					double ea = (la - pa.len_a) / pa.len_a, eb = (lb - pa.len_b) / pa.len_b, eg = g - pa.gamma;
					double score = fmax(fabs(ea) / o->ltol, fmax(fabs(eb) / o->ltol, fabs(eg) / o->atol));
					if (score < best_lat)
						best_lat = score, r->err_a = ea, r->err_b = eb, r->err_gamma = eg;
					if (score > 1)
						continue;
					/* (u, v) = (u', v') M  =>  (u', v') = (u, v) M^-1 */
					for (size_t q = 0; q < pb.n; q++) {
						double x = pb.col[q].u, y = pb.col[q].v;
						u[q] = (x * m11 - y * m10) / det, v[q] = (-x * m01 + y * m00) / det;
					}
					double rm, mx;
					map_cols(&pa, u, v, &pb, &rm, &mx);
					r->lattice_match = 1;
					if (rm < r->rmsd)
						r->rmsd = rm, r->max_dist = mx;
				}
	if (!r->lattice_match)
		snprintf(r->why, sizeof r->why, "lattices differ: a %.2f%%, b %.2f%%, gamma %.2f degrees (tolerance %.0f%%, %.0f)",
			 100 * r->err_a, 100 * r->err_b, r->err_gamma, 100 * o->ltol, o->atol);
	else if (pa.n != pb.n)
		snprintf(r->why, sizeof r->why, "%zu columns per cell against %zu", pa.n, pb.n);
	else if (!(r->max_dist <= o->stol))
		snprintf(r->why, sizeof r->why, "a column is %.2f A from its match (tolerance %.2f)", r->max_dist, o->stol);
	else
		r->match = 1;
	free(u), free(v);
	am_proj_free(&pa), am_proj_free(&pb);
	return 0;
}
