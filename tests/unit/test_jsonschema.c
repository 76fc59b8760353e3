/* The JSON Schema subset LLM answers are checked against: each keyword
 * accepts what it should and refuses what it should, with the path of the
 * first mismatch in the message (which is what the model is told). */
#include "test_util.h"

#include "jsonschema.h"

static weft_value *J(const char *text)
{
	weft_value *v = NULL;
	char err[128];
	assert_int_equal(weft_value_from_json(&v, text, strlen(text), err, sizeof err), WEFT_OK);
	return v;
}

/* 0 or -1, and the message in `why`. */
static int chk(const char *schema, const char *value, char *why)
{
	weft_value *s = J(schema), *v = J(value);
	int rc = weft_schema_check(s, v, why, 256);
	weft_value_free(s);
	weft_value_free(v);
	return rc;
}

static void test_types_and_bounds(void **state)
{
	(void)state;
	char why[256];
	assert_int_equal(chk("{\"type\":\"integer\"}", "3", why), 0);
	assert_int_equal(chk("{\"type\":\"integer\"}", "3.0", why), 0); /* an integral number is an integer */
	assert_int_equal(chk("{\"type\":\"integer\"}", "3.5", why), -1);
	assert_int_equal(chk("{\"type\":\"number\"}", "3", why), 0);
	assert_int_equal(chk("{\"type\":[\"string\",\"null\"]}", "null", why), 0);
	assert_int_equal(chk("{\"type\":[\"string\",\"null\"]}", "1", why), -1);
	assert_int_equal(chk("{\"minimum\":0,\"maximum\":1}", "1.5", why), -1);
	assert_non_null(strstr(why, "$: is above the maximum"));
	assert_int_equal(chk("{\"exclusiveMinimum\":0}", "0", why), -1);
	assert_int_equal(chk("{\"minLength\":2,\"maxLength\":3}", "\"abcd\"", why), -1);
	assert_int_equal(chk("{\"enum\":[\"sgd\",\"adam\"]}", "\"adam\"", why), 0);
	assert_int_equal(chk("{\"enum\":[\"sgd\",\"adam\"]}", "\"rmsprop\"", why), -1);
	assert_int_equal(chk("{\"enum\":[1,2]}", "2.0", why), 0);
	assert_int_equal(chk("{\"const\":\"x\"}", "\"y\"", why), -1);
}

static void test_objects_and_arrays(void **state)
{
	(void)state;
	char why[256];
	const char *s = "{\"type\":\"object\",\"required\":[\"lr\",\"opt\"],\"additionalProperties\":false,"
			"\"properties\":{\"lr\":{\"type\":\"number\",\"exclusiveMinimum\":0,\"maximum\":1},"
			"\"opt\":{\"enum\":[\"sgd\",\"adam\"]},\"layers\":{\"type\":\"array\",\"minItems\":1,"
			"\"items\":{\"type\":\"integer\",\"minimum\":1}}}}";
	assert_int_equal(chk(s, "{\"lr\":0.01,\"opt\":\"adam\",\"layers\":[64,32]}", why), 0);
	assert_int_equal(chk(s, "{\"lr\":0.01}", why), -1);
	assert_non_null(strstr(why, "lacks the required field 'opt'"));
	assert_int_equal(chk(s, "{\"lr\":0.01,\"opt\":\"adam\",\"extra\":1}", why), -1);
	assert_non_null(strstr(why, "field 'extra'"));
	assert_int_equal(chk(s, "{\"lr\":0.01,\"opt\":\"adam\",\"layers\":[64,0]}", why), -1);
	assert_non_null(strstr(why, "$.layers[1]: is below the minimum"));
	assert_int_equal(chk(s, "{\"lr\":0.01,\"opt\":\"adam\",\"layers\":[]}", why), -1);
	assert_int_equal(chk(s, "[1]", why), -1);
	assert_int_equal(chk("{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}", "1", why), 0);
	assert_int_equal(chk("{\"oneOf\":[{\"type\":\"number\"},{\"type\":\"integer\"}]}", "1", why), -1);
	/* Keywords of the wrong shape are ignored like unknown ones (found by
	 * tests/fuzz/fuzz_schema.c: an enum that is not a list crashed). */
	assert_int_equal(chk("{\"enum\":\"object\",\"required\":\"lr\",\"properties\":[1],\"anyOf\":{}}",
			     "{\"lr\":0.5}", why), 0);
	assert_int_equal(chk("{\"type\":5,\"items\":3}", "[1]", why), 0);
	/* Unknown keywords are ignored; `true` accepts anything. */
	assert_int_equal(chk("{\"format\":\"email\",\"x-weft\":1}", "\"no\"", why), 0);
	assert_int_equal(chk("{\"properties\":{\"a\":true}}", "{\"a\":[1,{}]}", why), 0);
}

static void test_depth_is_bounded(void **state)
{
	(void)state;
	/* A schema nested past the limit fails instead of recursing on. */
	char s[8192] = "", v[4096] = "";
	size_t a = 0, b = 0;
	for (int i = 0; i < 100; i++) {
		a += (size_t)snprintf(s + a, sizeof s - a, "{\"items\":");
		b += (size_t)snprintf(v + b, sizeof v - b, "[");
	}
	a += (size_t)snprintf(s + a, sizeof s - a, "true");
	for (int i = 0; i < 100; i++) {
		a += (size_t)snprintf(s + a, sizeof s - a, "}");
		b += (size_t)snprintf(v + b, sizeof v - b, "]");
	}
	char why[256];
	assert_int_equal(chk(s, v, why), -1);
	assert_non_null(strstr(why, "nested deeper"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types_and_bounds),
		cmocka_unit_test(test_objects_and_arrays),
		cmocka_unit_test(test_depth_is_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
