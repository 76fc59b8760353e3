/*
 * ops.c -- the autows plugin as the engine sees it: every op's name,
 * version, documentation, parameters, inputs and outputs, in one
 * declarative table (the run functions are in op_*.c). A change to an
 * op's behaviour bumps its version here, which enters its cache key.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ops.h"
#include "summary.h"
#include "textout.h"

/* ------------------------------------------------------------ op_data.c */

static const weft_param_spec synth_params[] = {
	{"rows", WEFT_T_INT, "10000", "rows to generate"},
	{"classes", WEFT_T_INT, "4", "number of classes (2..26), imbalanced"},
	{"informative", WEFT_T_INT, "4", "features that carry the class"},
	{"noise", WEFT_T_INT, "8", "features that do not"},
	{"separation", WEFT_T_FLOAT, "2.0", "distance of the class means, in standard deviations"},
	{"seed", WEFT_T_INT, "1", "same seed, same bytes"},
};
static const weft_op_desc aws_op_synth = {
	WEFT_OP_DESC("synth", "1", aws_run_synth, WEFT_OP_DETERMINISTIC,
		     "A generated multi-class dataset as a CSV with a `label` column (Gaussian classes among noise features)."),
	WEFT_OP_PARAMS(synth_params), WEFT_OP_OUTPUTS(WEFT_NAMES("out")),
};
static const weft_param_spec load_params[] = {
	{"label", WEFT_T_STRING, "\"label\"", "the CSV's label column; empty cells are unknown labels"},
	{"n_labels", WEFT_T_INT, "100", "labeled rows to keep (the rest of the gold labels are hidden)"},
	{"test_share", WEFT_T_FLOAT, "0.2", "share of the gold-labeled rows held out for evaluation"},
	{"seed", WEFT_T_INT, "-1", "split seed; -1 derives it from the input's content"},
	{"split", WEFT_T_STRING, "\"\"", "a given split instead of a random one: the CSV column (or, for a "
					   "directory, NAME.npy of 0/1/2) saying labeled, unlabeled or test per row"},
};
static const weft_op_desc aws_op_load = {
	WEFT_OP_DESC("load", "2", aws_run_load, WEFT_OP_DETERMINISTIC,
		     "A dataset from `file`: a CSV with a label column, or a directory (weft.dir) holding X.npy and y.npy; "
		     "split into n_labels labeled rows, a test set and unlabeled rows. Refuses NaNs, row-count mismatches "
		     "and classes without a labeled row."),
	WEFT_OP_PARAMS(load_params), WEFT_OP_INPUTS(WEFT_NAMES("file")), WEFT_OP_OUTPUTS(WEFT_NAMES("out")),
};
static int run_featurize(weft_op_ctx *ctx, const weft_host_api *api)
{
	return aws_with_data(ctx, api, aws_featurize_op);
}

static const weft_param_spec featurize_params[] = {
	{"pca", WEFT_T_INT, "0", "project onto this many principal components (0: standardise only)"},
};
static const weft_op_desc aws_op_featurize = {
	WEFT_OP_DESC("featurize", "2", run_featurize, WEFT_OP_DETERMINISTIC,
		     "Standardises the features, keeping their standard deviations (the end model's units_graph "
		     "measures distances in the features' own units); optionally PCA to `pca` dimensions."),
	WEFT_OP_PARAMS(featurize_params), WEFT_OP_INPUTS(WEFT_NAMES("data")), WEFT_OP_OUTPUTS(WEFT_NAMES("out")),
};

/* ------------------------------------------------------------ op_lf.c */

static int run_generate(weft_op_ctx *ctx, const weft_host_api *api)
{
	return aws_with_data(ctx, api, aws_generate_op);
}

