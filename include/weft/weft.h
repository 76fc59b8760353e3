/*
 * weft/weft.h -- the embedding API of libweft: engines, values, graphs, runs.
 *
 * The CLI and the Lua DSL layer are both clients of this header; neither
 * reaches into engine internals. Plugins never include it: they see only
 * weft/plugin.h.
 *
 * Conventions: functions return WEFT_OK (0) or a negative WEFT_E* code, with
 * the message in weft_error_last() (thread-local). Out-parameters come first.
 * Every handle has a matching _free. Ownership is stated per function.
 */
#ifndef WEFT_WEFT_H
#define WEFT_WEFT_H

#include <stddef.h>
#include <stdint.h>

#include "weft/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WEFT_VERSION "0.1.0"

/* Marks the functions libweft exports. The library is built with hidden
 * visibility, so everything else in it (the engine's internals) stays
 * inside, as libgit2's GIT_EXTERN does. */
#if defined(__GNUC__)
#define WEFT_EXTERN __attribute__((visibility("default")))
#else
#define WEFT_EXTERN
#endif

/* The last error message of the calling thread (never NULL). */
WEFT_EXTERN const char *weft_error_last(void);
WEFT_EXTERN void weft_error_clear(void);

/* ---------------------------------------------------------------- values */

/* A reference to another node's output (weft_value_ref), the type of the
 * values that wire nodes together in node inputs and dynamic-node results.
 * Never reaches an op or a hash: the engine replaces it by the output. */
#define WEFT_T_REF ((weft_type)50)

WEFT_EXTERN weft_value *weft_value_null(void);
WEFT_EXTERN weft_value *weft_value_bool(int b);
WEFT_EXTERN weft_value *weft_value_int(int64_t i);
WEFT_EXTERN weft_value *weft_value_float(double d);
WEFT_EXTERN weft_value *weft_value_string(const char *s, size_t len);
WEFT_EXTERN weft_value *weft_value_cstr(const char *s);
WEFT_EXTERN weft_value *weft_value_list(void);
WEFT_EXTERN weft_value *weft_value_map(void);
/* `hash` is 64 lowercase hex chars of the content's SHA-256. */
WEFT_EXTERN weft_value *weft_value_artifact(const char *hash, int is_dir, uint64_t size);
/* A reference to output `output` (NULL = primary) of node `node_id`. */
WEFT_EXTERN weft_value *weft_value_ref(uint32_t node_id, const char *output);
/* A reference by node name ("name" or "name.output"), bound at validation. */
WEFT_EXTERN weft_value *weft_value_ref_name(const char *name, const char *file, int line);
/* A reference to output `output` of the node named exactly `name` (node
 * names may hold dots: "count_doc00.txt"). weft_value_ref_name's
 * "name.output" means the node `name.output` when there is one, else
 * output `output` of node `name`, split at the last dot. */
WEFT_EXTERN weft_value *weft_value_ref_name_output(const char *name, const char *output, const char *file, int line);

WEFT_EXTERN weft_type weft_value_type(const weft_value *v);
WEFT_EXTERN int weft_value_get_bool(const weft_value *v);
WEFT_EXTERN int64_t weft_value_get_int(const weft_value *v);
WEFT_EXTERN double weft_value_get_float(const weft_value *v);
WEFT_EXTERN const char *weft_value_get_string(const weft_value *v, size_t *len);
WEFT_EXTERN size_t weft_value_len(const weft_value *v);
WEFT_EXTERN const weft_value *weft_value_list_at(const weft_value *v, size_t i);
WEFT_EXTERN const weft_value *weft_value_map_get(const weft_value *v, const char *key);
WEFT_EXTERN const char *weft_value_map_key_at(const weft_value *v, size_t i);
WEFT_EXTERN const weft_value *weft_value_map_value_at(const weft_value *v, size_t i);
WEFT_EXTERN const char *weft_value_artifact_hash(const weft_value *v);
WEFT_EXTERN int weft_value_artifact_is_dir(const weft_value *v);
WEFT_EXTERN uint64_t weft_value_artifact_size(const weft_value *v);
WEFT_EXTERN uint32_t weft_value_ref_node(const weft_value *v);
WEFT_EXTERN const char *weft_value_ref_output(const weft_value *v); /* NULL = primary */
WEFT_EXTERN const char *weft_value_ref_name_get(const weft_value *v); /* NULL if bound */

