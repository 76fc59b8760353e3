/*
 * kmca.c -- Chu-Liu/Edmonds, the Lagrangian search for exactly k root
 * edges, and branch and bound over FK-once groups.
 *
 * Edmonds here is the contraction form: take each vertex's cheapest
 * in-edge; if those form cycles, contract each cycle into one vertex,
 * reprice the edges entering it by the in-edge they would replace, solve
 * the smaller graph, and expand. O(V E) per call; the schema graphs of BI
 * models have a few hundred vertices at most.
 */
#define _GNU_SOURCE
#include "kmca.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX

static int mca_rec(size_t nv, uint32_t root, const uint32_t *eu, const uint32_t *ev, const double *ec, size_t m,
		   uint32_t *chosen)
{
	int rc = -1;
	double *inw = malloc(nv * sizeof *inw);
	uint32_t *ine = malloc(nv * sizeof *ine);
	int64_t *id = malloc(nv * sizeof *id), *vis = malloc(nv * sizeof *vis);
	uint32_t *nu = NULL, *nvv = NULL, *map = NULL, *chosen2 = NULL, *head = NULL;
	double *nc = NULL;
	if (!inw || !ine || !id || !vis)
		goto done;
	for (size_t v = 0; v < nv; v++) {
		inw[v] = INFINITY;
		ine[v] = NONE;
		id[v] = vis[v] = -1;
	}
	for (size_t e = 0; e < m; e++)
		if (eu[e] != ev[e] && ev[e] != root && ec[e] < inw[ev[e]]) {
			inw[ev[e]] = ec[e];
			ine[ev[e]] = (uint32_t)e;
		}
	for (size_t v = 0; v < nv; v++)
		if (v != root && ine[v] == NONE)
			goto done;
	int64_t ncyc = 0;
	for (size_t v = 0; v < nv; v++) {
		uint32_t x = (uint32_t)v;
		while (x != root && id[x] == -1 && vis[x] != (int64_t)v) {
			vis[x] = (int64_t)v;
			x = eu[ine[x]];
		}
		if (x != root && id[x] == -1 && vis[x] == (int64_t)v) {
			uint32_t y = x;
			do {
				id[y] = ncyc;
				y = eu[ine[y]];
			} while (y != x);
			ncyc++;
		}
	}
	if (ncyc == 0) {
		size_t k = 0;
		for (size_t v = 0; v < nv; v++)
			if (v != root)
				chosen[k++] = ine[v];
		rc = 0;
		goto done;
	}
	int64_t cnt = ncyc;
	for (size_t v = 0; v < nv; v++)
		if (id[v] == -1)
			id[v] = cnt++;
	size_t m2 = 0;
	nu = malloc((m ? m : 1) * sizeof *nu);
	nvv = malloc((m ? m : 1) * sizeof *nvv);
	map = malloc((m ? m : 1) * sizeof *map);
	nc = malloc((m ? m : 1) * sizeof *nc);
	chosen2 = malloc((size_t)cnt * sizeof *chosen2);
	head = malloc((size_t)ncyc * sizeof *head);
	if (!nu || !nvv || !map || !nc || !chosen2 || !head)
		goto done;
	for (size_t e = 0; e < m; e++) {
		int64_t a = id[eu[e]], b = id[ev[e]];
		if (a == b || ev[e] == root)
			continue;
		nu[m2] = (uint32_t)a;
		nvv[m2] = (uint32_t)b;
		/* Entering a cycle at v replaces v's in-edge: price the difference. */
		nc[m2] = ec[e] - inw[ev[e]];
		map[m2++] = (uint32_t)e;
	}
	if (mca_rec((size_t)cnt, (uint32_t)id[root], nu, nvv, nc, m2, chosen2) != 0)
		goto done;
	for (int64_t c = 0; c < ncyc; c++)
		head[c] = NONE;
	size_t k = 0;
	for (int64_t i = 0; i < cnt - 1; i++) {
		uint32_t e = map[chosen2[i]];
		chosen[k++] = e;
		if (id[ev[e]] < ncyc)
			head[id[ev[e]]] = ev[e];
	}
	for (size_t v = 0; v < nv; v++)
		if (id[v] < ncyc && v != head[id[v]])
			chosen[k++] = ine[v];
	rc = k == nv - 1 ? 0 : -1;
done:
	free(inw);
	free(ine);
	free(id);
	free(vis);
	free(nu);
	free(nvv);
	free(map);
	free(nc);
	free(chosen2);
	free(head);
	return rc;
}

