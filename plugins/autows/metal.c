/*
 * metal.c -- the matrix-completion label model of Snorkel MeTaL (Ratner
 * et al., "Training Complex Models with Multi-Task Weak Supervision",
 * AAAI 2019), in the form Snorkel's LabelModel fits it.
 *
 * Each LF's vote is one-hot over the k classes (an abstain is all zero),
 * so a row is a vector psi of d = m k indicators. Its second moment
 * O = E[psi psi^T] is observed. Under conditionally independent LFs, the
 * entries of O between two different LFs factor through the label:
 *
 *     O[(i,c),(j,c')] = sum_y mu[(i,c),y] p_y mu[(j,c'),y],  i != j,
 *
 * where mu[(i,c),y] = P(LF i votes c | Y = y) and p is the class balance:
 * O = mu P mu^T off the LF blocks, a low-rank completion problem. mu is
 * fitted by Adam on the squared error over those entries, plus the
 * marginals sum_y mu[(i,c),y] p_y = P(LF i votes c) (the diagonal), from
 * a start where every LF is right 70% of the time it votes (which also
 * fixes which of the symmetric solutions is taken). The posterior is
 * then naive Bayes with the fitted class-conditional vote tables: unlike
 * the triplet method, noise need not be symmetric.
 */
#include "metal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { STEPS = 300 };
#define LR 0.01
#define PREC_INIT 0.7

/* The class balance: the known labels' shares (add-one smoothed), or the
 * majority vote's when no label is known. */
static void balance(double *p, const aws_lmat *L, const int32_t *known)
{
	size_t k = L->k, nk = 0;
	for (size_t c = 0; c < k; c++)
		p[c] = 1;
	for (size_t i = 0; known && i < L->n; i++)
		if (known[i] >= 0 && (size_t)known[i] < k) {
			p[known[i]] += 1;
			nk++;
		}
	if (!nk)
		for (size_t q = 0; q < L->nnz; q++)
			p[L->val[q]] += 1; /* votes, as the majority would count them */
	double s = 0;
	for (size_t c = 0; c < k; c++)
		s += p[c];
	for (size_t c = 0; c < k; c++)
		p[c] /= s;
}

int aws_metal(aws_lm_result *r, const aws_lmat *L, const int32_t *known)
{
	size_t m = L->m, k = L->k, d = m * k, n = L->n;
	if (!d || !n)
		return -1;
	double *O = calloc(d * d, sizeof *O), *mu = malloc(d * k * sizeof *mu), *g = malloc(d * k * sizeof *g);
	double *m1 = calloc(d * k, sizeof *m1), *m2 = calloc(d * k, sizeof *m2), *A = malloc(d * k * sizeof *A);
	double *G = malloc(d * sizeof *G);
	int rc = -1;
	if (!O || !mu || !g || !m1 || !m2 || !A || !G)
		goto done;
	/* O from co-votes, a row's votes against each other and themselves */
	for (size_t i = 0; i < n; i++)
		for (size_t a = L->row[i]; a < L->row[i + 1]; a++) {
			size_t ia = (size_t)L->lf[a] * k + L->val[a];
			for (size_t b = L->row[i]; b < L->row[i + 1]; b++)
				O[ia * d + (size_t)L->lf[b] * k + L->val[b]] += 1;
		}
	for (size_t x = 0; x < d * d; x++)
		O[x] /= (double)n;
	double *p = r->balance;
	balance(p, L, known);
	/* start: P(vote y | Y = y) = P(vote y) 0.7 / p_y, nothing else */
	memset(mu, 0, d * k * sizeof *mu);
	for (size_t j = 0; j < m; j++)
		for (size_t y = 0; y < k; y++) {
			double v = O[(j * k + y) * d + j * k + y] * PREC_INIT / p[y];
			mu[(j * k + y) * k + y] = v > 1 ? 1 : v;
		}
	double sp[256];
	for (size_t y = 0; y < k; y++)
		sp[y] = sqrt(p[y]);
	double b1t = 1, b2t = 1;
	for (int t = 0; t < STEPS; t++) {
		/* A = mu sqrt(P): O's model is A A^T */
		for (size_t a = 0; a < d; a++)
			for (size_t y = 0; y < k; y++)
				A[a * k + y] = mu[a * k + y] * sp[y];
		memset(g, 0, d * k * sizeof *g);
		for (size_t a = 0; a < d; a++) {
			size_t la = a / k;
			const double *Aa = A + a * k;
			/* G[b] = residual of (a, b), off a's own LF block */
			for (size_t b = 0; b < d; b++) {
				if (b / k == la) {
					G[b] = 0;
					continue;
				}
				const double *Ab = A + b * k;
				double s = 0;
				for (size_t y = 0; y < k; y++)
					s += Aa[y] * Ab[y];
				G[b] = s - O[a * d + b];
			}
			/* d/dmu of the masked squared error: 4 (M o R) mu P, row a */
			double *ga = g + a * k;
			for (size_t b = 0; b < d; b++) {
				if (G[b] == 0)
					continue;
				const double *mb = mu + b * k;
				for (size_t y = 0; y < k; y++)
					ga[y] += 4 * G[b] * mb[y] * p[y];
			}
			/* the marginal: sum_y mu[a,y] p_y = O[a,a] */
			double marg = -O[a * d + a];
			for (size_t y = 0; y < k; y++)
				marg += mu[a * k + y] * p[y];
			for (size_t y = 0; y < k; y++)
				ga[y] += 2 * marg * p[y];
		}
		/* Adam, then back into [0, 1] */
		b1t *= 0.9;
		b2t *= 0.999;
		for (size_t x = 0; x < d * k; x++) {
			m1[x] = 0.9 * m1[x] + 0.1 * g[x];
			m2[x] = 0.999 * m2[x] + 0.001 * g[x] * g[x];
			double mh = m1[x] / (1 - b1t), vh = m2[x] / (1 - b2t);
			double v = mu[x] - LR * mh / (sqrt(vh) + 1e-8);
			mu[x] = v < 0 ? 0 : v > 1 ? 1 : v;
		}
	}
	/* accuracy: P(vote = truth | the LF votes) under the fitted tables */
	for (size_t j = 0; j < m; j++) {
		double right = 0, all = 0;
		for (size_t c = 0; c < k; c++)
			for (size_t y = 0; y < k; y++) {
				double w = mu[(j * k + c) * k + y] * p[y];
				all += w;
				right += c == y ? w : 0;
			}
		r->accuracy[j] = all > 0 ? right / all : 1.0 / (double)k;
	}
	/* posterior: log p_y + sum over votes of log P(vote | y) */
	for (size_t i = 0; i < n; i++) {
		double *pr = r->proba + i * k;
		for (size_t y = 0; y < k; y++)
			pr[y] = log(p[y]);
		for (size_t q = L->row[i]; q < L->row[i + 1]; q++) {
			const double *row = mu + ((size_t)L->lf[q] * k + L->val[q]) * k;
			for (size_t y = 0; y < k; y++)
				pr[y] += log(row[y] > 1e-6 ? row[y] : 1e-6);
		}
		aws_lm_normalise_log(pr, k);
		if (known && known[i] >= 0 && (size_t)known[i] < k)
			for (size_t y = 0; y < k; y++)
				pr[y] = known[i] == (int32_t)y;
	}
	r->iterations = STEPS;
	rc = 0;
done:
	free(O), free(mu), free(g), free(m1), free(m2), free(A), free(G);
	return rc;
}
