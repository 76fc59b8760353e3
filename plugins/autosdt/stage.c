/*
 * stage.c -- see stage.h.
 */
#define _GNU_SOURCE
#include "stage.h"

#include <dlfcn.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "jsonio.h"
#include "sandbox.h"

json_t *sdt_jsonl_read(const char *path, size_t max_bytes, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	if (wio_read_all(&text, &len, path, "JSONL file", max_bytes, err, errlen) != 0)
		return NULL;
	json_t *arr = json_array();
	size_t line = 0;
	for (char *s = text; arr && *s;) {
		char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		line++;
		if (n && !(n == 1 && s[0] == '\r')) {
			json_error_t je;
			json_t *o = json_loadb(s, n, 0, &je);
			if (!json_is_object(o)) {
				snprintf(err, errlen, "%s:%zu: %s", path, line, o ? "not a JSON object" : je.text);
				json_decref(o);
				json_decref(arr);
				arr = NULL;
				break;
			}
			json_array_append_new(arr, o);
		}
		s += n + (nl ? 1 : 0);
	}
	free(text);
	return arr;
}

int sdt_jsonl_write(const char *path, json_t *arr, char *err, size_t errlen)
{
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	size_t i;
	json_t *o;
	int bad = 0;
	json_array_foreach (arr, i, o) {
		char *line = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(10));
		if (!line || fputs(line, f) == EOF || fputc('\n', f) == EOF)
			bad = 1;
		free(line);
		if (bad)
			break;
	}
	if (fclose(f) != 0 || bad) {
		snprintf(err, errlen, "%s: cannot write (disk full?)", tmp);
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

json_t *sdt_input_jsonl(weft_op_ctx *ctx, const weft_host_api *api, const char *name)
{
	const char *p = weft_op_input_path(ctx, api, name);
	if (!p) {
		api->fail(ctx, "input '%s' is not a JSONL artifact; give it the output of the previous stage", name);
		return NULL;
	}
	char err[1024];
	json_t *arr = sdt_jsonl_read(p, (size_t)1 << 31, err, sizeof err);
	if (!arr)
		api->fail(ctx, "input '%s': %s", name, err);
	return arr;
}

int sdt_output_jsonl(weft_op_ctx *ctx, const weft_host_api *api, const char *name, const char *file, json_t *arr)
{
	char path[4096], err[1024];
	if (!weft_op_workfile(ctx, api, file, path, sizeof path)) {
		json_decref(arr);
		return api->fail(ctx, "no work directory for %s", file);
	}
	int rc = sdt_jsonl_write(path, arr, err, sizeof err);
	json_decref(arr);
	if (rc != 0)
		return api->fail(ctx, "%s", err);
	return weft_op_set_file(ctx, api, name, path);
}

int sdt_output_value(weft_op_ctx *ctx, const weft_host_api *api, const char *name, json_t *v)
{
	weft_value *wv = wop_value_from_json(api, v);
	json_decref(v);
	if (!wv || api->set_output(ctx, name, wv) != WEFT_OK)
		return api->fail(ctx, "cannot set output '%s'", name);
	return WEFT_OK;
}

const char *sdt_python(weft_op_ctx *ctx, const weft_host_api *api)
{
	const weft_value *v = api->param(ctx, "python");
	const char *p = v && api->value_type(v) == WEFT_T_STRING ? api->value_string(v, NULL) : NULL;
	if (p && *p)
		return p;
	p = getenv("WEFT_PYTHON");
	return p && *p ? p : "python3";
}

const char *sdt_helper_path(char *buf, size_t len)
{
	Dl_info info;
	if (!dladdr((void *)sdt_helper_path, &info) || !info.dli_fname)
		return NULL;
	char so[4096];
	snprintf(so, sizeof so, "%s", info.dli_fname);
	if ((size_t)snprintf(buf, len, "%s/share/autosdt/sdt.py", dirname(so)) >= len)
		return NULL;
	return access(buf, R_OK) == 0 ? buf : NULL;
}

const char *sdt_str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

int sdt_op_cancelled(void *arg)
{
	void **pair = arg;
	const weft_host_api *api = pair[1];
	return api->cancelled(pair[0]);
}

int sdt_helper_run(weft_op_ctx *ctx, const weft_host_api *api, const char *python, const char *cmd,
		   const char *const *args)
{
	char helper[4096], err[1024], desc[256];
	if (!sdt_helper_path(helper, sizeof helper))
		return api->fail(ctx, "share/autosdt/sdt.py is missing beside the plugin; reinstall weft");
	const char *argv[16] = {helper, cmd};
	size_t n = 2;
	while (args && *args && n < 15)
		argv[n++] = *args++;
	argv[n] = NULL;
	void *pair[2] = {ctx, (void *)api};
	char cwd[4096];
	const char *wd = api->workdir(ctx);
	snprintf(cwd, sizeof cwd, "%s", wd ? wd : ".");
	sdt_run_opts o = {.python = python, .argv = argv, .dir = cwd, .log_path = api->log_path(ctx),
			  .timeout_s = 3600, .isolate = 0, .cancelled = sdt_op_cancelled, .cancel_arg = pair};
	sdt_run_result r;
	if (sdt_sandbox_run(&o, &r, err, sizeof err) != 0)
		return api->fail(ctx, "sdt.py %s: %s", cmd, err);
	if (r.cancelled)
		return api->fail(ctx, "cancelled");
	if (!r.exited || r.code != 0)
		return api->fail(ctx, "sdt.py %s failed (%s); its traceback is in the node's log %s", cmd,
				 sdt_run_describe(&r, 3600, 0, desc, sizeof desc), api->log_path(ctx));
	return WEFT_OK;
}

json_t *sdt_code_schema(void)
{
	return json_pack("{s:s,s:{s:{s:s},s:{s:s}},s:[s,s]}", "type", "object", "properties", "explanation", "type",
			 "string", "code", "type", "string", "required", "explanation", "code");
}

json_t *sdt_llm_json(weft_op_ctx *ctx, const weft_host_api *api, const char *system, const char *user,
		     json_t *schema, double temperature, char *why, size_t whylen, int *no_endpoint)
{
	*no_endpoint = 0;
	why[0] = '\0';
	json_t *req = json_pack("{s:[{s:s,s:s},{s:s,s:s}],s:O,s:f}", "messages", "role", "system", "content", system,
				"role", "user", "content", user, "schema", schema, "temperature", temperature);
	weft_value *vreq = req ? wop_value_from_json(api, req) : NULL, *resp = NULL;
	json_decref(req);
	int rc = vreq ? api->llm_chat(ctx, vreq, &resp) : WEFT_ERROR;
	api->value_free(vreq);
	json_t *out = NULL;
	if (rc == WEFT_ENOTFOUND) {
		*no_endpoint = 1;
		snprintf(why, whylen, "no LLM endpoint is configured");
	} else if (rc != WEFT_OK) {
		snprintf(why, whylen, "the LLM failed: %s", api->error_last() ? api->error_last() : "unknown error");
	} else {
		out = wop_value_to_json(api, api->value_map_get(resp, "json"));
		if (!json_is_object(out)) {
			json_decref(out);
			out = NULL;
			snprintf(why, whylen, "the LLM's answer is not a JSON object");
		}
	}
	api->value_free(resp);
	return out;
}
