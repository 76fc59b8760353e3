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
 * ops.c declares the ops; their run functions live in op_input.c,
 * op_model.c and op_train.c. Of weft's headers the plugin includes only
 * the SDK's (weft/ophelp.h over weft/plugin.h), as third-party plugins do.
 */
#define _GNU_SOURCE
#include <stdio.h>

#include "ops.h"

WEFT_PLUGIN_EXPORT const weft_plugin_desc *weft_plugin_entry(const weft_host_api *api)
{
	return weft_plugin_accept(api, &abi_plugin);
}
