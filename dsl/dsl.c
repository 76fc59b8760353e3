/*
 * dsl.c -- lifecycle of a weft_dsl: sandbox, evaluation of the pipeline
 * script, and the post-check that every parameter given on the command line
 * or in a params file was declared by the script (a typo in -p must not be
 * silently ignored).
 */
#include <stdlib.h>
#include <string.h>

#include "dsl_internal.h"
#include "util.h"

#ifndef WEFT_STDLIB_DIR
#define WEFT_STDLIB_DIR "stdlib"
#endif

int weft_dsl_new(weft_dsl **out, weft_engine *eng, const weft_dsl_options *opts)
{
	if (!opts || opts->version < 1 || opts->version > WEFT_DSL_OPTIONS_VERSION || !opts->script)
		return weft_err_set(WEFT_EINVALID, "weft_dsl_new: options missing or of another version");
	weft_dsl *d = calloc(1, sizeof *d);
	if (!d)
		return weft_err_set(WEFT_ERROR, "out of memory");
	d->eng = eng;
	if (opts->version >= 2 && opts->source)
		d->source = *opts->source;
	d->mem_limit = opts->mem_limit ? opts->mem_limit : (1ull << 30);
	d->instr_limit = opts->instr_limit ? opts->instr_limit : 2000000000ull;
	d->time_limit = opts->version >= 3 && opts->time_limit > 0 ? opts->time_limit : 30.0;
	d->script = weft_strdup(opts->script);
	char *abs = weft_path_abs(NULL, opts->script);
	d->script_dir = abs ? weft_path_dirname(abs) : NULL;
	free(abs);
	d->script_reldir = weft_path_dirname(opts->script);
	d->stdlib_dir = weft_strdup(opts->stdlib_dir ? opts->stdlib_dir : WEFT_STDLIB_DIR);
	d->cli_params = opts->cli_params ? weft_value_copy(opts->cli_params) : weft_value_map();
	d->file_params = opts->file_params ? weft_value_copy(opts->file_params) : weft_value_map();
	d->params_file = opts->params_file ? weft_strdup(opts->params_file) : NULL;
	d->params = weft_value_map();
	d->decls = weft_value_map();
	if (!d->script || !d->script_dir || !d->script_reldir || !d->stdlib_dir || !d->cli_params ||
	    !d->file_params || !d->params || !d->decls) {
		weft_dsl_free(d);
		return weft_err_set(WEFT_ERROR, "out of memory");
	}
	if (weft_value_type(d->file_params) != WEFT_T_MAP) {
		int rc = weft_err_set(WEFT_EINVALID, "%s: a params file must be a mapping of name: value",
				      d->params_file ? d->params_file : "params");
		weft_dsl_free(d);
		return rc;
	}
	int rc = dsl_sandbox_open(d);
	if (rc != WEFT_OK) {
		weft_dsl_free(d);
		return rc;
	}
	dsl_register_api(d);
	*out = d;
	return WEFT_OK;
}

static int check_undeclared(weft_dsl *d, const weft_value *given, const char *how)
{
	for (size_t i = 0; i < weft_value_len(given); i++) {
		const char *k = weft_value_map_key_at(given, i);
		if (weft_value_map_get(d->decls, k))
			continue;
		weft_buf names = {0};
		weft_suggester sg;
		weft_suggest_init(&sg, k);
		for (size_t j = 0; j < weft_value_len(d->decls); j++) {
			const char *n = weft_value_map_key_at(d->decls, j);
			weft_buf_printf(&names, "%s%s", j ? ", " : "", n);
			weft_suggest_add(&sg, n);
		}
		const char *best = weft_suggest_best(&sg);
		int rc = weft_err_set(WEFT_EINVALID, "%s sets parameter '%s' but %s does not declare it%s%s%s; it declares: %s",
				      how, k, d->script, best ? " (did you mean '" : "", best ? best : "",
				      best ? "'?)" : "", names.len ? names.data : "(none)");
		weft_buf_free(&names);
		return rc;
	}
	return WEFT_OK;
}

int weft_dsl_eval(weft_dsl *d)
{
	char *abs = weft_path_abs(NULL, d->script);
	int rc = abs ? dsl_load_file(d, abs, d->script) : weft_err_set(WEFT_ERROR, "out of memory");
	free(abs);
	if (rc != WEFT_OK)
		return rc;
	dsl_reset_budget(d);
	if ((rc = dsl_pcall(d, 0, 1)) != WEFT_OK)
		return rc;
	if (!lua_isnil(d->L, -1)) {
		char err[256];
		if (dsl_to_value(&d->result, d->L, -1, 1, err, sizeof err) != WEFT_OK) {
			lua_pop(d->L, 1);
			return weft_err_set(WEFT_EINVALID, "%s: the script's return value: %s", d->script, err);
		}
	}
	lua_pop(d->L, 1);
	if ((rc = check_undeclared(d, d->cli_params, "-p")) != WEFT_OK)
		return rc;
	char *how = weft_sprintf("params file %s", d->params_file ? d->params_file : "");
	rc = check_undeclared(d, d->file_params, how ? how : "params file");
	free(how);
	if (rc != WEFT_OK)
		return rc;
	return weft_graph_validate(d->eng);
}

const weft_value *weft_dsl_params(const weft_dsl *d)
{
	return d->params;
}

const weft_value *weft_dsl_param_decls(const weft_dsl *d)
{
	return d->decls;
}

const weft_value *weft_dsl_result(const weft_dsl *d)
{
	return d->result;
}

void weft_dsl_free(weft_dsl *d)
{
	if (!d)
		return;
	weft_value_free(d->result);
	if (d->L)
		lua_close(d->L);
	weft_value_free(d->node_args);
	free(d->script);
	free(d->script_dir);
	free(d->script_reldir);
	free(d->stdlib_dir);
	weft_value_free(d->cli_params);
	weft_value_free(d->file_params);
	free(d->params_file);
	weft_value_free(d->params);
	weft_value_free(d->py_origins);
	weft_value_free(d->decls);
	free(d);
}
