/*
 * jsonio.h -- JSON artifacts for the in-tree plugins (jansson): the one
 * place their ops write a JSON output and read a JSON input. Everything
 * else an op needs is in the SDK's weft/ophelp.h.
 */
#ifndef WEFT_PLUGINS_JSONIO_H
#define WEFT_PLUGINS_JSONIO_H

#include <jansson.h>
#include <stddef.h>

#include <weft/ophelp.h>

/* Writes j to WORKDIR/file and sets it as output `name`. Steals j. */
int wop_set_json(weft_op_ctx *ctx, const weft_host_api *api, const char *name, const char *file, json_t *j);
/* The same with every number written to full precision (17 digits): for
 * files whose numbers are read back and must not move (fitted thresholds). */
int wop_set_json_exact(weft_op_ctx *ctx, const weft_host_api *api, const char *name, const char *file, json_t *j);
/* Input `name` parsed as JSON (new reference), or NULL with err set: empty
 * when the input is not a file artifact, the parser's message when it is
 * not JSON, and what was found when its "format" is not `format` (NULL:
 * any JSON). */
json_t *wop_input_json(weft_op_ctx *ctx, const weft_host_api *api, const char *name, const char *format, char *err,
		       size_t errlen);

/* A weft value as jansson (new reference; NULL for NULL or on failure),
 * and back (NULL on failure); for ops that work on JSON values in C. */
json_t *wop_value_to_json(const weft_host_api *api, const weft_value *v);
weft_value *wop_value_from_json(const weft_host_api *api, const json_t *j);

#endif
