/*
 * pyrun.h -- running a Python function as an op's body (docs/python-ops.md).
 */
#ifndef WEFT_PYRUN_H
#define WEFT_PYRUN_H

#include "context.h"
#include "weft/plugin.h"

/* The interpreter a Python op of these params uses: the node's `python`
 * param, else $WEFT_PYTHON, else "python3". Borrowed or static. */
const char *weft_py_interpreter(const weft_value *params);

/* What of the interpreter enters a key: its sys.version and sys.prefix
 * (a venv is another interpreter), asked once per engine. Borrowed. */
int weft_py_identity(weft_engine *eng, const char *interpreter, const char **out);

/* A hash over every file below a plugin's share directory (its Python
 * bodies, their modules, their data), or the hash of nothing when it has
 * none; once per plugin per engine. */
int weft_py_plugin_hash(weft_engine *eng, const char *plugin_path, const char *plugin, const char **out);

/* The plugin's share directory: share/<plugin>/ beside its .so. */
char *weft_py_share_dir(const char *plugin_path, const char *plugin);

/* Calls `fn` of `script` with `args` (a map; artifacts become paths; NULL:
 * the node's params and inputs) as keyword arguments, in a child Python
 * process, and sets the ctx's outputs from what it returns. Serves its
 * progress, log and checkpoint requests meanwhile; a cancel of the op
 * sends it SIGTERM, then SIGKILL after WEFT_PY_GRACE seconds. */
#define WEFT_PY_GRACE 10.0
int weft_py_run(weft_op_ctx *ctx, const char *script, const char *fn, const weft_value *args);

/* Frees the engine's memo of interpreters and plugin hashes. */
void weft_py_free(weft_engine *eng);

#endif
