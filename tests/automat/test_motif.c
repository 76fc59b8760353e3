/* Unit tests of lattice averaging (motif.c), species by intensity ratio,
 * the superstructure search in the lattice estimate, and the periodicity
 * on images that are mostly not crystal. Images come from the plugin's
 * own simulator with structures built here. */
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

#include "motif.h"
#include "quality.h"
#include "rng.h"
#include "sim.h"
#include "spectrum.h"

#include "lattice_of.h"

static void simulate(am_image *im, const am_struct *s, double dose, double rot, uint64_t seed)
{
	am_sim_opts o = AM_SIM_OPTS_INIT;
	o.w = o.h = 512, o.dose = dose, o.rotation = rot, o.seed = seed, o.read_noise = 0.02;
	char err[256];
	assert_int_equal(am_simulate(im, s, &o, err, sizeof err), 0);
}

/* SrTiO3 along [001]: Sr, Ti+O, and two O columns at 7% of Sr's height. */
static void perovskite(am_struct *s)
{
	am_struct_init(s, "SrTiO3", 3.905, 3.905, 3.905, 90);
	assert_int_equal(am_struct_add(s, "Sr", 0, 0, 0), 0);
	assert_int_equal(am_struct_add(s, "Ti", 0.5, 0.5, 0.5), 0);
	assert_int_equal(am_struct_add(s, "O", 0.5, 0.5, 0), 0);
	assert_int_equal(am_struct_add(s, "O", 0.5, 0, 0.5), 0);
	assert_int_equal(am_struct_add(s, "O", 0, 0.5, 0.5), 0);
}

/* The light O columns, too faint to stand out of one noisy column, come
 * out of the average, and the species split into three levels. */
static void test_light_columns_from_the_average(void **state)
{
	(void)state;
	am_struct s;
	perovskite(&s);
	am_image im;
	simulate(&im, &s, 5000, 23, 4);
	am_lattice L;
	lattice_of(&L, &im);
	assert_true(fabs(L.len_a - 3.905) < 0.03 && fabs(L.len_b - 3.905) < 0.03);
	am_motif M;
	char err[256];
	assert_int_equal(am_motif_build(&M, &im, &L, NULL, err, sizeof err), 0);
	if (M.nsites != 4) {
		for (size_t i = 0; i < M.nsites; i++)
			print_message("site %.3f %.3f height %.4g\n", M.site[i].u, M.site[i].v, M.site[i].height);
		fail_msg("%zu sites, want 4 (Sr, TiO, O, O)", M.nsites);
	}
	double h[4];
	for (size_t i = 0; i < 4; i++)
		h[i] = M.site[i].height;
	int cls[4];
	assert_int_equal(am_species_by_ratio(h, 4, 3, AM_SAME_SPECIES, cls), 3);
	int per[3] = {0};
	for (size_t i = 0; i < 4; i++)
		per[cls[i]]++;
	/* elements lightest first: O (2 sites), Ti (1), Sr (1) */
	assert_int_equal(per[0], 2);
	assert_int_equal(per[1], 1);
	assert_int_equal(per[2], 1);
	am_colset cols;
	assert_int_equal(am_motif_columns(&cols, &M, &L, im.w, im.h, 1.0, err, sizeof err), 0);
	double cell = L.len_a * L.len_b * sin(L.gamma * M_PI / 180) / (im.px * im.px);
	double expect = 4 * (double)(im.w * im.h) / cell;
	if (fabs((double)cols.n / expect - 1) > 0.05)
		fail_msg("%zu columns tiled, about %.0f expected", cols.n, expect);
	am_colset_free(&cols);
	am_motif_free(&M);
	am_image_free(&im);
	am_struct_free(&s);
}

/* Renders columns (fractional u, v of a square cell of a Angstrom, heights
 * amp) with a probe unlike the analysis's own: a Gaussian core of sigma
 * `sg` A and a Lorentzian tail of share `tail` and half width `tw` A, out
 * to 8 A, plus Gaussian noise. */
