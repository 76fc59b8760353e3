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
/* op_model.c */
/* op_train.c */

/* The ops' run functions, by file (ops.c declares the ops). */
weft_op_run_fn abi_run_tables, abi_run_profile, abi_run_candidates; /* op_input.c */
weft_op_run_fn abi_run_predict, abi_run_kmca, abi_run_bi_model, abi_run_summary; /* op_model.c */
weft_op_run_fn abi_run_synth, abi_run_train, abi_run_score; /* op_train.c */

extern const weft_plugin_desc abi_plugin; /* ops.c */

#endif
