/* Graph validation and scheduling, with the real core plugin loaded. */
#include "test_util.h"
#include "weft/dsl.h"
#include "graph.h"
#include "optable.h"

typedef struct fx {
	char *dir;
	weft_engine *eng;
} fx;

static int setup(void **state)
{
	fx *f = calloc(1, sizeof *f);
	f->dir = tmpdir_new();
	weft_engine_options o = WEFT_ENGINE_OPTIONS_INIT;
	o.store_dir = f->dir;
	assert_int_equal(weft_engine_new(&f->eng, &o), WEFT_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx *f = *state;
	weft_engine_free(f->eng);
	weft_rm_rf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static weft_value *params1(const char *k, weft_value *v)
{
	weft_value *m = weft_value_map();
	weft_value_map_set(m, k, v);
	return m;
}

static void test_core_plugin_is_loaded(void **state)
{
	fx *f = *state;
	assert_non_null(weft_engine_op_find(f->eng, "core.shell"));
	assert_non_null(weft_engine_op_find(f->eng, "core.csv"));
	assert_null(weft_engine_op_find(f->eng, "core.nope"));
	/* Every op by its name, through the index that grew op by op and
	 * was rebuilt once on the way (its first table holds 16). */
	size_t n = weft_engine_op_count(f->eng);
	assert_true(n > 16);
	for (size_t i = 0; i < n; i++) {
		const weft_op_info *op = weft_engine_op_at(f->eng, i);
		assert_ptr_equal(weft_engine_op_find(f->eng, op->full_name), op);
	}
}

static void test_unknown_op_suggests(void **state)
{
	fx *f = *state;
	uint32_t id;
	weft_node_opts o = WEFT_NODE_OPTS_INIT;
	o.file = "p.lua";
	o.line = 7;
	assert_int_equal(weft_graph_add_op(&id, f->eng, "x", "core.concatt", NULL, NULL, &o), WEFT_EINVALID);
	assert_non_null(strstr(weft_error_last(), "p.lua:7: node 'x'"));
	assert_non_null(strstr(weft_error_last(), "did you mean 'core.concat'"));
}

static void test_param_validation(void **state)
{
	fx *f = *state;
	uint32_t id;
	assert_int_equal(weft_graph_add_op(&id, f->eng, "a", "core.sleep", params1("seconds", weft_value_cstr("x")),
					   NULL, NULL),
			 WEFT_EINVALID);
	assert_non_null(strstr(weft_error_last(), "must be float, got string"));
	assert_int_equal(weft_graph_add_op(&id, f->eng, "b", "core.sleep", params1("secs", weft_value_int(1)), NULL,
					   NULL),
			 WEFT_EINVALID);
	assert_non_null(strstr(weft_error_last(), "did you mean 'seconds'"));
	assert_int_equal(weft_graph_add_op(&id, f->eng, "c", "core.shell", NULL, NULL, NULL), WEFT_EINVALID);
	assert_non_null(strstr(weft_error_last(), "needs parameter 'cmd'"));
	/* An int is accepted where a float is declared. */
	assert_int_equal(weft_graph_add_op(&id, f->eng, "d", "core.sleep", params1("seconds", weft_value_int(0)), NULL,
					   NULL),
			 WEFT_OK);
}

static void test_cycle_is_reported_with_path(void **state)
{
	fx *f = *state;
	uint32_t a, b;
	weft_value *ia = weft_value_map(), *la = weft_value_list();
	weft_value_list_push(la, weft_value_ref_name("b", "p.lua", 1));
	weft_value_map_set(ia, "items", la);
	assert_int_equal(weft_graph_add_op(&a, f->eng, "a", "core.concat", NULL, ia, NULL), WEFT_OK);
	weft_value *ib = weft_value_map(), *lb = weft_value_list();
	weft_value_list_push(lb, weft_value_ref(a, NULL));
	weft_value_map_set(ib, "items", lb);
	assert_int_equal(weft_graph_add_op(&b, f->eng, "b", "core.concat", NULL, ib, NULL), WEFT_OK);
	assert_int_equal(weft_graph_validate(f->eng), WEFT_EINVALID);
	assert_non_null(strstr(weft_error_last(), "dependency cycle"));
	assert_non_null(strstr(weft_error_last(), "'a'"));
	assert_non_null(strstr(weft_error_last(), "'b'"));
}

static void test_run_caches_and_resolves(void **state)
{
	fx *f = *state;
	uint32_t v1, v2, cat;
	assert_int_equal(weft_graph_add_op(&v1, f->eng, "v1", "core.value", params1("value", weft_value_cstr("a")),
					   NULL, NULL),
			 WEFT_OK);
	assert_int_equal(weft_graph_add_op(&v2, f->eng, "v2", "core.value", params1("value", weft_value_cstr("b")),
					   NULL, NULL),
			 WEFT_OK);
	weft_value *in = weft_value_map(), *items = weft_value_list();
	weft_value_list_push(items, weft_value_ref(v1, NULL));
	weft_value_list_push(items, weft_value_ref(v2, "out"));
	weft_value_map_set(in, "items", items);
	assert_int_equal(weft_graph_add_op(&cat, f->eng, "cat", "core.concat", params1("sep", weft_value_cstr("+")),
					   in, NULL),
			 WEFT_OK);
	assert_int_equal(weft_graph_validate(f->eng), WEFT_OK);
	weft_run_options ro = WEFT_RUN_OPTIONS_INIT;
	ro.jobs = 2;
	ro.pipeline = "unit";
	weft_run_summary s;
	assert_int_equal(weft_engine_run(&s, f->eng, &ro), WEFT_OK);
	assert_int_equal(s.executed, 3);
	const weft_value *out = weft_graph_node_output(f->eng, cat, NULL);
	assert_string_equal(weft_value_get_string(out, NULL), "a+b");
	/* Same graph again: every node is a cache hit. */
	assert_int_equal(weft_engine_run(&s, f->eng, &ro), WEFT_OK);
	assert_int_equal(s.executed, 0);
	assert_int_equal(s.cached, 3);
}

/* Node names are UTF-8 text: file names with dots and spaces, any
 * script; control characters, invalid UTF-8, '~' and spaces at the ends
 * are refused. A name ref "a.b.c" is the node "a.b.c" when one exists,
 * else output "c" of node "a.b"; an output given apart takes the name
 * whole. */
static void test_node_names_and_dotted_refs(void **state)
{
	fx *f = *state;
	const char *good[] = {"Order Details.csv", "count_doc00.txt", "Größe", "表.csv", "a/b", "x.y"};
	const char *bad[] = {"", " lead", "trail ", "tab\there", "nl\nx", "til~de", "bad\xff", "over\xc0\xafx",
			     "c1\xc2\x85", "surr\xed\xa0\x80"};
	uint32_t id[6];
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(weft_graph_add_op(&id[i], f->eng, good[i], "core.value",
						   params1("value", weft_value_cstr(good[i])), NULL, NULL),
				 WEFT_OK);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		uint32_t b;
		assert_int_equal(weft_graph_add_op(&b, f->eng, bad[i], "core.value", params1("value", weft_value_int(1)),
						   NULL, NULL),
				 WEFT_EINVALID);
		assert_non_null(strstr(weft_error_last(), "invalid node name"));
	}
	/* "x.y" is a node; "count_doc00.txt.out" is output out of a node */
	weft_value *in = weft_value_map(), *items = weft_value_list();
	weft_value_list_push(items, weft_value_ref_name("x.y", "t.lua", 1));
	weft_value_list_push(items, weft_value_ref_name("count_doc00.txt.out", "t.lua", 2));
	weft_value_list_push(items, weft_value_ref_name_output("Order Details.csv", "out", "t.lua", 3));
	weft_value_map_set(in, "items", items);
	uint32_t cat;
	assert_int_equal(weft_graph_add_op(&cat, f->eng, "cat", "core.concat", params1("sep", weft_value_cstr("|")),
					   in, NULL),
			 WEFT_OK);
	assert_int_equal(weft_graph_validate(f->eng), WEFT_OK);
	weft_run_options ro = WEFT_RUN_OPTIONS_INIT;
	ro.pipeline = "unit";
	weft_run_summary s;
	assert_int_equal(weft_engine_run(&s, f->eng, &ro), WEFT_OK);
	assert_string_equal(weft_value_get_string(weft_graph_node_output(f->eng, cat, NULL), NULL),
			    "x.y|count_doc00.txt|Order Details.csv");
	/* an output given apart is not split: node "x" does not exist */
	in = weft_value_map(), items = weft_value_list();
	weft_value_list_push(items, weft_value_ref_name_output("x", "y", "t.lua", 4));
	weft_value_map_set(in, "items", items);
	assert_int_equal(weft_graph_add_op(&cat, f->eng, "cat2", "core.concat", NULL, in, NULL), WEFT_OK);
	assert_int_equal(weft_graph_validate(f->eng), WEFT_EINVALID);
	assert_non_null(strstr(weft_error_last(), "reference to unknown node 'x'"));
}

/* An op that reads a parameter it does not declare fails, with the name
 * and the declared ones; the counts in its descriptor came from WEFT_LEN. */
static void test_undeclared_param_read_fails(void **state)
{
	fx *f = *state;
	assert_int_equal(weft_engine_load_plugin(f->eng, TYPO_SO), WEFT_OK);
	const weft_op_info *op = weft_engine_op_find(f->eng, "typo.typo");
	assert_non_null(op);
	assert_int_equal(op->desc->n_params, 2);
	assert_int_equal(op->desc->n_outputs, 1);
	uint32_t bad, good;
	assert_int_equal(weft_graph_add_op(&bad, f->eng, "bad", "typo.typo", NULL, NULL, NULL), WEFT_OK);
	assert_int_equal(weft_graph_add_op(&good, f->eng, "good", "typo.good", NULL, NULL, NULL), WEFT_OK);
	assert_int_equal(weft_graph_validate(f->eng), WEFT_OK);
	weft_run_options ro = WEFT_RUN_OPTIONS_INIT;
	ro.jobs = 1;
	ro.keep_going = 1;
	ro.isolation = WEFT_ISOLATE_NONE;
	weft_run_summary s;
	assert_int_equal(weft_engine_run(&s, f->eng, &ro), WEFT_OK);
	assert_int_equal(s.failed, 1);
	assert_int_equal(weft_graph_node_status(f->eng, bad), WEFT_NODE_FAILED);
	const char *why = weft_graph_node_error(f->eng, bad);
	assert_non_null(why);
	assert_non_null(strstr(why, "'sigmaa'"));
	assert_non_null(strstr(why, "declared: sigma, seed"));
	assert_int_equal(weft_graph_node_status(f->eng, good), WEFT_NODE_DONE);
	assert_true(weft_value_get_float(weft_graph_node_output(f->eng, good, NULL)) == 3.0);
}

/* One map from the front-end: the engine splits it into params, inputs
 * and node options by the op's descriptor and the option table. */
static void test_add_node_splits_args(void **state)
{
	fx *f = *state;
	uint32_t id;
	weft_value *args = weft_value_map();
	weft_value_map_set(args, "name", weft_value_cstr("t"));
	weft_value_map_set(args, "seconds", weft_value_int(0));
	weft_value_map_set(args, "timeout", weft_value_cstr("5m"));
	weft_value_map_set(args, "mem", weft_value_cstr("1G"));
	weft_value_map_set(args, "cpus", weft_value_int(2));
	weft_value *res = weft_value_map();
	weft_value_map_set(res, "license", weft_value_int(1));
	weft_value_map_set(args, "resources", res);
	assert_int_equal(weft_graph_add_node(&id, f->eng, "core.sleep", args, "s.lua", 3), WEFT_OK);
	assert_string_equal(weft_graph_node_name(f->eng, id), "t");
	assert_int_equal(weft_value_get_int(weft_value_map_get(weft_graph_node_params(f->eng, id), "seconds")), 0);
	weft_value_free(args);
	/* A misspelt node option is suggested like a parameter (an op with
	 * variadic inputs, such as core.sleep, would take it as an input). */
	args = weft_value_map();
	weft_value_map_set(args, "name", weft_value_cstr("u"));
	weft_value_map_set(args, "retires", weft_value_int(2));
	assert_int_equal(weft_graph_add_node(&id, f->eng, "core.csv", args, "s.lua", 4), WEFT_EINVALID);
	assert_non_null(strstr(weft_error_last(), "s.lua:4: node 'u': op core.csv has no parameter or input 'retires'"));
	assert_non_null(strstr(weft_error_last(), "did you mean 'retries'"));
	weft_value_free(args);
	/* Option values are checked, with the place. */
	args = weft_value_map();
	weft_value_map_set(args, "cpus", weft_value_int(-1));
	assert_int_equal(weft_graph_add_node(&id, f->eng, "core.noop", args, "s.lua", 5), WEFT_EINVALID);
	assert_non_null(strstr(weft_error_last(), "s.lua:5: cpus must be a whole number"));
	weft_value_free(args);
	args = weft_value_map();
	weft_value_map_set(args, "timeout", weft_value_cstr("soon"));
	assert_int_equal(weft_graph_add_node(&id, f->eng, "core.noop", args, "s.lua", 6), WEFT_EINVALID);
	assert_non_null(strstr(weft_error_last(), "timeout must be seconds or a duration"));
	weft_value_free(args);
	/* No arguments at all: not a map, said as such (not "out of memory"). */
	assert_int_equal(weft_graph_add_node(&id, f->eng, "core.noop", NULL, "s.lua", 7), WEFT_EINVALID);
	assert_non_null(strstr(weft_error_last(), "s.lua:7: node arguments must be named"));
	/* An optional input is named without its '?'; `inputs` adds more. */
	args = weft_value_map();
	weft_value_map_set(args, "name", weft_value_cstr("c"));
	weft_value *in = weft_value_map();
	weft_value_map_set(in, "items", weft_value_list());
	weft_value_map_set(args, "inputs", in);
	assert_int_equal(weft_graph_add_node(&id, f->eng, "core.concat", args, "s.lua", 7), WEFT_OK);
	weft_value_free(args);
	/* Every option is one row, and plugins may not use the names. */
	assert_true(weft_node_option_count() >= 11);
	assert_true(weft_node_option_is("retries"));
	assert_false(weft_node_option_is("seconds"));
}

/* Defaults are parsed once per op and copied into each node: two nodes of
 * core.shell get equal defaults that are not the same value (a node may
 * own and change its params), and the op's parsed default is the one kept
 * (the same pointer on a second look). */
static void test_defaults_parsed_once(void **state)
{
	fx *f = *state;
	const weft_op_info *op = weft_engine_op_find(f->eng, "core.shell");
	assert_non_null(op);
	uint32_t a, b;
	assert_int_equal(weft_graph_add_op(&a, f->eng, "a", "core.shell", params1("cmd", weft_value_cstr("true")), NULL,
					   NULL),
			 WEFT_OK);
	assert_int_equal(weft_graph_add_op(&b, f->eng, "b", "core.shell", params1("cmd", weft_value_cstr("true")), NULL,
					   NULL),
			 WEFT_OK);
	const node *na = weft_graph_node(f->eng, a), *nb = weft_graph_node(f->eng, b);
	size_t seen = 0;
	for (size_t p = 0; p < op->desc->n_params; p++) {
		const weft_param_spec *sp = &op->desc->params[p];
		if (!sp->default_json || !strcmp(sp->name, "cmd"))
			continue;
		const weft_value *kept = weft_engine_op_default(f->eng, op, p);
		assert_non_null(kept);
		assert_ptr_equal(weft_engine_op_default(f->eng, op, p), kept);
		weft_value *parsed = NULL;
		assert_int_equal(weft_value_from_json(&parsed, sp->default_json, strlen(sp->default_json), NULL, 0), WEFT_OK);
		const weft_value *va = weft_value_map_get(na->params, sp->name), *vb = weft_value_map_get(nb->params, sp->name);
		assert_true(weft_value_equal(va, parsed) && weft_value_equal(vb, parsed) && weft_value_equal(kept, parsed));
		assert_true(va != vb && va != kept);
		weft_value_free(parsed);
		seen++;
	}
	assert_true(seen >= 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_core_plugin_is_loaded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_defaults_parsed_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_undeclared_param_read_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_node_splits_args, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_op_suggests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_param_validation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cycle_is_reported_with_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_caches_and_resolves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_node_names_and_dotted_refs, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
