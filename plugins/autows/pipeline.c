/*
 * pipeline.c -- see pipeline.h.
 */
#include "pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int aws_apply_lfs(aws_lmat *L, const aws_lfset *lfs, const aws_data *D, char *err, size_t errlen)
{
	int *dense = malloc((D->n * lfs->n != 0 ? D->n * lfs->n : 1) * sizeof *dense);
	if (!dense) {
		snprintf(err, errlen, "out of memory for a %zu x %zu label matrix", D->n, lfs->n);
		return -1;
	}
	for (size_t i = 0; i < D->n; i++)
		for (size_t j = 0; j < lfs->n; j++)
			dense[i * lfs->n + j] = aws_lf_vote(&lfs->v[j], D->X + i * D->d);
	int rc = aws_lmat_from_dense(L, dense, D->n, lfs->n, D->k);
	free(dense);
	if (rc != 0)
		snprintf(err, errlen, "the LFs vote for classes the dataset does not have; generate them on this dataset");
	return rc;
}

int *aws_vote_counts(const aws_lmat *L)
{
	int *v = malloc((L->n ? L->n : 1) * sizeof *v);
	for (size_t i = 0; v && i < L->n; i++)
		v[i] = (int)(L->row[i + 1] - L->row[i]);
	return v;
}

/* Why weight the gold rows: a hundred exact labels against thousands of
 * noisy ones would otherwise count for almost nothing, and the end model
 * would copy the LFs' mistakes instead of correcting them. */
int aws_train_end_model(aws_lr *m, const aws_data *D, const int *votes, const double *P, const aws_end_opts *o,
			char *err, size_t errlen)
{
	size_t *rows = malloc((D->n ? D->n : 1) * sizeof *rows), nr = 0, ngold = 0;
	double *T = malloc((D->n ? D->n : 1) * D->k * sizeof *T), *W = malloc((D->n ? D->n : 1) * sizeof *W);
	if (!rows || !T || !W) {
		free(rows), free(T), free(W);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < D->n; i++) {
		int labeled = D->split[i] == AWS_LABELED;
		if (!labeled && (D->split[i] != AWS_UNLABELED || votes[i] == 0))
			continue; /* test rows never train; uncovered rows carry no signal */
		if (!labeled) {
			double mx = 0;
			for (size_t c = 0; c < D->k; c++)
				mx = P[i * D->k + c] > mx ? P[i * D->k + c] : mx;
			if (mx < o->min_conf)
				continue; /* too unsure to teach anything but noise */
		}
		for (size_t c = 0; c < D->k; c++)
			T[nr * D->k + c] = labeled ? (D->y[i] == (int32_t)c) : P[i * D->k + c];
		W[nr] = labeled ? -1 : 1; /* gold rows get their weight below */
		ngold += labeled;
		rows[nr++] = i;
	}
	double gw = o->gold_weight;
	if (gw <= 0)
		gw = ngold && nr > ngold ? (double)(nr - ngold) / (double)ngold : 1.0;
	if (gw < 1)
		gw = 1; /* never trust a gold label less than a weak one */
	for (size_t q = 0; q < nr; q++)
		if (W[q] < 0)
			W[q] = gw;
	int rc = aws_lr_fit(m, D->X, D->d, D->k, rows, nr, T, W, o->l2, o->iters, err, errlen);
	free(rows), free(T), free(W);
	return rc;
}

int aws_train_baseline(aws_lr *m, const aws_data *D, double l2, int iters, char *err, size_t errlen)
{
	size_t *rows;
	size_t nr = aws_data_rows(D, AWS_LABELED, &rows);
	double *T = malloc((nr ? nr : 1) * D->k * sizeof *T);
	if (!rows || !T) {
		free(rows), free(T);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t q = 0; q < nr; q++)
		for (size_t c = 0; c < D->k; c++)
			T[q * D->k + c] = D->y[rows[q]] == (int32_t)c;
	int rc = aws_lr_fit(m, D->X, D->d, D->k, rows, nr, T, NULL, l2, iters, err, errlen);
	free(rows), free(T);
	return rc;
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
