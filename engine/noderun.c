/*
 * noderun.c -- the per-node run state of an engine (node_run, in
 * noderun.h), kept apart from the node definitions so that a graph
 * is what the script said and a run is what became of it. Entries live in
 * blocks of WEFT_RUN_BLOCK that are never moved or shrunk while the engine
 * lives: dynamic nodes add entries during a run without invalidating the
 * pointers the scheduler holds.
 */
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "util.h"

node_run *weft_node_run(const weft_engine *eng, uint32_t id)
{
	uint32_t b = id / WEFT_RUN_BLOCK;
	return b < eng->n_run_blocks ? &eng->run_blocks[b][id % WEFT_RUN_BLOCK] : NULL;
}

int weft_node_runs_reserve(weft_engine *eng, uint32_t n)
{
	uint32_t need = (n + WEFT_RUN_BLOCK - 1) / WEFT_RUN_BLOCK;
	if (need <= eng->n_run_blocks)
		return WEFT_OK;
	node_run **blocks = realloc(eng->run_blocks, need * sizeof *blocks);
	if (!blocks)
		return weft_err_set(WEFT_ERROR, "out of memory");
	eng->run_blocks = blocks;
	while (eng->n_run_blocks < need) {
		node_run *b = calloc(WEFT_RUN_BLOCK, sizeof *b);
		if (!b)
			return weft_err_set(WEFT_ERROR, "out of memory");
		eng->run_blocks[eng->n_run_blocks++] = b;
	}
	return WEFT_OK;
}

int weft_node_runs_adopt(weft_engine *eng, node_run **blocks, uint32_t n)
{
	if (eng->n_run_blocks || !n)
		return WEFT_EINVALID;
	for (uint32_t b = 0; b < n; b++)
		if (!blocks[b] && !(blocks[b] = calloc(WEFT_RUN_BLOCK, sizeof **blocks)))
			return weft_err_set(WEFT_ERROR, "out of memory");
	node_run **all = malloc(n * sizeof *all);
	if (!all)
		return weft_err_set(WEFT_ERROR, "out of memory");
	memcpy(all, blocks, n * sizeof *all);
	free(eng->run_blocks);
	eng->run_blocks = all;
	eng->n_run_blocks = n;
	return WEFT_OK;
}

static void entry_clear(node_run *r)
{
	weft_value_free(r->outputs);
	weft_value_free(r->resolved_inputs);
	weft_value_free(r->input_hashes);
	weft_value_free(r->dyn_result);
	weft_value_free(r->llm_config);
	free(r->asks);
	free(r->devices);
	free(r->error);
	free(r->reason);
	free(r->progress_msg);
	free(r->job_host);
	memset(r, 0, sizeof *r);
}

void weft_node_runs_reset(weft_engine *eng)
{
	for (uint32_t b = 0; b < eng->n_run_blocks; b++)
		for (uint32_t i = 0; i < WEFT_RUN_BLOCK; i++)
			entry_clear(&eng->run_blocks[b][i]);
}

void weft_node_runs_free(weft_engine *eng)
{
	weft_node_runs_reset(eng);
	for (uint32_t b = 0; b < eng->n_run_blocks; b++)
		free(eng->run_blocks[b]);
	free(eng->run_blocks);
	eng->run_blocks = NULL;
	eng->n_run_blocks = 0;
}
