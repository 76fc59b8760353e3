/*
 * plugin.c -- the autobi plugin: Auto-BI's ops on weft's plugin ABI.
 *
 *   tables         a directory of CSV files -> one file artifact per table
 *   profile        one table -> its profile (cached per table content)
 *   candidates     all profiles -> the schema graph of candidate joins
 *   predict_joins  candidates + join model -> probabilities
 *   kmca           probabilities -> the k-MCA arborescence
 *   bi_model       arborescence + joins -> model JSON and DOT
 *   synth, train, score: the generator, the classifier's training and the
 *                  scorer, so that training and evaluation are pipelines too
 *
 * The plugin includes only <weft/plugin.h>, as third-party plugins do.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <weft/plugin.h>

#include "bimodel.h"
#include "cands_io.h"
#include "classify.h"
#include "steps.h"
#include "synth.h"

#define ERRLEN 1024

static const char *path_of(weft_op_ctx *ctx, const weft_host_api *api, const weft_value *v)
{
	const char *p = NULL;
	if (!v || api->artifact_path(&p, ctx, v) != WEFT_OK)
		return NULL;
	return p;
}

static int set_artifact(weft_op_ctx *ctx, const weft_host_api *api, const char *name, const char *path)
{
	weft_value *art = NULL;
	if (api->artifact_import(&art, ctx, path) != WEFT_OK)
		return api->fail(ctx, "cannot store %s: %s", path, api->error_last());
	return api->set_output(ctx, name, art);
}

/* Writes j to WORKDIR/file and makes it output `name`. Steals j. */
static int set_json(weft_op_ctx *ctx, const weft_host_api *api, const char *name, const char *file, json_t *j)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", api->workdir(ctx), file);
	int rc = j ? json_dump_file(j, path, JSON_INDENT(1) | JSON_REAL_PRECISION(10)) : -1;
	json_decref(j);
	if (rc != 0)
		return api->fail(ctx, "cannot write %s (out of memory or disk full)", path);
	return set_artifact(ctx, api, name, path);
}

static double param_f(weft_op_ctx *ctx, const weft_host_api *api, const char *n)
{
	return api->value_float(api->param(ctx, n));
}

static int64_t param_i(weft_op_ctx *ctx, const weft_host_api *api, const char *n)
{
	return api->value_int(api->param(ctx, n));
}

static const char *param_s(weft_op_ctx *ctx, const weft_host_api *api, const char *n)
{
	return api->value_string(api->param(ctx, n), NULL);
}

static const char *const out_only[] = {"out"};

