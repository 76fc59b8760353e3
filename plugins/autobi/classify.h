/*
 * classify.h -- the join classifier: L2-regularised logistic regression on
 * standardised features, fitted by Newton's method.
 *
 * Logistic regression is chosen over a tree ensemble because the global
 * step reads its output as a probability (edge cost -log p): a calibrated
 * model matters more there than a slightly better ranking.
 */
#ifndef AUTOBI_CLASSIFY_H
#define AUTOBI_CLASSIFY_H

#include <stddef.h>

#include "candidates.h"

typedef struct abi_lr {
	double mean[ABI_NFEATURES], scale[ABI_NFEATURES];
	double w[ABI_NFEATURES], bias;
	size_t trained_rows, trained_positive;
	double train_log_loss;
} abi_lr;

/* Fits the model to n rows of features X (row-major, ABI_NFEATURES wide)
 * and 0/1 labels y. Returns 0, or -1 (singular system, no positives or no
 * negatives) with a message in err. */
int abi_lr_train(abi_lr *m, const double *X, const int *y, size_t n, double l2, int iters, char *err,
		 size_t errlen);

/* P(join) for one feature vector. */
double abi_lr_predict(const abi_lr *m, const double *x);

/* The weights file: JSON naming each feature with its mean, scale and weight.
 * Loading refuses a file whose features differ from this build's. */
int abi_lr_save(const abi_lr *m, const char *path, const char *about, char *err, size_t errlen);
int abi_lr_load(abi_lr *m, const char *path, char *err, size_t errlen);

#endif