/* Take ownership of `item` always, even on error. */
WEFT_EXTERN int weft_value_list_push(weft_value *list, weft_value *item);
WEFT_EXTERN int weft_value_map_set(weft_value *map, const char *key, weft_value *item);

WEFT_EXTERN weft_value *weft_value_copy(const weft_value *v);
WEFT_EXTERN void weft_value_free(weft_value *v);
WEFT_EXTERN int weft_value_equal(const weft_value *a, const weft_value *b);

/* Canonical hash: SHA-256 over the canonical encoding, 64 hex chars + NUL.
 * Maps hash in key order, floats by IEEE bits (-0 folded to 0), artifacts by
 * content hash. Fails on refs: they must be resolved first. */
WEFT_EXTERN int weft_value_hash(char out[65], const weft_value *v);
/* JSON round trip. Artifacts are {"$artifact": hash, "dir": b, "size": n}. */
WEFT_EXTERN char *weft_value_to_json(const weft_value *v, int pretty);
WEFT_EXTERN int weft_value_from_json(weft_value **out, const char *json, size_t len, char *err, size_t errlen);
/* Parses text as YAML into a value (for params files). */
WEFT_EXTERN int weft_value_from_yaml(weft_value **out, const char *text, size_t len, const char *filename);
/* Short human-readable rendering for logs. Caller frees. */
WEFT_EXTERN char *weft_value_preview(const weft_value *v, size_t max);

/* ---------------------------------------------------------------- engine */

typedef struct weft_engine weft_engine;

typedef struct weft_engine_options {
	unsigned int version; /* WEFT_ENGINE_OPTIONS_VERSION */
	const char *store_dir; /* where .weft lives; required */
	const char *plugin_path; /* ':'-separated extra plugin dirs, may be NULL */
	int load_builtin_plugins; /* search the compiled-in plugin dir */
	/* Out-of-process execution: the program that serves `EXE worker`
	 * (NULL: every op runs in-process on the thread pool). */
	const char *worker_exe;
	/* Plugins loaded from this directory are trusted to run in-process;
	 * ops of any other plugin run in workers unless a node says otherwise. */
	const char *trusted_plugin_dir;
	/* Version 2. weft's Python package (the directory holding weft/), which
	 * Python ops import; NULL: the one this engine was built with. */
	const char *python_dir;
} weft_engine_options;
#define WEFT_ENGINE_OPTIONS_VERSION 2
#define WEFT_ENGINE_OPTIONS_INIT {WEFT_ENGINE_OPTIONS_VERSION, NULL, NULL, 1, NULL, NULL, NULL}
struct weft_run_options;
struct weft_node_opts;
/* The same as the INIT macros, for callers that cannot use an initialiser
 * (other languages' bindings, options on the heap). */
WEFT_EXTERN void weft_engine_options_init(weft_engine_options *o);
WEFT_EXTERN void weft_run_options_init(struct weft_run_options *o);
WEFT_EXTERN void weft_node_opts_init(struct weft_node_opts *o);

WEFT_EXTERN int weft_engine_new(weft_engine **out, const weft_engine_options *opts);
WEFT_EXTERN void weft_engine_free(weft_engine *eng);
/* Writes what the engine keeps for later processes (the stat cache of
 * input hashes); weft_engine_free does it too. A process about to exit may
 * call this instead of weft_engine_free: returning a million nodes'
 * memory piece by piece takes seconds, and the exit returns it at once. */
WEFT_EXTERN void weft_engine_flush(weft_engine *eng);
WEFT_EXTERN const char *weft_engine_store_dir(const weft_engine *eng);
/* The run's output directory: where a relative path an op writes
 * (parameters of type WEFT_T_PATH_OUT, such as core.export's path) lands.
 * The directory the engine was created in until set; set it before nodes
 * are added. A run records it, and a resume sets it back. */
WEFT_EXTERN int weft_engine_set_out_dir(weft_engine *eng, const char *dir);
/* A hint that a run of the graph about to be built follows, as a rerun
 * with nothing to do may: the engine then makes nodes' cache keys and
 * lookups on a thread of its own while they are being added. The results
 * are the same without; set it before nodes are added. `weft run` and
 * `weft resume` turn it on unless given --force or -j 1. */
WEFT_EXTERN void weft_engine_set_lookahead(weft_engine *eng, int on);
WEFT_EXTERN const char *weft_engine_out_dir(const weft_engine *eng);

