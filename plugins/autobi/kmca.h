/*
 * kmca.h -- k-Min-Cost-Arborescence over the schema graph (Auto-BI, §4).
 *
 * Vertices are tables; a join edge u -> v (u references v) has a cost.
 * An artificial root is joined to every table; the tables the root's edges
 * reach are the facts. k-MCA asks for the cheapest arborescence in which
 * the root has exactly k children, under the FK-once constraint: edges in
 * the same group (the same referencing columns of one table) may not both
 * be chosen, since one column references one key.
 *
 * Without FK-once, root-degree-constrained MCA is a matroid intersection
 * with one side constraint and is solved exactly by Lagrangian relaxation:
 * a price lambda on root edges, found by bisection, with Chu-Liu/Edmonds
 * for each price (optimal costs are convex in k, and a deterministic
 * perturbation makes every k reachable). FK-once makes the problem NP-hard;
 * it is solved by best-first branch and bound on violated groups, whose
 * relaxations are exact lower bounds. The search stops after `max_nodes`
 * subproblems and then reports the best solution found as not proven.
 */
#ifndef AUTOBI_KMCA_H
#define AUTOBI_KMCA_H

#include <stddef.h>
#include <stdint.h>

#define ABI_NO_GROUP UINT32_MAX

typedef struct abi_edge {
	uint32_t u, v;  /* tables: u references v */
	double cost;
	uint32_t group; /* FK-once group, or ABI_NO_GROUP */
} abi_edge;

typedef struct abi_kmca_opts {
	int k;            /* number of facts; 0 chooses k (the optimum over all k) */
	size_t max_nodes; /* branch-and-bound budget */
	double isolation; /* root cost of a table with no likely outgoing join (abi_kmca_graph) */
} abi_kmca_opts;

#define ABI_KMCA_OPTS_INIT {0, 10000, 3.0}

typedef struct abi_kmca_result {
	int k;
	double cost;      /* join costs plus root costs of the chosen tree */
	int exact;        /* 1 when optimality is proven */
	double bound;     /* a proven lower bound on the optimum: cost when exact */
	size_t nodes;     /* subproblems explored */
	uint32_t *edges;  /* indices of the chosen join edges */
	size_t nedges;
	uint8_t *fact;    /* per table: 1 when a child of the root */
} abi_kmca_result;

/* Solves k-MCA on n tables. `root_cost` (n entries, or NULL for zeros) is
 * the cost of making each table a fact. Returns 0, or -1 with a message in
 * err when no arborescence meets the constraints (k too small). */
int abi_kmca_solve(abi_kmca_result *out, size_t n, const abi_edge *edges, size_t m, const double *root_cost,
		   const abi_kmca_opts *opts, char *err, size_t errlen);

/* The same answer when k is free (opts->k <= 0), found one weakly
 * connected component of the join edges at a time (kmca_split.c), each
 * with the budget of opts; with k fixed it is abi_kmca_solve. The edges
 * of the result are in component order, not sorted. */
int abi_kmca_solve_split(abi_kmca_result *out, size_t n, const abi_edge *edges, size_t m, const double *root_cost,
			 const abi_kmca_opts *opts, char *err, size_t errlen);

void abi_kmca_result_free(abi_kmca_result *r);

/* Plain Chu-Liu/Edmonds: the min-cost arborescence of nv vertices rooted
 * at `root` over edges (u, v, cost). Writes the indices of the nv - 1
 * chosen edges to `chosen`; returns 0, or -1 when some vertex is
 * unreachable. Exposed for the tests. */
int abi_mca(size_t nv, uint32_t root, const uint32_t *eu, const uint32_t *ev, const double *ec, size_t m,
	    uint32_t *chosen);

#endif
