/*
 * endmodel.c -- see endmodel.h. The loss is convex, so gradient descent
 * with Armijo backtracking converges without tuning a step size.
 */
#define _GNU_SOURCE
#include "endmodel.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Four classes' sums run side by side, each in a register: one sum at a
 * time waited on each addition before the next (a chain of d dependent
 * additions per class), and that was over half of an AutoWS run's time.
 * Each class still adds its terms in the same order, from the bias up, so
 * the results are the same bits. */
void aws_lr_proba(const aws_lr *m, const double *x, double *out)
{
	size_t w = m->d + 1, k = m->k, d = m->d, c = 0;
	double mx = -INFINITY, s = 0;
	for (; c + 4 <= k; c += 4) {
		const double *w0 = m->w + c * w, *w1 = w0 + w, *w2 = w1 + w, *w3 = w2 + w;
		double z0 = w0[d], z1 = w1[d], z2 = w2[d], z3 = w3[d];
		for (size_t j = 0; j < d; j++) {
			double xj = x[j];
			z0 += w0[j] * xj;
			z1 += w1[j] * xj;
			z2 += w2[j] * xj;
			z3 += w3[j] * xj;
		}
		out[c] = z0, out[c + 1] = z1, out[c + 2] = z2, out[c + 3] = z3;
	}
	for (; c < k; c++) {
		const double *wc = m->w + c * w;
		double z = wc[d];
		for (size_t j = 0; j < d; j++)
			z += wc[j] * x[j];
		out[c] = z;
	}
	for (c = 0; c < k; c++)
		mx = out[c] > mx ? out[c] : mx;
	for (c = 0; c < k; c++)
		s += (out[c] = exp(out[c] - mx));
	for (c = 0; c < k; c++)
		out[c] /= s;
}

/* Row x's share of the gradient (before the division by wsum and the
 * penalty), from its probabilities p and targets t. */
static void add_row_grad(const aws_lr *m, const double *x, double wi, const double *p, const double *t, double *g)
{
	size_t w = m->d + 1;
	for (size_t c = 0; c < m->k; c++) {
		double r = wi * (p[c] - t[c]);
		double *gc = g + c * w;
		for (size_t j = 0; j < m->d; j++)
			gc[j] += r * x[j];
		gc[m->d] += r;
	}
}

/* The gradient's division by wsum and its penalty, once every row is in. */
static void finish_grad(const aws_lr *m, double wsum, double l2, double *g)
{
	size_t w = m->d + 1;
	for (size_t c = 0; c < m->k; c++) {
		for (size_t j = 0; j < m->d; j++) /* the bias is not penalised */
			g[c * w + j] = g[c * w + j] / wsum + l2 * m->w[c * w + j];
		g[c * w + m->d] /= wsum;
	}
}

/* Loss at weights w, and its gradient into g when g is not NULL. Row i's
 * probabilities go to P + i * pstep (pstep 0: one buffer of k). */
static double loss_grad(const aws_lr *m, const double *X, const size_t *rows, size_t nr, const double *T,
			const double *wt, double wsum, double l2, double *g, double *P, size_t pstep)
{
	size_t w = m->d + 1, nw = m->k * w;
	double loss = 0;
	if (g)
		memset(g, 0, nw * sizeof *g);
	for (size_t i = 0; i < nr; i++) {
		const double *x = X + rows[i] * m->d;
		double wi = wt ? wt[i] : 1.0, *p = P + i * pstep;
		aws_lr_proba(m, x, p);
		for (size_t c = 0; c < m->k; c++) {
			double t = T[i * m->k + c];
			if (t > 0)
				loss -= wi * t * log(p[c] > 1e-300 ? p[c] : 1e-300);
		}
		if (g)
			add_row_grad(m, x, wi, p, T + i * m->k, g);
	}
	loss /= wsum;
	for (size_t c = 0; c < m->k; c++)
		for (size_t j = 0; j < m->d; j++) { /* the bias is not penalised */
			double v = m->w[c * w + j];
			loss += 0.5 * l2 * v * v;
		}
	if (g)
		finish_grad(m, wsum, l2, g);
	return loss;
}

/* The rows' probabilities are kept up to this many values (32 MB): a trial
 * step then costs a pass over the rows, and the accepted one a second
 * over the kept probabilities for its gradient, instead of a second full
 * pass (digits: the whole AutoWS pipeline 12% faster). Past it the
 * gradient is made again from the rows, as before. */
#define KEEP_PROBA ((size_t)4 << 20)

int aws_lr_fit(aws_lr *m, const double *X, size_t d, size_t k, const size_t *rows, size_t nr, const double *targets,
	       const double *weights, double l2, int max_iter, char *err, size_t errlen)
{
	return aws_lr_fit_keep(m, X, d, k, rows, nr, targets, weights, l2, max_iter, KEEP_PROBA, err, errlen);
}

