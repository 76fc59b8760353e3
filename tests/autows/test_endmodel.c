/* Unit tests of the end model, PCA and the metrics. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endmodel.h"
#include "featurize.h"
#include "metrics.h"
#include "pipeline.h"
#include "semisup.h"

static double gauss(uint64_t *s)
{
	double u[2];
	for (int i = 0; i < 2; i++) {
		*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
		u[i] = ((double)(*s >> 11) + 0.5) / 9007199254740992.0;
	}
	return sqrt(-2 * log(u[0])) * cos(6.283185307179586 * u[1]);
}

/* The regression's class sums run four classes side by side in
 * aws_lr_proba, and as vectors of two over transposed weights in a fit
 * and in aws_predict_all (in registers up to 16 classes, in memory
 * beyond), and a fit keeps the rows' probabilities for the gradient when
 * they fit in its bound (and then adds the rows to the gradient four at a
 * time): each is the same bits as the plain way, for 2 to 21 classes. */
static void test_logistic_same_bits(void **state)
{
	(void)state;
	enum { N = 303, D = 7 }; /* 303: the four-row gradient and its last three rows */
	static double X[N * D], T[N * 21];
	static size_t rows[N];
	uint64_t s = 17;
	for (size_t i = 0; i < N * D; i++)
		X[i] = gauss(&s);
	for (size_t i = 0; i < N; i++)
		rows[i] = i;
	for (size_t K = 2; K <= 21; K++) {
		for (size_t i = 0; i < N; i++)
			for (size_t c = 0; c < K; c++) /* a class from the features, so there is something to fit */
				T[i * K + c] = (size_t)(fabs(X[i * D] + X[i * D + 1] * (double)c) * 3) % K == c;
		aws_lr a, b;
		char err[256];
		assert_int_equal(aws_lr_fit_keep(&a, X, D, K, rows, N, T, NULL, 1e-2, 300, (size_t)-1, err, sizeof err), 0);
		assert_int_equal(aws_lr_fit_keep(&b, X, D, K, rows, N, T, NULL, 1e-2, 300, 0, err, sizeof err), 0);
		assert_int_equal(a.iterations, b.iterations);
		assert_true(a.iterations > 1);
		assert_memory_equal(a.w, b.w, K * (D + 1) * sizeof *a.w);
		aws_data DD = {.n = N, .d = D, .k = K, .X = X};
		double *PA = NULL;
		assert_int_equal(aws_predict_all(&PA, &a, &DD), 0);
		for (size_t i = 0; i < N; i += 37) {
			double p[21], q[21], mx = -INFINITY, sum = 0;
			aws_lr_proba(&a, X + i * D, p);
			for (size_t c = 0; c < K; c++) { /* one class at a time */
				double z = a.w[c * (D + 1) + D];
				for (size_t j = 0; j < D; j++)
					z += a.w[c * (D + 1) + j] * X[i * D + j];
				q[c] = z;
				mx = z > mx ? z : mx;
			}
			for (size_t c = 0; c < K; c++)
				sum += (q[c] = exp(q[c] - mx));
			for (size_t c = 0; c < K; c++)
				q[c] /= sum;
			assert_memory_equal(p, q, K * sizeof *p);
			assert_memory_equal(PA + i * K, q, K * sizeof *p);
		}
		free(PA);
		aws_lr_free(&a);
		aws_lr_free(&b);
	}
}

static void test_logistic_blobs(void **state)
{
	(void)state;
	enum { N = 900, D = 2, K = 3 };
	static double X[N * D], T[N * K], P[N * K];
	static int32_t y[N];
	static size_t rows[N];
	uint64_t s = 5;
	const double cx[K] = {-3, 0, 3}, cy[K] = {0, 3, 0};
	for (size_t i = 0; i < N; i++) {
		y[i] = (int32_t)(i % K);
		X[i * D] = cx[y[i]] + gauss(&s);
		X[i * D + 1] = cy[y[i]] + gauss(&s);
		for (size_t c = 0; c < K; c++)
			T[i * K + c] = (int32_t)c == y[i];
		rows[i] = i;
	}
	aws_lr m;
	char err[256];
	assert_int_equal(aws_lr_fit(&m, X, D, K, rows, N, T, NULL, 1e-3, 500, err, sizeof err), 0);
	for (size_t i = 0; i < N; i++)
		aws_lr_proba(&m, X + i * D, P + i * K);
	aws_scores sc;
	aws_score(&sc, P, K, y, rows, N);
	assert_true(sc.accuracy > 0.93);
	assert_true(sc.macro_f1 > 0.93);
	/* JSON round trip. */
	json_t *j = aws_lr_to_json(&m);
	aws_lr m2;
	assert_int_equal(aws_lr_from_json(&m2, j, err, sizeof err), 0);
	double p2[K];
	aws_lr_proba(&m2, X, p2);
	assert_true(fabs(p2[0] - P[0]) < 1e-9);
	json_decref(j);
	aws_lr_free(&m2);
	aws_lr_free(&m);
}

/* A row of weight 3 pulls the fit exactly as three copies of it do, and a
 * heavy row moves the model away from the unweighted fit. */
static void test_logistic_weights(void **state)
{
	(void)state;
	enum { N = 60, D = 2, K = 2 };
	static double X[N * D], T[(N + 2) * K], W[N];
	static size_t rows[N], dup[N + 2];
	uint64_t s = 11;
	for (size_t i = 0; i < N; i++) {
		int y = (int)(i % 2);
		X[i * D] = (y ? 1 : -1) + gauss(&s), X[i * D + 1] = gauss(&s);
		rows[i] = dup[i] = i;
		W[i] = i == 7 ? 3.0 : 1.0;
		for (size_t c = 0; c < K; c++)
			T[i * K + c] = (int)c == y;
	}
	dup[N] = dup[N + 1] = 7; /* two more copies of row 7 */
	for (size_t c = 0; c < K; c++)
		T[N * K + c] = T[(N + 1) * K + c] = T[7 * K + c];
	aws_lr a, b, u;
	char err[256];
	assert_int_equal(aws_lr_fit(&a, X, D, K, rows, N, T, W, 1e-2, 2000, err, sizeof err), 0);
	assert_int_equal(aws_lr_fit(&b, X, D, K, dup, N + 2, T, NULL, 1e-2, 2000, err, sizeof err), 0);
	assert_int_equal(aws_lr_fit(&u, X, D, K, rows, N, T, NULL, 1e-2, 2000, err, sizeof err), 0);
	double moved = 0;
	for (size_t q = 0; q < K * (D + 1); q++) {
		assert_true(fabs(a.w[q] - b.w[q]) < 1e-4);
		moved += fabs(a.w[q] - u.w[q]);
	}
	assert_true(moved > 1e-3);
	aws_lr_free(&u);
	W[0] = -1e9;
	assert_int_equal(aws_lr_fit(&u, X, D, K, rows, 1, T, W, 1e-2, 10, err, sizeof err), -1);
	assert_non_null(strstr(err, "weights"));
	aws_lr_free(&a), aws_lr_free(&b);
}