int abi_mca(size_t nv, uint32_t root, const uint32_t *eu, const uint32_t *ev, const double *ec, size_t m,
	    uint32_t *chosen)
{
	if (nv == 0 || root >= nv)
		return -1;
	if (nv == 1)
		return 0;
	return mca_rec(nv, root, eu, ev, ec, m, chosen);
}

/* ---- one relaxation: a price on root edges, some join edges banned */

typedef struct solver {
	size_t n, m;
	const abi_edge *E;
	const double *rc;
	double *pert;  /* n root perturbations, then m join ones */
	uint32_t *eu, *ev, *map, *chosen;
	double *ec;
	double bound; /* |lambda| beyond which the degree no longer changes */
	uint32_t *gid; /* per edge: its group as a dense 0..m-1 id, or ABI_NO_GROUP */
	size_t ngroups; /* dense group ids */
	double *extra;  /* per edge: its group's Lagrange price, added to its cost */
} solver;

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Groups are any numbers the caller chose; they become 0..m-1 so that a
 * violation is found in one pass with an array indexed by group. */
static int dense_groups(solver *s)
{
	uint32_t *sorted = malloc((s->m ? s->m : 1) * sizeof *sorted);
	if (!sorted)
		return -1;
	for (size_t j = 0; j < s->m; j++)
		sorted[j] = s->E[j].group;
	qsort(sorted, s->m, sizeof *sorted, cmp_u32);
	size_t u = 0; /* distinct groups, so a group's position is its id */
	for (size_t j = 0; j < s->m; j++)
		if (!u || sorted[u - 1] != sorted[j])
			sorted[u++] = sorted[j];
	for (size_t j = 0; j < s->m; j++) {
		uint32_t g = s->E[j].group;
		const uint32_t *at = g == ABI_NO_GROUP ? NULL : bsearch(&g, sorted, u, sizeof *sorted, cmp_u32);
		s->gid[j] = at ? (uint32_t)(at - sorted) : ABI_NO_GROUP;
	}
	s->ngroups = u;
	free(sorted);
	return 0;
}

typedef struct solution {
	int deg;
	double cost;
	uint8_t *sel; /* m flags: join edge chosen */
} solution;

/* A deterministic perturbation, far below any cost difference that
 * matters, so that every arborescence has a distinct cost and every
 * degree between the extremes is optimal for some price. */
static double perturbation(size_t i)
{
	uint64_t x = (uint64_t)i * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL;
	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 29;
	return 1e-9 * (double)(x >> 11) / 9007199254740992.0;
}

static int solve_price(solver *s, const uint8_t *banned, double lambda, solution *out)
{
	size_t k = 0;
	for (size_t v = 0; v < s->n; v++, k++) {
		s->eu[k] = (uint32_t)s->n;
		s->ev[k] = (uint32_t)v;
		s->ec[k] = (s->rc ? s->rc[v] : 0) + lambda + s->pert[v];
		s->map[k] = NONE;
	}
	for (size_t j = 0; j < s->m; j++) {
		if (banned && banned[j])
			continue;
		s->eu[k] = s->E[j].u;
		s->ev[k] = s->E[j].v;
		s->ec[k] = s->E[j].cost + s->extra[j] + s->pert[s->n + j];
		s->map[k++] = (uint32_t)j;
	}
	if (abi_mca(s->n + 1, (uint32_t)s->n, s->eu, s->ev, s->ec, k, s->chosen) != 0)
		return -1;
	memset(out->sel, 0, s->m);
	out->deg = 0;
	out->cost = 0;
	for (size_t i = 0; i < s->n; i++) {
		uint32_t e = s->chosen[i];
		if (s->map[e] == NONE) {
			out->deg++;
			out->cost += s->rc ? s->rc[s->ev[e]] : 0;
		} else {
			out->sel[s->map[e]] = 1;
			out->cost += s->E[s->map[e]].cost;
		}
	}
	return 0;
}

