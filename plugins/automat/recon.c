/*
 * recon.c -- see recon.h.
 */
#include "recon.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elements.h"
#include "motif.h"

static size_t find(size_t *parent, size_t i)
{
	while (parent[i] != i)
		i = parent[i] = parent[parent[i]];
	return i;
}

static int by_intensity(const void *a, const void *b)
{
	double x = ((const am_site *)a)->intensity, y = ((const am_site *)b)->intensity;
	return x > y ? -1 : x < y;
}

int am_reconstruct(am_struct *out, am_site **sites_out, size_t *nsites_out, const am_colset *cols, const am_lattice *L,
		   size_t img_w, size_t img_h, const am_recon_opts *o, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	if (sites_out)
		*sites_out = NULL, *nsites_out = 0;
	if (o->nelements == 0 || o->nelements > 8) {
		snprintf(err, errlen, "the template-free line needs 1 to 8 elements (-p elements=Mo,S)");
		return -1;
	}
	const char *el[8];
	for (size_t e = 0; e < o->nelements; e++) {
		el[e] = o->elements[e];
		if (!am_element_z(el[e])) {
			snprintf(err, errlen, "unknown element '%s'", el[e]);
			return -1;
		}
	}
	am_element_sort(el, o->nelements);
	double A[4] = {L->a[0], L->a[1], L->b[0], L->b[1]}, px = o->px > 0 ? o->px : 1;
	double margin = hypot(L->a[0], L->a[1]) / 2; /* columns cut by the edge refine badly */
	size_t n = cols->n, m = 0;
	double *u = malloc((n ? n : 1) * sizeof *u), *v = malloc((n ? n : 1) * sizeof *v);
	double *in = malloc((n ? n : 1) * sizeof *in);
	size_t *parent = malloc((n ? n : 1) * sizeof *parent);
	am_site *site = calloc(n ? n : 1, sizeof *site);
	int rc = -1;
	if (!u || !v || !in || !parent || !site) {
		snprintf(err, errlen, "out of memory reconstructing %zu columns", n);
		goto done;
	}
	/* origin: the brightest column in the central third */
	double ox = (double)img_w / 2, oy = (double)img_h / 2, best = -1;
	for (size_t i = 0; i < n; i++) {
		const am_col *c = &cols->v[i];
		if (fabs(c->x - (double)img_w / 2) < (double)img_w / 6 && fabs(c->y - (double)img_h / 2) < (double)img_h / 6 &&
		    c->intensity > best)
			best = c->intensity, ox = c->x, oy = c->y;
	}
	for (size_t i = 0; i < n; i++) {
		const am_col *c = &cols->v[i];
		if (c->x < margin || c->y < margin || c->x > (double)img_w - margin || c->y > (double)img_h - margin)
			continue;
		am_lattice_frac(L, ox, oy, c->x, c->y, &u[m], &v[m]);
		u[m] = am_wrap1(u[m]), v[m] = am_wrap1(v[m]), in[m] = c->intensity;
		parent[m] = m;
		m++;
	}
	if (m == 0) {
		snprintf(err, errlen, "no atom columns were found away from the image edges");
		goto done;
	}
	double tol = o->merge_tol / px;
	for (size_t i = 0; i < m; i++)
		for (size_t j = i + 1; j < m; j++)
			if (am_dist2d(A, u[i], v[i], u[j], v[j]) < tol) {
				size_t a = find(parent, i), b = find(parent, j);
				if (a != b)
					parent[a > b ? a : b] = a < b ? a : b;
			}
	/* per cluster: the mean position, unwrapped against its root */
	size_t *slot = malloc(m * sizeof *slot), ns = 0;
	if (!slot) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < m; i++)
		slot[i] = (size_t)-1;
	for (size_t i = 0; i < m; i++) {
		size_t r = find(parent, i);
		if (slot[r] == (size_t)-1)
			slot[r] = ns++;
		am_site *s = &site[slot[r]];
		double du = u[i] - u[r], dv = v[i] - v[r];
		du -= round(du), dv -= round(dv);
		s->u += u[r] + du, s->v += v[r] + dv, s->intensity += in[i];
		s->count++;
	}
	free(slot);
	size_t top = 0;
	for (size_t s = 0; s < ns; s++) {
		site[s].u = am_wrap1(site[s].u / (double)site[s].count), site[s].v = am_wrap1(site[s].v / (double)site[s].count);
		site[s].intensity /= (double)site[s].count;
		top = site[s].count > top ? site[s].count : top;
	}
	size_t kept = 0;
	for (size_t s = 0; s < ns; s++)
		if ((double)site[s].count >= o->min_support * (double)top)
			site[kept++] = site[s];
	qsort(site, kept, sizeof *site, by_intensity);
	/* species by the sites' intensity ratios (motif.h): equal sites are
	 * one species, the brightest group the heaviest element */
	int *cls = malloc(kept * sizeof *cls);
	double *inten = malloc(kept * sizeof *inten);
	if (!cls || !inten) {
		free(cls), free(inten);
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	for (size_t s = 0; s < kept; s++)
		inten[s] = site[s].intensity;
	am_species_by_ratio(inten, kept, (int)o->nelements, AM_SAME_SPECIES, cls);
	for (size_t s = 0; s < kept; s++)
		site[s].element = cls[s];
	free(cls), free(inten);
	am_struct_init(out, "reconstructed", L->len_a, L->len_b, o->vacuum, L->gamma);
	for (size_t s = 0; s < kept; s++)
		if (am_struct_add(out, el[site[s].element], site[s].u, site[s].v, 0.5) != 0) {
			snprintf(err, errlen, "out of memory");
			am_struct_free(out);
			goto done;
		}
	if (sites_out) {
		*sites_out = site, *nsites_out = kept;
		site = NULL;
	}
	rc = 0;
done:
	free(u), free(v), free(in), free(parent), free(site);
	return rc;
}
