/*
 * op_data.c -- autows.synth, autows.load, autows.featurize.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "featurize.h"
#include "ops.h"
#include "synth.h"

static int run_synth(weft_op_ctx *ctx, const weft_host_api *api)
{
	int64_t rows = weft_op_param_int(ctx, api, "rows"), classes = weft_op_param_int(ctx, api, "classes");
	int64_t inf = weft_op_param_int(ctx, api, "informative"), noise = weft_op_param_int(ctx, api, "noise");
	if (rows < 10 || rows > 10000000 || classes < 2 || classes > 26 || inf < 1 || inf > 1000 || noise < 0 ||
	    noise > 10000)
		return api->fail(ctx, "rows 10..10^7, classes 2..26, informative 1..1000 and noise 0..10000, please");
	aws_synth_opts o = {(size_t)rows, (size_t)classes, (size_t)inf, (size_t)noise,
			    weft_op_param_float(ctx, api, "separation"), (uint64_t)weft_op_param_int(ctx, api, "seed")};
	char path[4096], err[ERRLEN];
	snprintf(path, sizeof path, "%s/synth.csv", api->workdir(ctx));
	if (aws_synth_csv(path, &o, err, sizeof err) != 0)
		return api->fail(ctx, "%s", err);
	return weft_op_set_file(ctx, api, "out", path);
}

static const weft_param_spec synth_params[] = {
	{"rows", WEFT_T_INT, "10000", "rows to generate"},
	{"classes", WEFT_T_INT, "4", "number of classes (2..26), imbalanced"},
	{"informative", WEFT_T_INT, "4", "features that carry the class"},
	{"noise", WEFT_T_INT, "8", "features that do not"},
	{"separation", WEFT_T_FLOAT, "2.0", "distance of the class means, in standard deviations"},
	{"seed", WEFT_T_INT, "1", "same seed, same bytes"},
};
const weft_op_desc aws_op_synth = {
	WEFT_OP_DESC("synth", "1", run_synth, WEFT_OP_DETERMINISTIC,
		     "A generated multi-class dataset as a CSV with a `label` column (Gaussian classes among noise features)."),
	WEFT_OP_PARAMS(synth_params), WEFT_OP_OUTPUTS(WEFT_NAMES("out")),
};

static int run_load(weft_op_ctx *ctx, const weft_host_api *api)
{
	const char *file = weft_op_input_path(ctx, api, "file");
	int64_t nlab = weft_op_param_int(ctx, api, "n_labels"), seed = weft_op_param_int(ctx, api, "seed");
	double test = weft_op_param_float(ctx, api, "test_share");
	char err[ERRLEN];
	aws_data D;
	if (nlab < 1 || test < 0 || test >= 1)
		return api->fail(ctx, "n_labels must be positive and test_share in [0, 1)");
	struct stat sb;
	if (!file || stat(file, &sb) != 0)
		return api->fail(ctx, "input 'file' must be a CSV file or a directory holding X.npy and y.npy");
	if (S_ISDIR(sb.st_mode)) {
		char x[4200], y[4200];
		snprintf(x, sizeof x, "%s/X.npy", file);
		snprintf(y, sizeof y, "%s/y.npy", file);
		if (aws_data_read_npy(&D, x, y, err, sizeof err) != 0)
			return api->fail(ctx, "%s", err);
	} else if (aws_data_read_csv(&D, file, "file", weft_op_param_string(ctx, api, "label"), err, sizeof err) != 0) {
		return api->fail(ctx, "%s", err);
	}
		uint64_t s = seed >= 0 ? (uint64_t)seed : aws_op_seed(ctx, api, WEFT_NAMES("file"), 1, (uint64_t)nlab);
	int rc = aws_data_split(&D, (size_t)nlab, test, s, err, sizeof err) != 0 ? api->fail(ctx, "%s", err)
										: aws_op_set_data(ctx, api, &D);
	if (rc == WEFT_OK)
		api->log(ctx, WEFT_LOG_INFO, "%zu rows, %zu features, %zu classes, %lld labeled", D.n, D.d, D.k,
			 (long long)nlab);
	aws_data_free(&D);
	return rc;
}

static const weft_param_spec load_params[] = {
	{"label", WEFT_T_STRING, "\"label\"", "the CSV's label column; empty cells are unknown labels"},
	{"n_labels", WEFT_T_INT, "100", "labeled rows to keep (the rest of the gold labels are hidden)"},
	{"test_share", WEFT_T_FLOAT, "0.2", "share of the gold-labeled rows held out for evaluation"},
	{"seed", WEFT_T_INT, "-1", "split seed; -1 derives it from the input's content"},
};
const weft_op_desc aws_op_load = {
	WEFT_OP_DESC("load", "1", run_load, WEFT_OP_DETERMINISTIC,
		     "A dataset from `file`: a CSV with a label column, or a directory (weft.dir) holding X.npy and y.npy; "
		     "split into n_labels labeled rows, a test set and unlabeled rows. Refuses NaNs, row-count mismatches "
		     "and classes without a labeled row."),
	WEFT_OP_PARAMS(load_params), WEFT_OP_INPUTS(WEFT_NAMES("file")), WEFT_OP_OUTPUTS(WEFT_NAMES("out")),
};

static int run_featurize(weft_op_ctx *ctx, const weft_host_api *api)
{
	aws_data D;
	int rc = aws_op_data(&D, ctx, api, "data");
	if (rc != WEFT_OK)
		return rc;
	int64_t pca = weft_op_param_int(ctx, api, "pca");
	char err[ERRLEN];
	if (pca < 0 || aws_featurize(&D, (size_t)pca, err, sizeof err) != 0)
		rc = api->fail(ctx, "%s", pca < 0 ? "pca must be 0 (off) or a number of components" : err);
	else
		rc = aws_op_set_data(ctx, api, &D);
	aws_data_free(&D);
	return rc;
}

static const weft_param_spec featurize_params[] = {
	{"pca", WEFT_T_INT, "0", "project onto this many principal components (0: standardise only)"},
};
const weft_op_desc aws_op_featurize = {
	WEFT_OP_DESC("featurize", "1", run_featurize, WEFT_OP_DETERMINISTIC,
		     "Standardises the features; optionally PCA to `pca` dimensions."),
	WEFT_OP_PARAMS(featurize_params), WEFT_OP_INPUTS(WEFT_NAMES("data")), WEFT_OP_OUTPUTS(WEFT_NAMES("out")),
};