/* The cheapest arborescence with exactly k root edges (k = 0: any number).
 * Returns 0, 1 when no arborescence has k root edges, -1 on error. */
static int solve_k(solver *s, const uint8_t *banned, int k, solution *out)
{
	if (k <= 0)
		return solve_price(s, banned, 0, out);
	if ((size_t)k > s->n)
		return 1;
	double lo = -s->bound, hi = s->bound;
	if (solve_price(s, banned, hi, out) != 0)
		return -1;
	if (out->deg == k)
		return 0;
	if (out->deg > k)
		return 1; /* even the dearest root edges cannot make fewer facts */
	for (int it = 0; it < 200; it++) {
		double mid = (lo + hi) / 2;
		if (solve_price(s, banned, mid, out) != 0)
			return -1;
		if (out->deg == k)
			return 0;
		if (out->deg > k)
			lo = mid;
		else
			hi = mid;
		if (hi - lo <= 1e-15 * (fabs(lo) + fabs(hi) + 1))
			break;
	}
	return 1;
}

/* ---- branch and bound over FK-once violations */

#define WORK_BOUND 1e7

typedef struct bb_node {
	double lb;
	uint8_t *banned;
} bb_node;

typedef struct bb_heap {
	bb_node *v;
	size_t n, cap;
} bb_heap;

static int heap_push(bb_heap *h, bb_node x)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 16;
		bb_node *nv = realloc(h->v, cap * sizeof *nv);
		if (!nv)
			return -1;
		h->v = nv;
		h->cap = cap;
	}
	size_t i = h->n++;
	while (i && h->v[(i - 1) / 2].lb > x.lb) {
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->v[i] = x;
	return 0;
}

static bb_node heap_pop(bb_heap *h)
{
	bb_node top = h->v[0], last = h->v[--h->n];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->v[c + 1].lb < h->v[c].lb)
			c++;
		if (h->v[c].lb >= last.lb)
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n)
		h->v[i] = last;
	return top;
}

/* The group with two chosen edges whose first chosen edge comes first, or
 * ABI_NO_GROUP. One pass: `first` holds, per group, the chosen edge seen
 * first (m + 1 = none), and is reset before returning. */
static uint32_t violated_group(const solver *s, const uint8_t *sel, size_t *first)
{
	uint32_t g = ABI_NO_GROUP;
	size_t at = SIZE_MAX;
	for (size_t j = 0; j < s->m; j++) {
		uint32_t gj = s->gid[j];
		if (!sel[j] || gj == ABI_NO_GROUP)
			continue;
		if (first[gj] > s->m)
			first[gj] = j;
		else if (first[gj] < at) {
			at = first[gj];
			g = gj;
		}
	}
	for (size_t j = 0; j < s->m; j++)
		if (sel[j] && s->gid[j] != ABI_NO_GROUP)
			first[s->gid[j]] = s->m + 1;
	return g;
}

static int branch(solver *s, bb_heap *h, const bb_node *parent, const solution *sol, uint32_t group, double lb)
{
	for (size_t keep = 0; keep < s->m; keep++) {
		if (!sol->sel[keep] || s->gid[keep] != group)
			continue;
		bb_node child = {lb, malloc(s->m ? s->m : 1)};
		if (!child.banned)
			return -1;
		memcpy(child.banned, parent->banned, s->m);
		for (size_t j = 0; j < s->m; j++)
			if (j != keep && sol->sel[j] && s->gid[j] == group)
				child.banned[j] = 1;
		if (heap_push(h, child) != 0) {
			free(child.banned);
			return -1;
		}
	}
	return 0;
}

/* A greedy dive for a first feasible solution: in every violated group
 * keep the cheapest chosen edge, ban the others, solve again, until no
 * group is violated. Best-first search alone may open thousands of
 * subproblems before its first feasible leaf when violations are many and
 * independent (a data lake of hundreds of tables); with this incumbent it
 * prunes from the start, and a search cut by its budget still returns it.
 * Returns 0 with the incumbent in best/best_cost, 1 when the dive found
 * none, -1 on error. */
