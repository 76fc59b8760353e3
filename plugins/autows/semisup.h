/*
 * semisup.h -- what a practitioner tries with 100 labels and a pool of
 * unlabeled rows, as baselines for AutoWS and as its last step:
 *
 *   label spreading   Zhou et al., "Learning with local and global
 *                     consistency" (NIPS 2003), over a symmetrised k-NN
 *                     graph: F <- alpha S F + (1 - alpha) Y, S the
 *                     normalised graph, as scikit-learn's LabelSpreading
 *                     with kernel='knn' (7 neighbours, alpha 0.2, 30
 *                     iterations); a row outside the graph gets the mean
 *                     of its neighbours' F, as sklearn's predict_proba.
 *   self-training     logistic regression refitted with the unlabeled rows
 *                     it predicts with probability >= 0.75 as hard labels,
 *                     10 rounds at most (sklearn's SelfTrainingClassifier).
 *
 * The graph is over the labeled and unlabeled rows; test rows are never
 * in it and are predicted inductively, so no method sees them in training.
 */
#ifndef AUTOWS_SEMISUP_H
#define AUTOWS_SEMISUP_H

#include <stddef.h>

#include "dataset.h"
#include "endmodel.h"

typedef struct aws_knn {
	size_t nr, k;
	const size_t *rows; /* the graph's rows (indices into X), borrowed */
	size_t *nb;         /* nr x k neighbours, as positions in rows */
	/* aws_knn_outside's, for each of n_all rows of X: its position in
	 * rows (SIZE_MAX outside the graph), and, outside the graph, its k
	 * nearest graph rows (positions in rows); NULL until it ran */
	size_t *pos, *outside, n_all;
} aws_knn;

/* The k nearest neighbours (squared Euclidean, brute force) of each of
 * rows[0..nr) among the others. */
int aws_knn_build(aws_knn *g, const double *X, size_t d, const size_t *rows, size_t nr, size_t k);
void aws_knn_free(aws_knn *g);
/* Finds, once, the k nearest graph rows of every row of X (n x d) that is
 * not a graph row, for aws_spread_predict: a fit spreads over one graph
 * many times (each candidate, in each fold), and the search was the same
 * each time. -1: out of memory. */
int aws_knn_outside(aws_knn *g, const double *X, size_t n, size_t d);

/* Label spreading: Y0 (nr x c, a row of zeros where nothing is known)
 * spread over g; F (nr x c) gets the result, each row summing to 1 (or
 * uniform where nothing reached it). */
int aws_spread(double *F, const aws_knn *g, const double *Y0, size_t c, double alpha, int iters);

/* P (n x c) for every row of the X that aws_knn_outside was given: the
 * mean F of its g->k nearest graph rows (a graph row's own F for graph
 * rows). -1 unless aws_knn_outside ran on those n rows. */
int aws_spread_predict(double *P, size_t n, const aws_knn *g, const double *F, size_t c);

/* The two baselines on D (its labeled, unlabeled and test split): P gets
 * n x k class probabilities for every row. */
int aws_label_spreading(double **P, const aws_data *D, size_t k_nn, double alpha, char *err, size_t errlen);
int aws_self_training(double **P, const aws_data *D, double threshold, int rounds, char *err, size_t errlen);

/* Self-training in general: logistic regressions (l2, iters) refitted for
 * up to `rounds` rounds, each adding the unlabeled rows predicted with
 * probability >= threshold as hard labels, which stay. The first
 * predictions are P0 when given (AutoWS's end model trained on the weak
 * labels: the selftrained end model), else a regression on the labeled
 * rows (the baseline). *model (when not NULL) gets the last regression. */
typedef struct aws_self_opts {
	double threshold;
	int rounds;
	double l2;
	int iters;
} aws_self_opts;
int aws_self_train(double **P, aws_lr *model, const aws_data *D, const double *P0, const aws_self_opts *o, char *err,
		   size_t errlen);

#endif
