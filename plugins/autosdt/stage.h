/*
 * stage.h -- what every autosdt stage shares: JSONL artifacts (one file
 * record per line), the plugin's share directory and interpreter, and
 * running share/autosdt/sdt.py, the Python-syntax side of the stages.
 */
#ifndef AUTOSDT_STAGE_H
#define AUTOSDT_STAGE_H

#include <jansson.h>
#include <stddef.h>

#include <weft/ophelp.h>

/* Reads a JSONL file into an array (new reference), at most `max_bytes`
 * in all; NULL with err naming the file and line. */
json_t *sdt_jsonl_read(const char *path, size_t max_bytes, char *err, size_t errlen);
/* Writes the array's objects one per line to path.tmp and renames it. */
int sdt_jsonl_write(const char *path, json_t *arr, char *err, size_t errlen);

/* Reads input `name` (a JSONL artifact) or fails the op. */
json_t *sdt_input_jsonl(weft_op_ctx *ctx, const weft_host_api *api, const char *name);
/* Writes arr (stolen) as WORKDIR/file and sets it as output `name`. */
int sdt_output_jsonl(weft_op_ctx *ctx, const weft_host_api *api, const char *name, const char *file, json_t *arr);
/* Sets output `name` to a JSON value (stolen). */
int sdt_output_value(weft_op_ctx *ctx, const weft_host_api *api, const char *name, json_t *v);

/* o[k] as a string, "" when absent or not a string (borrowed). */
const char *sdt_str(json_t *o, const char *k);

/* For sdt_run_opts.cancelled: `arg` is {ctx, api}. */
int sdt_op_cancelled(void *arg);

/* The interpreter the tasks run under: the op's `python` param, else
 * $WEFT_PYTHON, else python3. */
const char *sdt_python(weft_op_ctx *ctx, const weft_host_api *api);

/* The path of share/autosdt/sdt.py beside the plugin's .so, or NULL. */
const char *sdt_helper_path(char *buf, size_t len);

/* Runs `sdt.py CMD ARGS...` (NULL-terminated) under `python` with the op's
 * log as its stdout and stderr, cancellable. WEFT_OK, or the op failed. */
int sdt_helper_run(weft_op_ctx *ctx, const weft_host_api *api, const char *python, const char *cmd,
		   const char *const *args);

/* The JSON Schema of an answer that is a whole program: {explanation,
 * code}, both strings (AutoSDT's CodeResponse; adapt and fix ask for it).
 * New reference. */
json_t *sdt_code_schema(void);

/* Calls the LLM with {messages: [system, user], schema}; returns the
 * answer's JSON (new reference) or NULL, with *why saying why not and
 * *no_endpoint set when none is configured. */
json_t *sdt_llm_json(weft_op_ctx *ctx, const weft_host_api *api, const char *system, const char *user,
		     json_t *schema, double temperature, char *why, size_t whylen, int *no_endpoint);

#endif