static int dive(solver *s, int k, solution *sol, uint8_t *best, double *best_cost, size_t *first, size_t *nodes)
{
	uint8_t *banned = calloc(s->m + 1, 1);
	if (!banned)
		return -1;
	int rc = 1;
	for (size_t it = 0; it <= s->m; it++) {
		(*nodes)++;
		int st = solve_k(s, banned, k, sol);
		if (st != 0) {
			rc = st < 0 ? -1 : 1;
			break;
		}
		uint32_t g = violated_group(s, sol->sel, first);
		if (g == ABI_NO_GROUP) {
			*best_cost = sol->cost;
			memcpy(best, sol->sel, s->m);
			rc = 0;
			break;
		}
		while (g != ABI_NO_GROUP) {
			size_t keep = SIZE_MAX;
			for (size_t j = 0; j < s->m; j++)
				if (sol->sel[j] && s->gid[j] == g && (keep == SIZE_MAX || s->E[j].cost < s->E[keep].cost))
					keep = j;
			for (size_t j = 0; j < s->m; j++)
				if (j != keep && sol->sel[j] && s->gid[j] == g) {
					banned[j] = 1;
					sol->sel[j] = 0;
				}
			g = violated_group(s, sol->sel, first);
		}
	}
	free(banned);
	return rc;
}

/* ---- Lagrange prices on FK-once groups
 *
 * Pricing each group's edges by mu_g >= 0 and subtracting sum(mu) gives a
 * lower bound on the constrained optimum for any prices (at most one edge
 * of a group is chosen in a feasible tree); subgradient steps raise it.
 * Plain Edmonds bounds ignore FK-once entirely: on a lake of 1,000 tables
 * the best-first search then ran its whole budget of 10,000 subproblems
 * with the bound 342 below the first dive's cost and never improved it.
 * Priced, the relaxation chooses fewer violating edges, a dive from it
 * starts closer to a good tree, and the search below prunes by the
 * priced bound. Used when k is free; with k fixed the root price is
 * already searched for and the prices stay 0. */

enum { LAGRANGE_ITERS = 300 };

/* The priced relaxation's bound: its cost with the prices, less them all. */
static double priced_bound(const solver *s, const solution *sol, double musum)
{
	double b = sol->cost - musum;
	for (size_t j = 0; j < s->m; j++)
		if (sol->sel[j])
			b += s->extra[j];
	return b;
}

/* Runs the subgradient ascent; leaves s->extra at the prices of the best
 * bound found (*lb, with their sum in *musum) and improves best/best_cost
 * with dives made under the prices. */
static int lagrange(solver *s, solution *sol, uint8_t *best, double *best_cost, double *lb, double *musum,
		    size_t *first, size_t *nodes)
{
	size_t m = s->m, G = s->ngroups;
	double *mu = calloc(G + 1, sizeof *mu), *bestmu = calloc(G + 1, sizeof *bestmu);
	uint32_t *cnt = calloc(G + 1, sizeof *cnt);
	uint8_t *cand = malloc(m + 1);
	int rc = -1;
	if (!mu || !bestmu || !cnt || !cand)
		goto done;
	double theta = 2.0, cur_sum = 0;
	int stale = 0;
	*lb = -INFINITY;
	*musum = 0;
	for (int it = 0; it < LAGRANGE_ITERS; it++) {
		(*nodes)++;
		if (solve_price(s, NULL, 0, sol) != 0)
			goto done;
		double L = priced_bound(s, sol, cur_sum);
		if (L > *lb + 1e-12) {
			*lb = L;
			*musum = cur_sum;
			memcpy(bestmu, mu, G * sizeof *mu);
			stale = 0;
		} else if (++stale >= 5) {
			theta /= 2;
			stale = 0;
		}
		if (*lb >= *best_cost - 1e-9 || theta < 1e-4)
			break;
		memset(cnt, 0, G * sizeof *cnt);
		for (size_t j = 0; j < m; j++)
			if (sol->sel[j] && s->gid[j] != ABI_NO_GROUP)
				cnt[s->gid[j]]++;
		double norm = 0;
		for (size_t g = 0; g < G; g++) {
			double sub = (double)cnt[g] - 1;
			if (sub > 0 || mu[g] > 0)
				norm += sub * sub;
		}
		if (norm == 0) /* the priced relaxation is feasible, hence optimal */
			break;
		/* every 10 steps, a dive under these prices for a better tree */
		if (it % 10 == 9) {
			double c = INFINITY;
			int st = dive(s, 0, sol, cand, &c, first, nodes);
			if (st < 0)
				goto done;
			if (st == 0 && c < *best_cost) {
				*best_cost = c;
				memcpy(best, cand, m);
			}
		}
		double step = theta * (*best_cost - L) / norm;
		cur_sum = 0;
		for (size_t g = 0; g < G; g++) {
			double v = mu[g] + step * ((double)cnt[g] - 1);
			mu[g] = v > 0 ? v : 0;
			cur_sum += mu[g];
		}
		for (size_t j = 0; j < m; j++)
			s->extra[j] = s->gid[j] == ABI_NO_GROUP ? 0 : mu[s->gid[j]];
	}
	for (size_t j = 0; j < m; j++)
		s->extra[j] = s->gid[j] == ABI_NO_GROUP ? 0 : bestmu[s->gid[j]];
	rc = 0;
done:
	free(mu);
	free(bestmu);
	free(cnt);
	free(cand);
	return rc;
}

