/*
 * agentmsg.h -- the agents' messages. A message is a map {type, from, body,
 * refs}: `body` is typed JSON, checked by its receiver against the required
 * keys of its type (plan, pages, apis, blueprint, program, records,
 * verdict), and `refs` holds artifacts of the store by reference. An
 * agent's inbox is its input "inbox": the messages routed to it.
 */
#ifndef AUTODATA_AGENTMSG_H
#define AUTODATA_AGENTMSG_H

#include <jansson.h>
#include <weft/ophelp.h>

/* The newest message of `type` in the inbox, or NULL. */
const weft_value *adt_inbox_get(weft_op_ctx *ctx, const weft_host_api *api, const char *type);
/* Its body, checked against its type; NULL (and the op failed, naming the
 * node and what is missing) when the inbox lacks it or it is malformed. */
json_t *adt_need_body(weft_op_ctx *ctx, const weft_host_api *api, const char *type);
/* Artifact `ref` of the newest `type` message: its path, or its value. */
const char *adt_ref_path(weft_op_ctx *ctx, const weft_host_api *api, const char *type, const char *ref);
const weft_value *adt_ref_value(weft_op_ctx *ctx, const weft_host_api *api, const char *type, const char *ref);
/* Seconds on a monotonic clock. */
double adt_now(void);
/* Sets output "message": {type, from, body, refs}. Steals body, and adds
 * the seconds since `t0` to it; then name/value pairs of refs (values
 * copied), NULL-terminated. */
int adt_send(weft_op_ctx *ctx, const weft_host_api *api, double t0, const char *type, json_t *body, ...);
/* Imports a file or directory of the work dir as output `name`; a copy of
 * its value in *out (the caller frees it). */
int adt_set_artifact(weft_op_ctx *ctx, const weft_host_api *api, const char *name, const char *path,
		     const weft_value **out);
/* Records as JSON Lines: written whole or not at all; read with the line
 * named on error. */
int adt_write_jsonl(const char *path, json_t *records);
json_t *adt_read_jsonl(const char *path, char *err, size_t errlen);

/* The agents in outputs.c. */
weft_op_run_fn adt_run_export, adt_run_report;

#endif
