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
	/* AUTO's cross-validation is repeated over this many partitions of
	 * the labels into 5 folds, and each candidate's score is its mean
	 * over them (0 or 1: one partition) */
	int cv_repeats;
	/* the features' standard deviations before they were standardised
	 * (D->d of them), for units_graph; NULL: not known, no units_graph */
	const double *units;
} aws_end_opts;
#define AWS_END_OPTS_INIT {0.0, 0.0, 1e-2, 500, 0.0, 7, 0.0, NULL, 0, 100, 0.0, 1, NULL}

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
 * The gold kinds ignore the LFs and learn from the labeled rows alone, as
 * a practitioner without LFs would (they are the three baselines):
 *   gold_logistic     logistic regression on the labeled rows;
 *   gold_spreading    label spreading from the labeled rows over the k-NN
 *             graph, alpha 0.2 (scikit-learn's default);
 *   gold_selftrained  gold_logistic, then self-trained as selftrained is
 *             (10 rounds).
 * AUTO scores every kind (lf_graph when o->lfs has an LF that scored), and
 * the three graph kinds at each weak weight, by 5-fold cross-validation on
 * the labeled rows: each fold hides a fifth of the labels (stratified)
 * from the end model and scores its predictions there by the Brier score.
 * Its answer is a weighted mean of the candidates' predictions, candidate
 * c weighing exp(-(B_c - B_best) / 2), B the Brier score summed over the
 * labels: the likelihood of its out-of-fold errors as Gaussian noise of
 * unit variance. Where one candidate is clearly best it answers almost
 * alone; where the CV cannot tell several apart (on 100 labels, most
 * sets), they share the answer. A candidate under 0.001 of the total
 * weight is left out. cv_brier_answer is the weighted mean's Brier score,
 * which is what chooses among the label models. Why the gold kinds: where
 * the LFs mislead (a target cut from a smooth function), the CV can then
 * weigh the labels alone in (docs/plugins/autows.md: on the 56 sets
 * replayed, all three baselines beaten on 41 against 37 by the mean of the
 * two best, the margin over the best baseline +0.040 against +0.035).
 * With o->lfs the folds' weak labels are made again without their hidden
 * labels; without, the LFs and the label model saw every label, and the
 * CV favours the candidates that lean most on the weak labels. */
typedef enum aws_end_kind {
	AWS_END_LOGISTIC = 0,
	AWS_END_SMOOTHED,
	AWS_END_GRAPH,
	AWS_END_SELFTRAINED,
	AWS_END_LFGRAPH,
	AWS_END_GOLD_LOGISTIC,
	AWS_END_GOLD_SPREADING,
	AWS_END_GOLD_SELFTRAINED,
	AWS_END_UNITS_GRAPH,
	AWS_END_GOLD_UNITS,
	AWS_END_AUTO
} aws_end_kind;
#define AWS_END_KINDS 10
/* gold_spreading's alpha: scikit-learn's default, and the ssl_baselines
 * op's; model.json states it. */
#define AWS_GOLD_SPREAD_ALPHA 0.2
/* "logistic", "smoothed", "graph", "selftrained", "lf_graph", "gold_logistic", "gold_spreading",
 * "gold_selftrained", "units_graph", "gold_units" or "auto"; -1 when unknown. */
int aws_end_parse(const char *name);
const char *aws_end_name(aws_end_kind k);

/* Partition `rep` of the nl labeled rows lab[] into AUTO's 5 stratified
 * folds (fold[q] for lab[q]): class by class, round robin, the count
 * carried from one class to the next. Partition 0 takes each class's rows
 * in row order; partition r > 0 in an order drawn from the rows' indices
 * and r, so that its folds group other labels. -1: out of memory. */
int aws_cv_folds(int *fold, const aws_data *D, const size_t *lab, size_t nl, int rep);

/* One member of AUTO's weighted mean. */
typedef struct aws_end_member {
	aws_end_kind kind;
	double weak_weight; /* as aws_end_result's */
	double l2;          /* as aws_end_result's */
	double weight;      /* its share of the mean */
	aws_lr model;       /* zero for a graph kind */
	double temperature; /* as aws_end_result's */
} aws_end_member;
#define AWS_END_MAX_MORE 26

typedef struct aws_end_result {
	aws_end_kind chosen;      /* the kind asked, or AUTO's best candidate */
	double cv[AWS_END_KINDS]; /* CV accuracy of each kind at its best weak weight (AUTO), or -1 (lf_graph
				   * without LFs that scored) */
	double weak_weight;       /* the weak weight the chosen kind used; for the regressions, its
				   * weak_share (0: the default, 1) */
	aws_lr model;             /* the regression (the kinds but the graph ones); zero for a graph */
	double l2;                /* the L2 penalty a regression is fitted at (a graph kind's is unused) */
	double weight;            /* the chosen kind's share of P: 1 when it answers alone */
	double temperature;       /* AUTO: the temperature its out-of-fold predictions were scored at for
				   * its weight (temper.h); 1 otherwise. P holds them untempered. */
	/* AUTO with 10 labels or more: the other members of P's weighted
	 * mean, heaviest first */
	size_t n_more;
	aws_end_member more[AWS_END_MAX_MORE];
	double cv_answer;       /* CV accuracy of P's predictions, from the folds (AUTO), or -1 */
	double cv_brier_answer; /* their Brier score per label (0 best, 2 worst), or -1 */
	double cv_brier[AWS_END_KINDS]; /* each kind's best Brier score per label (AUTO), or -1 */
	double cv_brier_tempered[AWS_END_KINDS]; /* the same, each candidate at its own temperature: what
						  * the weights come from (AUTO), or -1 */
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