static void test_metrics(void **state)
{
	(void)state;
	/* Gold 0 0 1 1; predicted 0 1 1 1: accuracy 3/4; F1 class 0 = 2/3, class 1 = 4/5. */
	double P[8] = {0.9, 0.1, 0.4, 0.6, 0.2, 0.8, 0.3, 0.7};
	int32_t y[4] = {0, 0, 1, 1};
	size_t rows[4] = {0, 1, 2, 3};
	aws_scores s;
	aws_score(&s, P, 2, y, rows, 4);
	assert_true(fabs(s.accuracy - 0.75) < 1e-12);
	assert_true(fabs(s.macro_f1 - (2.0 / 3 + 0.8) / 2) < 1e-12);
	int dense[] = {0, 0, -1, 0, 1, -1, 1, -1, -1};
	aws_lmat L;
	assert_int_equal(aws_lmat_from_dense(&L, dense, 3, 3, 2), 0);
	aws_lfstat st[3];
	int32_t gold[3] = {0, 1, -1};
	assert_int_equal(aws_lf_stats(st, &L, gold), 0);
	assert_true(fabs(st[0].coverage - 1.0) < 1e-12);
	assert_true(fabs(st[1].coverage - 2.0 / 3) < 1e-12);
	assert_true(fabs(st[1].overlap - 2.0 / 3) < 1e-12);
	assert_true(fabs(st[1].conflict - 1.0 / 3) < 1e-12); /* row 1: votes 0 and 1 */
	assert_true(fabs(st[0].accuracy - 0.5) < 1e-12);      /* right on row 0, wrong on row 1 */
	assert_int_equal(st[2].gold_votes, 0);
	aws_lmat_free(&L);
}

static void test_pca(void **state)
{
	(void)state;
	enum { N = 2000 };
	aws_data D = {0};
	D.n = N, D.d = 3, D.k = 2;
	D.X = malloc(N * 3 * sizeof *D.X);
	D.features = calloc(3, sizeof *D.features);
	assert_non_null(D.X);
	for (int f = 0; f < 3; f++)
		assert_true(asprintf(&D.features[f], "f%d", f) > 0);
	uint64_t s = 9;
	/* Most variance along (1, 1, 0) / sqrt 2, before standardising too. */
	for (size_t i = 0; i < N; i++) {
		double t = 3 * gauss(&s);
		D.X[i * 3] = t + 0.3 * gauss(&s);
		D.X[i * 3 + 1] = t + 0.3 * gauss(&s);
		D.X[i * 3 + 2] = gauss(&s);
	}
	static double first[N];
	for (size_t i = 0; i < N; i++)
		first[i] = D.X[i * 3] + D.X[i * 3 + 1];
	char err[256];
	assert_int_equal(aws_featurize(&D, 1, err, sizeof err), 0);
	assert_int_equal(D.d, 1);
	assert_string_equal(D.features[0], "pc1");
	double sxy = 0, sxx = 0, syy = 0;
	for (size_t i = 0; i < N; i++) {
		sxy += first[i] * D.X[i];
		sxx += first[i] * first[i];
		syy += D.X[i] * D.X[i];
	}
	assert_true(fabs(sxy / sqrt(sxx * syy)) > 0.99);
	assert_int_equal(aws_featurize(&D, 2, err, sizeof err), -1);
	assert_non_null(strstr(err, "use at most 1"));
	aws_data_free(&D);
}

/* Two interleaved half circles (moons), one label per moon and 38 more:
 * a line cannot separate them, the k-NN graph can. Label spreading and
 * the graph end model follow the moons; CV on the labels picks the graph
 * over logistic regression; self-training stays linear. */
static void moons(aws_data *D, uint64_t seed)
{
	enum { N = 600 };
	memset(D, 0, sizeof *D);
	D->n = N, D->d = 2, D->k = 2;
	D->X = malloc(N * 2 * sizeof *D->X);
	D->y = malloc(N * sizeof *D->y);
	D->split = malloc(N * sizeof *D->split);
	assert_true(D->X && D->y && D->split);
	uint64_t s = seed;
	for (size_t i = 0; i < N; i++) {
		int c = (int)(i % 2);
		double t = 3.141592653589793 * (double)(i / 2) / (N / 2 - 1);
		D->X[i * 2] = (c ? 1 - cos(t) : cos(t)) + 0.06 * gauss(&s);
		D->X[i * 2 + 1] = (c ? 0.5 - sin(t) : sin(t)) + 0.06 * gauss(&s);
		D->y[i] = c;
		D->split[i] = i % 5 == 4 ? AWS_TEST : i % 15 == 0 || i % 15 == 1 ? AWS_LABELED : AWS_UNLABELED;
	}
}

/* Weak labels on two classes: right (with probability conf) on `right` of
 * every 10 rows, wrong on the rest, and no LF voting on every `skip`-th. */
static void noisy_weak_labels(const aws_data *D, int **votes, double **LM, size_t right, size_t skip, double conf)
{
	*votes = malloc(D->n * sizeof **votes);
	*LM = malloc(D->n * 2 * sizeof **LM);
	assert_true(*votes && *LM);
	for (size_t i = 0; i < D->n; i++) {
		int ok = i % 10 < right;
		(*votes)[i] = i % skip != 0;
		(*LM)[i * 2 + (size_t)D->y[i]] = ok ? conf : 1 - conf;
		(*LM)[i * 2 + (size_t)(1 - D->y[i])] = ok ? 1 - conf : conf;
	}
}

static void test_semisupervised(void **state)
{
	(void)state;
	aws_data D;
	moons(&D, 3);
	size_t *test, nt = aws_data_rows(&D, AWS_TEST, &test);
	double *P = NULL;
	char err[256];
	aws_scores sc;
	assert_int_equal(aws_label_spreading(&P, &D, 7, 0.2, err, sizeof err), 0);
	aws_score(&sc, P, 2, D.y, test, nt);
	print_message("label spreading %.3f\n", sc.accuracy);
	assert_true(sc.accuracy > 0.97);
	free(P);
	aws_lr lr;
	assert_int_equal(aws_train_baseline(&lr, &D, 1e-2, 500, err, sizeof err), 0);
	assert_int_equal(aws_predict_all(&P, &lr, &D), 0);
	aws_scores sl;
	aws_score(&sl, P, 2, D.y, test, nt);
	print_message("logistic %.3f\n", sl.accuracy);
	assert_true(sl.accuracy < 0.92); /* a line cannot follow the moons */
	free(P);
	aws_lr_free(&lr);
	assert_int_equal(aws_self_training(&P, &D, 0.75, 10, err, sizeof err), 0);
	aws_score(&sc, P, 2, D.y, test, nt);
	print_message("self-training %.3f\n", sc.accuracy);
	assert_true(sc.accuracy > 0.75); /* linear too: it refits a line on its own guesses */
	free(P);
	/* weak labels that are right on 80% of the rows, no LF on every third */
	int *votes;
	double *LM;
	noisy_weak_labels(&D, &votes, &LM, 8, 3, 0.8);
	aws_end_opts o = AWS_END_OPTS_INIT;
	aws_end_result r;
	assert_int_equal(aws_end_fit(&r, AWS_END_AUTO, &D, votes, LM, &o, err, sizeof err), 0);
	for (int q = 0; q < AWS_END_KINDS; q++)
		assert_true(q == AWS_END_LFGRAPH || q == AWS_END_UNITS_GRAPH || q == AWS_END_GOLD_UNITS ||
			    (r.cv[q] >= 0 && r.cv[q] <= 1));
	assert_true(r.cv[AWS_END_LFGRAPH] == -1); /* no LFs: no metric from them */
	assert_true(r.cv[AWS_END_UNITS_GRAPH] == -1 && r.cv[AWS_END_GOLD_UNITS] == -1); /* no units: nor from those */
	/* a graph leads, the one seeded by the weak labels or by the gold ones
	 * alone: a line cannot follow the moons */
	assert_true(r.chosen == AWS_END_GRAPH || r.chosen == AWS_END_GOLD_SPREADING);
	assert_true(r.cv[r.chosen] >= r.cv[AWS_END_LOGISTIC] && r.cv[r.chosen] >= r.cv[AWS_END_GOLD_LOGISTIC]);
	aws_score(&sc, r.P, 2, D.y, test, nt);
	assert_true(sc.accuracy > 0.95);
	aws_end_result_free(&r);
	free(votes), free(LM), free(test);
	aws_data_free(&D);
}

