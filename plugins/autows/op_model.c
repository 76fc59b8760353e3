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
#include "semisup.h"

static int save_model(weft_op_ctx *ctx, const weft_host_api *api, const aws_lr *m)
{
	return wop_set_json(ctx, api, "out", "model.json", aws_lr_to_json(m));
}

/* With the LFs given (input `lfs`), the CV of kind = auto scores each
 * fold on weak labels made without its hidden labels: the LFs fitted
 * again on the fold's labels and label model `label_model` (the one that
 * made `probs`) run on their votes. */
static int fold_weak_labels(aws_end_opts *eo, aws_lfset *lfs, const aws_data *D, weft_op_ctx *ctx,
			    const weft_host_api *api)
{
	const char *lm = weft_op_param_string(ctx, api, "label_model");
	int kind = aws_lm_parse(lm);
	int64_t iters = weft_op_param_int(ctx, api, "label_model_max_iter");
	if (kind < 0)
		return api->fail(ctx, "with input 'lfs', label_model must name the label model that made 'probs': "
				      "majority, dawid_skene, triplet or metal (got '%s')", lm ? lm : "");
	if (iters < 1 || iters > 100000)
		return api->fail(ctx, "label_model_max_iter must be 1..100000");
	int rc = aws_op_lfs(lfs, ctx, api, D);
	eo->lfs = lfs, eo->label_model = kind, eo->lm_iters = (int)iters;
	return rc;
}

/* A graph kind as model.json holds it: how its graph was made and
 * seeded (its labels are the predictions); metric NULL for the features
 * as given. */
static json_t *graph_json(aws_end_kind kind, const char *metric, double smooth, size_t neighbours,
			  double weak_weight)
{
	json_t *j = json_pack("{s:s, s:s}", "format", "autows-graph/1", "kind", aws_end_name(kind));
	if (!j)
		return NULL;
	if (metric)
		json_object_set_new(j, "metric", json_string(metric));
	json_object_set_new(j, "smooth", json_real(smooth));
	json_object_set_new(j, "neighbours", json_integer((json_int_t)neighbours));
	json_object_set_new(j, "weak_weight", json_real(weak_weight));
	return j;
}

/* One end model as model.json holds it: a regression's weights, or how
 * the graph was made (its labels are the predictions). */
static json_t *member_json(aws_end_kind kind, double weak_weight, double l2, const aws_lr *m,
			   const aws_end_opts *eo, const aws_data *D)
{
	if (kind == AWS_END_GRAPH)
		return graph_json(kind, NULL, eo->smooth, eo->neighbours, weak_weight);
	if (kind == AWS_END_UNITS_GRAPH) /* the graph's distances in the features' own units */
		return graph_json(kind, "units", eo->smooth, eo->neighbours, weak_weight);
	if (kind == AWS_END_GOLD_SPREADING) /* seeded by the labeled rows alone */
		return graph_json(kind, NULL, AWS_GOLD_SPREAD_ALPHA, eo->neighbours, 0.0);
	if (kind == AWS_END_GOLD_UNITS) /* the same seeds, the graph in the features' own units */
		return graph_json(kind, "units", AWS_GOLD_SPREAD_ALPHA, eo->neighbours, 0.0);
	if (kind == AWS_END_LFGRAPH) {
		/* the graph's metric: each feature's weight (its distances are
		 * scaled by the square root), the features no LF uses left out */
		json_t *j = graph_json(kind, "lf_features", eo->smooth, eo->neighbours, weak_weight);
		json_t *fw = json_object();
		double *w = malloc((D->d ? D->d : 1) * sizeof *w);
		if (w && aws_lf_feature_weights(w, eo->lfs, D->d) == 0)
			for (size_t f = 0; fw && f < D->d; f++)
				if (w[f] > 0)
					json_object_set_new(fw, D->features[f], json_real(w[f]));
		free(w);
		if (!j || !fw) {
			json_decref(j), json_decref(fw);
			return NULL;
		}
		json_object_set_new(j, "feature_weights", fw);
		return j;
	}
	json_t *j = aws_lr_to_json(m);
	json_object_set_new(j, "kind", json_string(aws_end_name(kind)));
	json_object_set_new(j, "l2", json_real(l2)); /* auto tries gold_logistic at l2 and at a tenth of it */
	if (kind == AWS_END_LOGISTIC || kind == AWS_END_SELFTRAINED) /* how it was trained; smoothed's is its graph's */
		json_object_set_new(j, "weak_share", json_real(weak_weight > 0 ? weak_weight : 1));
	return j;
}

