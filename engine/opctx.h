/*
 * opctx.h -- the per-invocation context behind the opaque weft_op_ctx that
 * ops receive. Created by the scheduler, read through the host API only.
 */
#ifndef WEFT_OPCTX_H
#define WEFT_OPCTX_H

#include <stdio.h>

#include "context.h"

struct weft_op_ctx {
	weft_engine *eng;
	const weft_op_info *op;
	const char *node_name; /* borrowed; outlives the invocation */
	uint32_t id;           /* names the work directory: unique per run */
	const weft_value *params;
	const weft_value *inputs;
	weft_value *outputs; /* map, owned */
	char *tmp_base;      /* workdir is created here on demand */
	char *workdir;
	char *log_path;
	FILE *log;
	char *error;
	char *undeclared; /* the first parameter read that the op does not declare */
	const weft_value *llm;  /* LLM settings (borrowed), or NULL: none */
	weft_llm_stats llm_stats; /* what its llm_chat calls came to */
	int *cancel; /* read atomically */
	char **paths; /* checkout paths handed out, freed with the ctx */
	size_t n_paths;
};

/* One invocation of `op`, shared by the scheduler's thread pool and by
 * `weft worker`. Takes copies of the strings; params and inputs are
 * borrowed until the ctx is released. NULL when out of memory. */
weft_op_ctx *weft_op_ctx_new(weft_engine *eng, const weft_op_info *op, const char *node_name, uint32_t id,
			     const weft_value *params, const weft_value *inputs, const char *log_path,
			     const char *tmp_base, int *cancel);
/* Runs the op. On success every declared output the op left unset is null
 * and WEFT_OK is returned; otherwise ctx->error holds the message. */
int weft_op_ctx_run(weft_op_ctx *ctx);
void weft_op_ctx_release(weft_op_ctx *ctx);

#endif