/* Loads one plugin .so; refuses ABI major mismatches and duplicate ops. */
WEFT_EXTERN int weft_engine_load_plugin(weft_engine *eng, const char *path);

/* Imports a file or directory into the store, using the stat cache so an
 * unchanged file is not re-read. `*out` is a new artifact value. */
WEFT_EXTERN int weft_engine_import(weft_value **out, weft_engine *eng, const char *path);
/* For code that runs long on the run's own thread (a dynamic node's script):
 * call it a few times a second. It keeps the run current (Ctrl-C seen,
 * other nodes' timeouts, the journal, `weft status`) and returns
 * WEFT_ECANCELLED, with the message set, once the run is interrupted: stop
 * then. Outside a run it does nothing and returns WEFT_OK. */
WEFT_EXTERN int weft_engine_yield(weft_engine *eng);
/* Stores `len` bytes as a file artifact (the same value importing a file
 * with that content gives). `*out` is a new artifact value. */
WEFT_EXTERN int weft_engine_import_bytes(weft_value **out, weft_engine *eng, const void *data, size_t len);
/* The same for content that arrives in pieces and should not be held whole
 * (a large file read from a git revision): open, write the pieces, then
 * finish (a new file artifact in `*out`) or abort. Both free `im`. */
typedef struct weft_import weft_import;
WEFT_EXTERN int weft_engine_import_open(weft_import **im, weft_engine *eng);
WEFT_EXTERN int weft_import_write(weft_import *im, const void *data, size_t len);
WEFT_EXTERN int weft_import_finish(weft_value **out, weft_import *im);
WEFT_EXTERN void weft_import_abort(weft_import *im);
/* Reads an artifact's bytes (files only, verified). Caller frees `*data`. */
WEFT_EXTERN int weft_engine_read_artifact(char **data, size_t *len, weft_engine *eng, const weft_value *art);
/* The read-only path of an artifact in the store (a file, or a directory
 * tree checked out of it), after verifying its content. Caller frees. */
WEFT_EXTERN int weft_engine_artifact_path(char **path, weft_engine *eng, const weft_value *art);

/* Op introspection for `weft ops` and validation messages. */
typedef struct weft_op_info {
	const char *plugin;
	const char *plugin_path;
	const char *plugin_version;
	const char *full_name; /* plugin.op */
	const weft_op_desc *desc;
	int trusted; /* from the trusted plugin dir: may run in-process */
} weft_op_info;
/* The loaded plugins, in load order. */
typedef struct weft_plugin_info {
	const char *name, *version, *license, *description, *path;
	unsigned abi_major, abi_minor;
	size_t n_ops;
	const weft_plugin_desc *desc;
} weft_plugin_info;
WEFT_EXTERN size_t weft_engine_plugin_count(const weft_engine *eng);
WEFT_EXTERN int weft_engine_plugin_at(weft_plugin_info *out, const weft_engine *eng, size_t i);

WEFT_EXTERN size_t weft_engine_op_count(const weft_engine *eng);
WEFT_EXTERN const weft_op_info *weft_engine_op_at(const weft_engine *eng, size_t i);
WEFT_EXTERN const weft_op_info *weft_engine_op_find(const weft_engine *eng, const char *full_name);

/* ---------------------------------------------------------------- resources */

/*
 * The pools a run schedules against. Counted pools (cpus, mem in bytes, any
 * named resource such as a licence count) only limit the amount in use;
 * device pools (gpu, npu, or any pool declared as a list of ids) hand each
 * node specific device ids, exported to its worker as CUDA_VISIBLE_DEVICES
 * (gpu), ASCEND_RT_VISIBLE_DEVICES (npu) or WEFT_<NAME>_IDS. docs/workers.md
 * describes the model.
 */
typedef struct weft_resources weft_resources;

WEFT_EXTERN int weft_resources_new(weft_resources **out);
WEFT_EXTERN void weft_resources_free(weft_resources *r);
/* Declares (or redeclares) counted pool `name` with `capacity` units.
 * `source` says where the figure came from, for `weft resources`. */
WEFT_EXTERN int weft_resources_set(weft_resources *r, const char *name, uint64_t capacity, const char *source);
/* Declares device pool `name` holding the devices `ids` (copied). */
WEFT_EXTERN int weft_resources_set_devices(weft_resources *r, const char *name, const char *const *ids, size_t n,
			       const char *source);
