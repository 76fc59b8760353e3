/*
 * match.c -- see match.h.
 */
#define _GNU_SOURCE
#include "match.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cif.h"
#include "elements.h"
#include "sortd.h"

#define RMAX 6.0
#define BIN (RMAX / AM_HIST_BINS)

static void hist_add(double *h, double d, double wt)
{
	/* a Gaussian of 0.1 A, spread over the bins it reaches */
	for (int b = 0; b < AM_HIST_BINS; b++) {
		double c = (b + 0.5) * BIN, x = (c - d) / 0.1;
		if (fabs(x) < 4)
			h[b] += wt * exp(-0.5 * x * x);
	}
}

static void ihist_add(double *h, double r)
{
	for (int b = 0; b < AM_IHIST_BINS; b++) {
		double c = (b + 0.5) * 1.2 / AM_IHIST_BINS, x = (c - r) / 0.08;
		if (fabs(x) < 4)
			h[b] += r * exp(-0.5 * x * x); /* weighted by brightness, like the pairs */
	}
}

static void hist_norm(double *h, int n)
{
	double s = 0;
	for (int b = 0; b < n; b++)
		s += h[b] * h[b];
	s = sqrt(s);
	for (int b = 0; b < n && s > 0; b++)
		h[b] /= s;
}

static double cosine(const double *a, const double *b, int n)
{
	double s = 0;
	for (int i = 0; i < n; i++)
		s += a[i] * b[i];
	return s;
}

static void template_hist(am_template *t)
{
	const am_proj *p = &t->p;
	memset(t->hist, 0, sizeof t->hist);
	double wmax = 0;
	for (size_t i = 0; i < p->n; i++)
		wmax = p->col[i].weight > wmax ? p->col[i].weight : wmax;
	int reach = (int)ceil(RMAX / fmin(p->len_a, p->len_b) / sin(p->gamma * M_PI / 180)) + 1;
	for (size_t i = 0; i < p->n; i++)
		for (size_t j = 0; j < p->n; j++)
			for (int q = -reach; q <= reach; q++)
				for (int r = -reach; r <= reach; r++) {
					double du = p->col[j].u + q - p->col[i].u, dv = p->col[j].v + r - p->col[i].v;
					double x = du * p->a[0] + dv * p->b[0], y = du * p->a[1] + dv * p->b[1];
					double d = hypot(x, y);
					if (d > 1e-6 && d < RMAX)
						hist_add(t->hist, d, p->col[i].weight / wmax * p->col[j].weight / wmax);
				}
	hist_norm(t->hist, AM_HIST_BINS);
	memset(t->ihist, 0, sizeof t->ihist);
	for (size_t i = 0; i < p->n; i++)
		ihist_add(t->ihist, p->col[i].weight / wmax);
	hist_norm(t->ihist, AM_IHIST_BINS);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void am_library_free(am_library *lib)
{
	for (size_t i = 0; i < lib->n; i++) {
		am_struct_free(&lib->t[i].s);
		am_proj_free(&lib->t[i].p);
	}
	free(lib->t);
	memset(lib, 0, sizeof *lib);
}

int am_library_load(am_library *lib, const char *dir, char *err, size_t errlen)
{
	memset(lib, 0, sizeof *lib);
	err[0] = '\0';
	DIR *d = opendir(dir);
	if (!d) {
		snprintf(err, errlen, "cannot open the template library %s", dir);
		return -1;
	}
	char **names = NULL;
	size_t nn = 0, cap = 0;
	struct dirent *e;
	int rc = -1;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l < 5 || strcmp(e->d_name + l - 4, ".cif"))
			continue;
		if (nn == cap) {
			char **g = realloc(names, (cap = cap ? 2 * cap : 32) * sizeof *g);
			if (!g)
				goto done;
			names = g;
		}
		if (!(names[nn] = strdup(e->d_name)))
			goto done;
		nn++;
	}
	if (nn == 0) {
		snprintf(err, errlen, "the template library %s holds no .cif files", dir);
		goto done;
	}
	qsort(names, nn, sizeof *names, by_name);
	if (!(lib->t = calloc(nn, sizeof *lib->t)))
		goto done;
	for (size_t i = 0; i < nn; i++) {
		char path[4096];
		am_template *t = &lib->t[i];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		snprintf(t->name, sizeof t->name, "%.*s", (int)(strlen(names[i]) - 4), names[i]);
		if (am_cif_read(&t->s, path, err, errlen) != 0 || am_proj_from_struct(&t->p, &t->s, err, errlen) != 0)
			goto done;
		lib->n++;
		template_hist(t);
	}
	rc = 0;
