/*
 * opctx.h -- the per-invocation context behind the opaque weft_op_ctx that
 * ops receive. Created by the scheduler, read through the host API only.
 */
#ifndef WEFT_OPCTX_H
#define WEFT_OPCTX_H

#include <stdio.h>

#include "engine_internal.h"

struct weft_op_ctx {
	weft_engine *eng;
	node *n;
	uint32_t id;
	const weft_value *params;
	const weft_value *inputs;
	weft_value *outputs; /* map, owned */
	char *tmp_base;      /* workdir is created here on demand */
	char *workdir;
	char *log_path;
	FILE *log;
	char *error;
	int *cancel; /* read atomically */
	char **paths; /* checkout paths handed out, freed with the ctx */
	size_t n_paths;
};

void weft_op_ctx_release(weft_op_ctx *ctx);

#endif
