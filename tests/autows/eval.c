/*
 * eval.c -- the AutoWS evaluation harness and benchmark.
 *
 *   autows-eval compare [--rows N] [--labels N] [--seeds A-B] [--noise N]
 *                       [--csv FILE] [--pca N] [--max-lfs N] [--min-conf P]
 *                       [--gold-weight W] [--must-win MODEL] [--families LIST]
 *                       [--only logistic|auto|baselines] [--smooth ALPHA] [--weak W] [--cv refit|leaky]
 *                       [--cv-repeats N] [--units off]
 *       per seed: a generated dataset (or FILE, split anew per seed) ->
 *       Snuba LFs -> each label model -> end model, against the supervised
 *       baseline on the same labels; prints test accuracy and macro-F1 and
 *       how often each label model won. With --must-win it exits 1 unless
 *       MODEL beat the baseline on every seed. Where the features have
 *       units (no --pca), it also prints, as a reference and not a baseline
 *       to beat, label spreading in the features' own units; --only
 *       baselines prints the baselines and that reference alone.
 *   autows-eval time [--rows N] [--lfs M]   label-model fit time on N x M
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "featurize.h"
#include "metrics.h"
#include "npy.h"
#include "pipeline.h"
#include "semisup.h"
#include "synth.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

enum { NK = 4 }; /* label models */
static const char *const kinds[NK] = {"majority", "dawid_skene", "triplet", "metal"};
static aws_end_opts eo = AWS_END_OPTS_INIT;
static int no_units; /* --units off: no units_graph */
static size_t noise_dims = 8;
static const char *csv_file;
static size_t pca_dims = 0, max_lfs = 25;
static const char *must_win; /* a label model that must beat the baseline on every seed */

static int families = AWS_LF_STUMP | AWS_LF_TREE | AWS_LF_LOGISTIC | AWS_LF_KNN;
static double smooth_alpha = 0.9;

/* the label model with an end model of each kind; then with the end
 * model chosen by CV (+auto); then AutoWS's answer: the label model whose
 * +auto end model had the best CV accuracy on the labels */
enum { NMETH = 4 * NK + 1 };
static const char *const methods[NMETH] = {
	"majority",      "dawid_skene",      "triplet",      "metal",      "majority+s",    "dawid_skene+s",
	"triplet+s",     "metal+s",          "majority+g",   "dawid_skene+g", "triplet+g",  "metal+g",
	"majority+auto", "dawid_skene+auto", "triplet+auto", "metal+auto", "AUTOWS"};
/* the end model of each group of NK methods */
static const aws_end_kind end_of[4] = {AWS_END_LOGISTIC, AWS_END_SMOOTHED, AWS_END_GRAPH, AWS_END_AUTO};
static double weak_w = 0; /* 0: +auto's CV chooses it; +s and +g use 0.3 */
static int leaky_cv;      /* --cv leaky: +auto's folds reuse the weak labels made with every label */
/* --quick: the three label models with logistic end models against
 * logistic regression only (the CI check); --auto: skip the fixed graph
 * variants (+s, +g), for the benchmark's larger datasets */
static int quick, auto_only, baselines_only, oof_scoring;

/* Counts a method's wins over each baseline (and all three) on one seed,
 * and prints its line. */
static void tally(int wins[4], const aws_scores *se, const aws_scores sb[3], int seed, const char *method, size_t nlfs,
		  double coverage)
{
	int all = 1;
	for (int b = 0; b < 3; b++) {
		wins[b] += se->accuracy > sb[b].accuracy;
		all = all && se->accuracy > sb[b].accuracy;
	}
	wins[3] += all;
	printf("%-5d %-14s %8.3f %8.3f %8.3f %8.3f %8.3f %6zu %8.3f\n", seed, method, se->accuracy, se->macro_f1,
	       sb[0].accuracy, sb[1].accuracy, sb[2].accuracy, nlfs, coverage);
}

