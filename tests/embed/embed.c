/*
 * embed.c -- a program that embeds libweft.so: no Lua, no CLI, nothing
 * of the engine's internals; only the installed headers weft/weft.h and
 * weft/run.h. It builds a three-node graph of core ops, runs it, reads the
 * result, runs it again (all cached), and reads the run back through the
 * run API. Exit 0 when every check holds; a message on stderr otherwise.
 *
 *   embed PLUGIN_DIR
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <weft/run.h>
#include <weft/weft.h>

static int failures;

#define CHECK(cond, what)                                                                                     \
	do {                                                                                                  \
		if (!(cond)) {                                                                                 \
			fprintf(stderr, "embed: FAILED %s (%s)\n", what, weft_error_last());                   \
			failures++;                                                                            \
		}                                                                                              \
	} while (0)

static weft_value *str_list(const char *a, weft_value *b)
{
	weft_value *l = weft_value_list();
	weft_value_list_push(l, weft_value_cstr(a));
	weft_value_list_push(l, b);
	return l;
}

static int build(weft_engine *eng, uint32_t *cat)
{
	uint32_t a;
	weft_value *pa = weft_value_map();
	weft_value_map_set(pa, "value", weft_value_cstr("embedded"));
	int rc = weft_graph_add_op(&a, eng, "a", "core.value", pa, NULL, NULL);
	/* Arguments in one map, split by the engine as for a script. */
	weft_value *args = weft_value_map();
	weft_value_map_set(args, "name", weft_value_cstr("cat"));
	weft_value_map_set(args, "sep", weft_value_cstr(" "));
	weft_value_map_set(args, "items", str_list("hello", weft_value_ref(a, NULL)));
	if (rc == WEFT_OK)
		rc = weft_graph_add_node(cat, eng, "core.concat", args, "embed.c", __LINE__);
	weft_value_free(args);
	return rc == WEFT_OK ? weft_graph_validate(eng) : rc;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: embed PLUGIN_DIR\n");
		return 2;
	}
	char store[] = "/tmp/weft-embed.XXXXXX";
	if (!mkdtemp(store))
		return 2;
	weft_engine_options eo;
	weft_engine_options_init(&eo);
	eo.store_dir = store;
	eo.plugin_path = argv[1];
	eo.load_builtin_plugins = 0;
	weft_engine *eng = NULL;
	CHECK(weft_engine_new(&eng, &eo) == WEFT_OK, "engine opens");
	if (!eng)
		return 1;
	uint32_t cat = 0;
	CHECK(build(eng, &cat) == WEFT_OK, "graph builds");

	weft_run_options ro = WEFT_RUN_OPTIONS_INIT;
	ro.jobs = 2;
	ro.pipeline = "embed.c";
	ro.isolation = WEFT_ISOLATE_NONE;
	weft_run_summary s;
	CHECK(weft_engine_run(&s, eng, &ro) == WEFT_OK, "first run");
	CHECK(s.executed == 2 && s.failed == 0, "both nodes execute");
	const weft_value *out = weft_graph_node_output(eng, cat, NULL);
	const char *text = weft_value_get_string(out, NULL);
	CHECK(text && !strcmp(text, "hello embedded"), "the output is 'hello embedded'");
	CHECK(weft_graph_node_status(eng, cat) == WEFT_NODE_DONE, "cat is done");

	CHECK(weft_engine_run(&s, eng, &ro) == WEFT_OK, "second run");
	CHECK(s.executed == 0 && s.cached == 2, "the second run is all cache hits");

	/* The run as the CLI's `weft show` reads it. */
	weft_run *r = NULL;
	CHECK(weft_run_open(&r, store, s.run_id) == WEFT_OK, "the record opens");
	if (r) {
		const weft_run_info *in = weft_run_get_info(r);
		CHECK(!strcmp(in->status, "ok") && in->counts.cached == 2, "the record says ok, 2 cached");
		CHECK(weft_run_node_count(r) == 2, "the record has 2 nodes");
		weft_run_free(r);
	}
	weft_engine_free(eng);
	char *rm = NULL;
	if (asprintf(&rm, "rm -rf '%s'", store) > 0 && system(rm) != 0)
		fprintf(stderr, "embed: could not remove %s\n", store);
	free(rm);
	if (!failures)
		printf("embed: ok (libweft %s)\n", WEFT_VERSION);
	return failures ? 1 : 0;
}
