/*
 * op_train.c -- autobi.synth, autobi.train, autobi.score: the generator,
 * the classifier's training and the scorer, so that training and
 * evaluation run as pipelines too.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bimodel.h"
#include "classify.h"
#include "ops.h"
#include "steps.h"
#include "synth.h"

/* ---- synth */

int abi_run_synth(weft_op_ctx *ctx, const weft_host_api *api)
{
	abi_synth_opts o = {weft_op_param_string(ctx, api, "shape"), (uint64_t)weft_op_param_int(ctx, api, "seed"),
			    (int)weft_op_param_int(ctx, api, "rows"), (int)weft_op_param_int(ctx, api, "tables")};
	if (o.fact_rows < 10 || o.fact_rows > 1000000 || o.tables < 0 || o.tables > 1000)
		return api->fail(ctx, "rows must be 10..1000000 and tables 0..1000");
	char dir[4096], sub[4200], err[ERRLEN];
	snprintf(dir, sizeof dir, "%s/schema", api->workdir(ctx));
	if (abi_synth(dir, &o, err, sizeof err) != 0)
		return api->fail(ctx, "%s", err);
	int rc = weft_op_set_file(ctx, api, "out", dir);
	snprintf(sub, sizeof sub, "%s/tables", dir);
	if (rc == WEFT_OK)
		rc = weft_op_set_file(ctx, api, "tables", sub);
	snprintf(sub, sizeof sub, "%s/truth.json", dir);
	if (rc == WEFT_OK)
		rc = weft_op_set_file(ctx, api, "truth", sub);
	return rc;
}

/* ---- train */

static int add_example(weft_op_ctx *ctx, const weft_host_api *api, const weft_value *ex, size_t idx,
		       abi_examples *e)
{
	const char *cp = weft_op_path_of(ctx, api, api->value_map_get(ex, "candidates"));
	const char *tp = weft_op_path_of(ctx, api, api->value_map_get(ex, "truth"));
	char err[ERRLEN];
	if (!cp || !tp)
		return api->fail(ctx, "examples[%zu] needs artifacts 'candidates' and 'truth'", idx + 1);
	abi_graph g;
	if (abi_graph_load(&g, cp, "candidates", err, sizeof err) != 0)
		return api->fail(ctx, "examples[%zu]: %s", idx + 1, err);
	json_error_t je;
	json_t *truth = json_load_file(tp, 0, &je);
	int rc = WEFT_OK;
	if (!truth)
		rc = api->fail(ctx, "examples[%zu] truth:%d: %s", idx + 1, je.line, je.text);
	else if (abi_examples_add(e, &g, truth, err, sizeof err) != 0)
		rc = api->fail(ctx, "examples[%zu]: %s", idx + 1, err);
	json_decref(truth);
	abi_graph_free(&g);
	return rc;
}

int abi_run_train(weft_op_ctx *ctx, const weft_host_api *api)
{
	const weft_value *ex = api->input(ctx, "examples");
	if (!ex || api->value_type(ex) != WEFT_T_LIST)
		return api->fail(ctx, "input 'examples' must be a list of {candidates, truth}");
	abi_examples e = {0};
	int rc = WEFT_OK;
	for (size_t i = 0; i < api->value_len(ex) && rc == WEFT_OK; i++)
		rc = add_example(ctx, api, api->value_list_at(ex, i), i, &e);
	abi_lr m;
	char err[ERRLEN], path[4096], about[256];
	if (rc == WEFT_OK && abi_lr_train(&m, e.X, e.y, e.n, weft_op_param_float(ctx, api, "l2"),
					  (int)weft_op_param_int(ctx, api, "iterations"), err, sizeof err) != 0)
		rc = api->fail(ctx, "%s", err);
	abi_examples_free(&e);
	if (rc != WEFT_OK)
		return rc;
	snprintf(about, sizeof about, "trained by autobi.train on %zu schemas (pipelines/autobi-train.lua)",
		 api->value_len(ex));
	snprintf(path, sizeof path, "%s/joins.json", api->workdir(ctx));
	if (abi_lr_save(&m, path, about, err, sizeof err) != 0)
		return api->fail(ctx, "%s", err);
	api->log(ctx, WEFT_LOG_INFO, "%zu candidates, %zu joins, log loss %.4f", m.trained_rows, m.trained_positive,
		 m.train_log_loss);
	return weft_op_set_file(ctx, api, "out", path);
}

/* ---- score */

int abi_run_score(weft_op_ctx *ctx, const weft_host_api *api)
{
	const char *mp = weft_op_input_path(ctx, api, "model"), *tp = weft_op_input_path(ctx, api, "truth");
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