/* ---- tables */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_tables(weft_op_ctx *ctx, const weft_host_api *api)
{
	const char *dir = path_of(ctx, api, api->input(ctx, "data"));
	if (!dir)
		return api->fail(ctx, "input 'data' must be a directory (weft.dir): %s", api->error_last());
	DIR *d = opendir(dir);
	if (!d)
		return api->fail(ctx, "input 'data' is not a directory; pass weft.dir(\"...\") of a folder of CSV files");
	char **names = NULL;
	size_t n = 0;
	int rc = WEFT_OK;
	struct dirent *de;
	while ((de = readdir(d)) && rc == WEFT_OK) {
		size_t len = strlen(de->d_name);
		if (len <= 4 || strcasecmp(de->d_name + len - 4, ".csv") != 0)
			continue;
		char **nv = realloc(names, (n + 1) * sizeof *nv);
		if (!nv || !(nv[n] = strdup(de->d_name)))
			rc = api->fail(ctx, "out of memory");
		if (nv)
			names = nv;
		if (rc == WEFT_OK)
			n++;
	}
	closedir(d);
	if (rc == WEFT_OK && n == 0)
		rc = api->fail(ctx, "the data directory has no .csv files; autobi reads one table per CSV file");
	if (rc == WEFT_OK)
		qsort(names, n, sizeof *names, cmp_str);
	weft_value *list = rc == WEFT_OK ? api->value_new_list() : NULL;
	for (size_t i = 0; i < n && rc == WEFT_OK; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		weft_value *art = NULL, *item = api->value_new_map();
		if (api->artifact_import(&art, ctx, path) != WEFT_OK) {
			api->value_free(item);
			rc = api->fail(ctx, "cannot read %s: %s", names[i], api->error_last());
			break;
		}
		names[i][strlen(names[i]) - 4] = '\0';
		if (api->value_map_set(item, "name", api->value_new_string(names[i], strlen(names[i]))) != WEFT_OK ||
		    api->value_map_set(item, "file", art) != WEFT_OK || api->value_list_push(list, item) != WEFT_OK)
			rc = api->fail(ctx, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (rc != WEFT_OK) {
		if (list)
			api->value_free(list);
		return rc;
	}
	return api->set_output(ctx, "out", list);
}

static const char *const tables_in[] = {"data"};
static const weft_op_desc op_tables = {
	sizeof(weft_op_desc), "tables", "1",
	"Lists the CSV files of directory `data` as [{name, file}], one file artifact per table, so each "
	"table is profiled (and cached) on its own.",
	NULL, 0, tables_in, 1, out_only, 1, WEFT_OP_DETERMINISTIC, 1, 0, run_tables,
};

/* ---- profile */

static weft_value *stats_value(const weft_host_api *api, const abi_profile *p)
{
	weft_value *m = api->value_new_map(), *cols = api->value_new_list(), *ck = api->value_new_list();
	api->value_map_set(m, "table", api->value_new_string(p->table, strlen(p->table)));
	api->value_map_set(m, "rows", api->value_new_int((int64_t)p->nrows));
	for (size_t c = 0; c < p->ncols; c++) {
		const abi_column *col = &p->cols[c];
		weft_value *o = api->value_new_map();
		const char *tn = abi_type_name((abi_type)col->type);
		api->value_map_set(o, "name", api->value_new_string(col->name, strlen(col->name)));
		api->value_map_set(o, "type", api->value_new_string(tn, strlen(tn)));
		api->value_map_set(o, "missing", api->value_new_int((int64_t)col->nnull));
		api->value_map_set(o, "distinct", api->value_new_int((int64_t)col->ndistinct));
		api->value_map_set(o, "unique", api->value_new_bool(col->nnull == 0 && col->ndistinct == p->nrows));
		api->value_list_push(cols, o);
	}
	for (size_t k = 0; k < p->nckeys; k++) {
		weft_value *pair = api->value_new_list();
		const char *a = p->cols[p->ckeys[k].a].name, *b = p->cols[p->ckeys[k].b].name;
		api->value_list_push(pair, api->value_new_string(a, strlen(a)));
		api->value_list_push(pair, api->value_new_string(b, strlen(b)));
		api->value_list_push(ck, pair);
	}
	api->value_map_set(m, "columns", cols);
	api->value_map_set(m, "composite_keys", ck);
	return m;
}

static int run_profile(weft_op_ctx *ctx, const weft_host_api *api)
{
	const char *path = path_of(ctx, api, api->input(ctx, "table"));
	const char *name = param_s(ctx, api, "table_name");
	int64_t maxk = param_i(ctx, api, "max_key_cols");
	if (!path)
		return api->fail(ctx, "input 'table' must be a CSV file artifact: %s", api->error_last());
	if (!name || !*name)
		return api->fail(ctx, "parameter 'table_name' must name the table");
	if (maxk < 0 || maxk > 64)
		return api->fail(ctx, "parameter 'max_key_cols' must be between 0 and 64, got %lld", (long long)maxk);
	char file[512], err[ERRLEN], out[4096];
	snprintf(file, sizeof file, "%s.csv", name);
	abi_csv t;
	if (abi_csv_read(&t, path, file, err, sizeof err) != 0)
		return api->fail(ctx, "%s", err);
	api->log(ctx, WEFT_LOG_INFO, "%s: %zu rows, %zu columns, delimiter '%c'", file, t.nrows, t.ncols, t.delim);
	abi_profile p;
	int rc = abi_profile_build(&p, &t, name, (size_t)maxk, err, sizeof err);
	abi_csv_free(&t);
	if (rc != 0)
		return api->fail(ctx, "%s", err);
	snprintf(out, sizeof out, "%s/profile.bin", api->workdir(ctx));
	rc = abi_profile_save(&p, out, err, sizeof err) != 0 ? api->fail(ctx, "%s", err)
							       : set_artifact(ctx, api, "out", out);
	if (rc == WEFT_OK)
		rc = api->set_output(ctx, "stats", stats_value(api, &p));
	abi_profile_free(&p);
	return rc;
}

static const weft_param_spec profile_params[] = {
	{"table_name", WEFT_T_STRING, NULL, "the table's name (its file name without .csv)"},
	{"max_key_cols", WEFT_T_INT, "12", "composite keys are searched among this many leading key-like columns"},
};
static const char *const profile_in[] = {"table"};
static const char *const profile_out[] = {"out", "stats"};
static const weft_op_desc op_profile = {
	sizeof(weft_op_desc), "profile", "1",
	"Parses one CSV table (BOM, quoting, CRLF, null tokens, sniffed delimiter) and computes per-column "
	"statistics, value hashes and two-column keys. `out` is the binary profile, `stats` a summary.",
	profile_params, 2, profile_in, 1, profile_out, 2, WEFT_OP_DETERMINISTIC, 1, 0, run_profile,
};

/* ---- candidates */

static void free_profiles(abi_profile *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		abi_profile_free(&p[i]);
	free(p);
}

static int run_candidates(weft_op_ctx *ctx, const weft_host_api *api)
{
	const weft_value *list = api->input(ctx, "profiles");
	if (!list || api->value_type(list) != WEFT_T_LIST)
		return api->fail(ctx, "input 'profiles' must be a list of autobi.profile outputs");
	size_t n = api->value_len(list);
	abi_profile *profs = calloc(n ? n : 1, sizeof *profs);
	if (!profs)
		return api->fail(ctx, "out of memory");
	char err[ERRLEN];
	size_t loaded = 0;
	int rc = WEFT_OK;
	for (; loaded < n && rc == WEFT_OK; loaded++) {
		const char *p = path_of(ctx, api, api->value_list_at(list, loaded));
		if (!p)
			rc = api->fail(ctx, "profiles[%zu] is not a profile artifact", loaded + 1);
		else if (abi_profile_load(&profs[loaded], p, err, sizeof err) != 0)
			rc = api->fail(ctx, "profiles[%zu]: %s", loaded + 1, err);
		for (size_t j = 0; rc == WEFT_OK && j < loaded; j++)
			if (strcmp(profs[j].table, profs[loaded].table) == 0)
				rc = api->fail(ctx, "two profiles are both of table '%s'; table names must be unique",
					       profs[j].table);
	}
	if (rc != WEFT_OK) {
		free_profiles(profs, loaded);
		return rc;
	}
	abi_cand_opts o = ABI_CAND_OPTS_INIT;
	o.min_containment = param_f(ctx, api, "min_containment");
	o.min_key_unique = param_f(ctx, api, "min_key_unique");
	o.composite = api->value_bool(api->param(ctx, "composite"));
	abi_graph g;
	if (abi_graph_from_profiles(&g, profs, n) != 0 || abi_candidates(&g.c, profs, n, &o) != 0)
		rc = api->fail(ctx, "out of memory while generating candidates");
	free_profiles(profs, n);
	if (rc == WEFT_OK) {
		api->log(ctx, WEFT_LOG_INFO, "%zu tables, %zu candidate joins", n, g.c.n);
		size_t count = g.c.n;
		rc = set_json(ctx, api, "out", "candidates.json", abi_graph_to_json(&g));
		if (rc == WEFT_OK)
			rc = api->set_output(ctx, "count", api->value_new_int((int64_t)count));
	}
	abi_graph_free(&g);
	return rc;
}

static const weft_param_spec cand_params[] = {
	{"min_containment", WEFT_T_FLOAT, "0.5", "drop pairs where less of A.x's values are in B.y"},
	{"min_key_unique", WEFT_T_FLOAT, "0.98", "B.y must be at least this unique (distinct / non-missing)"},
	{"composite", WEFT_T_BOOL, "true", "also look for two-column joins into two-column keys"},
};
static const char *const cand_in[] = {"profiles"};
static const char *const cand_out[] = {"out", "count"};
static const weft_op_desc op_candidates = {
	sizeof(weft_op_desc), "candidates", "1",
	"Candidate joins A.x -> B.y among all profiled tables (pruned by type, key uniqueness and value "
	"containment) with their feature vectors, as a schema-graph JSON artifact.",
	cand_params, 3, cand_in, 1, cand_out, 2, WEFT_OP_DETERMINISTIC, 1, 0, run_candidates,
};

/* ---- predict_joins */

static int load_graph(abi_graph *g, weft_op_ctx *ctx, const weft_host_api *api, const char *input)
{
	const char *p = path_of(ctx, api, api->input(ctx, input));
	char err[ERRLEN];
	if (!p)
		return api->fail(ctx, "input '%s' must be a schema-graph artifact: %s", input, api->error_last());
	if (abi_graph_load(g, p, input, err, sizeof err) != 0)
		return api->fail(ctx, "%s", err);
	return WEFT_OK;
}

static int run_predict(weft_op_ctx *ctx, const weft_host_api *api)
{
	const char *mp = path_of(ctx, api, api->input(ctx, "model"));
	char err[ERRLEN];
	abi_lr m;
	if (!mp)
		return api->fail(ctx, "input 'model' must be a join-model file (plugins/autobi/model/joins.json)");
	if (abi_lr_load(&m, mp, err, sizeof err) != 0)
		return api->fail(ctx, "model: %s", err);
	abi_graph g;
	int rc = load_graph(&g, ctx, api, "candidates");
	if (rc != WEFT_OK)
		return rc;
	abi_predict_all(&g, &m);
	size_t likely = 0;
	for (size_t i = 0; i < g.c.n; i++)
		likely += g.c.v[i].p >= 0.5;
	api->log(ctx, WEFT_LOG_INFO, "%zu of %zu candidates have p >= 0.5", likely, g.c.n);
	rc = set_json(ctx, api, "out", "joins.json", abi_graph_to_json(&g));
	abi_graph_free(&g);
	return rc;
}

static const char *const predict_in[] = {"candidates", "model"};
static const weft_op_desc op_predict = {
	sizeof(weft_op_desc), "predict_joins", "1",
	"Scores every candidate with the join classifier (`model`, a weights file): adds its probability p.",
	NULL, 0, predict_in, 2, out_only, 1, WEFT_OP_DETERMINISTIC, 1, 0, run_predict,
};

/* ---- kmca */

static int run_kmca(weft_op_ctx *ctx, const weft_host_api *api)
{
	abi_graph g;
	int rc = load_graph(&g, ctx, api, "joins");
	if (rc != WEFT_OK)
		return rc;
	if (!g.has_p && g.c.n) {
		abi_graph_free(&g);
		return api->fail(ctx, "input 'joins' has no probabilities; pass the output of autobi.predict_joins");
	}
	abi_kmca_opts o = ABI_KMCA_OPTS_INIT;
	int64_t k = param_i(ctx, api, "k"), maxn = param_i(ctx, api, "max_nodes");
	if (k < 0 || (size_t)k > g.ntables || maxn < 1) {
		abi_graph_free(&g);
		return api->fail(ctx, "k must be between 0 (choose) and the number of tables (%zu), max_nodes at least 1",
				 g.ntables);
	}
	o.k = (int)k;
	o.max_nodes = (size_t)maxn;
	o.isolation = param_f(ctx, api, "isolation");
	abi_kmca_result r;
	char err[ERRLEN];
	if (abi_kmca_graph(&r, &g, &o, err, sizeof err) != 0) {
		abi_graph_free(&g);
		return api->fail(ctx, "%s", err);
	}
	json_t *facts = json_array(), *edges = json_array();
	for (size_t t = 0; t < g.ntables; t++)
		if (r.fact[t])
			json_array_append_new(facts, json_string(g.t[t].name));
	for (size_t i = 0; i < r.nedges; i++)
		json_array_append_new(edges, json_integer(r.edges[i]));
	api->log(ctx, WEFT_LOG_INFO, "k = %d, cost %.3f, %zu subproblems, %s", r.k, r.cost, r.nodes,
		 r.exact ? "optimal" : "budget reached: best found");
	json_t *j = json_pack("{s:s, s:i, s:f, s:b, s:I, s:o, s:o}", "format", "autobi-arborescence/1", "k", r.k,
			      "cost", r.cost, "exact", r.exact, "nodes", (json_int_t)r.nodes, "roots", facts, "edges", edges);
	int kk = r.k;
	abi_kmca_result_free(&r);
	abi_graph_free(&g);
	rc = set_json(ctx, api, "out", "arborescence.json", j);
	if (rc == WEFT_OK)
		rc = api->set_output(ctx, "k", api->value_new_int(kk));
	return rc;
}

static const weft_param_spec kmca_params[] = {
	{"k", WEFT_T_INT, "0", "number of root children (facts and isolated tables); 0 chooses it"},
	{"max_nodes", WEFT_T_INT, "10000", "branch-and-bound budget for the FK-once constraint"},
	{"isolation", WEFT_T_FLOAT, "3.0", "cost of leaving a table without a likely outgoing join at the root"},
};
static const char *const kmca_in[] = {"joins"};
static const char *const kmca_out[] = {"out", "k"};
static const weft_op_desc op_kmca = {
	sizeof(weft_op_desc), "kmca", "1",
	"Solves k-Min-Cost-Arborescence over the scored joins (cost -log(p/(1-p))): exact Chu-Liu/Edmonds, a "
	"Lagrangian price for exactly k root edges, branch and bound for FK-once.",
	kmca_params, 3, kmca_in, 1, kmca_out, 2, WEFT_OP_DETERMINISTIC, 1, 0, run_kmca,
};

/* ---- bi_model */

static int read_tree(abi_kmca_result *r, const abi_graph *g, const char *path, char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);
	const char *format = j ? json_string_value(json_object_get(j, "format")) : NULL;
	json_t *edges = j ? json_object_get(j, "edges") : NULL, *roots = j ? json_object_get(j, "roots") : NULL;
	if (!format || strcmp(format, "autobi-arborescence/1") != 0 || !json_is_array(edges) || !json_is_array(roots)) {
		json_decref(j);
		snprintf(err, errlen, "input 'tree' is not an autobi.kmca output");
		return -1;
	}
	r->k = (int)json_integer_value(json_object_get(j, "k"));
	r->cost = json_number_value(json_object_get(j, "cost"));
	r->exact = json_is_true(json_object_get(j, "exact"));
	r->nodes = (size_t)json_integer_value(json_object_get(j, "nodes"));
	r->edges = malloc((json_array_size(edges) + 1) * sizeof *r->edges);
	r->fact = calloc(g->ntables + 1, 1);
	if (!r->edges || !r->fact) {
		json_decref(j);
		abi_kmca_result_free(r);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < json_array_size(edges); i++)
		r->edges[r->nedges++] = (uint32_t)json_integer_value(json_array_get(edges, i));
	for (size_t i = 0; i < json_array_size(roots); i++) {
		long t = abi_graph_table(g, json_string_value(json_array_get(roots, i)));
		if (t < 0) {
			json_decref(j);
			abi_kmca_result_free(r);
			snprintf(err, errlen, "input 'tree' names table %zu of its roots, which 'joins' lacks; run "
				 "autobi.kmca on the same joins", i + 1);
			return -1;
		}
		r->fact[t] = 1;
	}
	json_decref(j);
	return 0;
}

static int run_bi_model(weft_op_ctx *ctx, const weft_host_api *api)
{
	abi_graph g;
	int rc = load_graph(&g, ctx, api, "joins");
	if (rc != WEFT_OK)
		return rc;
	const char *tp = path_of(ctx, api, api->input(ctx, "tree"));
	char err[ERRLEN];
	abi_kmca_result r;
	json_t *model = NULL;
	char *dot = NULL;
	if (!tp || read_tree(&r, &g, tp, err, sizeof err) != 0) {
		abi_graph_free(&g);
		return api->fail(ctx, "%s", tp ? err : "input 'tree' must be the output of autobi.kmca");
	}
	if (abi_bimodel_build(&model, &dot, &g, &r, param_f(ctx, api, "extra_threshold"), err, sizeof err) != 0)
		rc = api->fail(ctx, "%s", err);
	abi_kmca_result_free(&r);
	abi_graph_free(&g);
	if (rc != WEFT_OK)
		return rc;
	size_t njoins = json_array_size(json_object_get(model, "joins"));
	rc = set_json(ctx, api, "out", "model.json", model);
	char path[4096];
	snprintf(path, sizeof path, "%s/model.dot", api->workdir(ctx));
	FILE *f = rc == WEFT_OK ? fopen(path, "w") : NULL;
	if (rc == WEFT_OK && (!f || fputs(dot, f) < 0 || fclose(f) != 0)) {
		if (f)
			fclose(f);
		rc = api->fail(ctx, "cannot write %s: %s", path, strerror(errno));
	}
	free(dot);
	if (rc == WEFT_OK)
		rc = set_artifact(ctx, api, "dot", path);
	if (rc == WEFT_OK)
		rc = api->set_output(ctx, "joins", api->value_new_int((int64_t)njoins));
	return rc;
}

static const weft_param_spec bi_params[] = {
	{"extra_threshold", WEFT_T_FLOAT, "0.5",
	 "constellation step: add non-tree joins with at least this probability"},
};
static const char *const bi_in[] = {"joins", "tree"};
static const char *const bi_out[] = {"out", "dot", "joins"};
static const weft_op_desc op_bi_model = {
	sizeof(weft_op_desc), "bi_model", "1",
	"The BI model: tables with roles (fact, dimension, isolated) and joins with columns, N:1/1:1 "
	"cardinality and confidence, plus the constellation edges; `out` is JSON, `dot` Graphviz.",
	bi_params, 1, bi_in, 2, bi_out, 3, WEFT_OP_DETERMINISTIC, 1, 0, run_bi_model,
};

/* ---- synth */

static int run_synth(weft_op_ctx *ctx, const weft_host_api *api)
{
	abi_synth_opts o = {param_s(ctx, api, "shape"), (uint64_t)param_i(ctx, api, "seed"),
			    (int)param_i(ctx, api, "rows"), (int)param_i(ctx, api, "tables")};
	if (o.fact_rows < 10 || o.fact_rows > 1000000 || o.tables < 0 || o.tables > 1000)
		return api->fail(ctx, "rows must be 10..1000000 and tables 0..1000");
	char dir[4096], sub[4200], err[ERRLEN];
	snprintf(dir, sizeof dir, "%s/schema", api->workdir(ctx));
	if (abi_synth(dir, &o, err, sizeof err) != 0)
		return api->fail(ctx, "%s", err);
	int rc = set_artifact(ctx, api, "out", dir);
	snprintf(sub, sizeof sub, "%s/tables", dir);
	if (rc == WEFT_OK)
		rc = set_artifact(ctx, api, "tables", sub);
	snprintf(sub, sizeof sub, "%s/truth.json", dir);
	if (rc == WEFT_OK)
		rc = set_artifact(ctx, api, "truth", sub);
	return rc;
}

static const weft_param_spec synth_params[] = {
	{"shape", WEFT_T_STRING, "\"star\"", "star, snowflake, constellation, tpch or wide"},
	{"seed", WEFT_T_INT, "1", "the random seed: same seed, same bytes"},
	{"rows", WEFT_T_INT, "3000", "rows per fact table (tpch: lineitem rows, roughly)"},
	{"tables", WEFT_T_INT, "100", "wide: the number of tables"},
};
static const char *const synth_out[] = {"out", "tables", "truth"};
static const weft_op_desc op_synth = {
	sizeof(weft_op_desc), "synth", "1",
	"Generates a synthetic BI schema with data: `tables` (a directory of CSVs) and `truth` (its joins).",
	synth_params, 4, NULL, 0, synth_out, 3, WEFT_OP_DETERMINISTIC, 1, 0, run_synth,
};

/* ---- train */

static int add_example(weft_op_ctx *ctx, const weft_host_api *api, const weft_value *ex, size_t idx, double **X,
		       int **y, size_t *n)
{
	const char *cp = path_of(ctx, api, api->value_map_get(ex, "candidates"));
	const char *tp = path_of(ctx, api, api->value_map_get(ex, "truth"));
	char err[ERRLEN];
	if (!cp || !tp)
		return api->fail(ctx, "examples[%zu] needs artifacts 'candidates' and 'truth'", idx + 1);
	abi_graph g;
	if (abi_graph_load(&g, cp, "candidates", err, sizeof err) != 0)
		return api->fail(ctx, "examples[%zu]: %s", idx + 1, err);
	json_error_t je;
	json_t *truth = json_load_file(tp, 0, &je);
	double *nx = realloc(*X, (*n + g.c.n + 1) * ABI_NFEATURES * sizeof *nx);
	if (nx)
		*X = nx;
	int *ny = nx ? realloc(*y, (*n + g.c.n + 1) * sizeof *ny) : NULL;
	if (ny)
		*y = ny;
	int rc = WEFT_OK;
	if (!truth)
		rc = api->fail(ctx, "examples[%zu] truth:%d: %s", idx + 1, je.line, je.text);
	else if (!nx || !ny)
		rc = api->fail(ctx, "out of memory");
	else if (abi_label(*y + *n, &g, truth, err, sizeof err) != 0)
		rc = api->fail(ctx, "examples[%zu]: %s", idx + 1, err);
	if (rc == WEFT_OK) {
		for (size_t i = 0; i < g.c.n; i++)
			memcpy(*X + (*n + i) * ABI_NFEATURES, g.c.v[i].x, sizeof g.c.v[i].x);
		*n += g.c.n;
	}
	json_decref(truth);
	abi_graph_free(&g);
	return rc;
}

static int run_train(weft_op_ctx *ctx, const weft_host_api *api)
{
	const weft_value *ex = api->input(ctx, "examples");
	if (!ex || api->value_type(ex) != WEFT_T_LIST)
		return api->fail(ctx, "input 'examples' must be a list of {candidates, truth}");
	double *X = NULL;
	int *y = NULL;
	size_t n = 0;
	int rc = WEFT_OK;
	for (size_t i = 0; i < api->value_len(ex) && rc == WEFT_OK; i++)
		rc = add_example(ctx, api, api->value_list_at(ex, i), i, &X, &y, &n);
	abi_lr m;
	char err[ERRLEN], path[4096], about[256];
	if (rc == WEFT_OK && abi_lr_train(&m, X, y, n, param_f(ctx, api, "l2"), (int)param_i(ctx, api, "iterations"),
					  err, sizeof err) != 0)
		rc = api->fail(ctx, "%s", err);
	free(X);
	free(y);
	if (rc != WEFT_OK)
		return rc;
	snprintf(about, sizeof about, "trained by autobi.train on %zu schemas (pipelines/autobi-train.lua)",
		 api->value_len(ex));
	snprintf(path, sizeof path, "%s/joins.json", api->workdir(ctx));
	if (abi_lr_save(&m, path, about, err, sizeof err) != 0)
		return api->fail(ctx, "%s", err);
	api->log(ctx, WEFT_LOG_INFO, "%zu candidates, %zu joins, log loss %.4f", m.trained_rows, m.trained_positive,
		 m.train_log_loss);
	return set_artifact(ctx, api, "out", path);
}

static const weft_param_spec train_params[] = {
	{"l2", WEFT_T_FLOAT, "1.0", "L2 penalty on the standardised weights"},
	{"iterations", WEFT_T_INT, "50", "Newton steps at most"},
};
static const char *const train_in[] = {"examples"};
static const weft_op_desc op_train = {
	sizeof(weft_op_desc), "train", "1",
	"Fits the join classifier (logistic regression, Newton's method) to candidates labelled by truth "
	"files: examples = [{candidates, truth}]. `out` is the weights file predict_joins reads.",
	train_params, 2, train_in, 1, out_only, 1, WEFT_OP_DETERMINISTIC, 1, 0, run_train,
};

/* ---- score */

static int run_score(weft_op_ctx *ctx, const weft_host_api *api)
{
	const char *mp = path_of(ctx, api, api->input(ctx, "model")), *tp = path_of(ctx, api, api->input(ctx, "truth"));
	if (!mp || !tp)
		return api->fail(ctx, "inputs 'model' (autobi.bi_model) and 'truth' (a truth.json) must be files");
	json_error_t je;
	json_t *m = json_load_file(mp, 0, &je), *t = m ? json_load_file(tp, 0, &je) : NULL;
	char err[ERRLEN];
	abi_score s;
	int rc = WEFT_OK;
	if (!m || !t)
		rc = api->fail(ctx, "%s:%d: %s", m ? "truth" : "model", je.line, je.text);
	else if (abi_score_model(&s, m, t, err, sizeof err) != 0)
		rc = api->fail(ctx, "%s", err);
	json_decref(m);
	json_decref(t);
	if (rc != WEFT_OK)
		return rc;
	weft_value *o = api->value_new_map();
	api->value_map_set(o, "tp", api->value_new_int((int64_t)s.tp));
	api->value_map_set(o, "fp", api->value_new_int((int64_t)s.fp));
	api->value_map_set(o, "fn", api->value_new_int((int64_t)s.fn));
	api->value_map_set(o, "precision", api->value_new_float(s.precision));
	api->value_map_set(o, "recall", api->value_new_float(s.recall));
	api->value_map_set(o, "f1", api->value_new_float(s.f1));
	api->value_map_set(o, "exact", api->value_new_bool(s.exact));
	return api->set_output(ctx, "out", o);
}

static const char *const score_in[] = {"model", "truth"};
static const weft_op_desc op_score = {
	sizeof(weft_op_desc), "score", "1",
	"Edge precision, recall and F1 of a BI model against the true joins, and whether it is exact.",
	NULL, 0, score_in, 2, out_only, 1, WEFT_OP_DETERMINISTIC, 1, 0, run_score,
};

static const weft_op_desc *const ops[] = {&op_tables, &op_profile, &op_candidates, &op_predict, &op_kmca,
					  &op_bi_model, &op_synth, &op_train, &op_score};

static const weft_plugin_desc plugin = {
	sizeof(weft_plugin_desc), WEFT_ABI_MAJOR, WEFT_ABI_MINOR, "autobi", "1.0.0", "MIT",
	"Auto-BI (Lin, He, Chaudhuri, VLDB 2023): join prediction and k-MCA BI models from a folder of CSV tables.",
	ops, sizeof ops / sizeof *ops,
};

WEFT_PLUGIN_EXPORT const weft_plugin_desc *weft_plugin_entry(const weft_host_api *api)
{
	(void)api;
	return &plugin;
}
