/* Values: canonical hashing, equality, JSON and YAML conversion. */
#include "test_util.h"

static void hash_of(char out[65], weft_value *v)
{
	assert_int_equal(weft_value_hash(out, v), WEFT_OK);
	weft_value_free(v);
}

static void test_map_order_does_not_matter(void **state)
{
	(void)state;
	weft_value *a = weft_value_map(), *b = weft_value_map();
	weft_value_map_set(a, "x", weft_value_int(1));
	weft_value_map_set(a, "y", weft_value_cstr("two"));
	weft_value_map_set(b, "y", weft_value_cstr("two"));
	weft_value_map_set(b, "x", weft_value_int(1));
	assert_true(weft_value_equal(a, b));
	char ha[65], hb[65];
	hash_of(ha, a);
	hash_of(hb, b);
	assert_string_equal(ha, hb);
}

static void test_types_are_distinguished(void **state)
{
	(void)state;
	char h1[65], h2[65], h3[65], h4[65];
	hash_of(h1, weft_value_int(1));
	hash_of(h2, weft_value_float(1.0));
	hash_of(h3, weft_value_cstr("1"));
	hash_of(h4, weft_value_bool(1));
	assert_string_not_equal(h1, h2);
	assert_string_not_equal(h1, h3);
	assert_string_not_equal(h2, h3);
	assert_string_not_equal(h1, h4);
}

static void test_negative_zero_folds(void **state)
{
	(void)state;
	char a[65], b[65];
	hash_of(a, weft_value_float(-0.0));
	hash_of(b, weft_value_float(0.0));
	assert_string_equal(a, b);
}

static void test_list_nesting_is_unambiguous(void **state)
{
	(void)state;
	/* ["ab"] vs ["a","b"]: length prefixes keep them apart. */
	weft_value *a = weft_value_list(), *b = weft_value_list();
	weft_value_list_push(a, weft_value_cstr("ab"));
	weft_value_list_push(b, weft_value_cstr("a"));
	weft_value_list_push(b, weft_value_cstr("b"));
	char ha[65], hb[65];
	hash_of(ha, a);
	hash_of(hb, b);
	assert_string_not_equal(ha, hb);
}

/* The canonical form is a compatibility promise: keys in every existing
 * cache depend on it. This vector pins it; changing it is a format break. */
static void test_canonical_hash_is_stable(void **state)
{
	(void)state;
	weft_value *m = weft_value_map();
	weft_value_map_set(m, "n", weft_value_int(42));
	weft_value_map_set(m, "s", weft_value_cstr("weft"));
	weft_value *l = weft_value_list();
	weft_value_list_push(l, weft_value_float(0.5));
	weft_value_list_push(l, weft_value_null());
	weft_value_map_set(m, "l", l);
	char h[65];
	hash_of(h, m);
	/* Computed independently: sha256 of the encoding spelled out in docs/architecture.md. */
	assert_string_equal(h, "1954993bd8115b68c769fb6107bcacee4ca3d00c1b32eab2533c45bf90f3bbee");
}

static void test_refs_cannot_be_hashed(void **state)
{
	(void)state;
	weft_value *r = weft_value_ref(3, "out");
	char h[65];
	assert_int_equal(weft_value_hash(h, r), WEFT_EINVALID);
	weft_value_free(r);
}

static void test_json_round_trip(void **state)
{
	(void)state;
	const char *text = "{\"a\":[1,2.5,\"x\",null,true],\"b\":{\"$artifact\":"
			   "\"0000000000000000000000000000000000000000000000000000000000000000\",\"dir\":false,\"size\":3}}";
	weft_value *v = NULL;
	assert_int_equal(weft_value_from_json(&v, text, strlen(text), NULL, 0), WEFT_OK);
	assert_int_equal(weft_value_type(weft_value_map_get(v, "b")), WEFT_T_ARTIFACT);
	assert_int_equal(weft_value_type(weft_value_list_at(weft_value_map_get(v, "a"), 0)), WEFT_T_INT);
	assert_int_equal(weft_value_type(weft_value_list_at(weft_value_map_get(v, "a"), 1)), WEFT_T_FLOAT);
	char *back = weft_value_to_json(v, 0);
	weft_value *v2 = NULL;
	assert_int_equal(weft_value_from_json(&v2, back, strlen(back), NULL, 0), WEFT_OK);
	assert_true(weft_value_equal(v, v2));
	free(back);
	weft_value_free(v);
	weft_value_free(v2);
}

static void test_json_errors_name_the_position(void **state)
{
	(void)state;
	weft_value *v = NULL;
	char err[128];
	assert_int_equal(weft_value_from_json(&v, "{\"a\": }", 7, err, sizeof err), WEFT_EINVALID);
	assert_non_null(strstr(err, "line 1"));
}

static void test_yaml_typing(void **state)
{
	(void)state;
	const char *y = "n: 3\nf: 0.5\nb: true\ns: '3'\nz: ~\nl: [1, two]\n";
	weft_value *v = NULL;
	assert_int_equal(weft_value_from_yaml(&v, y, strlen(y), "p.yaml"), WEFT_OK);
	assert_int_equal(weft_value_type(weft_value_map_get(v, "n")), WEFT_T_INT);
	assert_int_equal(weft_value_type(weft_value_map_get(v, "f")), WEFT_T_FLOAT);
	assert_int_equal(weft_value_type(weft_value_map_get(v, "b")), WEFT_T_BOOL);
	assert_int_equal(weft_value_type(weft_value_map_get(v, "s")), WEFT_T_STRING);
	assert_int_equal(weft_value_type(weft_value_map_get(v, "z")), WEFT_T_NULL);
	assert_int_equal(weft_value_len(weft_value_map_get(v, "l")), 2);
	weft_value_free(v);
	assert_int_equal(weft_value_from_yaml(&v, "a: [1,", 6, "bad.yaml"), WEFT_EINVALID);
	assert_non_null(strstr(weft_error_last(), "bad.yaml:"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_order_does_not_matter),
		cmocka_unit_test(test_types_are_distinguished),
		cmocka_unit_test(test_negative_zero_folds),
		cmocka_unit_test(test_list_nesting_is_unambiguous),
		cmocka_unit_test(test_canonical_hash_is_stable),
		cmocka_unit_test(test_refs_cannot_be_hashed),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_json_errors_name_the_position),
		cmocka_unit_test(test_yaml_typing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
