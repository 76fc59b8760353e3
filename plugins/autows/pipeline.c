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

static int fit_rows(aws_lr *m, const aws_data *D, const size_t *rows, size_t nr, const double *T, double l2,
		    int iters, char *err, size_t errlen)
{
	return aws_lr_fit(m, D->X, D->d, D->k, rows, nr, T, l2, iters, err, errlen);
}

int *aws_vote_counts(const aws_lmat *L)
{
	int *v = malloc((L->n ? L->n : 1) * sizeof *v);
	for (size_t i = 0; v && i < L->n; i++)
		v[i] = (int)(L->row[i + 1] - L->row[i]);
	return v;
}

int aws_train_end_model(aws_lr *m, const aws_data *D, const int *votes, const double *P, double min_conf, double l2,
			int iters, char *err, size_t errlen)
{
	size_t *rows = malloc((D->n ? D->n : 1) * sizeof *rows), nr = 0;
	double *T = malloc((D->n ? D->n : 1) * D->k * sizeof *T);
	if (!rows || !T) {
		free(rows), free(T);
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
			if (mx < min_conf)
				continue; /* too unsure to teach anything but noise */
		}
		for (size_t c = 0; c < D->k; c++)
			T[nr * D->k + c] = labeled ? (D->y[i] == (int32_t)c) : P[i * D->k + c];
		rows[nr++] = i;
	}
	int rc = fit_rows(m, D, rows, nr, T, l2, iters, err, errlen);
	free(rows), free(T);
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
	int rc = fit_rows(m, D, rows, nr, T, l2, iters, err, errlen);
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