/* Self-training from a given teacher (the selftrained end model): without
 * one it is the baseline; the teacher's confident predictions become the
 * pseudo labels (a teacher wrong on every unlabeled row drags the
 * regression below chance); with none confident enough nothing is
 * refitted and the teacher's predictions stand. */
static void test_self_train_from_teacher(void **state)
{
	(void)state;
	aws_data D;
	moons(&D, 7);
	size_t *test, nt = aws_data_rows(&D, AWS_TEST, &test);
	char err[256];
	double *P = NULL, *PB = NULL, *T0 = malloc(D.n * 2 * sizeof *T0);
	assert_non_null(T0);
	aws_self_opts so = {0.75, 10, 1e-2, 500};
	assert_int_equal(aws_self_train(&P, NULL, &D, NULL, &so, err, sizeof err), 0);
	assert_int_equal(aws_self_training(&PB, &D, 0.75, 10, err, sizeof err), 0);
	assert_memory_equal(P, PB, D.n * 2 * sizeof *P);
	free(P), free(PB);
	aws_scores sc[2];
	aws_lr m;
	for (int wrong = 0; wrong < 2; wrong++) {
		for (size_t i = 0; i < D.n; i++) {
			int c = D.split[i] == AWS_UNLABELED && wrong ? 1 - D.y[i] : D.y[i];
			T0[i * 2 + (size_t)c] = 0.9, T0[i * 2 + (size_t)(1 - c)] = 0.1;
		}
		assert_int_equal(aws_self_train(&P, &m, &D, T0, &so, err, sizeof err), 0);
		assert_non_null(m.w);
		aws_score(&sc[wrong], P, 2, D.y, test, nt);
		aws_lr_free(&m);
		free(P);
	}
	print_message("self-trained from a right teacher %.3f, from a wrong one %.3f\n", sc[0].accuracy, sc[1].accuracy);
	assert_true(sc[0].accuracy > 0.8);
	assert_true(sc[1].accuracy < 0.4);
	so.threshold = 0.95; /* above every teacher probability: no round adds a row */
	assert_int_equal(aws_self_train(&P, &m, &D, T0, &so, err, sizeof err), 0);
	assert_null(m.w);
	assert_memory_equal(P, T0, D.n * 2 * sizeof *P);
	free(P), free(T0), free(test);
	aws_data_free(&D);
}

/* weak_share: where the weak labels are wrong in a systematic way (they
 * follow a tilted line, the class is the sign of x1), the logistic end
 * model at the default share, the weak rows weighing as much as the 60
 * labels, is pulled toward the LFs' line; at 0.1 the labels lead, and it
 * lands near logistic regression on the labels alone. model.json's
 * weak_weight for a regression is this share. */
static void test_weak_share_lets_the_labels_lead(void **state)
{
	(void)state;
	enum { N = 2000 };
	aws_data D;
	memset(&D, 0, sizeof D);
	D.n = N, D.d = 2, D.k = 2;
	D.X = malloc(N * 2 * sizeof *D.X);
	D.y = malloc(N * sizeof *D.y);
	D.split = malloc(N * sizeof *D.split);
	int *votes = malloc(N * sizeof *votes);
	double *LM = malloc(N * 2 * sizeof *LM);
	assert_true(D.X && D.y && D.split && votes && LM);
	uint64_t s = 17;
	for (size_t i = 0; i < N; i++) {
		double x0 = gauss(&s), x1 = gauss(&s);
		D.X[i * 2] = x0, D.X[i * 2 + 1] = x1;
		D.y[i] = x1 > 0;
		D.split[i] = i % 4 == 3 ? AWS_TEST : i % 25 == 0 ? AWS_LABELED : AWS_UNLABELED;
		int weak = x1 + 0.8 * x0 > 0; /* the LFs' line, tilted */
		votes[i] = 1;
		LM[i * 2 + (size_t)weak] = 0.9, LM[i * 2 + (size_t)!weak] = 0.1;
	}
	size_t *test, nt = aws_data_rows(&D, AWS_TEST, &test);
	char err[256];
	double acc[3];
	aws_scores sc;
	for (int q = 0; q < 2; q++) {
		aws_end_opts o = AWS_END_OPTS_INIT;
		o.weak_share = q ? 0.1 : 0; /* 0: equal */
		aws_end_result r;
		assert_int_equal(aws_end_fit(&r, AWS_END_LOGISTIC, &D, votes, LM, &o, err, sizeof err), 0);
		assert_true(r.weak_weight == (q ? 0.1 : 0));
		aws_score(&sc, r.P, 2, D.y, test, nt);
		acc[q] = sc.accuracy;
		aws_end_result_free(&r);
	}
	aws_lr lr;
	double *P = NULL;
	assert_int_equal(aws_train_baseline(&lr, &D, 1e-2, 500, err, sizeof err), 0);
	assert_int_equal(aws_predict_all(&P, &lr, &D), 0);
	aws_score(&sc, P, 2, D.y, test, nt);
	acc[2] = sc.accuracy;
	print_message("logistic end model, weak share 1: %.3f, 0.1: %.3f; on the labels alone %.3f\n", acc[0], acc[1],
		      acc[2]);
	assert_true(acc[1] > acc[0] + 0.03);
	assert_true(acc[1] > acc[2] - 0.02);
	/* auto also tries gold_logistic at a tenth of the L2 penalty: on a
	 * line without noise its sharper probabilities score the lower Brier,
	 * so it outweighs gold_logistic at the penalty asked, and its member
	 * is the baseline fitted at that penalty */
	aws_end_opts o = AWS_END_OPTS_INIT;
	aws_end_result a;
	assert_int_equal(aws_end_fit(&a, AWS_END_AUTO, &D, votes, LM, &o, err, sizeof err), 0);
	const aws_lr *weak_pen = NULL;
	double w_weak = 0, w_asked = 0;
	for (size_t q = 0; q <= a.n_more; q++) {
		aws_end_kind kd = q ? a.more[q - 1].kind : a.chosen;
		double l2 = q ? a.more[q - 1].l2 : a.l2, w = q ? a.more[q - 1].weight : a.weight;
		if (kd != AWS_END_GOLD_LOGISTIC)
			continue;
		assert_true(l2 == o.l2 || l2 == o.l2 / 10);
		if (l2 == o.l2)
			w_asked = w;
		else
			w_weak = w, weak_pen = q ? &a.more[q - 1].model : &a.model;
	}
	print_message("auto: gold_logistic's weight at l2 %g: %.3f, at %g: %.3f\n", o.l2, w_asked, o.l2 / 10, w_weak);
	assert_non_null(weak_pen);
	assert_true(w_weak > w_asked);
	aws_lr_free(&lr);
	assert_int_equal(aws_train_baseline(&lr, &D, o.l2 / 10, o.iters, err, sizeof err), 0);
	assert_memory_equal(weak_pen->w, lr.w, lr.k * (lr.d + 1) * sizeof *lr.w);
	aws_end_result_free(&a);
	free(P), free(test), free(votes), free(LM);
	aws_lr_free(&lr);
	aws_data_free(&D);
}

