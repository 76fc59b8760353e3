/*
 * cands_io.c -- the schema graph's binary form. Reading validates every
 * reference (table and column indices, the feature list) so that a stale
 * or corrupt artifact is an error naming what is wrong, never an
 * out-of-range index later.
 */
#define _GNU_SOURCE
#include "cands_io.h"

#include <errno.h>
#include <float.h>
#include <math.h>
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
 * "ABIGRAF2", u32 feature count, u32 has_p, then each feature's name; u64
 * tables, each: name, u64 rows, u64 columns, each column: name, u8 unique;
 * u64 candidates, each: u32 from, to, ncols, fc[2], tc[2]; two bit sets of
 * ceil(features / 8) bytes (bit f of the first: feature f is not +0.0; of
 * the second: it is stored as an f64, else as an f32 that converts back
 * to the same bits); the stored features in order; f64 p when has_p.
 * Strings are u32 length + bytes; little-endian as written. A lake of
 * 1,000 tables has about 230,000 candidates of 35 features: as JSON,
 * writing and reading them again in each of the four ops that follow took
 * most of a minute, and its table lookup by name was quadratic. Half of
 * the features are 0 and most of the rest flags or counts an f32 holds
 * exactly: the fixed f64 records (ABIGRAF1, still read) were 72 MB, which
 * `candidates` and `predict_joins` each wrote and hashed and three ops
 * read back. */

enum { MASK_BYTES = (ABI_NFEATURES + 7) / 8, HEAD_BYTES = 7 * 4 };

static const char gmagic[8] = {'A', 'B', 'I', 'G', 'R', 'A', 'F', '2'};
static const char gmagic1[8] = {'A', 'B', 'I', 'G', 'R', 'A', 'F', '1'};

/* One candidate's record into b (at most HEAD_BYTES + 2 * MASK_BYTES +
 * 8 * (ABI_NFEATURES + 1) bytes); its length. */
static size_t encode_cand(unsigned char *b, const abi_cand *c, int has_p)
{
	uint32_t head[7] = {c->from, c->to, c->ncols, c->fc[0], c->fc[1], c->tc[0], c->tc[1]};
	memcpy(b, head, HEAD_BYTES);
	unsigned char *nz = b + HEAD_BYTES, *wide = nz + MASK_BYTES, *v = wide + MASK_BYTES;
	memset(nz, 0, 2 * MASK_BYTES);
	for (int f = 0; f < ABI_NFEATURES; f++) {
		uint64_t bits;
		memcpy(&bits, &c->x[f], 8);
		if (!bits)
			continue;
		nz[f / 8] |= (unsigned char)(1u << (f % 8));
		/* in range first: converting a larger double is undefined */
		float n = fabs(c->x[f]) <= FLT_MAX ? (float)c->x[f] : 0.0f;
		double back = n;
		if (memcmp(&back, &c->x[f], 8) == 0) {
			memcpy(v, &n, 4);
			v += 4;
		} else {
			wide[f / 8] |= (unsigned char)(1u << (f % 8));
			memcpy(v, &c->x[f], 8);
			v += 8;
		}
	}
	if (has_p) {
		memcpy(v, &c->p, 8);
		v += 8;
	}
	return (size_t)(v - b);
}

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
	/* records gathered into 64 KB writes: stdio's per-field calls were a
	 * tenth of writing the file */
	unsigned char buf[1 << 16];
	size_t used = 0;
	for (size_t i = 0; !bad && i < g->c.n; i++) {
		if (sizeof buf - used < HEAD_BYTES + 2 * MASK_BYTES + 8 * (ABI_NFEATURES + 1)) {
			bad = abi_put(f, buf, used);
			used = 0;
		}
		used += encode_cand(buf + used, &g->c.v[i], g->has_p);
	}
	bad = bad || abi_put(f, buf, used);
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

/* A sparse record's masks, features and p (after its head). */
static int get_sparse(abi_reader *r, abi_cand *c, int has_p)
{
	unsigned char nz[MASK_BYTES], wide[MASK_BYTES];
	if (abi_get(r, nz, MASK_BYTES) || abi_get(r, wide, MASK_BYTES))
		return -1;
	for (int f = 0; f < ABI_NFEATURES; f++) {
		unsigned bit = 1u << (f % 8);
		if (!(nz[f / 8] & bit)) {
			if (wide[f / 8] & bit)
				return -1;
			continue;
		}
		if (wide[f / 8] & bit) {
			if (abi_get(r, &c->x[f], 8))
				return -1;
		} else {
			float n;
			if (abi_get(r, &n, 4))
				return -1;
			c->x[f] = n;
		}
	}
	/* bits past the last feature are never set */
	if (ABI_NFEATURES % 8 && ((nz[MASK_BYTES - 1] | wide[MASK_BYTES - 1]) >> (ABI_NFEATURES % 8)))
		return -1;
	return has_p ? abi_get(r, &c->p, 8) : 0;
}

/* Every count is checked against the bytes left before anything is
 * allocated for it, so a corrupt count cannot ask for gigabytes. */
static int read_graph(abi_graph *g, abi_reader *r, const char *what, char *err, size_t errlen)
{
	char m[8], name[4096];
	uint32_t nf, hp;
	if (abi_get(r, m, 8) || (memcmp(m, gmagic, 8) && memcmp(m, gmagic1, 8)) || abi_get(r, &nf, 4) ||
	    abi_get(r, &hp, 4) || hp > 1) {
		snprintf(err, errlen, "%s: not an autobi schema graph; produce it with autobi.candidates", what);
		return -1;
	}
	int v1 = memcmp(m, gmagic1, 8) == 0;
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
	/* ABIGRAF1: fixed records of every feature as an f64 and p */
	const size_t rec1 = HEAD_BYTES + ABI_NFEATURES * 8 + 8, rec2 = HEAD_BYTES + 2 * MASK_BYTES;
	if (abi_get(r, &nc, 8) || (v1 ? nc != abi_left(r) / rec1 || abi_left(r) % rec1 : nc > abi_left(r) / rec2))
		return -1;
	if (nc && !(g->c.v = malloc(nc * sizeof *g->c.v)))
		return -1;
	g->c.cap = nc;
	for (size_t i = 0; i < nc; i++) {
		abi_cand c = {0};
		uint32_t h[7];
		if (abi_get(r, h, sizeof h) || (v1 ? abi_get(r, c.x, sizeof c.x) || abi_get(r, &c.p, 8)
						   : get_sparse(r, &c, g->has_p)))
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
	return abi_left(r) ? -1 : 0;
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
