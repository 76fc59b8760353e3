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

/* Two doubles, an SSE2 register, loaded and stored with memcpy (any
 * alignment: the compiler makes one unaligned move of it). The arithmetic
 * is element by element, a multiplication then an addition, so every
 * result is the same bits as the scalar loops give. */
typedef double v2d __attribute__((vector_size(16)));

static inline v2d ld2(const double *p)
{
	v2d v;
	memcpy(&v, p, sizeof v);
	return v;
}

static inline void st2(double *p, v2d v)
{
	memcpy(p, &v, sizeof v);
}

/* The weights transposed for the loops over rows: d + 1 rows of kp values,
 * row j feature j's weight in each class and row d the biases, kp = k
 * rounded up to 2 (the padding is 0). A row's class scores are then a few
 * vectors summed over the features, every class at once, where the scalar
 * sums were four classes at a time (ten classes: three passes over x, the
 * last with two sums waiting on each addition). Up to 16 classes the sums
 * stay in registers. */
typedef struct lr_t {
	double *t, *z; /* the weights; kp scores of one row */
	size_t d, k, kp;
} lr_t;

static int lr_t_init(lr_t *T, size_t d, size_t k)
{
	T->d = d, T->k = k, T->kp = (k + 1) / 2 * 2;
	T->t = calloc((d + 1) * T->kp, sizeof *T->t);
	T->z = calloc(T->kp, sizeof *T->z);
	if (!T->t || !T->z) {
		free(T->t), free(T->z);
		return -1;
	}
	return 0;
}

static void lr_t_fill(lr_t *T, const aws_lr *m)
{
	size_t w = m->d + 1;
	for (size_t c = 0; c < m->k; c++)
		for (size_t j = 0; j < w; j++)
			T->t[j * T->kp + c] = m->w[c * w + j];
}

static void lr_t_free(lr_t *T)
{
	free(T->t), free(T->z);
}

/* T->z = the class scores of row x, nv = kp / 2 vectors of them. Inlined
 * with nv a constant and its loops unrolled (-O2 would not: the code
 * grows), the sums stay in registers. Each class's score adds
 * its terms as aws_lr_proba does: the bias, then feature 0, 1, ... */
static inline __attribute__((always_inline)) void scores_nv(const lr_t *T, const double *x, size_t nv)
{
	v2d acc[8];
	const double *t = T->t;
#pragma GCC unroll 8
	for (size_t v = 0; v < nv; v++)
		acc[v] = ld2(t + T->d * T->kp + 2 * v);
	for (size_t j = 0; j < T->d; j++, t += T->kp) {
		v2d xj = {x[j], x[j]};
#pragma GCC unroll 8
		for (size_t v = 0; v < nv; v++)
			acc[v] += ld2(t + 2 * v) * xj;
	}
#pragma GCC unroll 8
	for (size_t v = 0; v < nv; v++)
		st2(T->z + 2 * v, acc[v]);
}

static void scores_any(const lr_t *T, const double *x)
{
	const double *t = T->t;
	memcpy(T->z, t + T->d * T->kp, T->kp * sizeof *T->z);
	for (size_t j = 0; j < T->d; j++, t += T->kp) {
		v2d xj = {x[j], x[j]};
		for (size_t v = 0; v < T->kp; v += 2)
			st2(T->z + v, ld2(T->z + v) + ld2(t + v) * xj);
	}
}

/* Row x's class probabilities into out (k), as aws_lr_proba gives them. */
static void proba_t(const lr_t *T, const double *x, double *out)
{
	switch (T->kp / 2) {
	case 1: scores_nv(T, x, 1); break;
	case 2: scores_nv(T, x, 2); break;
	case 3: scores_nv(T, x, 3); break;
	case 4: scores_nv(T, x, 4); break;
	case 5: scores_nv(T, x, 5); break;
	case 6: scores_nv(T, x, 6); break;
	case 7: scores_nv(T, x, 7); break;
	case 8: scores_nv(T, x, 8); break;
	default: scores_any(T, x);
	}
	size_t k = T->k;
	double mx = -INFINITY, s = 0;
	for (size_t c = 0; c < k; c++)
		mx = T->z[c] > mx ? T->z[c] : mx;
	for (size_t c = 0; c < k; c++)
		s += (out[c] = exp(T->z[c] - mx));
	for (size_t c = 0; c < k; c++)
		out[c] /= s;
}

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
		v2d rv = {r, r};
		size_t j = 0;
		for (; j + 2 <= m->d; j += 2)
			st2(gc + j, ld2(gc + j) + rv * ld2(x + j));
		for (; j < m->d; j++)
			gc[j] += r * x[j];
		gc[m->d] += r;
	}
}