/* Moons (seed 9) with weak labels 70% right and no LF on every fourth row. */
static void noisy_moons(aws_data *D, int **votes, double **LM)
{
	moons(D, 9);
	noisy_weak_labels(D, votes, LM, 7, 4, 0.75);
}

/* The moons in 2 features beside 6 of noise a fiftieth their spread:
 * standardised, the noise is 6 of the 8 unit-variance columns and decides
 * the neighbours; in the features' own units (the standard deviations
 * autows.featurize keeps) it barely moves them. units_graph spreads over
 * that graph, and gold_units spreads the labels alone over it; without
 * units both are refused, and AUTO tries them only with them. */
static void test_units_graph(void **state)
{
	(void)state;
	aws_data M, D;
	char err[256];
	moons(&M, 21);
	D = M;
	D.d = 8;
	D.X = malloc(D.n * 8 * sizeof *D.X);
	assert_non_null(D.X);
	uint64_t s = 5;
	for (size_t i = 0; i < D.n; i++)
		for (size_t j = 0; j < 8; j++)
			D.X[i * 8 + j] = j < 2 ? M.X[i * 2 + j] : 0.02 * gauss(&s);
	free(M.X);
	assert_int_equal(aws_featurize(&D, 0, err, sizeof err), 0);
	assert_non_null(D.units);
	int *votes;
	double *LM;
	noisy_weak_labels(&D, &votes, &LM, 7, 4, 0.75);
	size_t *test = NULL, nt = aws_data_rows(&D, AWS_TEST, &test);
	aws_end_opts o = AWS_END_OPTS_INIT;
	aws_end_result g, u, a0;
	assert_int_equal(aws_end_fit(&g, AWS_END_GRAPH, &D, votes, LM, &o, err, sizeof err), 0);
	assert_int_equal(aws_end_fit(&u, AWS_END_UNITS_GRAPH, &D, votes, LM, &o, err, sizeof err), -1);
	assert_non_null(strstr(err, "standard deviations"));
	o.units = D.units;
	assert_int_equal(aws_end_fit(&u, AWS_END_UNITS_GRAPH, &D, votes, LM, &o, err, sizeof err), 0);
	aws_scores sg, su;
	aws_score(&sg, g.P, 2, D.y, test, nt);
	aws_score(&su, u.P, 2, D.y, test, nt);
	print_message("graph %.3f, units_graph %.3f\n", sg.accuracy, su.accuracy);
	assert_true(su.accuracy > 0.95);
	assert_true(su.accuracy > sg.accuracy + 0.1);
	aws_end_result_free(&g), aws_end_result_free(&u);
	o.units = NULL;
	assert_int_equal(aws_end_fit(&u, AWS_END_GOLD_UNITS, &D, votes, LM, &o, err, sizeof err), -1);
	assert_non_null(strstr(err, "gold_units"));
	o.units = D.units;
	assert_int_equal(aws_end_fit(&g, AWS_END_GOLD_SPREADING, &D, votes, LM, &o, err, sizeof err), 0);
	assert_int_equal(aws_end_fit(&u, AWS_END_GOLD_UNITS, &D, votes, LM, &o, err, sizeof err), 0);
	aws_score(&sg, g.P, 2, D.y, test, nt);
	aws_score(&su, u.P, 2, D.y, test, nt);
	print_message("gold_spreading %.3f, gold_units %.3f\n", sg.accuracy, su.accuracy);
	assert_true(su.accuracy > sg.accuracy + 0.1);
	assert_true(u.weak_weight == 0 && u.model.w == NULL);
	/* the labels alone: weak labels that say the opposite change nothing */
	for (size_t i = 0; i < D.n * 2; i += 2) {
		double t = LM[i];
		LM[i] = LM[i + 1], LM[i + 1] = t;
	}
	assert_int_equal(aws_end_fit(&a0, AWS_END_GOLD_UNITS, &D, votes, LM, &o, err, sizeof err), 0);
	assert_memory_equal(a0.P, u.P, D.n * 2 * sizeof *u.P);
	for (size_t i = 0; i < D.n * 2; i += 2) {
		double t = LM[i];
		LM[i] = LM[i + 1], LM[i + 1] = t;
	}
	aws_end_result_free(&a0);
	aws_end_result_free(&g), aws_end_result_free(&u);
	aws_end_result a;
	assert_int_equal(aws_end_fit(&a, AWS_END_AUTO, &D, votes, LM, &o, err, sizeof err), 0);
	assert_true(a.cv_brier[AWS_END_UNITS_GRAPH] >= 0);
	print_message("auto: %s at weight %.3f; CV Brier graph %.3f, units_graph %.3f\n", aws_end_name(a.chosen),
		      a.weight, a.cv_brier[AWS_END_GRAPH], a.cv_brier[AWS_END_UNITS_GRAPH]);
	assert_true(a.cv_brier[AWS_END_UNITS_GRAPH] < a.cv_brier[AWS_END_GRAPH]);
	assert_true(a.cv_brier[AWS_END_GOLD_UNITS] >= 0 &&
		    a.cv_brier[AWS_END_GOLD_UNITS] < a.cv_brier[AWS_END_GOLD_SPREADING]);
	aws_end_result_free(&a);
	o.units = NULL;
	assert_int_equal(aws_end_fit(&a, AWS_END_AUTO, &D, votes, LM, &o, err, sizeof err), 0);
	assert_true(a.cv_brier[AWS_END_UNITS_GRAPH] < 0 && a.cv_brier[AWS_END_GOLD_UNITS] < 0);
	aws_end_result_free(&a);
	free(test), free(votes), free(LM);
	aws_data_free(&D);
}

/* Each partition of the labels into AUTO's folds is stratified (a fold
 * holds a fifth of each class, give or take one row, and a fifth of all),
 * partition 0 is the round robin in row order, a partition is the same
 * on every call, and partitions 1 and 2 group other rows than 0 does. */
