/* The DSL: script errors carry file:line, evaluation is deterministic,
 * dynamic nodes get identities from their source and captured values. */
#include "test_util.h"

#include <time.h>
#include "weft/dsl.h"

typedef struct fx {
	char *dir;
	weft_engine *eng;
	weft_dsl *dsl;
	double seconds; /* the wall-clock budget; 0: the default */
} fx;

static int setup(void **state)
{
	fx *f = calloc(1, sizeof *f);
	f->dir = tmpdir_new();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx *f = *state;
	weft_dsl_free(f->dsl);
	weft_engine_free(f->eng);
	weft_rm_rf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* Evaluates `src` as <dir>/p.lua in a fresh engine; returns the rc. */
static int eval(fx *f, const char *src)
{
	weft_dsl_free(f->dsl);
	weft_engine_free(f->eng);
	f->dsl = NULL;
	f->eng = NULL;
	char *store = weft_path_join(f->dir, "store"), *p = weft_path_join(f->dir, "p.lua");
	write_text(p, src);
	weft_engine_options o = WEFT_ENGINE_OPTIONS_INIT;
	o.store_dir = store;
	assert_int_equal(weft_engine_new(&f->eng, &o), WEFT_OK);
	weft_dsl_options d = {WEFT_DSL_OPTIONS_VERSION, p, NULL, NULL, NULL, NULL, 0, 5000000, NULL, f->seconds};
	assert_int_equal(weft_dsl_new(&f->dsl, f->eng, &d), WEFT_OK);
	int rc = weft_dsl_eval(f->dsl);
	free(store);
	free(p);
	return rc;
}

static void test_error_has_file_and_line(void **state)
{
	fx *f = *state;
	assert_int_equal(eval(f, "local a = 1\nlocal b = nil + 1\n"), WEFT_EINVALID);
	assert_non_null(strstr(weft_error_last(), "p.lua:2:"));
}

static void test_sandbox_hides_io_and_clock(void **state)
{
	fx *f = *state;
	assert_int_equal(eval(f, "assert(io == nil and os == nil and debug == nil and dofile == nil)\n"
				 "assert(string.dump == nil)\n"),
			 WEFT_OK);
	/* Nor through strings' methods: the string metatable is hidden, and its
	 * __index is the sandbox's string table (reliability issue, 13). */
	assert_int_equal(eval(f, "assert(getmetatable('') == false)\n"
				 "assert(('').dump == nil)\n"
				 "assert(('abc'):upper() == 'ABC')\n"),
			 WEFT_OK);
	assert_int_equal(eval(f, "local x = math.random(3)\n"), WEFT_EINVALID);
}

/* Few VM instructions, each slow (a megabyte copied per call): the count
 * would allow minutes; the wall-clock budget stops it (reliability, 8). */
static void test_time_budget(void **state)
{
	fx *f = *state;
	f->seconds = 0.3;
	double t0 = (double)clock() / CLOCKS_PER_SEC;
	assert_int_equal(eval(f, "for i = 1, 1000000000 do local s = string.rep('x', 100000) end\n"), WEFT_EINVALID);
	double took = (double)clock() / CLOCKS_PER_SEC - t0;
	assert_non_null(strstr(weft_error_last(), "p.lua:1:"));
	assert_non_null(strstr(weft_error_last(), "time budget of 0.3"));
	assert_true(took < 5.0);
}

static void test_pairs_is_sorted(void **state)
{
	fx *f = *state;
	assert_int_equal(eval(f, "local t = {}\n"
				 "for i = 1, 50 do t['k' .. i] = i end\n"
				 "local prev = ''\n"
				 "for k in pairs(t) do assert(k > prev, 'unsorted at ' .. k); prev = k end\n"),
			 WEFT_OK);
}

static void test_instruction_budget(void **state)
{
	fx *f = *state;
	assert_int_equal(eval(f, "local i = 0\nwhile true do i = i + 1 end\n"), WEFT_EINVALID);
	assert_non_null(strstr(weft_error_last(), "VM instructions"));
	assert_non_null(strstr(weft_error_last(), "p.lua:2"));
}

static void test_nodes_and_params(void **state)
{
	fx *f = *state;
	assert_int_equal(eval(f, "local n = weft.param('n', 2)\n"
				 "local a = ops.core.value { name = 'a', value = n * 10 }\n"
				 "local b = ops.core.concat { name = 'b', items = { a, weft.ref('a.out') } }\n"
				 "return b\n"),
			 WEFT_OK);
	assert_int_equal(weft_graph_node_count(f->eng), 2);
	const weft_value *params = weft_dsl_params(f->dsl);
	assert_int_equal(weft_value_get_int(weft_value_map_get(params, "n")), 2);
	const weft_value *res = weft_dsl_result(f->dsl);
	assert_non_null(res);
	assert_int_equal(weft_value_type(res), WEFT_T_REF);
	assert_string_equal(weft_graph_node_name(f->eng, weft_value_ref_node(res)), "b");
}

/* Handles keep their names and outputs (they live inside the handle), and
 * a node call that raises while its arguments are built leaks nothing
 * when the script catches the error and goes on (ASan checks it). */
static void test_handles_and_caught_errors(void **state)
{
	fx *f = *state;
	assert_int_equal(eval(f, "local a = ops.core.value { name = 'a', value = 1 }\n"
				 "local ok, e = pcall(ops.core.value, { name = 'x', [1] = 5 })\n"
				 "assert(not ok and e:find('must be named'), e)\n"
				 "ok, e = pcall(ops.core.value, { name = 'y', value = 2, nosuch = 3 })\n"
				 "assert(not ok and e:find('nosuch'), e)\n"
				 "local r, r2 = weft.ref('a', 'out'), weft.ref('a').out\n"
				 "assert(tostring(r) == 'node<a.out>', tostring(r))\n"
				 "assert(tostring(r2) == 'node<a.out>', tostring(r2))\n"
				 "assert(tostring(a.out) == 'node<a.out>')\n"
				 "return ops.core.concat { name = 'c', items = { a.out, r, r2 } }\n"),
			 WEFT_OK);
	assert_int_equal(weft_graph_node_count(f->eng), 2);
	const weft_value *res = weft_dsl_result(f->dsl);
	assert_string_equal(weft_graph_node_name(f->eng, weft_value_ref_node(res)), "c");
	/* Uncaught, the same error fails the script at its line; the map it
	 * left is freed with the DSL. */
	assert_int_equal(eval(f, "ops.core.value { name = 'z', [2] = 1 }\n"), WEFT_EINVALID);
	assert_non_null(strstr(weft_error_last(), "p.lua:1"));
}

static char *dot_of(fx *f, const char *src)
{
	assert_int_equal(eval(f, src), WEFT_OK);
	return weft_graph_dot(f->eng);
}

static void test_evaluation_is_deterministic(void **state)
{
	fx *f = *state;
	const char *src = "local t = {}\n"
			  "for i = 1, 30 do t['n' .. i] = i end\n"
			  "for k, v in pairs(t) do ops.core.value { value = v } end\n";
	char *a = dot_of(f, src), *b = dot_of(f, src);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_error_has_file_and_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sandbox_hides_io_and_clock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_time_budget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pairs_is_sorted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_instruction_budget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nodes_and_params, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handles_and_caught_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_evaluation_is_deterministic, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