void abi_kmca_result_free(abi_kmca_result *r)
{
	free(r->edges);
	free(r->fact);
	memset(r, 0, sizeof *r);
}

static int take_result(abi_kmca_result *out, const solver *s, const uint8_t *sel, double cost)
{
	out->cost = cost;
	out->edges = malloc((s->m ? s->m : 1) * sizeof *out->edges);
	out->fact = malloc(s->n ? s->n : 1);
	if (!out->edges || !out->fact)
		return -1;
	memset(out->fact, 1, s->n);
	for (size_t j = 0; j < s->m; j++)
		if (sel[j]) {
			out->edges[out->nedges++] = (uint32_t)j;
			out->fact[s->E[j].v] = 0;
		}
	out->k = 0;
	for (size_t v = 0; v < s->n; v++)
		out->k += out->fact[v];
	return 0;
}

int abi_kmca_solve(abi_kmca_result *out, size_t n, const abi_edge *edges, size_t m, const double *root_cost,
		   const abi_kmca_opts *opts, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	for (size_t j = 0; j < m; j++)
		if (edges[j].u >= n || edges[j].v >= n || !isfinite(edges[j].cost)) {
			snprintf(err, errlen, "join edge %zu is invalid (table out of range or cost not finite)", j);
			return -1;
		}
	solver s = {.n = n, .m = m, .E = edges, .rc = root_cost};
	size_t cap = n + m + 1;
	s.pert = malloc(cap * sizeof *s.pert);
	s.eu = malloc(cap * sizeof *s.eu);
	s.ev = malloc(cap * sizeof *s.ev);
	s.map = malloc(cap * sizeof *s.map);
	s.ec = malloc(cap * sizeof *s.ec);
	s.chosen = malloc(cap * sizeof *s.chosen);
	uint8_t *best = malloc(m + 1);
	size_t *first_in_group = malloc((m + 1) * sizeof *first_in_group);
	solution sol = {0, 0, malloc(m + 1)};
	bb_heap heap = {0};
	int rc = -1;
	s.gid = malloc((m + 1) * sizeof *s.gid);
	s.extra = calloc(m + 1, sizeof *s.extra);
	double *zero = calloc(m + 1, sizeof *zero);
	if (!s.extra || !zero || !s.pert || !s.eu || !s.ev || !s.map || !s.ec || !s.chosen || !best || !sol.sel ||
	    !first_in_group || !s.gid || dense_groups(&s) != 0) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	for (size_t j = 0; j <= m; j++)
		first_in_group[j] = m + 1;
	s.bound = 1;
	for (size_t i = 0; i < cap; i++)
		s.pert[i] = perturbation(i);
	for (size_t j = 0; j < m; j++)
		s.bound += fabs(edges[j].cost) + 1e-9;
	for (size_t v = 0; root_cost && v < n; v++)
		s.bound += fabs(root_cost[v]);
	bb_node first = {-INFINITY, calloc(m + 1, 1)};
	if (!first.banned || heap_push(&heap, first) != 0) {
		free(first.banned);
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	double best_cost = INFINITY;
	int truncated = 0;
	if (dive(&s, opts->k, &sol, best, &best_cost, first_in_group, &out->nodes) < 0) {
		snprintf(err, errlen, "out of memory in the arborescence search");
		goto done;
	}
	double lb = -INFINITY, musum = 0, open_lb = -INFINITY;
	if (opts->k <= 0 && lagrange(&s, &sol, best, &best_cost, &lb, &musum, first_in_group, &out->nodes) != 0) {
		snprintf(err, errlen, "out of memory in the arborescence search");
		goto done;
	}
	heap.v[0].lb = lb; /* the root subproblem, bounded by its prices */
	while (heap.n) {
		bb_node node = heap_pop(&heap);
		if (node.lb >= best_cost - 1e-9) {
			free(node.banned);
			continue;
		}
		/* Each subproblem is an Edmonds call over all m edges: past about
		 * 1e7 edge visits (about a tenth of a second) the incumbent is
		 * kept, marked inexact, with the bound it is known to be within.
		 * On a 1,000-table lake the priced bound left a gap of 3.2 on a
		 * cost of 3,111, and 10,000 subproblems (2.5 s) did not close it;
		 * schemas of a few hundred tables finish far below the bound. */
		if (out->nodes >= opts->max_nodes || (double)out->nodes * (double)(m + n) > WORK_BOUND) {
			truncated = 1;
			open_lb = node.lb;
			free(node.banned);
			break;
		}
		out->nodes++;
		int st = solve_k(&s, node.banned, opts->k, &sol);
		double L = st == 0 ? priced_bound(&s, &sol, musum) : INFINITY;
		uint32_t g = st == 0 && L < best_cost ? violated_group(&s, sol.sel, first_in_group) : ABI_NO_GROUP;
		if (st == 0 && L < best_cost && g == ABI_NO_GROUP && sol.cost < best_cost) {
			best_cost = sol.cost; /* feasible: an incumbent */
			memcpy(best, sol.sel, m);
		}
		/* Feasible under prices but dearer than the priced bound: this
		 * subproblem's optimum lies between the two, so it is solved
		 * again without prices, whose optimum, when feasible, is exact. */
		if (st == 0 && g == ABI_NO_GROUP && L < best_cost - 1e-9 && sol.cost > L + 1e-9) {
			double *priced = s.extra;
			s.extra = zero;
			out->nodes++;
			st = solve_k(&s, node.banned, opts->k, &sol);
			s.extra = priced;
			if (st == 0 && sol.cost < best_cost) {
				g = violated_group(&s, sol.sel, first_in_group);
				if (g == ABI_NO_GROUP) {
					best_cost = sol.cost;
					memcpy(best, sol.sel, m);
				}
			}
		}
		int bad = st < 0;
		if (!bad && g != ABI_NO_GROUP && branch(&s, &heap, &node, &sol, g, L > node.lb ? L : node.lb) != 0)
			bad = 1;
		free(node.banned);
		if (bad) {
			snprintf(err, errlen, "out of memory in the arborescence search");
			goto done;
		}
	}
	if (best_cost == INFINITY) {
		if (truncated)
			snprintf(err, errlen,
				 "no arborescence meeting FK-once was found within %zu subproblems; raise max_nodes",
				 opts->max_nodes);
		else
			snprintf(err, errlen,
				 "no arborescence has exactly k = %d facts: some tables have no candidate join into them "
				 "and must be facts; raise k or use k = 0 to choose it",
				 opts->k);
		goto done;
	}
	if (take_result(out, &s, best, best_cost) != 0) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	out->exact = !truncated;
	/* the best bound known: the root's priced one, or the least open one */
	out->bound = !truncated ? best_cost : open_lb > lb ? open_lb : lb;
	if (out->bound > best_cost)
		out->bound = best_cost;
	rc = 0;
done:
	while (heap.n) {
		bb_node x = heap_pop(&heap);
		free(x.banned);
	}
	free(heap.v);
	free(s.pert);
	free(s.eu);
	free(s.ev);
	free(s.map);
	free(s.ec);
	free(s.chosen);
	free(best);
	free(first_in_group);
	free(s.gid);
	free(s.extra);
	free(zero);
	free(sol.sel);
	if (rc != 0)
		abi_kmca_result_free(out);
	return rc;
}
