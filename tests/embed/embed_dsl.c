/*
 * embed_dsl.c -- a program that embeds libweft_dsl.so over libweft.so:
 * it evaluates a Lua pipeline into an engine, runs it and resolves what
 * the script returned, through the installed headers only. An error in
 * the script must come back through weft_error_last() of libweft, the one
 * error slot of the process.
 *
 *   embed_dsl PLUGIN_DIR STDLIB_DIR
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <weft/dsl.h>
#include <weft/weft.h>

static int failures;
#define CHECK(cond, what)                                                                                     \
	do {                                                                                                  \
		if (!(cond)) {                                                                                 \
			fprintf(stderr, "embed_dsl: FAILED %s (%s)\n", what, weft_error_last());              \
			failures++;                                                                            \
		}                                                                                              \
	} while (0)

static int write_script(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static int eval(weft_engine *eng, const char *script, const char *stdlib, weft_dsl **out)
{
	weft_dsl_options o = WEFT_DSL_OPTIONS_INIT;
	o.script = script;
	o.stdlib_dir = stdlib;
	int rc = weft_dsl_new(out, eng, &o);
	return rc == WEFT_OK ? weft_dsl_eval(*out) : rc;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: embed_dsl PLUGIN_DIR STDLIB_DIR\n");
		return 2;
	}
	char dir[] = "/tmp/weft-embed-dsl.XXXXXX";
	if (!mkdtemp(dir))
		return 2;
	char store[4096], good[4096], bad[4096];
	snprintf(store, sizeof store, "%s/store", dir);
	snprintf(good, sizeof good, "%s/good.lua", dir);
	snprintf(bad, sizeof bad, "%s/bad.lua", dir);
	write_script(good, "local a = ops.core.value { value = 20 }\n"
			   "local b = ops.core.value { value = 22 }\n"
			   "return ops.core.concat { name = \"both\", items = { a, b } }\n");
	write_script(bad, "ops.core.csv { name = \"t\", delimeter = \";\" }\n");

	weft_engine_options eo = WEFT_ENGINE_OPTIONS_INIT;
	eo.store_dir = store;
	eo.plugin_path = argv[1];
	eo.load_builtin_plugins = 0;
	weft_engine *eng = NULL;
	CHECK(weft_engine_new(&eng, &eo) == WEFT_OK, "engine opens");
	if (!eng)
		return 1;
	weft_dsl *d = NULL;
	CHECK(eval(eng, good, argv[2], &d) == WEFT_OK, "the script evaluates");
	CHECK(weft_graph_validate(eng) == WEFT_OK, "the graph validates");
	weft_run_options ro = WEFT_RUN_OPTIONS_INIT;
	ro.pipeline = good;
	ro.isolation = WEFT_ISOLATE_NONE;
	weft_run_summary s;
	CHECK(weft_engine_run(&s, eng, &ro) == WEFT_OK && s.executed == 3, "the run executes 3 nodes");
	weft_value *res = NULL;
	CHECK(weft_graph_resolve(&res, eng, weft_dsl_result(d)) == WEFT_OK, "the result resolves");
	char *json = res ? weft_value_to_json(res, 0) : NULL;
	CHECK(json && !strcmp(json, "[20,22]"), "the result is [20,22]");
	free(json);
	weft_value_free(res);
	weft_dsl_free(d);
	weft_engine_free(eng);

	/* A script error, set inside the DSL, read through libweft. */
	eng = NULL;
	CHECK(weft_engine_new(&eng, &eo) == WEFT_OK, "a second engine opens");
	d = NULL;
	CHECK(eng && eval(eng, bad, argv[2], &d) != WEFT_OK, "the bad script fails");
	CHECK(strstr(weft_error_last(), "bad.lua:1") && strstr(weft_error_last(), "did you mean 'delimiter'"),
	      "its error names the line and suggests the parameter");
	weft_dsl_free(d);
	weft_engine_free(eng);
	char *rm = NULL;
	if (asprintf(&rm, "rm -rf '%s'", dir) > 0 && system(rm) != 0)
		fprintf(stderr, "embed_dsl: could not remove %s\n", dir);
	free(rm);
	if (!failures)
		printf("embed_dsl: ok\n");
	return failures ? 1 : 0;
}