done:
	closedir(d);
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	if (rc != 0) {
		if (!err[0])
			snprintf(err, errlen, "out of memory loading %s", dir);
		am_library_free(lib);
	}
	return rc;
}

static int elements_equal(const am_struct *s, const char *const *el, size_t ne)
{
	for (size_t i = 0; i < s->n; i++) { /* every template element requested */
		size_t e = 0;
		while (e < ne && strcmp(s->at[i].el, el[e]))
			e++;
		if (e == ne)
			return 0;
	}
	for (size_t e = 0; e < ne; e++) { /* and every requested element present */
		size_t i = 0;
		while (i < s->n && strcmp(s->at[i].el, el[e]))
			i++;
		if (i == s->n)
			return 0;
	}
	return 1;
}

static int by_score(const void *a, const void *b)
{
	double x = ((const am_match *)a)->score, y = ((const am_match *)b)->score;
	if (x != y)
		return x > y ? -1 : 1;
	size_t i = ((const am_match *)a)->index, j = ((const am_match *)b)->index;
	return i < j ? -1 : i > j;
}

int am_match_templates(am_match *out, const am_library *lib, const am_colset *cols, const am_lattice *L,
		       double px, size_t img_w, size_t img_h, const char *const *elements, size_t nelements)
{
	double h[AM_HIST_BINS] = {0};
	double pxs = px > 0 ? px : 1, rpx = RMAX / pxs, imax = 0;
	for (size_t i = 0; i < cols->n; i++)
		imax = cols->v[i].intensity > imax ? cols->v[i].intensity : imax;
	if (!(imax > 0))
		imax = 1;
	/* columns at least RMAX from the edges see their whole neighbourhood */
	for (size_t i = 0; i < cols->n; i++) {
		const am_col *a = &cols->v[i];
		if (a->x < rpx || a->y < rpx || a->x > (double)img_w - rpx || a->y > (double)img_h - rpx)
			continue;
		for (size_t j = 0; j < cols->n; j++) {
			double d = hypot(cols->v[j].x - a->x, cols->v[j].y - a->y) * pxs;
			if (j != i && d < RMAX)
				hist_add(h, d, a->intensity / imax * cols->v[j].intensity / imax);
		}
	}
	hist_norm(h, AM_HIST_BINS);
	/* brightness over the brightest class's: the 98th percentile, so one
	 * hot pixel does not set the scale */
	double ih[AM_IHIST_BINS] = {0}, *iv = malloc((cols->n ? cols->n : 1) * sizeof *iv);
	if (!iv)
		return -1;
	for (size_t i = 0; i < cols->n; i++)
		iv[i] = cols->v[i].intensity;
	wsort_doubles(iv, cols->n);
	double top = cols->n ? iv[(size_t)(0.98 * (double)(cols->n - 1))] : 1;
	free(iv);
	for (size_t i = 0; i < cols->n && top > 0; i++)
		ihist_add(ih, cols->v[i].intensity / top);
	hist_norm(ih, AM_IHIST_BINS);
	for (size_t t = 0; t < lib->n; t++) {
		const am_template *T = &lib->t[t];
		double cs = cosine(h, T->hist, AM_HIST_BINS), is = cosine(ih, T->ihist, AM_IHIST_BINS);
		double e = fmax(fabs(L->len_a - T->p.len_a) / T->p.len_a, fabs(L->len_b - T->p.len_b) / T->p.len_b);
		e = fmax(e, fabs(L->gamma - T->p.gamma) / 90);
		am_match *m = &out[t];
		m->index = t, m->hist_sim = cs, m->intensity_sim = is, m->lattice_err = e;
		m->elements_ok = !elements || nelements == 0 || elements_equal(&T->s, elements, nelements);
		m->score = m->elements_ok ? cs * sqrt(is) * exp(-0.5 * (e / 0.03) * (e / 0.03)) : 0;
	}
	qsort(out, lib->n, sizeof *out, by_score);
	return 0;
}

int am_match_accepted(const am_match *best, double min_score)
{
	return best->elements_ok && best->score >= min_score;
}

int am_template_fit(am_struct *out, const am_template *t, const am_lattice *L)
{
	double area_m = L->len_a * L->len_b * sin(L->gamma * M_PI / 180);
	double area_t = t->p.len_a * t->p.len_b * sin(t->p.gamma * M_PI / 180);
	double f = sqrt(area_m / area_t);
	am_struct_init(out, t->name, t->s.a * f, t->s.b * f, t->s.c, t->s.gamma);
	for (size_t i = 0; i < t->s.n; i++)
		if (am_struct_add(out, t->s.at[i].el, t->s.at[i].x, t->s.at[i].y, t->s.at[i].z) != 0) {
			am_struct_free(out);
			return -1;
		}
	return 0;
}
