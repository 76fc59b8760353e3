/* Unit tests of the Auto-BI CSV reader and column profiling. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv.h"
#include "profile.h"

static int parse(wcsv *t, const char *text, char *err)
{
	return wcsv_parse(t, text, strlen(text), "t.csv", err, 512);
}

static void test_bom_quotes_crlf(void **state)
{
	(void)state;
	wcsv t;
	char err[512];
	const char *text = "\xEF\xBB\xBFid,name,note\r\n"
			   "1,\"Smith, Ann\",\"said \"\"hi\"\"\"\r\n"
			   "2,  Bob  ,\"two\nlines\"\r\n"
			   "\r\n"
			   "3,NA,\r\n";
	assert_int_equal(parse(&t, text, err), 0);
	assert_int_equal(t.ncols, 3);
	assert_int_equal(t.nrows, 3);
	assert_string_equal(t.names[0], "id"); /* the BOM is not part of the name */
	assert_string_equal(wcsv_cell(&t, 0, 1), "Smith, Ann");
	assert_string_equal(wcsv_cell(&t, 0, 2), "said \"hi\"");
	assert_string_equal(wcsv_cell(&t, 1, 1), "Bob");
	assert_string_equal(wcsv_cell(&t, 1, 2), "two\nlines");
	assert_null(wcsv_cell(&t, 2, 1)); /* NA */
	assert_null(wcsv_cell(&t, 2, 2)); /* empty */
	wcsv_free(&t);
}

static void test_delimiters(void **state)
{
	(void)state;
	wcsv t;
	char err[512];
	assert_int_equal(parse(&t, "a;b;c\n1;\"x;y\";3\n", err), 0);
	assert_int_equal(t.delim, ';');
	assert_string_equal(wcsv_cell(&t, 0, 1), "x;y");
	wcsv_free(&t);
	assert_int_equal(parse(&t, "a\tb\n1\t2\n", err), 0);
	assert_int_equal(t.delim, '\t');
	assert_string_equal(wcsv_cell(&t, 0, 1), "2");
	wcsv_free(&t);
}

static void test_errors_name_file_and_line(void **state)
{
	(void)state;
	wcsv t;
	char err[512];
	assert_int_equal(parse(&t, "a,b\n1,2\n3,4,5\n", err), -1);
	assert_non_null(strstr(err, "t.csv:3: row has 3 fields but the header has 2"));
	assert_int_equal(parse(&t, "a,b\n1,\"open\n2,3\n", err), -1);
	assert_non_null(strstr(err, "t.csv:2: a quoted field is never closed"));
	assert_int_equal(parse(&t, "a,b\n1,\"x\"y\n", err), -1);
	assert_non_null(strstr(err, "t.csv:2: text after a closing quote"));
	assert_int_equal(wcsv_parse(&t, "a,b\n1,\0\n", 8, "t.csv", err, sizeof err), -1);
	assert_non_null(strstr(err, "t.csv:2: NUL byte"));
	assert_int_equal(parse(&t, "", err), -1);
	assert_non_null(strstr(err, "t.csv:1: the file is empty"));
	assert_int_equal(parse(&t, "a,b,a\n1,2,3\n", err), -1);
	assert_non_null(strstr(err, "columns 1 and 3 are both named 'a'"));
	/* A line number after a quoted newline counts that newline. */
	assert_int_equal(parse(&t, "a,b\n1,\"x\ny\"\n2\n", err), -1);
	assert_non_null(strstr(err, "t.csv:4: row has 1 field "));
}

static void test_missing_header_names(void **state)
{
	(void)state;
	wcsv t;
	char err[512];
	assert_int_equal(parse(&t, "a,,c\n1,2,3", err), 0); /* no final newline */
	assert_string_equal(t.names[1], "column_2");
	assert_int_equal(t.nrows, 1);
	wcsv_free(&t);
}