int aws_end_model_op(aws_data *D, weft_op_ctx *ctx, const weft_host_api *api)
{
	int rc = WEFT_OK;
	double *P = NULL;
	int *votes = NULL;
	aws_end_result er = {0};
	char err[ERRLEN], path[4096];
	aws_end_opts eo = AWS_END_OPTS_INIT;
	eo.min_conf = weft_op_param_float(ctx, api, "min_confidence");
	eo.gold_weight = weft_op_param_float(ctx, api, "gold_weight");
	eo.l2 = weft_op_param_float(ctx, api, "l2");
	eo.iters = (int)weft_op_param_int(ctx, api, "iterations");
	eo.smooth = weft_op_param_float(ctx, api, "smooth");
	int64_t nb = weft_op_param_int(ctx, api, "neighbours");
	eo.weak_weight = weft_op_param_float(ctx, api, "weak_weight");
	eo.weak_share = weft_op_param_float(ctx, api, "weak_share");
	int64_t reps = weft_op_param_int(ctx, api, "cv_repeats");
	if (reps < 1 || reps > 10)
		return api->fail(ctx, "cv_repeats is %lld; it must be 1..10", (long long)reps);
	eo.cv_repeats = (int)reps;
	const char *kname = weft_op_param_string(ctx, api, "kind");
	int kind = aws_end_parse(kname);
	if (kind < 0)
		return api->fail(ctx, "unknown end model '%s'; use auto, logistic, smoothed, graph, selftrained, lf_graph, "
				 "gold_logistic, gold_spreading, gold_selftrained, units_graph or gold_units",
				 kname);
	if (nb < 1 || nb > 100 || eo.smooth <= 0 || eo.smooth >= 1 || eo.weak_weight < 0 || !(eo.weak_share >= 0))
		return api->fail(ctx, "neighbours must be 1..100, smooth in (0, 1), weak_weight >= 0 and weak_share >= 0");
	eo.neighbours = (size_t)nb;
	aws_lfset lfs = {0};
	if (kind == AWS_END_LFGRAPH && !api->input(ctx, "lfs"))
		return api->fail(ctx, "kind lf_graph weighs the features by the LFs' held-out F-scores: connect the LFs "
				      "(input lfs, from autows.generate_lfs) and name their label_model");
	rc = aws_op_probs(&P, &votes, ctx, api, "probs", D->n, D->k);
	if (rc == WEFT_OK && api->input(ctx, "lfs"))
		rc = fold_weak_labels(&eo, &lfs, D, ctx, api);
	eo.units = D->units;
	if (rc == WEFT_OK && aws_end_fit(&er, (aws_end_kind)kind, D, votes, P, &eo, err, sizeof err) != 0)
		rc = api->fail(ctx, "%s", err);
	if (rc == WEFT_OK) {
		/* the model: the regression's weights, or how the graph was made
		 * (its labels are the predictions); for AUTO's weighted mean of
		 * candidates, each with its weight; with what CV said */
		json_t *m = member_json(er.chosen, er.weak_weight, er.l2, &er.model, &eo, D), *with = NULL;
		if (er.n_more > 0) {
			json_t *ms = json_array();
			with = json_array();
			if (m) {
				json_object_set_new(m, "weight", json_real(er.weight));
				json_object_set_new(m, "cv_temperature", json_real(er.temperature));
			}
			json_array_append_new(ms, m);
			for (size_t q = 0; q < er.n_more; q++) {
				const aws_end_member *e = &er.more[q];
				json_t *j = member_json(e->kind, e->weak_weight, e->l2, &e->model, &eo, D);
				if (j) {
					json_object_set_new(j, "weight", json_real(e->weight));
					json_object_set_new(j, "cv_temperature", json_real(e->temperature));
				}
				json_array_append_new(ms, j);
				json_array_append_new(with, json_pack("{s:s, s:f, s:f, s:f}", "kind", aws_end_name(e->kind),
								      "weak_weight", e->weak_weight, "weight", e->weight,
								      "cv_temperature", e->temperature));
			}
			m = json_pack("{s:s, s:o}", "format", "autows-mean/2", "members", ms);
		}
		json_t *cv = json_object(), *cvb = json_object(), *cvt = json_object();
		for (int q = 0; q < AWS_END_KINDS; q++) {
			if (er.cv[q] >= 0)
				json_object_set_new(cv, aws_end_name((aws_end_kind)q), json_real(er.cv[q]));
			if (er.cv_brier[q] >= 0)
				json_object_set_new(cvb, aws_end_name((aws_end_kind)q), json_real(er.cv_brier[q]));
			if (er.cv_brier_tempered[q] >= 0)
				json_object_set_new(cvt, aws_end_name((aws_end_kind)q),
						    json_real(er.cv_brier_tempered[q]));
		}
		json_t *info = json_pack("{s:s, s:s, s:f, s:f, s:f, s:o, s:o, s:o, s:s}", "asked", kname, "kind",
					 aws_end_name(er.chosen), "weak_weight", er.weak_weight, "weight", er.weight,
					 "cv_temperature", er.temperature, "cv_accuracy", cv, "cv_brier", cvb,
					 "cv_brier_tempered", cvt, "cv_weak_labels",
					 eo.lfs ? "refitted per fold" : "as given");
		if (info && with)
			json_object_set(info, "mean_with", with);
		json_decref(with);
		if (er.cv_answer >= 0) {
			json_object_set_new(info, "cv_accuracy_answer", json_real(er.cv_answer));
			json_object_set_new(info, "cv_repeats", json_integer(eo.cv_repeats));
		}
		if (er.cv_brier_answer >= 0)
			json_object_set_new(info, "cv_brier_answer", json_real(er.cv_brier_answer));
		if (!m || !info) {
			json_decref(m), json_decref(info);
			rc = api->fail(ctx, "out of memory writing model.json");
		} else {
			json_object_set_new(m, "end_model", info);
			api->log(ctx, WEFT_LOG_INFO, "end model: %s at weight %.3f, %zu other candidate%s in the mean%s",
				 aws_end_name(er.chosen), er.weight, er.n_more, er.n_more == 1 ? "" : "s",
				 kind == AWS_END_AUTO ? " (weighed by 5-fold CV on the labeled rows)" : "");
			rc = wop_set_json(ctx, api, "out", "model.json", m);
		}
	}
	if (rc == WEFT_OK) {
		snprintf(path, sizeof path, "%s/predictions.csv", api->workdir(ctx));
		rc = aws_write_probs(path, D, votes, er.P) != 0 ? api->fail(ctx, "cannot write %s", path)
								 : weft_op_set_file(ctx, api, "predictions", path);
	}
	if (rc == WEFT_OK) {
		const char *ch = aws_end_name(er.chosen);
		rc = api->set_output(ctx, "kind", api->value_new_string(ch, strlen(ch)));
	}
	aws_end_result_free(&er);
	aws_lfset_free(&lfs);
	free(P), free(votes);
	return rc;
}