/* Non-zero if pool `name` is declared. */
WEFT_EXTERN int weft_resources_has(const weft_resources *r, const char *name);
/* Units (or devices) in pool `name`; 0 if it is not declared. */
WEFT_EXTERN uint64_t weft_resources_capacity(const weft_resources *r, const char *name);
/* Declares the pools of a weft.yaml `resources:` map. An integer is a
 * count (for gpu and npu: devices 0..N-1), a string a size ("64G"), a list
 * the ids of a device pool. Errors name `file` and the key. */
WEFT_EXTERN int weft_resources_load(weft_resources *r, const weft_value *map, const char *file);
/* Declares what is not declared yet from the machine: gpu from
 * CUDA_VISIBLE_DEVICES, else `nvidia-smi -L` (run only when the gpu pool
 * is first looked at: by has, capacity, describe, value or a run's node
 * that asks for a GPU); npu from ASCEND_RT_VISIBLE_DEVICES; cpus from the
 * online cores; mem from the physical memory. */
WEFT_EXTERN int weft_resources_detect(weft_resources *r);
/* One line per pool ("gpu  2 devices: 0,1  (weft.yaml)"). Caller frees. */
WEFT_EXTERN char *weft_resources_describe(const weft_resources *r);
/* The same as a value: a list of {name, capacity, source, devices: [ids] or
 * null, env}. Caller frees. */
WEFT_EXTERN weft_value *weft_resources_value(const weft_resources *r);
/* Parses "512", "64K", "1.5G", "2GiB" into bytes (powers of 1024). */
WEFT_EXTERN int weft_parse_size(uint64_t *out, const char *s);

/* ---------------------------------------------------------------- graph */

typedef struct weft_node_opts {
	unsigned int version;
	const char *file; /* script location, for messages */
	int line;
	uint32_t cpus; /* 0 = op default */
	uint64_t mem_bytes; /* 0 = op default */
	int isolate; /* 1: run in a worker process, -1: in-process, 0: by plugin trust */
	/* Version 2. Other pools (gpu, npu, any pool of weft.yaml): parallel
	 * arrays, copied by the graph. */
	const char *const *res_names;
	const uint64_t *res_amounts;
	size_t n_res;
	double timeout;   /* seconds; 0 = none. Cancel, then kill after the grace period */
	uint32_t retries; /* further attempts after a failure; the op must be retryable */
	double backoff;   /* seconds before the first retry, doubling; 0 = 1 s */
	/* Version 3. LLM settings over the run's (a map; see
	 * weft_llm_config_check); NULL: the run's. Copied by the graph. */
	const weft_value *llm;
	/* Version 4. What happens to the node's checkpoints once it has
	 * succeeded: WEFT_CHECKPOINTS_DROP (the default: its result is cached),
	 * _LAST (keep the newest of each name) or _KEEP (keep all). */
	int checkpoints;
	/* Version 5. Where it runs: WEFT_EXECUTOR_DEFAULT (the run's),
	 * _LOCAL (this machine even when the run uses a cluster) or _SLURM;
	 * and its Slurm settings over weft.yaml's (a map: partition, time,
	 * account, qos, flags; NULL: none). Copied by the graph. */
	int executor;
	const weft_value *slurm;
} weft_node_opts;
enum { WEFT_CHECKPOINTS_DROP = 0, WEFT_CHECKPOINTS_LAST = 1, WEFT_CHECKPOINTS_KEEP = 2 };
enum { WEFT_EXECUTOR_DEFAULT = 0, WEFT_EXECUTOR_LOCAL = 1, WEFT_EXECUTOR_SLURM = 2 };
#define WEFT_NODE_OPTS_VERSION 5
#define WEFT_NODE_OPTS_INIT {WEFT_NODE_OPTS_VERSION, NULL, 0, 0, 0, 0, NULL, NULL, 0, 0, 0, 0, NULL, 0, 0, NULL}

/* The options every node takes beside its op's parameters and inputs
 * (name, cpus, mem, gpu, npu, resources, timeout, retries, backoff,
 * isolate, llm, checkpoints, inputs), in the order `weft ops` lists them. A plugin may not
 * name a parameter so. Static; never freed. */
typedef struct weft_node_option {
	const char *key;
	const char *kind; /* what it takes: "integer", "size", "duration", ... */
	const char *doc;
} weft_node_option;
WEFT_EXTERN size_t weft_node_option_count(void);
WEFT_EXTERN const weft_node_option *weft_node_option_at(size_t i);
WEFT_EXTERN int weft_node_option_is(const char *key);

