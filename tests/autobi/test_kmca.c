/* Unit tests of the k-MCA solver against brute force on random small graphs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kmca.h"

typedef struct rng {
	uint64_t s;
} rng;

static double unif(rng *r)
{
	r->s = r->s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(r->s >> 11) / 9007199254740992.0;
}

/* Every assignment of one in-edge (or the root) to each table; the best
 * acyclic one with k root edges (k = 0: any) and no two edges of a group. */
static double brute(size_t n, const abi_edge *e, size_t m, const double *rc, int k)
{
	int choice[8] = {0}; /* 0 = root, j + 1 = edge j */
	double best = INFINITY;
	for (;;) {
		int ok = 1, deg = 0;
		double cost = 0;
		for (size_t v = 0; v < n && ok; v++) {
			if (choice[v] == 0) {
				deg++;
				cost += rc ? rc[v] : 0;
			} else {
				const abi_edge *x = &e[choice[v] - 1];
				ok = x->v == v;
				cost += x->cost;
			}
		}
		for (size_t v = 0; v < n && ok; v++) { /* every table reaches the root */
			size_t x = v, steps = 0;
			while (choice[x] != 0 && steps++ <= n)
				x = e[choice[x] - 1].u;
			ok = choice[x] == 0;
		}
		for (size_t a = 0; a < n && ok; a++)
			for (size_t b = a + 1; b < n && ok; b++)
				if (choice[a] && choice[b] && e[choice[a] - 1].group != ABI_NO_GROUP)
					ok = e[choice[a] - 1].group != e[choice[b] - 1].group;
		if (ok && (k == 0 || deg == k) && cost < best)
			best = cost;
		size_t v = 0;
		while (v < n && ++choice[v] > (int)m)
			choice[v++] = 0;
		if (v == n)
			break;
	}
	return best;
}

static size_t random_graph(rng *r, size_t n, abi_edge *e, int groups)
{
	size_t m = 0;
	for (size_t u = 0; u < n; u++)
		for (size_t v = 0; v < n; v++)
			if (u != v && unif(r) < 0.45 && m < 12) {
				e[m] = (abi_edge){(uint32_t)u, (uint32_t)v, -3 + 6 * unif(r),
						  groups ? (uint32_t)(u * 2 + (unif(r) < 0.5)) : ABI_NO_GROUP};
				m++;
			}
	return m;
}

static void test_against_brute_force(void **state)
{
	(void)state;
	rng r = {42};
	int checked = 0;
	for (int iter = 0; iter < 400; iter++) {
		size_t n = 2 + (size_t)(unif(&r) * 4); /* 2..5 tables */
		abi_edge e[12];
		int groups = iter % 2;
		size_t m = random_graph(&r, n, e, groups);
		double rc[8];
		for (size_t v = 0; v < n; v++)
			rc[v] = iter % 3 == 0 ? 0 : 2 * unif(&r);
		for (int k = 0; k <= (int)n; k++) {
			double want = brute(n, e, m, rc, k);
			abi_kmca_opts o = ABI_KMCA_OPTS_INIT;
			o.k = k;
			abi_kmca_result res;
			char err[256];
			int rc2 = abi_kmca_solve(&res, n, e, m, rc, &o, err, sizeof err);
			if (want == INFINITY) {
				assert_int_equal(rc2, -1);
				continue;
			}
			assert_int_equal(rc2, 0);
			if (fabs(res.cost - want) > 1e-6)
				fail_msg("iter %d n %zu k %d: solver %.9f, brute force %.9f", iter, n, k, res.cost, want);
			assert_true(res.exact);
			assert_true(fabs(res.bound - res.cost) < 1e-9);
			if (k)
				assert_int_equal(res.k, k);
			abi_kmca_result_free(&res);
			if (k == 0) { /* one component at a time: the same optimum */
				assert_int_equal(abi_kmca_solve_split(&res, n, e, m, rc, &o, err, sizeof err), 0);
				if (fabs(res.cost - want) > 1e-6)
					fail_msg("iter %d n %zu: split %.9f, brute force %.9f", iter, n, res.cost, want);
				assert_true(res.exact);
				abi_kmca_result_free(&res);
			}
			checked++;
		}
	}
	assert_true(checked > 1000);
}

/* Two unrelated parts of a lake (tables 0..2 and 3..5, each with its own
 * edges and groups) solved apart: the same cost as brute force over all
 * six, each chosen edge's target not a fact, and k the count of facts. */