static void test_cv_partitions(void **state)
{
	(void)state;
	aws_data D;
	int *votes;
	double *LM;
	noisy_moons(&D, &votes, &LM);
	size_t *lab = NULL, nl = aws_data_rows(&D, AWS_LABELED, &lab), at = 0;
	int *f0 = malloc(nl * sizeof *f0), *f = malloc(nl * sizeof *f), *again = malloc(nl * sizeof *again);
	assert_true(lab && nl >= 20 && f0 && f && again);
	for (size_t c = 0; c < D.k; c++)
		for (size_t q = 0; q < nl; q++)
			if ((size_t)D.y[lab[q]] == c)
				f0[q] = (int)(at++ % 5);
	for (int rep = 0; rep < 3; rep++) {
		assert_int_equal(aws_cv_folds(f, &D, lab, nl, rep), 0);
		assert_int_equal(aws_cv_folds(again, &D, lab, nl, rep), 0);
		assert_memory_equal(f, again, nl * sizeof *f);
		for (size_t c = 0; c < D.k; c++) {
			size_t in_class = 0, per[5] = {0}, all[5] = {0};
			for (size_t q = 0; q < nl; q++) {
				assert_true(f[q] >= 0 && f[q] < 5);
				all[f[q]]++;
				if ((size_t)D.y[lab[q]] == c)
					in_class++, per[f[q]]++;
			}
			for (int g = 0; g < 5; g++) {
				assert_true(per[g] * 5 + 5 > in_class && per[g] * 5 < in_class + 5);
				assert_true(all[g] * 5 + 5 > nl && all[g] * 5 < nl + 5);
			}
		}
		/* pairs of rows that share a fold in partition 0 but not here */
		size_t split_up = 0;
		for (size_t a = 0; a < nl; a++)
			for (size_t b = a + 1; b < nl; b++)
				split_up += f0[a] == f0[b] && f[a] != f[b];
		print_message("partition %d: %zu pairs of partition 0's fold mates apart\n", rep, split_up);
		if (rep == 0)
			assert_memory_equal(f, f0, nl * sizeof *f);
		else
			assert_true(split_up > nl / 2);
	}
	free(f0), free(f), free(again), free(lab);
	free(votes), free(LM);
	aws_data_free(&D);
}

/* gold_logistic's CV Brier score by hand: the baseline fitted per fold of
 * partition `rep` (held-out labels made test rows, 200 iterations as a
 * fold's regressions), scored on the held-out labels, summed, over nl. */
static double gold_logistic_cv(const aws_data *D, int rep)
{
	char err[256];
	size_t *lab = NULL, nl = aws_data_rows(D, AWS_LABELED, &lab);
	int *fold = malloc(nl * sizeof *fold);
	aws_data F = *D; /* shares everything but the split */
	F.split = malloc(D->n * sizeof *F.split);
	assert_true(lab && fold && F.split);
	assert_int_equal(aws_cv_folds(fold, D, lab, nl, rep), 0);
	double brier = 0;
	for (int f = 0; f < 5; f++) {
		memcpy(F.split, D->split, D->n * sizeof *F.split);
		for (size_t q = 0; q < nl; q++)
			if (fold[q] == f)
				F.split[lab[q]] = AWS_TEST;
		aws_lr m;
		double *P = NULL;
		assert_int_equal(aws_train_baseline(&m, &F, 1e-2, 200, err, sizeof err), 0);
		assert_int_equal(aws_predict_all(&P, &m, &F), 0);
		for (size_t q = 0; q < nl; q++)
			for (size_t cl = 0; fold[q] == f && cl < D->k; cl++) {
				double t = P[lab[q] * D->k + cl] - (D->y[lab[q]] == (int32_t)cl);
				brier += t * t;
			}
		free(P);
		aws_lr_free(&m);
	}
	free(F.split), free(fold), free(lab);
	return brier / (double)nl;
}

/* With cv_repeats = 2 a candidate's CV score is the mean of its scores on
 * partitions 0 and 1; with 1 it is partition 0's. */
static void test_cv_repeats_average_the_partitions(void **state)
{
	(void)state;
	aws_data D;
	char err[256];
	int *votes;
	double *LM;
	noisy_moons(&D, &votes, &LM);
	uint64_t s = 78;
	for (size_t i = 0; i < D.n * D.d; i++)
		D.X[i] += 0.3 * gauss(&s);
	double b0 = gold_logistic_cv(&D, 0), b1 = gold_logistic_cv(&D, 1);
	aws_end_opts o = AWS_END_OPTS_INIT;
	aws_end_result r1, r2;
	assert_int_equal(aws_end_fit(&r1, AWS_END_AUTO, &D, votes, LM, &o, err, sizeof err), 0);
	o.cv_repeats = 2;
	assert_int_equal(aws_end_fit(&r2, AWS_END_AUTO, &D, votes, LM, &o, err, sizeof err), 0);
	print_message("gold_logistic's CV Brier: partition 0 %.6f, 1 %.6f; cv_repeats 1 %.6f, 2 %.6f\n", b0, b1,
		      r1.cv_brier[AWS_END_GOLD_LOGISTIC], r2.cv_brier[AWS_END_GOLD_LOGISTIC]);
	assert_true(fabs(b0 - b1) > 1e-6); /* the partitions give other scores */
	assert_true(fabs(r1.cv_brier[AWS_END_GOLD_LOGISTIC] - b0) < 1e-12);
	assert_true(fabs(r2.cv_brier[AWS_END_GOLD_LOGISTIC] - (b0 + b1) / 2) < 1e-12);
	aws_end_result_free(&r1), aws_end_result_free(&r2);
	free(votes), free(LM);
	aws_data_free(&D);
}

/* The gold kinds are the three baselines, trained on the labeled rows
 * alone: their predictions are those of aws_train_baseline, label
 * spreading at alpha 0.2 and self-training (0.75, 10 rounds), whatever the
 * weak labels say. */
static void test_gold_kinds_are_the_baselines(void **state)
{
	(void)state;
	aws_data D;
	char err[256];
	int *votes;
	double *LM;
	noisy_moons(&D, &votes, &LM);
	aws_end_opts o = AWS_END_OPTS_INIT;
	aws_lr m;
	double *want[3] = {NULL, NULL, NULL};
	assert_int_equal(aws_train_baseline(&m, &D, o.l2, o.iters, err, sizeof err), 0);
	assert_int_equal(aws_predict_all(&want[0], &m, &D), 0);
	assert_int_equal(aws_label_spreading(&want[1], &D, 7, 0.2, err, sizeof err), 0);
	assert_int_equal(aws_self_training(&want[2], &D, 0.75, 10, err, sizeof err), 0);
	for (int g = 0; g < 3; g++) {
		aws_end_kind kd = (aws_end_kind)(AWS_END_GOLD_LOGISTIC + g);
		assert_int_equal(aws_end_parse(aws_end_name(kd)), kd);
		aws_end_result r;
		assert_int_equal(aws_end_fit(&r, kd, &D, votes, LM, &o, err, sizeof err), 0);
		assert_true(r.chosen == kd && r.weight == 1 && r.n_more == 0);
		assert_true((r.model.w != NULL) == (kd != AWS_END_GOLD_SPREADING));
		for (size_t i = 0; i < D.n * 2; i++)
			assert_true(fabs(r.P[i] - want[g][i]) < 1e-12);
		aws_end_result_free(&r);
		free(want[g]);
	}
	aws_lr_free(&m);
	free(votes), free(LM);
	aws_data_free(&D);
}

