/*
 * agentmsg.c -- see agentmsg.h.
 */
#define _GNU_SOURCE
#include "agentmsg.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonio.h"

/* ------------------------------------------------------------ messages */

/* The required body keys of each message type: its schema. */
static const struct {
	const char *type;
	const char *keys[6];
} SCHEMAS[] = {
	{"plan", {"instruction", "start", "fields", NULL}},
	{"pages", {"pages", "scope", NULL}},
	{"apis", {"calls", "documents", "endpoints", NULL}},
	{"blueprint", {"templates", "apis", "fields", NULL}},
	{"program", {"sources", "covered", NULL}},
	{"records", {"records", "sources", NULL}},
	{"verdict", {"ok", "problems", "reject", NULL}},
};

static int check_body(const char *type, json_t *body, char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof SCHEMAS / sizeof *SCHEMAS; i++) {
		if (strcmp(SCHEMAS[i].type, type))
			continue;
		for (size_t k = 0; SCHEMAS[i].keys[k]; k++)
			if (!json_object_get(body, SCHEMAS[i].keys[k])) {
				snprintf(err, errlen, "a '%s' message without '%s' in its body", type, SCHEMAS[i].keys[k]);
				return -1;
			}
		return 0;
	}
	snprintf(err, errlen, "a message of unknown type '%s'", type);
	return -1;
}

/* The newest message of `type` in input "inbox" (a list of messages, or one
 * message), or NULL. */
const weft_value *adt_inbox_get(weft_op_ctx *ctx, const weft_host_api *api, const char *type)
{
	const weft_value *in = api->input(ctx, "inbox");
	if (!in)
		return NULL;
	const weft_value *found = NULL;
	size_t n = api->value_type(in) == WEFT_T_LIST ? api->value_len(in) : 1;
	for (size_t i = 0; i < n; i++) {
		const weft_value *m = api->value_type(in) == WEFT_T_LIST ? api->value_list_at(in, i) : in;
		if (!m || api->value_type(m) != WEFT_T_MAP)
			continue;
		const weft_value *t = api->value_map_get(m, "type");
		const char *ts = t && api->value_type(t) == WEFT_T_STRING ? api->value_string(t, NULL) : NULL;
		if (ts && !strcmp(ts, type))
			found = m;
	}
	return found;
}

/* A message's body as JSON, checked against its type; NULL (and the op
 * failed) when the inbox lacks it or it is malformed. */
json_t *adt_need_body(weft_op_ctx *ctx, const weft_host_api *api, const char *type)
{
	const weft_value *m = adt_inbox_get(ctx, api, type);
	if (!m) {
		api->fail(ctx, "%s: no '%s' message in the inbox; route one to this agent (see the pipeline's routes)",
			  api->node_name(ctx), type);
		return NULL;
	}
	json_t *body = wop_value_to_json(api, api->value_map_get(m, "body"));
	char err[256];
	if (!body || check_body(type, body, err, sizeof err)) {
		api->fail(ctx, "%s: %s", api->node_name(ctx), body ? err : "a message without a body");
		json_decref(body);
		return NULL;
	}
	return body;
}

/* The path of artifact `ref` of the newest `type` message, or NULL. */
const char *adt_ref_path(weft_op_ctx *ctx, const weft_host_api *api, const char *type, const char *ref)
{
	const weft_value *m = adt_inbox_get(ctx, api, type);
	const weft_value *refs = m ? api->value_map_get(m, "refs") : NULL;
	const weft_value *a = refs ? api->value_map_get(refs, ref) : NULL;
	return a ? weft_op_path_of(ctx, api, a) : NULL;
}

const weft_value *adt_ref_value(weft_op_ctx *ctx, const weft_host_api *api, const char *type, const char *ref)
{
	const weft_value *m = adt_inbox_get(ctx, api, type);
	const weft_value *refs = m ? api->value_map_get(m, "refs") : NULL;
	return refs ? api->value_map_get(refs, ref) : NULL;
}

/* Sets output "message": {type, from, body, refs}. Steals body, and adds
 * the seconds since `t0` to it; `refs` are name/value pairs (values
 * copied), NULL-terminated. */
double adt_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int adt_send(weft_op_ctx *ctx, const weft_host_api *api, double t0, const char *type, json_t *body, ...)
{
	/* the agent's own seconds, for the report's wall time */
	json_object_set_new(body, "seconds", json_real(round((adt_now() - t0) * 1000) / 1000));
	json_t *m = json_pack("{s:s, s:s, s:o}", "type", type, "from", api->node_name(ctx), "body", body);
	weft_value *v = m ? wop_value_from_json(api, m) : NULL;
	json_decref(m);
	weft_value *refs = api->value_new_map();
	va_list ap;
	va_start(ap, body);
	for (const char *name; (name = va_arg(ap, const char *));) {
		const weft_value *r = va_arg(ap, const weft_value *);
		if (r && refs)
			api->value_map_set(refs, name, api->value_copy(r));
	}
	va_end(ap);
	if (!v || !refs || api->value_map_set(v, "refs", refs) != WEFT_OK) {
		api->value_free(v);
		return api->fail(ctx, "out of memory");
	}
	return weft_op_set_value(ctx, api, "message", v);
}

/* Imports a file or directory of the work dir as output `name`; the value
 * (borrowed from the outputs) in *out. */
int adt_set_artifact(weft_op_ctx *ctx, const weft_host_api *api, const char *name, const char *path,
			const weft_value **out)
{
	weft_value *art = NULL;
	if (api->artifact_import(&art, ctx, path) != WEFT_OK)
		return api->fail(ctx, "cannot store %s: %s", path, api->error_last());
	weft_value *copy = api->value_copy(art);
	if (api->set_output(ctx, name, art) != WEFT_OK) {
		api->value_free(copy);
		return WEFT_ERROR;
	}
	*out = copy; /* the caller frees it */
	return WEFT_OK;
}

int adt_write_jsonl(const char *path, json_t *records)
{
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *fp = fopen(tmp, "w");
	if (!fp)
		return -1;
	size_t i;
	json_t *r;
	int ok = 1;
	json_array_foreach(records, i, r)
	{
		char *s = json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(10));
		ok = ok && s && fprintf(fp, "%s\n", s) >= 0;
		free(s);
	}
	ok = fclose(fp) == 0 && ok;
	if (!ok || rename(tmp, path)) {
		remove(tmp);
		return -1;
	}
	return 0;
}

json_t *adt_read_jsonl(const char *path, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	if (!fp) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	json_t *out = json_array();
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	while (getline(&line, &cap, fp) > 0) {
		lineno++;
		json_error_t je;
		json_t *j = json_loads(line, 0, &je);
		if (!json_is_object(j)) {
			snprintf(err, errlen, "%s:%zu: not a JSON object (%s)", path, lineno, j ? "" : je.text);
			json_decref(j);
			json_decref(out);
			out = NULL;
			break;
		}
		json_array_append_new(out, j);
	}
	free(line);
	fclose(fp);
	return out;
}

