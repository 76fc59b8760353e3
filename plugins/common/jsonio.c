/*
 * jsonio.c -- see jsonio.h.
 */
#define _GNU_SOURCE
#include "jsonio.h"

#include <stdio.h>
#include <string.h>

static int set_json(weft_op_ctx *ctx, const weft_host_api *api, const char *name, const char *file, json_t *j,
		    int digits)
{
	char path[4096];
	if (!weft_op_workfile(ctx, api, file, path, sizeof path)) {
		json_decref(j);
		return WEFT_ERROR;
	}
	int rc = j ? json_dump_file(j, path, JSON_INDENT(1) | JSON_REAL_PRECISION(digits)) : -1;
	json_decref(j);
	if (rc != 0)
		return api->fail(ctx, "cannot write %s (out of memory or disk full)", path);
	return weft_op_set_file(ctx, api, name, path);
}

/* Writes j to WORKDIR/file and makes it output `name`. Steals j. */
int wop_set_json(weft_op_ctx *ctx, const weft_host_api *api, const char *name, const char *file, json_t *j)
{
	return set_json(ctx, api, name, file, j, 10);
}

int wop_set_json_exact(weft_op_ctx *ctx, const weft_host_api *api, const char *name, const char *file, json_t *j)
{
	return set_json(ctx, api, name, file, j, 17);
}

json_t *wop_input_json(weft_op_ctx *ctx, const weft_host_api *api, const char *name, const char *format, char *err,
		       size_t errlen)
{
	err[0] = '\0';
	const char *p = weft_op_input_path(ctx, api, name);
	if (!p)
		return NULL;
	json_error_t je;
	json_t *j = json_load_file(p, 0, &je);
	if (!j) {
		snprintf(err, errlen, "%s", je.text);
		return NULL;
	}
	const char *f = json_string_value(json_object_get(j, "format"));
	if (format && (!f || strcmp(f, format))) {
		snprintf(err, errlen, "its format is '%s', not '%s'", f ? f : "(none)", format);
		json_decref(j);
		return NULL;
	}
	return j;
}

json_t *wop_value_to_json(const weft_host_api *api, const weft_value *v)
{
	char *t = v ? api->value_to_json(v) : NULL;
	json_t *j = t ? json_loads(t, JSON_DECODE_ANY, NULL) : NULL;
	api->free(t);
	return j;
}

weft_value *wop_value_from_json(const weft_host_api *api, const json_t *j)
{
	/* 17 digits: a double survives the trip unchanged */
	char *t = j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17)) : NULL;
	weft_value *v = NULL;
	char err[128];
	if (t && api->value_from_json(&v, t, strlen(t), err, sizeof err) != WEFT_OK)
		v = NULL;
	free(t);
	return v;
}
