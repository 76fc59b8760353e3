/*
 * ops.h -- what the autobi op files share: the op descriptors and small
 * helpers over the host API (artifact paths, outputs, typed parameters).
 */
#ifndef AUTOBI_OPS_H
#define AUTOBI_OPS_H

#include <jansson.h>
#include <stdint.h>

#include <weft/plugin.h>

#define ERRLEN 1024

/* The content path of artifact value v, or NULL (not an artifact). */
const char *abi_path_of(weft_op_ctx *ctx, const weft_host_api *api, const weft_value *v);
/* Imports the file or directory at path and sets it as output `name`. */
int abi_set_artifact(weft_op_ctx *ctx, const weft_host_api *api, const char *name, const char *path);
/* Writes j to WORKDIR/file and sets it as output `name`. Steals j. */
int abi_set_json(weft_op_ctx *ctx, const weft_host_api *api, const char *name, const char *file, json_t *j);
double abi_param_f(weft_op_ctx *ctx, const weft_host_api *api, const char *n);
int64_t abi_param_i(weft_op_ctx *ctx, const weft_host_api *api, const char *n);
const char *abi_param_s(weft_op_ctx *ctx, const weft_host_api *api, const char *n);

extern const char *const abi_out_only[];

/* op_input.c */
extern const weft_op_desc abi_op_tables, abi_op_profile, abi_op_candidates;
/* op_model.c */
extern const weft_op_desc abi_op_predict, abi_op_kmca, abi_op_bi_model;
/* op_train.c */
extern const weft_op_desc abi_op_synth, abi_op_train, abi_op_score;

#endif
