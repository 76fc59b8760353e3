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

int aws_run_synth(weft_op_ctx *ctx, const weft_host_api *api)
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

int aws_run_load(weft_op_ctx *ctx, const weft_host_api *api)
{
	const char *file = weft_op_input_path(ctx, api, "file");
	int64_t nlab = weft_op_param_int(ctx, api, "n_labels"), seed = weft_op_param_int(ctx, api, "seed");
	double test = weft_op_param_float(ctx, api, "test_share");
	char err[ERRLEN];
	aws_data D;
	if (nlab < 1 || test < 0 || test >= 1)
		return api->fail(ctx, "n_labels must be positive and test_share in [0, 1)");
	const char *given = weft_op_param_string(ctx, api, "split");
	int has_split = given && *given;
	if (has_split && (strchr(given, '/') || given[0] == '.'))
		return api->fail(ctx, "split must be a column or file name, not a path");
	struct stat sb;
	if (!file || stat(file, &sb) != 0)
		return api->fail(ctx, "input 'file' must be a CSV file or a directory holding X.npy and y.npy");
	if (S_ISDIR(sb.st_mode)) {
		char x[4200], y[4200];
		snprintf(x, sizeof x, "%s/X.npy", file);
		snprintf(y, sizeof y, "%s/y.npy", file);
		if (aws_data_read_npy(&D, x, y, err, sizeof err) != 0)
			return api->fail(ctx, "%s", err);
		if (has_split) {
			char sp[4400];
			snprintf(sp, sizeof sp, "%s/%s.npy", file, given);
			if (aws_data_read_split_npy(&D, sp, err, sizeof err) != 0) {
				aws_data_free(&D);
				return api->fail(ctx, "%s", err);
			}
		}
	} else if (aws_data_read_csv_split(&D, file, "file", weft_op_param_string(ctx, api, "label"),
					   has_split ? given : NULL, err, sizeof err) != 0) {
		return api->fail(ctx, "%s", err);
	}
	static const char *const ins[] = {"file"};
	uint64_t s = seed >= 0 ? (uint64_t)seed : aws_op_seed(ctx, api, ins, 1, (uint64_t)nlab);
	int rc = (has_split ? aws_data_split_given(&D, err, sizeof err)
			    : aws_data_split(&D, (size_t)nlab, test, s, err, sizeof err)) != 0
			 ? api->fail(ctx, "%s", err)
			 : aws_op_set_data(ctx, api, &D);
	if (rc == WEFT_OK) {
		size_t nl = 0;
		for (size_t i = 0; i < D.n; i++)
			nl += D.split[i] == AWS_LABELED;
		api->log(ctx, WEFT_LOG_INFO, "%zu rows, %zu features, %zu classes, %zu labeled (%s split)", D.n, D.d,
			 D.k, nl, has_split ? "given" : "stratified random");
	}
	aws_data_free(&D);
	return rc;
}

int aws_featurize_op(aws_data *D, weft_op_ctx *ctx, const weft_host_api *api)
{
	int rc = WEFT_OK;
	int64_t pca = weft_op_param_int(ctx, api, "pca");
	char err[ERRLEN];
	if (pca < 0 || aws_featurize(D, (size_t)pca, err, sizeof err) != 0)
		rc = api->fail(ctx, "%s", pca < 0 ? "pca must be 0 (off) or a number of components" : err);
	else
		rc = aws_op_set_data(ctx, api, D);
	return rc;
}

