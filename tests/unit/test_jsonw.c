/* jsonw: the streaming writer behind records and journals. Its fast paths
 * (a word-at-a-time scan for bytes to escape, integers and whole reals
 * without printf) must write exactly what a JSON reader reads back as the
 * same value, at every length and position. */
#define _GNU_SOURCE
#include "test_util.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>

#include "jsonw.h"

/* The text the writer makes of one value. */
static char *written(void (*put)(weft_jw *, const void *), const void *arg)
{
	weft_jw w;
	weft_jw_init(&w, -1, 0);
	weft_jw_arr(&w);
	put(&w, arg);
	weft_jw_end(&w, ']');
	assert_int_equal(weft_jw_finish(&w), WEFT_OK);
	return w.buf.data;
}

typedef struct sized {
	const char *s;
	size_t n;
} sized;

static void put_str(weft_jw *w, const void *a)
{
	const sized *z = a;
	weft_jw_strn(w, z->s, z->n);
}

static void put_real(weft_jw *w, const void *a)
{
	weft_jw_real(w, *(const double *)a);
}

static void put_int(weft_jw *w, const void *a)
{
	weft_jw_int(w, *(const int64_t *)a);
}

static void test_strings_round_trip_at_every_position(void **state)
{
	(void)state;
	/* bytes the scan must catch, and bytes it must let through */
	const char special[] = {'"', '\\', '\n', '\t', '\r', 1, 0x1f, 0x7f, 0x20, (char)0xc3, '/', 0};
	char s[48];
	for (size_t len = 1; len <= 40; len++) {
		for (size_t at = 0; at < len; at++) {
			for (size_t k = 0; k < sizeof special; k++) {
				memset(s, 'a' + (int)(len % 26), len);
				s[at] = special[k];
				if (special[k] == (char)0xc3 && at + 1 < len)
					s[at + 1] = (char)0xa9; /* a whole UTF-8 e-acute */
				else if (special[k] == (char)0xc3)
					s[at] = 'x';
				sized z = {s, len};
				char *text = written(put_str, &z);
				json_error_t err;
				json_t *j = json_loads(text, JSON_ALLOW_NUL, &err);
				assert_non_null(j);
				json_t *v = json_array_get(j, 0);
				assert_true(json_is_string(v));
				assert_int_equal(json_string_length(v), len);
				assert_memory_equal(json_string_value(v), s, len);
				json_decref(j);
				free(text);
			}
		}
	}
	/* nothing to escape: written as is */
	sized plain = {"n12_34 core.noop 0123456789abcdef", 33};
	char *text = written(put_str, &plain);
	assert_string_equal(text, "[\"n12_34 core.noop 0123456789abcdef\"]");
	free(text);
}

static void test_numbers(void **state)
{
	(void)state;
	static const struct {
		double v;
		const char *text;
	} reals[] = {
		{0.0, "[0.0]"}, {-0.0, "[-0.0]"}, {3, "[3.0]"}, {-2, "[-2.0]"}, {0.5, "[0.5]"},
		{999999999999999.0, "[999999999999999.0]"}, {1e15, "[1000000000000000.0]"}, {1e300, "[1.0000000000000001e+300]"},
	};
	for (size_t i = 0; i < sizeof reals / sizeof reals[0]; i++) {
		char *t = written(put_real, &reals[i].v);
		assert_string_equal(t, reals[i].text);
		free(t);
	}
	static const struct {
		int64_t v;
		const char *text;
	} ints[] = {{0, "[0]"}, {-1, "[-1]"}, {INT64_MAX, "[9223372036854775807]"}, {INT64_MIN, "[-9223372036854775808]"}};
	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
		char *t = written(put_int, &ints[i].v);
		assert_string_equal(t, ints[i].text);
		free(t);
	}
}

static void test_file_line(void **state)
{
	(void)state;
	char b[16];
	weft_file_line(b, sizeof b, "p.lua", 12);
	assert_string_equal(b, "p.lua:12");
	weft_file_line(b, sizeof b, "p.lua", 0);
	assert_string_equal(b, "p.lua:0");
	weft_file_line(b, sizeof b, "pipelines/long_name.lua", 1234);
	assert_string_equal(b, "pipelines/:1234"); /* the name cut, the line kept */
	weft_file_line(b, 3, "p.lua", 1234);
	assert_string_equal(b, "");
}

