/* Unit tests of the global step on a hand-made schema graph: which tables
 * become facts (the root costs) and how self-references enter the model. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "bimodel.h"
#include "cands_io.h"
#include "kmca.h"
#include "steps.h"

static char *cols2[] = {"id", "ref"};
static uint8_t uniq2[] = {1, 0};

static void add(abi_graph *g, uint32_t from, uint32_t to, double p)
{
	abi_cand c = {.from = from, .to = to, .fc = {1, 0}, .tc = {0, 0}, .ncols = 1, .p = p};
	c.x[ABI_F_X_UNIQUE] = 0.5;
	assert_int_equal(abi_cands_push(&g->c, &c), 0);
}

static const char *role_of(const json_t *model, const char *table)
{
	const json_t *t;
	size_t i;
	json_array_foreach(json_object_get(model, "tables"), i, t)
	if (strcmp(json_string_value(json_object_get(t, "name")), table) == 0)
		return json_string_value(json_object_get(t, "role"));
	return NULL;
}

/* sales -> employees is likely; sales -> store is weak (p 0.35, a cryptic
 * name); store -> region is likely, store's only outgoing join; employees
 * has a manager column pointing into itself. Store used to become a fact
 * for free, and then nothing could join into it. */
static void test_facts_and_self_references(void **state)
{
	(void)state;
	abi_tinfo t[4] = {
		{"sales", 1000, 2, cols2, uniq2},
		{"store", 20, 2, cols2, uniq2},
		{"region", 5, 2, cols2, uniq2},
		{"employees", 30, 2, cols2, uniq2},
	};
	abi_graph g = {.ntables = 4, .t = t, .has_p = 1};
	add(&g, 0, 3, 0.9);
	add(&g, 0, 1, 0.35);
	g.c.v[1].fc[0] = 0; /* another column of sales than the employees one */
	add(&g, 1, 2, 0.95);
	add(&g, 3, 3, 0.9); /* employees.ref -> employees.id */
	abi_kmca_opts o = ABI_KMCA_OPTS_INIT;
	abi_kmca_result r;
	char err[256];
	assert_int_equal(abi_kmca_graph(&r, &g, &o, err, sizeof err), 0);
	assert_int_equal(r.k, 1);
	assert_true(r.fact[0] && !r.fact[1] && !r.fact[2] && !r.fact[3]);
	json_t *model;
	char *dot;
	assert_int_equal(abi_bimodel_build(&model, &dot, &g, &r, 0.5, err, sizeof err), 0);
	assert_string_equal(role_of(model, "sales"), "fact");
	assert_string_equal(role_of(model, "store"), "dimension");
	assert_string_equal(role_of(model, "employees"), "dimension");
	const json_t *j;
	size_t i, self = 0, joins = json_array_size(json_object_get(model, "joins"));
	json_array_foreach(json_object_get(model, "joins"), i, j)
	if (strcmp(json_string_value(json_object_get(j, "kind")), "self") == 0) {
		self++;
		assert_string_equal(json_string_value(json_object_get(j, "from")), "employees");
		assert_string_equal(json_string_value(json_object_get(j, "to")), "employees");
	}
	assert_int_equal(self, 1);
	assert_int_equal(joins, 4);
	json_decref(model);
	free(dot);
	abi_kmca_result_free(&r);

	/* A table whose only join is into itself is no fact: alone, employees
	 * is isolated. */
	abi_graph g2 = {.ntables = 1, .t = &t[3], .has_p = 1};
	add(&g2, 0, 0, 0.9);
	assert_int_equal(abi_kmca_graph(&r, &g2, &o, err, sizeof err), 0);
	assert_int_equal(abi_bimodel_build(&model, &dot, &g2, &r, 0.5, err, sizeof err), 0);
	assert_string_equal(role_of(model, "employees"), "isolated");
	json_decref(model);
	free(dot);
	abi_kmca_result_free(&r);
	abi_cands_free(&g.c);
	abi_cands_free(&g2.c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_facts_and_self_references),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