int aws_ssl_op(aws_data *D, weft_op_ctx *ctx, const weft_host_api *api)
{
	double *PS = NULL, *PT = NULL;
	size_t *test = NULL, nt = aws_data_rows(D, AWS_TEST, &test);
	char err[ERRLEN];
	int64_t nb = weft_op_param_int(ctx, api, "neighbours");
	double alpha = weft_op_param_float(ctx, api, "alpha"), thr = weft_op_param_float(ctx, api, "threshold");
	int64_t rounds = weft_op_param_int(ctx, api, "rounds");
	int rc = WEFT_OK;
	if (nb < 1 || nb > 100 || alpha <= 0 || alpha >= 1 || thr <= 0 || thr > 1 || rounds < 0 || rounds > 100)
		rc = api->fail(ctx, "neighbours 1..100, alpha in (0, 1), threshold in (0, 1] and rounds 0..100, please");
	else if (!test || nt == 0)
		rc = api->fail(ctx, "the dataset has no test rows; load it with test_share > 0");
	else if (aws_label_spreading(&PS, D, (size_t)nb, alpha, err, sizeof err) != 0 ||
		 aws_self_training(&PT, D, thr, (int)rounds, err, sizeof err) != 0)
		rc = api->fail(ctx, "%s", err);
	if (rc == WEFT_OK) {
		aws_scores ss, st;
		aws_score(&ss, PS, D->k, D->y, test, nt);
		aws_score(&st, PT, D->k, D->y, test, nt);
		json_t *j = json_pack("{s:s, s:{s:f, s:f, s:I, s:I, s:f}, s:{s:f, s:f, s:I, s:f, s:I}}", "format",
				      "autows-ssl/1", "label_spreading", "accuracy", ss.accuracy, "macro_f1", ss.macro_f1,
				      "rows", (json_int_t)ss.rows, "neighbours", (json_int_t)nb, "alpha", alpha,
				      "self_training", "accuracy", st.accuracy, "macro_f1", st.macro_f1, "rows",
				      (json_int_t)st.rows, "threshold", thr, "rounds", (json_int_t)rounds);
		api->log(ctx, WEFT_LOG_INFO, "test accuracy: label spreading %.3f, self-training %.3f", ss.accuracy,
			 st.accuracy);
		rc = wop_set_json_exact(ctx, api, "out", "ssl.json", j);
	}
	free(PS), free(PT), free(test);
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

static double num_at(const json_t *j, const char *key)
{
	const json_t *v = json_object_get(json_object_get(j, key), "accuracy");
	return json_is_number(v) ? json_number_value(v) : 0;
}

static json_t *scores_json(const aws_scores *s)
{
	return json_pack("{s:f, s:f, s:I}", "accuracy", s->accuracy, "macro_f1", s->macro_f1, "rows",
			 (json_int_t)s->rows);
}

int aws_evaluate_op(aws_data *D, weft_op_ctx *ctx, const weft_host_api *api)
{
	int rc = WEFT_OK;
	aws_lr bm = {0};
	aws_lmat L = {0};
	double *P = NULL, *PE = NULL, *PB = NULL;
	int *votes = NULL;
	size_t *test = NULL, nt = aws_data_rows(D, AWS_TEST, &test);
	aws_lfstat *st = NULL;
	int *pvotes = NULL;
	char serr[ERRLEN];
	json_t *mj = wop_input_json(ctx, api, "model", NULL, serr, sizeof serr);
	json_t *em_info = mj ? json_incref(json_object_get(mj, "end_model")) : NULL;
	json_decref(mj);
	if (!em_info)
		rc = api->fail(ctx, "input 'model' must be autows.end_model's model.json");
	json_t *ssl = wop_input_json(ctx, api, "ssl", "autows-ssl/1", serr, sizeof serr);
	if (rc == WEFT_OK && !ssl)
		rc = api->fail(ctx, "input 'ssl' must be autows.ssl_baselines' report%s%s", serr[0] ? ": " : "", serr);
	if (rc == WEFT_OK)
		rc = aws_op_probs(&PE, &pvotes, ctx, api, "predictions", D->n, D->k);
	if (rc == WEFT_OK)
		rc = load_model(&bm, ctx, api, "baseline", D);
	if (rc == WEFT_OK)
		rc = aws_op_matrix(&L, ctx, api, "matrix", D->k);
	if (rc == WEFT_OK)
		rc = aws_op_probs(&P, &votes, ctx, api, "probs", D->n, D->k);
	if (rc == WEFT_OK && (!test || aws_predict_all(&PB, &bm, D) != 0 ||
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
		double ls = num_at(ssl, "label_spreading"), stt = num_at(ssl, "self_training");
		/* a win is one test row more at least: ssl.json's accuracies come
		 * back through decimal text, and an equal count must stay a tie */
		double row = 0.5 / (double)nt;
		int helped = gain > row, beats_all = helped && se.accuracy > ls + row && se.accuracy > stt + row;
		json_t *rep = json_pack("{s:s, s:o, s:o, s:o, s:O, s:O, s:f, s:f, s:b, s:b, s:o}", "format",
					"autows-report/1", "autows", scores_json(&se), "supervised_baseline",
					scores_json(&sb), "label_model", scores_json(&sl), "label_spreading",
					json_object_get(ssl, "label_spreading"), "self_training",
					json_object_get(ssl, "self_training"), "test_coverage",
					nt ? (double)covered / (double)nt : 0.0, "accuracy_gain", gain, "autows_helped",
					helped, "beats_all_baselines", beats_all, "lfs", lfs);
		/* the end model and its CV accuracy on the labels: what chooses
		 * among the label models without looking at the test set */
		json_object_set(rep, "end_model", em_info);
		double cvbest = -1;
		const char *ck;
		json_t *cvv;
		json_object_foreach(json_object_get(em_info, "cv_accuracy"), ck, cvv)
			if (json_number_value(cvv) > cvbest)
				cvbest = json_number_value(cvv);
		const json_t *ans = json_object_get(em_info, "cv_accuracy_answer");
		if (json_is_number(ans)) /* the CV of the mean that was answered */
			cvbest = json_number_value(ans);
		json_object_set_new(rep, "cv_accuracy", cvbest >= 0 ? json_real(cvbest) : json_null());
		/* the Brier score of the answer in the same folds: the finer
		 * measure, and what chooses among the label models */
		const json_t *ab = json_object_get(em_info, "cv_brier_answer");
		json_object_set_new(rep, "cv_brier", json_is_number(ab) ? json_real(json_number_value(ab)) : json_null());
		api->log(ctx, WEFT_LOG_INFO,
			 "test accuracy: AutoWS %.3f; baselines: logistic regression %.3f, label spreading %.3f, "
			 "self-training %.3f; label model %.3f",
			 se.accuracy, sb.accuracy, ls, stt, sl.accuracy);
		rc = wop_set_json(ctx, api, "out", "report.json", rep);
		if (rc == WEFT_OK) {
			weft_value *sum = api->value_new_map();
			api->value_map_set(sum, "autows_accuracy", api->value_new_float(se.accuracy));
			api->value_map_set(sum, "autows_macro_f1", api->value_new_float(se.macro_f1));
			api->value_map_set(sum, "baseline_accuracy", api->value_new_float(sb.accuracy));
			api->value_map_set(sum, "baseline_macro_f1", api->value_new_float(sb.macro_f1));
			api->value_map_set(sum, "label_model_accuracy", api->value_new_float(sl.accuracy));
			api->value_map_set(sum, "autows_helped", api->value_new_bool(helped));
			api->value_map_set(sum, "label_spreading_accuracy", api->value_new_float(ls));
			api->value_map_set(sum, "self_training_accuracy", api->value_new_float(stt));
			api->value_map_set(sum, "beats_all_baselines", api->value_new_bool(beats_all));
			rc = api->set_output(ctx, "summary", sum);
		}
	}
	free(st), free(test), free(P), free(PE), free(PB), free(votes), free(pvotes);
	json_decref(ssl);
	json_decref(em_info);
	aws_lmat_free(&L);
	aws_lr_free(&bm);
	return rc;
}