/* Adds an op node from everything a front-end was given for it, in one
 * map: the op's parameters and inputs by name, an `inputs` map, and the
 * node options. The engine tells them apart by the op's descriptor; a key
 * that is none of them is an error naming file:line, the node and the
 * closest name it could have meant. `args` is borrowed (copied). */
WEFT_EXTERN int weft_graph_add_node(uint32_t *out_id, weft_engine *eng, const char *op, const weft_value *args,
			const char *file, int line);
/* As weft_graph_add_node, but `args` is taken over (freed, even on failure)
 * instead of copied: its values move into the node as they are. */
WEFT_EXTERN int weft_graph_add_node_take(uint32_t *out_id, weft_engine *eng, const char *op, weft_value *args,
			     const char *file, int line);

/* Adds an op node. `params` (map of literals) and `inputs` (map; values may
 * contain refs) are taken over by the graph even on failure. Params are
 * validated now against the op's schema; refs are checked in validate. */
WEFT_EXTERN int weft_graph_add_op(uint32_t *out_id, weft_engine *eng, const char *name, const char *op,
		      weft_value *params, weft_value *inputs, const weft_node_opts *opts);

/*
 * A dynamic node runs `fn` on the engine's loop thread once its inputs are
 * ready. `fn` gets the resolved inputs (borrowed) and returns in `*out` a
 * value that may contain refs to nodes it added meanwhile; the node finishes
 * when those are done. `identity` (source fingerprint and captured values)
 * enters the node's cache key.
 */
typedef int (*weft_dynamic_fn)(weft_value **out, weft_engine *eng, uint32_t node_id,
			       const weft_value *inputs, void *payload);
WEFT_EXTERN int weft_graph_add_dynamic(uint32_t *out_id, weft_engine *eng, const char *name, weft_value *inputs,
			   const void *identity, size_t identity_len, weft_dynamic_fn fn, void *payload,
			   void (*payload_free)(void *), const weft_node_opts *opts);

/* Binds name refs, checks outputs exist and the graph is acyclic. */
WEFT_EXTERN int weft_graph_validate(weft_engine *eng);
WEFT_EXTERN size_t weft_graph_node_count(const weft_engine *eng);
WEFT_EXTERN const char *weft_graph_node_name(const weft_engine *eng, uint32_t id);
WEFT_EXTERN int weft_graph_find(uint32_t *out_id, const weft_engine *eng, const char *name);
/* Name of the node currently being expanded by a dynamic fn, or NULL. */
WEFT_EXTERN const char *weft_graph_current_parent(const weft_engine *eng);
/* Writes the graph in Graphviz DOT form; caller frees. */
WEFT_EXTERN char *weft_graph_dot(const weft_engine *eng);
/* The graph as JSON: [{name, kind, op, deps: [names], source}]; caller frees. */
WEFT_EXTERN char *weft_graph_json(const weft_engine *eng);
/* Static signatures of every node (validates first): each hashes the op,
 * its version, the params and the inputs, with references replaced by the
 * referenced node's signature. Equal signatures in two graphs mean nothing
 * upstream of the node differs. `out` holds weft_graph_node_count entries. */
WEFT_EXTERN int weft_graph_signatures(char (*out)[65], weft_engine *eng);
/* A node's op (NULL for a dynamic node), params and input template
 * (references unresolved); borrowed. */
WEFT_EXTERN const weft_op_info *weft_graph_node_op(const weft_engine *eng, uint32_t id);
WEFT_EXTERN const weft_value *weft_graph_node_params(const weft_engine *eng, uint32_t id);
WEFT_EXTERN const weft_value *weft_graph_node_inputs(const weft_engine *eng, uint32_t id);

/* ---------------------------------------------------------------- runs */

typedef enum weft_node_status {
	WEFT_NODE_PENDING = 0,
	WEFT_NODE_RUNNING,
	WEFT_NODE_DONE,    /* executed in this run */
	WEFT_NODE_CACHED,  /* taken from the action cache */
	WEFT_NODE_RESUMED, /* finished by an earlier attempt of this run */
	WEFT_NODE_FAILED,
	WEFT_NODE_SKIPPED, /* an upstream node failed */
	WEFT_NODE_EXPANDED, /* dynamic node that added nodes */
	WEFT_NODE_WOULD_RUN = 101 /* in a plan: it would run */
} weft_node_status;
WEFT_EXTERN const char *weft_node_status_name(weft_node_status s);

