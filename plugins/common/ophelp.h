/*
 * ophelp.h -- small helpers over the host API that the plugins in this
 * tree share (compiled into each plugin): artifact paths, artifact and
 * JSON outputs, typed parameters.
 */
#ifndef WEFT_PLUGINS_OPHELP_H
#define WEFT_PLUGINS_OPHELP_H

#include <jansson.h>
#include <stdint.h>

#include <weft/plugin.h>

/* The content path of artifact value v, or NULL (not an artifact). */
const char *wop_path_of(weft_op_ctx *ctx, const weft_host_api *api, const weft_value *v);
/* Imports the file or directory at path and sets it as output `name`. */
int wop_set_artifact(weft_op_ctx *ctx, const weft_host_api *api, const char *name, const char *path);
/* Writes j to WORKDIR/file and sets it as output `name`. Steals j. */
int wop_set_json(weft_op_ctx *ctx, const weft_host_api *api, const char *name, const char *file, json_t *j);
/* Input `name` parsed as JSON (new reference), or NULL with err set: empty
 * when the input is not a file artifact, the parser's message when it is
 * not JSON, and what was found when its "format" is not `format` (NULL:
 * any JSON). */
json_t *wop_input_json(weft_op_ctx *ctx, const weft_host_api *api, const char *name, const char *format, char *err,
		       size_t errlen);
double wop_param_f(weft_op_ctx *ctx, const weft_host_api *api, const char *n);
int64_t wop_param_i(weft_op_ctx *ctx, const weft_host_api *api, const char *n);
const char *wop_param_s(weft_op_ctx *ctx, const weft_host_api *api, const char *n);

extern const char *const wop_out_only[];

#endif
