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
#include "lfs.h"
#include "jsonio.h"

#define ERRLEN 1024

/* Input `name` as a dataset (autows.load / featurize output). */
int aws_op_data(aws_data *D, weft_op_ctx *ctx, const weft_host_api *api, const char *name);
/* Saves D under the workdir and sets it as output `out`. */
int aws_op_set_data(weft_op_ctx *ctx, const weft_host_api *api, const aws_data *D);
/* Input `lfs` as an LF set made by autows.generate_lfs for D's features
 * and classes. */
int aws_op_lfs(aws_lfset *s, weft_op_ctx *ctx, const weft_host_api *api, const aws_data *D);
/* Input `name` as a label matrix (labels.npy: n x m int32, -1 abstains). */
int aws_op_matrix(aws_lmat *L, weft_op_ctx *ctx, const weft_host_api *api, const char *name, size_t k);
/* Input `name` as probabilistic labels (probs.csv) for n rows, k classes;
 * *P is n x k, *votes n counts. */
/* probs.csv: row, split, votes, p_CLASS... for every row of D. */
int aws_write_probs(const char *path, const aws_data *D, const int *votes, const double *P);
int aws_op_probs(double **P, int **votes, weft_op_ctx *ctx, const weft_host_api *api, const char *name, size_t n,
		 size_t k);
/* A seed from the content hashes of the given inputs and a salt: the same
 * inputs and parameters give the same seed, so reruns are bit-identical. */
uint64_t aws_op_seed(weft_op_ctx *ctx, const weft_host_api *api, const char *const *inputs, size_t n,
		     uint64_t salt);


/* An op on the dataset of input `data`, which aws_with_data loads, checks
 * and frees around it (plugin.c). */
typedef int aws_data_op(aws_data *D, weft_op_ctx *ctx, const weft_host_api *api);
int aws_with_data(weft_op_ctx *ctx, const weft_host_api *api, aws_data_op *body);

/* The ops' run functions, by file (ops.c declares the ops). */
weft_op_run_fn aws_run_synth, aws_run_load; /* op_data.c */
aws_data_op aws_featurize_op; /* op_data.c */
aws_data_op aws_generate_op, aws_apply_op, aws_label_model_op; /* op_lf.c */
aws_data_op aws_end_model_op, aws_baseline_op, aws_ssl_op, aws_evaluate_op; /* op_model.c */

extern const weft_plugin_desc aws_plugin; /* ops.c */

#endif