typedef struct weft_event {
	int kind; /* WEFT_EV_* */
	const char *node;
	weft_node_status status;
	double elapsed;
	const char *message;
	/* Totals so far. */
	size_t total, done, cached, running, failed;
	/* WEFT_EV_PROGRESS: the longest-running node that reported progress
	 * (api->progress, weft.progress in Python), or NULL. Borrowed. */
	const char *progress_node;
	double progress; /* 0..1 */
	const char *progress_msg;
	/* WEFT_EV_PROGRESS: the names of the running nodes, the longest-running
	 * first, comma-separated, at most three and "+N" (NULL: none). */
	const char *running_names;
} weft_event;
enum { WEFT_EV_START = 1, WEFT_EV_FINISH = 2, WEFT_EV_LOG = 3, WEFT_EV_PROGRESS = 4 };

typedef struct weft_run_options {
	unsigned int version;
	int jobs;          /* parallel node slots; 0 = number of cores */
	int keep_going;    /* run independent branches after a failure */
	const char *pipeline; /* script path, for the record */
	const weft_value *params; /* effective params, for the record */
	const char *resume_id; /* continue this run instead of starting one */
	int plan_only;     /* dry run: decide cached/would-run, execute nothing */
	void (*on_event)(const weft_event *ev, void *payload);
	void *payload;
	/* Set to non-zero (e.g. from a signal) to stop scheduling and drain. */
	volatile int *interrupt;
	/* Execute every node even if cached (results are still stored). */
	int force;
	/* Version 2. The pools to schedule against (borrowed; NULL: detect
	 * them). `jobs`, when set, overrides the cpus pool. */
	const weft_resources *resources;
	/* Where nodes without an `isolate` key run: WEFT_ISOLATE_PLUGINS
	 * (third-party plugins and device nodes in workers), _ALL, _NONE. */
	int isolation;
	/* Seconds a cancelled node (Ctrl-C, timeout) has to stop before its
	 * worker is killed; 0 = 10 s. */
	double grace;
	/* Write runs/ID/live.json for `weft status` while the run goes on. */
	int live_status;
	/* Where the pipeline came from (repository, commit, files read), kept
	 * in the journal header and the record under "git". Borrowed; may be
	 * NULL. */
	const weft_value *provenance;
	/* Version 3. The LLM endpoint ops reach through api->llm_chat
	 * (weft.yaml `llm:`; see weft_llm_config_check); NULL: none, every op
	 * uses its rule. Borrowed. */
	const weft_value *llm;
	/* Version 4. Where nodes run unless they say otherwise:
	 * WEFT_EXECUTOR_LOCAL (0 reads as local) or WEFT_EXECUTOR_SLURM; and the
	 * Slurm settings (weft.yaml `slurm:`; see weft_slurm_config_check),
	 * used when any node runs on Slurm. Borrowed. */
	int executor;
	const weft_value *slurm;
	/* Version 5. Run only what these nodes need (they and everything they
	 * depend on, and what dynamic nodes among them add); the other nodes
	 * stay pending. NULL / 0: every node. Names are checked first. */
	const char *const *targets;
	size_t n_targets;
	/* Execute these nodes even if cached (`force` does it for all). */
	const char *const *force_nodes;
	size_t n_force_nodes;
	/* Version 6. The params that were given (-p, --params) rather than
	 * defaulted, with their values, for the record: `weft blame` replays
	 * history with these, so each commit's own defaults apply. Borrowed;
	 * NULL: unknown (every param counts as given). */
	const weft_value *params_given;
} weft_run_options;
#define WEFT_RUN_OPTIONS_VERSION 6
/* Every field zero (defaults) but the version. */
#define WEFT_RUN_OPTIONS_INIT {.version = WEFT_RUN_OPTIONS_VERSION}
enum { WEFT_ISOLATE_PLUGINS = 0, WEFT_ISOLATE_ALL = 1, WEFT_ISOLATE_NONE = -1 };

typedef struct weft_run_summary {
	char run_id[64];
	size_t total, executed, cached, resumed, failed, skipped;
	int interrupted;
	double wall_seconds;
} weft_run_summary;

/* Exit statuses the CLI maps results to. */
enum { WEFT_EXIT_OK = 0, WEFT_EXIT_FAILED = 1, WEFT_EXIT_USAGE = 2, WEFT_EXIT_INTERRUPTED = 130 };