static int compare(size_t rows, size_t nlab, int s0, int s1)
{
	printf("%-5s %-14s %8s %8s %8s %8s %8s %6s %8s\n", "seed", "method", "acc", "macroF1", "logreg", "spread",
	       "selftr", "lfs", "coverage");
	int wins[NMETH][4] = {{0}}, seeds = 0, ran[NMETH] = {0};
	double sum[NMETH] = {0}, sumb[3] = {0}, sum_units = 0;
	int units_seeds = 0;
	for (int seed = s0; seed <= s1; seed++, seeds++) {
		char path[] = "/tmp/autows-eval-XXXXXX", err[512];
		aws_data D;
		if (csv_file) {
			if (aws_data_read_csv(&D, csv_file, csv_file, "label", err, sizeof err) != 0) {
				fprintf(stderr, "%s\n", err);
				return 1;
			}
		} else {
			int fd = mkstemp(path);
			if (fd < 0)
				return 1;
			close(fd);
			aws_synth_opts so = {rows, 4, 4, noise_dims, 2.0, (uint64_t)seed};
			int rc = aws_synth_csv(path, &so, err, sizeof err) != 0 ||
				 aws_data_read_csv(&D, path, "synth.csv", "label", err, sizeof err) != 0;
			remove(path);
			if (rc) {
				fprintf(stderr, "%s\n", err);
				return 1;
			}
		}
		if (aws_data_split(&D, nlab, 0.2, (uint64_t)seed, err, sizeof err) != 0 ||
		    aws_featurize(&D, pca_dims, err, sizeof err) != 0) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		size_t *lab, *test;
		size_t nl = aws_data_rows(&D, AWS_LABELED, &lab), nt = aws_data_rows(&D, AWS_TEST, &test);
		aws_lfgen_opts lo = AWS_LFGEN_OPTS_INIT;
		lo.max_lfs = max_lfs;
		lo.families = families;
		lo.seed = (uint64_t)seed;
		lo.out_of_fold = oof_scoring;
		aws_lfset lfs;
		aws_lmat L;
		aws_lr base;
		double *PB[3] = {NULL, NULL, NULL};
		if (aws_lf_generate(&lfs, D.X, D.n, D.d, D.y, D.k, lab, nl, &lo, err, sizeof err) != 0 ||
		    aws_apply_lfs(&L, &lfs, &D, err, sizeof err) != 0 ||
		    aws_train_baseline(&base, &D, 1e-2, 500, err, sizeof err) != 0 || aws_predict_all(&PB[0], &base, &D) != 0 ||
		    (!quick && (aws_label_spreading(&PB[1], &D, 7, 0.2, err, sizeof err) != 0 ||
				aws_self_training(&PB[2], &D, 0.75, 10, err, sizeof err) != 0))) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		aws_scores sb[3];
		for (int b = 0; b < 3; b++) {
			if (PB[b])
				aws_score(&sb[b], PB[b], D.k, D.y, test, nt);
			else
				sb[b] = (aws_scores){1.0, 1.0, 0}; /* not run: never beaten */
			sumb[b] += sb[b].accuracy;
		}
		if (!quick && D.units) { /* a reference, not a baseline: label spreading in the features' own units */
			aws_data Du = D;
			double *PU = NULL;
			Du.X = aws_data_scaled(&D, D.units);
			if (!Du.X || aws_label_spreading(&PU, &Du, 7, 0.2, err, sizeof err) != 0) {
				fprintf(stderr, "label spreading in own units: %s\n", Du.X ? err : "out of memory");
				return 1;
			}
			aws_scores su;
			aws_score(&su, PU, D.k, D.y, test, nt);
			sum_units += su.accuracy, units_seeds++;
			free(PU), free(Du.X);
		}
		int32_t *known = malloc(D.n * sizeof *known);
		for (size_t i = 0; known && i < D.n; i++)
			known[i] = D.split[i] == AWS_LABELED ? D.y[i] : -1;
		int *votes = aws_vote_counts(&L);
		if (!votes)
			return 1;
		size_t covered = 0;
		for (size_t i = 0; i < D.n; i++)
			covered += L.row[i] != L.row[i + 1];
		double auto_cv[NK] = {-1, -1, -1, -1}, auto_brier[NK] = {-1, -1, -1, -1};
		aws_scores auto_sc[NK];
		for (int meth = 0; meth < NMETH; meth++) {
			int kind = meth % NK;
			if ((quick && meth >= NK) || (auto_only && meth >= NK && meth < 3 * NK) || baselines_only)
				continue;
			ran[meth] = 1;
			if (meth == 4 * NK) { /* AutoWS's answer, chosen without the test set */
				size_t pick = aws_pick_label_model(auto_brier, auto_cv, NK); /* as the summary op */
				sum[meth] += auto_sc[pick].accuracy;
				tally(wins[meth], &auto_sc[pick], sb, seed, methods[meth], lfs.n, (double)covered / (double)D.n);
				continue;
			}
			aws_lm_result r;
			aws_lr m;
			double *PE;
			aws_end_opts o = eo;
			o.units = no_units ? NULL : D.units;
			o.smooth = smooth_alpha;
			o.weak_weight = weak_w;
			if (!leaky_cv)
				o.lfs = &lfs, o.label_model = kind, o.lm_iters = 100;
			aws_end_result er;
			if (aws_label_model(&r, &L, (aws_lm_kind)kind, 100, known, err, sizeof err) != 0 ||
			    aws_end_fit(&er, end_of[meth / NK], &D, votes, r.proba, &o, err, sizeof err) != 0) {
				fprintf(stderr, "%s\n", err);
				return 1;
			}
			PE = er.P, er.P = NULL;
			m = er.model, er.model = (aws_lr){0};
			if (meth >= 3 * NK)
				fprintf(stderr, "seed %d %s: chose %s, weak weight %g, weight %.3f, %zu more (next %s at %.3f); "
						"cv %.3f %.3f %.3f %.3f %.3f %.3f %.3f %.3f; answer %.3f, Brier %.4f\n",
					seed, methods[meth], aws_end_name(er.chosen), er.weak_weight, er.weight, er.n_more,
					er.n_more ? aws_end_name(er.more[0].kind) : "none", er.n_more ? er.more[0].weight : 0.0,
					er.cv[0], er.cv[1], er.cv[2], er.cv[3], er.cv[4], er.cv[5], er.cv[6], er.cv[7],
					er.cv_answer, er.cv_brier_answer);
			aws_scores se;
			aws_score(&se, PE, D.k, D.y, test, nt);
			if (meth >= 3 * NK) {
				auto_sc[kind] = se;
				for (int q = 0; q < AWS_END_KINDS; q++)
					auto_cv[kind] = er.cv[q] > auto_cv[kind] ? er.cv[q] : auto_cv[kind];
				if (er.cv_answer >= 0) /* the CV of what is answered */
					auto_cv[kind] = er.cv_answer;
				auto_brier[kind] = er.cv_brier_answer;
			}
			sum[meth] += se.accuracy;
			tally(wins[meth], &se, sb, seed, methods[meth], lfs.n, (double)covered / (double)D.n);
			free(PE);
			aws_lr_free(&m);
			aws_end_result_free(&er); /* the mean's other members */
			aws_lm_result_free(&r);
		}
		free(PB[0]), free(PB[1]), free(PB[2]), free(lab), free(test), free(votes), free(known);
		aws_lr_free(&base);
		aws_lmat_free(&L);
		aws_lfset_free(&lfs);
		aws_data_free(&D);
	}
	printf("mean test accuracy over %d seeds: logreg %.3f, label spreading %.3f, self-training %.3f\n", seeds,
	       sumb[0] / seeds, sumb[1] / seeds, sumb[2] / seeds);
	if (units_seeds)
		printf("reference, not a baseline: label spreading in the features' own units %.3f over %d seeds\n",
		       sum_units / units_seeds, units_seeds);
	for (int meth = 0; meth < NMETH; meth++)
		if (ran[meth])
			printf("%-14s mean %.3f; beat logreg on %d, spreading on %d, self-training on %d, all three on %d of %d "
		       "seeds\n",
		       methods[meth], sum[meth] / seeds, wins[meth][0], wins[meth][1], wins[meth][2], wins[meth][3], seeds);
	for (int kind = 0; kind < NK; kind++) /* the line the CI check reads */
		printf("%s beat the baseline on %d of %d seeds\n", kinds[kind], wins[kind][0], seeds);
	int want = must_win ? aws_lm_parse(must_win) : -1;
	if (must_win && want < 0) {
		fprintf(stderr, "--must-win: no label model '%s'\n", must_win);
		return 2;
	}
	return want >= 0 && wins[want][0] < seeds ? 1 : 0;
}