static const weft_param_spec gen_params[] = {
	{"families", WEFT_T_STRING, "\"stump,tree,logistic,knn\"",
	 "heuristic families: stump, tree, logistic, knn (k nearest labeled rows in a random subspace)"},
	{"max_lfs", WEFT_T_INT, "25", "LFs to keep at most"},
	{"diversity", WEFT_T_FLOAT, "0.5", "weight of coverage diversity against F-score when pruning"},
	{"min_fscore", WEFT_T_FLOAT, "0.2", "stop when no new LF reaches this F-score on the labeled rows"},
	{"scoring", WEFT_T_STRING, "\"in_sample\"",
	 "how stump, tree and logistic thresholds are chosen: in_sample or out_of_fold (5 folds of the labels); "
	 "either way lfs.json reports each LF's held-out precision, coverage and F-score"},
};
static const weft_op_desc aws_op_generate_lfs = {
	WEFT_OP_DESC("generate_lfs", "4", run_generate, WEFT_OP_DETERMINISTIC,
		     "Snuba-style labeling functions from the labeled rows: one-vs-rest stumps, depth-2 trees and logistic "
		     "models on 1-2 features, and k-NN on random subspaces (scored leave-one-out), with F-score abstain "
		     "thresholds, diversity pruning and verifier feedback."),
	WEFT_OP_PARAMS(gen_params), WEFT_OP_INPUTS(WEFT_NAMES("data")), WEFT_OP_OUTPUTS(WEFT_NAMES("out", "count")),
};
static int run_apply(weft_op_ctx *ctx, const weft_host_api *api)
{
	return aws_with_data(ctx, api, aws_apply_op);
}

static const weft_op_desc aws_op_apply_lfs = {
	WEFT_OP_DESC("apply_lfs", "1", run_apply, WEFT_OP_DETERMINISTIC,
		     "The label matrix: every LF on every row, as labels.npy (rows x LFs, int32, -1 = abstain)."),
	WEFT_OP_INPUTS(WEFT_NAMES("data", "lfs")), WEFT_OP_OUTPUTS(WEFT_NAMES("out")),
};
static int run_label_model(weft_op_ctx *ctx, const weft_host_api *api)
{
	return aws_with_data(ctx, api, aws_label_model_op);
}

static const weft_param_spec lm_params[] = {
	{"model", WEFT_T_STRING, "\"dawid_skene\"", "majority, dawid_skene, triplet or metal"},
	{"max_iter", WEFT_T_INT, "100", "EM iterations at most (dawid_skene)"},
};
static const weft_op_desc aws_op_label_model = {
	WEFT_OP_DESC("label_model", "1", run_label_model, WEFT_OP_DETERMINISTIC,
		     "Probabilistic labels from the label matrix (probs.csv: row, split, votes, p_<class>...), with each LF's "
		     "estimated accuracy and the class balance in `stats`."),
	WEFT_OP_PARAMS(lm_params), WEFT_OP_INPUTS(WEFT_NAMES("data", "matrix")), WEFT_OP_OUTPUTS(WEFT_NAMES("out", "stats")),
};

/* ------------------------------------------------------------ op_model.c */

static const weft_param_spec lr_params[] = {
	{"l2", WEFT_T_FLOAT, "0.01", "L2 penalty"},
	{"iterations", WEFT_T_INT, "500", "gradient steps at most"},
};
static const weft_param_spec end_params[] = {
	{"l2", WEFT_T_FLOAT, "0.01", "L2 penalty of the regressions; auto also tries gold_logistic at a tenth of it"},
	{"iterations", WEFT_T_INT, "500", "gradient steps at most"},
	{"min_confidence", WEFT_T_FLOAT, "0.0", "train only on unlabeled rows whose label is at least this likely"},
	{"gold_weight", WEFT_T_FLOAT, "0.0",
	 "weight of one labeled row against 1 for a weakly labeled one; 0: the labeled rows together weigh as much "
	 "as the weak rows together"},
	{"kind", WEFT_T_STRING, "\"auto\"",
	 "auto (5-fold CV on the labeled rows; the candidates' mean weighed by it), logistic, smoothed, graph, "
	 "selftrained, lf_graph (the graph over the features the LFs use, weighted by their held-out F-scores; needs "
	 "input lfs), from the labeled rows alone, gold_logistic, gold_spreading or gold_selftrained, or units_graph "
	 "(the graph in the features' own units, from autows.featurize without pca), or gold_units (gold_spreading "
	 "over that graph)"},
	{"smooth", WEFT_T_FLOAT, "0.9", "smoothed and the graphs: label spreading's alpha over the k-NN graph"},
	{"neighbours", WEFT_T_INT, "7", "smoothed and the graphs: the k of the k-NN graph"},
	{"weak_weight", WEFT_T_FLOAT, "0",
	 "smoothed and the graphs: a weak label's weight in the seeds (gold: 1); 0: auto's CV chooses 0.01, 0.1 or 0.3, "
	 "a kind asked by name gets 0.3"},
	{"weak_share", WEFT_T_FLOAT, "0",
	 "logistic and selftrained: the weak rows' total weight over the labeled rows' (with gold_weight 0); 0: 1, "
	 "the two weigh the same; 0.1 lets the labels lead where a line on them is about right"},
	{"label_model", WEFT_T_STRING, "\"\"", "with input lfs: the label model that made probs, run again in each CV fold"},
	{"label_model_max_iter", WEFT_T_INT, "100", "with input lfs: that label model's max_iter"},
	{"cv_repeats", WEFT_T_INT, "1",
	 "auto: the 5-fold CV runs over this many partitions of the labels (1..10), and each candidate is scored by "
	 "its mean; each partition costs one more CV"},
};
static int run_end_model(weft_op_ctx *ctx, const weft_host_api *api)
{
	return aws_with_data(ctx, api, aws_end_model_op);
}

