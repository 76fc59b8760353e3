/* The summary's plausibility warnings on hand-made reports (each rule
 * fires on its case and not on a good result), the Markdown page, and the
 * overlay's size and rings. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "summary.h"

static json_t *good_report(void)
{
	json_t *r = json_loads(
		"{\"format\":\"automat-report/1\","
		"\"lattice\":{\"a\":3.16,\"b\":3.16,\"gamma\":120,\"periodicity\":0.98,\"indexed\":1.0,\"peaks\":48},"
		"\"match\":{\"template\":\"2H-MoS2\",\"score\":0.95,\"min_score\":0.5},"
		"\"choice\":{\"line\":\"template\",\"template\":\"2H-MoS2\",\"best_score\":0.95,\"min_score\":0.5,"
		"\"decided_by\":\"rule\"},"
		"\"reconstruct\":{\"line\":\"template\",\"atoms\":3,\"cell\":{\"a\":3.16,\"b\":3.16,\"c\":20,\"gamma\":120}},"
		"\"relax\":{\"method\":\"FIRE\",\"energy_per_atom\":-3.04,\"energy_per_atom_initial\":-2.94,"
		"\"max_displacement\":0.19,\"max_force\":0.002,\"steps\":29,\"converged\":true},"
		"\"compare\":{\"match\":true,\"rmsd\":0.01,\"why\":\"\"}}",
		0, NULL);
	assert_non_null(r);
	return r;
}

/* How many warnings contain `needle`. */
static size_t count(const json_t *w, const char *needle)
{
	size_t n = 0;
	for (size_t i = 0; i < json_array_size(w); i++)
		n += strstr(json_string_value(json_array_get(w, i)), needle) != NULL;
	return n;
}

static void set_num(json_t *r, const char *obj, const char *key, double v)
{
	json_object_set_new(json_object_get(r, obj), key, json_real(v));
}

static void test_a_good_result_is_plausible(void **state)
{
	(void)state;
	json_t *r = good_report(), *w = am_summary_warnings(r);
	assert_int_equal(json_array_size(w), 0);
	char *md = am_summary_markdown(r, w, NULL, NULL, "overlay.png");
	assert_non_null(strstr(md, "**Status: plausible**"));
	assert_non_null(strstr(md, "template structure from 2H-MoS2"));
	assert_non_null(strstr(md, "![columns](overlay.png)"));
	assert_null(strstr(md, "## Warnings"));
	free(md);
	json_decref(w);
	json_decref(r);
}

static void test_each_rule_fires_on_its_case(void **state)
{
	(void)state;
	json_t *r = good_report();
	set_num(r, "relax", "energy_per_atom", 54.1);
	json_t *w = am_summary_warnings(r);
	assert_int_equal(json_array_size(w), 1);
	assert_int_equal(count(w, "+54.100 eV: positive"), 1);
	char *md = am_summary_markdown(r, w, NULL, NULL, NULL);
	assert_non_null(strstr(md, "**Status: 1 warning**"));
	assert_non_null(strstr(md, "## Warnings\n\n- the relaxed energy per atom is +54.100 eV"));
	free(md);
	json_decref(w);
	json_decref(r);

	r = good_report();
	set_num(r, "relax", "max_displacement", 1.7);
	json_object_set_new(json_object_get(r, "relax"), "converged", json_false());
	w = am_summary_warnings(r);
	assert_int_equal(json_array_size(w), 2);
	assert_int_equal(count(w, "moved up to 1.70 A"), 1);
	assert_int_equal(count(w, "did not converge"), 1);
	json_decref(w);
	json_decref(r);

	/* the template line on a template under min_score (an LLM's choice) */
	r = good_report();
	set_num(r, "choice", "best_score", 0.14);
	w = am_summary_warnings(r);
	assert_int_equal(count(w, "score 0.14 is under min_score 0.50"), 1);
	json_decref(w);
	json_decref(r);

	/* no template near the image, on the template-free line */
	r = good_report();
	set_num(r, "choice", "best_score", 0.14);
	json_object_set_new(json_object_get(r, "choice"), "line", json_string("template-free"));
	w = am_summary_warnings(r);
	assert_int_equal(json_array_size(w), 1);
	assert_int_equal(count(w, "no template resembles the image (best score 0.14"), 1);
	json_decref(w);
	/* but a near miss (0.3 of 0.5) on that line is not a warning */
	set_num(r, "choice", "best_score", 0.3);
	w = am_summary_warnings(r);
	assert_int_equal(json_array_size(w), 0);
	json_decref(w);
	json_decref(r);

	r = good_report();
	set_num(r, "lattice", "indexed", 0.3);
	json_object_set_new(json_object_get(r, "compare"), "match", json_false());
	json_object_set_new(json_object_get(r, "compare"), "why", json_string("lattices differ"));
	w = am_summary_warnings(r);
	assert_int_equal(json_array_size(w), 2);
	assert_int_equal(count(w, "the lattice is weak"), 1);
	assert_int_equal(count(w, "does not match the reference CIF: lattices differ"), 1);
	json_decref(w);
	json_decref(r);
}

