/*
 * cands_io.c -- the schema graph's binary form. Reading validates every
 * reference (table and column indices, the feature list) so that a stale
 * or corrupt artifact is an error naming what is wrong, never an
 * out-of-range index later.
 */
#define _GNU_SOURCE
#include "cands_io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binio.h"
#include "fileio.h"

void abi_graph_free(abi_graph *g)
{
	for (size_t i = 0; g->t && i < g->ntables; i++) {
		for (size_t c = 0; g->t[i].cols && c < g->t[i].ncols; c++)
			free(g->t[i].cols[c]);
		free(g->t[i].cols);
		free(g->t[i].unique);
		free(g->t[i].name);
	}
	free(g->t);
	abi_cands_free(&g->c);
	memset(g, 0, sizeof *g);
}

static int tinfo_alloc(abi_tinfo *t, const char *name, size_t ncols)
{
	t->ncols = ncols;
	t->name = strdup(name);
	t->cols = calloc(ncols ? ncols : 1, sizeof *t->cols);
	t->unique = calloc(ncols ? ncols : 1, 1);
	return t->name && t->cols && t->unique ? 0 : -1;
}

int abi_graph_from_profiles(abi_graph *g, const abi_profile *profs, size_t n)
{
	memset(g, 0, sizeof *g);
	if (!(g->t = calloc(n ? n : 1, sizeof *g->t)))
		return -1;
	g->ntables = n;
	for (size_t i = 0; i < n; i++) {
		const abi_profile *p = &profs[i];
		abi_tinfo *t = &g->t[i];
		if (tinfo_alloc(t, p->table, p->ncols) != 0)
			return -1;
		t->rows = p->nrows;
		for (size_t c = 0; c < p->ncols; c++) {
			if (!(t->cols[c] = strdup(p->cols[c].name)))
				return -1;
			t->unique[c] = p->cols[c].nnull == 0 && p->cols[c].ndistinct == p->nrows && p->nrows > 0;
		}
	}
	return 0;
}

long abi_graph_table(const abi_graph *g, const char *name)
{
	for (size_t i = 0; i < g->ntables; i++)
		if (strcmp(g->t[i].name, name) == 0)
			return (long)i;
	return -1;
}

/* ---- binary form
 *
 * "ABIGRAF1", u32 feature count, u32 has_p, then each feature's name; u64
 * tables, each: name, u64 rows, u64 columns, each column: name, u8 unique;
 * u64 candidates, each: u32 from, to, ncols, fc[2], tc[2], f64 features,
 * f64 p. Strings are u32 length + bytes; little-endian as written. A lake
 * of 1,000 tables has about 230,000 candidates of 35 features: as JSON,
 * writing and reading them again in each of the four ops that follow took
 * most of a minute, and its table lookup by name was quadratic. */

static const char gmagic[8] = {'A', 'B', 'I', 'G', 'R', 'A', 'F', '1'};

int abi_graph_save(const abi_graph *g, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "wb");
	if (!f) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	uint32_t nf = ABI_NFEATURES, hp = (uint32_t)g->has_p;
	uint64_t nt = g->ntables, nc = g->c.n;
	int bad = abi_put(f, gmagic, sizeof gmagic) || abi_put(f, &nf, 4) || abi_put(f, &hp, 4);
	for (int i = 0; !bad && i < ABI_NFEATURES; i++)
		bad = abi_put_str(f, abi_feature_names[i]);
	bad = bad || abi_put(f, &nt, 8);
	for (size_t i = 0; !bad && i < g->ntables; i++) {
		const abi_tinfo *t = &g->t[i];
		uint64_t ncols = t->ncols;
		bad = abi_put_str(f, t->name) || abi_put(f, &t->rows, 8) || abi_put(f, &ncols, 8);
		for (size_t c = 0; !bad && c < t->ncols; c++)
			bad = abi_put_str(f, t->cols[c]) || abi_put(f, &t->unique[c], 1);
	}
	bad = bad || abi_put(f, &nc, 8);
	for (size_t i = 0; !bad && i < g->c.n; i++) {
		const abi_cand *c = &g->c.v[i];
		uint32_t head[7] = {c->from, c->to, c->ncols, c->fc[0], c->fc[1], c->tc[0], c->tc[1]};
		bad = abi_put(f, head, sizeof head) || abi_put(f, c->x, sizeof c->x) || abi_put(f, &c->p, 8);
	}
	if (fclose(f) != 0)
		bad = 1;
	if (bad)
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
	return bad ? -1 : 0;
}