static void render_probe(am_image *im, double a, const double (*site)[3], size_t n, double rot, double noise,
			 uint64_t seed, double sg, double tail, double tw)
{
	assert_int_equal(am_image_new(im, 512, 512, 0.12), 0);
	double c = cos(rot * M_PI / 180), sn = sin(rot * M_PI / 180), cell = a / im->px;
	for (size_t y = 0; y < im->h; y++)
		for (size_t x = 0; x < im->w; x++) {
			/* the pixel in cell coordinates */
			double fu = (c * (double)x + sn * (double)y) / cell, fv = (-sn * (double)x + c * (double)y) / cell, v = 0;
			for (size_t k = 0; k < n; k++)
				for (int i = -3; i <= 3; i++)
					for (int j = -3; j <= 3; j++) {
						double du = fu - floor(fu) - site[k][0] - i, dv = fv - floor(fv) - site[k][1] - j;
						double r2 = (du * du + dv * dv) * a * a;
						if (r2 < 64)
							v += site[k][2] * ((1 - tail) * exp(-r2 / (2 * sg * sg)) +
									   tail / (1 + r2 / (tw * tw)));
					}
			im->v[y * im->w + x] = v + noise * wrng_gauss(&seed);
		}
}

/* 85% Gaussian (0.45 A) and 15% Lorentzian tail (0.7 A). */
static void render_tailed(am_image *im, double a, const double (*site)[3], size_t n, double rot, double noise,
			  uint64_t seed)
{
	render_probe(im, a, site, n, rot, noise, seed, 0.45, 0.15, 0.7);
}

/* KTaO3 along [001] with a tailed probe: Ta, K, and two O columns at 1.9%
 * of Ta's height, 2.0 A from both Ta and K, where Ta's tail is ten times
 * their own height. A radial profile read off Ta took them as part of its
 * tail; the profile fitted with every site finds them, at their places,
 * with heights in the right order. */
static void test_light_columns_under_tails(void **state)
{
	(void)state;
	/* Z^1.8: Ta 2254, K 200, O 42 */
	const double site[4][3] = {{0, 0, 2254}, {0.5, 0.5, 200}, {0.5, 0, 42}, {0, 0.5, 42}};
	am_image im;
	render_tailed(&im, 3.989, site, 4, 17, 20, 9);
	am_lattice L;
	lattice_of(&L, &im);
	assert_true(fabs(L.len_a - 3.989) < 0.03 && fabs(L.len_b - 3.989) < 0.03);
	am_motif M;
	char err[256];
	assert_int_equal(am_motif_build(&M, &im, &L, NULL, err, sizeof err), 0);
	for (size_t i = 0; i < M.nsites; i++)
		print_message("site %.3f %.3f height %.4g\n", M.site[i].u, M.site[i].v, M.site[i].height);
	if (M.nsites != 4)
		fail_msg("%zu sites, want 4 (Ta, K, O, O)", M.nsites);
	/* each site's place against the brightest (Ta): a cell has the
	 * others at (1/2, 1/2), (1/2, 0) and (0, 1/2), in some order of a, b */
	int seen_k = 0, seen_o = 0;
	for (size_t i = 1; i < 4; i++) {
		double du = M.site[i].u - M.site[0].u, dv = M.site[i].v - M.site[0].v;
		du -= round(du), dv -= round(dv);
		double h = M.site[i].height / M.site[0].height;
		if (fabs(fabs(du) - 0.5) < 0.03 && fabs(fabs(dv) - 0.5) < 0.03) {
			seen_k++;
			if (!(h > 0.06 && h < 0.12))
				fail_msg("K at %.3f of Ta's height, want about 0.089", h);
		} else if ((fabs(fabs(du) - 0.5) < 0.03 && fabs(dv) < 0.03) || (fabs(du) < 0.03 && fabs(fabs(dv) - 0.5) < 0.03)) {
			seen_o++;
			if (!(h > 0.01 && h < 0.03))
				fail_msg("O at %.3f of Ta's height, want about 0.019", h);
		}
	}
	assert_int_equal(seen_k, 1);
	assert_int_equal(seen_o, 2);
	am_motif_free(&M);
	am_image_free(&im);
}