/* What record.c's two-thread writer does: members made by writers begun
 * inside the array (weft_jw_init_at) and spliced in, pretty or compact,
 * with one member or many per piece, must give the bytes one writer gives. */
static void members(weft_jw *w, int from, int to)
{
	for (int i = from; i < to; i++) {
		weft_jw_obj(w);
		weft_jw_field(w, "name");
		weft_jw_int(w, i);
		weft_jw_field(w, "tags");
		weft_jw_arr(w);
		weft_jw_str(w, "x");
		weft_jw_end(w, ']');
		weft_jw_end(w, '}');
	}
}

static void test_spliced_members_equal_one_writer(void **state)
{
	(void)state;
	/* compact, indented, and indented with flat members (record nodes) */
	for (int style = 0; style <= 2; style++) {
		int pretty = style > 0, flat = style == 2 ? 3 : 0;
		for (int piece = 1; piece <= 3; piece++) {
			weft_jw one, two;
			weft_jw_init(&one, -1, pretty);
			weft_jw_init(&two, -1, pretty);
			one.flat_from = two.flat_from = flat;
			weft_jw *both[] = {&one, &two};
			for (int k = 0; k < 2; k++) {
				weft_jw_obj(both[k]);
				weft_jw_field(both[k], "nodes");
				weft_jw_arr(both[k]);
			}
			members(&one, 0, 7);
			for (int from = 0; from < 7; from += piece) {
				int to = from + piece < 7 ? from + piece : 7;
				if ((from / piece) % 2 == 0) {
					members(&two, from, to); /* the caller's own pieces */
					continue;
				}
				weft_jw part;
				weft_jw_init_at(&part, pretty, 2, from);
				part.flat_from = flat;
				members(&part, from, to);
				assert_int_equal(weft_jw_finish(&part), WEFT_OK);
				weft_jw_splice(&two, part.buf.data, part.buf.len);
				weft_buf_free(&part.buf);
			}
			for (int k = 0; k < 2; k++) {
				weft_jw_end(both[k], ']');
				weft_jw_end(both[k], '}');
				assert_int_equal(weft_jw_finish(both[k]), WEFT_OK);
			}
			assert_string_equal(two.buf.data, one.buf.data);
			weft_buf_free(&one.buf);
			weft_buf_free(&two.buf);
		}
	}
	/* a piece that closes more than it opened fails, and is reported */
	weft_jw part;
	weft_jw_init_at(&part, 1, 2, 1);
	weft_jw_end(&part, ']');
	assert_int_not_equal(weft_jw_finish(&part), WEFT_OK);
	weft_buf_free(&part.buf);
}

/* flat_from: members three levels down on one line each, the levels above
 * indented as before, and indentation back after the flat part. */
static void test_flat_members_one_line_each(void **state)
{
	(void)state;
	weft_jw w;
	weft_jw_init(&w, -1, 1);
	weft_jw_obj(&w);
	weft_jw_field(&w, "a");
	weft_jw_int(&w, 1);
	weft_jw_field(&w, "nodes");
	weft_jw_arr(&w);
	w.flat_from = 3;
	members(&w, 0, 2);
	weft_jw_obj(&w);
	weft_jw_end(&w, '}');
	w.flat_from = 0;
	weft_jw_end(&w, ']');
	weft_jw_key(&w, "z");
	weft_jw_obj(&w);
	weft_jw_field(&w, "q");
	weft_jw_bool(&w, 1);
	weft_jw_end(&w, '}');
	weft_jw_end(&w, '}');
	assert_int_equal(weft_jw_finish(&w), WEFT_OK);
	assert_string_equal(w.buf.data, "{\n"
					 " \"a\": 1,\n"
					 " \"nodes\": [\n"
					 "  {\"name\":0,\"tags\":[\"x\"]},\n"
					 "  {\"name\":1,\"tags\":[\"x\"]},\n"
					 "  {}\n"
					 " ],\n"
					 " \"z\": {\n"
					 "  \"q\": true\n"
					 " }\n"
					 "}");
	weft_buf_free(&w.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strings_round_trip_at_every_position),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_file_line),
		cmocka_unit_test(test_spliced_members_equal_one_writer),
		cmocka_unit_test(test_flat_members_one_line_each),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
