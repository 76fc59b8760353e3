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
#include "motif.h"
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

/* The distinct brightness levels of n values (over the brightest), the
 * way am_species_by_ratio groups them: falling, at most 8. */
static int levels_of(const double *v, size_t n, double *level)
{
	int cls[64], nl = 0;
	if (n == 0 || n > 64)
		return 0;
	am_species_by_ratio(v, n, 8, AM_SAME_SPECIES, cls);
	/* cls 7 is the brightest group, 6 the next, ...; groups past 8 share 0 */
	for (int g = 7; g >= 0; g--) {
		double top = 0;
		for (size_t i = 0; i < n; i++)
			if (cls[i] == g)
				top = fmax(top, v[i]);
		if (top > 0)
			level[nl++] = top;
	}
	for (int i = nl - 1; i >= 0; i--)
		level[i] /= level[0];
	return nl;
}

/* How well the image's brightness levels (from lattice-averaged sites)
 * fit a template's, in order, brightest first. Two columns' ratio
 * depends on the Z exponent (1.6-2.0) and on how the light one was
 * measured, so a level may be off by a factor in log space that grows for
 * the faint ones. A template level the image lacks costs little when it
 * is faint (under 0.15: light columns beside heavy ones are easily lost)
 * and much when it is not; a level the image has and the template lacks
 * costs much: a bilayer's equal columns are not a monolayer's Mo and S2. */