/* Whether M has a site at (1/2, 1/2) from its brightest. */
static int centre_site(const am_motif *M)
{
	for (size_t i = 1; i < M->nsites; i++) {
		double du = M->site[i].u - M->site[0].u, dv = M->site[i].v - M->site[0].v;
		du -= round(du), dv -= round(dv);
		if (fabs(fabs(du) - 0.5) < 0.05 && fabs(fabs(dv) - 0.5) < 0.05)
			return 1;
	}
	return 0;
}

/* CeO2 along [001], its primitive square (2.71 A): Ce at the corner and
 * O at the centre, drawn at 2.7% of Ce's height under a broad probe
 * (fitted: 5.5%), at the cell's lowest point, where the 7% bar for an
 * empty honeycomb centre refuses a site. Told the elements are Ce and O
 * (in either order), the O that no site stands for is taken; not when
 * nothing is told, nor for one element, nor for Mo and S (an S column
 * would be 7% of Mo's or more). */
static void test_missing_element_site(void **state)
{
	(void)state;
	const double site[2][3] = {{0, 0, 1500}, {0.5, 0.5, 40}};
	am_image im;
	render_probe(&im, 2.7055, site, 2, 31, 200, 12, 0.6, 0.15, 1.0);
	am_lattice L;
	lattice_of(&L, &im);
	assert_true(fabs(L.len_a - 2.7055) < 0.03 && fabs(L.len_b - 2.7055) < 0.03);
	const struct {
		am_elements_hint el;
		int use, want;
	} cases[] = {
		{{{0}, 0}, 0, 0},
		{{{58, 8}, 2}, 1, 1},
		{{{8, 58}, 2}, 1, 1},
		{{{58}, 1}, 1, 0},
		{{{42, 16}, 2}, 1, 0},
	};
	/* the op's hint: atomic numbers, each once, unknown symbols left out */
	am_elements_hint h;
	am_elements_hint_of(&h, (const char *[]){"Ce", "O", "Ce", "Xx"}, 4);
	assert_int_equal(h.n, 2);
	assert_int_equal(h.z[0], 58);
	assert_int_equal(h.z[1], 8);
	for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
		am_motif M;
		char err[256];
		assert_int_equal(am_motif_build(&M, &im, &L, cases[c].use ? &cases[c].el : NULL, err, sizeof err), 0);
		for (size_t i = 0; i < M.nsites; i++)
			print_message("case %zu: site %.3f %.3f height %.4g\n", c, M.site[i].u, M.site[i].v, M.site[i].height);
		if (centre_site(&M) != cases[c].want)
			fail_msg("case %zu: a centre site %s", c, cases[c].want ? "missing" : "taken");
		am_motif_free(&M);
	}
	am_image_free(&im);
}

/* Half the field is amorphous: the crystal mask keeps the other half, and
 * no column is tiled over the amorphous one. */
