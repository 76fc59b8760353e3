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
	int workdir_fd;      /* the workdir's descriptor (-1: none): its files by name */
	char *log_path;
	FILE *log;
	int log_path_given; /* the op asked for log_path: it may have written there itself */
	char *error;
	char *undeclared; /* the first parameter read that the op does not declare */
	const weft_value *llm;  /* LLM settings (borrowed), or NULL: none */
	weft_llm_stats llm_stats; /* what its llm_chat calls came to */
	int *cancel; /* read atomically */
	char **paths; /* checkout paths handed out, freed with the ctx */
	size_t n_paths;
	char *key;     /* the node's cache key (checkpoints live under it), or NULL */
	char *devices; /* "gpu:0,gpu:1", recorded in checkpoint layouts, or NULL */
	struct weft_ckpt *ckpt; /* made by the first checkpoint call */
	char *cache_dir;        /* STORE/cache/<plugin>, made by the first cache_dir call */
	uint32_t cpus;          /* CPU slots the node holds (api->cpus); 0 reads as 1 */
	/* Where progress goes besides the log: the scheduler's node state, or
	 * a frame to the engine from a worker. Called on the op's threads. */
	void (*on_progress)(void *arg, double fraction, const char *message);
	void *progress_arg;
	double progress_logged; /* when progress last went to the log */
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
/* A split op (weft_op_desc.start and finish, bound in this process): its
 * two halves, each ending as weft_op_ctx_run does. start leaves no child
 * when it fails; finish may return WEFT_EHEAVY untouched, to be called
 * again on a worker thread. */
int weft_op_ctx_is_split(const weft_op_ctx *ctx);
int weft_op_ctx_start(weft_op_ctx *ctx, weft_op_proc *proc);
/* Reads the child's waiting output (weft_op_desc.pump): 1 while more may
 * come, 0 at its end or when the op has no pump. */
int weft_op_ctx_pump(weft_op_ctx *ctx, weft_op_proc *proc);
int weft_op_ctx_finish(weft_op_ctx *ctx, weft_op_proc *proc, unsigned flags);
void weft_op_ctx_release(weft_op_ctx *ctx);
/* Where the op's checkpoints go: the node's key and devices (copied). */
int weft_op_ctx_set_node(weft_op_ctx *ctx, const char *key, const char *devices);
/* The ctx's checkpoint writer, made on first use; NULL (with an error
 * set) when the node has no key, as outside a run. */
struct weft_ckpt *weft_op_ctx_ckpt(weft_op_ctx *ctx);

#endif
