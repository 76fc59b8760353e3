/*
 * dsl_internal.h -- state shared by the DSL files. One weft_dsl owns one
 * lua_State; all Lua runs on the engine's loop thread.
 */
#ifndef WEFT_DSL_INTERNAL_H
#define WEFT_DSL_INTERNAL_H

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "weft/dsl.h"

#define DSL_NODE_MT "weft.node"
#define DSL_ARTIFACT_MT "weft.artifact"

struct weft_dsl {
	lua_State *L;
	weft_engine *eng;
	char *script;     /* as given */
	char *script_dir; /* absolute */
	char *script_reldir; /* as given, for messages */
	char *stdlib_dir;
	weft_value *cli_params;
	weft_value *file_params;
	char *params_file;
	weft_value *params; /* effective */
	weft_value *decls;
	uint64_t mem_used, mem_limit;
	uint64_t instr_used, instr_limit;
	double time_limit, deadline; /* seconds; monotonic deadline of this evaluation */
	double next_yield;           /* monotonic time of the next weft_engine_yield */
	int env_ref; /* registry ref of the sandbox _ENV */
	weft_value *result; /* what the script returned, node refs unresolved */
	weft_dsl_source source; /* read == NULL: the filesystem */
	weft_value *py_origins; /* artifact hash -> path, of .py files weft.file read */
	/* The argument map l_node is building. A Lua error while it is built
	 * leaves it here, to be freed by the next l_node or by weft_dsl_free:
	 * a finalised box per node cost the collector more than the node. */
	weft_value *node_args;
};


/* pymodules.c */
/* Remembers that artifact `art` was read from the Python file `abs`. */
void dsl_py_note_origin(weft_dsl *d, const weft_value *art, const char *abs);
/* For a Python op (WEFT_OP_PYTHON, declaring `modules`) whose `script` is
 * a file weft.file read and whose `modules` is not given: sets `modules`
 * in args to {name = artifact} for the script and every module it
 * imports from its own directory, so that their content is in the key. */
int dsl_py_fill_modules(weft_dsl *d, const char *opname, weft_value *args);

/* A node handle or a reference by name. Its strings live in the same
 * userdata, after it (dsl_push_handle): read-only, freed with it. */
typedef struct dsl_node {
	uint32_t id; /* UINT32_MAX for a name ref */
	const char *output;
	const char *refname;
	const char *file;
	int line;
} dsl_node;

/* sandbox.c */
int dsl_sandbox_open(weft_dsl *d);
/* Calls the function on top of the stack with `nargs` args below it... in
 * protected mode with a traceback handler; leaves `nres` results. */
int dsl_pcall(weft_dsl *d, int nargs, int nres);
int dsl_load_file(weft_dsl *d, const char *path, const char *chunkname);
/* Reads a source file through the DSL's source (or the filesystem). */
int dsl_read_source(weft_dsl *d, const char *path, int purpose, char **data, size_t *len);
/* Imports a file or directory (through the source, else the filesystem)
 * as an artifact. */
int dsl_import_path(weft_dsl *d, const char *abs, int want_dir, weft_value **out);
void dsl_reset_budget(weft_dsl *d);
weft_dsl *dsl_from_state(lua_State *L);

/* convert.c */
/* Converts the Lua value at `idx`; refs are allowed iff `allow_refs`. */
int dsl_to_value(weft_value **out, lua_State *L, int idx, int allow_refs, char *err, size_t errlen);
void dsl_push_value(lua_State *L, const weft_value *v);
/* Pushes a userdata that owns `v` until unboxed, so a Lua error raised
 * while building a value cannot leak it. */
weft_value **dsl_box(lua_State *L, weft_value *v);
weft_value *dsl_unbox(weft_value **b);
void dsl_push_node(lua_State *L, uint32_t id, const char *output);
/* Pushes a handle with all its fields (a ref by name has refname, file and
 * line); the strings are copied into the handle. */
dsl_node *dsl_push_handle(lua_State *L, uint32_t id, const char *output, const char *refname, const char *file,
			  int line);
void dsl_push_artifact(lua_State *L, const weft_value *art);
dsl_node *dsl_check_node(lua_State *L, int idx);
/* Appends a deterministic fingerprint of a function (bytecode and captured
 * values, recursively) to `b`. */
int dsl_fingerprint(lua_State *L, int idx, void *buf, int depth);

/* api.c */
void dsl_register_api(weft_dsl *d);
/* Where the running script is: fills file and line of the calling frame. */
void dsl_where(lua_State *L, const char **file, int *line);

#endif
