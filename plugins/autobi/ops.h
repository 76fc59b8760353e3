/*
 * ops.h -- what the autobi op files share: the op descriptors and small
 * helpers over the host API (artifact paths, outputs, typed parameters).
 */
#ifndef AUTOBI_OPS_H
#define AUTOBI_OPS_H

#include <jansson.h>
#include <stdint.h>

#include <weft/plugin.h>

#include "jsonio.h"

#define ERRLEN 1024

/* op_input.c */
extern const weft_op_desc abi_op_tables, abi_op_profile, abi_op_candidates;
/* op_model.c */
extern const weft_op_desc abi_op_predict, abi_op_kmca, abi_op_bi_model;
/* op_train.c */
extern const weft_op_desc abi_op_synth, abi_op_train, abi_op_score;

#endif
