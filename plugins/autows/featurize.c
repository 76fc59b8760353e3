/*
 * featurize.c -- see featurize.h. Jacobi is O(d^3) per sweep and exact to
 * rounding; feature counts here are tens to a few hundred.
 */
#define _GNU_SOURCE
#include "featurize.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Standardises D's columns; their standard deviations before go to
 * units (D->d of them) when it is not NULL. */
static void standardise(aws_data *D, double *units)
{
	for (size_t f = 0; f < D->d; f++) {
		double s = 0, ss = 0;
		for (size_t i = 0; i < D->n; i++)
			s += D->X[i * D->d + f];
		double mean = D->n ? s / (double)D->n : 0;
		for (size_t i = 0; i < D->n; i++) {
			double v = D->X[i * D->d + f] - mean;
			ss += v * v;
		}
		double sd = D->n ? sqrt(ss / (double)D->n) : 0;
		if (units)
			units[f] = sd > 1e-12 ? sd : 0;
		for (size_t i = 0; i < D->n; i++)
			D->X[i * D->d + f] = sd > 1e-12 ? (D->X[i * D->d + f] - mean) / sd : 0;
	}
}

/* Eigen-decomposition of the symmetric d x d matrix A (destroyed): values
 * into ev, vectors as columns of V. */
static void jacobi(double *A, double *V, double *ev, size_t d)
{
	for (size_t i = 0; i < d; i++)
		for (size_t j = 0; j < d; j++)
			V[i * d + j] = i == j;
	for (int sweep = 0; sweep < 100; sweep++) {
		double off = 0;
		for (size_t i = 0; i < d; i++)
			for (size_t j = i + 1; j < d; j++)
				off += A[i * d + j] * A[i * d + j];
		if (off < 1e-22)
			break;
		for (size_t p = 0; p < d; p++)
			for (size_t q = p + 1; q < d; q++) {
				double apq = A[p * d + q];
				if (fabs(apq) < 1e-300)
					continue;
				double theta = (A[q * d + q] - A[p * d + p]) / (2 * apq);
				double t = (theta >= 0 ? 1 : -1) / (fabs(theta) + sqrt(theta * theta + 1));
				double c = 1 / sqrt(t * t + 1), s = t * c;
				for (size_t k = 0; k < d; k++) {
					double akp = A[k * d + p], akq = A[k * d + q];
					A[k * d + p] = c * akp - s * akq;
					A[k * d + q] = s * akp + c * akq;
				}
				for (size_t k = 0; k < d; k++) {
					double apk = A[p * d + k], aqk = A[q * d + k];
					A[p * d + k] = c * apk - s * aqk;
					A[q * d + k] = s * apk + c * aqk;
				}
				for (size_t k = 0; k < d; k++) {
					double vkp = V[k * d + p], vkq = V[k * d + q];
					V[k * d + p] = c * vkp - s * vkq;
					V[k * d + q] = s * vkp + c * vkq;
				}
			}
	}
	for (size_t i = 0; i < d; i++)
		ev[i] = A[i * d + i];
}

int aws_featurize(aws_data *D, size_t pca, char *err, size_t errlen)
{
	free(D->units);
	D->units = NULL;
	if (pca == 0) {
		if (!(D->units = malloc((D->d ? D->d : 1) * sizeof *D->units))) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		standardise(D, D->units);
		return 0;
	}
	standardise(D, NULL);
	if (pca > D->d) {
		snprintf(err, errlen, "pca = %zu but the data has %zu features; use at most %zu", pca, D->d, D->d);
		return -1;
	}
	size_t d = D->d;
	double *A = calloc(d * d, sizeof *A), *V = malloc(d * d * sizeof *V), *ev = malloc(d * sizeof *ev);
	size_t *order = malloc(d * sizeof *order);
	double *Y = malloc((D->n ? D->n : 1) * pca * sizeof *Y);
	char **names = calloc(pca, sizeof *names);
	int rc = -1;
	if (!A || !V || !ev || !order || !Y || !names) {
		snprintf(err, errlen, "out of memory in PCA");
		goto done;
	}
	for (size_t i = 0; i < D->n; i++) {
		const double *x = D->X + i * d;
		for (size_t a = 0; a < d; a++)
			for (size_t b = a; b < d; b++)
				A[a * d + b] += x[a] * x[b];
	}
	for (size_t a = 0; a < d; a++)
		for (size_t b = a; b < d; b++)
			A[b * d + a] = A[a * d + b] /= (double)(D->n > 1 ? D->n - 1 : 1);
	jacobi(A, V, ev, d);
	for (size_t i = 0; i < d; i++)
		order[i] = i;
	for (size_t i = 1; i < d; i++) /* by eigenvalue, descending */
		for (size_t j = i; j > 0 && ev[order[j]] > ev[order[j - 1]]; j--) {
			size_t t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (size_t i = 0; i < D->n; i++)
		for (size_t c = 0; c < pca; c++) {
			/* The sign of an eigenvector is arbitrary: fix it so that its
			 * largest entry is positive, for reproducible features. */
			double s = 0, big = 0;
			for (size_t a = 0; a < d; a++)
				if (fabs(V[a * d + order[c]]) > fabs(big))
					big = V[a * d + order[c]];
			for (size_t a = 0; a < d; a++)
				s += D->X[i * d + a] * V[a * d + order[c]];
			Y[i * pca + c] = big < 0 ? -s : s;
		}
	for (size_t c = 0; c < pca; c++)
		if (asprintf(&names[c], "pc%zu", c + 1) < 0) {
			snprintf(err, errlen, "out of memory");
			goto done;
		}
	for (size_t f = 0; f < d; f++)
		free(D->features[f]);
	free(D->features);
	free(D->X);
	D->features = names, D->X = Y, D->d = pca;
	names = NULL, Y = NULL;
	rc = 0;
done:
	for (size_t c = 0; names && c < pca; c++)
		free(names[c]);
	free(names), free(Y), free(A), free(V), free(ev), free(order);
	return rc;
}
