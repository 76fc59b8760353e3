/*
 * semisup.c -- see semisup.h.
 */
#define _GNU_SOURCE
#include "semisup.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endmodel.h"
#include "topk.h"

static double sqdist(const double *a, const double *b, size_t d)
{
	double s = 0;
	for (size_t j = 0; j < d; j++) {
		double t = a[j] - b[j];
		s += t * t;
	}
	return s;
}

/* The k nearest of rows[0..nr) to x, skipping position `self` (or nr). */
static void nearest(const double *X, size_t d, const size_t *rows, size_t nr, const double *x, size_t self, size_t k,
		    size_t *out, double *dist)
{
	size_t have = 0;
	for (size_t q = 0; q < nr; q++)
		if (q != self)
			aws_topk_offer(dist, out, &have, k, sqdist(X + rows[q] * d, x, d), q);
	for (size_t q = have; q < k; q++) /* fewer rows than k: repeat the nearest */
		out[q] = have ? out[0] : 0;
}

int aws_knn_build(aws_knn *g, const double *X, size_t d, const size_t *rows, size_t nr, size_t k)
{
	memset(g, 0, sizeof *g);
	if (nr < 2 || k < 1)
		return -1;
	if (k > nr - 1)
		k = nr - 1;
	double *dist = malloc(k * sizeof *dist);
	g->nb = malloc(nr * k * sizeof *g->nb);
	if (!dist || !g->nb) {
		free(dist);
		free(g->nb);
		g->nb = NULL;
		return -1;
	}
	g->nr = nr, g->k = k, g->rows = rows;
	for (size_t q = 0; q < nr; q++)
		nearest(X, d, rows, nr, X + rows[q] * d, q, k, g->nb + q * k, dist);
	free(dist);
	return 0;
}

void aws_knn_free(aws_knn *g)
{
	free(g->nb);
	free(g->pos), free(g->outside);
	memset(g, 0, sizeof *g);
}

/* Each of n rows' position in g's rows, SIZE_MAX for a row outside the
 * graph (malloc'd; NULL when out of memory). */
static size_t *graph_positions(const aws_knn *g, size_t n)
{
	size_t *pos = malloc((n ? n : 1) * sizeof *pos);
	for (size_t i = 0; pos && i < n; i++)
		pos[i] = SIZE_MAX;
	for (size_t q = 0; pos && q < g->nr; q++)
		pos[g->rows[q]] = q;
	return pos;
}

