/*
 * bimodel.c -- the BI model: roles, joins with cardinality and confidence,
 * the constellation follow-up, the DOT rendering, and the scorer.
 */
#define _GNU_SOURCE
#include "bimodel.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct chosen {
	uint8_t *in;  /* per candidate: in the model */
	uint8_t *tree;
	const char **role; /* per table */
} chosen;

/* The chosen joins as lists of outgoing edges per table (head, next, to),
 * grown as the constellation adds joins: a path search then walks only
 * chosen joins, not every candidate. */
typedef struct adj {
	uint32_t *head, *next, *to;
	size_t n;
} adj;

#define ADJ_END UINT32_MAX

static void adj_add(adj *a, uint32_t from, uint32_t to)
{
	a->to[a->n] = to;
	a->next[a->n] = a->head[from];
	a->head[from] = (uint32_t)a->n++;
}

/* Is there a directed path from table `src` to table `dst` over chosen joins? */
static int reaches(const adj *a, uint32_t src, uint32_t dst, uint8_t *seen)
{
	if (src == dst)
		return 1;
	if (seen[src])
		return 0;
	seen[src] = 1;
	for (uint32_t e = a->head[src]; e != ADJ_END; e = a->next[e])
		if (reaches(a, a->to[e], dst, seen))
			return 1;
	return 0;
}

static int by_p_desc(const void *a, const void *b, void *payload)
{
	const abi_graph *g = payload;
	const abi_cand *x = &g->c.v[*(const size_t *)a], *y = &g->c.v[*(const size_t *)b];
	if (x->p != y->p)
		return x->p < y->p ? 1 : -1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

/* Adds the joins of p >= threshold that break no rule, most likely first:
 * none into a fact (self-references aside), at most one per FK-once group,
 * no cycle. */
static int add_constellation(const abi_graph *g, const abi_kmca_result *r, chosen *ch, double threshold)
{
	size_t n = g->c.n ? g->c.n : 1, nt = g->ntables ? g->ntables : 1;
	size_t *order = malloc(n * sizeof *order);
	uint8_t *seen = malloc(nt), *taken = calloc(n, 1);
	uint32_t *group = malloc(n * sizeof *group);
	adj a = {malloc(nt * sizeof *a.head), malloc(n * sizeof *a.next), malloc(n * sizeof *a.to), 0};
	int rc = -1;
	if (!order || !seen || !taken || !group || !a.head || !a.next || !a.to || abi_cand_groups(&g->c, group) != 0)
		goto done;
	for (size_t t = 0; t < nt; t++)
		a.head[t] = ADJ_END;
	for (size_t i = 0; i < g->c.n; i++) {
		order[i] = i;
		if (ch->in[i]) {
			taken[group[i]] = 1;
			adj_add(&a, g->c.v[i].from, g->c.v[i].to);
		}
	}
	/* Ties fall back to candidate order, so the model is deterministic. */
	qsort_r(order, g->c.n, sizeof *order, by_p_desc, (void *)g);
	for (size_t k = 0; k < g->c.n; k++) {
		size_t i = order[k];
		const abi_cand *c = &g->c.v[i];
		if (c->p < threshold)
			break; /* sorted: no later one passes either */
		int self = c->from == c->to;
		if (ch->in[i] || (r->fact[c->to] && !self) || taken[group[i]])
			continue;
		/* A self-reference is a loop by nature (employees.manager_id ->
		 * employees.id); any other join may close no cycle. */
		memset(seen, 0, nt);
		if (!self && reaches(&a, c->to, c->from, seen))
			continue;
		ch->in[i] = 1;
		taken[group[i]] = 1;
		adj_add(&a, c->from, c->to);
	}
	rc = 0;
done:
	free(order);
	free(seen);
	free(taken);
	free(group);
	free(a.head);
	free(a.next);
	free(a.to);
	return rc;
}

/* Each table's role: a fact with an outgoing join (a self-reference makes
 * no fact), an isolated root, or a dimension. */
static int set_roles(const abi_graph *g, const abi_kmca_result *r, chosen *ch)
{
	uint8_t *out = calloc(g->ntables ? g->ntables : 1, 1);
	if (!out)
		return -1;
	for (size_t i = 0; i < g->c.n; i++)
		if (ch->in[i] && g->c.v[i].from != g->c.v[i].to)
			out[g->c.v[i].from] = 1;
	for (uint32_t t = 0; t < g->ntables; t++)
		ch->role[t] = !r->fact[t] ? "dimension" : out[t] ? "fact" : "isolated";
	free(out);
	return 0;
}

static json_t *cols_json(const abi_tinfo *t, const uint32_t *cols, uint32_t n)
{
	json_t *a = json_array();
	for (uint32_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(t->cols[cols[i]]));
	return a;
}

static void dot_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
}

