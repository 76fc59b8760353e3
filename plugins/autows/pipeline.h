/*
 * pipeline.h -- the steps the ops chain, as library calls, so the ops and
 * the evaluation harness run the same code.
 */
#ifndef AUTOWS_PIPELINE_H
#define AUTOWS_PIPELINE_H

#include "dataset.h"
#include "endmodel.h"
#include "labelmat.h"
#include "labelmodel.h"
#include "lfs.h"

/* The label matrix of `lfs` over every row of D. */
int aws_apply_lfs(aws_lmat *L, const aws_lfset *lfs, const aws_data *D, char *err, size_t errlen);

typedef struct aws_end_opts {
	double min_conf;    /* weak rows whose best class is less likely are dropped */
	double gold_weight; /* weight of one labeled row; 0: all labeled rows together weigh as much as
			       all weak rows together */
	double l2;
	int iters;
} aws_end_opts;
#define AWS_END_OPTS_INIT {0.0, 0.0, 1e-2, 500}

/* Trains the end model on the labeled rows (gold, one-hot) and the
 * unlabeled rows some LF voted on (votes[i] > 0) whose most likely class
 * has probability >= o->min_conf, with their probabilistic labels P.
 * A weak row weighs 1, a labeled row o->gold_weight. */
int aws_train_end_model(aws_lr *m, const aws_data *D, const int *votes, const double *P, const aws_end_opts *o,
			char *err, size_t errlen);

/* votes[i]: how many LFs voted on row i (malloc'd, n entries). */
int *aws_vote_counts(const aws_lmat *L);

/* The supervised baseline: the same model on the labeled rows alone. */
int aws_train_baseline(aws_lr *m, const aws_data *D, double l2, int iters, char *err, size_t errlen);

/* P (n x k) from a model over every row of D. */
int aws_predict_all(double **P, const aws_lr *m, const aws_data *D);

#endif