static void test_profile_types_and_hashes(void **state)
{
	(void)state;
	wcsv t;
	char err[512];
	const char *text = "id,code,price,day,mixed,empty\n"
			   "007,A1,1.5,2024-01-02,1,\n"
			   "8.0,B2,2,2024-01-03,2,\n"
			   "9,C3,x,2024-01-04,3,\n"
			   "10,D4,4.25,2024-01-05,4,\n"
			   "11,E5,5,2024-01-06,5,\n"
			   "12,F6,6,2024-01-07,6,\n"
			   "13,G7,7,2024-01-08,7,\n"
			   "14,H8,8,2024-01-09,8,\n"
			   "15,I9,9,2024-01-10,9,\n"
			   "16,J0,10,2024-01-11,unknown,\n";
	assert_int_equal(parse(&t, text, err), 0);
	abi_profile p;
	assert_int_equal(abi_profile_build(&p, &t, "t", 12, err, sizeof err), 0);
	assert_int_equal(p.cols[0].type, ABI_T_INT);
	assert_true(p.cols[0].purity == 1.0); /* "007" and "8.0" are integers */
	assert_true(p.cols[0].min == 7 && p.cols[0].max == 16);
	assert_int_equal(p.cols[1].type, ABI_T_STRING);
	assert_int_equal(p.cols[2].type, ABI_T_FLOAT); /* 9 of 10 parse */
	assert_int_equal(p.cols[3].type, ABI_T_DATE);
	assert_int_equal(p.cols[4].type, ABI_T_INT);
	assert_true(p.cols[4].purity == 0.9);
	assert_int_equal(p.cols[5].type, ABI_T_EMPTY);
	assert_int_equal(p.cols[5].nnull, 10);
	assert_int_equal(p.cols[0].ndistinct, 10);
	/* 7 in column id and 7 in column mixed hash alike: "007" is 7. */
	assert_true(p.cols[0].rows[0] == p.cols[4].rows[6]);
	/* Saved and loaded, a profile is the same. */
	char path[] = "/tmp/autobi-prof-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(abi_profile_save(&p, path, err, sizeof err), 0);
	abi_profile q;
	assert_int_equal(abi_profile_load(&q, path, err, sizeof err), 0);
	assert_int_equal(q.ncols, p.ncols);
	assert_int_equal(q.nrows, p.nrows);
	assert_memory_equal(q.cols[3].distinct, p.cols[3].distinct, p.cols[3].ndistinct * 8);
	abi_profile_free(&q);
	/* A truncated profile is refused, not misread. */
	assert_int_equal(truncate(path, 40), 0);
	assert_int_equal(abi_profile_load(&q, path, err, sizeof err), -1);
	assert_non_null(strstr(err, "not an autobi profile"));
	remove(path);
	abi_profile_free(&p);
	wcsv_free(&t);
}

/* Integers at the edges of long long: in range they are integers (and
 * hash as such, so "+5" and "5.00" are 5), out of range they are text. */