int aws_knn_outside(aws_knn *g, const double *X, size_t n, size_t d)
{
	size_t k = g->k;
	size_t *pos = graph_positions(g, n), *out = malloc((n ? n : 1) * (k ? k : 1) * sizeof *out);
	double *dist = malloc((k ? k : 1) * sizeof *dist);
	if (!pos || !out || !dist) {
		free(pos), free(out), free(dist);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (pos[i] == SIZE_MAX)
			nearest(X, d, g->rows, g->nr, X + i * d, g->nr, k, out + i * k, dist);
	free(dist);
	free(g->pos), free(g->outside);
	g->pos = pos, g->outside = out, g->n_all = n;
	return 0;
}

int aws_spread(double *F, const aws_knn *g, const double *Y0, size_t c, double alpha, int iters)
{
	size_t nr = g->nr, k = g->k;
	/* symmetrised connectivity: w_ij = (a_ij + a_ji) / 2, as an edge list
	 * of both directions; degree = row sums */
	double *deg = calloc(nr, sizeof *deg), *next = malloc(nr * c * sizeof *next);
	if (!deg || !next) {
		free(deg), free(next);
		return -1;
	}
	for (size_t i = 0; i < nr; i++)
		for (size_t t = 0; t < k; t++) {
			deg[i] += 0.5;
			deg[g->nb[i * k + t]] += 0.5;
		}
	memcpy(F, Y0, nr * c * sizeof *F);
	for (int it = 0; it < iters; it++) {
		memset(next, 0, nr * c * sizeof *next);
		for (size_t i = 0; i < nr; i++)
			for (size_t t = 0; t < k; t++) {
				size_t j = g->nb[i * k + t];
				double w = 0.5 / sqrt(deg[i] * deg[j]);
				for (size_t q = 0; q < c; q++) {
					next[i * c + q] += w * F[j * c + q];
					next[j * c + q] += w * F[i * c + q];
				}
			}
		for (size_t v = 0; v < nr * c; v++)
			F[v] = alpha * next[v] + (1 - alpha) * Y0[v];
	}
	for (size_t i = 0; i < nr; i++) {
		double s = 0;
		for (size_t q = 0; q < c; q++)
			s += F[i * c + q] > 0 ? F[i * c + q] : 0;
		for (size_t q = 0; q < c; q++)
			F[i * c + q] = s > 0 ? (F[i * c + q] > 0 ? F[i * c + q] / s : 0) : 1.0 / (double)c;
	}
	free(deg), free(next);
	return 0;
}

int aws_spread_predict(double *P, size_t n, const aws_knn *g, const double *F, size_t c)
{
	if (!g->outside || g->n_all != n)
		return -1;
	size_t k = g->k;
	for (size_t i = 0; i < n; i++) {
		double *p = P + i * c;
		if (g->pos[i] != SIZE_MAX) {
			memcpy(p, F + g->pos[i] * c, c * sizeof *p);
			continue;
		}
		const size_t *near = g->outside + i * k;
		for (size_t q = 0; q < c; q++)
			p[q] = 0;
		for (size_t t = 0; t < k; t++)
			for (size_t q = 0; q < c; q++)
				p[q] += F[near[t] * c + q] / (double)k;
	}
	return 0;
}

/* The labeled and unlabeled rows: the graph's rows. */
static size_t train_rows(const aws_data *D, size_t **rows)
{
	size_t n = 0;
	*rows = malloc((D->n ? D->n : 1) * sizeof **rows);
	for (size_t i = 0; *rows && i < D->n; i++)
		if (D->split[i] != AWS_TEST)
			(*rows)[n++] = i;
	return *rows ? n : 0;
}

int aws_label_spreading(double **P, const aws_data *D, size_t k_nn, double alpha, char *err, size_t errlen)
{
	size_t *rows = NULL, nr = train_rows(D, &rows);
	aws_knn g;
	double *Y0 = calloc(nr ? nr * D->k : 1, sizeof *Y0), *F = malloc((nr ? nr : 1) * D->k * sizeof *F);
	*P = malloc((D->n ? D->n : 1) * D->k * sizeof **P);
	int rc = -1;
	if (!rows || !Y0 || !F || !*P || aws_knn_build(&g, D->X, D->d, rows, nr, k_nn) != 0) {
		snprintf(err, errlen, "label spreading: out of memory, or fewer than 2 rows");
		goto done;
	}
	if (aws_knn_outside(&g, D->X, D->n, D->d) != 0) {
		aws_knn_free(&g);
		snprintf(err, errlen, "label spreading: out of memory");
		goto done;
	}
	for (size_t q = 0; q < nr; q++)
		if (D->split[rows[q]] == AWS_LABELED)
			Y0[q * D->k + (size_t)D->y[rows[q]]] = 1;
	rc = aws_spread(F, &g, Y0, D->k, alpha, 30) == 0 &&
			     aws_spread_predict(*P, D->n, &g, F, D->k) == 0
		     ? 0
		     : -1;
	if (rc != 0)
		snprintf(err, errlen, "label spreading: out of memory");
	aws_knn_free(&g);
done:
	if (rc != 0) {
		free(*P);
		*P = NULL;
	}
	free(rows), free(Y0), free(F);
	return rc;
}

/* The regression on the rows with a label so far (gold or pseudo), and its
 * predictions for every row: *m and *P are replaced. */
static int fit_on_pseudo(aws_lr *m, double **P, const aws_data *D, const int32_t *pseudo, size_t *rows, double *T,
			 double l2, int iters, char *err, size_t errlen)
{
	size_t nr = 0, k = D->k;
	for (size_t i = 0; i < D->n; i++)
		if (pseudo[i] >= 0) {
			for (size_t c = 0; c < k; c++)
				T[nr * k + c] = pseudo[i] == (int32_t)c;
			rows[nr++] = i;
		}
	aws_lr_free(m);
	free(*P);
	*P = NULL;
	if (aws_lr_fit(m, D->X, D->d, k, rows, nr, T, NULL, l2, iters, err, errlen) != 0)
		return -1;
	if (aws_predict_all(P, m, D) != 0) {
		snprintf(err, errlen, "self-training: out of memory");
		return -1;
	}
	return 0;
}

int aws_self_train(double **P, aws_lr *model, const aws_data *D, const double *P0, const aws_self_opts *o, char *err,
		   size_t errlen)
{
	size_t n = D->n, k = D->k;
	size_t *rows = malloc((n ? n : 1) * sizeof *rows);
	double *T = malloc((n ? n : 1) * k * sizeof *T);
	int32_t *pseudo = malloc((n ? n : 1) * sizeof *pseudo);
	aws_lr m = {0};
	int rc = -1;
	*P = NULL;
	if (!rows || !T || !pseudo) {
		snprintf(err, errlen, "self-training: out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		pseudo[i] = D->split[i] == AWS_LABELED ? D->y[i] : -1;
	if (P0) { /* the first predictions are given: the caller's model */
		if (!(*P = malloc((n ? n : 1) * k * sizeof **P))) {
			snprintf(err, errlen, "self-training: out of memory");
			goto done;
		}
		memcpy(*P, P0, n * k * sizeof **P);
	} else if (fit_on_pseudo(&m, P, D, pseudo, rows, T, o->l2, o->iters, err, errlen) != 0)
		goto done;
	for (int r = 0; r < o->rounds; r++) {
		size_t added = 0;
		for (size_t i = 0; i < n; i++) {
			if (pseudo[i] >= 0 || D->split[i] != AWS_UNLABELED)
				continue; /* a pseudo label stays; test rows never train */
			size_t best = 0;
			for (size_t c = 1; c < k; c++)
				if ((*P)[i * k + c] > (*P)[i * k + best])
					best = c;
			if ((*P)[i * k + best] >= o->threshold) {
				pseudo[i] = (int32_t)best;
				added++;
			}
		}
		if (added == 0)
			break;
		if (fit_on_pseudo(&m, P, D, pseudo, rows, T, o->l2, o->iters, err, errlen) != 0)
			goto done;
	}
	rc = 0;
done:
	if (rc == 0 && model)
		*model = m; /* zero when P0 was given and no round added a row */
	else
		aws_lr_free(&m);
	if (rc != 0) {
		free(*P);
		*P = NULL;
	}
	free(rows), free(T), free(pseudo);
	return rc;
}

int aws_self_training(double **P, const aws_data *D, double threshold, int rounds, char *err, size_t errlen)
{
	aws_self_opts o = {threshold, rounds, 1e-2, 500};
	return aws_self_train(P, NULL, D, NULL, &o, err, errlen);
}