static void test_crystal_mask(void **state)
{
	(void)state;
	am_struct s;
	perovskite(&s);
	am_image im;
	simulate(&im, &s, 2000, 10, 5);
	uint64_t seed = 11;
	double mean = 0;
	for (size_t i = 0; i < im.w * im.h; i++)
		mean += im.v[i] / (double)(im.w * im.h);
	for (size_t y = 0; y < im.h; y++) /* the right half: noise around the mean */
		for (size_t x = im.w / 2; x < im.w; x++)
			im.v[y * im.w + x] = mean * (1 + 0.3 * wrng_gauss(&seed));
	am_lattice L;
	lattice_of(&L, &im);
	am_motif M;
	char err[256];
	assert_int_equal(am_motif_build(&M, &im, &L, NULL, err, sizeof err), 0);
	if (!(M.crystal > 0.4 && M.crystal < 0.65))
		fail_msg("crystal share %.2f, want about 0.5", M.crystal);
	am_colset cols;
	assert_int_equal(am_motif_columns(&cols, &M, &L, im.w, im.h, 1.0, err, sizeof err), 0);
	size_t right = 0;
	for (size_t i = 0; i < cols.n; i++)
		right += cols.v[i].x > (double)im.w / 2 + 40;
	if (right > cols.n / 50)
		fail_msg("%zu of %zu columns over the amorphous half", right, cols.n);
	am_colset_free(&cols);
	am_motif_free(&M);
	am_image_free(&im);
	am_struct_free(&s);
}

/* The same on a 2100 x 2100 image, where the window sums run on blocks
 * of pixels (BLOCK_FROM in motif.c): the verdicts still follow the
 * amorphous half, pixel by pixel away from its edge, whether it is the
 * right half (block columns) or the lower one (block rows). */
static void test_crystal_mask_in_blocks(void **state)
{
	(void)state;
	for (int lower = 0; lower < 2; lower++) {
		am_struct s;
		perovskite(&s);
		am_sim_opts o = AM_SIM_OPTS_INIT;
		o.w = o.h = 2100, o.dose = 2000, o.rotation = 10, o.seed = 5, o.read_noise = 0.02;
		am_image im;
		char err[256];
		assert_int_equal(am_simulate(&im, &s, &o, err, sizeof err), 0);
		uint64_t seed = 11;
		double mean = 0;
		for (size_t i = 0; i < im.w * im.h; i++)
			mean += im.v[i] / (double)(im.w * im.h);
		size_t half = im.w / 2; /* square: the same both ways */
		for (size_t y = 0; y < im.h; y++)
			for (size_t x = 0; x < im.w; x++)
				if ((lower ? y : x) >= half)
					im.v[y * im.w + x] = mean * (1 + 0.3 * wrng_gauss(&seed));
		am_lattice L;
		lattice_of(&L, &im);
		am_motif M;
		assert_int_equal(am_motif_build(&M, &im, &L, NULL, err, sizeof err), 0);
		if (!(M.crystal > 0.4 && M.crystal < 0.65))
			fail_msg("amorphous %s half: crystal share %.2f, want about 0.5", lower ? "lower" : "right",
				 M.crystal);
		size_t in_lattice = 0, in_amorphous = 0, n_side = 0;
		for (size_t a = 0; a < im.w; a++) /* along the edge */
			for (size_t d = 0; d < half - 150; d++) { /* away from it, both sides */
				size_t near = lower ? a + d * im.w : d + a * im.w;
				size_t far = lower ? a + (im.h - 1 - d) * im.w : (im.w - 1 - d) + a * im.w;
				in_lattice += M.in[near];
				in_amorphous += M.in[far];
				n_side++;
			}
		if (in_lattice < n_side * 95 / 100 || in_amorphous > n_side / 20)
			fail_msg("amorphous %s half: crystal away from the edge: %zu of %zu on the lattice side, %zu on "
				 "the amorphous side",
				 lower ? "lower" : "right", in_lattice, n_side, in_amorphous);
		am_motif_free(&M);
		am_image_free(&im);
		am_struct_free(&s);
	}
}

static void test_species_by_ratio(void **state)
{
	(void)state;
	int cls[4];
	/* a bilayer's equal columns, two elements: both the heaviest */
	assert_int_equal(am_species_by_ratio((double[]){1.0, 0.98}, 2, 2, AM_SAME_SPECIES, cls), 1);
	assert_int_equal(cls[0], 1);
	assert_int_equal(cls[1], 1);
	/* Ga and As, 10% apart: two species */
	assert_int_equal(am_species_by_ratio((double[]){0.9, 1.0}, 2, 2, AM_SAME_SPECIES, cls), 2);
	assert_int_equal(cls[0], 0);
	assert_int_equal(cls[1], 1);
	/* more levels than elements: the extra ones are the lightest */
	assert_int_equal(am_species_by_ratio((double[]){1.0, 0.5, 0.2, 0.05}, 4, 2, AM_SAME_SPECIES, cls), 4);
	assert_int_equal(cls[0], 1);
	assert_int_equal(cls[1], 0);
	assert_int_equal(cls[3], 0);
}

