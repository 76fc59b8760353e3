/* Unit tests for the hello plugin, through weft/testing.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <weft/testing.h>

static int setup(void **state)
{
	weft_test *t = NULL;
	if (weft_test_open(&t, PLUGIN_SO) != WEFT_OK) {
		fprintf(stderr, "cannot load %s: %s\n", PLUGIN_SO, weft_test_last_error());
		return -1;
	}
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	weft_test_close(*state);
	return 0;
}

static void greets(void **state)
{
	weft_test *t = *state;
	assert_int_equal(weft_test_run(t, "hello.greet", "{\"who\": \"Ada\"}", NULL), WEFT_OK);
	assert_string_equal(weft_test_output_json(t, "out"), "\"Hello, Ada!\"");
	assert_int_equal(weft_test_run(t, "hello.greet", "{\"who\": \"Ada\", \"greeting\": \"Hi\", \"times\": 2}", NULL),
			 WEFT_OK);
	assert_string_equal(weft_test_output_json(t, "out"), "\"Hi, Ada! Hi, Ada!\"");
}

static void greet_validates(void **state)
{
	weft_test *t = *state;
	assert_int_not_equal(weft_test_run(t, "hello.greet", "{}", NULL), WEFT_OK);
	assert_non_null(strstr(weft_test_error(t), "who"));
	assert_int_not_equal(weft_test_run(t, "hello.greet", "{\"who\": \"x\", \"times\": 0}", NULL), WEFT_OK);
	assert_non_null(strstr(weft_test_error(t), "between 1 and 100"));
	assert_int_not_equal(weft_test_run(t, "hello.greet", "{\"who\": 3}", NULL), WEFT_OK);
}

static void counts_words(void **state)
{
	weft_test *t = *state;
	FILE *f = fopen("words.txt", "w");
	assert_non_null(f);
	fputs("the cat and the hat; The end.\n", f);
	fclose(f);
	assert_int_equal(weft_test_run(t, "hello.wordfreq", "{\"k\": 2}", "{\"text\": {\"$file\": \"words.txt\"}}"),
			 WEFT_OK);
	assert_string_equal(weft_test_output_json(t, "top"), "\"the\"");
	char *data;
	size_t len;
	assert_int_equal(weft_test_output_bytes(t, "out", &data, &len), WEFT_OK);
	assert_string_equal(data, "[{\"word\": \"the\", \"count\": 3}, {\"word\": \"and\", \"count\": 1}]\n");
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(greets, setup, teardown),
		cmocka_unit_test_setup_teardown(greet_validates, setup, teardown),
		cmocka_unit_test_setup_teardown(counts_words, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
