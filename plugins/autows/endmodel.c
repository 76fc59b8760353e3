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

void aws_lr_proba(const aws_lr *m, const double *x, double *out)
{
	size_t w = m->d + 1;
	double mx = -INFINITY, s = 0;
	for (size_t c = 0; c < m->k; c++) {
		const double *wc = m->w + c * w;
		double z = wc[m->d];
		for (size_t j = 0; j < m->d; j++)
			z += wc[j] * x[j];
		out[c] = z;
		mx = z > mx ? z : mx;
	}
	for (size_t c = 0; c < m->k; c++)
		s += (out[c] = exp(out[c] - mx));
	for (size_t c = 0; c < m->k; c++)
		out[c] /= s;
}

/* Loss at weights w, and its gradient into g when g is not NULL. */
static double loss_grad(const aws_lr *m, const double *X, const size_t *rows, size_t nr, const double *T,
			const double *wt, double wsum, double l2, double *g, double *p)
{
	size_t w = m->d + 1, nw = m->k * w;
	double loss = 0;
	if (g)
		memset(g, 0, nw * sizeof *g);
	for (size_t i = 0; i < nr; i++) {
		const double *x = X + rows[i] * m->d;
		double wi = wt ? wt[i] : 1.0;
		aws_lr_proba(m, x, p);
		for (size_t c = 0; c < m->k; c++) {
			double t = T[i * m->k + c];
			if (t > 0)
				loss -= wi * t * log(p[c] > 1e-300 ? p[c] : 1e-300);
			if (!g)
				continue;
			double r = wi * (p[c] - t);
			double *gc = g + c * w;
			for (size_t j = 0; j < m->d; j++)
				gc[j] += r * x[j];
			gc[m->d] += r;
		}
	}
	loss /= wsum;
	for (size_t c = 0; c < m->k; c++)
		for (size_t j = 0; j < m->d; j++) { /* the bias is not penalised */
			double v = m->w[c * w + j];
			loss += 0.5 * l2 * v * v;
			if (g)
				g[c * w + j] = g[c * w + j] / wsum + l2 * v;
		}
	if (g)
		for (size_t c = 0; c < m->k; c++)
			g[c * w + m->d] /= wsum;
	return loss;
}

int aws_lr_fit(aws_lr *m, const double *X, size_t d, size_t k, const size_t *rows, size_t nr, const double *targets,
	       const double *weights, double l2, int max_iter, char *err, size_t errlen)
{
	memset(m, 0, sizeof *m);
	m->d = d, m->k = k;
	size_t nw = k * (d + 1);
	double *g = malloc(nw * sizeof *g), *old = malloc(nw * sizeof *old), *p = malloc(k * sizeof *p);
	m->w = calloc(nw, sizeof *m->w);
	if (!g || !old || !p || !m->w || nr == 0) {
		free(g), free(old), free(p);
		aws_lr_free(m);
		snprintf(err, errlen, nr ? "out of memory" : "no rows to train on");
		return -1;
	}
	double wsum = 0;
	for (size_t i = 0; i < nr; i++)
		wsum += weights ? weights[i] : 1.0;
	if (!(wsum > 0)) {
		free(g), free(old), free(p);
		aws_lr_free(m);
		snprintf(err, errlen, "the row weights sum to %g; they must be positive", wsum);
		return -1;
	}
	double step = 1.0, loss = loss_grad(m, X, rows, nr, targets, weights, wsum, l2, g, p);
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
			nl = loss_grad(m, X, rows, nr, targets, weights, wsum, l2, NULL, p);
			if (nl <= loss - 0.5 * step * gg || step < 1e-10)
				break;
			step /= 2;
		}
		if (loss - nl < 1e-9) {
			loss = nl;
			it++;
			break;
		}
		loss = loss_grad(m, X, rows, nr, targets, weights, wsum, l2, g, p);
		step *= 2; /* let the step grow back */
	}
	m->iterations = it;
	m->loss = loss;
	free(g), free(old), free(p);
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
