/*
 * context.h -- the state hanging off a weft_engine. Shared by the engine
 * files only; nothing here is visible to the CLI, DSL or plugins. It holds
 * data, no code: the engine's modules take a weft_engine and reach their
 * own part of it; engine.c makes and frees it.
 *
 * All mutable state lives in a weft_engine (no globals), so a process can
 * hold many engines, as the unit tests do.
 */
#ifndef WEFT_CONTEXT_H
#define WEFT_CONTEXT_H

#include <stdint.h>

#include "arena.h"
#include "executor.h"
#include "graph.h"
#include "noderun.h"
#include "nodestate.h"
#include "plugin_internal.h"
#include "statcache.h"
#include "store.h"
#include "weft/weft.h"
#include "workdirs.h"

struct weft_engine {
	char *store_dir;
	char *out_dir; /* where relative output paths (WEFT_T_PATH_OUT) resolve */
	weft_statcache *sc;
	weft_statcache *user_sc; /* plugin code hashes across stores (plugin.c) */
	int user_sc_tried;
	weft_store *store;
	weft_host_api api;
	plugin_rec *plugins;
	size_t n_plugins;
	struct weft_opindex *opindex; /* opened by the first plugin dir scanned */
	weft_op_info *ops;
	size_t n_ops;
	uint32_t *op_slots; /* ops by full name, open addressing (weft_engine_op_index) */
	size_t op_slots_n;  /* how many of eng->ops the slots hold */
	size_t op_slot_cap;
	weft_graph graph;
	struct run_state *run;   /* set while weft_engine_run is active */
	/* Set with `run`: the scheduler takes a node a dynamic node added. */
	void (*node_added)(weft_engine *eng, uint32_t id, int linked);
	/* Set with `run`: keeps the run going while a script runs (weft_engine_yield). */
	int (*yield)(weft_engine *eng);
	const sched_executor *executor; /* NULL: thread pool or workers, per node */
	node_run **run_blocks;   /* per-node run state, WEFT_RUN_BLOCK a block */
	uint32_t n_run_blocks;
	char *worker_exe;        /* NULL: no out-of-process execution */
	char *trusted_dir;       /* plugins from here may run in-process */
	uint32_t current_parent; /* dynamic node being expanded */
	char *python_dir;        /* weft's Python package (python/weft), or NULL */
	struct weft_py_memo *py_interp;  /* interpreter -> identity (pyrun.c) */
	struct weft_py_memo *py_plugins; /* plugin path -> hash of its Python files */
	struct weft_hasher **key_prefix; /* by op index: a node key's op part, hashed once */
	size_t n_key_prefix;
	weft_value ***op_defaults; /* by op index, by param: its default, parsed once (optable.c) */
	size_t n_op_defaults;
	weft_workdirs *workdirs; /* ops' emptied work directories, reused */
	struct weft_lookahead *lookahead; /* keys made while the script adds nodes (lookahead.c) */
	/* Set while it is on: told of each node added outside a run, and
	 * before validation changes a node already added (graph.c calls
	 * them, so that the graph needs nothing of the scheduler). */
	void (*node_defined)(weft_engine *eng, node *n);
	void (*nodes_changing)(weft_engine *eng);
	uint32_t lookahead_hits;          /* the hits the last run took from it */
};

#endif
