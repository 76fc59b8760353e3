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

static const weft_op_desc *const ops[] = {&abi_op_tables,  &abi_op_profile, &abi_op_candidates,
					  &abi_op_predict, &abi_op_kmca,    &abi_op_bi_model,
					  &abi_op_synth,   &abi_op_train,   &abi_op_score};

static const weft_plugin_desc plugin =
	WEFT_PLUGIN_DESC("autobi", "1.0.0", "MIT",
			 "Auto-BI (Lin, He, Chaudhuri, VLDB 2023): join prediction and k-MCA BI models from a folder of CSV tables.",
			 ops);

WEFT_PLUGIN_EXPORT const weft_plugin_desc *weft_plugin_entry(const weft_host_api *api)
{
	return weft_plugin_accept(api, &plugin);
}