static int time_lm(size_t n, size_t m)
{
	size_t k = 5;
	int *d = malloc(n * m * sizeof *d);
	if (!d)
		return 1;
	uint64_t s = 1;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < m; j++) {
			s = s * 6364136223846793005ULL + 1442695040888963407ULL;
			double u = (double)(s >> 11) / 9007199254740992.0;
			s = s * 6364136223846793005ULL + 1442695040888963407ULL;
			double v = (double)(s >> 11) / 9007199254740992.0;
			int y = (int)(i % k);
			d[i * m + j] = u < 0.3 ? (v < 0.5 + 0.04 * (double)(j % 10) ? y : (y + 1 + (int)(v * 97) % (int)(k - 1)) % (int)k)
					       : -1;
		}
	aws_lmat L;
	char err[256];
	/* as the label_model op reads it: labels.npy (int32), then sparse */
	char path[] = "/tmp/autows-time-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return 1;
	close(fd);
	if (wnpy_write_i4_2d(path, d, n, m, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		remove(path);
		return 1;
	}
	free(d);
	double tr = now();
	int32_t *back = NULL;
	size_t rows, cols;
	int bad = wnpy_read_int(&back, &rows, &cols, path, "labels.npy", err, sizeof err) != 0 ||
		  aws_lmat_from_dense(&L, back, rows, cols, k) != 0;
	double t_read = now() - tr;
	free(back);
	remove(path);
	if (bad)
		return 1;
	printf("label matrix %zu x %zu, %zu classes, %zu votes; read from .npy into sparse form in %.3f s\n", n, m, k,
	       L.nnz, t_read);
	for (int kind = 0; kind < NK; kind++) {
		aws_lm_result r;
		double t0 = now();
		if (aws_label_model(&r, &L, (aws_lm_kind)kind, 100, NULL, err, sizeof err) != 0)
			return 1;
		printf("%-12s %.3f s (%d EM iterations)\n", kinds[kind], now() - t0, r.iterations);
		aws_lm_result_free(&r);
	}
	aws_lmat_free(&L);
	return 0;
}