/* AUTO's answer is the mean of the candidates' predictions, each weighed
 * by exp(-(B - B_best) / 2), B its out-of-fold Brier score summed over the
 * labels: the same as fitting each member alone and weighing it so; the
 * heaviest is the one the CV scored best, and its CV accuracy and Brier
 * score are the mean's. With under 10 labels there are no folds and one
 * model. */
static void test_auto_answers_weighted_mean(void **state)
{
	(void)state;
	aws_data D;
	char err[256];
	int *votes;
	double *LM;
	noisy_moons(&D, &votes, &LM);
	size_t nl = 0;
	for (size_t i = 0; i < D.n; i++)
		nl += D.split[i] == AWS_LABELED;
	aws_end_opts o = AWS_END_OPTS_INIT;
	aws_end_result r, a;
	assert_int_equal(aws_end_fit(&r, AWS_END_AUTO, &D, votes, LM, &o, err, sizeof err), 0);
	print_message("auto: %s at %g, weight %.3f, %zu more (next %s at %.3f), cv %.3f\n", aws_end_name(r.chosen),
		      r.weak_weight, r.weight, r.n_more, r.n_more ? aws_end_name(r.more[0].kind) : "none",
		      r.n_more ? r.more[0].weight : 0.0, r.cv_answer);
	assert_true(r.n_more >= 1 && r.n_more <= AWS_END_MAX_MORE);
	assert_true(r.cv_answer >= 0 && r.cv_answer <= 1);
	assert_true(r.cv_brier_answer >= 0 && r.cv_brier_answer <= 2);
	/* the weights: a distribution, heaviest first, the heaviest the
	 * lowest tempered Brier score of any kind; a kind's tempered score is
	 * never above its raw one (temperature 1 is in the grid) */
	double tot = r.weight;
	for (size_t q = 0; q < r.n_more; q++) {
		assert_true(r.more[q].weight > 0 && r.more[q].weight <= (q ? r.more[q - 1].weight : r.weight));
		tot += r.more[q].weight;
	}
	assert_true(fabs(tot - 1) < 1e-12);
	for (int q = 0; q < AWS_END_KINDS; q++) {
		assert_true((r.cv_brier[q] < 0) == (r.cv_brier_tempered[q] < 0));
		assert_true(r.cv_brier_tempered[q] < 0 || r.cv_brier_tempered[q] >= r.cv_brier_tempered[r.chosen]);
		assert_true(r.cv_brier_tempered[q] <= r.cv_brier[q] + 1e-12);
	}
	assert_true(r.temperature >= 0.2 - 1e-12 && r.temperature <= 5 + 1e-12);
	/* the first member of each kind is that kind at its best weak weight:
	 * its weight against the chosen one's is exp(-(B - B_best) / 2), B
	 * the tempered scores */
	int seen[AWS_END_KINDS] = {0}, checked = 0;
	seen[r.chosen] = 1;
	for (size_t q = 0; q < r.n_more; q++) {
		aws_end_kind kd = r.more[q].kind;
		if (seen[kd]++)
			continue;
		double want = exp(-(r.cv_brier_tempered[kd] - r.cv_brier_tempered[r.chosen]) * (double)nl / 2);
		assert_true(r.more[q].temperature >= 0.2 - 1e-12 && r.more[q].temperature <= 5 + 1e-12);
		assert_true(fabs(r.more[q].weight / r.weight - want) < 1e-9);
		checked++;
	}
	assert_true(checked >= 1);
	/* the answer is the members' weighted mean; a member's weak weight is
	 * its weak_share for the regressions */
	double *sum = calloc(D.n * 2, sizeof *sum);
	assert_non_null(sum);
	for (size_t q = 0; q <= r.n_more; q++) {
		aws_end_kind kd = q ? r.more[q - 1].kind : r.chosen;
		double ww = q ? r.more[q - 1].weak_weight : r.weak_weight, w = q ? r.more[q - 1].weight : r.weight;
		double l2 = q ? r.more[q - 1].l2 : r.l2;
		o.weak_weight = o.weak_share = ww;
		o.l2 = l2; /* a regression's own penalty */
		assert_int_equal(aws_end_fit(&a, kd, &D, votes, LM, &o, err, sizeof err), 0);
		for (size_t i = 0; i < D.n * 2; i++)
			sum[i] += w * a.P[i];
		aws_end_result_free(&a);
	}
	for (size_t i = 0; i < D.n * 2; i++)
		assert_true(fabs(r.P[i] - sum[i]) < 1e-9);
	free(sum);
	aws_end_result_free(&r);
	size_t kept = 0; /* 8 labels: no CV */
	for (size_t i = 0; i < D.n; i++)
		if (D.split[i] == AWS_LABELED && kept++ >= 8)
			D.split[i] = AWS_UNLABELED;
	o.weak_weight = o.weak_share = 0;
	assert_int_equal(aws_end_fit(&r, AWS_END_AUTO, &D, votes, LM, &o, err, sizeof err), 0);
	assert_true(r.n_more == 0 && r.weight == 1);
	assert_true(r.cv_answer < 0 && r.cv_brier_answer < 0);
	aws_end_result_free(&r);
	free(votes), free(LM);
	aws_data_free(&D);
}

/* Weak labels that are confidently wrong on a stretch of one moon (as an
 * LF is where its feature misleads) and right elsewhere, on every
 * unlabeled row. Weighed at 0.01 against the gold labels, they only break
 * the ties of the gold labels' spreading, and the graph end model follows
 * the moons; at 0.3 they outvote the gold labels around them and the
 * stretch comes out wrong. AUTO's cross-validation must see that and
 * choose the light weight. */