static void test_split_components(void **state)
{
	(void)state;
	rng r = {7};
	for (int iter = 0; iter < 150; iter++) {
		abi_edge e[12];
		size_t m = 0;
		for (size_t part = 0; part < 2; part++)
			for (size_t u = 0; u < 3; u++)
				for (size_t v = 0; v < 3; v++)
					if (u != v && unif(&r) < 0.6 && m < 8)
						e[m++] = (abi_edge){(uint32_t)(3 * part + u), (uint32_t)(3 * part + v),
								    -3 + 6 * unif(&r), (uint32_t)(2 * (3 * part + u) + (unif(&r) < 0.5))};
		double rc[6];
		for (size_t v = 0; v < 6; v++)
			rc[v] = 2 * unif(&r);
		double want = brute(6, e, m, rc, 0);
		abi_kmca_opts o = ABI_KMCA_OPTS_INIT;
		abi_kmca_result res;
		char err[256];
		assert_int_equal(abi_kmca_solve_split(&res, 6, e, m, rc, &o, err, sizeof err), 0);
		if (fabs(res.cost - want) > 1e-6)
			fail_msg("iter %d: split %.9f, brute force %.9f", iter, res.cost, want);
		int facts = 0;
		for (size_t v = 0; v < 6; v++)
			facts += res.fact[v];
		assert_int_equal(facts, res.k);
		assert_int_equal(res.nedges, (size_t)(6 - res.k));
		for (size_t q = 0; q < res.nedges; q++)
			assert_false(res.fact[e[res.edges[q]].v]);
		abi_kmca_result_free(&res);
	}
}

/* The FK-once constraint changes the answer, and the budget bounds the search. */
static void test_fk_once_and_budget(void **state)
{
	(void)state;
	/* Table 0 references 1, 2 and 3 through the same column (group 7), cheaply;
	 * each of 1..3 has a dearer alternative parent. */
	abi_edge e[] = {
		{0, 1, -5, 7}, {0, 2, -5, 7}, {0, 3, -5, 7}, {4, 1, -1, 9}, {4, 2, -1, 10}, {4, 3, -1, 11},
	};
	double want = brute(5, e, 6, NULL, 0);
	abi_kmca_opts o = ABI_KMCA_OPTS_INIT;
	abi_kmca_result r;
	char err[256];
	assert_int_equal(abi_kmca_solve(&r, 5, e, 6, NULL, &o, err, sizeof err), 0);
	assert_true(fabs(r.cost - want) < 1e-6);
	assert_true(fabs(r.cost - (-7)) < 1e-6); /* one of 0's edges, two of 4's */
	assert_true(r.exact);
	assert_true(r.nodes > 1); /* the unconstrained tree used group 7 thrice */
	abi_kmca_result_free(&r);

	/* With k free, prices on group 7 prove this optimum at the root. */
	assert_true(fabs(r.bound - r.cost) < 1e-9);

	/* With k fixed (no prices) and no budget left after the greedy dive,
	 * its feasible tree is returned, marked as not proven best, with a
	 * bound below it. */
	o.k = 2;
	o.max_nodes = 1;
	want = brute(5, e, 6, NULL, 2);
	assert_int_equal(abi_kmca_solve(&r, 5, e, 6, NULL, &o, err, sizeof err), 0);
	assert_false(r.exact);
	assert_true(r.cost >= want - 1e-6);
	assert_true(r.bound <= want + 1e-6);
	abi_kmca_result_free(&r);
}

static void test_infeasible_k(void **state)
{
	(void)state;
	abi_edge e[] = {{0, 1, -1, ABI_NO_GROUP}};
	abi_kmca_opts o = ABI_KMCA_OPTS_INIT;
	o.k = 1; /* tables 0 and 2 have no parent candidate: at least 2 roots */
	abi_kmca_result r;
	char err[256];
	assert_int_equal(abi_kmca_solve(&r, 3, e, 1, NULL, &o, err, sizeof err), -1);
	assert_non_null(strstr(err, "no arborescence has exactly k = 1 facts"));
	o.k = 2;
	assert_int_equal(abi_kmca_solve(&r, 3, e, 1, NULL, &o, err, sizeof err), 0);
	assert_int_equal(r.nedges, 1);
	assert_true(r.fact[0] && !r.fact[1] && r.fact[2]);
	abi_kmca_result_free(&r);
}

static void test_edmonds_cycle(void **state)
{
	(void)state;
	/* 1 and 2 prefer each other (a cycle); the root must break it where cheapest. */
	uint32_t eu[] = {3, 3, 1, 2, 3}, ev[] = {1, 2, 2, 1, 0};
	double ec[] = {10, 4, 1, 1, 0};
	uint32_t chosen[3];
	assert_int_equal(abi_mca(4, 3, eu, ev, ec, 5, chosen), 0);
	double cost = 0;
	for (int i = 0; i < 3; i++)
		cost += ec[chosen[i]];
	assert_true(cost == 5); /* root->2 (4) + 2->1 (1) + root->0 (0) */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_against_brute_force),
		cmocka_unit_test(test_split_components),
		cmocka_unit_test(test_fk_once_and_budget),
		cmocka_unit_test(test_infeasible_k),
		cmocka_unit_test(test_edmonds_cycle),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