int main(int argc, char **argv)
{
	size_t rows = 10000, nlab = 100, lfs = 100;
	int s0 = 1, s1 = 3;
	for (int i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--rows"))
			rows = (size_t)atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--labels"))
			nlab = (size_t)atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--min-conf"))
			eo.min_conf = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--gold-weight"))
			eo.gold_weight = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--pca"))
			pca_dims = (size_t)atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--max-lfs"))
			max_lfs = (size_t)atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--must-win"))
			must_win = argv[i + 1];
		else if (!strcmp(argv[i], "--csv"))
			csv_file = argv[i + 1];
		else if (!strcmp(argv[i], "--cv"))
			leaky_cv = !strcmp(argv[i + 1], "leaky");
		else if (!strcmp(argv[i], "--units"))
			no_units = !strcmp(argv[i + 1], "off");
		else if (!strcmp(argv[i], "--cv-repeats"))
			eo.cv_repeats = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--weak"))
			weak_w = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--only"))
			quick = !strcmp(argv[i + 1], "logistic"), auto_only = !strcmp(argv[i + 1], "auto"),
			baselines_only = !strcmp(argv[i + 1], "baselines");
		else if (!strcmp(argv[i], "--scoring"))
			oof_scoring = !strcmp(argv[i + 1], "out_of_fold");
		else if (!strcmp(argv[i], "--smooth"))
			smooth_alpha = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--families")) {
			families = 0;
			families |= strstr(argv[i + 1], "stump") ? AWS_LF_STUMP : 0;
			families |= strstr(argv[i + 1], "tree") ? AWS_LF_TREE : 0;
			families |= strstr(argv[i + 1], "logistic") ? AWS_LF_LOGISTIC : 0;
			families |= strstr(argv[i + 1], "knn") ? AWS_LF_KNN : 0;
		} else if (!strcmp(argv[i], "--noise"))
			noise_dims = (size_t)atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--lfs"))
			lfs = (size_t)atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--seeds") && sscanf(argv[i + 1], "%d-%d", &s0, &s1) != 2)
			return 2;
	}
	if (argc >= 2 && !strcmp(argv[1], "compare"))
		return compare(rows, nlab, s0, s1);
	if (argc >= 2 && !strcmp(argv[1], "time"))
		return time_lm(rows, lfs);
	fprintf(stderr, "usage: autows-eval compare|time [options]\n");
	return 2;
}
