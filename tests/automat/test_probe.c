/* Unit tests of the probe fit (probe.c) on motifs made here: a square
 * 4 A cell on a 40 x 40 grid, columns drawn with a probe outside the
 * fit's family (a Gaussian core and a Lorentzian tail, out to 8 A). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

enum { GU = 40, NPROF = 90 };
#define CELL 4.0 /* Angstrom, 40 pixels of 0.1 A */

static double probe(double r2)
{
	return r2 < 64 ? 0.8 * exp(-r2 / (2 * 0.5 * 0.5)) + 0.2 / (1 + r2 / 0.64) : 0;
}

/* The motif of sites (u, v, height), with a flat 50 under it. */
static void draw(double *m, const double (*site)[3], size_t n)
{
	for (size_t iv = 0; iv < GU; iv++)
		for (size_t iu = 0; iu < GU; iu++) {
			double u = ((double)iu + 0.5) / GU, v = ((double)iv + 0.5) / GU, sum = 50;
			for (size_t k = 0; k < n; k++)
				for (int i = -3; i <= 3; i++)
					for (int j = -3; j <= 3; j++) {
						double du = (u - site[k][0] - i) * CELL, dv = (v - site[k][1] - j) * CELL;
						sum += site[k][2] * probe(du * du + dv * dv);
					}
			m[iv * GU + iu] = sum;
		}
}

static am_lattice square(void)
{
	am_lattice L;
	memset(&L, 0, sizeof L);
	L.a[0] = L.b[1] = CELL / 0.1;
	L.ga[0] = L.gb[1] = 0.1 / CELL;
	L.len_a = L.len_b = CELL;
	L.gamma = 90;
	return L;
}

static double lowest(const double *m)
{
	double lo = INFINITY;
	for (size_t b = 0; b < GU * GU; b++)
		lo = fmin(lo, m[b]);
	return lo;
}

/* Started 0.04 A off and at half height, the fit puts every site back
 * within 0.01 A and finds the heights' ratios within 10% (the probe is
 * outside the family: the best sum of Gaussians trades some of K's height
 * for Ta's tail); the residual is under 1% of the brightest column. */
static void test_places_and_heights(void **state)
{
	(void)state;
	const double site[3][3] = {{0, 0, 1000}, {0.5, 0.5, 100}, {0.5, 0, 20}};
	double m[GU * GU], res[GU * GU], prof[NPROF], amp[3] = {500, 50, 10}, base = 0;
	draw(m, site, 3);
	am_lattice L = square();
	am_probe_grid g = {m, GU, GU, lowest(m), &L, 0.1, 1};
	am_probe_site s[3] = {{0.01, 0.0}, {0.5, 0.49}, {0.51, 0.01}};
	assert_int_equal(am_probe_fit(&g, s, 3, amp, &base, prof, NPROF, 0.04, res), 0);
	for (size_t k = 0; k < 3; k++) {
		double du = s[k].u - site[k][0], dv = s[k].v - site[k][1];
		du -= round(du), dv -= round(dv);
		double off = hypot(du, dv) * CELL, rel = amp[k] / amp[0] / (site[k][2] / site[0][2]);
		if (!(off < 0.01) || !(fabs(rel - 1) < 0.1))
			fail_msg("site %zu: %.3f A off, height ratio %.3f of the truth's", k, off, rel);
	}
	assert_true(fabs(prof[0] - 1) < 1e-9);
	for (int k = 1; k < NPROF; k++)
		assert_true(prof[k] <= prof[k - 1] + 1e-12); /* a profile falls */
	double worst = 0;
	for (size_t b = 0; b < GU * GU; b++)
		worst = fmax(worst, fabs(res[b]));
	if (!(worst < 0.01 * amp[0]))
		fail_msg("residual up to %.2f, over 1%% of %.1f", worst, amp[0]);
}

/* Light columns at one distance from every heavy one (2 A, the O of a
 * perovskite along [001]) stay in the residual when the fit is given
 * only the heavy ones: a sum of Gaussians cannot bend into a shoulder at
 * 2 A, so its strongest bump 1 A or more from the given sites is within
 * 0.4 A of an O place, a quarter of O's height or more above the
 * residual's median (the next fit, with a site there, moves it onto the
 * place: test_motif's test_light_columns_under_tails). */
static void test_light_columns_stay_in_the_residual(void **state)
{
	(void)state;
	const double site[4][3] = {{0, 0, 1000}, {0.5, 0.5, 100}, {0.5, 0, 20}, {0, 0.5, 20}};
	double m[GU * GU], res[GU * GU], prof[NPROF], amp[2] = {1000, 100}, base = 0;
	draw(m, site, 4);
	am_lattice L = square();
	am_probe_grid g = {m, GU, GU, lowest(m), &L, 0.1, 2};
	am_probe_site s[2] = {{0, 0}, {0.5, 0.5}};
	assert_int_equal(am_probe_fit(&g, s, 2, amp, &base, prof, NPROF, 0.04, res), 0);
	double best = -INFINITY, bu = 0, bv = 0, sorted[GU * GU];
	for (size_t iv = 0; iv < GU; iv++)
		for (size_t iu = 0; iu < GU; iu++) {
			double u = ((double)iu + 0.5) / GU, v = ((double)iv + 0.5) / GU;
			double d0 = hypot(u - round(u), v - round(v)) * CELL;
			double d1 = hypot(u - 0.5, v - 0.5) * CELL;
			if (d0 >= 1 && d1 >= 1 && res[iv * GU + iu] > best)
				best = res[iv * GU + iu], bu = u, bv = v;
		}
	memcpy(sorted, res, sizeof sorted);
	for (size_t i = 1; i < GU * GU; i++) /* insertion sort: 1,600 values */
		for (size_t j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
			double t = sorted[j];
			sorted[j] = sorted[j - 1], sorted[j - 1] = t;
		}
	double median = sorted[GU * GU / 2];
	int at_o = hypot(bu - 0.5, bv - round(bv)) * CELL < 0.4 || hypot(bu - round(bu), bv - 0.5) * CELL < 0.4;
	if (!at_o || !(best - median > 5))
		fail_msg("the strongest bump is at (%.3f, %.3f), %.2f above the median", bu, bv, best - median);
}

/* No site, or more than the basis may hold: -1, and nothing written. */
static void test_refuses(void **state)
{
	(void)state;
	double m[GU * GU] = {0}, prof[NPROF] = {7}, amp[1] = {3}, base = 5;
	am_lattice L = square();
	am_probe_grid g = {m, GU, GU, 0, &L, 0.1, 1};
	am_probe_site s[1] = {{0, 0}};
	assert_int_equal(am_probe_fit(&g, s, 0, amp, &base, prof, NPROF, 0.04, NULL), -1);
	assert_int_equal(am_probe_fit(&g, s, 65, amp, &base, prof, NPROF, 0.04, NULL), -1);
	assert_true(prof[0] == 7 && amp[0] == 3 && base == 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_places_and_heights),
		cmocka_unit_test(test_light_columns_stay_in_the_residual),
		cmocka_unit_test(test_refuses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