static const weft_op_desc aws_op_end_model = {
	WEFT_OP_DESC("end_model", "12", run_end_model, WEFT_OP_DETERMINISTIC,
		     "The end model on the weak labels: logistic regression on the label model's probabilities, the "
		     "same on the labels smoothed over the k-NN graph, the smoothed labels themselves (graph), the "
		     "regression self-trained on its confident predictions (selftrained), the graph over the "
		     "features the LFs use (lf_graph, given `lfs`), the graph in the features' own units (units_graph, "
		     "when featurize kept them), or the three baselines on the labeled rows alone "
		     "(gold_logistic, gold_spreading, gold_selftrained), the second also in own units (gold_units); "
		     "`kind = auto` scores them (and gold_logistic at a tenth of l2), "
		     "at each weak-label weight, by 5-fold CV on the labeled rows and answers their mean, each weighed "
		     "by its CV Brier score B as exp(-(B - B_best) / 2) "
		     "(given `lfs`, each fold's weak labels come from the LFs fitted again without its hidden labels). "
		     "Outputs the model, predictions.csv for every row and the best kind."),
	WEFT_OP_PARAMS(end_params), WEFT_OP_INPUTS(WEFT_NAMES("data", "probs", "lfs")),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out", "predictions", "kind")),
};
static const weft_param_spec ssl_params[] = {
	{"neighbours", WEFT_T_INT, "7", "label spreading: the k of the k-NN graph"},
	{"alpha", WEFT_T_FLOAT, "0.2", "label spreading: the share a row takes from its neighbours"},
	{"threshold", WEFT_T_FLOAT, "0.75", "self-training: a pseudo-label's probability at least"},
	{"rounds", WEFT_T_INT, "10", "self-training: refits at most"},
};
static int run_ssl(weft_op_ctx *ctx, const weft_host_api *api)
{
	return aws_with_data(ctx, api, aws_ssl_op);
}

static const weft_op_desc aws_op_ssl = {
	WEFT_OP_DESC("ssl_baselines", "2", run_ssl, WEFT_OP_DETERMINISTIC,
		     "The semi-supervised baselines a practitioner tries with the same labels and unlabeled rows: label "
		     "spreading (k-NN kernel) and self-training around logistic regression, scored on the test rows."),
	WEFT_OP_PARAMS(ssl_params), WEFT_OP_INPUTS(WEFT_NAMES("data")), WEFT_OP_OUTPUTS(WEFT_NAMES("out")),
};
static int run_baseline(weft_op_ctx *ctx, const weft_host_api *api)
{
	return aws_with_data(ctx, api, aws_baseline_op);
}