/* The template-free line's cell is a flat projection: its relaxation is
 * not judged, its cell is. */
static void test_template_free_checks(void **state)
{
	(void)state;
	json_t *r = good_report();
	json_object_set_new(json_object_get(r, "choice"), "line", json_string("template-free"));
	set_num(r, "relax", "energy_per_atom", 12.6); /* a squeezed flat projection */
	set_num(r, "relax", "max_displacement", 2.0);
	json_t *w = am_summary_warnings(r);
	assert_int_equal(json_array_size(w), 0);
	json_decref(w);
	/* an element no column took */
	json_object_set_new(json_object_get(r, "reconstruct"), "elements_without_column", json_pack("[s]", "O"));
	w = am_summary_warnings(r);
	assert_int_equal(json_array_size(w), 1);
	assert_int_equal(count(w, "no column was given O"), 1);
	json_decref(w);
	/* a cell that reduces to a smaller one */
	json_object_set_new(json_object_get(r, "reconstruct"), "elements_without_column", json_array());
	set_num(r, "reconstruct", "reduces_by", 3);
	w = am_summary_warnings(r);
	assert_int_equal(json_array_size(w), 1);
	assert_int_equal(count(w, "reduces to one 3 times smaller"), 1);
	json_decref(w);
	/* out of the library (no template of these elements), a score of 0 is
	 * no warning; with one of these elements, it is */
	set_num(r, "reconstruct", "reduces_by", 1);
	set_num(r, "choice", "best_score", 0);
	json_object_set_new(json_object_get(r, "match"), "ranked",
			    json_pack("[{s:s, s:b}]", "template", "1T-MoS2", "elements_ok", 0));
	w = am_summary_warnings(r);
	assert_int_equal(json_array_size(w), 0);
	json_decref(w);
	json_object_set_new(json_object_get(r, "match"), "ranked",
			    json_pack("[{s:s, s:b}]", "template", "2H-MoS2", "elements_ok", 1));
	w = am_summary_warnings(r);
	assert_int_equal(count(w, "no template resembles"), 1);
	json_decref(w);
	json_decref(r);
}

static void test_the_overlay(void **state)
{
	(void)state;
	am_image im;
	assert_int_equal(am_image_new(&im, 300, 200, 0.1), 0);
	for (size_t i = 0; i < 300 * 200; i++)
		im.v[i] = (double)(i % 300);
	am_col c[2] = {{100, 100, 1, 0, -1}, {200, 100, 2, 1, -1}};
	am_colset cols = {c, 2, 0, 0};
	size_t w, h;
	unsigned char *rgb = am_summary_overlay(&im, &cols, 150, &w, &h);
	assert_non_null(rgb);
	assert_int_equal(w, 150); /* scaled down by 2 to fit 150 */
	assert_int_equal(h, 100);
	/* gray at a pixel far from both rings, class colours on them */
	const unsigned char *far = rgb + (5 * w + 5) * 3;
	assert_true(far[0] == far[1] && far[1] == far[2]);
	size_t cyan = 0, red = 0;
	for (size_t i = 0; i < w * h; i++) {
		const unsigned char *p = rgb + i * 3;
		cyan += p[0] == 0 && p[1] == 200 && p[2] == 255;
		red += p[0] == 255 && p[1] == 60 && p[2] == 60;
	}
	assert_true(cyan > 20 && red > 20);
	free(rgb);
	am_image_free(&im);
	assert_string_equal(am_summary_colour(1), "red");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_good_result_is_plausible),
		cmocka_unit_test(test_each_rule_fires_on_its_case),
		cmocka_unit_test(test_template_free_checks),
		cmocka_unit_test(test_the_overlay),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
