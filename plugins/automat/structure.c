/*
 * structure.c -- see structure.h.
 */
#include "structure.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elements.h"

void am_struct_init(am_struct *s, const char *name, double a, double b, double c, double gamma)
{
	memset(s, 0, sizeof *s);
	snprintf(s->name, sizeof s->name, "%s", name ? name : "structure");
	s->a = a, s->b = b, s->c = c, s->alpha = s->beta = 90, s->gamma = gamma;
}

int am_struct_add(am_struct *s, const char *el, double x, double y, double z)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		am_atom *p = realloc(s->at, cap * sizeof *p);
		if (!p)
			return -1;
		s->at = p, s->cap = cap;
	}
	am_atom *t = &s->at[s->n++];
	snprintf(t->el, sizeof t->el, "%s", el);
	t->x = x, t->y = y, t->z = z;
	return 0;
}

void am_struct_free(am_struct *s)
{
	free(s->at);
	memset(s, 0, sizeof *s);
}

double am_wrap1(double v)
{
	v -= floor(v);
	return v >= 1.0 ? 0.0 : v; /* floor of -1e-17 leaves exactly 1.0 */
}

void am_struct_wrap(am_struct *s)
{
	for (size_t i = 0; i < s->n; i++) {
		s->at[i].x = am_wrap1(s->at[i].x);
		s->at[i].y = am_wrap1(s->at[i].y);
		s->at[i].z = am_wrap1(s->at[i].z);
	}
}

void am_struct_basis2(const am_struct *s, double A[4])
{
	double g = s->gamma * M_PI / 180;
	A[0] = s->a, A[1] = 0;
	A[2] = s->b * cos(g), A[3] = s->b * sin(g);
}

double am_dist2d(const double A[4], double x1, double y1, double x2, double y2)
{
	double dx = x1 - x2, dy = y1 - y2;
	dx -= round(dx), dy -= round(dy);
	double best = INFINITY;
	/* round() alone is not the minimum image in an oblique cell */
	for (int i = -1; i <= 1; i++)
		for (int j = -1; j <= 1; j++) {
			double u = dx + i, v = dy + j;
			double cx = A[0] * u + A[2] * v, cy = A[1] * u + A[3] * v;
			double d = cx * cx + cy * cy;
			best = d < best ? d : best;
		}
	return sqrt(best);
}

am_column *am_struct_columns(const am_struct *s, double tol, size_t *n)
{
	double A[4];
	am_struct_basis2(s, A);
	am_column *col = calloc(s->n ? s->n : 1, sizeof *col);
	int *cnt = calloc((s->n ? s->n : 1) * 87, sizeof *cnt); /* per column, atoms of each Z */
	if (!col || !cnt) {
		free(col), free(cnt);
		return NULL;
	}
	size_t nc = 0;
	for (size_t i = 0; i < s->n; i++) {
		const am_atom *t = &s->at[i];
		size_t c = 0;
		while (c < nc && am_dist2d(A, col[c].x, col[c].y, t->x, t->y) > tol)
			c++;
		if (c == nc) {
			col[nc].x = am_wrap1(t->x), col[nc].y = am_wrap1(t->y);
			nc++;
		}
		int z = am_element_z(t->el);
		col[c].weight += pow(z, 1.7);
		col[c].natoms++;
		if (z > col[c].z_max)
			col[c].z_max = z;
		if (z > 0 && z < 87)
			cnt[c * 87 + (size_t)z]++;
	}
	for (size_t c = 0; c < nc; c++) { /* label: heaviest first, "MoS2" style */
		size_t len = 0;
		for (int z = 86; z >= 1 && len < sizeof col[c].label - 8; z--) {
			int k = cnt[c * 87 + (size_t)z];
			if (k == 0)
				continue;
			char *at = col[c].label + len;
			size_t room = sizeof col[c].label - len;
			len += (size_t)(k > 1 ? snprintf(at, room, "%s%d", am_element_symbol(z), k)
					      : snprintf(at, room, "%s", am_element_symbol(z)));
		}
	}
	free(cnt);
	*n = nc;
	return col;
}

void am_reduce2(double a[2], double b[2])
{
	for (int it = 0; it < 100; it++) {
		if (b[0] * b[0] + b[1] * b[1] < a[0] * a[0] + a[1] * a[1]) {
			double t[2] = {a[0], a[1]};
			a[0] = b[0], a[1] = b[1], b[0] = t[0], b[1] = t[1];
		}
		double m = round((a[0] * b[0] + a[1] * b[1]) / (a[0] * a[0] + a[1] * a[1]));
		if (m == 0)
			break;
		b[0] -= m * a[0], b[1] -= m * a[1];
	}
	if (a[0] * b[0] + a[1] * b[1] > 0)
		b[0] = -b[0], b[1] = -b[1];
}
