/*
 * weft_test.c -- the plugin test harness behind weft/testing.h.
 *
 * Each run builds a one-node graph on a fresh engine over the handle's
 * private store and runs it with the cache bypassed, so a test exercises the
 * same validation, artifact handling and host API as `weft run`. A second
 * engine without the plugin stays open for importing and reading artifacts.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "util.h"
/* The harness is built with hidden visibility; its API alone is exported. */
#pragma GCC visibility push(default)
#include "weft/testing.h"
#pragma GCC visibility pop

struct weft_test {
	char *dir;    /* temp dir holding the store */
	char *store;
	char *plugin; /* absolute path of the .so */
	weft_engine *eng; /* for artifacts */
	weft_value *outputs;
	char *outputs_json;
	char *output_json; /* the last weft_test_output_json answer */
	char *error;
	unsigned runs;
};

static _Thread_local char open_error[1024];

const char *weft_test_last_error(void)
{
	return open_error;
}

const char *weft_test_error(const weft_test *t)
{
	return t && t->error ? t->error : "";
}

static int set_error(weft_test *t, int rc, const char *msg)
{
	free(t->error);
	t->error = weft_strdup(msg ? msg : "unknown error");
	return rc == WEFT_OK ? WEFT_ERROR : rc;
}

static int new_engine(weft_engine **out, weft_test *t, int with_plugin)
{
	weft_engine_options eo = WEFT_ENGINE_OPTIONS_INIT;
	eo.store_dir = t->store;
	eo.load_builtin_plugins = 0;
	int rc = weft_engine_new(out, &eo);
	if (rc == WEFT_OK && with_plugin && (rc = weft_engine_load_plugin(*out, t->plugin)) != WEFT_OK) {
		weft_engine_free(*out);
		*out = NULL;
	}
	return rc;
}

int weft_test_open(weft_test **out, const char *plugin_so)
{
	*out = NULL;
	open_error[0] = '\0';
	weft_test *t = calloc(1, sizeof *t);
	const char *tmp = getenv("TMPDIR");
	if (!t || !(t->dir = weft_sprintf("%s/weft-test-XXXXXX", tmp && *tmp ? tmp : "/tmp")) || !mkdtemp(t->dir)) {
		snprintf(open_error, sizeof open_error, "cannot create a temporary directory");
		weft_test_close(t);
		return WEFT_EIO;
	}
	t->store = weft_path_join(t->dir, "store");
	t->plugin = weft_path_abs(NULL, plugin_so);
	weft_engine *probe = NULL;
	int rc = t->store && t->plugin ? new_engine(&probe, t, 1) : WEFT_ERROR;
	if (rc == WEFT_OK)
		rc = new_engine(&t->eng, t, 0);
	weft_engine_free(probe);
	if (rc != WEFT_OK) {
		snprintf(open_error, sizeof open_error, "%s", weft_error_last());
		weft_test_close(t);
		return rc;
	}
	*out = t;
	return WEFT_OK;
}

void weft_test_close(weft_test *t)
{
	if (!t)
		return;
	weft_engine_free(t->eng);
	if (t->dir)
		(void)weft_rm_rf(t->dir);
	weft_value_free(t->outputs);
	free(t->outputs_json);
	free(t->output_json);
	free(t->error);
	free(t->dir);
	free(t->store);
	free(t->plugin);
	free(t);
}

/* Replaces {"$file": p} / {"$dir": p} maps in `v` by imported artifacts. */
static int import_files(weft_value **v, weft_test *t)
{
	weft_value *cur = *v;
	if (weft_value_type(cur) == WEFT_T_MAP && weft_value_len(cur) == 1) {
		const char *k = weft_value_map_key_at(cur, 0);
		const char *path = weft_value_get_string(weft_value_map_value_at(cur, 0), NULL);
		if ((!strcmp(k, "$file") || !strcmp(k, "$dir")) && path) {
			weft_value *art = NULL;
			int rc = weft_engine_import(&art, t->eng, path);
			if (rc != WEFT_OK)
				return rc;
			weft_value_free(cur);
			*v = art;
			return WEFT_OK;
		}
	}
	if (weft_value_type(cur) == WEFT_T_LIST || weft_value_type(cur) == WEFT_T_MAP) {
		int is_list = weft_value_type(cur) == WEFT_T_LIST;
		weft_value *copy = is_list ? weft_value_list() : weft_value_map();
		for (size_t i = 0; copy && i < weft_value_len(cur); i++) {
			weft_value *item = weft_value_copy(is_list ? weft_value_list_at(cur, i)
								    : weft_value_map_value_at(cur, i));
			int rc = item ? import_files(&item, t) : WEFT_ERROR;
			if (rc == WEFT_OK)
				rc = is_list ? weft_value_list_push(copy, item)
					     : weft_value_map_set(copy, weft_value_map_key_at(cur, i), item);
			else
				weft_value_free(item);
			if (rc != WEFT_OK) {
				weft_value_free(copy);
				return rc;
			}
		}
		if (!copy)
			return weft_err_set(WEFT_ERROR, "out of memory");
		weft_value_free(cur);
		*v = copy;
	}
	return WEFT_OK;
}