/* Two species 10% apart on a centred square net (CsCl along [001], as Ga
 * and As in GaAs): the main reflections index the net of all columns,
 * a/sqrt2; the weak ones that tell the species apart make the cell a. */
static void test_superstructure(void **state)
{
	(void)state;
	am_struct s;
	am_struct_init(&s, "GaAs-like", 4.0, 4.0, 4.0, 90);
	assert_int_equal(am_struct_add(&s, "As", 0, 0, 0), 0);
	assert_int_equal(am_struct_add(&s, "Ga", 0.5, 0.5, 0.5), 0);
	am_image im;
	simulate(&im, &s, 3000, 17, 6);
	am_lattice L;
	lattice_of(&L, &im);
	if (!(fabs(L.len_a - 4.0) < 0.05 && fabs(L.len_b - 4.0) < 0.05 && fabs(L.gamma - 90) < 1))
		fail_msg("a %.3f b %.3f gamma %.2f, want the 4 A cell", L.len_a, L.len_b, L.gamma);
	am_image_free(&im);
	/* one species alone on the same net: the small cell, no superstructure */
	am_struct_free(&s);
	am_struct_init(&s, "As-net", 4.0, 4.0, 4.0, 90);
	assert_int_equal(am_struct_add(&s, "As", 0, 0, 0), 0);
	assert_int_equal(am_struct_add(&s, "As", 0.5, 0.5, 0.5), 0);
	simulate(&im, &s, 3000, 17, 6);
	lattice_of(&L, &im);
	if (!(fabs(L.len_a - 4.0 / sqrt(2)) < 0.05))
		fail_msg("a %.3f, want %.3f", L.len_a, 4.0 / sqrt(2));
	am_image_free(&im);
	am_struct_free(&s);
}

/* The same two species at a low dose, with drift: the superstructure's
 * spots stand out at their first orders only (the probe's transfer falls
 * with |g|), and the seed basis they are probed from is off by the drift's
 * shear until it is fitted to the peaks. Near the limit of detection, so
 * counted over 12 seeds: the 4 A cell on 8 at least (the search before
 * both changes found it on 4), and one species alone the small cell on
 * every seed (a superstructure is never made up). */
static void test_superstructure_at_low_dose(void **state)
{
	(void)state;
	for (int one = 0; one <= 1; one++) {
		am_struct s;
		am_struct_init(&s, one ? "As-net" : "GaAs-like", 4.0, 4.0, 4.0, 90);
		assert_int_equal(am_struct_add(&s, "As", 0, 0, 0), 0);
		assert_int_equal(am_struct_add(&s, one ? "As" : "Ga", 0.5, 0.5, 0.5), 0);
		int right = 0;
		double want = one ? 4.0 / sqrt(2) : 4.0;
		for (uint64_t seed = 1; seed <= 12; seed++) {
			am_sim_opts o = AM_SIM_OPTS_INIT;
			o.w = o.h = 1024, o.px = 0.16, o.dose = 150, o.rotation = 23 + 31 * (double)seed, o.seed = seed;
			o.read_noise = 0.1, o.drift = 0.02, o.sigma = 0.5;
			am_image im;
			char err[256];
			assert_int_equal(am_simulate(&im, &s, &o, err, sizeof err), 0);
			am_lattice L;
			lattice_of(&L, &im);
			right += fabs(L.len_a - want) < 0.1 * want && fabs(L.len_b - want) < 0.1 * want;
			am_image_free(&im);
		}
		if (right < (one ? 12 : 8))
			fail_msg("%s: the %.3f A cell on %d of 12 seeds, want %d", one ? "one species" : "two species", want,
				 right, one ? 12 : 8);
		am_struct_free(&s);
	}
}

