/*
 * load.c -- evaluating a pipeline script into a fresh engine: parameters,
 * the plugin search path, the DSL, and (in a git repository) the source
 * that reads the work tree or a revision and notes what was read. Shared
 * by run, resume, plan, graph, diff and blame.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

#if !defined(__SANITIZE_ADDRESS__)
/* The engine a command leaves for the process's exit (cli_unload_at_exit):
 * kept reachable so that leak checkers do not report it. */
static weft_engine *left_for_exit;
#endif

void cli_unload_at_exit(cli_loaded *l)
{
#if defined(__SANITIZE_ADDRESS__)
	cli_unload(l); /* sanitizer builds free everything, to check the frees */
#else
	weft_engine_flush(l->eng);
	left_for_exit = l->eng;
	l->eng = NULL;
	cli_unload(l);
#endif
}

void cli_unload(cli_loaded *l)
{
	weft_dsl_free(l->dsl);
	weft_engine_free(l->eng);
	weft_value_free(l->file_params);
	weft_value_free(l->provenance);
	cli_gitsrc_free(l->git);
	free(l->store);
	free(l->pipeline);
}

static int load_params_file(weft_value **out, const char *path)
{
	char *text = NULL;
	size_t len;
	if (weft_read_file(path, &text, &len) != WEFT_OK)
		return cli_fail("cannot read params file: %s", weft_error_last());
	int rc = weft_value_from_yaml(out, text, len, path);
	free(text);
	if (rc != WEFT_OK)
		return cli_fail("%s", weft_error_last());
	return WEFT_EXIT_OK;
}

int cli_param_arg(weft_value *params, const char *arg)
{
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg)
		return cli_fail("-p expects NAME=VALUE, got '%s' (for example -p rows=1000)", arg);
	char *name = weft_strndup(arg, (size_t)(eq - arg));
	if (!name)
		return cli_fail("out of memory");
	weft_value_map_set(params, name, weft_value_cstr(eq + 1));
	free(name);
	return WEFT_EXIT_OK;
}

/* Errors print unless the caller evaluates quietly (blame walks history,
 * where older revisions may not evaluate at all). */
static int load_fail(const cli_run_args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int load_fail(const cli_run_args *a, const char *fmt, ...)
{
	if (a->silent)
		return WEFT_EXIT_USAGE;
	char msg[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return cli_fail("%s", msg);
}

int cli_load(cli_loaded *l, cli_run_args *a, const weft_value *extra_params)
{
	memset(l, 0, sizeof *l);
	if (!a->script)
		return load_fail(a, "no pipeline script given; usage: weft run PIPELINE.lua");
	if (!a->rev && access(a->script, R_OK) != 0)
		return load_fail(a, "cannot read pipeline script %s", a->script);
	if (a->params_file && load_params_file(&l->file_params, a->params_file) != WEFT_EXIT_OK)
		return WEFT_EXIT_USAGE;
	if (extra_params)
		l->file_params = weft_value_copy(extra_params);
	l->pipeline = weft_path_abs(NULL, a->script);
	char *dir = weft_path_dirname(l->pipeline);
	if (cli_gitsrc_open(&l->git, l->pipeline, a->rev) != WEFT_OK) {
		free(dir);
		return load_fail(a, "%s", weft_error_last());
	}
	l->store = cli_store_dir(a->store, dir);
	int rc = cli_engine(&l->eng, l->store, dir);
	free(dir);
	if (rc != WEFT_EXIT_OK)
		return rc;
	if (a->out_dir && weft_engine_set_out_dir(l->eng, a->out_dir) != WEFT_OK)
		return load_fail(a, "%s", weft_error_last());
	weft_engine_set_lookahead(l->eng, a->lookahead);
	const char *budget = getenv("WEFT_LUA_MAX_INSTRUCTIONS");
	double seconds = 0;
	if ((rc = cli_script_seconds(&seconds, l->pipeline)) != WEFT_EXIT_OK)
		return rc;
	char *stdlib = cli_stdlib_dir();
	weft_dsl_options o = {WEFT_DSL_OPTIONS_VERSION, a->script, a->cli_params, l->file_params,
			      a->params_file ? a->params_file : "journal params", stdlib, 0,
			      budget ? strtoull(budget, NULL, 10) : 0, NULL, seconds};
	weft_dsl_source src;
	if (l->git) {
		src = cli_gitsrc_source(l->git);
		o.source = &src;
	}
	rc = weft_dsl_new(&l->dsl, l->eng, &o) != WEFT_OK || weft_dsl_eval(l->dsl) != WEFT_OK;
	free(stdlib);
	if (rc)
		return load_fail(a, "%s", weft_error_last());
	if (l->git && !(l->provenance = cli_gitsrc_provenance(l->git)))
		return load_fail(a, "out of memory");
	return WEFT_EXIT_OK;
}
