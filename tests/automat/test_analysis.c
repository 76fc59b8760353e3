/* Unit tests of the image analysis on simulated images with known
 * answers: lattice, quality gate, denoising, columns, template retrieval
 * and the template-free reconstruction. */
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

#include "cif.h"
#include "compare.h"
#include "filter.h"
#include "match.h"
#include "quality.h"
#include "recon.h"
#include "rng.h"
#include "sim.h"
#include "spectrum.h"
#include "steps.h"

#include "lattice_of.h"




static am_library lib;

static int setup(void **state)
{
	(void)state;
	char err[512];
	if (am_library_load(&lib, AUTOMAT_TEMPLATES, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	am_library_free(&lib);
	return 0;
}

static const am_template *find(const char *name)
{
	for (size_t i = 0; i < lib.n; i++)
		if (!strcmp(lib.t[i].name, name))
			return &lib.t[i];
	fail_msg("no template %s", name);
	return NULL;
}

static void simulate(am_image *im, const char *name, double dose, double rot, uint64_t seed)
{
	am_sim_opts o = AM_SIM_OPTS_INIT;
	o.w = o.h = 512, o.dose = dose, o.rotation = rot, o.seed = seed, o.read_noise = 0.02;
	char err[256];
	assert_int_equal(am_simulate(im, &find(name)->s, &o, err, sizeof err), 0);
}

/* The reduced lattice of each image is its projection's, within 0.5%
 * and half a degree, at any rotation; Au along [001] shows a/2. */
static void test_lattice(void **state)
{
	(void)state;
	const char *names[] = {"2H-MoS2", "graphene", "SrTiO3-001", "Au-001", "phosphorene", "SnSe"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		am_image im;
		simulate(&im, names[i], 2000, 13.0 + 29.0 * (double)i, i + 1);
		am_lattice L;
		lattice_of(&L, &im);
		const am_proj *p = &find(names[i])->p;
		if (fabs(L.len_a / p->len_a - 1) > 0.005 || fabs(L.len_b / p->len_b - 1) > 0.005 ||
		    fabs(L.gamma - p->gamma) > 0.5)
			fail_msg("%s: a %.4f b %.4f gamma %.2f, want %.4f %.4f %.2f", names[i], L.len_a, L.len_b, L.gamma,
				 p->len_a, p->len_b, p->gamma);
		assert_true(L.periodicity > 0.6);
		am_image_free(&im);
	}
	assert_true(fabs(find("Au-001")->p.len_a - 4.078 / 2) < 1e-3);
}

/* Two strong waves of low frequency on top of the crystal (a second
 * grain, holes or an edge give such peaks at a low dose): their two
 * vectors make a basis so fine that every crystal peak lies within
 * tolerance of one of its points, by chance. Scored by the power it
 * indexed, it won, and the lattice came out as a cell of 25 A; the score
 * beyond chance keeps the crystal's. */
static void test_lattice_not_from_low_frequency_waves(void **state)
{
	(void)state;
	am_image im;
	simulate(&im, "SrTiO3-001", 2000, 17.0, 5);
	double mean = 0, var = 0, n = (double)(im.w * im.h);
	for (size_t i = 0; i < im.w * im.h; i++)
		mean += im.v[i] / n;
	for (size_t i = 0; i < im.w * im.h; i++)
		var += (im.v[i] - mean) * (im.v[i] - mean) / n;
	double amp = 0.5 * sqrt(var); /* the waves: half the image's spread each */
	/* 4.6 and 4.9 periods across, 84 degrees apart */
	const double g1[2] = {4.6 / 512 * cos(0.3), 4.6 / 512 * sin(0.3)},
		     g2[2] = {4.9 / 512 * cos(0.3 + 1.466), 4.9 / 512 * sin(0.3 + 1.466)};
	for (size_t y = 0; y < im.h; y++)
		for (size_t x = 0; x < im.w; x++)
			im.v[y * im.w + x] += amp * (cos(2 * M_PI * (g1[0] * (double)x + g1[1] * (double)y)) +
						     cos(2 * M_PI * (g2[0] * (double)x + g2[1] * (double)y)));
	am_lattice L;
	lattice_of(&L, &im);
	const am_proj *p = &find("SrTiO3-001")->p;
	if (fabs(L.len_a / p->len_a - 1) > 0.005 || fabs(L.len_b / p->len_b - 1) > 0.005)
		fail_msg("a %.3f b %.3f gamma %.2f, want %.3f %.3f", L.len_a, L.len_b, L.gamma, p->len_a, p->len_b);
	am_image_free(&im);
}

static void test_quality(void **state)
{
	(void)state;
	am_quality_opts o = AM_QUALITY_OPTS_INIT;
	am_quality q;
	char err[256];
	am_image im;
	simulate(&im, "2H-MoS2", 5000, 20, 1);
	assert_int_equal(am_quality_measure(&q, &im, &o, err, sizeof err), 0);
	assert_true(q.pass);
	assert_string_equal(q.verdict, "ok");
	/* white noise: not periodic, and the rule stops at once after level 2 */
	uint64_t s = 3;
	for (size_t i = 0; i < im.w * im.h; i++)
		im.v[i] = wrng_poisson(&s, 5);
	assert_int_equal(am_quality_measure(&q, &im, &o, err, sizeof err), 0);
	assert_false(q.pass);
	assert_true(q.periodicity < 0.1);
	assert_non_null(strstr(q.verdict, "not periodic enough: periodicity 0.0"));
	assert_non_null(strstr(q.verdict, " < 0.35"));
	assert_int_equal(am_gate_next(&q, &o, 2), -1);
	assert_int_equal(am_gate_next(&q, &o, 1), 2);
	/* random blobs: smooth, bright, contrasty -- and still not periodic */
	memset(im.v, 0, im.w * im.h * sizeof *im.v);
	for (int b = 0; b < 600; b++) {
		double x = wrng_unif(&s) * 512, y = wrng_unif(&s) * 512;
		for (long yy = (long)y - 12; yy <= (long)y + 12; yy++)
			for (long xx = (long)x - 12; xx <= (long)x + 12; xx++)
				if (xx >= 0 && yy >= 0 && xx < 512 && yy < 512)
					im.v[yy * 512 + xx] += exp(-((xx - x) * (xx - x) + (yy - y) * (yy - y)) / 30);
	}
	assert_int_equal(am_quality_measure(&q, &im, &o, err, sizeof err), 0);
	assert_false(q.pass);
	assert_true(q.periodicity < 0.35);
	/* a flat image */
	for (size_t i = 0; i < im.w * im.h; i++)
		im.v[i] = 7;
	assert_int_equal(am_quality_measure(&q, &im, &o, err, sizeof err), 0);
	assert_false(q.pass);
	assert_true(q.empty);
	assert_non_null(strstr(q.verdict, "empty image"));
	assert_int_equal(am_gate_next(&q, &o, 1), -1);
	am_image_free(&im);
}

/* Each level lowers the measured noise of a noisy image, and the Bragg
 * mask keeps the lattice where it was. */
static void test_denoise(void **state)
{
	(void)state;
	am_image im;
	simulate(&im, "graphene", 300, 40, 2);
	double prev = am_noise_sigma(&im);
	am_lattice L0;
	lattice_of(&L0, &im);
	for (int level = 1; level <= 3; level++) {
		am_image w;
		const char *method;
		char err[256];
		assert_int_equal(am_image_copy(&w, &im), 0);
		assert_int_equal(am_denoise(&w, level, &method, err, sizeof err), 0);
		double sd = am_noise_sigma(&w);
		if (!(sd < 0.6 * prev))
			fail_msg("level %d (%s): noise %.3f, raw %.3f", level, method, sd, prev);
		if (level == 3) {
			am_lattice L;
			lattice_of(&L, &w);
			assert_true(fabs(L.len_a - L0.len_a) < 0.005 && fabs(L.gamma - L0.gamma) < 0.2);
		}
		am_image_free(&w);
	}
	am_image_free(&im);
}

/* On a clean MoS2 image: about 2 columns per cell, the Mo columns the
 * bright class, the template retrieved, and the template-free line
 * rebuilding the true projection. */
static void test_columns_and_lines(void **state)
{
	(void)state;
	am_image im;
	simulate(&im, "2H-MoS2", 5000, 10, 3);
	am_lattice L;
	lattice_of(&L, &im);
	am_colset cols;
	char err[256];
	assert_int_equal(am_find_columns(&cols, &im, &L, NULL, err, sizeof err), 0);
	double cell = L.len_a * L.len_b * sin(L.gamma * M_PI / 180) / (im.px * im.px);
	double expect = 2 * (double)(im.w * im.h) / cell;
	if (fabs((double)cols.n / expect - 1) > 0.1)
		fail_msg("%zu columns, about %.0f expected", cols.n, expect);
	double centres[2];
	assert_int_equal(am_columns_classify(&cols, 2, centres), 2);
	assert_true(centres[1] / centres[0] > 1.8); /* Mo (575) against S2 (223) */
	const char *el[] = {"Mo", "S"};
	am_match *m = calloc(lib.n, sizeof *m);
	am_match_templates(m, &lib, &cols, &L, im.px, im.w, im.h, el, 2);
	assert_string_equal(lib.t[m[0].index].name, "2H-MoS2");
	assert_true(m[0].score > 0.8);
	if (!(m[1].score < 0.9 * m[0].score)) /* 1T-MoS2 second, by a margin */
		fail_msg("%s %.3f, then %s %.3f", lib.t[m[0].index].name, m[0].score, lib.t[m[1].index].name, m[1].score);
	am_match_templates(m, &lib, &cols, &L, im.px, im.w, im.h, (const char *const[]){"W", "S"}, 2);
	assert_string_equal(lib.t[m[0].index].name, "2H-WS2"); /* the elements decide between look-alikes */
	free(m);
	am_recon_opts ro = {0.4, 0.3, 20, im.px, el, 2};
	am_struct got;
	am_site *sites;
	size_t ns;
	assert_int_equal(am_reconstruct(&got, &sites, &ns, &cols, &L, im.w, im.h, &ro, err, sizeof err), 0);
	assert_int_equal(ns, 2);
	assert_string_equal(got.at[0].el, "Mo"); /* brightest, heaviest */
	assert_string_equal(got.at[1].el, "S");
	am_cmp c;
	am_cmp_opts co = AM_CMP_OPTS_INIT;
	assert_int_equal(am_compare(&c, &find("2H-MoS2")->s, &got, &co, err, sizeof err), 0);
	if (!c.match || c.rmsd > 0.1)
		fail_msg("template-free MoS2: %s (rmsd %.3f)", c.why, c.rmsd);
	free(sites);
	am_struct_free(&got);
	am_colset_free(&cols);
	am_image_free(&im);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lattice),
		cmocka_unit_test(test_lattice_not_from_low_frequency_waves),
		cmocka_unit_test(test_quality),
		cmocka_unit_test(test_denoise),
		cmocka_unit_test(test_columns_and_lines),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
