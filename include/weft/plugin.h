/*
 * weft/plugin.h -- the one header a weft plugin includes.
 *
 * A plugin is a shared object exporting one symbol, `weft_plugin_entry`. The
 * engine calls it once with the host API table and receives a descriptor that
 * lists the plugin's ops. Everything that crosses the boundary is plain C:
 * opaque handles, integers, strings, and function-pointer tables.
 *
 * Compatibility rules (the SQLite/Redis-module discipline):
 *   - Every struct starts with a size or version field so either side can tell
 *     which trailing fields exist.
 *   - weft_host_api only ever grows at the end. A plugin built against minor N
 *     runs on any host with the same major and minor >= N.
 *   - A change that breaks either rule bumps WEFT_ABI_MAJOR; the engine then
 *     refuses older plugins with a message naming both versions.
 *
 * Ownership: values handed to an op (params, inputs) are borrowed for the
 * duration of the run callback. Values the op creates are owned by the op
 * until passed to `set_output`, which takes ownership. Strings returned by the
 * host are borrowed and valid until the op returns.
 *
 * Threading: an op's run callback runs on a worker thread, several ops
 * concurrently, each with its own weft_op_ctx. Host functions taking a ctx
 * are safe from the thread running that op; `log`, `progress` and
 * `cancelled` are also safe from threads the op starts itself, and must not
 * be called after run returns. Value functions are safe on values the
 * calling thread owns or borrows. The plugin entry point and descriptors are
 * read once, on the main thread, before any op runs; descriptors must stay
 * valid (static) for as long as the plugin is loaded. An op must keep no
 * mutable global state without its own locking.
 */
#ifndef WEFT_PLUGIN_H
#define WEFT_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WEFT_ABI_MAJOR 1
#define WEFT_ABI_MINOR 10

#if defined(__GNUC__)
#define WEFT_PLUGIN_EXPORT __attribute__((visibility("default")))
#define WEFT_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define WEFT_PLUGIN_EXPORT
#define WEFT_PRINTF(a, b)
#endif

/* Result codes shared by host and plugins. */
enum {
	WEFT_OK = 0,
	WEFT_ERROR = -1,     /* generic failure, message in the error slot */
	WEFT_ENOTFOUND = -2, /* a named thing does not exist */
	WEFT_EINVALID = -3,  /* bad input: user must change something */
	WEFT_EIO = -4,       /* filesystem or process failure */
	WEFT_ECANCELLED = -5, /* the run was cancelled */
	/* From weft_op_desc.finish only, before it has done anything: its
	 * work is heavy this time (large outputs to hash), so the engine calls
	 * it again on a worker thread. Since ABI 1.9. */
	WEFT_EHEAVY = -6
};

/* Value types. Values form trees; artifacts are content-addressed files or
 * directories held in the engine's store. */
typedef enum weft_type {
	WEFT_T_NULL = 0,
	WEFT_T_BOOL = 1,
	WEFT_T_INT = 2,
	WEFT_T_FLOAT = 3,
	WEFT_T_STRING = 4,
	WEFT_T_LIST = 5,
	WEFT_T_MAP = 6,
	WEFT_T_ARTIFACT = 7,
	/* Since ABI 1.6, used only in parameter specs: a string naming a path
	 * the op writes. A relative one is made absolute against the run's
	 * output directory (`weft run --out DIR`, else the directory weft was
	 * started in) when the node is added, so the op sees, the key holds
	 * and `weft plan` shows where it will write. */
	WEFT_T_PATH_OUT = 8,
	/* Used only in parameter specs: accept any type. */
	WEFT_T_ANY = 100
} weft_type;

typedef struct weft_value weft_value;   /* opaque */
typedef struct weft_op_ctx weft_op_ctx; /* opaque, one per op invocation */

enum { WEFT_LOG_DEBUG = 0, WEFT_LOG_INFO = 1, WEFT_LOG_WARN = 2, WEFT_LOG_ERROR = 3 };

