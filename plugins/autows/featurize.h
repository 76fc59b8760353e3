/*
 * featurize.h -- standardisation and PCA of a dataset's features.
 */
#ifndef AUTOWS_FEATURIZE_H
#define AUTOWS_FEATURIZE_H

#include "dataset.h"

/* Standardises every feature to mean 0, variance 1 (constant features
 * become 0), keeping the standard deviations in D->units; with pca > 0,
 * then projects onto the `pca` leading principal components (cyclic
 * Jacobi on the covariance), renaming the features pc1..pcK, and D->units
 * is NULL. Returns 0 or -1 with a message. */
int aws_featurize(aws_data *D, size_t pca, char *err, size_t errlen);

#endif
