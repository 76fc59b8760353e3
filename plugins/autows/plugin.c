/*
 * plugin.c -- the autows plugin: AutoWS-Bench-101's pipeline on weft's
 * plugin ABI. Ops live in op_data.c (synth, load, featurize), op_lf.c
 * (generate_lfs, apply_lfs, label_model) and op_model.c (end_model,
 * supervised_baseline, evaluate); this file holds the artifacts they pass.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "npy.h"
#include "ops.h"

int aws_op_data(aws_data *D, weft_op_ctx *ctx, const weft_host_api *api, const char *name)
{
	const char *p = weft_op_input_path(ctx, api, name);
	char err[ERRLEN];
	if (!p)
		return api->fail(ctx, "input '%s' must be a dataset made by autows.load", name);
	if (aws_data_load(D, p, err, sizeof err) != 0)
		return api->fail(ctx, "input '%s': %s", name, err);
	return WEFT_OK;
}

int aws_with_data(weft_op_ctx *ctx, const weft_host_api *api, aws_data_op *body)
{
	aws_data D;
	int rc = aws_op_data(&D, ctx, api, "data");
	if (rc != WEFT_OK)
		return rc;
	rc = body(&D, ctx, api);
	aws_data_free(&D);
	return rc;
}

int aws_op_set_data(weft_op_ctx *ctx, const weft_host_api *api, const aws_data *D)
{
	char dir[4096], err[ERRLEN];
	snprintf(dir, sizeof dir, "%s/dataset", api->workdir(ctx));
	if (aws_data_save(D, dir, err, sizeof err) != 0)
		return api->fail(ctx, "%s", err);
	return weft_op_set_file(ctx, api, "out", dir);
}

int aws_op_lfs(aws_lfset *s, weft_op_ctx *ctx, const weft_host_api *api, const aws_data *D)
{
	char err[ERRLEN];
	json_t *j = wop_input_json(ctx, api, "lfs", NULL, err, sizeof err);
	if (!j)
		return api->fail(ctx, "input 'lfs' must be the JSON of autows.generate_lfs%s%s", err[0] ? ": " : "", err);
	int rc = aws_lfset_from_json(s, j, D->d, D->k, err, sizeof err) != 0 ? api->fail(ctx, "lfs: %s", err) : WEFT_OK;
	json_decref(j);
	return rc;
}

int aws_op_matrix(aws_lmat *L, weft_op_ctx *ctx, const weft_host_api *api, const char *name, size_t k)
{
	const char *p = weft_op_input_path(ctx, api, name);
	char err[ERRLEN];
	int32_t *dense = NULL;
	size_t rows = 0, cols = 0;
	if (!p)
		return api->fail(ctx, "input '%s' must be a label matrix made by autows.apply_lfs", name);
	if (wnpy_read_int(&dense, &rows, &cols, p, name, err, sizeof err) != 0)
		return api->fail(ctx, "%s", err);
	int rc = aws_lmat_from_dense(L, dense, rows, cols, k) != 0
			 ? api->fail(ctx, "input '%s' votes for classes outside 0..%zu (or memory is short)", name, k - 1)
			 : WEFT_OK;
	free(dense);
	return rc;
}

int aws_op_probs(double **P, int **votes, weft_op_ctx *ctx, const weft_host_api *api, const char *name, size_t n,
		 size_t k)
{
	const char *p = weft_op_input_path(ctx, api, name);
	char err[ERRLEN];
	wcsv t;
	if (!p)
		return api->fail(ctx, "input '%s' must be probabilistic labels made by autows.label_model", name);
	if (wcsv_read(&t, p, "probs.csv", err, sizeof err) != 0)
		return api->fail(ctx, "%s", err);
	int rc = WEFT_OK;
	if (t.nrows != n || t.ncols != k + 3)
		rc = api->fail(ctx, "input '%s' has %zu rows of %zu columns, expected %zu of %zu: it was made for another "
			       "dataset", name, t.nrows, t.ncols, n, k + 3);
	*P = malloc((n ? n : 1) * k * sizeof **P);
	*votes = malloc((n ? n : 1) * sizeof **votes);
	if (rc == WEFT_OK && (!*P || !*votes))
		rc = api->fail(ctx, "out of memory");
	for (size_t i = 0; rc == WEFT_OK && i < n; i++) {
		const char *v = wcsv_cell(&t, i, 2);
		(*votes)[i] = v ? atoi(v) : 0;
		for (size_t c = 0; c < k; c++) {
			const char *x = wcsv_cell(&t, i, 3 + c);
			(*P)[i * k + c] = x ? strtod(x, NULL) : 0;
		}
	}
	wcsv_free(&t);
	if (rc != WEFT_OK) {
		free(*P), free(*votes);
		*P = NULL, *votes = NULL;
	}
	return rc;
}

int aws_write_probs(const char *path, const aws_data *D, const int *votes, const double *P)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "row,split,votes");
	for (size_t c = 0; c < D->k; c++)
		fprintf(f, ",p_%s", D->classes[c]);
	fputc('\n', f);
	static const char *const splits[] = {"unlabeled", "labeled", "test"};
	for (size_t i = 0; i < D->n; i++) {
		fprintf(f, "%zu,%s,%d", i, splits[D->split[i] >= 0 && D->split[i] <= 2 ? D->split[i] : 0], votes[i]);
		for (size_t c = 0; c < D->k; c++)
			fprintf(f, ",%.6g", P[i * D->k + c]);
		fputc('\n', f);
	}
	return fclose(f);
}

uint64_t aws_op_seed(weft_op_ctx *ctx, const weft_host_api *api, const char *const *inputs, size_t n, uint64_t salt)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ salt;
	for (size_t i = 0; i < n; i++) {
		const weft_value *v = api->input(ctx, inputs[i]);
		const char *s = v ? api->value_artifact_hash(v) : NULL;
		for (; s && *s; s++)
			h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	}
	return h;
}

WEFT_PLUGIN_EXPORT const weft_plugin_desc *weft_plugin_entry(const weft_host_api *api)
{
	return weft_plugin_accept(api, &aws_plugin);
}
