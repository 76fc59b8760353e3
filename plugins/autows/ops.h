/*
 * ops.h -- what the autows op files share: descriptors, the artifacts that
 * pass between ops (dataset directory, label matrix, probabilistic
 * labels), and seeds derived from a node's inputs and parameters.
 */
#ifndef AUTOWS_OPS_H
#define AUTOWS_OPS_H

#include <stdint.h>

#include <weft/plugin.h>

#include "dataset.h"
#include "labelmat.h"
#include "jsonio.h"

#define ERRLEN 1024

/* Input `name` as a dataset (autows.load / featurize output). */
int aws_op_data(aws_data *D, weft_op_ctx *ctx, const weft_host_api *api, const char *name);
/* Saves D under the workdir and sets it as output `out`. */
int aws_op_set_data(weft_op_ctx *ctx, const weft_host_api *api, const aws_data *D);
/* Input `name` as a label matrix (labels.npy: n x m int32, -1 abstains). */
int aws_op_matrix(aws_lmat *L, weft_op_ctx *ctx, const weft_host_api *api, const char *name, size_t k);
/* Input `name` as probabilistic labels (probs.csv) for n rows, k classes;
 * *P is n x k, *votes n counts. */
int aws_op_probs(double **P, int **votes, weft_op_ctx *ctx, const weft_host_api *api, const char *name, size_t n,
		 size_t k);
/* A seed from the content hashes of the given inputs and a salt: the same
 * inputs and parameters give the same seed, so reruns are bit-identical. */
uint64_t aws_op_seed(weft_op_ctx *ctx, const weft_host_api *api, const char *const *inputs, size_t n,
		     uint64_t salt);

extern const weft_op_desc aws_op_synth, aws_op_load, aws_op_featurize;          /* op_data.c */
extern const weft_op_desc aws_op_generate_lfs, aws_op_apply_lfs, aws_op_label_model; /* op_lf.c */
extern const weft_op_desc aws_op_end_model, aws_op_baseline, aws_op_evaluate;    /* op_model.c */

#endif
