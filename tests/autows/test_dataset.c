/* Unit tests of AutoWS datasets: CSV and .npy input, the split, and the
 * errors bad input gets. */
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

#include "dataset.h"
#include "featurize.h"
#include "npy.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/autows-unit-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd);
}

static const char *write_file(const char *name, const char *text)
{
	static char p[256];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return p;
}

static void test_csv_and_split(void **state)
{
	(void)state;
	char text[4096] = "a,b,label\n";
	for (int i = 0; i < 60; i++) {
		char row[64];
		snprintf(row, sizeof row, "%d,%d.5,%s\n", i, i % 7, i % 3 == 0 ? "cat" : i % 3 == 1 ? "dog" : i < 30 ? "owl" : "");
		strcat(text, row);
	}
	aws_data D;
	char err[512];
	assert_int_equal(aws_data_read_csv(&D, write_file("d.csv", text), "d.csv", "label", err, sizeof err), 0);
	assert_int_equal(D.n, 60);
	assert_int_equal(D.d, 2);
	assert_int_equal(D.k, 3);
	assert_string_equal(D.classes[2], "owl");
	assert_int_equal(D.y[59], -1); /* an empty label is unknown */
	assert_true(D.X[1 * 2 + 1] == 1.5);
	assert_int_equal(aws_data_split(&D, 9, 0.2, 7, err, sizeof err), 0);
	size_t *idx;
	assert_int_equal(aws_data_rows(&D, AWS_LABELED, &idx), 9);
	free(idx);
	size_t nt = aws_data_rows(&D, AWS_TEST, &idx);
	free(idx);
	assert_int_equal(nt, (size_t)(0.2 * 50)); /* 50 rows have gold labels */
	/* Saved and loaded through .npy files, the dataset is the same. */
	char sub[128];
	snprintf(sub, sizeof sub, "%s/ds", dir);
	assert_int_equal(aws_data_save(&D, sub, err, sizeof err), 0);
	aws_data E;
	assert_int_equal(aws_data_load(&E, sub, err, sizeof err), 0);
	assert_int_equal(E.n, D.n);
	assert_memory_equal(E.X, D.X, D.n * D.d * sizeof *D.X);
	assert_memory_equal(E.split, D.split, D.n * sizeof *D.split);
	assert_string_equal(E.classes[1], "dog");
	aws_data_free(&E);
	/* The same seed, the same split. */
	int32_t first[60];
	memcpy(first, D.split, sizeof first);
	assert_int_equal(aws_data_split(&D, 9, 0.2, 7, err, sizeof err), 0);
	assert_memory_equal(first, D.split, sizeof first);
	aws_data_free(&D);
}

/* autows.featurize keeps each feature's standard deviation before it
 * standardised it (units_graph's metric), a saved dataset gives the same
 * doubles back, PCA components have none, and a meta.json whose units do
 * not match the features is refused. */
static void test_units(void **state)
{
	(void)state;
	char text[4096] = "a,b,c,label\n";
	for (int i = 0; i < 40; i++) {
		char row[96];
		snprintf(row, sizeof row, "%d,%g,7,%s\n", i * 3, (i % 5) / 3.0, i % 2 ? "x" : "y");
		strcat(text, row);
	}
	aws_data D;
	char err[512], sub[128];
	assert_int_equal(aws_data_read_csv(&D, write_file("u.csv", text), "u.csv", "label", err, sizeof err), 0);
	assert_null(D.units);
	double mean = 0, ss = 0;
	for (size_t i = 0; i < D.n; i++)
		mean += D.X[i * 3] / (double)D.n;
	for (size_t i = 0; i < D.n; i++)
		ss += (D.X[i * 3] - mean) * (D.X[i * 3] - mean);
	assert_int_equal(aws_featurize(&D, 0, err, sizeof err), 0);
	assert_non_null(D.units);
	assert_true(fabs(D.units[0] - sqrt(ss / (double)D.n)) < 1e-12);
	assert_true(D.units[1] > 0.4 && D.units[1] < 0.6);
	assert_true(D.units[2] == 0); /* a constant column */
	snprintf(sub, sizeof sub, "%s/units", dir);
	assert_int_equal(aws_data_save(&D, sub, err, sizeof err), 0);
	aws_data E;
	assert_int_equal(aws_data_load(&E, sub, err, sizeof err), 0);
	assert_non_null(E.units);
	assert_memory_equal(E.units, D.units, 3 * sizeof *D.units);
	aws_data_free(&E);
	/* a meta.json whose units are one short */
	char meta[256];
	snprintf(meta, sizeof meta, "%s/meta.json", sub);
	FILE *f = fopen(meta, "r");
	assert_non_null(f);
	char buf[4096];
	size_t len = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[len] = 0;
	char *u = strstr(buf, "\"units\"");
	assert_non_null(u);
	char *first = strchr(u, '[');
	assert_non_null(first);
	char *comma = strchr(first, ','); /* drop the first unit */
	assert_non_null(comma);
	memmove(first + 1, comma + 1, strlen(comma + 1) + 1);
	f = fopen(meta, "w");
	assert_non_null(f);
	fputs(buf, f);
	fclose(f);
	assert_int_equal(aws_data_load(&E, sub, err, sizeof err), -1);
	assert_non_null(strstr(err, "units are not one per feature"));
	aws_data_free(&E);
	/* PCA components have no units */
	assert_int_equal(aws_featurize(&D, 2, err, sizeof err), 0);
	assert_null(D.units);
	aws_data_free(&D);
}