static void dot_cols(FILE *f, const abi_tinfo *t, const uint32_t *cols, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			fputs(", ", f);
		dot_escape(f, t->cols[cols[i]]);
	}
}

static char *render_dot(const abi_graph *g, const abi_kmca_result *r, const chosen *ch)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	fputs("digraph bi_model {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n"
	      "  edge [fontname=\"Helvetica\", fontsize=10];\n", f);
	for (uint32_t t = 0; t < g->ntables; t++) {
		const char *rl = ch->role[t];
		fputs("  \"", f);
		dot_escape(f, g->t[t].name);
		fprintf(f, "\" [label=\"");
		dot_escape(f, g->t[t].name);
		fprintf(f, "\\n%s, %llu rows\"%s];\n", rl, (unsigned long long)g->t[t].rows,
			strcmp(rl, "fact") == 0 ? ", style=\"bold,filled\", fillcolor=\"#f6e3a1\""
			: strcmp(rl, "isolated") == 0 ? ", style=dotted"
						       : "");
	}
	for (size_t i = 0; i < g->c.n; i++) {
		if (!ch->in[i])
			continue;
		const abi_cand *c = &g->c.v[i];
		fputs("  \"", f);
		dot_escape(f, g->t[c->from].name);
		fputs("\" -> \"", f);
		dot_escape(f, g->t[c->to].name);
		fputs("\" [label=\"", f);
		dot_cols(f, &g->t[c->from], c->fc, c->ncols);
		fputs(" -> ", f);
		dot_cols(f, &g->t[c->to], c->tc, c->ncols);
		fprintf(f, "\\n%s p=%.2f\"%s];\n", c->x[ABI_F_X_UNIQUE] >= 0.999 ? "1:1" : "N:1", c->p,
			ch->tree[i] ? "" : ", style=dashed");
	}
	fputs("}\n", f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

int abi_bimodel_build(json_t **model, char **dot, const abi_graph *g, const abi_kmca_result *r,
		      double extra_threshold, char *err, size_t errlen)
{
	*model = NULL;
	*dot = NULL;
	chosen ch = {calloc(g->c.n + 1, 1), calloc(g->c.n + 1, 1), calloc(g->ntables + 1, sizeof *ch.role)};
	int rc = -1;
	if (!ch.in || !ch.tree || !ch.role)
		goto oom;
	for (size_t i = 0; i < r->nedges; i++) {
		if (r->edges[i] >= g->c.n) {
			snprintf(err, errlen, "the arborescence names candidate %u but the graph has %zu; rerun autobi.kmca "
				 "on these joins", r->edges[i], g->c.n);
			goto done;
		}
		ch.in[r->edges[i]] = ch.tree[r->edges[i]] = 1;
	}
	if (add_constellation(g, r, &ch, extra_threshold) != 0 || set_roles(g, r, &ch) != 0)
		goto oom;
	json_t *tables = json_array(), *joins = json_array();
	for (uint32_t t = 0; t < g->ntables; t++)
		json_array_append_new(tables, json_pack("{s:s, s:s, s:I}", "name", g->t[t].name, "role",
							 ch.role[t], "rows", (json_int_t)g->t[t].rows));
	for (size_t i = 0; i < g->c.n; i++) {
		if (!ch.in[i])
			continue;
		const abi_cand *c = &g->c.v[i];
		json_array_append_new(
			joins, json_pack("{s:s, s:o, s:s, s:o, s:s, s:f, s:s}", "from", g->t[c->from].name,
					 "from_columns", cols_json(&g->t[c->from], c->fc, c->ncols), "to",
					 g->t[c->to].name, "to_columns", cols_json(&g->t[c->to], c->tc, c->ncols),
					 "cardinality", c->x[ABI_F_X_UNIQUE] >= 0.999 ? "1:1" : "N:1", "confidence",
					 c->p, "kind", ch.tree[i] ? "tree" : c->from == c->to ? "self" : "constellation"));
	}
	json_t *bound = isfinite(r->bound) ? json_real(r->bound) : json_null();
	*model = json_pack("{s:s, s:i, s:f, s:o, s:b, s:I, s:o, s:o}", "format", "autobi-bi-model/1", "k", r->k, "cost",
			   r->cost, "cost_bound", bound, "exact", r->exact, "search_nodes", (json_int_t)r->nodes,
			   "tables", tables, "joins", joins);
	if (!*model || !(*dot = render_dot(g, r, &ch)))
		goto oom;
	rc = 0;
	goto done;
oom:
	snprintf(err, errlen, "out of memory while building the BI model");
done:
	if (rc != 0) {
		json_decref(*model);
		*model = NULL;
	}
	free(ch.in);
	free(ch.tree);
	free(ch.role);
	return rc;
}

/* ---- scoring */

/* "from(a,b)->to(c,d)": one string per join, for set comparison. */
static char *join_key(const json_t *j)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	const char *from = json_string_value(json_object_get(j, "from")), *to = json_string_value(json_object_get(j, "to"));
	fprintf(f, "%s(", from ? from : "?");
	const json_t *fc = json_object_get(j, "from_columns"), *tc = json_object_get(j, "to_columns");
	for (size_t i = 0; i < json_array_size(fc); i++)
		fprintf(f, "%s%s", i ? "," : "", json_string_value(json_array_get(fc, i)));
	fprintf(f, ")->%s(", to ? to : "?");
	for (size_t i = 0; i < json_array_size(tc); i++)
		fprintf(f, "%s%s", i ? "," : "", json_string_value(json_array_get(tc, i)));
	fputc(')', f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_keys(char **k, size_t n)
{
	for (size_t i = 0; k && i < n; i++)
		free(k[i]);
	free(k);
}

/* How many joins of a are in b: b's keys are made once and sorted, so a
 * model of thousands of joins is scored in n log n, not n^2 key builds. */
static int count_hits(size_t *hits, const json_t *a, const json_t *b)
{
	*hits = 0;
	size_t nb = json_array_size(b);
	char **kb = calloc(nb ? nb : 1, sizeof *kb);
	if (!kb)
		return -1;
	for (size_t i = 0; i < nb; i++)
		if (!(kb[i] = join_key(json_array_get(b, i)))) {
			free_keys(kb, nb);
			return -1;
		}
	qsort(kb, nb, sizeof *kb, by_str);
	for (size_t i = 0; i < json_array_size(a); i++) {
		char *k = join_key(json_array_get(a, i));
		if (!k) {
			free_keys(kb, nb);
			return -1;
		}
		*hits += bsearch(&k, kb, nb, sizeof *kb, by_str) != NULL;
		free(k);
	}
	free_keys(kb, nb);
	return 0;
}

int abi_score_model(abi_score *s, const json_t *model, const json_t *truth, char *err, size_t errlen)
{
	memset(s, 0, sizeof *s);
	const json_t *pj = json_object_get(model, "joins"), *tj = json_object_get(truth, "joins");
	if (!json_is_array(pj) || !json_is_array(tj)) {
		snprintf(err, errlen, "both the model and the truth need a 'joins' list");
		return -1;
	}
	size_t hit_p, hit_t;
	if (count_hits(&hit_p, pj, tj) != 0 || count_hits(&hit_t, tj, pj) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->tp = hit_p;
	s->fp = json_array_size(pj) - hit_p;
	s->fn = json_array_size(tj) - hit_t;
	s->precision = s->tp + s->fp ? (double)s->tp / (double)(s->tp + s->fp) : 1.0;
	s->recall = s->tp + s->fn ? (double)s->tp / (double)(s->tp + s->fn) : 1.0;
	s->f1 = s->precision + s->recall > 0 ? 2 * s->precision * s->recall / (s->precision + s->recall) : 0;
	s->exact = s->fp == 0 && s->fn == 0;
	return 0;
}