/* A string into buf (NUL-terminated), or -1 when it does not fit. */
static int get_str(abi_reader *r, char *buf, size_t cap)
{
	uint32_t n;
	if (abi_get(r, &n, 4) || n >= cap || n > abi_left(r))
		return -1;
	memcpy(buf, r->d + r->pos, n);
	buf[n] = '\0';
	r->pos += n;
	return 0;
}

/* Every count is checked against the bytes left before anything is
 * allocated for it, so a corrupt count cannot ask for gigabytes. */
static int read_graph(abi_graph *g, abi_reader *r, const char *what, char *err, size_t errlen)
{
	char m[8], name[4096];
	uint32_t nf, hp;
	if (abi_get(r, m, 8) || memcmp(m, gmagic, 8) || abi_get(r, &nf, 4) || abi_get(r, &hp, 4) || hp > 1) {
		snprintf(err, errlen, "%s: not an autobi schema graph; produce it with autobi.candidates", what);
		return -1;
	}
	if (nf != ABI_NFEATURES) {
		snprintf(err, errlen, "%s: the candidates have %u features, this autobi expects %d; regenerate the "
			 "candidates", what, nf, ABI_NFEATURES);
		return -1;
	}
	for (int i = 0; i < ABI_NFEATURES; i++)
		if (get_str(r, name, sizeof name) || strcmp(name, abi_feature_names[i]) != 0) {
			snprintf(err, errlen, "%s: feature %d is not '%s'; regenerate the candidates", what, i + 1,
				 abi_feature_names[i]);
			return -1;
		}
	g->has_p = (int)hp;
	uint64_t nt, nc;
	if (abi_get(r, &nt, 8) || nt > abi_left(r) / 20 || !(g->t = calloc(nt ? nt : 1, sizeof *g->t)))
		return -1;
	for (size_t i = 0; i < nt; i++) {
		uint64_t rows, ncols;
		if (get_str(r, name, sizeof name) || abi_get(r, &rows, 8) || abi_get(r, &ncols, 8) ||
		    ncols > abi_left(r) / 5)
			return -1;
		g->ntables++;
		abi_tinfo *t = &g->t[i];
		if (tinfo_alloc(t, name, ncols) != 0)
			return -1;
		t->rows = rows;
		for (size_t c = 0; c < ncols; c++)
			if (get_str(r, name, sizeof name) || abi_get(r, &t->unique[c], 1) || !(t->cols[c] = strdup(name)))
				return -1;
	}
	const size_t rec = 7 * 4 + ABI_NFEATURES * 8 + 8;
	if (abi_get(r, &nc, 8) || nc != abi_left(r) / rec || abi_left(r) % rec)
		return -1;
	if (nc && !(g->c.v = malloc(nc * sizeof *g->c.v)))
		return -1;
	g->c.cap = nc;
	for (size_t i = 0; i < nc; i++) {
		abi_cand c = {0};
		uint32_t h[7];
		if (abi_get(r, h, sizeof h) || abi_get(r, c.x, sizeof c.x) || abi_get(r, &c.p, 8))
			return -1;
		int ok = h[0] < nt && h[1] < nt && (h[2] == 1 || h[2] == 2);
		for (uint32_t q = 0; ok && q < h[2]; q++)
			ok = h[3 + q] < g->t[h[0]].ncols && h[5 + q] < g->t[h[1]].ncols;
		if (!ok || (g->has_p && !(c.p >= 0 && c.p <= 1))) {
			snprintf(err, errlen, "%s: candidate %zu names a table or column out of range, or has no "
				 "probability in [0, 1]; regenerate the candidates", what, i + 1);
			return -1;
		}
		c.from = h[0];
		c.to = h[1];
		c.ncols = h[2];
		c.fc[0] = h[3];
		c.tc[0] = h[5];
		if (c.ncols == 2) {
			c.fc[1] = h[4];
			c.tc[1] = h[6];
		}
		g->c.v[g->c.n++] = c;
	}
	return 0;
}

int abi_graph_load(abi_graph *g, const char *path, const char *what, char *err, size_t errlen)
{
	memset(g, 0, sizeof *g);
	char *d;
	size_t n;
	if (wio_read_all(&d, &n, path, what, ABI_GRAPH_MAX_BYTES, err, errlen) != 0)
		return -1;
	abi_reader r = {(unsigned char *)d, n, 0};
	err[0] = '\0';
	int rc = read_graph(g, &r, what, err, errlen);
	free(d);
	if (rc != 0) {
		if (!err[0])
			snprintf(err, errlen, "%s is not an autobi schema graph (or is truncated or out of memory); run "
				 "autobi.candidates again", what);
		abi_graph_free(g);
	}
	return rc;
}
