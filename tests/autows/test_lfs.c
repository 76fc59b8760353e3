/* Unit tests of the Snuba-style LF generator. */
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

#include "lfs.h"
#include "pipeline.h"

static double gauss(uint64_t *s)
{
	double u[2];
	for (int i = 0; i < 2; i++) {
		*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
		u[i] = ((double)(*s >> 11) + 0.5) / 9007199254740992.0;
	}
	return sqrt(-2 * log(u[0])) * cos(6.283185307179586 * u[1]);
}

enum { N = 3000, D = 5, NLAB = 100 };

/* The truth is one threshold: y = 1 exactly when feature 2 exceeds 0.3. */
static void make(double *X, int32_t *y, size_t *lab)
{
	uint64_t s = 99;
	for (size_t i = 0; i < N; i++) {
		for (size_t f = 0; f < D; f++)
			X[i * D + f] = gauss(&s);
		y[i] = X[i * D + 2] > 0.3;
	}
	for (size_t i = 0; i < NLAB; i++)
		lab[i] = i * (N / NLAB);
}

static void test_single_threshold(void **state)
{
	(void)state;
	static double X[N * D];
	static int32_t y[N];
	static size_t lab[NLAB];
	make(X, y, lab);
	aws_lfgen_opts o = AWS_LFGEN_OPTS_INIT;
	o.families = AWS_LF_STUMP;
	aws_lfset s;
	char err[256];
	assert_int_equal(aws_lf_generate(&s, X, N, D, y, 2, lab, NLAB, &o, err, sizeof err), 0);
	assert_true(s.n >= 1);
	const aws_lf *first = &s.v[0];
	assert_int_equal(first->family, AWS_LF_STUMP);
	assert_int_equal(first->f[0], 2);
	if (fabs(first->thr[0] - 0.3) > 0.25)
		fail_msg("threshold %.3f, truth 0.3", first->thr[0]);
	assert_true(first->precision >= 0.95);
	/* On all rows, the first LF is right nearly everywhere it votes. */
	size_t votes = 0, hits = 0;
	for (size_t i = 0; i < N; i++) {
		int v = aws_lf_vote(first, X + i * D);
		if (v >= 0)
			votes++, hits += v == y[i];
	}
	assert_true(votes > N / 3); /* one side of the threshold: one class against the rest */
	assert_true((double)hits / (double)votes > 0.93);
	/* JSON round trip keeps the votes. */
	char *fn[D] = {"a", "b", "c", "d", "e"}, *cn[2] = {"no", "yes"};
	json_t *j = aws_lfset_to_json(&s, fn, cn);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_array_get(json_object_get(j, "lfs"), 0),
									     "features"),
							     0)),
			    "c");
	aws_lfset t;
	assert_int_equal(aws_lfset_from_json(&t, j, D, 2, err, sizeof err), 0);
	for (size_t i = 0; i < N; i += 7)
		assert_int_equal(aws_lf_vote(&t.v[0], X + i * D), aws_lf_vote(first, X + i * D));
	json_decref(j);
	aws_lfset_free(&t);
	aws_lfset_free(&s);
}

static void test_all_families_and_no_lf(void **state)
{
	(void)state;
	static double X[N * D];
	static int32_t y[N];
	static size_t lab[NLAB];
	make(X, y, lab);
	aws_lfgen_opts o = AWS_LFGEN_OPTS_INIT;
	o.max_lfs = 5;
	aws_lfset s;
	char err[256];
	assert_int_equal(aws_lf_generate(&s, X, N, D, y, 2, lab, NLAB, &o, err, sizeof err), 0);
	assert_true(s.n >= 1 && s.n <= 5);
	/* Whatever its family, the best first LF uses the one informative feature. */
	assert_true(s.v[0].f[0] == 2 || (s.v[0].nf == 2 && s.v[0].f[1] == 2));
	assert_true(s.v[0].precision >= 0.9);
	aws_lfset_free(&s);
	o.min_fscore = 1.01; /* unreachable */
	assert_int_equal(aws_lf_generate(&s, X, N, D, y, 2, lab, NLAB, &o, err, sizeof err), -1);
	assert_non_null(strstr(err, "no labeling function reached"));
}

/* A saved and reloaded LF set votes exactly as the generated one, on every
 * row: the file keeps full precision and a tree's "no split" (+inf). */
