/*
 * weft/dsl.h -- evaluating Lua pipeline scripts into an engine's graph.
 *
 * The DSL layer is the only part of weft that knows Lua. It evaluates a
 * script in a sandbox (allow-listed globals, no clock, no unseeded
 * randomness, text chunks only, an instruction budget and a memory cap),
 * turns each verb call into weft_graph_* calls, and stays alive during the
 * run to execute dynamic nodes.
 *
 * It ships as libweft_dsl.so (pkg-config libweft-dsl), over libweft.so.
 */
#ifndef WEFT_DSL_H
#define WEFT_DSL_H

#include "weft/weft.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct weft_dsl weft_dsl;

/*
 * Where the DSL reads pipeline sources from. Without one it reads the
 * filesystem. `read` gets an absolute path and what it is for; it returns
 * WEFT_OK with malloc'd bytes in `*data` (the caller frees), WEFT_ENOTFOUND
 * when the file does not exist there, WEFT_SOURCE_FILESYSTEM to let the DSL
 * read the path itself (it is outside what the source serves), or another
 * error with the message set. `weft run --rev` serves a git revision's tree
 * this way; the CLI also uses it to note every file a pipeline read.
 */
enum { WEFT_SOURCE_SCRIPT = 0, WEFT_SOURCE_MODULE = 1, WEFT_SOURCE_FILE = 2, WEFT_SOURCE_DIR = 3 };
#define WEFT_SOURCE_FILESYSTEM 1
typedef struct weft_dsl_source {
	int (*read)(void *ctx, const char *path, int purpose, char **data, size_t *len);
	void *ctx;
	/* Optional: stores the file at `path` (weft.file) into the engine's
	 * store itself, without holding it in memory; the same returns as
	 * `read`, with a new artifact in `*out`. NULL: `read` serves files. */
	int (*import)(void *ctx, const char *path, weft_engine *eng, weft_value **out);
} weft_dsl_source;

typedef struct weft_dsl_options {
	unsigned int version;
	const char *script;        /* path to the pipeline script */
	const weft_value *cli_params;  /* map name -> string, from -p k=v */
	const weft_value *file_params; /* map from --params FILE, may be NULL */
	const char *params_file;   /* its name, for messages */
	const char *stdlib_dir;    /* NULL = built-in default */
	uint64_t mem_limit;        /* bytes; 0 = 1 GiB */
	uint64_t instr_limit;      /* VM instructions per evaluation; 0 = 2e9 */
	/* Version 2. */
	const weft_dsl_source *source; /* NULL: the filesystem; borrowed */
	/* Version 3. Wall-clock seconds per evaluation (the script, and each
	 * dynamic node's function); 0 = 30. */
	double time_limit;
} weft_dsl_options;
#define WEFT_DSL_OPTIONS_VERSION 3
#define WEFT_DSL_OPTIONS_INIT {.version = WEFT_DSL_OPTIONS_VERSION}

/* `eng` is borrowed and must outlive the dsl. */
WEFT_EXTERN int weft_dsl_new(weft_dsl **out, weft_engine *eng, const weft_dsl_options *opts);
/* Runs the script, building the graph; checks -p names were declared. */
WEFT_EXTERN int weft_dsl_eval(weft_dsl *d);
/* Effective parameters after evaluation (borrowed). */
WEFT_EXTERN const weft_value *weft_dsl_params(const weft_dsl *d);
/* Declared parameters: map name -> {default, doc} (borrowed). */
WEFT_EXTERN const weft_value *weft_dsl_param_decls(const weft_dsl *d);
/* What the script returned (borrowed; NULL if nothing): a value whose node
 * handles are references, to resolve after the run with weft_graph_resolve. */
WEFT_EXTERN const weft_value *weft_dsl_result(const weft_dsl *d);
WEFT_EXTERN void weft_dsl_free(weft_dsl *d);
/* The DSL's verbs (weft.param, weft.file, ...): name and one-line doc of
 * verb i, or NULL past the last. For editors' stubs (`weft ops --lua-stubs`). */
WEFT_EXTERN const char *weft_dsl_verb_at(size_t i, const char **doc);

#ifdef __cplusplus
}
#endif
#endif
