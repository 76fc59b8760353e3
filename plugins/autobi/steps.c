/*
 * steps.c -- see steps.h.
 */
#define _GNU_SOURCE
#include "steps.h"

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "parallel.h"

void abi_predict_all(abi_graph *g, const abi_lr *m)
{
	for (size_t i = 0; i < g->c.n; i++)
		g->c.v[i].p = abi_lr_predict(m, g->c.v[i].x);
	g->has_p = 1;
}

int abi_kmca_graph(abi_kmca_result *r, const abi_graph *g, const abi_kmca_opts *o, char *err, size_t errlen)
{
	size_t n = g->c.n ? g->c.n : 1;
	abi_edge *e = malloc(n * sizeof *e);
	uint32_t *group = malloc(n * sizeof *group), *cand = malloc(n * sizeof *cand);
	/* A table with no likely outgoing join would be an isolated root child:
	 * rare in a BI model, so that costs o->isolation (a probability of
	 * exp(-isolation)). A table with two or more likely outgoing joins may
	 * be a fact for free. One with a single one is as often a dimension
	 * with a sub-dimension as a fact, so it pays a third of that: an
	 * incoming join of p >= 0.27 then outweighs making it a fact, and a
	 * dimension stops becoming a fact that nothing may join into. Self-
	 * references (manager_id -> id) are not arborescence edges: the
	 * solver skips loops, and bi_model adds them afterwards. */
	double *root = calloc(g->ntables ? g->ntables : 1, sizeof *root);
	if (!e || !group || !cand || !root || abi_cand_groups(&g->c, group) != 0) {
		free(e);
		free(group);
		free(cand);
		free(root);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < g->c.n; i++)
		if (g->c.v[i].p >= 0.5 && g->c.v[i].from != g->c.v[i].to)
			root[g->c.v[i].from] += 1; /* likely outgoing joins, counted */
	for (size_t t = 0; t < g->ntables; t++)
		root[t] = root[t] >= 2 ? 0 : root[t] >= 1 ? o->isolation / 3 : o->isolation;
	/* When k is free (0), a join into v that costs more than v's root edge
	 * is in no optimal arborescence, under any FK-once bans: swapping it
	 * for the root edge keeps an arborescence and costs less. On a lake of
	 * 1,000 tables that leaves about one candidate in fifteen, and every
	 * subproblem of the search is an Edmonds call over all edges passed.
	 * With k fixed the root edges are repriced, so all are kept. */
	size_t m = 0;
	for (size_t i = 0; i < g->c.n; i++) {
		const abi_cand *c = &g->c.v[i];
		double p = c->p < 1e-4 ? 1e-4 : c->p > 1 - 1e-4 ? 1 - 1e-4 : c->p;
		double cost = -log(p / (1 - p));
		if (o->k <= 0 && c->from != c->to && cost > root[c->to] + 1e-6)
			continue;
		cand[m] = (uint32_t)i;
		e[m++] = (abi_edge){c->from, c->to, cost, group[i]};
	}
	int rc = abi_kmca_solve_split(r, g->ntables, e, m, root, o, err, errlen);
	for (size_t i = 0; rc == 0 && i < r->nedges; i++)
		r->edges[i] = cand[r->edges[i]]; /* back to candidate indices */
	free(root);
	free(e);
	free(group);
	free(cand);
	return rc;
}

static int col_is(const abi_tinfo *t, uint32_t col, const json_t *name)
{
	const char *s = json_string_value(name);
	return s && strcmp(t->cols[col], s) == 0;
}

int abi_label(int *labels, const abi_graph *g, const json_t *truth, char *err, size_t errlen)
{
	const json_t *joins = json_object_get(truth, "joins");
	if (!json_is_array(joins)) {
		snprintf(err, errlen, "the truth file has no 'joins' list (format autobi-truth/1)");
		return -1;
	}
	for (size_t i = 0; i < g->c.n; i++) {
		const abi_cand *c = &g->c.v[i];
		labels[i] = 0;
		for (size_t k = 0; k < json_array_size(joins) && !labels[i]; k++) {
			const json_t *j = json_array_get(joins, k);
			const char *from = json_string_value(json_object_get(j, "from"));
			const char *to = json_string_value(json_object_get(j, "to"));
			const json_t *fc = json_object_get(j, "from_columns"), *tc = json_object_get(j, "to_columns");
			if (!from || !to || strcmp(from, g->t[c->from].name) || strcmp(to, g->t[c->to].name) ||
			    json_array_size(fc) != c->ncols || json_array_size(tc) != c->ncols)
				continue;
			int ok = 1;
			for (uint32_t q = 0; q < c->ncols; q++)
				ok &= col_is(&g->t[c->from], c->fc[q], json_array_get(fc, q)) &&
				      col_is(&g->t[c->to], c->tc[q], json_array_get(tc, q));
			labels[i] = ok;
		}
	}
	return 0;
}