/* Rows rows[0..nr) of X added to the gradient as add_row_grad adds them
 * one by one, four rows at a time: each gradient entry loaded and stored
 * once for the four, the rows' terms added to it in row order, so the sums
 * are the same bits. */
static void add_rows_grad(const aws_lr *m, const double *X, const size_t *rows, size_t nr, const double *wt,
			  const double *P, const double *T, double *g)
{
	size_t w = m->d + 1, k = m->k, d = m->d, i = 0;
	for (; i + 4 <= nr; i += 4) {
		const double *x0 = X + rows[i] * d, *x1 = X + rows[i + 1] * d, *x2 = X + rows[i + 2] * d,
			     *x3 = X + rows[i + 3] * d;
		for (size_t c = 0; c < k; c++) {
			double r[4];
			for (int q = 0; q < 4; q++)
				r[q] = (wt ? wt[i + q] : 1.0) * (P[(i + q) * k + c] - T[(i + q) * k + c]);
			double *gc = g + c * w;
			v2d r0 = {r[0], r[0]}, r1 = {r[1], r[1]}, r2 = {r[2], r[2]}, r3 = {r[3], r[3]};
			size_t j = 0;
			for (; j + 2 <= d; j += 2) {
				v2d a = ld2(gc + j);
				a += r0 * ld2(x0 + j);
				a += r1 * ld2(x1 + j);
				a += r2 * ld2(x2 + j);
				a += r3 * ld2(x3 + j);
				st2(gc + j, a);
			}
			for (; j < d; j++) {
				double a = gc[j];
				a += r[0] * x0[j];
				a += r[1] * x1[j];
				a += r[2] * x2[j];
				a += r[3] * x3[j];
				gc[j] = a;
			}
			double b = gc[d];
			for (int q = 0; q < 4; q++)
				b += r[q];
			gc[d] = b;
		}
	}
	for (; i < nr; i++)
		add_row_grad(m, X + rows[i] * d, wt ? wt[i] : 1.0, P + i * k, T + i * k, g);
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
 * probabilities go to P + i * pstep (pstep 0: one buffer of k). TW is
 * scratch for the transposed weights. */
static double loss_grad(const aws_lr *m, lr_t *TW, const double *X, const size_t *rows, size_t nr,
			const double *T, const double *wt, double wsum, double l2, double *g, double *P, size_t pstep)
{
	size_t w = m->d + 1, nw = m->k * w;
	double loss = 0;
	if (g)
		memset(g, 0, nw * sizeof *g);
	lr_t_fill(TW, m);
	for (size_t i = 0; i < nr; i++) {
		const double *x = X + rows[i] * m->d;
		double wi = wt ? wt[i] : 1.0, *p = P + i * pstep;
		proba_t(TW, x, p);
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
	lr_t TW = {0};
	if (!g || !old || !P || !m->w || nr == 0 || lr_t_init(&TW, d, k) != 0) {
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
		lr_t_free(&TW);
		aws_lr_free(m);
		snprintf(err, errlen, "the row weights sum to %g; they must be positive", wsum);
		return -1;
	}
	double step = 1.0, loss = loss_grad(m, &TW, X, rows, nr, targets, weights, wsum, l2, g, P, 0);
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
			nl = loss_grad(m, &TW, X, rows, nr, targets, weights, wsum, l2, NULL, P, pstep);
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
			add_rows_grad(m, X, rows, nr, weights, P, targets, g);
			finish_grad(m, wsum, l2, g);
			loss = nl;
		} else {
			loss = loss_grad(m, &TW, X, rows, nr, targets, weights, wsum, l2, g, P, 0);
		}
		step *= 2; /* let the step grow back */
	}
	m->iterations = it;
	m->loss = loss;
	free(g), free(old), free(P);
	lr_t_free(&TW);
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
	lr_t T;
	*P = malloc((D->n ? D->n : 1) * D->k * sizeof **P);
	if (!*P || lr_t_init(&T, m->d, m->k) != 0) {
		free(*P);
		*P = NULL;
		return -1;
	}
	lr_t_fill(&T, m);
	for (size_t i = 0; i < D->n; i++)
		proba_t(&T, D->X + i * D->d, *P + i * D->k);
	lr_t_free(&T);
	return 0;
}