/* Runs the validated graph. Returns WEFT_OK if the run finished (possibly
 * with failed nodes: see the summary), an error if it could not run. */
WEFT_EXTERN int weft_engine_run(weft_run_summary *out, weft_engine *eng, const weft_run_options *opts);

/* After a run or plan: a node's status (weft_node_status; in a plan,
 * WEFT_NODE_WOULD_RUN) and why it ran or would run (may be NULL). */
WEFT_EXTERN int weft_graph_node_status(const weft_engine *eng, uint32_t id);
WEFT_EXTERN const char *weft_graph_node_reason(const weft_engine *eng, uint32_t id);
/* During or after a run: the seconds node `id`'s result took to compute:
 * measured when it ran in this run, the cache entry's when it was a hit
 * (so the same on a rerun); 0 before it finished. */
WEFT_EXTERN double weft_graph_node_elapsed(const weft_engine *eng, uint32_t id);
/* After a run: why node `id` failed, or NULL. Borrowed until the next run. */
WEFT_EXTERN const char *weft_graph_node_error(const weft_engine *eng, uint32_t id);

/* After a run: the value of output `output` (NULL = primary) of node
 * `id`, or NULL if it has none. Borrowed until the engine is freed. */
WEFT_EXTERN const weft_value *weft_graph_node_output(const weft_engine *eng, uint32_t id, const char *output);

/* After a run: a copy of `tmpl` with every node reference replaced by that
 * node's output value. Fails if a referenced node has no result. */
WEFT_EXTERN int weft_graph_resolve(weft_value **out, const weft_engine *eng, const weft_value *tmpl);

/* Reading runs back (the list, records, the live view): weft/run.h. */

/* Checks an LLM setting map (weft.yaml `llm:`, a node's `llm`): url, model,
 * api_key_env, temperature, max_tokens, timeout, retries. An unknown key
 * or a wrong type is an error naming `where` and the closest key. */
WEFT_EXTERN int weft_llm_config_check(const weft_value *config, const char *where);

/* Checks a Slurm setting map (weft.yaml `slurm:`; docs/cluster.md). An
 * unknown key or a wrong value is an error naming `where` and the key. */
WEFT_EXTERN int weft_slurm_config_check(const weft_value *config, const char *where);

/* For front-ends while a run goes on (a dynamic node's function): asks the
 * run's LLM as api->llm_chat does for an op (the same request and response
 * maps, the same cache), counting the call on the dynamic node being
 * expanded. WEFT_ENOTFOUND without an endpoint or outside a run. */
WEFT_EXTERN int weft_engine_llm_chat(weft_value **response, weft_engine *eng, const weft_value *request);

/* ---------------------------------------------------------------- cache */

typedef struct weft_cache_stats {
	size_t objects;
	uint64_t object_bytes;
	size_t entries; /* action cache entries */
	size_t runs;
	size_t checkpoints;        /* committed checkpoint manifests */
	uint64_t checkpoint_bytes; /* the objects they name (also in object_bytes) */
} weft_cache_stats;

typedef struct weft_gc_result {
	uint64_t bytes_before, bytes_after, bytes_removed;
	size_t objects_removed, objects_protected, entries_removed;
	size_t checkpoints_removed; /* manifests whose object was removed */
} weft_gc_result;

WEFT_EXTERN int weft_cache_stats_get(weft_cache_stats *out, const char *store_dir);
/* Deletes least-recently-used objects until the store is at most
 * `max_bytes`, never touching objects the newest run of any pipeline
 * references, nor the checkpoints of nodes that have not finished (what
 * their resume starts from). With `dry_run`, only reports. */
WEFT_EXTERN int weft_cache_gc(weft_gc_result *out, const char *store_dir, uint64_t max_bytes, int dry_run);

typedef struct weft_prune_result {
	size_t runs_removed, runs_kept;
	size_t unfinished_kept; /* runs without a record: resumable, never removed */
} weft_prune_result;
/* Removes every finished run but the `keep` newest: its directory (record,
 * journal, logs) and its Slurm job and work directories. Runs without a
 * record may still be resumed and are kept. Objects they referenced are
 * left to weft_cache_gc. With `dry_run`, only counts. */
WEFT_EXTERN int weft_runs_prune(weft_prune_result *out, const char *store_dir, size_t keep, int dry_run);

#ifdef __cplusplus
}
#endif
#endif