static void test_weak_weight_chosen_by_cv(void **state)
{
	(void)state;
	aws_data D;
	moons(&D, 5);
	size_t *test, nt = aws_data_rows(&D, AWS_TEST, &test);
	char err[256];
	int *votes = malloc(D.n * sizeof *votes);
	double *LM = malloc(D.n * 2 * sizeof *LM);
	assert_true(votes && LM);
	size_t wrong = 0;
	for (size_t i = 0; i < D.n; i++) {
		int bad = D.y[i] == 0 && i / 2 < D.n / 2 * 2 / 5; /* the first 40% of moon 0 */
		votes[i] = 1;
		LM[i * 2 + (size_t)D.y[i]] = bad ? 0.1 : 0.9;
		LM[i * 2 + (size_t)(1 - D.y[i])] = bad ? 0.9 : 0.1;
		wrong += bad && D.split[i] == AWS_TEST;
	}
	assert_true(wrong > nt / 10);
	aws_end_opts o = AWS_END_OPTS_INIT;
	aws_scores sc[2];
	aws_end_result r;
	for (int q = 0; q < 2; q++) {
		o.weak_weight = q ? 0.3 : 0.01;
		assert_int_equal(aws_end_fit(&r, AWS_END_GRAPH, &D, votes, LM, &o, err, sizeof err), 0);
		assert_true(r.weak_weight == o.weak_weight);
		aws_score(&sc[q], r.P, 2, D.y, test, nt);
		aws_end_result_free(&r);
	}
	print_message("graph end model: weak weight 0.01 %.3f, 0.3 %.3f; weak labels alone %.3f\n", sc[0].accuracy,
		      sc[1].accuracy, 1.0 - (double)wrong / (double)nt);
	assert_true(sc[0].accuracy > 0.98);
	assert_true(sc[1].accuracy < 0.95);
	o.weak_weight = 0; /* AUTO chooses it */
	assert_int_equal(aws_end_fit(&r, AWS_END_AUTO, &D, votes, LM, &o, err, sizeof err), 0);
	print_message("auto: %s at weak weight %g\n", aws_end_name(r.chosen), r.weak_weight);
	assert_true(r.chosen != AWS_END_LOGISTIC && r.weak_weight < 0.3);
	aws_score(&sc[0], r.P, 2, D.y, test, nt);
	assert_true(sc[0].accuracy > 0.95);
	aws_end_result_free(&r);
	free(votes), free(LM), free(test);
	aws_data_free(&D);
}

/* Moons widened to d columns (column f >= 2 of row i is fill(f, &s)),
 * two k-NN LFs on columns 0 and 1 refitted on the labeled rows, their
 * votes and the majority vote over them: the weak labels of the tests
 * below. */
typedef struct lf_moons {
	aws_data D;
	size_t *test, nt, *lab, nl;
	aws_lfset fitted;
	aws_lmat L;
	int *votes;
	aws_lm_result lm;
} lf_moons;

static void lf_moons_make(lf_moons *m, uint64_t seed, size_t d, double (*fill)(size_t f, uint64_t *s))
{
	moons(&m->D, seed);
	m->nt = aws_data_rows(&m->D, AWS_TEST, &m->test);
	double *X = malloc(m->D.n * d * sizeof *X);
	assert_non_null(X);
	uint64_t s = 99;
	for (size_t i = 0; i < m->D.n; i++)
		for (size_t f = 0; f < d; f++)
			X[i * d + f] = f < 2 ? m->D.X[i * 2 + f] : fill(f, &s);
	free(m->D.X);
	m->D.X = X, m->D.d = d;
	m->nl = aws_data_rows(&m->D, AWS_LABELED, &m->lab);
	aws_lf lf[2] = {{0}};
	for (int c = 0; c < 2; c++) {
		lf[c].family = AWS_LF_KNN, lf[c].nf = 2, lf[c].f[0] = 0, lf[c].f[1] = 1, lf[c].target = c;
		lf[c].knn = 3, lf[c].k = 2, lf[c].beta = 0.6;
	}
	aws_lfset given = {lf, 2};
	char err[256];
	assert_int_equal(aws_lfset_refit(&m->fitted, &given, m->D.X, m->D.n, d, m->D.y, 2, m->lab, m->nl, err,
					 sizeof err),
			 0);
	assert_int_equal(m->fitted.n, 2);
	assert_int_equal(aws_apply_lfs(&m->L, &m->fitted, &m->D, err, sizeof err), 0);
	assert_non_null(m->votes = aws_vote_counts(&m->L));
	assert_int_equal(aws_label_model(&m->lm, &m->L, AWS_LM_MAJORITY, 100, NULL, err, sizeof err), 0);
}

static void lf_moons_free(lf_moons *m)
{
	aws_lm_result_free(&m->lm);
	aws_lmat_free(&m->L);
	aws_lfset_free(&m->fitted);
	free(m->votes), free(m->lab), free(m->test);
	aws_data_free(&m->D);
}

static double constant_one(size_t f, uint64_t *s)
{
	(void)f, (void)s;
	return 1.0;
}

static double wide_noise(size_t f, uint64_t *s)
{
	(void)f;
	return 0.8 * gauss(s);
}

/* AUTO with the LFs given: each fold refits them on its own labels and
 * reruns the label model. Two k-NN LFs on the moons give weak labels the
 * graph end model can follow; an LF set that fits nothing in a fold (a
 * stump on a constant feature) leaves that fold without weak labels and
 * the choice still runs. */
static void test_auto_cv_refits_the_lfs(void **state)
{
	(void)state;
	lf_moons m;
	lf_moons_make(&m, 7, 3, constant_one); /* a third, constant feature */
	aws_data *D = &m.D;
	aws_lf dead_lf = {0};
	dead_lf.family = AWS_LF_STUMP, dead_lf.nf = 1, dead_lf.f[0] = 2, dead_lf.target = 1, dead_lf.k = 2;
	dead_lf.beta = 0.5;
	aws_lfset dead = {&dead_lf, 1};
	char err[256];
	aws_end_opts o = AWS_END_OPTS_INIT;
	o.lfs = &m.fitted, o.label_model = AWS_LM_MAJORITY;
	aws_end_result r;
	aws_scores sc;
	assert_int_equal(aws_end_fit(&r, AWS_END_AUTO, D, m.votes, m.lm.proba, &o, err, sizeof err), 0);
	print_message("refitted CV: %s at %g (cv %.2f %.2f %.2f)\n", aws_end_name(r.chosen), r.weak_weight, r.cv[0],
		      r.cv[1], r.cv[2]);
	for (int q = 0; q < AWS_END_LFGRAPH; q++)
		assert_true(r.cv[q] >= 0 && r.cv[q] <= 1);
	assert_true(r.cv[AWS_END_LFGRAPH] == -1); /* hand-made LFs, never scored */
	assert_true(r.chosen != AWS_END_LOGISTIC); /* a line cannot follow the moons */
	aws_score(&sc, r.P, 2, D->y, m.test, m.nt);
	assert_true(sc.accuracy > 0.95);
	aws_end_result_free(&r);
	aws_lfset none;
	assert_int_equal(aws_lfset_refit(&none, &dead, D->X, D->n, D->d, D->y, 2, m.lab, m.nl, err, sizeof err), 0);
	assert_int_equal(none.n, 0); /* nothing splits a constant */
	aws_lfset_free(&none);
	o.lfs = &dead;
	assert_int_equal(aws_end_fit(&r, AWS_END_AUTO, D, m.votes, m.lm.proba, &o, err, sizeof err), 0);
	for (int q = 0; q < AWS_END_LFGRAPH; q++)
		assert_true(r.cv[q] >= 0 && r.cv[q] <= 1);
	aws_end_result_free(&r);
	lf_moons_free(&m);
}

/* The lf_graph end model: moons in features 0 and 1 among 10 noise
 * features as wide as they are. The plain graph's neighbours are chosen
 * mostly by the noise; the LFs vote from features 0 and 1 only, so the
 * graph over those (weighted by the LFs' held-out F-scores) follows the
 * moons again, and AUTO's CV ranks it. Without LFs, or with LFs that
 * never scored, it is refused, not silently the plain graph. */
