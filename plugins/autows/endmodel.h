/*
 * endmodel.h -- multinomial logistic regression trained on probabilistic
 * targets (soft labels from a label model, or one-hot gold labels for the
 * supervised baseline), by full-batch gradient descent with a backtracking
 * line search on the L2-penalised cross-entropy.
 */
#ifndef AUTOWS_ENDMODEL_H
#define AUTOWS_ENDMODEL_H

#include <jansson.h>
#include <stddef.h>

#include "dataset.h"

typedef struct aws_lr {
	size_t d, k;
	double *w; /* k x (d + 1), bias last */
	int iterations;
	double loss;
} aws_lr;

/* Fits on rows[0..nr) of X (n x d); targets is nr x k, rows summing to 1.
 * weights (nr entries, NULL for all 1) scale each row's share of the
 * loss, which is their weighted mean; they must sum to more than 0. */
int aws_lr_fit(aws_lr *m, const double *X, size_t d, size_t k, const size_t *rows, size_t nr, const double *targets,
	       const double *weights, double l2, int max_iter, char *err, size_t errlen);
/* The same, keeping the rows' probabilities between a step's loss and its
 * gradient only when nr x k is at most `keep` values (aws_lr_fit: 4 Mi);
 * the model is the same bits either way. */
int aws_lr_fit_keep(aws_lr *m, const double *X, size_t d, size_t k, const size_t *rows, size_t nr,
		    const double *targets, const double *weights, double l2, int max_iter, size_t keep, char *err,
		    size_t errlen);
void aws_lr_proba(const aws_lr *m, const double *x, double *out);
json_t *aws_lr_to_json(const aws_lr *m);
int aws_lr_from_json(aws_lr *m, const json_t *j, char *err, size_t errlen);
void aws_lr_free(aws_lr *m);
/* P (n x k, malloc'd) from a model over every row of D; -1 on OOM. */
int aws_predict_all(double **P, const aws_lr *m, const aws_data *D);

#endif
