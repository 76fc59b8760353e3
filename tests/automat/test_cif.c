/* Unit tests of the CIF reader and writer and of the projection. */
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
#include <unistd.h>

#include "cif.h"
#include "projection.h"
#include "rng.h"

static void test_round_trip(void **state)
{
	(void)state;
	am_struct s, r;
	am_struct_init(&s, "round trip", 3.16, 3.2, 20, 120);
	assert_int_equal(am_struct_add(&s, "Mo", 1.0 / 3, 2.0 / 3, 0.5), 0);
	assert_int_equal(am_struct_add(&s, "S", 2.0 / 3, 1.0 / 3, 0.578), 0);
	char path[] = "/tmp/automat-cif-XXXXXX", err[256];
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(am_cif_write(path, &s, err, sizeof err), 0);
	assert_int_equal(am_cif_read(&r, path, err, sizeof err), 0);
	assert_string_equal(r.name, "round_trip");
	assert_true(fabs(r.a - 3.16) < 1e-6 && fabs(r.b - 3.2) < 1e-6 && fabs(r.c - 20) < 1e-6);
	assert_true(fabs(r.gamma - 120) < 1e-4 && fabs(r.alpha - 90) < 1e-4);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.at[0].el, "Mo");
	assert_string_equal(r.at[1].el, "S");
	assert_true(fabs(r.at[1].z - 0.578) < 1e-6 && fabs(r.at[0].y - 2.0 / 3) < 1e-6);
	remove(path);
	am_struct_free(&s), am_struct_free(&r);
}

/* Symmetry operations are applied, copies on one site merged, and
 * uncertainties and charges stripped. */
static void test_symmetry(void **state)
{
	(void)state;
	const char *text = "data_test\n# a comment\n_cell_length_a 4.0(1)\n_cell_length_b 4.0\n_cell_length_c 4.0\n"
			   "_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\n"
			   "loop_\n_symmetry_equiv_pos_as_xyz\n'x, y, z'\n'-x, -y, z'\n'x+1/2, y+1/2, z'\n"
			   "loop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n"
			   "_atom_site_fract_z\nSr1 Sr2+ 0 0 0\nO1 O 0.25(3) 0 0.5\n";
	am_struct s;
	char err[256];
	assert_int_equal(am_cif_parse(&s, text, "t.cif", err, sizeof err), 0);
	assert_true(fabs(s.a - 4.0) < 1e-12);
	/* Sr at the origin: x,y,z and -x,-y,z coincide; +1/2 gives (1/2,1/2,0) */
	size_t sr = 0, o = 0;
	for (size_t i = 0; i < s.n; i++)
		sr += !strcmp(s.at[i].el, "Sr"), o += !strcmp(s.at[i].el, "O");
	assert_int_equal(sr, 2);
	assert_int_equal(o, 3); /* (1/4,0,1/2), (3/4,0,1/2), (3/4,1/2,1/2) */
	am_struct_free(&s);
}

static void expect_error(const char *text, const char *want)
{
	am_struct s;
	char err[256] = "";
	assert_int_equal(am_cif_parse(&s, text, "bad.cif", err, sizeof err), -1);
	if (!strstr(err, want))
		fail_msg("error '%s' does not contain '%s'", err, want);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("no block here\n", "no data_ block");
	expect_error("data_x\n_cell_length_a 3\n_cell_length_b 3\n_cell_angle_gamma 90\n", "_cell_length_c is missing");
	expect_error("data_x\n_cell_length_a abc\n", "bad.cif:2: _cell_length_a is not a valid number");
	expect_error("data_x\n_cell_length_a 3\n_cell_length_b 3\n_cell_length_c 3\nloop_\n_atom_site_type_symbol\n"
		     "_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nC 0 0\n",
		     "bad.cif:5: loop_ has 3 values for 4 columns");
	expect_error("data_x\n_cell_length_a 3\n_cell_length_b 3\n_cell_length_c 3\nloop_\n_atom_site_type_symbol\n"
		     "_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nC 0 zero 0\n",
		     "bad.cif:10: atom 'C' needs a known element and numeric fractional coordinates");
	expect_error("data_x\n_cell_length_a 3\n_cell_length_b 3\n_cell_length_c 3\n_cell_angle_alpha 80\n", "alpha and beta must be 90");
	expect_error("data_x\n_title 'open\n", "bad.cif:2: quoted value is not closed");
	expect_error("data_x\n;\ntext\n", "never closed");
}

