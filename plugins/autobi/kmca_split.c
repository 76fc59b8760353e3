/*
 * kmca_split.c -- k-MCA with k free, one weakly connected component at a
 * time.
 *
 * With k free every table's root edge is always available, so the tables
 * that no join edge connects are independent problems: the optimum of the
 * whole is the union of the components' optima. The branch and bound over
 * FK-once violations is best-first over the whole problem, so violations
 * in unrelated parts of a data lake multiply its subproblems; solved
 * apart, they add. On a lake of 1,000 tables the whole problem stopped at
 * its 10,000-subproblem budget; its components are each solved exactly.
 */
#define _GNU_SOURCE
#include "kmca.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t find(uint32_t *up, uint32_t x)
{
	while (up[x] != x)
		x = up[x] = up[up[x]];
	return x;
}

typedef struct parts {
	uint32_t *comp;  /* per table: its component, 0..ncomp-1 */
	uint32_t *local; /* per table: its index inside the component */
	size_t *nt, *ne; /* per component: tables, edges */
	size_t ncomp;
} parts;

static void parts_free(parts *p)
{
	free(p->comp);
	free(p->local);
	free(p->nt);
	free(p->ne);
}

static int split(parts *p, size_t n, const abi_edge *edges, size_t m)
{
	memset(p, 0, sizeof *p);
	uint32_t *up = malloc((n ? n : 1) * sizeof *up);
	p->comp = malloc((n ? n : 1) * sizeof *p->comp);
	p->local = malloc((n ? n : 1) * sizeof *p->local);
	p->nt = calloc(n ? n : 1, sizeof *p->nt);
	p->ne = calloc(n ? n : 1, sizeof *p->ne);
	if (!up || !p->comp || !p->local || !p->nt || !p->ne) {
		free(up);
		parts_free(p);
		return -1;
	}
	for (size_t v = 0; v < n; v++)
		up[v] = (uint32_t)v;
	for (size_t j = 0; j < m; j++) {
		uint32_t a = find(up, edges[j].u), b = find(up, edges[j].v);
		if (a != b)
			up[a < b ? b : a] = a < b ? a : b;
	}
	/* components numbered by their first table, tables in order inside */
	for (size_t v = 0; v < n; v++)
		p->comp[v] = UINT32_MAX;
	for (size_t v = 0; v < n; v++) {
		uint32_t r = find(up, (uint32_t)v);
		if (p->comp[r] == UINT32_MAX)
			p->comp[r] = (uint32_t)p->ncomp++;
		p->comp[v] = p->comp[r];
		p->local[v] = (uint32_t)p->nt[p->comp[v]]++;
	}
	for (size_t j = 0; j < m; j++)
		p->ne[p->comp[edges[j].u]]++;
	free(up);
	return 0;
}

int abi_kmca_solve_split(abi_kmca_result *out, size_t n, const abi_edge *edges, size_t m, const double *root_cost,
			 const abi_kmca_opts *opts, char *err, size_t errlen)
{
	if (opts->k > 0)
		return abi_kmca_solve(out, n, edges, m, root_cost, opts, err, errlen);
	memset(out, 0, sizeof *out);
	for (size_t j = 0; j < m; j++)
		if (edges[j].u >= n || edges[j].v >= n) {
			snprintf(err, errlen, "join edge %zu is invalid (table out of range)", j);
			return -1;
		}
	parts p;
	if (split(&p, n, edges, m) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* one component's tables, edges and root costs, reused for each */
	size_t *first = malloc((p.ncomp + 1) * sizeof *first);
	uint32_t *eidx = malloc((m ? m : 1) * sizeof *eidx), *tables = malloc((n ? n : 1) * sizeof *tables);
	abi_edge *sub = malloc((m ? m : 1) * sizeof *sub);
	double *rc = malloc((n ? n : 1) * sizeof *rc);
	out->edges = malloc((m ? m : 1) * sizeof *out->edges);
	out->fact = calloc(n ? n : 1, 1);
	int rc_ = -1;
	if (!first || !eidx || !tables || !sub || !rc || !out->edges || !out->fact) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	/* edges grouped by component (counting sort), in their order */
	first[0] = 0;
	for (size_t c = 0; c < p.ncomp; c++)
		first[c + 1] = first[c] + p.ne[c];
	for (size_t c = 0; c < p.ncomp; c++)
		p.ne[c] = 0;
	for (size_t j = 0; j < m; j++) {
		uint32_t c = p.comp[edges[j].u];
		eidx[first[c] + p.ne[c]++] = (uint32_t)j;
	}
	out->exact = 1;
	for (size_t c = 0; c < p.ncomp; c++) {
		size_t nt = 0;
		for (size_t v = 0; v < n; v++)
			if (p.comp[v] == c) {
				tables[nt] = (uint32_t)v;
				rc[nt++] = root_cost ? root_cost[v] : 0;
			}
		if (p.ne[c] == 0) { /* a lone table: a child of the root */
			out->fact[tables[0]] = 1;
			out->cost += rc[0];
			out->bound += rc[0];
			out->k++;
			continue;
		}
		for (size_t q = 0; q < p.ne[c]; q++) {
			const abi_edge *e = &edges[eidx[first[c] + q]];
			sub[q] = (abi_edge){p.local[e->u], p.local[e->v], e->cost, e->group};
		}
		abi_kmca_result r;
		if (abi_kmca_solve(&r, nt, sub, p.ne[c], rc, opts, err, errlen) != 0)
			goto done;
		for (size_t q = 0; q < r.nedges; q++)
			out->edges[out->nedges++] = eidx[first[c] + r.edges[q]];
		for (size_t v = 0; v < nt; v++)
			out->fact[tables[v]] = r.fact[v];
		out->k += r.k;
		out->cost += r.cost;
		out->bound += r.bound;
		out->nodes += r.nodes;
		out->exact &= r.exact;
		abi_kmca_result_free(&r);
	}
	rc_ = 0;
done:
	free(first);
	free(eidx);
	free(tables);
	free(sub);
	free(rc);
	parts_free(&p);
	if (rc_ != 0)
		abi_kmca_result_free(out);
	return rc_;
}