static void test_integer_edges(void **state)
{
	(void)state;
	wcsv t;
	char err[512];
	const char *text = "a,b\n"
			   "9223372036854775807,5\n"
			   "-9223372036854775808,+5\n"
			   "9223372036854775808,5.00\n"
			   "-9223372036854775809,5.\n"
			   "00000000000000000000001,-0\n"
			   "1,0\n1,0\n1,0\n1,0\n1,0\n";
	assert_int_equal(parse(&t, text, err), 0);
	abi_profile p;
	assert_int_equal(abi_profile_build(&p, &t, "t", 12, err, sizeof err), 0);
	/* two of ten out of range: 80% integers, under the 90% of a type */
	assert_int_equal(p.cols[0].type, ABI_T_FLOAT);
	assert_int_equal(p.cols[1].type, ABI_T_INT);
	assert_true(p.cols[1].purity == 1.0);
	assert_true(p.cols[1].rows[0] == p.cols[1].rows[1] && p.cols[1].rows[1] == p.cols[1].rows[2] &&
		    p.cols[1].rows[2] == p.cols[1].rows[3]);
	assert_true(p.cols[1].rows[4] == p.cols[1].rows[5]); /* -0 is 0 */
	assert_true(p.cols[1].min == 0 && p.cols[1].max == 5);
	abi_profile_free(&p);
	wcsv_free(&t);
	/* and alone, each in-range edge is an integer with its exact value */
	const char *t2 = "a\n9223372036854775807\n-9223372036854775808\n00000000000000000000001\n";
	assert_int_equal(parse(&t, t2, err), 0);
	assert_int_equal(abi_profile_build(&p, &t, "t", 12, err, sizeof err), 0);
	assert_int_equal(p.cols[0].type, ABI_T_INT);
	assert_true(p.cols[0].max == 9223372036854775807.0 && p.cols[0].min == -9223372036854775808.0);
	abi_profile_free(&p);
	wcsv_free(&t);
}

static void test_composite_key(void **state)
{
	(void)state;
	wcsv t;
	char err[512];
	const char *text = "part,supp,qty\n1,1,5\n1,2,5\n2,1,6\n2,2,6\n3,1,7\n";
	assert_int_equal(parse(&t, text, err), 0);
	abi_profile p;
	assert_int_equal(abi_profile_build(&p, &t, "ps", 12, err, sizeof err), 0);
	assert_int_equal(p.nckeys, 2); /* (part, supp) and (supp, qty) are unique together */
	assert_int_equal(p.ckeys[0].a, 0);
	assert_int_equal(p.ckeys[0].b, 1);
	assert_int_equal(p.ckeys[0].ndistinct, 5);
	abi_profile_free(&p);
	wcsv_free(&t);
}

/* Random text over the characters that matter to CSV: the reader either
 * fails with a located message or returns a consistent table, never crashes
 * (the suite also runs under AddressSanitizer). */
static void test_random_text(void **state)
{
	(void)state;
	static const char alphabet[] = ",;\t\"\n\r aN1.\xEF\xBB\xBF";
	uint64_t s = 7;
	int ok = 0, bad = 0;
	for (int iter = 0; iter < 20000; iter++) {
		char text[160];
		size_t len = (size_t)(iter % 150);
		for (size_t i = 0; i < len; i++) {
			s = s * 6364136223846793005ULL + 1442695040888963407ULL;
			text[i] = alphabet[(s >> 33) % (sizeof alphabet - 1)];
		}
		wcsv t;
		char err[512];
		if (wcsv_parse(&t, text, len, "r.csv", err, sizeof err) == 0) {
			ok++;
			assert_true(t.ncols >= 1);
			for (size_t r = 0; r < t.nrows; r++)
				for (size_t c = 0; c < t.ncols; c++) {
					const char *v = wcsv_cell(&t, r, c);
					assert_true(!v || (v >= t.buf && v < t.buf + t.buf_len));
				}
			abi_profile p;
			assert_int_equal(abi_profile_build(&p, &t, "r", 12, err, sizeof err), 0);
			abi_profile_free(&p);
			wcsv_free(&t);
		} else {
			bad++;
			assert_int_equal(strncmp(err, "r.csv:", 6), 0);
		}
	}
	assert_true(ok > 1000 && bad > 1000); /* both paths were exercised */
}

/* A file over the reader's limit is refused by its size, before any of
 * it is read (a sparse file: no disk is used), and so is a directory. */
static void test_oversized_refused(void **state)
{
	(void)state;
	char path[] = "/tmp/weft-csv-big.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)WCSV_MAX_BYTES + 1), 0);
	close(fd);
	wcsv t;
	char err[256];
	assert_int_equal(wcsv_read(&t, path, "big.csv", err, sizeof err), -1);
	assert_non_null(strstr(err, "big.csv is 1073741825 bytes, more than the 1073741824"));
	unlink(path);
	assert_int_equal(wcsv_read(&t, "/tmp", "tmp", err, sizeof err), -1);
	assert_non_null(strstr(err, "not a regular file"));
}

