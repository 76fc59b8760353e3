/* Unit tests of the label models on label matrices with known LF accuracies. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "labelmodel.h"

typedef struct rng {
	uint64_t s;
} rng;

static double unif(rng *r)
{
	r->s = r->s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(r->s >> 11) / 9007199254740992.0;
}

/* n rows of k classes with balance `bal`; LF j votes on a share cov[j] of
 * the rows, correctly with probability acc[j], else a uniform wrong class. */
static int *simulate(int **truth, size_t n, size_t m, size_t k, const double *bal, const double *acc,
		     const double *cov, uint64_t seed)
{
	rng r = {seed};
	int *L = malloc(n * m * sizeof *L), *y = malloc(n * sizeof *y);
	assert_non_null(L);
	assert_non_null(y);
	for (size_t i = 0; i < n; i++) {
		double u = unif(&r), s = 0;
		size_t c = 0;
		while (c + 1 < k && u > (s += bal[c]))
			c++;
		y[i] = (int)c;
		for (size_t j = 0; j < m; j++) {
			if (unif(&r) >= cov[j]) {
				L[i * m + j] = -1;
				continue;
			}
			if (unif(&r) < acc[j])
				L[i * m + j] = (int)c;
			else
				L[i * m + j] = (int)((c + 1 + (size_t)(unif(&r) * (double)(k - 1))) % k);
		}
	}
	*truth = y;
	return L;
}

static double accuracy_of(const double *P, const int *y, size_t n, size_t k)
{
	size_t hit = 0;
	for (size_t i = 0; i < n; i++) {
		size_t best = 0;
		for (size_t c = 1; c < k; c++)
			if (P[i * k + c] > P[i * k + best])
				best = c;
		hit += (int)best == y[i];
	}
	return (double)hit / (double)n;
}

static void check_recovery(aws_lm_kind kind, double tol_acc, double tol_bal)
{
	enum { N = 20000, M = 10, K = 3 };
	double bal[K] = {0.5, 0.3, 0.2};
	double acc[M] = {0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.85, 0.7, 0.55};
	double cov[M] = {0.3, 0.5, 0.7, 0.4, 0.6, 0.8, 0.5, 0.2, 0.9, 0.6};
	int *y;
	int *dense = simulate(&y, N, M, K, bal, acc, cov, 11);
	aws_lmat L;
	assert_int_equal(aws_lmat_from_dense(&L, dense, N, M, K), 0);
	aws_lm_result r;
	char err[256];
	assert_int_equal(aws_label_model(&r, &L, kind, 200, NULL, err, sizeof err), 0);
	for (size_t j = 0; j < M; j++)
		if (fabs(r.accuracy[j] - acc[j]) > tol_acc)
			fail_msg("LF %zu: estimated accuracy %.3f, true %.3f", j, r.accuracy[j], acc[j]);
	for (size_t c = 0; c < K; c++)
		if (fabs(r.balance[c] - bal[c]) > tol_bal)
			fail_msg("class %zu: estimated balance %.3f, true %.3f", c, r.balance[c], bal[c]);
	double a = accuracy_of(r.proba, y, N, K);
	assert_true(a > 0.85);
	aws_lm_result_free(&r);
	aws_lmat_free(&L);
	free(dense);
	free(y);
}

static void test_dawid_skene(void **state)
{
	(void)state;
	check_recovery(AWS_LM_DAWID_SKENE, 0.03, 0.03);
}

static void test_triplet(void **state)
{
	(void)state;
	check_recovery(AWS_LM_TRIPLET, 0.04, 0.04);
}

/* MeTaL takes the class balance as given: with no known label, the share
 * of votes, which the LFs' uneven coverage skews; hence the looser
 * balance tolerance. */
static void test_metal(void **state)
{
	(void)state;
	check_recovery(AWS_LM_METAL, 0.04, 0.1);
}

/* LFs whose mistakes are systematic: three are right 75% of the time
 * they vote; three others vote class y + 1 for class y 60% of the time
 * and y itself 40%. The triplet method assumes errors spread evenly over
 * the wrong classes and reads these as weak LFs; MeTaL fits each LF's
 * table P(vote | class) and so reads them as strong, shifted ones. */