int abi_examples_add(abi_examples *e, const abi_graph *g, const json_t *truth, char *err, size_t errlen)
{
	double *nx = realloc(e->X, (e->n + g->c.n + 1) * ABI_NFEATURES * sizeof *nx);
	if (nx)
		e->X = nx;
	int *ny = nx ? realloc(e->y, (e->n + g->c.n + 1) * sizeof *ny) : NULL;
	if (ny)
		e->y = ny;
	if (!nx || !ny) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (abi_label(e->y + e->n, g, truth, err, errlen) != 0)
		return -1;
	for (size_t i = 0; i < g->c.n; i++)
		memcpy(e->X + (e->n + i) * ABI_NFEATURES, g->c.v[i].x, sizeof g->c.v[i].x);
	e->n += g->c.n;
	return 0;
}

void abi_examples_free(abi_examples *e)
{
	free(e->X);
	free(e->y);
	memset(e, 0, sizeof *e);
}

typedef struct loader {
	abi_profile *profs;
	const char *const *paths;
	size_t n;
	atomic_size_t next;
	pthread_mutex_t mu;
	size_t bad; /* lowest failed index, n when none */
	char *err;
	size_t errlen;
} loader;

static void *load_thread(void *arg)
{
	loader *l = arg;
	char err[1024];
	for (size_t i; (i = atomic_fetch_add(&l->next, 1)) < l->n;)
		if (abi_profile_load(&l->profs[i], l->paths[i], err, sizeof err) != 0) {
			pthread_mutex_lock(&l->mu);
			if (i < l->bad) {
				l->bad = i;
				snprintf(l->err, l->errlen, "%s", err);
			}
			pthread_mutex_unlock(&l->mu);
		}
	return NULL;
}

/* Reading a thousand profiles (400 MB) was a fifth of the candidates
 * node on one thread; the files are independent. */
int abi_profiles_load(abi_profile *profs, const char *const *paths, size_t n, unsigned threads, size_t *bad,
		      char *err, size_t errlen)
{
	loader l = {.profs = profs, .paths = paths, .n = n, .bad = n, .err = err, .errlen = errlen};
	atomic_init(&l.next, 0);
	pthread_mutex_init(&l.mu, NULL);
	if (threads > n)
		threads = n ? (unsigned)n : 1;
	abi_parallel(threads, load_thread, &l);
	pthread_mutex_destroy(&l.mu);
	if (l.bad == n)
		return 0;
	*bad = l.bad;
	for (size_t i = 0; i < n; i++)
		abi_profile_free(&profs[i]);
	return -1;
}

double abi_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int is_csv(const char *name)
{
	size_t n = strlen(name);
	return n > 4 && strcasecmp(name + n - 4, ".csv") == 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void abi_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int abi_list_csv(char ***out, size_t *n, const char *dir)
{
	*out = NULL;
	*n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	char **names = NULL;
	size_t nn = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!is_csv(de->d_name))
			continue;
		char **nv = realloc(names, (nn + 1) * sizeof *nv);
		if (!nv || !(nv[nn] = strdup(de->d_name))) {
			closedir(d);
			abi_names_free(nv ? nv : names, nn);
			return -2;
		}
		names = nv;
		nn++;
	}
	closedir(d);
	if (nn) /* qsort must not be handed NULL, even for no elements */
		qsort(names, nn, sizeof *names, cmp_str);
	*out = names;
	*n = nn;
	return 0;
}

int abi_profile_dir(abi_profile **profs, size_t *n, const char *dir, double *parse_s, double *profile_s, char *err,
		    size_t errlen)
{
	*profs = NULL;
	*n = 0;
	*parse_s = *profile_s = 0;
	char **names;
	size_t nn;
	int rc = abi_list_csv(&names, &nn, dir);
	if (rc != 0) {
		snprintf(err, errlen, rc == -1 ? "cannot open %s" : "out of memory listing %s", dir);
		return -1;
	}
	rc = -1;
	if (!(*profs = calloc(nn ? nn : 1, sizeof **profs)))
		goto done;
	for (size_t i = 0; i < nn; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		wcsv t;
		double t0 = abi_now();
		if (wcsv_read(&t, path, names[i], err, errlen) != 0)
			goto done;
		double t1 = abi_now();
		names[i][strlen(names[i]) - 4] = '\0';
		int prc = abi_profile_build(&(*profs)[i], &t, names[i], 12, err, errlen);
		wcsv_free(&t);
		*parse_s += t1 - t0;
		*profile_s += abi_now() - t1;
		if (prc != 0)
			goto done;
		(*n)++;
	}
	rc = 0;
done:
	abi_names_free(names, nn);
	if (rc != 0) {
		for (size_t i = 0; i < *n; i++)
			abi_profile_free(&(*profs)[i]);
		free(*profs);
		*profs = NULL;
		*n = 0;
	}
	return rc;
}