/*
 * The host API. Filled in by the engine; a plugin must check `struct_size`
 * before calling a function added after the minor version it was built for.
 */
typedef struct weft_host_api {
	uint32_t struct_size;
	uint16_t abi_major;
	uint16_t abi_minor;

	/* Memory that crosses the boundary goes through these. */
	void *(*alloc)(size_t size);
	void (*free)(void *ptr);

	/* --- op context --- */
	/* Borrowed parameter value (defaults applied), or NULL if unknown name. */
	const weft_value *(*param)(weft_op_ctx *ctx, const char *name);
	/* Borrowed input value, or NULL if the node has no such input. */
	const weft_value *(*input)(weft_op_ctx *ctx, const char *name);
	/* Map of all inputs (borrowed); for ops with variadic inputs. */
	const weft_value *(*inputs)(weft_op_ctx *ctx);
	/* Sets output `name`, taking ownership of `v` even on failure. */
	int (*set_output)(weft_op_ctx *ctx, const char *name, weft_value *v);
	/* Path of an artifact's content, verified against its hash. Read-only.
	 * For a directory artifact, a read-only directory tree. */
	int (*artifact_path)(const char **out_path, weft_op_ctx *ctx, const weft_value *artifact);
	/* Imports a file or directory at `path` into the store; `*out` is a new
	 * artifact value owned by the caller. The source is left in place. */
	int (*artifact_import)(weft_value **out, weft_op_ctx *ctx, const char *path);
	/* A fresh scratch directory owned by this invocation, removed afterwards. */
	const char *(*workdir)(weft_op_ctx *ctx);
	/* Path of this node's log file (created on demand). */
	const char *(*log_path)(weft_op_ctx *ctx);
	void (*log)(weft_op_ctx *ctx, int level, const char *fmt, ...) WEFT_PRINTF(3, 4);
	void (*progress)(weft_op_ctx *ctx, double fraction, const char *message);
	/* Non-zero once the run is being cancelled; long ops should poll it. */
	int (*cancelled)(weft_op_ctx *ctx);
	/* Records the failure message for this node; returns WEFT_ERROR. */
	int (*fail)(weft_op_ctx *ctx, const char *fmt, ...) WEFT_PRINTF(2, 3);
	/* Name of the node being run (borrowed). */
	const char *(*node_name)(weft_op_ctx *ctx);

	/* --- values --- */
	weft_type (*value_type)(const weft_value *v);
	int (*value_bool)(const weft_value *v);
	int64_t (*value_int)(const weft_value *v);
	double (*value_float)(const weft_value *v); /* ints convert */
	const char *(*value_string)(const weft_value *v, size_t *len);
	size_t (*value_len)(const weft_value *v); /* list or map length */
	const weft_value *(*value_list_at)(const weft_value *v, size_t i);
	const weft_value *(*value_map_get)(const weft_value *v, const char *key);
	const char *(*value_map_key_at)(const weft_value *v, size_t i);
	const weft_value *(*value_map_value_at)(const weft_value *v, size_t i);
	const char *(*value_artifact_hash)(const weft_value *v);

	weft_value *(*value_new_null)(void);
	weft_value *(*value_new_bool)(int b);
	weft_value *(*value_new_int)(int64_t i);
	weft_value *(*value_new_float)(double d);
	weft_value *(*value_new_string)(const char *s, size_t len);
	weft_value *(*value_new_list)(void);
	weft_value *(*value_new_map)(void);
	/* Append/insert take ownership of `item`; return WEFT_OK or an error. */
	int (*value_list_push)(weft_value *list, weft_value *item);
	int (*value_map_set)(weft_value *map, const char *key, weft_value *item);
	weft_value *(*value_copy)(const weft_value *v);
	void (*value_free)(weft_value *v);
	/* JSON text to value and back; returned string is freed with `free`. */
	int (*value_from_json)(weft_value **out, const char *json, size_t len, char *err, size_t errlen);
	char *(*value_to_json)(const weft_value *v);
	/* YAML text to value; `name` is used in error messages. */
	int (*value_from_yaml)(weft_value **out, const char *text, size_t len, const char *name);
	/* The last error message of the calling thread (after a failed call). */
	const char *(*error_last)(void);

	/* --- since ABI 1.2 (check struct_size before calling) --- */
	/* Asks the node's LLM (weft.yaml `llm:`, with a node's llm = {...} over
	 * it) for one chat completion. `request` (borrowed) is a map:
	 * messages = [{role, content}...], and optionally schema (a JSON Schema
	 * object: the answer is then JSON, checked against it and asked for
	 * again, within the retry budget, when it does not follow it),
	 * temperature, max_tokens, seed. On WEFT_OK `*response` is the
	 * caller's: {content, json (with a schema), model, cached,
	 * prompt_tokens, completion_tokens}. Every answer is cached in the
	 * store, keyed by model, messages and parameters: a rerun never asks
	 * again. WEFT_ENOTFOUND: no endpoint is configured; another error: the
	 * endpoint failed after its retries. In both cases the op must use its
	 * documented rule instead, and should say in its outputs which path
	 * ran; the run record counts both. An op that calls this declares
	 * WEFT_OP_USES_LLM, so that its cache key holds the model. */
	int (*llm_chat)(weft_op_ctx *ctx, const weft_value *request, weft_value **response);

	/* --- since ABI 1.3 (check struct_size before calling) --- */
	/* Saves checkpoint `name` (1..64 of [A-Za-z0-9_.-]) at `step` >= 0:
	 * the file or directory at `path`, which the save takes (it is moved
	 * away at once, so the op may write its next checkpoint to the same
	 * path), or, when `path` is NULL, `len` bytes at `bytes` (copied).
	 * Returns at once: a thread of the engine hashes it into the store
	 * and then commits its manifest (step, size, `layout` -- a map the op
	 * describes its state with, or NULL -- and the node's devices). Only
	 * a committed checkpoint counts. The op blocks only when it saves
	 * again before the previous save was committed; WEFT_CKPT_WAIT in
	 * `flags` waits for this one. Checkpoints belong to the node's key. */
	int (*checkpoint_save)(weft_op_ctx *ctx, const char *name, const char *path, const void *bytes, size_t len,
			       int64_t step, const weft_value *layout, unsigned flags);
	/* The newest committed checkpoint `name` of this node -- from an
	 * earlier attempt (a retry after a timeout, a resume after a kill) or
	 * from this one: a read-only path, its step, and its layout (a map
	 * holding at least `devices` and `n_devices`; compare it before
	 * loading state made on another device count). Borrowed until the op
	 * returns or calls this again. WEFT_ENOTFOUND: none yet, start from
	 * scratch. Any out-pointer may be NULL. */
	int (*checkpoint_latest)(weft_op_ctx *ctx, const char *name, const char **path, int64_t *step,
				 const weft_value **layout);
	/* Runs function `fn` of the Python file `script` (a path; a relative
	 * one is under the plugin's share directory, share/<plugin>/ beside
	 * its .so) in a child Python process, with `args` (a map, artifacts
	 * passed as paths; NULL: the node's params and inputs) as keyword
	 * arguments, and sets the op's outputs from what it returns. The
	 * function reaches progress, logs and checkpoints through `import
	 * weft`. Declare WEFT_OP_PYTHON so the key holds the interpreter and
	 * the files of the plugin's share directory. See docs/python-ops.md. */
	int (*python_run)(weft_op_ctx *ctx, const char *script, const char *fn, const weft_value *args);

	/* --- since ABI 1.5 (check struct_size before calling) --- */
	/* The plugin's own persistent cache directory, STORE/cache/<plugin>/,
	 * created on first use and shared by every node of the plugin, in every
	 * run on this store (an HTTP cache, a downloaded index). It is not part
	 * of any key: what an op reads from it must not change the op's result
	 * beyond what its inputs say, and what it writes must be written to a
	 * temporary name and renamed, because nodes run at once, and a kill can
	 * land anywhere. Entries must be checked when read. NULL (with
	 * error_last set) when it cannot be made. */
	const char *(*cache_dir)(weft_op_ctx *ctx);

	/* --- since ABI 1.7 (check struct_size before calling) --- */
	/* The CPU slots this node holds, at least 1: how many threads the op
	 * may keep busy at once. The node's `cpus` (else the op's default),
	 * scaled down to the pool; in a worker process also $WEFT_CPUS. */
	uint32_t (*cpus)(weft_op_ctx *ctx);

	/* --- since ABI 1.8 (check struct_size before calling) --- */
	/* As artifact_import, for a file the op gives up: a regular file of
	 * the node's work directory (workdir) with no other name is moved into
	 * the store instead of copied, and `path` is gone afterwards. Any
	 * other path is imported as a copy. For outputs written to be
	 * stored: a large one is then never written twice. */
	int (*artifact_adopt)(weft_value **out, weft_op_ctx *ctx, const char *path);
	/* New fields go here, at the end, only. */
} weft_host_api;

