/*
 * op_model.c -- autobi.predict_joins, autobi.kmca, autobi.bi_model: from
 * candidates to probabilities, the arborescence, and the BI model.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bimodel.h"
#include "classify.h"
#include "ops.h"
#include "summary.h"
#include "textout.h"
#include "steps.h"

/* ---- predict_joins */

static int load_graph(abi_graph *g, weft_op_ctx *ctx, const weft_host_api *api, const char *input)
{
	const char *p = weft_op_input_path(ctx, api, input);
	char err[ERRLEN];
	if (!p)
		return api->fail(ctx, "input '%s' must be a schema-graph artifact: %s", input, api->error_last());
	if (abi_graph_load(g, p, input, err, sizeof err) != 0)
		return api->fail(ctx, "%s", err);
	return WEFT_OK;
}

int abi_run_predict(weft_op_ctx *ctx, const weft_host_api *api)
{
	const char *mp = weft_op_input_path(ctx, api, "model");
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
	char out[4096];
	snprintf(out, sizeof out, "%s/joins.bin", api->workdir(ctx));
	rc = abi_graph_save(&g, out, err, sizeof err) != 0 ? api->fail(ctx, "%s", err)
							 : weft_op_give_file(ctx, api, "out", out);
	abi_graph_free(&g);
	return rc;
}

/* ---- kmca */

int abi_run_kmca(weft_op_ctx *ctx, const weft_host_api *api)
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
	int64_t k = weft_op_param_int(ctx, api, "k"), maxn = weft_op_param_int(ctx, api, "max_nodes");
	if (k < 0 || (size_t)k > g.ntables || maxn < 1) {
		abi_graph_free(&g);
		return api->fail(ctx, "k must be between 0 (choose) and the number of tables (%zu), max_nodes at least 1",
				 g.ntables);
	}
	o.k = (int)k;
	o.max_nodes = (size_t)maxn;
	o.isolation = weft_op_param_float(ctx, api, "isolation");
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
	if (r.exact)
		api->log(ctx, WEFT_LOG_INFO, "k = %d, cost %.3f, %zu subproblems, optimal", r.k, r.cost, r.nodes);
	else if (isfinite(r.bound))
		api->log(ctx, WEFT_LOG_INFO, "k = %d, cost %.3f, %zu subproblems, budget reached: the best found, "
			 "within %.3f of the optimum (bound %.3f)", r.k, r.cost, r.nodes, r.cost - r.bound, r.bound);
	else
		api->log(ctx, WEFT_LOG_INFO, "k = %d, cost %.3f, %zu subproblems, budget reached: the best found, "
			 "no bound proven", r.k, r.cost, r.nodes);
	json_t *bound = isfinite(r.bound) ? json_real(r.bound) : json_null();
	json_t *j = json_pack("{s:s, s:i, s:f, s:o, s:b, s:I, s:o, s:o}", "format", "autobi-arborescence/1", "k", r.k,
			      "cost", r.cost, "bound", bound, "exact", r.exact, "nodes", (json_int_t)r.nodes, "roots", facts,
			      "edges", edges);
	int kk = r.k;
	abi_kmca_result_free(&r);
	abi_graph_free(&g);
	rc = wop_set_json(ctx, api, "out", "arborescence.json", j);
	if (rc == WEFT_OK)
		rc = api->set_output(ctx, "k", api->value_new_int(kk));
	return rc;
}

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
	/* null: no bound was proven (the budget ran out before any) */
	r->bound = json_is_number(json_object_get(j, "bound")) ? json_number_value(json_object_get(j, "bound")) : -INFINITY;
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

int abi_run_bi_model(weft_op_ctx *ctx, const weft_host_api *api)
{
	abi_graph g;
	int rc = load_graph(&g, ctx, api, "joins");
	if (rc != WEFT_OK)
		return rc;
	const char *tp = weft_op_input_path(ctx, api, "tree");
	char err[ERRLEN];
	abi_kmca_result r;
	json_t *model = NULL;
	char *dot = NULL;
	if (!tp || read_tree(&r, &g, tp, err, sizeof err) != 0) {
		abi_graph_free(&g);
		return api->fail(ctx, "%s", tp ? err : "input 'tree' must be the output of autobi.kmca");
	}
	if (abi_bimodel_build(&model, &dot, &g, &r, weft_op_param_float(ctx, api, "extra_threshold"), err, sizeof err) != 0)
		rc = api->fail(ctx, "%s", err);
	abi_kmca_result_free(&r);
	abi_graph_free(&g);
	if (rc != WEFT_OK)
		return rc;
	size_t njoins = json_array_size(json_object_get(model, "joins"));
	rc = wop_set_json(ctx, api, "out", "model.json", model);
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
		rc = weft_op_set_file(ctx, api, "dot", path);
	if (rc == WEFT_OK)
		rc = api->set_output(ctx, "joins", api->value_new_int((int64_t)njoins));
	return rc;
}

/* ---- summary */

int abi_run_summary(weft_op_ctx *ctx, const weft_host_api *api)
{
	char err[ERRLEN];
	json_t *model = wop_input_json(ctx, api, "model", "autobi-bi-model/1", err, sizeof err);
	if (!model)
		return api->fail(ctx, "input 'model' must be autobi.bi_model's JSON: %s", err[0] ? err : "not a file");
	char *md = abi_summary_markdown(model);
	json_decref(model);
	if (!md)
		return api->fail(ctx, "out of memory");
	int rc = wop_set_text(ctx, api, "out", "summary.md", md);
	free(md);
	return rc;
}