int aws_lr_fit_keep(aws_lr *m, const double *X, size_t d, size_t k, const size_t *rows, size_t nr,
		    const double *targets, const double *weights, double l2, int max_iter, size_t keep, char *err,
		    size_t errlen)
{
	memset(m, 0, sizeof *m);
	m->d = d, m->k = k;
	size_t nw = k * (d + 1), pstep = nr * k <= keep ? k : 0;
	double *g = malloc(nw * sizeof *g), *old = malloc(nw * sizeof *old),
	       *P = malloc(((pstep ? nr : 1) * k + 1) * sizeof *P);
	m->w = calloc(nw, sizeof *m->w);
	if (!g || !old || !P || !m->w || nr == 0) {
		free(g), free(old), free(P);
		aws_lr_free(m);
		snprintf(err, errlen, nr ? "out of memory" : "no rows to train on");
		return -1;
	}
	double wsum = 0;
	for (size_t i = 0; i < nr; i++)
		wsum += weights ? weights[i] : 1.0;
	if (!(wsum > 0)) {
		free(g), free(old), free(P);
		aws_lr_free(m);
		snprintf(err, errlen, "the row weights sum to %g; they must be positive", wsum);
		return -1;
	}
	double step = 1.0, loss = loss_grad(m, X, rows, nr, targets, weights, wsum, l2, g, P, 0);
	int it;
	for (it = 0; it < max_iter; it++) {
		double gg = 0;
		for (size_t q = 0; q < nw; q++)
			gg += g[q] * g[q];
		if (gg < 1e-12)
			break;
		memcpy(old, m->w, nw * sizeof *old);
		double nl;
		for (;;) { /* Armijo: shrink until the loss drops enough */
			for (size_t q = 0; q < nw; q++)
				m->w[q] = old[q] - step * g[q];
			nl = loss_grad(m, X, rows, nr, targets, weights, wsum, l2, NULL, P, pstep);
			if (nl <= loss - 0.5 * step * gg || step < 1e-10)
				break;
			step /= 2;
		}
		if (loss - nl < 1e-9) {
			loss = nl;
			it++;
			break;
		}
		if (pstep) { /* the same numbers as a new pass over the rows */
			memset(g, 0, nw * sizeof *g);
			for (size_t i = 0; i < nr; i++)
				add_row_grad(m, X + rows[i] * d, weights ? weights[i] : 1.0, P + i * k, targets + i * k, g);
			finish_grad(m, wsum, l2, g);
			loss = nl;
		} else {
			loss = loss_grad(m, X, rows, nr, targets, weights, wsum, l2, g, P, 0);
		}
		step *= 2; /* let the step grow back */
	}
	m->iterations = it;
	m->loss = loss;
	free(g), free(old), free(P);
	return 0;
}

json_t *aws_lr_to_json(const aws_lr *m)
{
	json_t *w = json_array();
	for (size_t q = 0; w && q < m->k * (m->d + 1); q++)
		json_array_append_new(w, json_real(m->w[q]));
	return json_pack("{s:s, s:I, s:I, s:o, s:i, s:f}", "format", "autows-logreg/1", "features", (json_int_t)m->d,
			 "classes", (json_int_t)m->k, "weights", w, "iterations", m->iterations, "loss", m->loss);
}

int aws_lr_from_json(aws_lr *m, const json_t *j, char *err, size_t errlen)
{
	memset(m, 0, sizeof *m);
	const char *fmt = json_string_value(json_object_get(j, "format"));
	m->d = (size_t)json_integer_value(json_object_get(j, "features"));
	m->k = (size_t)json_integer_value(json_object_get(j, "classes"));
	const json_t *w = json_object_get(j, "weights");
	if (!fmt || strcmp(fmt, "autows-logreg/1") || m->k < 2 || json_array_size(w) != m->k * (m->d + 1) ||
	    !(m->w = malloc(json_array_size(w) * sizeof *m->w))) {
		snprintf(err, errlen, "not an autows model (format autows-logreg/1); train it with autows.end_model");
		return -1;
	}
	for (size_t q = 0; q < json_array_size(w); q++)
		m->w[q] = json_number_value(json_array_get(w, q));
	return 0;
}

void aws_lr_free(aws_lr *m)
{
	free(m->w);
	memset(m, 0, sizeof *m);
}

int aws_predict_all(double **P, const aws_lr *m, const aws_data *D)
{
	*P = malloc((D->n ? D->n : 1) * D->k * sizeof **P);
	if (!*P)
		return -1;
	for (size_t i = 0; i < D->n; i++)
		aws_lr_proba(m, D->X + i * D->d, *P + i * D->k);
	return 0;
}