static const weft_op_desc aws_op_baseline = {
	WEFT_OP_DESC("supervised_baseline", "1", run_baseline, WEFT_OP_DETERMINISTIC,
		     "The same logistic regression trained on the labeled rows only: what AutoWS must beat."),
	WEFT_OP_PARAMS(lr_params), WEFT_OP_INPUTS(WEFT_NAMES("data")), WEFT_OP_OUTPUTS(WEFT_NAMES("out")),
};
static int run_evaluate(weft_op_ctx *ctx, const weft_host_api *api)
{
	return aws_with_data(ctx, api, aws_evaluate_op);
}

static const weft_op_desc aws_op_evaluate = {
	WEFT_OP_DESC("evaluate", "4", run_evaluate, WEFT_OP_DETERMINISTIC,
		     "Test accuracy and macro-F1 of the end model's predictions, the supervised baseline, the "
		     "semi-supervised baselines (ssl_baselines) and the label model, and each LF's coverage, overlap, "
		     "conflict and accuracy, as report.json; `summary` says whether AutoWS helped and beat all three."),
	WEFT_OP_INPUTS(WEFT_NAMES("data", "matrix", "probs", "model", "predictions", "baseline", "ssl")),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out", "summary")),
};

/* summary.md from the reports (a map: label model -> evaluate's report)
 * and the LFs. */
static int run_summary(weft_op_ctx *ctx, const weft_host_api *api)
{
	const weft_value *reps = api->input(ctx, "reports");
	size_t n = api->value_type(reps) == WEFT_T_MAP ? api->value_len(reps) : 0;
	if (!n)
		return api->fail(ctx, "input 'reports' must be a map of label model name = evaluate's report");
	const char **names = calloc(n, sizeof *names);
	json_t **docs = calloc(n, sizeof *docs);
	char err[1024] = "";
	int rc = names && docs ? WEFT_OK : api->fail(ctx, "out of memory");
	for (size_t i = 0; rc == WEFT_OK && i < n; i++) {
		const char *p = weft_op_path_of(ctx, api, api->value_map_value_at(reps, i));
		json_error_t je;
		names[i] = api->value_map_key_at(reps, i);
		if (!p || !(docs[i] = json_load_file(p, 0, &je)))
			rc = api->fail(ctx, "reports['%s'] is not a JSON report: %s", names[i], p ? je.text : "not a file");
	}
	json_t *lfs = rc == WEFT_OK ? wop_input_json(ctx, api, "lfs", NULL, err, sizeof err) : NULL;
	char *md = rc == WEFT_OK ? aws_summary_markdown(names, (const json_t *const *)docs, n, lfs) : NULL;
	if (rc == WEFT_OK && !md)
		rc = api->fail(ctx, "the reports are not autows-report/1 (evaluate's), or memory is short");
	if (rc == WEFT_OK)
		rc = wop_set_text(ctx, api, "out", "summary.md", md);
	free(md);
	json_decref(lfs);
	for (size_t i = 0; docs && i < n; i++)
		json_decref(docs[i]);
	free(docs);
	free(names);
	return rc;
}

static const weft_op_desc aws_op_summary = {
	WEFT_OP_DESC("summary", "1", run_summary, WEFT_OP_DETERMINISTIC,
		     "summary.md, for people: each label model's end model against the supervised baseline on the same "
		     "labels, whether weak supervision helped, and the labelling functions best first. `reports` is a "
		     "map of label model name = evaluate's report; `lfs` generate_lfs's JSON."),
	WEFT_OP_INPUTS(WEFT_NAMES("reports", "lfs")), WEFT_OP_OUTPUTS(WEFT_NAMES("out")),
};

static const weft_op_desc *const ops[] = {&aws_op_synth,     &aws_op_load,       &aws_op_featurize,
					  &aws_op_generate_lfs, &aws_op_apply_lfs, &aws_op_label_model,
					  &aws_op_end_model, &aws_op_baseline,   &aws_op_ssl, &aws_op_evaluate, &aws_op_summary};

const weft_plugin_desc aws_plugin =
	WEFT_PLUGIN_DESC("autows", "1.0.0", "MIT",
			 "AutoWS (AutoWS-Bench-101, NeurIPS 2022): labeling functions from 100 labels (Snuba), label models, "
			 "probabilistic labels and an end model, against the supervised baseline.",
			 ops);
