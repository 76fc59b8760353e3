/*
 * op_lf.c -- autows.generate_lfs, autows.apply_lfs, autows.label_model.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labelmodel.h"
#include "lfs.h"
#include "npy.h"
#include "ops.h"
#include "pipeline.h"

static int parse_families(const char *s)
{
	int f = 0;
	char buf[128];
	snprintf(buf, sizeof buf, "%s", s);
	for (char *save = NULL, *t = strtok_r(buf, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
		if (!strcmp(t, "stump"))
			f |= AWS_LF_STUMP;
		else if (!strcmp(t, "tree"))
			f |= AWS_LF_TREE;
		else if (!strcmp(t, "logistic"))
			f |= AWS_LF_LOGISTIC;
		else if (!strcmp(t, "knn"))
			f |= AWS_LF_KNN;
		else
			return -1;
	}
	return f;
}

int aws_generate_op(aws_data *D, weft_op_ctx *ctx, const weft_host_api *api)
{
	int rc = WEFT_OK;
	aws_lfgen_opts o = AWS_LFGEN_OPTS_INIT;
	o.families = parse_families(weft_op_param_string(ctx, api, "families"));
	int64_t max_lfs = weft_op_param_int(ctx, api, "max_lfs");
	o.diversity = weft_op_param_float(ctx, api, "diversity");
	o.min_fscore = weft_op_param_float(ctx, api, "min_fscore");
	const char *scoring = weft_op_param_string(ctx, api, "scoring");
	o.out_of_fold = scoring && !strcmp(scoring, "out_of_fold");
	if (!scoring || (strcmp(scoring, "in_sample") && !o.out_of_fold))
		return api->fail(ctx, "scoring must be in_sample or out_of_fold");
	static const char *const ins[] = {"data"};
	o.seed = aws_op_seed(ctx, api, ins, 1, (uint64_t)max_lfs);
	size_t *lab = NULL, nlab = aws_data_rows(D, AWS_LABELED, &lab);
	char err[ERRLEN];
	aws_lfset s = {0};
	if (o.families <= 0)
		rc = api->fail(ctx, "families must list stump, tree, logistic and/or knn, comma-separated");
	else if (max_lfs < 1 || max_lfs > 1000)
		rc = api->fail(ctx, "max_lfs must be 1..1000");
	else if (!lab)
		rc = api->fail(ctx, "out of memory");
	if (rc == WEFT_OK) {
		o.max_lfs = (size_t)max_lfs;
		if (aws_lf_generate(&s, D->X, D->n, D->d, D->y, D->k, lab, nlab, &o, err, sizeof err) != 0)
			rc = api->fail(ctx, "%s", err);
	}
	if (rc == WEFT_OK) {
		api->log(ctx, WEFT_LOG_INFO, "%zu LFs from %zu labeled rows", s.n, nlab);
		size_t n = s.n;
		rc = wop_set_json_exact(ctx, api, "out", "lfs.json", aws_lfset_to_json(&s, D->features, D->classes));
		if (rc == WEFT_OK)
			rc = api->set_output(ctx, "count", api->value_new_int((int64_t)n));
	}
	aws_lfset_free(&s);
	free(lab);
	return rc;
}

int aws_apply_op(aws_data *D, weft_op_ctx *ctx, const weft_host_api *api)
{
	int rc = WEFT_OK;
	aws_lfset s = {0};
	aws_lmat L = {0};
	int32_t *dense = NULL;
	char err[ERRLEN], path[4096];
	rc = aws_op_lfs(&s, ctx, api, D);
	if (rc == WEFT_OK && aws_apply_lfs(&L, &s, D, err, sizeof err) != 0)
		rc = api->fail(ctx, "%s", err);
	if (rc == WEFT_OK && !(dense = malloc((D->n * s.n != 0 ? D->n * s.n : 1) * sizeof *dense)))
		rc = api->fail(ctx, "out of memory");
	if (rc == WEFT_OK) {
		for (size_t i = 0; i < D->n * s.n; i++)
			dense[i] = -1;
		for (size_t i = 0; i < D->n; i++)
			for (size_t q = L.row[i]; q < L.row[i + 1]; q++)
				dense[i * s.n + L.lf[q]] = L.val[q];
		snprintf(path, sizeof path, "%s/labels.npy", api->workdir(ctx));
		rc = wnpy_write_i4_2d(path, dense, D->n, s.n, err, sizeof err) != 0 ? api->fail(ctx, "%s", err)
										   : weft_op_set_file(ctx, api, "out", path);
	}
	free(dense);
	aws_lmat_free(&L);
	aws_lfset_free(&s);
	return rc;
}

int aws_label_model_op(aws_data *D, weft_op_ctx *ctx, const weft_host_api *api)
{
	int rc = WEFT_OK;
	aws_lmat L = {0};
	aws_lm_result r = {0};
	char err[ERRLEN], path[4096];
	const char *model = weft_op_param_string(ctx, api, "model");
	int kind = aws_lm_parse(model);
	if (kind < 0)
		rc = api->fail(ctx, "unknown label model '%s'; use majority, dawid_skene, triplet or metal", model);
	if (rc == WEFT_OK)
		rc = aws_op_matrix(&L, ctx, api, "matrix", D->k);
	if (rc == WEFT_OK && L.n != D->n)
		rc = api->fail(ctx, "the label matrix has %zu rows but the dataset %zu; apply the LFs to this dataset", L.n,
			       D->n);
	int32_t *known = rc == WEFT_OK ? malloc((D->n ? D->n : 1) * sizeof *known) : NULL;
	if (rc == WEFT_OK && !known)
		rc = api->fail(ctx, "out of memory");
	for (size_t i = 0; rc == WEFT_OK && i < D->n; i++)
		known[i] = D->split[i] == AWS_LABELED ? D->y[i] : -1;
	if (rc == WEFT_OK && aws_label_model(&r, &L, (aws_lm_kind)kind, (int)weft_op_param_int(ctx, api, "max_iter"), known,
					     err, sizeof err) != 0)
		rc = api->fail(ctx, "%s", err);
	free(known);
	if (rc == WEFT_OK) {
		snprintf(path, sizeof path, "%s/probs.csv", api->workdir(ctx));
		int *votes = aws_vote_counts(&L);
		rc = !votes || aws_write_probs(path, D, votes, r.proba) != 0 ? api->fail(ctx, "cannot write %s", path)
									      : weft_op_set_file(ctx, api, "out", path);
		free(votes);
	}
	if (rc == WEFT_OK) {
		weft_value *st = api->value_new_map(), *acc = api->value_new_list(), *bal = api->value_new_map();
		for (size_t j = 0; j < L.m; j++)
			api->value_list_push(acc, api->value_new_float(r.accuracy[j]));
		for (size_t c = 0; c < D->k; c++)
			api->value_map_set(bal, D->classes[c], api->value_new_float(r.balance[c]));
		api->value_map_set(st, "model", api->value_new_string(model, strlen(model)));
		api->value_map_set(st, "lf_accuracy", acc);
		api->value_map_set(st, "class_balance", bal);
		api->value_map_set(st, "iterations", api->value_new_int(r.iterations));
		api->value_map_set(st, "fell_back_to_majority", api->value_new_bool(r.fell_back));
		if (r.fell_back)
			api->log(ctx, WEFT_LOG_WARN, "%s disagreed with the majority vote on most covered rows (it drifted); "
						     "the majority vote is used instead", model);
		rc = api->set_output(ctx, "stats", st);
	}
	aws_lm_result_free(&r);
	aws_lmat_free(&L);
	return rc;
}

