/*
 * engine_internal.h -- the state hanging off a weft_engine. Shared by the
 * engine files only; nothing here is visible to the CLI, DSL or plugins.
 *
 * All mutable state lives in a weft_engine (no globals), so a process can
 * hold many engines, as the unit tests do.
 */
#ifndef WEFT_ENGINE_INTERNAL_H
#define WEFT_ENGINE_INTERNAL_H

#include <stdint.h>

#include "arena.h"
#include "nodestate.h"
#include "statcache.h"
#include "store.h"
#include "weft/weft.h"

typedef struct plugin_rec {
	char *path;
	void *dl;                     /* NULL until an op of it runs here */
	const weft_plugin_desc *desc; /* the host's copy, in `arena` */
	weft_arena arena;
	int trusted;
} plugin_rec;

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
} node;

/*
 * What one run makes of a node, by node id (weft_node_run). Kept after the
 * run, for the caller's questions (status, outputs, reasons), until the next
 * run starts afresh or the engine is freed. Stored in blocks that never
 * move, so a pointer to one stays valid while dynamic nodes add more.
 */
typedef struct node_run {
	uint8_t state;      /* node_state (nodestate.h); written by sched_move only */
	uint8_t held;       /* asks are taken from the pools */
	uint8_t timed_out, killed;
	uint32_t pending;   /* unfinished deps */
	uint32_t attempt;
	struct res_ask *asks; /* all requests bound to the run's pools */
	uint16_t n_asks;
	const struct sched_executor *exec; /* that runs its current attempt */
	void *job;          /* the executor's handle while running */
	int inflight;       /* 1 + fd of the key's in-flight lock while computing it */
	double prio;        /* longest remaining path; see readyq.h */
	double cancel_at;   /* when cancellation was asked (timeout, Ctrl-C) */
	double retry_at;
	double t_start, elapsed;
	char *devices;      /* "gpu:0,gpu:1" while and after running */
	char key[65];
	weft_value *outputs; /* map name -> value */
	weft_value *resolved_inputs;
	weft_value *input_hashes; /* input name -> value hash, for records */
	weft_value *dyn_result;   /* template returned by a dynamic node's fn */
	int worker_pid;     /* 0: ran in-process */
	long rss_kb;        /* peak RSS of the op in its worker */
	char *error;
	char *reason;       /* why it ran / would run */
} node_run;

typedef struct weft_graph {
	weft_arena arena; /* the nodes, their names, files and requests */
	const char *last_file; /* interned: nodes of one script share it */
	node **nodes;
	uint32_t n, cap;
	/* name -> id, open addressing */
	uint32_t *index;
	uint32_t index_cap;
	uint32_t auto_seq;
	int validated;
} weft_graph;

struct run_state;

/*
 * An executor runs a node's op somewhere: on the thread pool, in a worker
 * process, on a cluster, or (in tests) nowhere at all. The scheduler hands
 * it a node that holds its resources; the executor calls exec_started when
 * the op starts and exec_finished, on the loop thread, when it ends
 * (sched_state.h). Cancel is cooperative; kill (NULL when impossible) comes
 * after the grace period.
 */
typedef struct sched_executor {
	const char *name;
	int own_process; /* the op runs in a process of its own (worker_pid) */
	int (*launch)(void *self, struct run_state *rs, uint32_t id);
	void (*cancel)(void *self, struct run_state *rs, uint32_t id);
	void (*kill)(void *self, struct run_state *rs, uint32_t id);
	void *self;
} sched_executor;

struct weft_engine {
	char *store_dir;
	weft_statcache *sc;
	weft_store *store;
	weft_host_api api;
	plugin_rec *plugins;
	size_t n_plugins;
	struct weft_opindex *opindex; /* opened by the first plugin dir scanned */
	weft_op_info *ops;
	size_t n_ops;
	uint32_t *op_slots; /* ops by full name, open addressing (weft_engine_op_index) */
	size_t op_slot_cap;
	weft_graph graph;
	struct run_state *run;   /* set while weft_engine_run is active */
	const sched_executor *executor; /* NULL: thread pool or workers, per node */
	node_run **run_blocks;   /* per-node run state, WEFT_RUN_BLOCK a block */
	uint32_t n_run_blocks;
	char *worker_exe;        /* NULL: no out-of-process execution */
	char *trusted_dir;       /* plugins from here may run in-process */
	uint32_t current_parent; /* dynamic node being expanded */
};

/* noderun.c */
#define WEFT_RUN_BLOCK 1024u
/* The run state of node `id`; NULL when none was made (no run yet). */
node_run *weft_node_run(const weft_engine *eng, uint32_t id);
/* Makes room for nodes [0, n); new entries are zero (pending). */
int weft_node_runs_reserve(weft_engine *eng, uint32_t n);
/* Frees what each entry owns and zeroes them all: a new run starts. */
void weft_node_runs_reset(weft_engine *eng);
void weft_node_runs_free(weft_engine *eng);

/* graph.c */
void weft_graph_clear(weft_graph *g);
int weft_graph_link(weft_engine *eng, uint32_t id);
node *weft_graph_node(const weft_engine *eng, uint32_t id);

/* engine.c */
/* Rebuilds the name index of eng->ops; after every registration. */
int weft_engine_op_index(weft_engine *eng);

/* sched.c: a node added by a dynamic node while the run is going;
 * `linked` is the result of binding its refs (a failure fails it). */
void weft_sched_node_added(weft_engine *eng, uint32_t id, int linked);

/* plugin.c */
void weft_host_api_init(weft_host_api *api);
/* Maps the code of `op`'s plugin into this process (once); ops of plugins
 * registered from the op index have no `run` until then. Loop thread. */
int weft_plugin_activate(weft_engine *eng, const weft_op_info *op);

#endif
