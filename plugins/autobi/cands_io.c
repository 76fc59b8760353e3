/*
 * cands_io.c -- JSON form of the schema graph. Reading validates every
 * reference (table names, column names, feature count) so that a
 * hand-edited or stale artifact is an error naming what is wrong, never an
 * out-of-range index later.
 */
#define _GNU_SOURCE
#include "cands_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static json_t *col_list(const abi_tinfo *t, const uint32_t *cols, uint32_t n)
{
	json_t *a = json_array();
	for (uint32_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(t->cols[cols[i]]));
	return a;
}

json_t *abi_graph_to_json(const abi_graph *g)
{
	json_t *root = json_object(), *tables = json_array(), *cands = json_array(), *fn = json_array();
	if (!root || !tables || !cands || !fn) {
		json_decref(root);
		json_decref(tables);
		json_decref(cands);
		json_decref(fn);
		return NULL;
	}
	for (int f = 0; f < ABI_NFEATURES; f++)
		json_array_append_new(fn, json_string(abi_feature_names[f]));
	for (size_t i = 0; i < g->ntables; i++) {
		const abi_tinfo *t = &g->t[i];
		json_t *cols = json_array();
		for (size_t c = 0; c < t->ncols; c++)
			json_array_append_new(cols, json_pack("{s:s, s:b}", "name", t->cols[c], "unique", t->unique[c]));
		json_array_append_new(tables, json_pack("{s:s, s:I, s:o}", "name", t->name, "rows",
							 (json_int_t)t->rows, "columns", cols));
	}
	for (size_t i = 0; i < g->c.n; i++) {
		const abi_cand *c = &g->c.v[i];
		json_t *x = json_array();
		for (int f = 0; f < ABI_NFEATURES; f++)
			json_array_append_new(x, json_real(c->x[f]));
		json_t *o = json_pack("{s:s, s:o, s:s, s:o, s:o}", "from", g->t[c->from].name, "from_columns",
				      col_list(&g->t[c->from], c->fc, c->ncols), "to", g->t[c->to].name, "to_columns",
				      col_list(&g->t[c->to], c->tc, c->ncols), "features", x);
		if (o && g->has_p)
			json_object_set_new(o, "p", json_real(c->p));
		json_array_append_new(cands, o);
	}
	json_object_set_new(root, "format", json_string("autobi-schema-graph/1"));
	json_object_set_new(root, "features", fn);
	json_object_set_new(root, "tables", tables);
	json_object_set_new(root, "candidates", cands);
	return root;
}

static long col_index(const abi_tinfo *t, const char *name)
{
	for (size_t c = 0; name && c < t->ncols; c++)
		if (strcmp(t->cols[c], name) == 0)
			return (long)c;
	return -1;
}

static int read_cols(uint32_t *out, uint32_t *n, const abi_tinfo *t, const json_t *arr)
{
	size_t k = json_array_size(arr);
	if (k < 1 || k > 2)
		return -1;
	for (size_t i = 0; i < k; i++) {
		long c = col_index(t, json_string_value(json_array_get(arr, i)));
		if (c < 0)
			return -1;
		out[i] = (uint32_t)c;
	}
	*n = (uint32_t)k;
	return 0;
}

static int read_tables(abi_graph *g, const json_t *tables, const char *what, char *err, size_t errlen)
{
	size_t n = json_array_size(tables);
	if (!(g->t = calloc(n ? n : 1, sizeof *g->t)))
		return -1;
	for (size_t i = 0; i < n; i++) {
		const json_t *t = json_array_get(tables, i), *cols = json_object_get(t, "columns");
		const char *name = json_string_value(json_object_get(t, "name"));
		if (!name || !json_is_array(cols)) {
			snprintf(err, errlen, "%s: table %zu has no name or no columns", what, i + 1);
			return -1;
		}
		g->ntables++;
		abi_tinfo *ti = &g->t[i];
		if (tinfo_alloc(ti, name, json_array_size(cols)) != 0)
			return -1;
		ti->rows = (uint64_t)json_integer_value(json_object_get(t, "rows"));
		for (size_t c = 0; c < ti->ncols; c++) {
			const json_t *col = json_array_get(cols, c);
			const char *cn = json_string_value(json_object_get(col, "name"));
			if (!cn || !(ti->cols[c] = strdup(cn))) {
				snprintf(err, errlen, "%s: table '%s' column %zu has no name", what, name, c + 1);
				return -1;
			}
			ti->unique[c] = json_is_true(json_object_get(col, "unique"));
		}
	}
	return 0;
}