static void test_saved_lfs_vote_the_same(void **state)
{
	(void)state;
	enum { K = 4, F = 6 };
	static double X[N * F];
	static int32_t y[N];
	static size_t lab[NLAB];
	uint64_t r = 5;
	for (size_t i = 0; i < N; i++) {
		for (size_t f = 0; f < F; f++)
			X[i * F + f] = gauss(&r) * 1.37;
		y[i] = (X[i * F] > 0.1) * 2 + (X[i * F + 3] * 0.7 + X[i * F + 1] > -0.2);
	}
	for (size_t i = 0; i < NLAB; i++)
		lab[i] = i * (N / NLAB) + 1;
	aws_lfgen_opts o = AWS_LFGEN_OPTS_INIT;
	o.max_lfs = 40;
	o.families = AWS_LF_TREE | AWS_LF_STUMP | AWS_LF_LOGISTIC | AWS_LF_KNN;
	aws_lfset s, t;
	char err[256];
	assert_int_equal(aws_lf_generate(&s, X, N, F, y, K, lab, NLAB, &o, err, sizeof err), 0);
	int knn = 0;
	for (size_t i = 0; i < s.n; i++)
		knn += s.v[i].family == AWS_LF_KNN;
	assert_true(knn > 0); /* and k-NN LFs, with their reference rows */
	char *fn[F], *cn[K];
	for (int f = 0; f < F; f++)
		assert_true(asprintf(&fn[f], "f%d", f) > 0);
	for (int c = 0; c < K; c++)
		assert_true(asprintf(&cn[c], "c%d", c) > 0);
	/* and one tree made by hand: thresholds that are data values (a row
	 * sits exactly on each), one side without a split (+inf) */
	aws_lf *more = realloc(s.v, (s.n + 1) * sizeof *s.v);
	assert_non_null(more);
	s.v = more;
	aws_lf *h = &s.v[s.n++];
	memset(h, 0, sizeof *h);
	h->family = AWS_LF_TREE, h->nf = 2, h->f[0] = 0, h->f[1] = 1, h->target = 1, h->k = K, h->beta = 0.55;
	h->thr[0] = X[7 * F], h->thr[1] = INFINITY, h->thr[2] = X[9 * F + 1];
	h->p = malloc(4 * sizeof *h->p);
	assert_non_null(h->p);
	h->p[0] = 0.2, h->p[1] = 0.9, h->p[2] = 0.6, h->p[3] = 0.1;
	json_t *j = aws_lfset_to_json(&s, fn, cn);
	/* as autows.generate_lfs writes lfs.json, and as the next op reads it */
	char *text = json_dumps(j, JSON_INDENT(1) | JSON_REAL_PRECISION(17));
	json_decref(j);
	json_t *back = json_loads(text, 0, NULL);
	assert_non_null(back);
	assert_int_equal(aws_lfset_from_json(&t, back, F, K, err, sizeof err), 0);
	assert_int_equal(t.n, s.n);
	size_t differ = 0;
	for (size_t i = 0; i < t.n; i++)
		for (size_t row = 0; row < N; row++)
			differ += aws_lf_vote(&s.v[i], X + row * F) != aws_lf_vote(&t.v[i], X + row * F);
	assert_int_equal(differ, 0);
	/* and the held-out F-scores, which weigh the lf_graph end model's
	 * features: the same weights from the file as from the generator */
	double ws[F], wt[F];
	int scored = 0;
	for (size_t i = 0; i < t.n; i++) {
		assert_true(t.v[i].ho_fscore == s.v[i].ho_fscore);
		scored += s.v[i].ho_fscore > 0;
	}
	assert_true(scored > 0);
	assert_int_equal(aws_lf_feature_weights(ws, &s, F), 0);
	assert_int_equal(aws_lf_feature_weights(wt, &t, F), 0);
	double sum = 0;
	for (int f = 0; f < F; f++) {
		assert_true(ws[f] == wt[f]);
		sum += ws[f];
	}
	assert_true(fabs(sum - 1) < 1e-12);
	json_decref(back);
	free(text);
	for (int f = 0; f < F; f++)
		free(fn[f]);
	for (int c = 0; c < K; c++)
		free(cn[c]);
	aws_lfset_free(&s);
	aws_lfset_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_threshold),
		cmocka_unit_test(test_all_families_and_no_lf),
		cmocka_unit_test(test_saved_lfs_vote_the_same),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
