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
	/* the smoothed and graph end models (aws_end_fit): label spreading's
	 * alpha over the k-NN graph (0: 0.9) and the graph's k (0: 7) */
	double smooth;
	size_t neighbours;
	/* a weak label's weight in the spreading's seeds (a gold one: 1); 0:
	 * AUTO's cross-validation chooses it, a kind asked by name gets 0.3 */
	double weak_weight;
	/* AUTO's cross-validation with weak labels made without the hidden
	 * labels: each fold fits `lfs` again on its own labeled rows and runs
	 * label model `label_model` (max_iter lm_iters) on their votes. NULL:
	 * the weak labels given are used in every fold. Why: those LFs were
	 * fitted on every label, the hidden fold's too (a k-NN LF votes a
	 * hidden row's own label to its neighbours), so the folds then score
	 * the weak labels on labels they have seen (circles, majority vote,
	 * graph at weight 0.3: CV 0.70-0.83, test rows 0.58-0.74; refitted,
	 * CV 0.63-0.67), and the choice leans on the weak labels too much. */
	const aws_lfset *lfs;
	int label_model;
	int lm_iters;
	/* the regressions (logistic, selftrained) with gold_weight 0: the
	 * weak rows' total weight over the labeled rows' (0: 1, the two
	 * weigh the same) */
	double weak_share;
} aws_end_opts;
#define AWS_END_OPTS_INIT {0.0, 0.0, 1e-2, 500, 0.0, 7, 0.0, NULL, 0, 100, 0.0}

/* Trains the end model on the labeled rows (gold, one-hot) and the
 * unlabeled rows some LF voted on (votes[i] > 0) whose most likely class
 * has probability >= o->min_conf, with their probabilistic labels P.
 * A weak row weighs 1, a labeled row o->gold_weight. */
int aws_train_end_model(aws_lr *m, const aws_data *D, const int *votes, const double *P, const aws_end_opts *o,
			char *err, size_t errlen);

/* The end models AutoWS can train on the weak labels:
 *   logistic  multinomial logistic regression on the label model's
 *             probabilities (covered rows) and the gold labels;
 *   smoothed  the same regression on the weak labels smoothed over the
 *             k-NN graph (every unlabeled row);
 *   graph     the smoothed labels themselves, a non-linear model: a test
 *             row gets the mean of its k nearest graph rows' labels;
 *   selftrained  logistic, then self-trained on the unlabeled rows it
 *             predicts with probability >= 0.75 (5 rounds at most; the
 *             pseudo labels replace the weak ones): where a linear model
 *             is right, its own confident predictions teach it more than
 *             the LFs' votes do.
 *   lf_graph  graph, over the features the LFs vote from: each feature
 *             scaled by the square root of its share of the LFs' held-out
 *             F-scores (aws_lf_feature_weights), so a feature no LF uses
 *             plays no part in the distances. Where most columns are noise
 *             (make_classification's), the plain graph's neighbours are
 *             chosen by the noise; the LFs have already found the columns
 *             that separate the classes. Needs o->lfs.
 * AUTO scores every kind (lf_graph when o->lfs has an LF that scored), and
 * the three graph kinds at each weak weight, by
 * 5-fold cross-validation on the labeled rows: each fold hides a fifth of
 * the labels (stratified) from the end model and scores its predictions
 * there (the Brier score; ties go to more hits, then to the earlier
 * candidate). Its answer is the mean of the two best candidates'
 * predictions, and cv_brier_answer that mean's Brier score, which is what
 * chooses among the label models. Why two: with 100 labels the CV ranks the top candidates
 * by a row or two, so picking one is close to a coin toss between them,
 * while their mean keeps what both get right (on the 18 sets this rule
 * was chosen on, the mean of the best two beat all three baselines on 12,
 * the best one alone on 10; on 5 sets made before it was tried, 2 against
 * 3 by two exact ties, and per seed 14 of 28 against 10).
 * With o->lfs the folds' weak labels are made again without their hidden
 * labels; without, the LFs and the label model saw every label, and the
 * CV favours the candidates that lean most on the weak labels. */
typedef enum aws_end_kind {
	AWS_END_LOGISTIC = 0,
	AWS_END_SMOOTHED,
	AWS_END_GRAPH,
	AWS_END_SELFTRAINED,
	AWS_END_LFGRAPH,
	AWS_END_AUTO
} aws_end_kind;
#define AWS_END_KINDS 5
/* "logistic", "smoothed", "graph", "selftrained", "lf_graph" or "auto"; -1 when unknown. */
int aws_end_parse(const char *name);
const char *aws_end_name(aws_end_kind k);

typedef struct aws_end_result {
	aws_end_kind chosen;      /* the kind asked, or AUTO's best candidate */
	double cv[AWS_END_KINDS]; /* CV accuracy of each kind at its best weak weight (AUTO), or -1 (lf_graph
				   * without LFs that scored) */
	double weak_weight;       /* the weak weight the chosen kind used; for the regressions, its
				   * weak_share (0: the default, 1) */
	aws_lr model;             /* the regression (logistic, smoothed, selftrained); zero for graph */
	/* AUTO with 10 labels or more: the second best candidate, whose
	 * predictions P averages with the best one's (second_kind is -1 when
	 * P is the chosen kind's alone) */
	int second_kind;
	double second_weak_weight;
	aws_lr second_model;
	double cv_answer;       /* CV accuracy of P's predictions, from the folds (AUTO), or -1 */
	double cv_brier_answer; /* their Brier score per label (0 best, 2 worst), or -1 */
	double cv_brier[AWS_END_KINDS]; /* each kind's best Brier score per label (AUTO), or -1 */
	double *P;        /* n x k predictions for every row */
} aws_end_result;

/* Trains end model `kind` (or chooses one) on D's labeled and unlabeled
 * rows, with the label model's probabilities LM and votes per row. */
int aws_end_fit(aws_end_result *out, aws_end_kind kind, const aws_data *D, const int *votes, const double *LM,
		const aws_end_opts *o, char *err, size_t errlen);
void aws_end_result_free(aws_end_result *r);

/* The label model AutoWS answers with, of n, by what the CV said of each
 * one's answer: the lowest Brier score where every one has one (brier[i]
 * >= 0: the end model's auto), else the highest accuracy; the first on a
 * tie. Never the best on the test set, which is what it is scored on. */
size_t aws_pick_label_model(const double *brier, const double *accuracy, size_t n);

/* w (d entries) gets each feature's share of the LFs' held-out F-scores
 * (an LF's score split evenly among its features; the shares sum to 1).
 * 0 when some LF scored above 0, -1 (w all 0) when none did. */
int aws_lf_feature_weights(double *w, const aws_lfset *lfs, size_t d);

/* votes[i]: how many LFs voted on row i (malloc'd, n entries). */
int *aws_vote_counts(const aws_lmat *L);

/* The supervised baseline: the same model on the labeled rows alone. */
int aws_train_baseline(aws_lr *m, const aws_data *D, double l2, int iters, char *err, size_t errlen);

#endif