/* One declared parameter: the engine validates nodes against this table,
 * rejects unknown names, and generates `weft ops` docs from it. */
typedef struct weft_param_spec {
	const char *name;
	weft_type type;
	/* Default as JSON text ("3", "\"a\"", "[]"), or NULL for required. */
	const char *default_json;
	const char *doc;
} weft_param_spec;

enum {
	/* Same params and inputs always give the same outputs: cacheable. */
	WEFT_OP_DETERMINISTIC = 1u << 0,
	/* Accepts input names beyond those declared (e.g. shell, concat). */
	WEFT_OP_VARIADIC_INPUTS = 1u << 1,
	/* May set outputs beyond those declared. */
	WEFT_OP_VARIADIC_OUTPUTS = 1u << 2,
	/* Running it again after a failure is safe (no side effects beyond its
	 * outputs), so nodes may ask for `retries`. Since ABI 1.1. */
	WEFT_OP_RETRYABLE = 1u << 3,
	/* Runs in a worker process by default, even when its plugin is trusted
	 * (heavy native libraries, device code); a node may still say
	 * isolate = false. Since ABI 1.1. */
	WEFT_OP_ISOLATED = 1u << 4,
	/* Calls api->llm_chat: the node's cache key then holds the model and
	 * its parameters (or "none"), so a change of model reruns the node
	 * instead of serving the old model's answer. Since ABI 1.2. */
	WEFT_OP_USES_LLM = 1u << 5,
	/* Its body is Python (api->python_run): the node's key holds the
	 * interpreter's version and prefix (the `python` param when the op
	 * declares one, else $WEFT_PYTHON, else python3) and a hash of the
	 * files in the plugin's share directory. Since ABI 1.3. */
	WEFT_OP_PYTHON = 1u << 6,
	/* Its key holds its name and version but not the content of the
	 * plugin's .so: a rebuilt plugin keeps its ops' cache entries. Only for
	 * plugins that bump an op's version whenever its output could change.
	 * Without it (the default), any rebuild of the .so reruns its ops, so
	 * a fix never hides behind a stale result. Since ABI 1.4. */
	WEFT_OP_KEY_BY_VERSION = 1u << 7,
	/* Does a few microseconds of work on values it is given and never
	 * blocks (no files, no network, no waiting): in process, it runs on the
	 * scheduler's own thread, since handing it to a thread and back costs
	 * more than the op. In a worker (isolate = true) it runs as any op.
	 * Since ABI 1.8; an older engine ignores it. */
	WEFT_OP_INLINE = 1u << 8
};

