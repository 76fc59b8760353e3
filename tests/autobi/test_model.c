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
#include <unistd.h>

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

/* The constellation step adds likely joins beyond the arborescence but
 * never a second one from the same column (FK-once), none into a fact and
 * none that closes a cycle. Tables: 0 fact, 1..3 dimensions. */
static void test_constellation_rules(void **state)
{
	(void)state;
	abi_tinfo t[4] = {
		{"sales", 1000, 2, cols2, uniq2},
		{"a", 20, 2, cols2, uniq2},
		{"b", 20, 2, cols2, uniq2},
		{"c", 20, 2, cols2, uniq2},
	};
	abi_graph g = {.ntables = 4, .t = t, .has_p = 1};
	add(&g, 0, 1, 0.95); /* 0: tree */
	add(&g, 1, 2, 0.9);  /* 1: tree, a.ref -> b */
	add(&g, 2, 1, 0.85); /* 2: b.ref -> a closes a cycle: dropped */
	add(&g, 1, 3, 0.8);  /* 3: a.ref again, to c: FK-once, dropped */
	add(&g, 3, 0, 0.8);  /* 4: into the fact: dropped */
	add(&g, 0, 3, 0.7);  /* 5: sales.id -> c: another column, kept */
	g.c.v[5].fc[0] = 0;
	add(&g, 3, 2, 0.4); /* 6: under the threshold */
	abi_kmca_result r = {0};
	r.k = 1;
	uint8_t fact[4] = {1, 0, 0, 0};
	uint32_t edges[2] = {0, 1};
	r.fact = fact;
	r.edges = edges;
	r.nedges = 2;
	json_t *model;
	char *dot, err[256];
	assert_int_equal(abi_bimodel_build(&model, &dot, &g, &r, 0.5, err, sizeof err), 0);
	const json_t *joins = json_object_get(model, "joins");
	assert_int_equal(json_array_size(joins), 3);
	const char *want[3][2] = {{"sales", "a"}, {"a", "b"}, {"sales", "c"}};
	for (size_t i = 0; i < 3; i++) {
		const json_t *j = json_array_get(joins, i);
		assert_string_equal(json_string_value(json_object_get(j, "from")), want[i][0]);
		assert_string_equal(json_string_value(json_object_get(j, "to")), want[i][1]);
	}
	assert_string_equal(json_string_value(json_object_get(json_array_get(joins, 2), "kind")), "constellation");
	assert_string_equal(role_of(model, "sales"), "fact");
	json_decref(model);
	free(dot);
	abi_cands_free(&g.c);
}

/* abi_cand_groups against the pairwise definition it replaces. */
static void test_cand_groups(void **state)
{
	(void)state;
	abi_cands c = {0};
	srand(7);
	for (int i = 0; i < 600; i++) {
		abi_cand v = {.from = (uint32_t)(rand() % 5), .to = (uint32_t)(rand() % 5), .ncols = 1 + (uint32_t)(rand() % 2)};
		v.fc[0] = (uint32_t)(rand() % 4);
		v.fc[1] = v.ncols == 2 ? (uint32_t)(rand() % 4) : (uint32_t)(rand() % 9); /* unused when ncols is 1 */
		assert_int_equal(abi_cands_push(&c, &v), 0);
	}
	uint32_t *group = malloc(c.n * sizeof *group);
	assert_non_null(group);
	assert_int_equal(abi_cand_groups(&c, group), 0);
	for (size_t i = 0; i < c.n; i++) {
		size_t first = i;
		for (size_t j = 0; j < i; j++)
			if (abi_cand_same_from(&c.v[j], &c.v[i])) {
				first = j;
				break;
			}
		assert_int_equal(group[i], first);
	}
	free(group);
	abi_cands_free(&c);
}

/* The schema graph's binary form: every field back as written, and a
 * truncated, stale or corrupt file an error, never a crash. */
static void test_graph_file(void **state)
{
	(void)state;
	abi_tinfo t[2] = {{"sales", 1000, 2, cols2, uniq2}, {"store", 20, 2, cols2, uniq2}};
	abi_graph g = {.ntables = 2, .t = t, .has_p = 1};
	add(&g, 0, 1, 0.75);
	abi_cand comp = {.from = 0, .to = 1, .fc = {0, 1}, .tc = {1, 0}, .ncols = 2, .p = 0.25};
	for (int f = 0; f < ABI_NFEATURES; f++)
		comp.x[f] = f * 0.1 - 1e-300;
	/* Sparse records: zeros, -0.0, an f32's values, f64's and what an f32
	 * cannot hold come back bit for bit. */
	abi_cand mixed = {.from = 1, .to = 0, .fc = {1, 0}, .tc = {0, 0}, .ncols = 1, .p = 1.0};
	for (int f = 0; f < ABI_NFEATURES; f++)
		mixed.x[f] = f % 5 == 0 ? 0.0 : f % 5 == 1 ? -0.0 : f % 5 == 2 ? 0.5 * f : f % 5 == 3 ? 1e300 : 0.1 * f;
	assert_int_equal(abi_cands_push(&g.c, &mixed), 0);
	assert_int_equal(abi_cands_push(&g.c, &comp), 0);
	char path[] = "/tmp/test_graph.XXXXXX", err[512];
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(abi_graph_save(&g, path, err, sizeof err), 0);
	abi_graph h;
	assert_int_equal(abi_graph_load(&h, path, "candidates", err, sizeof err), 0);
	assert_int_equal(h.ntables, 2);
	assert_int_equal(h.has_p, 1);
	assert_string_equal(h.t[1].name, "store");
	assert_int_equal(h.t[0].rows, 1000);
	assert_string_equal(h.t[1].cols[1], "ref");
	assert_int_equal(h.t[0].unique[0], 1);
	assert_int_equal(h.c.n, 3);
	assert_memory_equal(&h.c.v[1], &mixed, sizeof mixed);
	assert_memory_equal(&h.c.v[2], &comp, sizeof comp);
	assert_true(h.c.v[0].p == 0.75 && h.c.v[0].fc[0] == 1 && h.c.v[0].ncols == 1);
	abi_graph_free(&h);

	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	unsigned char buf[8192];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	assert_true(n > 100 && n < sizeof buf);
	/* every truncation */
	for (size_t cut = 0; cut < n; cut++) {
		f = fopen(path, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(buf, 1, cut, f), cut);
		fclose(f);
		assert_int_equal(abi_graph_load(&h, path, "candidates", err, sizeof err), -1);
	}
	/* a column index out of range: the last candidate's tc[1] (its
	 * features are all f64s, after two bit sets) */
	size_t at = n - 8 * ABI_NFEATURES - 8 - 2 * ((ABI_NFEATURES + 7) / 8) - 4;
	uint32_t bad = 7;
	memcpy(buf + at, &bad, 4);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, n, f), n);
	fclose(f);
	assert_int_equal(abi_graph_load(&h, path, "candidates", err, sizeof err), -1);
	assert_non_null(strstr(err, "candidate 3"));
	/* another feature count: written by an older autobi */
	bad = ABI_NFEATURES - 1;
	memcpy(buf + 8, &bad, 4);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, n, f), n);
	fclose(f);
	assert_int_equal(abi_graph_load(&h, path, "candidates", err, sizeof err), -1);
	assert_non_null(strstr(err, "regenerate the candidates"));
	unlink(path);
	abi_cands_free(&g.c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_facts_and_self_references),
		cmocka_unit_test(test_constellation_rules),
		cmocka_unit_test(test_cand_groups),
		cmocka_unit_test(test_graph_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