/* Rutile [001] turned so that one of its O superstructure's shortest spots
 * lies along the slow-scan axis (where row jitter puts satellites): the
 * other, at 90 degrees, shows the spots are a superstructure, and the cell
 * is a x a, not the Ti sublattice's a / sqrt 2. */
static void test_superstructure_along_the_slow_axis(void **state)
{
	(void)state;
	am_struct s;
	am_struct_init(&s, "rutile-like", 4.59, 4.59, 2.96, 90);
	assert_int_equal(am_struct_add(&s, "Ti", 0, 0, 0), 0);
	assert_int_equal(am_struct_add(&s, "Ti", 0.5, 0.5, 0.5), 0);
	assert_int_equal(am_struct_add(&s, "O", 0.3, 0.3, 0), 0);
	assert_int_equal(am_struct_add(&s, "O", 0.7, 0.7, 0), 0);
	assert_int_equal(am_struct_add(&s, "O", 0.8, 0.2, 0.5), 0);
	assert_int_equal(am_struct_add(&s, "O", 0.2, 0.8, 0.5), 0);
	int right = 0, n = 0;
	for (double rot = 86; rot <= 94; rot += 2, n++) {
		am_sim_opts o = AM_SIM_OPTS_INIT;
		o.w = o.h = 1024, o.px = 0.13, o.dose = 5000, o.rotation = rot, o.seed = (uint64_t)rot;
		o.sigma = 0.4;
		am_image im;
		char err[256];
		assert_int_equal(am_simulate(&im, &s, &o, err, sizeof err), 0);
		am_lattice L;
		lattice_of(&L, &im);
		right += fabs(L.len_a - 4.59) < 0.1 * 4.59 && fabs(L.len_b - 4.59) < 0.1 * 4.59;
		am_image_free(&im);
	}
	if (right < n)
		fail_msg("the 4.59 A cell at %d of %d rotations around 90 degrees", right, n);
	am_struct_free(&s);
}

/* A low-dose image with a bright contamination blob over a fifth of it is
 * still periodic: the blob's power is below the lattice's band. */
static void test_periodicity_with_contamination(void **state)
{
	(void)state;
	am_struct s;
	perovskite(&s);
	am_image im;
	simulate(&im, &s, 150, 31, 7);
	double peak = 0;
	for (size_t i = 0; i < im.w * im.h; i++)
		peak = fmax(peak, im.v[i]);
	for (size_t y = 0; y < im.h; y++)
		for (size_t x = 0; x < im.w; x++) {
			double dx = (double)x - 150, dy = (double)y - 300;
			im.v[y * im.w + x] += 1.5 * peak * exp(-(dx * dx + dy * dy) / (2 * 60.0 * 60.0));
		}
	am_quality q;
	am_quality_opts o = AM_QUALITY_OPTS_INIT;
	char err[256];
	assert_int_equal(am_quality_measure(&q, &im, &o, err, sizeof err), 0);
	if (!(q.periodicity >= 0.35))
		fail_msg("periodicity %.2f under the gate's 0.35", q.periodicity);
	am_image_free(&im);
	am_struct_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_light_columns_from_the_average),
		cmocka_unit_test(test_light_columns_under_tails),
		cmocka_unit_test(test_missing_element_site),
		cmocka_unit_test(test_crystal_mask),
		cmocka_unit_test(test_crystal_mask_in_blocks),
		cmocka_unit_test(test_species_by_ratio),
		cmocka_unit_test(test_superstructure),
		cmocka_unit_test(test_superstructure_at_low_dose),
		cmocka_unit_test(test_superstructure_along_the_slow_axis),
		cmocka_unit_test(test_periodicity_with_contamination),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