/* weft_op_desc.finish flags (ABI 1.9). */
enum { WEFT_FINISH_CANCELLED = 1u << 0, WEFT_FINISH_THREAD = 1u << 1 };

/* checkpoint_save flags. */
enum { WEFT_CKPT_WAIT = 1u << 0 };

/* The child process of a split op (weft_op_desc.start and finish). The
 * engine allocates it and zeroes it (out_fd: -1) before start. */
typedef struct weft_op_proc {
	int pid;     /* the child the engine waits for */
	int group;   /* the process group a cancel signals; 0: the pid alone */
	void *state; /* the op's own, from start to finish */
	/* Since ABI 1.10 (a plugin built for 1.10 never loads on an older
	 * engine, so it may always set it): the read end of a pipe the child
	 * writes its output to, non-blocking, or -1. While the child runs the
	 * engine calls weft_op_desc.pump whenever it is readable, so a child
	 * never blocks on a full pipe; the op owns the descriptor and closes
	 * it in finish, after reading what is left. */
	int out_fd;
} weft_op_proc;

typedef struct weft_op_desc {
	uint32_t struct_size; /* sizeof(weft_op_desc) when built */
	const char *name;     /* short name; the full name is plugin.name */
	const char *version;  /* enters the cache key: bump on behaviour change */
	const char *doc;
	const weft_param_spec *params;
	size_t n_params;
	const char *const *inputs; /* declared input names */
	size_t n_inputs;
	const char *const *outputs; /* declared output names; first is primary */
	size_t n_outputs;
	uint32_t flags;     /* WEFT_OP_* */
	uint32_t cpus;      /* default CPU slots */
	uint64_t mem_bytes; /* default memory reservation, 0 = unknown */
	/* Runs the op. Return WEFT_OK, or an error after calling api->fail. */
	int (*run)(weft_op_ctx *ctx, const weft_host_api *api);
	/*
	 * Optional, both or neither (since ABI 1.9): the same op split around
	 * the one child process it waits for, so that no thread sits waiting.
	 * In process, the engine calls start on its scheduling thread: start
	 * prepares and spawns the child without waiting, and fills *proc. The
	 * engine watches the child; on a cancel it sends SIGTERM to
	 * proc->group (the pid when 0) and SIGKILL 2 s later. When the child
	 * has exited (not yet reaped), it calls finish once, also on its
	 * scheduling thread, with WEFT_FINISH_CANCELLED in `flags` if it had
	 * asked the child to stop. finish reaps the child, frees proc->state
	 * and sets the outputs (or fails, or returns WEFT_ECANCELLED). Both
	 * must be quick: a finish with heavy work to do (hashing large
	 * outputs) returns WEFT_EHEAVY before doing anything, unless `flags`
	 * holds WEFT_FINISH_THREAD, and is then called again, on a worker
	 * thread, with that flag. `run` is still required: workers, clusters
	 * and older engines call it. A start that fails leaves no child.
	 */
	int (*start)(weft_op_ctx *ctx, const weft_host_api *api, struct weft_op_proc *proc);
	int (*finish)(weft_op_ctx *ctx, const weft_host_api *api, struct weft_op_proc *proc, unsigned flags);
	/*
	 * Optional (since ABI 1.10), for a split op that sets proc->out_fd:
	 * reads what is waiting on out_fd without blocking (core.shell copies
	 * it into the node's log, which it creates at the first byte). Called
	 * on the scheduling thread, or on the one thread that waits for the
	 * child, never at the same time as start or finish. Returns 1 while
	 * more may come, 0 at end of file or on an error (the engine then
	 * stops watching out_fd). Like start and finish, it must be quick.
	 */
	int (*pump)(weft_op_ctx *ctx, const weft_host_api *api, struct weft_op_proc *proc);
} weft_op_desc;

typedef struct weft_plugin_desc {
	uint32_t struct_size;
	uint16_t abi_major; /* WEFT_ABI_MAJOR the plugin was built with */
	uint16_t abi_minor;
	const char *name;
	const char *version;
	const char *license;
	const char *description;
	const weft_op_desc *const *ops;
	size_t n_ops;
} weft_plugin_desc;

/* The entry point every plugin exports. Returns a descriptor with static
 * lifetime, or NULL if the plugin cannot run on this host. */
typedef const weft_plugin_desc *(*weft_plugin_entry_fn)(const weft_host_api *api);
#define WEFT_PLUGIN_ENTRY_SYMBOL "weft_plugin_entry"

#ifdef __cplusplus
}
#endif
#endif
