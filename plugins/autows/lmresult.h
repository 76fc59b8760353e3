/*
 * lmresult.h -- what every label model returns, and the normaliser they
 * share. Apart from labelmodel.h so that a model in a file of its own
 * (metal.c) needs nothing from the file that dispatches to it.
 */
#ifndef AUTOWS_LMRESULT_H
#define AUTOWS_LMRESULT_H

#include <math.h>
#include <stddef.h>

typedef struct aws_lm_result {
	double *proba;    /* n x k, rows sum to 1 */
	double *accuracy; /* m: P(vote = truth | the LF votes) */
	double *balance;  /* k: the class balance */
	int iterations;   /* EM iterations used (Dawid-Skene) */
	int fell_back;    /* the model drifted from the votes; majority vote was used */
} aws_lm_result;

/* Log-scores to probabilities in place: exp after subtracting the max, then
 * normalised. */
static inline void aws_lm_normalise_log(double *v, size_t k)
{
	double mx = v[0], s = 0;
	for (size_t c = 1; c < k; c++)
		mx = v[c] > mx ? v[c] : mx;
	for (size_t c = 0; c < k; c++)
		s += (v[c] = exp(v[c] - mx));
	for (size_t c = 0; c < k; c++)
		v[c] /= s;
}

#endif
