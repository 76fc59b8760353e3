/*
 * lfs.h -- labeling functions generated from a few labels, Snuba-style
 * (Varma and Re, VLDB 2018), as AutoWS-Bench-101 runs it.
 *
 * A heuristic is a small one-vs-rest classifier for one class on one or
 * two features: a decision stump, a depth-2 tree, or a logistic model; or
 * on a random subset of features, the share of a row's k nearest labeled
 * rows that are of the class (k-NN; scored leave-one-out on the labels)
 * (Snuba is binary; one class against the rest is how it extends to k
 * classes). It votes its class when the class's probability reaches its
 * abstain threshold beta, and abstains otherwise. beta is chosen per
 * heuristic to maximise its F-score for that class on the labeled rows. The synthesizer fits every heuristic of the chosen
 * families; the pruner keeps the one with the best mix of F-score and
 * diversity (Jaccard distance of its coverage to the LFs kept so far); the
 * verifier then runs a label model on the kept LFs and sends only the
 * labeled rows it is still unsure of to the next round.
 */
#ifndef AUTOWS_LFS_H
#define AUTOWS_LFS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

enum { AWS_LF_STUMP = 1, AWS_LF_TREE = 2, AWS_LF_LOGISTIC = 4, AWS_LF_KNN = 8 };

#define AWS_LF_MAXF 16 /* features of one LF at most (k-NN subspaces) */

typedef struct aws_lf {
	int family; /* one AWS_LF_* */
	int nf;
	int f[AWS_LF_MAXF]; /* feature indices */
	int target;     /* the class it votes for */
	double thr[3];  /* stump: thr[0]; tree: root thr[0], left thr[1], right thr[2] */
	double *p;      /* P(target) per leaf (stump 2, tree 4), nf + 1 logistic weights, or
			   k-NN: the reference rows' features f, nref x nf */
	int32_t *ref_y; /* k-NN: the reference rows' classes */
	size_t nref;    /* k-NN: reference rows (the labeled rows) */
	int knn;        /* k-NN: neighbours that vote */
	size_t k;
	double beta;    /* abstain below this confidence */
	double fscore, coverage, precision; /* on the labeled rows, as scored when chosen */
	double ho_fscore, ho_coverage, ho_precision; /* the same, each row out of fold (held out) */
} aws_lf;

typedef struct aws_lfset {
	aws_lf *v;
	size_t n;
} aws_lfset;

typedef struct aws_lfgen_opts {
	int families;      /* AWS_LF_* bits */
	size_t max_lfs;    /* LFs to keep at most */
	double diversity;  /* weight of diversity against F-score, 0..1 */
	double min_fscore; /* stop when the best new LF is below this */
	size_t max_pairs;  /* two-feature heuristics considered per round */
	uint64_t seed;     /* for sampling feature pairs and subspaces */
	size_t knn_subspaces; /* k-NN heuristics (random subspaces) per round */
	int knn;           /* neighbours of a k-NN LF */
	/* 1: choose each stump/tree/logistic threshold on out-of-fold
	 * confidences (5 folds of the labels); 0: on the rows it was fitted on
	 * (k-NN is always leave-one-out; held-out statistics are always kept) */
	int out_of_fold;
} aws_lfgen_opts;

#define AWS_LFGEN_OPTS_INIT {AWS_LF_STUMP | AWS_LF_TREE | AWS_LF_LOGISTIC, 25, 0.5, 0.2, 200, 1, 40, 5, 0}

/* Generates LFs from the labeled rows `lab` (indices into X, n x d, with
 * classes y) scored for diversity over all rows. */
int aws_lf_generate(aws_lfset *out, const double *X, size_t n, size_t d, const int32_t *y, size_t k,
		    const size_t *lab, size_t nlab, const aws_lfgen_opts *o, char *err, size_t errlen);

/* The LFs of `in` (family, features, class, abstain threshold) fitted
 * again on the labeled rows `lab` alone (k-NN: they become the reference
 * rows); an LF that no longer fits (nothing to split) is left out. Why: to
 * score an end model on labels the LFs did not see. */
int aws_lfset_refit(aws_lfset *out, const aws_lfset *in, const double *X, size_t n, size_t d, const int32_t *y,
		    size_t k, const size_t *lab, size_t nlab, char *err, size_t errlen);

/* The vote of lf on row x: a class, or -1 to abstain. */
int aws_lf_vote(const aws_lf *lf, const double *x);

/* Readable JSON (family, features by name, thresholds, weights, beta, and
 * the labeled-set statistics) and back. */
json_t *aws_lfset_to_json(const aws_lfset *s, char *const *features, char *const *classes);
int aws_lfset_from_json(aws_lfset *s, const json_t *j, size_t d, size_t k, char *err, size_t errlen);
void aws_lfset_free(aws_lfset *s);

#endif