static double level_sim(const double *img, int ni, const double *tpl, int nt)
{
	double s = 1;
	int n = ni < nt ? ni : nt;
	for (int i = 1; i < n; i++) {
		double d = log(img[i] / tpl[i]), sd = 0.3 + 0.15 * fabs(log(tpl[i]));
		s *= exp(-0.5 * (d / sd) * (d / sd));
	}
	for (int i = n; i < nt; i++)
		s *= tpl[i] < 0.15 ? 0.85 : 0.3;
	for (int i = n; i < ni; i++)
		s *= 0.3;
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
	double w[64];
	size_t nw = 0;
	for (size_t i = 0; i < p->n; i++) {
		ihist_add(t->ihist, p->col[i].weight / wmax);
		if (nw < 64)
			w[nw++] = p->col[i].weight / wmax;
	}
	hist_norm(t->ihist, AM_IHIST_BINS);
	t->nlevels = levels_of(w, nw, t->level);
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
	/* the pair distances, finely binned once; each template rescales
	 * them to its own cell, since a pixel size a few % off stretches every
	 * distance and would move a 3 A pair by a histogram bin or two */
	enum { FINE = 1600 };
	const double fine_bin = 1.25 * RMAX / FINE; /* reaches 7.5 A: a shrink of up to 20% still fills 6 A */
	double *fine = calloc(FINE, sizeof *fine);
	double pxs = px > 0 ? px : 1, rpx = 1.25 * RMAX / pxs, imax = 0;
	if (!fine)
		return -1;
	for (size_t i = 0; i < cols->n; i++)
		imax = cols->v[i].intensity > imax ? cols->v[i].intensity : imax;
	if (!(imax > 0))
		imax = 1;
	/* columns at least the reach from the edges see their whole
	 * neighbourhood; neighbours come from a grid of reach-sized buckets,
	 * since thousands of columns make all pairs slow */
	size_t bw = (size_t)((double)img_w / rpx) + 1, bh = (size_t)((double)img_h / rpx) + 1;
	size_t *head = malloc(bw * bh * sizeof *head), *next = malloc((cols->n ? cols->n : 1) * sizeof *next);
	if (!head || !next) {
		free(head), free(next), free(fine);
		return -1;
	}
	for (size_t b = 0; b < bw * bh; b++)
		head[b] = (size_t)-1;
	for (size_t j = 0; j < cols->n; j++) {
		double x = fmin(fmax(cols->v[j].x, 0), (double)img_w), y = fmin(fmax(cols->v[j].y, 0), (double)img_h);
		size_t b = (size_t)(y / rpx) * bw + (size_t)(x / rpx);
		next[j] = head[b], head[b] = j;
	}
	for (size_t i = 0; i < cols->n; i++) {
		const am_col *a = &cols->v[i];
		if (a->x < rpx || a->y < rpx || a->x > (double)img_w - rpx || a->y > (double)img_h - rpx)
			continue;
		long bx = (long)(a->x / rpx), by = (long)(a->y / rpx);
		for (long yy = by - 1; yy <= by + 1; yy++)
			for (long xx = bx - 1; xx <= bx + 1; xx++) {
				if (xx < 0 || yy < 0 || xx >= (long)bw || yy >= (long)bh)
					continue;
				for (size_t j = head[(size_t)yy * bw + (size_t)xx]; j != (size_t)-1; j = next[j]) {
					double d = hypot(cols->v[j].x - a->x, cols->v[j].y - a->y) * pxs;
					if (j != i && d < 1.25 * RMAX)
						fine[(size_t)(d / fine_bin) < FINE ? (size_t)(d / fine_bin) : FINE - 1] +=
							a->intensity / imax * cols->v[j].intensity / imax;
				}
			}
	}
	free(head), free(next);
	/* brightness over the brightest class's: the 98th percentile, so one
	 * hot pixel does not set the scale */
	double ih[AM_IHIST_BINS] = {0}, *iv = malloc((cols->n ? cols->n : 1) * sizeof *iv);
	if (!iv) {
		free(fine);
		return -1;
	}
	for (size_t i = 0; i < cols->n; i++)
		iv[i] = cols->v[i].intensity;
	wsort_doubles(iv, cols->n);
	double top = cols->n ? iv[(size_t)(0.98 * (double)(cols->n - 1))] : 1;
	free(iv);
	for (size_t i = 0; i < cols->n && top > 0; i++)
		ihist_add(ih, cols->v[i].intensity / top);
	hist_norm(ih, AM_IHIST_BINS);
	/* averaged columns: the sites' brightness levels */
	double site_v[64], lv[8];
	int nl = 0;
	if (cols->averaged) {
		int seen[64] = {0};
		size_t ns = 0;
		for (size_t i = 0; i < cols->n; i++) {
			int st = cols->v[i].site;
			if (st >= 0 && st < 64 && !seen[st])
				seen[st] = 1, site_v[ns++] = cols->v[i].intensity;
		}
		nl = levels_of(site_v, ns, lv);
	}
	double area_m = L->len_a * L->len_b * sin(L->gamma * M_PI / 180);
	for (size_t t = 0; t < lib->n; t++) {
		const am_template *T = &lib->t[t];
		double area_t = T->p.len_a * T->p.len_b * sin(T->p.gamma * M_PI / 180);
		double scale = sqrt(area_t / area_m);
		scale = fmin(fmax(scale, 0.92), 1.08); /* beyond 8% the lattice term rules it out anyway */
		double h[AM_HIST_BINS] = {0};
		for (size_t f = 0; f < FINE; f++)
			if (fine[f] > 0)
				hist_add(h, ((double)f + 0.5) * fine_bin * scale, fine[f]);
		hist_norm(h, AM_HIST_BINS);
		double cs = cosine(h, T->hist, AM_HIST_BINS);
		double is = nl > 0 ? level_sim(lv, nl, T->level, T->nlevels) : sqrt(cosine(ih, T->ihist, AM_IHIST_BINS));
		/* the cell's shape (b/a and gamma) within 4%; its size, which a
		 * pixel-size calibration shifts by several %, within 6% */
		double e_shape = fmax(fabs((L->len_b / L->len_a) / (T->p.len_b / T->p.len_a) - 1),
				      fabs(L->gamma - T->p.gamma) / 90);
		double e_size = fabs(sqrt(area_m / area_t) - 1);
		am_match *m = &out[t];
		m->index = t, m->hist_sim = cs, m->intensity_sim = is, m->lattice_err = fmax(e_shape, e_size);
		m->elements_ok = !elements || nelements == 0 || elements_equal(&T->s, elements, nelements);
		m->score = m->elements_ok ? cs * is * exp(-0.5 * (e_shape / 0.04) * (e_shape / 0.04)) *
						    exp(-0.5 * (e_size / 0.06) * (e_size / 0.06))
					  : 0;
	}
	free(fine);
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
