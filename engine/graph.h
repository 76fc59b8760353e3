/*
 * graph.h -- the graph's nodes as the script (or a dynamic node) defined
 * them: op, params, input template, edges, source location, requests and
 * policies. Kept in the graph's arena; a node's definition does not change
 * during a run (what a run makes of it is its node_run, noderun.h).
 */
#ifndef WEFT_GRAPH_H
#define WEFT_GRAPH_H

#include <stdint.h>

#include "arena.h"
#include "weft/weft.h"

enum node_kind { NODE_OP = 0, NODE_DYNAMIC = 1 };

/*
 * A node's definition: what the script (or a dynamic node) said. It does
 * not change during a run, but for the users a dynamic node links to it.
 * Everything a run makes of the node is in its node_run.
 */
typedef struct node {
	uint32_t id;
	char *name;
	uint8_t kind;
	uint8_t deterministic;
	const weft_op_info *op;
	weft_value *params; /* defaults applied; literals only */
	weft_value *inputs; /* map; may contain refs */
	/* dynamic nodes */
	weft_dynamic_fn fn;
	void *payload;
	void (*payload_free)(void *);
	char identity[65];
	/* edges */
	uint32_t *deps;
	uint32_t n_deps;
	uint32_t *users;
	uint32_t n_users, cap_users;
	uint32_t parent;    /* dynamic node that added it, or UINT32_MAX */
	uint32_t child_seq; /* auto-name counter for nodes it adds */
	char *file;
	int line;
	/* requests and policies */
	uint32_t cpus;      /* 0: the op's default */
	uint64_t mem;       /* bytes; 0: the op's default */
	int8_t isolate;     /* weft_node_opts.isolate */
	char **res_names;   /* further pools (gpu, npu, named), with amounts */
	uint64_t *res_amounts;
	uint16_t n_res;
	double timeout, backoff;
	uint32_t retries;
	weft_value *llm; /* LLM settings over the run's, or NULL */
	uint8_t checkpoints; /* WEFT_CHECKPOINTS_*, applied once it succeeded */
	uint8_t executor;    /* WEFT_EXECUTOR_*: where it runs */
	weft_value *slurm;   /* its Slurm settings over weft.yaml's, or NULL */
} node;

typedef struct weft_graph {
	weft_arena arena; /* the nodes, their names, files and requests */
	const char *last_file; /* interned: nodes of one script share it */
	node **nodes;
	uint32_t n, cap;
	/* name -> id, open addressing */
	struct graph_slot {
		uint32_t id, hash; /* UINT32_MAX: empty; the name's hash */
	} *index;
	uint32_t index_cap;
	uint32_t auto_seq;
	int validated;
} weft_graph;
typedef struct graph_slot graph_slot;

void weft_graph_clear(weft_graph *g);
int weft_graph_link(weft_engine *eng, uint32_t id);
node *weft_graph_node(const weft_engine *eng, uint32_t id);

#endif
