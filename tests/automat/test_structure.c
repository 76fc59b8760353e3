/* Unit tests of structure comparison and of the relaxation. */
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

#include "compare.h"
#include "relax.h"

static void mos2(am_struct *s, double a, double shift_x, int mirror)
{
	am_struct_init(s, "MoS2", a, a, 20, 120);
	/* the mirror image puts Mo on the other special position */
	double mx = (mirror ? 2.0 / 3 : 1.0 / 3) + shift_x, my = mirror ? 1.0 / 3 : 2.0 / 3;
	double sx = (mirror ? 1.0 / 3 : 2.0 / 3) + shift_x, sy = mirror ? 2.0 / 3 : 1.0 / 3;
	am_struct_add(s, "Mo", mx, my, 0.5);
	am_struct_add(s, "S", sx, sy, 0.42);
	am_struct_add(s, "S", sx, sy, 0.58);
	am_struct_wrap(s);
}

static void test_compare(void **state)
{
	(void)state;
	am_struct a, b;
	am_cmp r;
	am_cmp_opts o = AM_CMP_OPTS_INIT;
	char err[256];
	mos2(&a, 3.16, 0, 0);
	/* a shifted origin and the mirror image are the same structure */
	mos2(&b, 3.16, 0.27, 1);
	assert_int_equal(am_compare(&r, &a, &b, &o, err, sizeof err), 0);
	assert_true(r.match);
	assert_true(r.rmsd < 1e-6);
	am_struct_free(&b);
	/* 2% larger: a match with its lattice error reported */
	mos2(&b, 3.16 * 1.02, 0, 0);
	assert_int_equal(am_compare(&r, &a, &b, &o, err, sizeof err), 0);
	assert_true(r.match);
	assert_true(fabs(r.err_a - 0.02) < 1e-9);
	am_struct_free(&b);
	/* 10% larger: no match, and why */
	mos2(&b, 3.16 * 1.1, 0, 0);
	assert_int_equal(am_compare(&r, &a, &b, &o, err, sizeof err), 0);
	assert_false(r.match);
	assert_non_null(strstr(r.why, "lattices differ"));
	am_struct_free(&b);
	/* S moved by 0.3 A: the RMSD says so */
	mos2(&b, 3.16, 0, 0);
	b.at[1].x += 0.3 / 3.16, b.at[2].x += 0.3 / 3.16;
	assert_int_equal(am_compare(&r, &a, &b, &o, err, sizeof err), 0);
	if (!r.match || fabs(r.rmsd - 0.3 / sqrt(2)) > 0.02)
		fail_msg("match %d rmsd %.4f: %s", r.match, r.rmsd, r.why);
	am_struct_free(&b);
	/* W for Mo: the columns are of another kind, no match */
	mos2(&b, 3.16, 0, 0);
	memcpy(b.at[0].el, "W", 2);
	assert_int_equal(am_compare(&r, &a, &b, &o, err, sizeof err), 0);
	assert_false(r.match);
	am_struct_free(&b);
	am_struct_free(&a);
}

/* The forces are minus the energy's gradient (central differences). */
static void test_forces(void **state)
{
	(void)state;
	am_struct s;
	am_struct_init(&s, "test", 3.3, 3.5, 12, 100);
	am_struct_add(&s, "Mo", 0.1, 0.2, 0.5);
	am_struct_add(&s, "S", 0.45, 0.6, 0.6);
	am_struct_add(&s, "S", 0.5, 0.55, 0.4);
	double F[9];
	am_energy(&s, F);
	double g = s.gamma * M_PI / 180;
	for (size_t i = 0; i < 3; i++)
		for (int c = 0; c < 3; c++) {
			double h = 1e-5, d[3] = {0};
			d[c] = h;
			/* the Cartesian step in fractional coordinates */
			double fy = d[1] / (s.b * sin(g)), fx = (d[0] - s.b * cos(g) * fy) / s.a, fz = d[2] / s.c;
			am_struct p = s;
			am_atom at[3];
			memcpy(at, s.at, sizeof at);
			p.at = at;
			at[i].x += fx, at[i].y += fy, at[i].z += fz;
			double ep = am_energy(&p, NULL) * 3;
			at[i].x -= 2 * fx, at[i].y -= 2 * fy, at[i].z -= 2 * fz;
			double em = am_energy(&p, NULL) * 3;
			double num = -(ep - em) / (2 * h);
			if (fabs(num - F[i * 3 + c]) > 1e-4 * (1 + fabs(num)))
				fail_msg("atom %zu axis %d: force %.6f, -dE/dx %.6f", i, c, F[i * 3 + c], num);
		}
	am_struct_free(&s);
}

/* A displaced atom comes back: the energy drops and the forces vanish. */
static void test_relax(void **state)
{
	(void)state;
	am_struct s;
	mos2(&s, 3.16, 0, 0);
	am_relax_opts o = AM_RELAX_OPTS_INIT;
	am_relax_result r0, r1;
	char err[256];
	assert_int_equal(am_relax(&s, &o, &r0, err, sizeof err), 0);
	assert_true(r0.converged);
	s.at[0].x += 0.05, s.at[1].z += 0.01;
	assert_int_equal(am_relax(&s, &o, &r1, err, sizeof err), 0);
	assert_true(r1.converged);
	assert_true(r1.e0 > r1.e + 1e-3);
	assert_true(fabs(r1.e - r0.e) < 1e-4);
	assert_true(r1.fmax < o.fmax);
	am_struct_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_forces),
		cmocka_unit_test(test_relax),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
