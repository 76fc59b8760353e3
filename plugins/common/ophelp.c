/*
 * ophelp.c -- see ophelp.h.
 */
#define _GNU_SOURCE
#include "ophelp.h"

#include <stdio.h>
#include <string.h>

const char *wop_path_of(weft_op_ctx *ctx, const weft_host_api *api, const weft_value *v)
{
	const char *p = NULL;
	if (!v || api->artifact_path(&p, ctx, v) != WEFT_OK)
		return NULL;
	return p;
}

int wop_set_artifact(weft_op_ctx *ctx, const weft_host_api *api, const char *name, const char *path)
{
	weft_value *art = NULL;
	if (api->artifact_import(&art, ctx, path) != WEFT_OK)
		return api->fail(ctx, "cannot store %s: %s", path, api->error_last());
	return api->set_output(ctx, name, art);
}

/* Writes j to WORKDIR/file and makes it output `name`. Steals j. */
int wop_set_json(weft_op_ctx *ctx, const weft_host_api *api, const char *name, const char *file, json_t *j)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", api->workdir(ctx), file);
	int rc = j ? json_dump_file(j, path, JSON_INDENT(1) | JSON_REAL_PRECISION(10)) : -1;
	json_decref(j);
	if (rc != 0)
		return api->fail(ctx, "cannot write %s (out of memory or disk full)", path);
	return wop_set_artifact(ctx, api, name, path);
}

json_t *wop_input_json(weft_op_ctx *ctx, const weft_host_api *api, const char *name, const char *format, char *err,
		       size_t errlen)
{
	err[0] = '\0';
	const char *p = wop_path_of(ctx, api, api->input(ctx, name));
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

double wop_param_f(weft_op_ctx *ctx, const weft_host_api *api, const char *n)
{
	return api->value_float(api->param(ctx, n));
}

int64_t wop_param_i(weft_op_ctx *ctx, const weft_host_api *api, const char *n)
{
	return api->value_int(api->param(ctx, n));
}

const char *wop_param_s(weft_op_ctx *ctx, const weft_host_api *api, const char *n)
{
	return api->value_string(api->param(ctx, n), NULL);
}

const char *const wop_out_only[] = {"out"};