/* A profile's rows travel as codes of 1, 2 or 4 bytes (by the column's
 * distinct count): saved and loaded, every column's rows and distinct
 * hashes are the same, missing values included; a code past the distinct
 * values, and every truncation, is refused. */
static void roundtrip(size_t nrows)
{
	size_t cap = nrows * 48 + 64, at = 0;
	char *text = malloc(cap), err[512];
	assert_non_null(text);
	at += (size_t)snprintf(text + at, cap - at, "id,grp,note,gap\n");
	for (size_t r = 0; r < nrows; r++)
		at += (size_t)snprintf(text + at, cap - at, "%zu,g%zu,%s,%s\n", r * 7 + 1, r % 300,
				       r % 3 ? "x" : "y", r % 5 ? "" : "1");
	wcsv t;
	assert_int_equal(parse(&t, text, err), 0);
	abi_profile p, q;
	assert_int_equal(abi_profile_build(&p, &t, "t", 12, err, sizeof err), 0);
	char path[] = "/tmp/autobi-prof-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(abi_profile_save(&p, path, err, sizeof err), 0);
	assert_int_equal(abi_profile_load(&q, path, err, sizeof err), 0);
	assert_int_equal(q.ncols, 4);
	for (size_t c = 0; c < p.ncols; c++) {
		assert_int_equal(q.cols[c].ndistinct, p.cols[c].ndistinct);
		assert_memory_equal(q.cols[c].rows, p.cols[c].rows, nrows * 8);
		assert_memory_equal(q.cols[c].distinct, p.cols[c].distinct, p.cols[c].ndistinct * 8);
	}
	abi_profile_free(&q);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	if (nrows <= 400) {
		for (off_t cut = 0; cut < st.st_size; cut += 7) {
			assert_int_equal(truncate(path, cut), 0);
			assert_int_equal(abi_profile_load(&q, path, err, sizeof err), -1);
		}
		/* a one-column table ends its file with its rows' 1-byte codes:
		 * the last set past its 3 distinct values */
		wcsv one;
		abi_profile o;
		assert_int_equal(parse(&one, "v\na\nb\nc\n", err), 0);
		assert_int_equal(abi_profile_build(&o, &one, "one", 12, err, sizeof err), 0);
		assert_int_equal(abi_profile_save(&o, path, err, sizeof err), 0);
		assert_int_equal(abi_profile_load(&q, path, err, sizeof err), 0);
		abi_profile_free(&q);
		assert_int_equal(stat(path, &st), 0);
		fd = open(path, O_WRONLY);
		assert_true(fd >= 0);
		unsigned char bad = 4;
		assert_int_equal(pwrite(fd, &bad, 1, st.st_size - 1), 1);
		close(fd);
		assert_int_equal(abi_profile_load(&q, path, err, sizeof err), -1);
		abi_profile_free(&o);
		wcsv_free(&one);
	}
	remove(path);
	abi_profile_free(&p);
	wcsv_free(&t);
	free(text);
}

static void test_profile_row_codes(void **state)
{
	(void)state;
	roundtrip(350);   /* id: 2-byte codes */
	roundtrip(70000); /* id: 4-byte codes */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oversized_refused),
		cmocka_unit_test(test_profile_row_codes),
		cmocka_unit_test(test_bom_quotes_crlf),      cmocka_unit_test(test_delimiters),
		cmocka_unit_test(test_errors_name_file_and_line), cmocka_unit_test(test_missing_header_names),
		cmocka_unit_test(test_profile_types_and_hashes), cmocka_unit_test(test_composite_key),
		cmocka_unit_test(test_random_text), cmocka_unit_test(test_integer_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
