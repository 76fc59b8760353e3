/*
 * sim.c -- see sim.h. Columns are splatted, not evaluated per pixel: each
 * Gaussian is drawn in a window of 4 sigma around the column's distorted
 * position, so the cost is columns x window, whatever the image size.
 */
#include "sim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

int am_simulate(am_image *im, const am_struct *s, const am_sim_opts *o, char *err, size_t errlen)
{
	memset(im, 0, sizeof *im);
	if (o->px <= 0 || o->sigma <= 0 || s->n == 0) {
		snprintf(err, errlen, "simulate needs a pixel size, a probe width and a structure with atoms");
		return -1;
	}
	size_t nc;
	am_column *col = am_struct_columns(s, 0.1, &nc);
	if (!col || am_image_new(im, o->w, o->h, o->px) != 0) {
		free(col);
		snprintf(err, errlen, "cannot allocate a %zu x %zu image", o->w, o->h);
		return -1;
	}
	double wmax = 0;
	for (size_t c = 0; c < nc; c++)
		wmax = col[c].weight > wmax ? col[c].weight : wmax;
	double A[4];
	am_struct_basis2(s, A);
	double th = o->rotation * M_PI / 180, ct = cos(th), st = sin(th);
	/* rotated lattice vectors, in pixels */
	double ax = (ct * A[0] - st * A[1]) / o->px, ay = (st * A[0] + ct * A[1]) / o->px;
	double bx = (ct * A[2] - st * A[3]) / o->px, by = (st * A[2] + ct * A[3]) / o->px;
	double det = ax * by - ay * bx;
	uint64_t seed = o->seed * 0x9E3779B97F4A7C15ULL + 7;
	double ox = wrng_unif(&seed) * o->w, oy = wrng_unif(&seed) * o->h; /* a random origin */
	double jph = wrng_unif(&seed) * 6.283185307179586;
	/* lattice indices that can reach the image: invert the corners */
	double imin = INFINITY, imax = -INFINITY, jmin = INFINITY, jmax = -INFINITY;
	double margin = 4 * o->sigma / o->px + fabs(o->drift) * (double)o->h + fabs(o->jitter) + 2;
	for (int q = 0; q < 4; q++) {
		double cx = (q & 1 ? (double)o->w + margin : -margin) - ox;
		double cy = (q & 2 ? (double)o->h + margin : -margin) - oy;
		double i = (by * cx - bx * cy) / det, j = (-ay * cx + ax * cy) / det;
		imin = fmin(imin, i), imax = fmax(imax, i), jmin = fmin(jmin, j), jmax = fmax(jmax, j);
	}
	double sp = o->sigma / o->px, inv2 = 1 / (2 * sp * sp);
	int rad = (int)ceil(4 * sp);
	for (long i = (long)floor(imin) - 1; i <= (long)ceil(imax); i++)
		for (long j = (long)floor(jmin) - 1; j <= (long)ceil(jmax); j++)
			for (size_t c = 0; c < nc; c++) {
				double fx = (double)i + col[c].x, fy = (double)j + col[c].y;
				double x = ox + fx * ax + fy * bx, y = oy + fx * ay + fy * by;
				/* the slow scan reaches row y late: shifted sideways */
				x += o->drift * y + o->jitter * sin(y * 0.05 + jph);
				if (x < -rad || y < -rad || x > (double)o->w + rad || y > (double)o->h + rad)
					continue;
				double hgt = col[c].weight / wmax;
				long x0 = (long)floor(x) - rad, y0 = (long)floor(y) - rad;
				for (long yy = y0 > 0 ? y0 : 0; yy <= y0 + 2 * rad + 1 && yy < (long)o->h; yy++)
					for (long xx = x0 > 0 ? x0 : 0; xx <= x0 + 2 * rad + 1 && xx < (long)o->w; xx++) {
						double dx = (double)xx - x, dy = (double)yy - y;
						im->v[(size_t)yy * o->w + (size_t)xx] += hgt * exp(-(dx * dx + dy * dy) * inv2);
					}
			}
	free(col);
	double per_px = o->dose * o->px * o->px; /* electrons per pixel at a column's peak */
	for (size_t p = 0; p < o->w * o->h; p++) {
		double v = im->v[p] + o->background;
		if (per_px > 0)
			v = wrng_poisson(&seed, v * per_px);
		if (o->read_noise > 0)
			v += o->read_noise * (per_px > 0 ? per_px : 1) * wrng_gauss(&seed);
		im->v[p] = v;
	}
	return 0;
}