static void test_metal_asymmetric_noise(void **state)
{
	(void)state;
	enum { N = 20000, M = 6, K = 3 };
	rng r = {5};
	int *dense = malloc(N * M * sizeof *dense), *y = malloc(N * sizeof *y);
	assert_non_null(dense);
	assert_non_null(y);
	for (size_t i = 0; i < N; i++) {
		y[i] = (int)(unif(&r) * K);
		for (size_t j = 0; j < M; j++) {
			int v = -1;
			if (unif(&r) < 0.5) {
				if (j < 3)
					v = unif(&r) < 0.75 ? y[i] : (int)((y[i] + 1 + (int)(unif(&r) * 2)) % K);
				else
					v = unif(&r) < 0.4 ? y[i] : (y[i] + 1) % K;
			}
			dense[i * M + j] = v;
		}
	}
	aws_lmat L;
	assert_int_equal(aws_lmat_from_dense(&L, dense, N, M, K), 0);
	aws_lm_result rt, rm;
	char err[256];
	assert_int_equal(aws_label_model(&rt, &L, AWS_LM_TRIPLET, 0, NULL, err, sizeof err), 0);
	assert_int_equal(aws_label_model(&rm, &L, AWS_LM_METAL, 0, NULL, err, sizeof err), 0);
	double at = accuracy_of(rt.proba, y, N, K), am = accuracy_of(rm.proba, y, N, K);
	if (!(am > at + 0.03))
		fail_msg("MeTaL %.3f, triplet %.3f: MeTaL should use the shifted LFs", am, at);
	aws_lm_result_free(&rt);
	aws_lm_result_free(&rm);
	aws_lmat_free(&L);
	free(dense);
	free(y);
}

/* Majority vote estimates accuracies against its own labels: biased
 * upwards, but ordered like the truth, and the labels are usable. */
static void test_majority(void **state)
{
	(void)state;
	enum { N = 5000, M = 5, K = 2 };
	double bal[K] = {0.5, 0.5}, acc[M] = {0.95, 0.9, 0.8, 0.7, 0.6}, cov[M] = {1, 1, 1, 1, 1};
	int *y;
	int *dense = simulate(&y, N, M, K, bal, acc, cov, 3);
	aws_lmat L;
	assert_int_equal(aws_lmat_from_dense(&L, dense, N, M, K), 0);
	aws_lm_result r;
	char err[256];
	assert_int_equal(aws_label_model(&r, &L, AWS_LM_MAJORITY, 0, NULL, err, sizeof err), 0);
	for (size_t j = 1; j < M; j++)
		assert_true(r.accuracy[j] < r.accuracy[j - 1]);
	assert_true(accuracy_of(r.proba, y, N, K) > 0.9);
	aws_lm_result_free(&r);
	aws_lmat_free(&L);
	free(dense);
	free(y);
}

static void test_abstain_rows_and_bad_votes(void **state)
{
	(void)state;
	int dense[] = {-1, -1, 0, 1, 1, 1};
	aws_lmat L;
	assert_int_equal(aws_lmat_from_dense(&L, dense, 3, 2, 2), 0);
	assert_int_equal(L.nnz, 4);
	aws_lm_result r;
	char err[256];
	assert_int_equal(aws_label_model(&r, &L, AWS_LM_MAJORITY, 0, NULL, err, sizeof err), 0);
	assert_true(r.proba[0] == 0.5 && r.proba[1] == 0.5); /* no votes: uniform */
	assert_true(r.proba[2] == 0.5);                       /* a tie */
	assert_true(r.proba[5] == 1.0);
	aws_lm_result_free(&r);
	aws_lmat_free(&L);
	int badv[] = {0, 2};
	assert_int_equal(aws_lmat_from_dense(&L, badv, 1, 2, 2), -1); /* class 2 of 2 */
}

/* A model whose labels are a permutation of what the votes say is
 * replaced by the majority vote; one that agrees is left alone. */
static void test_drift_guard(void **state)
{
	(void)state;
	enum { N = 60, M = 3, K = 3 };
	int dense[N * M];
	for (int i = 0; i < N; i++)
		for (int j = 0; j < M; j++)
			dense[i * M + j] = (j == 2 && i % 4 == 0) ? (i + 1) % K : i % K;
	aws_lmat L;
	assert_int_equal(aws_lmat_from_dense(&L, dense, N, M, K), 0);
	aws_lm_result r;
	char err[128];
	assert_int_equal(aws_label_model(&r, &L, AWS_LM_MAJORITY, 0, NULL, err, sizeof err), 0);
	for (int i = 0; i < N; i++) { /* shift every row's label by one class */
		double p0 = r.proba[i * K];
		r.proba[i * K] = r.proba[i * K + 2];
		r.proba[i * K + 2] = r.proba[i * K + 1];
		r.proba[i * K + 1] = p0;
	}
	assert_int_equal(aws_lm_guard_drift(&r, &L), 0);
	assert_int_equal(r.fell_back, 1);
	for (int i = 0; i < N; i++)
		assert_true(r.proba[i * K + i % K] > 0.5);
	aws_lm_result_free(&r);
	assert_int_equal(aws_label_model(&r, &L, AWS_LM_DAWID_SKENE, 50, NULL, err, sizeof err), 0);
	assert_int_equal(r.fell_back, 0); /* EM agrees with the votes here */
	aws_lm_result_free(&r);
	aws_lmat_free(&L);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drift_guard),
		cmocka_unit_test(test_dawid_skene),
		cmocka_unit_test(test_triplet),
		cmocka_unit_test(test_metal),
		cmocka_unit_test(test_metal_asymmetric_noise),
		cmocka_unit_test(test_majority),
		cmocka_unit_test(test_abstain_rows_and_bad_votes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
