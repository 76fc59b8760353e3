/*
 * op_model.c -- autows.end_model, autows.supervised_baseline and
 * autows.evaluate: does weak supervision beat 100 labels?
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endmodel.h"
#include "metrics.h"
#include "ops.h"
#include "pipeline.h"

static int save_model(weft_op_ctx *ctx, const weft_host_api *api, const aws_lr *m)
{
	return wop_set_json(ctx, api, "out", "model.json", aws_lr_to_json(m));
}

int aws_end_model_op(aws_data *D, weft_op_ctx *ctx, const weft_host_api *api)
{
	int rc = WEFT_OK;
	double *P = NULL;
	int *votes = NULL;
	aws_lr m = {0};
	char err[ERRLEN];
	aws_end_opts eo = {weft_op_param_float(ctx, api, "min_confidence"), weft_op_param_float(ctx, api, "gold_weight"),
			   weft_op_param_float(ctx, api, "l2"), (int)weft_op_param_int(ctx, api, "iterations")};
	rc = aws_op_probs(&P, &votes, ctx, api, "probs", D->n, D->k);
	if (rc == WEFT_OK && aws_train_end_model(&m, D, votes, P, &eo, err, sizeof err) != 0)
		rc = api->fail(ctx, "%s", err);
	if (rc == WEFT_OK)
		rc = save_model(ctx, api, &m);
	aws_lr_free(&m);
	free(P), free(votes);
	return rc;
}

int aws_baseline_op(aws_data *D, weft_op_ctx *ctx, const weft_host_api *api)
{
	int rc = WEFT_OK;
	aws_lr m = {0};
	char err[ERRLEN];
	if (aws_train_baseline(&m, D, weft_op_param_float(ctx, api, "l2"), (int)weft_op_param_int(ctx, api, "iterations"), err,
			       sizeof err) != 0)
		rc = api->fail(ctx, "%s", err);
	else
		rc = save_model(ctx, api, &m);
	aws_lr_free(&m);
	return rc;
}

static int load_model(aws_lr *m, weft_op_ctx *ctx, const weft_host_api *api, const char *name, const aws_data *D)
{
	char err[ERRLEN];
	json_t *j = wop_input_json(ctx, api, name, NULL, err, sizeof err);
	int rc = WEFT_OK;
	if (!j)
		rc = api->fail(ctx, "input '%s' must be a model made by autows.end_model or supervised_baseline", name);
	else if (aws_lr_from_json(m, j, err, sizeof err) != 0)
		rc = api->fail(ctx, "%s: %s", name, err);
	else if (m->d != D->d || m->k != D->k)
		rc = api->fail(ctx, "%s was trained on %zu features and %zu classes, the dataset has %zu and %zu", name,
			       m->d, m->k, D->d, D->k);
	json_decref(j);
	return rc;
}

static json_t *scores_json(const aws_scores *s)
{
	return json_pack("{s:f, s:f, s:I}", "accuracy", s->accuracy, "macro_f1", s->macro_f1, "rows",
			 (json_int_t)s->rows);
}

int aws_evaluate_op(aws_data *D, weft_op_ctx *ctx, const weft_host_api *api)
{
	int rc = WEFT_OK;
	aws_lr em = {0}, bm = {0};
	aws_lmat L = {0};
	double *P = NULL, *PE = NULL, *PB = NULL;
	int *votes = NULL;
	size_t *test = NULL, nt = aws_data_rows(D, AWS_TEST, &test);
	aws_lfstat *st = NULL;
	if (rc == WEFT_OK)
		rc = load_model(&em, ctx, api, "model", D);
	if (rc == WEFT_OK)
		rc = load_model(&bm, ctx, api, "baseline", D);
	if (rc == WEFT_OK)
		rc = aws_op_matrix(&L, ctx, api, "matrix", D->k);
	if (rc == WEFT_OK)
		rc = aws_op_probs(&P, &votes, ctx, api, "probs", D->n, D->k);
	if (rc == WEFT_OK && (!test || aws_predict_all(&PE, &em, D) != 0 || aws_predict_all(&PB, &bm, D) != 0 ||
			      !(st = calloc(L.m + 1, sizeof *st)) || aws_lf_stats(st, &L, D->y) != 0))
		rc = api->fail(ctx, "out of memory");
	if (rc == WEFT_OK && nt == 0)
		rc = api->fail(ctx, "the dataset has no test rows; load it with test_share > 0");
	if (rc == WEFT_OK) {
		aws_scores se, sb, sl;
		aws_score(&se, PE, D->k, D->y, test, nt);
		aws_score(&sb, PB, D->k, D->y, test, nt);
		aws_score(&sl, P, D->k, D->y, test, nt);
		size_t covered = 0;
		for (size_t q = 0; q < nt; q++)
			covered += votes[test[q]] > 0;
		json_t *lfs = json_array();
		for (size_t j = 0; j < L.m; j++)
			json_array_append_new(lfs, json_pack("{s:i, s:f, s:f, s:f, s:f}", "lf", (int)j, "coverage",
							     st[j].coverage, "overlap", st[j].overlap, "conflict",
							     st[j].conflict, "accuracy", st[j].accuracy));
		double gain = se.accuracy - sb.accuracy;
		json_t *rep = json_pack("{s:s, s:o, s:o, s:o, s:f, s:f, s:b, s:o}", "format", "autows-report/1",
					"autows", scores_json(&se), "supervised_baseline", scores_json(&sb),
					"label_model", scores_json(&sl), "test_coverage",
					nt ? (double)covered / (double)nt : 0.0, "accuracy_gain", gain, "autows_helped",
					gain > 0, "lfs", lfs);
		api->log(ctx, WEFT_LOG_INFO, "test accuracy: AutoWS %.3f, 100-label baseline %.3f, label model %.3f",
			 se.accuracy, sb.accuracy, sl.accuracy);
		rc = wop_set_json(ctx, api, "out", "report.json", rep);
		if (rc == WEFT_OK) {
			weft_value *sum = api->value_new_map();
			api->value_map_set(sum, "autows_accuracy", api->value_new_float(se.accuracy));
			api->value_map_set(sum, "autows_macro_f1", api->value_new_float(se.macro_f1));
			api->value_map_set(sum, "baseline_accuracy", api->value_new_float(sb.accuracy));
			api->value_map_set(sum, "baseline_macro_f1", api->value_new_float(sb.macro_f1));
			api->value_map_set(sum, "label_model_accuracy", api->value_new_float(sl.accuracy));
			api->value_map_set(sum, "autows_helped", api->value_new_bool(gain > 0));
			rc = api->set_output(ctx, "summary", sum);
		}
	}
	free(st), free(test), free(P), free(PE), free(PB), free(votes);
	aws_lmat_free(&L);
	aws_lr_free(&em);
	aws_lr_free(&bm);
	return rc;
}