/* A body-centred cell projects onto a square net half its area; a 2 x 1
 * supercell reduces back to the primitive cell. */
static void test_projection(void **state)
{
	(void)state;
	am_struct s;
	am_proj p;
	char err[256];
	am_struct_init(&s, "bct", 2.884, 2.884, 4.078, 90);
	am_struct_add(&s, "Au", 0, 0, 0);
	am_struct_add(&s, "Au", 0.5, 0.5, 0.5);
	assert_int_equal(am_proj_from_struct(&p, &s, err, sizeof err), 0);
	assert_int_equal(p.n, 1);
	assert_true(fabs(p.len_a - 2.884 / sqrt(2)) < 1e-9 && fabs(p.gamma - 90) < 1e-6);
	am_proj_free(&p);
	am_struct_free(&s);
	am_struct_init(&s, "MoS2 2x1", 6.32, 3.16, 20, 120);
	for (int i = 0; i < 2; i++) {
		am_struct_add(&s, "Mo", (i + 1.0 / 3) / 2, 2.0 / 3, 0.5);
		am_struct_add(&s, "S", (i + 2.0 / 3) / 2, 1.0 / 3, 0.42);
		am_struct_add(&s, "S", (i + 2.0 / 3) / 2, 1.0 / 3, 0.58);
	}
	assert_int_equal(am_proj_from_struct(&p, &s, err, sizeof err), 0);
	assert_int_equal(p.n, 2);
	assert_true(fabs(p.len_a - 3.16) < 1e-6 && fabs(p.len_b - 3.16) < 1e-6 && fabs(p.gamma - 120) < 1e-4);
	am_proj_free(&p);
	am_struct_free(&s);
}

/* Random damage to a real CIF -- flipped bytes, cut short, lines
 * dropped -- is either read into a sane structure or refused with a
 * message naming the file; never a crash (the ASan build runs this). */
static void test_damaged(void **state)
{
	(void)state;
	char path[4096], err[256];
	snprintf(path, sizeof path, "%s/SrTiO3-001.cif", AUTOMAT_TEMPLATES);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char orig[8192];
	size_t len = fread(orig, 1, sizeof orig - 1, f);
	fclose(f);
	orig[len] = '\0';
	static const char junk[] = "'\";#_;\n loop_ data_ 0.5(3) x,y,z -1/0 ?.";
	uint64_t seed = 42;
	int ok = 0, refused = 0;
	for (int round = 0; round < 3000; round++) {
		char buf[8192];
		memcpy(buf, orig, len + 1);
		size_t n = len;
		int edits = 1 + (int)(wrng_splitmix(&seed) % 6);
		for (int e = 0; e < edits && n > 0; e++) {
			size_t at = wrng_splitmix(&seed) % n;
			switch (wrng_splitmix(&seed) % 3) {
			case 0: /* a byte from the CIF syntax, or any byte but NUL */
				buf[at] = wrng_splitmix(&seed) % 2 ? junk[wrng_splitmix(&seed) % (sizeof junk - 1)]
								  : (char)(1 + wrng_splitmix(&seed) % 255);
				break;
			case 1: /* cut short */
				n = at, buf[n] = '\0';
				break;
			default: { /* drop a line */
				char *nl = strchr(buf + at, '\n');
				if (nl) {
					memmove(buf + at, nl + 1, strlen(nl + 1) + 1);
					n = strlen(buf);
				}
			}
			}
		}
		am_struct st;
		if (am_cif_parse(&st, buf, "damaged.cif", err, sizeof err) == 0) {
			assert_true(st.a > 0 && st.b > 0 && st.c > 0 && st.gamma > 0 && st.gamma < 180);
			for (size_t i = 0; i < st.n; i++)
				assert_true(st.at[i].x >= 0 && st.at[i].x < 1 && st.at[i].y >= 0 && st.at[i].y < 1);
			am_struct_free(&st);
			ok++;
		} else {
			assert_non_null(strstr(err, "damaged.cif"));
			refused++;
		}
	}
	assert_true(ok > 100 && refused > 100); /* both paths were exercised */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_symmetry),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_projection),
		cmocka_unit_test(test_damaged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