static void test_lf_graph_weighs_the_lfs_features(void **state)
{
	(void)state;
	enum { DX = 12 };
	lf_moons m;
	lf_moons_make(&m, 11, DX, wide_noise);
	aws_data *D = &m.D;
	double w[DX];
	assert_int_equal(aws_lf_feature_weights(w, &m.fitted, DX), -1); /* not scored yet */
	char err[256];
	aws_end_opts o = AWS_END_OPTS_INIT;
	o.label_model = AWS_LM_MAJORITY;
	aws_end_result r;
	assert_int_equal(aws_end_fit(&r, AWS_END_LFGRAPH, D, m.votes, m.lm.proba, &o, err, sizeof err), -1);
	assert_non_null(strstr(err, "no LFs were given"));
	o.lfs = &m.fitted;
	assert_int_equal(aws_end_fit(&r, AWS_END_LFGRAPH, D, m.votes, m.lm.proba, &o, err, sizeof err), -1);
	assert_non_null(strstr(err, "no LF scored above 0"));
	m.fitted.v[0].ho_fscore = 0.9, m.fitted.v[1].ho_fscore = 0.7;
	assert_int_equal(aws_lf_feature_weights(w, &m.fitted, DX), 0);
	assert_true(fabs(w[0] - 0.5) < 1e-12 && fabs(w[1] - 0.5) < 1e-12);
	for (int f = 2; f < DX; f++)
		assert_true(w[f] == 0);
	aws_scores plain, lfg;
	assert_int_equal(aws_end_fit(&r, AWS_END_GRAPH, D, m.votes, m.lm.proba, &o, err, sizeof err), 0);
	aws_score(&plain, r.P, 2, D->y, m.test, m.nt);
	aws_end_result_free(&r);
	assert_int_equal(aws_end_fit(&r, AWS_END_LFGRAPH, D, m.votes, m.lm.proba, &o, err, sizeof err), 0);
	aws_score(&lfg, r.P, 2, D->y, m.test, m.nt);
	aws_end_result_free(&r);
	print_message("graph %.3f, lf_graph %.3f\n", plain.accuracy, lfg.accuracy);
	assert_true(lfg.accuracy > 0.95);
	assert_true(lfg.accuracy > plain.accuracy + 0.1);
	assert_int_equal(aws_end_fit(&r, AWS_END_AUTO, D, m.votes, m.lm.proba, &o, err, sizeof err), 0);
	print_message("auto: %s at weight %.3f, %zu more (cv %.2f %.2f %.2f %.2f %.2f %.2f %.2f %.2f)\n",
		      aws_end_name(r.chosen), r.weight, r.n_more, r.cv[0], r.cv[1], r.cv[2], r.cv[3], r.cv[4], r.cv[5],
		      r.cv[6], r.cv[7]);
	for (int q = 0; q < AWS_END_KINDS; q++) /* every kind but the two in own units (no units given) */
		assert_true(q == AWS_END_UNITS_GRAPH || q == AWS_END_GOLD_UNITS ? r.cv[q] == -1
										  : r.cv[q] >= 0 && r.cv[q] <= 1);
	assert_true(r.cv[AWS_END_LFGRAPH] > r.cv[AWS_END_GRAPH]);
	assert_int_equal(r.chosen, AWS_END_LFGRAPH);
	aws_end_result_free(&r);
	lf_moons_free(&m);
}

/* LFs refitted on fewer labeled rows: a k-NN LF's references become
 * those rows (so it can no longer vote a left-out row's label to its
 * neighbours), a stump's threshold moves to what those rows say, the
 * abstain threshold stays; and an LF with nothing left to split is left
 * out instead of voting from a stale fit. */
static void test_lfset_refit(void **state)
{
	(void)state;
	enum { N = 40 };
	double X[N];
	int32_t y[N];
	size_t all[N], low[N / 2], one[1] = {0};
	for (size_t i = 0; i < N; i++) {
		X[i] = (double)i;
		y[i] = i >= 30; /* class 1 from x = 30 */
		all[i] = i;
		if (i < N / 2)
			low[i] = i;
	}
	aws_lf lf[2] = {{0}};
	lf[0].family = AWS_LF_STUMP, lf[0].nf = 1, lf[0].target = 1, lf[0].k = 2, lf[0].beta = 0.7;
	lf[0].thr[0] = 9.5; /* stale */
	lf[0].p = calloc(2, sizeof *lf[0].p);
	lf[1].family = AWS_LF_KNN, lf[1].nf = 1, lf[1].target = 1, lf[1].k = 2, lf[1].knn = 3, lf[1].beta = 0.6;
	assert_non_null(lf[0].p);
	aws_lfset in = {lf, 2}, out;
	char err[128];
	/* all 40 rows labeled: the stump splits at 29.5, the k-NN LF holds 40 references */
	assert_int_equal(aws_lfset_refit(&out, &in, X, N, 1, y, 2, all, N, err, sizeof err), 0);
	assert_int_equal(out.n, 2);
	assert_true(out.v[0].thr[0] > 29 && out.v[0].thr[0] < 30);
	assert_true(out.v[0].beta == 0.7 && out.v[1].beta == 0.6);
	assert_int_equal(out.v[1].nref, N);
	assert_int_equal(aws_lf_vote(&out.v[1], (double[]){35}), 1);
	aws_lfset_free(&out);
	/* rows 0..19 only: no class 1 left among them, so neither LF votes
	 * class 1 where the full fit did (the k-NN LF keeps 20 references) */
	assert_int_equal(aws_lfset_refit(&out, &in, X, N, 1, y, 2, low, N / 2, err, sizeof err), 0);
	assert_int_equal(out.n, 2);
	assert_int_equal(out.v[1].nref, N / 2);
	for (size_t i = 0; i < out.n; i++)
		assert_int_equal(aws_lf_vote(&out.v[i], (double[]){35}), -1);
	aws_lfset_free(&out);
	/* one labeled row: nothing fits but the k-NN LF */
	assert_int_equal(aws_lfset_refit(&out, &in, X, N, 1, y, 2, one, 1, err, sizeof err), 0);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.v[0].family, AWS_LF_KNN);
	aws_lfset_free(&out);
	free(lf[0].p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_logistic_same_bits),
		cmocka_unit_test(test_logistic_blobs),
		cmocka_unit_test(test_logistic_weights),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_pca),
		cmocka_unit_test(test_semisupervised),
		cmocka_unit_test(test_weak_weight_chosen_by_cv),
		cmocka_unit_test(test_lfset_refit),
		cmocka_unit_test(test_auto_cv_refits_the_lfs),
		cmocka_unit_test(test_lf_graph_weighs_the_lfs_features),
		cmocka_unit_test(test_self_train_from_teacher),
		cmocka_unit_test(test_gold_kinds_are_the_baselines),
		cmocka_unit_test(test_units_graph),
		cmocka_unit_test(test_cv_partitions),
		cmocka_unit_test(test_cv_repeats_average_the_partitions),
		cmocka_unit_test(test_auto_answers_weighted_mean),
		cmocka_unit_test(test_weak_share_lets_the_labels_lead),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
