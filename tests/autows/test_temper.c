/* Unit tests of temperature scaling (temper.h), which AUTO's CV weights
 * are scored with. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "temper.h"

/* The grid runs from 0.2 to 5, rising, with exactly 1 in its middle. */
static void test_grid(void **state)
{
	(void)state;
	assert_true(aws_temper_at(AWS_TEMPER_GRID / 2) == 1.0);
	assert_true(fabs(aws_temper_at(0) - 0.2) < 1e-12);
	assert_true(fabs(aws_temper_at(AWS_TEMPER_GRID - 1) - 5) < 1e-12);
	for (int i = 1; i < AWS_TEMPER_GRID; i++)
		assert_true(aws_temper_at(i) > aws_temper_at(i - 1));
}

/* T 1 leaves a row as it is, T 1/2 squares it (then normalises), a high T
 * flattens it, and a row of zeros becomes uniform; in place works. */
static void test_row(void **state)
{
	(void)state;
	double p[3] = {0.6, 0.3, 0.1}, q[3];
	aws_temper_row(q, p, 3, 1);
	for (int c = 0; c < 3; c++)
		assert_true(fabs(q[c] - p[c]) < 1e-12);
	aws_temper_row(q, p, 3, 0.5);
	for (int c = 0; c < 3; c++)
		assert_true(fabs(q[c] - p[c] * p[c] / 0.46) < 1e-12);
	aws_temper_row(q, p, 3, 1e6);
	for (int c = 0; c < 3; c++)
		assert_true(fabs(q[c] - 1.0 / 3) < 1e-5);
	double z[4] = {0, 0, 0, 0};
	aws_temper_row(z, z, 4, 2);
	for (int c = 0; c < 4; c++)
		assert_true(fabs(z[c] - 0.25) < 1e-12);
	double one[2] = {1, 0}; /* a certain row stays certain, to 1e-12^(1/T) */
	aws_temper_row(one, one, 2, 5);
	assert_true(one[0] > 0.99 && one[1] < 0.01);
}

static uint64_t rng = 88172645463325252ULL;
static double unif(void)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return ((double)(rng >> 11) + 0.5) / 9007199254740992.0;
}

/* n rows of k classes: a true distribution softmax(z), a label drawn
 * from it, and the prediction softmax(z * sharp): sharp > 1 is
 * over-confident, < 1 under-confident; the temperature that undoes it is
 * sharp itself. */
static void make(double *P, int32_t *y, size_t n, size_t k, double sharp)
{
	for (size_t r = 0; r < n; r++) {
		double z[8], tot = 0, u = unif(), acc = 0;
		for (size_t c = 0; c < k; c++)
			z[c] = 2.5 * (unif() - 0.5) * 2;
		for (size_t c = 0; c < k; c++)
			tot += exp(z[c]);
		y[r] = (int32_t)(k - 1);
		for (size_t c = 0; c < k; c++)
			if ((acc += exp(z[c]) / tot) > u) {
				y[r] = (int32_t)c;
				break;
			}
		tot = 0;
		for (size_t c = 0; c < k; c++)
			tot += P[r * k + c] = exp(z[c] * sharp);
		for (size_t c = 0; c < k; c++)
			P[r * k + c] /= tot;
	}
}

static double raw_brier(const double *P, const int32_t *y, size_t n, size_t k)
{
	double b = 0;
	for (size_t r = 0; r < n; r++)
		for (size_t c = 0; c < k; c++) {
			double e = P[r * k + c] - (y[r] == (int32_t)c);
			b += e * e;
		}
	return b;
}

/* Over-confident predictions are cooled back to about their true
 * temperature and score better for it; under-confident ones are
 * sharpened; calibrated ones stay near T 1; the score is never above the
 * raw one. */
static void test_finds_the_temperature(void **state)
{
	(void)state;
	enum { N = 4000, K = 4 };
	static double P[N * K];
	static int32_t y[N];
	const double sharp[] = {3, 0.4, 1};
	for (int s = 0; s < 3; s++) {
		make(P, y, N, K, sharp[s]);
		const double *blk[1] = {P};
		double T = 0, b = aws_temper_brier(blk, 1, y, N, K, &T), raw = raw_brier(P, y, N, K);
		print_message("sharpened %.1f: T %.3f, Brier %.1f against %.1f raw\n", sharp[s], T, b, raw);
		assert_true(b <= raw + 1e-9);
		assert_true(T > sharp[s] / 1.35 && T < sharp[s] * 1.35);
		if (sharp[s] != 1)
			assert_true(b < raw * 0.97);
	}
}

/* Blocks add up: the same block twice scores twice one at the same T;
 * and when every T scores the same (uniform rows), the smallest is
 * chosen. */
static void test_blocks_and_ties(void **state)
{
	(void)state;
	enum { N = 500, K = 3 };
	static double P[N * K], U[N * K];
	static int32_t y[N];
	make(P, y, N, K, 2);
	const double *one[1] = {P}, *two[2] = {P, P};
	double T1, T2, b1 = aws_temper_brier(one, 1, y, N, K, &T1), b2 = aws_temper_brier(two, 2, y, N, K, &T2);
	assert_true(fabs(b2 - 2 * b1) < 1e-9 * b2);
	assert_true(T1 == T2);
	for (size_t i = 0; i < N * K; i++)
		U[i] = 1.0 / K;
	const double *u[1] = {U};
	double Tu = 0;
	double bu = aws_temper_brier(u, 1, y, N, K, &Tu);
	assert_true(Tu == aws_temper_at(0));
	assert_true(fabs(bu - raw_brier(U, y, N, K)) < 1e-9);
	assert_true(aws_temper_brier(u, 1, y, N, K, NULL) == bu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grid),
		cmocka_unit_test(test_row),
		cmocka_unit_test(test_finds_the_temperature),
		cmocka_unit_test(test_blocks_and_ties),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