static int read_cand(abi_graph *g, const json_t *o, size_t i, const char *what, char *err, size_t errlen)
{
	abi_cand c = {0};
	long a = abi_graph_table(g, json_string_value(json_object_get(o, "from")));
	long b = abi_graph_table(g, json_string_value(json_object_get(o, "to")));
	uint32_t n1 = 0, n2 = 0;
	if (a < 0 || b < 0 || read_cols(c.fc, &n1, &g->t[a], json_object_get(o, "from_columns")) != 0 ||
	    read_cols(c.tc, &n2, &g->t[b], json_object_get(o, "to_columns")) != 0 || n1 != n2) {
		snprintf(err, errlen, "%s: candidate %zu names a table or column that is not in 'tables'", what, i + 1);
		return -1;
	}
	c.from = (uint32_t)a;
	c.to = (uint32_t)b;
	c.ncols = n1;
	const json_t *x = json_object_get(o, "features");
	if (json_array_size(x) != ABI_NFEATURES) {
		snprintf(err, errlen, "%s: candidate %zu has %zu features, expected %d; regenerate the candidates", what,
			 i + 1, json_array_size(x), ABI_NFEATURES);
		return -1;
	}
	for (int f = 0; f < ABI_NFEATURES; f++)
		c.x[f] = json_number_value(json_array_get(x, (size_t)f));
	const json_t *p = json_object_get(o, "p");
	if (g->has_p) {
		if (!json_is_number(p) || json_number_value(p) < 0 || json_number_value(p) > 1) {
			snprintf(err, errlen, "%s: candidate %zu has no probability 'p' in [0, 1]", what, i + 1);
			return -1;
		}
		c.p = json_number_value(p);
	}
	return abi_cands_push(&g->c, &c);
}

int abi_graph_from_json(abi_graph *g, const json_t *j, const char *what, char *err, size_t errlen)
{
	memset(g, 0, sizeof *g);
	const char *format = json_string_value(json_object_get(j, "format"));
	const json_t *tables = json_object_get(j, "tables"), *cands = json_object_get(j, "candidates");
	if (!format || strcmp(format, "autobi-schema-graph/1") != 0 || !json_is_array(tables) || !json_is_array(cands)) {
		snprintf(err, errlen, "%s: not an autobi schema graph (format autobi-schema-graph/1); produce it with "
			 "autobi.candidates", what);
		return -1;
	}
	err[0] = '\0';
	if (read_tables(g, tables, what, err, errlen) != 0)
		goto fail;
	g->has_p = json_array_size(cands) > 0 && json_object_get(json_array_get(cands, 0), "p") != NULL;
	for (size_t i = 0; i < json_array_size(cands); i++)
		if (read_cand(g, json_array_get(cands, i), i, what, err, errlen) != 0)
			goto fail;
	return 0;
fail:
	if (!err[0])
		snprintf(err, errlen, "%s: out of memory", what);
	abi_graph_free(g);
	return -1;
}

int abi_graph_load(abi_graph *g, const char *path, const char *what, char *err, size_t errlen)
{
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);
	if (!j) {
		memset(g, 0, sizeof *g);
		snprintf(err, errlen, "%s:%d: %s", what, je.line, je.text);
		return -1;
	}
	int rc = abi_graph_from_json(g, j, what, err, errlen);
	json_decref(j);
	return rc;
}
