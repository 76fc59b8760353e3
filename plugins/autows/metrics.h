/*
 * metrics.h -- accuracy and macro-F1 against gold labels, and the LF
 * statistics Snorkel reports: coverage, overlap, conflict and empirical
 * accuracy.
 */
#ifndef AUTOWS_METRICS_H
#define AUTOWS_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "labelmat.h"

typedef struct aws_scores {
	double accuracy, macro_f1;
	size_t rows;
} aws_scores;

/* Scores the argmax of P (n x k) on rows[0..nr) against gold y. */
void aws_score(aws_scores *s, const double *P, size_t k, const int32_t *y, const size_t *rows, size_t nr);

typedef struct aws_lfstat {
	double coverage; /* share of rows it votes on */
	double overlap;  /* share of rows it and another LF vote on */
	double conflict; /* share of rows where another LF votes otherwise */
	double accuracy; /* share of its votes matching gold, where known */
	size_t gold_votes;
} aws_lfstat;

/* Statistics for each of L's m LFs; y holds gold labels or -1. */
int aws_lf_stats(aws_lfstat *out, const aws_lmat *L, const int32_t *y);

#endif