static void test_bad_input(void **state)
{
	(void)state;
	aws_data D;
	char err[512];
	assert_int_equal(aws_data_read_csv(&D, write_file("nan.csv", "a,label\n1,x\nNaN,y\n"), "nan.csv", "label", err,
					   sizeof err),
			 -1);
	assert_non_null(strstr(err, "nan.csv:3: feature 'a' is missing"));
	assert_int_equal(aws_data_read_csv(&D, write_file("txt.csv", "a,label\n1,x\nabc,y\n"), "txt.csv", "label", err,
					   sizeof err),
			 -1);
	assert_non_null(strstr(err, "txt.csv:3: feature 'a' is 'abc'"));
	assert_int_equal(aws_data_read_csv(&D, write_file("nol.csv", "a,b\n1,2\n"), "nol.csv", "label", err, sizeof err),
			 -1);
	assert_non_null(strstr(err, "no column named 'label'"));

	/* No label at all: read, then refused by the split. */
	assert_int_equal(aws_data_read_csv(&D, write_file("none.csv", "a,label\n1,\n2,\n"), "none.csv", "label", err,
					   sizeof err),
			 0);
	assert_int_equal(D.k, 0);
	assert_int_equal(aws_data_split(&D, 5, 0, 1, err, sizeof err), -1);
	assert_non_null(strstr(err, "the labels name 0 classes; weak supervision needs at least 2"));
	aws_data_free(&D);

	/* Fewer labels than classes, and a class no labeled row shows. */
	assert_int_equal(aws_data_read_csv(&D, write_file("k.csv", "a,label\n1,x\n2,y\n3,z\n4,x\n5,x\n6,x\n7,x\n"),
					   "k.csv", "label", err, sizeof err),
			 0);
	assert_int_equal(aws_data_split(&D, 2, 0, 1, err, sizeof err), -1);
	assert_non_null(strstr(err, "2 labels cannot cover 3 classes"));
	/* Stratified: 3 labels for classes of 5, 1 and 1 rows always give
	 * each class its row, whatever the seed. */
	for (uint64_t seed = 1; seed < 20; seed++) {
		assert_int_equal(aws_data_split(&D, 3, 0, seed, err, sizeof err), 0);
		int per[3] = {0};
		for (size_t i = 0; i < D.n; i++)
			if (D.split[i] == AWS_LABELED)
				per[D.y[i]]++;
		assert_int_equal(per[0] * 100 + per[1] * 10 + per[2], 111);
	}
	/* A class whose only row went to the test set: refused, naming what
	 * the rest of the data holds. */
	int hit = 0;
	for (uint64_t seed = 1; seed < 40 && !hit; seed++)
		if (aws_data_split(&D, 3, 0.3, seed, err, sizeof err) == -1 && strstr(err, "has no row among the 3 labeled") &&
		    strstr(err, "outside the test rows the data has 'x' ("))
			hit = 1;
	assert_true(hit);
	aws_data_free(&D);

	/* A given split, from a column that is not a feature. */
	assert_int_equal(aws_data_read_csv_split(&D,
						 write_file("sp.csv", "a,split,label\n1,labeled,x\n2,labeled,y\n3,test,x\n"
								      "4,unlabeled,\n5,TEST,y\n"),
						 "sp.csv", "label", "split", err, sizeof err),
			 0);
	assert_int_equal(D.d, 1);
	assert_int_equal(aws_data_split_given(&D, err, sizeof err), 0);
	assert_int_equal(D.split[0] * 10000 + D.split[1] * 1000 + D.split[2] * 100 + D.split[3] * 10 + D.split[4],
			 11202);
	aws_data_free(&D);
	assert_int_equal(aws_data_read_csv_split(&D, write_file("sp2.csv", "a,split,label\n1,train,x\n"), "sp2.csv",
						 "label", "split", err, sizeof err),
			 -1);
	assert_non_null(strstr(err, "sp2.csv:2: split 'split' is 'train'"));
	assert_int_equal(aws_data_read_csv_split(&D, write_file("sp3.csv", "a,split,label\n1,test,\n2,labeled,x\n"
									  "3,labeled,y\n"),
						 "sp3.csv", "label", "split", err, sizeof err),
			 0);
	assert_int_equal(aws_data_split_given(&D, err, sizeof err), -1);
	assert_non_null(strstr(err, "row 1 is a test row but has no label"));
	aws_data_free(&D);

	/* .npy: row counts that differ, and NaN. */
	double x[6] = {1, 2, 3, 4, 5, 6};
	int32_t y2[2] = {0, 1};
	char xp[128], yp[128];
	snprintf(xp, sizeof xp, "%s/X.npy", dir);
	snprintf(yp, sizeof yp, "%s/y.npy", dir);
	assert_int_equal(wnpy_write_f8(xp, x, 3, 2, 2, err, sizeof err), 0);
	assert_int_equal(wnpy_write_i4(yp, y2, 2, err, sizeof err), 0);
	assert_int_equal(aws_data_read_npy(&D, xp, yp, err, sizeof err), -1);
	assert_non_null(strstr(err, "X.npy has 3 rows but y.npy has 2"));
	x[3] = 0.0 / 0.0;
	int32_t y3[3] = {0, 1, -1};
	assert_int_equal(wnpy_write_f8(xp, x, 3, 2, 2, err, sizeof err), 0);
	assert_int_equal(wnpy_write_i4(yp, y3, 3, err, sizeof err), 0);
	assert_int_equal(aws_data_read_npy(&D, xp, yp, err, sizeof err), -1);
	assert_non_null(strstr(err, "row 1, column 1 is not finite"));
	x[3] = 4;
	assert_int_equal(wnpy_write_f8(xp, x, 3, 2, 2, err, sizeof err), 0);
	assert_int_equal(aws_data_read_npy(&D, xp, yp, err, sizeof err), 0);
	assert_int_equal(D.k, 2);
	assert_int_equal(D.y[2], -1);
	aws_data_free(&D);
	/* Labels 1-indexed and with gaps: the classes are the values present. */
	int32_t y4[3] = {3, 7, 3};
	assert_int_equal(wnpy_write_i4(yp, y4, 3, err, sizeof err), 0);
	assert_int_equal(aws_data_read_npy(&D, xp, yp, err, sizeof err), 0);
	assert_int_equal(D.k, 2);
	assert_string_equal(D.classes[0], "3");
	assert_string_equal(D.classes[1], "7");
	assert_int_equal(D.y[0] * 100 + D.y[1] * 10 + D.y[2], 10);
	aws_data_free(&D);
	assert_int_equal(aws_data_read_npy(&D, write_file("junk.npy", "hello"), yp, err, sizeof err), -1);
	assert_non_null(strstr(err, "not a .npy file"));
	/* A shape that claims more data than the file holds (1.6 TB here) is
	 * refused before anything that large is allocated (found by
	 * tests/fuzz/fuzz_npy.c; ASan aborts on the allocation). */
	static const char huge[] = "\x93NUMPY\x01\x00\x76\x00" "{'descr': '<f8', 'fortran_order': False, 'shape': (200000000000,), }                                                 \n";
	FILE *f = fopen(xp, "wb");
	assert_non_null(f);
	fwrite(huge, 1, sizeof huge - 1, f);
	fwrite(x, sizeof *x, 2, f);
	fclose(f);
	wnpy a;
	assert_int_equal(wnpy_read(&a, xp, "X.npy", err, sizeof err), -1);
	assert_non_null(strstr(err, "shorter than its shape"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_and_split),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_units),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