static int parse_object(weft_value **out, const char *json, const char *what)
{
	char err[256];
	if (!json) {
		*out = weft_value_map();
		return *out ? WEFT_OK : weft_err_set(WEFT_ERROR, "out of memory");
	}
	if (weft_value_from_json(out, json, strlen(json), err, sizeof err) != WEFT_OK)
		return weft_err_set(WEFT_EINVALID, "%s: invalid JSON: %s", what, err);
	if (weft_value_type(*out) != WEFT_T_MAP) {
		weft_value_free(*out);
		*out = NULL;
		return weft_err_set(WEFT_EINVALID, "%s must be a JSON object", what);
	}
	return WEFT_OK;
}

int weft_test_run(weft_test *t, const char *op, const char *params_json, const char *inputs_json)
{
	weft_value_free(t->outputs);
	free(t->outputs_json);
	t->outputs = NULL;
	t->outputs_json = NULL;
	weft_value *params = NULL, *inputs = NULL;
	int rc = parse_object(&params, params_json, "params");
	if (rc == WEFT_OK)
		rc = parse_object(&inputs, inputs_json, "inputs");
	if (rc == WEFT_OK)
		rc = import_files(&inputs, t);
	if (rc != WEFT_OK) {
		weft_value_free(params);
		weft_value_free(inputs);
		return set_error(t, rc, weft_error_last());
	}
	weft_engine *eng = NULL;
	if ((rc = new_engine(&eng, t, 1)) != WEFT_OK) {
		weft_value_free(params);
		weft_value_free(inputs);
		return set_error(t, rc, weft_error_last());
	}
	char name[32];
	snprintf(name, sizeof name, "test_%u", ++t->runs);
	uint32_t id;
	weft_node_opts no = WEFT_NODE_OPTS_INIT;
	rc = weft_graph_add_op(&id, eng, name, op, params, inputs, &no);
	if (rc == WEFT_OK)
		rc = weft_graph_validate(eng);
	if (rc == WEFT_OK) {
		weft_run_options ro = WEFT_RUN_OPTIONS_INIT;
		ro.jobs = 1;
		ro.force = 1;
		ro.pipeline = "weft-test";
		weft_run_summary s;
		rc = weft_engine_run(&s, eng, &ro);
	}
	if (rc != WEFT_OK) {
		rc = set_error(t, rc, weft_error_last());
	} else {
		node_run *nr = weft_node_run(eng, id);
		if (nr->state != NS_DONE || !nr->outputs) {
			rc = set_error(t, WEFT_ERROR, nr->error ? nr->error : "the op did not finish");
		} else {
			t->outputs = nr->outputs;
			nr->outputs = NULL;
			t->outputs_json = weft_value_to_json(t->outputs, 0);
		}
	}
	weft_engine_free(eng);
	return rc;
}

const char *weft_test_outputs_json(weft_test *t)
{
	return t->outputs_json;
}

const char *weft_test_output_json(weft_test *t, const char *name)
{
	const weft_value *v = t->outputs ? weft_value_map_get(t->outputs, name) : NULL;
	if (!v)
		return NULL;
	free(t->output_json);
	t->output_json = weft_value_to_json(v, 0);
	return t->output_json;
}

int weft_test_output_bytes(weft_test *t, const char *name, char **data, size_t *len)
{
	*data = NULL;
	*len = 0;
	const weft_value *v = t->outputs ? weft_value_map_get(t->outputs, name) : NULL;
	if (!v || weft_value_type(v) != WEFT_T_ARTIFACT)
		return set_error(t, WEFT_ENOTFOUND, "no artifact output of that name in the last run");
	int rc = weft_engine_read_artifact(data, len, t->eng, v);
	return rc == WEFT_OK ? WEFT_OK : set_error(t, rc, weft_error_last());
}
