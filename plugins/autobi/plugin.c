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
 * The ops live in op_input.c, op_model.c and op_train.c. The plugin includes
 * only <weft/plugin.h> of weft's headers, as third-party plugins do.
 */
#define _GNU_SOURCE
#include <stdio.h>

#include "ops.h"

const char *abi_path_of(weft_op_ctx *ctx, const weft_host_api *api, const weft_value *v)
{
	const char *p = NULL;
	if (!v || api->artifact_path(&p, ctx, v) != WEFT_OK)
		return NULL;
	return p;
}

int abi_set_artifact(weft_op_ctx *ctx, const weft_host_api *api, const char *name, const char *path)
{
	weft_value *art = NULL;
	if (api->artifact_import(&art, ctx, path) != WEFT_OK)
		return api->fail(ctx, "cannot store %s: %s", path, api->error_last());
	return api->set_output(ctx, name, art);
}

/* Writes j to WORKDIR/file and makes it output `name`. Steals j. */
int abi_set_json(weft_op_ctx *ctx, const weft_host_api *api, const char *name, const char *file, json_t *j)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", api->workdir(ctx), file);
	int rc = j ? json_dump_file(j, path, JSON_INDENT(1) | JSON_REAL_PRECISION(10)) : -1;
	json_decref(j);
	if (rc != 0)
		return api->fail(ctx, "cannot write %s (out of memory or disk full)", path);
	return abi_set_artifact(ctx, api, name, path);
}

double abi_param_f(weft_op_ctx *ctx, const weft_host_api *api, const char *n)
{
	return api->value_float(api->param(ctx, n));
}

int64_t abi_param_i(weft_op_ctx *ctx, const weft_host_api *api, const char *n)
{
	return api->value_int(api->param(ctx, n));
}

const char *abi_param_s(weft_op_ctx *ctx, const weft_host_api *api, const char *n)
{
	return api->value_string(api->param(ctx, n), NULL);
}

const char *const abi_out_only[] = {"out"};


static const weft_op_desc *const ops[] = {&abi_op_tables, &abi_op_profile, &abi_op_candidates, &abi_op_predict, &abi_op_kmca,
					  &abi_op_bi_model, &abi_op_synth, &abi_op_train, &abi_op_score};

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
