/*
 * jsonschema.c -- checks a value against the part of JSON Schema that LLM
 * answers are asked to follow: type (one or a list), enum, const,
 * properties, required, additionalProperties (false or a schema), items,
 * minItems/maxItems, minLength/maxLength, minimum/maximum (and the
 * exclusive ones), anyOf and oneOf. Unknown keywords are ignored, as the
 * specification says. The check is bounded by the value's and the schema's
 * depth (64); its message names the path of the first mismatch ("$.lr"),
 * which is what the model is told when it is asked again.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "jsonschema.h"
#include "util.h"

#define MAX_DEPTH 64

static int fail(char *err, size_t errlen, const char *path, const char *fmt, const char *a)
{
	char msg[120];
	snprintf(msg, sizeof msg, fmt, a);
	snprintf(err, errlen, "%.120s: %s", path, msg);
	return -1;
}

static const char *type_of(const weft_value *v)
{
	switch (weft_value_type(v)) {
	case WEFT_T_NULL:
		return "null";
	case WEFT_T_BOOL:
		return "boolean";
	case WEFT_T_INT:
		return "integer";
	case WEFT_T_FLOAT:
		return "number";
	case WEFT_T_STRING:
		return "string";
	case WEFT_T_LIST:
		return "array";
	case WEFT_T_MAP:
		return "object";
	default:
		return "?";
	}
}

static int type_matches(const char *want, const weft_value *v)
{
	const char *got = type_of(v);
	if (!strcmp(want, got))
		return 1;
	if (!strcmp(want, "number") && !strcmp(got, "integer"))
		return 1;
	/* 3.0 is an integer to JSON Schema. */
	if (!strcmp(want, "integer") && weft_value_type(v) == WEFT_T_FLOAT) {
		double d = weft_value_get_float(v);
		return isfinite(d) && d == floor(d);
	}
	return 0;
}

static int same(const weft_value *a, const weft_value *b)
{
	char ha[65], hb[65];
	if (!a || !b)
		return 0;
	if (weft_value_type(a) == WEFT_T_INT && weft_value_type(b) == WEFT_T_FLOAT)
		return (double)weft_value_get_int(a) == weft_value_get_float(b);
	if (weft_value_type(a) == WEFT_T_FLOAT && weft_value_type(b) == WEFT_T_INT)
		return same(b, a);
	return weft_value_hash(ha, a) == WEFT_OK && weft_value_hash(hb, b) == WEFT_OK && !strcmp(ha, hb);
}

static double num(const weft_value *v)
{
	return weft_value_get_float(v);
}

static int is_num(const weft_value *v)
{
	weft_type t = weft_value_type(v);
	return t == WEFT_T_INT || t == WEFT_T_FLOAT;
}

static int check(const weft_value *s, const weft_value *v, const char *path, int depth, char *err, size_t errlen);

static int check_type(const weft_value *s, const weft_value *v, const char *path, char *err, size_t errlen)
{
	const weft_value *t = weft_value_map_get(s, "type");
	if (!t || (weft_value_type(t) != WEFT_T_STRING && weft_value_type(t) != WEFT_T_LIST))
		return 0;
	if (weft_value_type(t) == WEFT_T_STRING)
		return type_matches(weft_value_get_string(t, NULL), v)
			       ? 0
			       : fail(err, errlen, path, "must be %s", weft_value_get_string(t, NULL));
	for (size_t i = 0; i < weft_value_len(t); i++) {
		const char *w = weft_value_get_string(weft_value_list_at(t, i), NULL);
		if (w && type_matches(w, v))
			return 0;
	}
	return fail(err, errlen, path, "has type %s, which the schema does not allow", type_of(v));
}

static int check_object(const weft_value *s, const weft_value *v, const char *path, int depth, char *err,
			size_t errlen)
{
	const weft_value *props = weft_value_map_get(s, "properties");
	const weft_value *req = weft_value_map_get(s, "required");
	if (weft_value_type(props) != WEFT_T_MAP)
		props = NULL;
	if (weft_value_type(req) != WEFT_T_LIST)
		req = NULL;
	const weft_value *extra = weft_value_map_get(s, "additionalProperties");
	char sub[512];
	for (size_t i = 0; i < weft_value_len(req); i++) {
		const char *k = weft_value_get_string(weft_value_list_at(req, i), NULL);
		if (k && !weft_value_map_get(v, k))
			return fail(err, errlen, path, "lacks the required field '%s'", k);
	}
	for (size_t i = 0; i < weft_value_len(v); i++) {
		const char *k = weft_value_map_key_at(v, i);
		const weft_value *ps = props ? weft_value_map_get(props, k) : NULL;
		snprintf(sub, sizeof sub, "%s.%s", path, k);
		if (!ps && extra && weft_value_type(extra) == WEFT_T_BOOL && !weft_value_get_bool(extra))
			return fail(err, errlen, path, "has a field '%s' the schema does not allow", k);
		if (!ps && extra && weft_value_type(extra) == WEFT_T_MAP)
			ps = extra;
		if (ps && check(ps, weft_value_map_value_at(v, i), sub, depth + 1, err, errlen) != 0)
			return -1;
	}
	return 0;
}

static int check_array(const weft_value *s, const weft_value *v, const char *path, int depth, char *err,
		       size_t errlen)
{
	const weft_value *items = weft_value_map_get(s, "items");
	const weft_value *mn = weft_value_map_get(s, "minItems"), *mx = weft_value_map_get(s, "maxItems");
	size_t n = weft_value_len(v);
	char sub[512];
	if (mn && is_num(mn) && (double)n < num(mn))
		return fail(err, errlen, path, "has fewer items than %s", "minItems");
	if (mx && is_num(mx) && (double)n > num(mx))
		return fail(err, errlen, path, "has more items than %s", "maxItems");
	for (size_t i = 0; items && weft_value_type(items) == WEFT_T_MAP && i < n; i++) {
		snprintf(sub, sizeof sub, "%s[%zu]", path, i);
		if (check(items, weft_value_list_at(v, i), sub, depth + 1, err, errlen) != 0)
			return -1;
	}
	return 0;
}

static int check_scalar(const weft_value *s, const weft_value *v, const char *path, char *err, size_t errlen)
{
	if (is_num(v)) {
		double d = num(v);
		const weft_value *b;
		if ((b = weft_value_map_get(s, "minimum")) && is_num(b) && d < num(b))
			return fail(err, errlen, path, "is below the %s", "minimum");
		if ((b = weft_value_map_get(s, "maximum")) && is_num(b) && d > num(b))
			return fail(err, errlen, path, "is above the %s", "maximum");
		if ((b = weft_value_map_get(s, "exclusiveMinimum")) && is_num(b) && d <= num(b))
			return fail(err, errlen, path, "is not above the %s", "exclusiveMinimum");
		if ((b = weft_value_map_get(s, "exclusiveMaximum")) && is_num(b) && d >= num(b))
			return fail(err, errlen, path, "is not below the %s", "exclusiveMaximum");
	}
	if (weft_value_type(v) == WEFT_T_STRING) {
		size_t len = 0;
		(void)weft_value_get_string(v, &len);
		const weft_value *b;
		if ((b = weft_value_map_get(s, "minLength")) && is_num(b) && (double)len < num(b))
			return fail(err, errlen, path, "is shorter than %s", "minLength");
		if ((b = weft_value_map_get(s, "maxLength")) && is_num(b) && (double)len > num(b))
			return fail(err, errlen, path, "is longer than %s", "maxLength");
	}
	return 0;
}

static int check_any(const weft_value *list, const weft_value *v, const char *path, int depth, int exactly_one,
		     char *err, size_t errlen)
{
	size_t ok = 0;
	char sub[256];
	for (size_t i = 0; i < weft_value_len(list); i++)
		if (check(weft_value_list_at(list, i), v, path, depth + 1, sub, sizeof sub) == 0)
			ok++;
	if (exactly_one ? ok == 1 : ok > 0)
		return 0;
	return fail(err, errlen, path, "matches %s of the allowed schemas", ok ? "more than one" : "none");
}

static int check(const weft_value *s, const weft_value *v, const char *path, int depth, char *err, size_t errlen)
{
	if (depth > MAX_DEPTH)
		return fail(err, errlen, path, "is nested deeper than %s levels", "64");
	if (weft_value_type(s) != WEFT_T_MAP)
		return 0; /* `true` or an unknown form: anything goes */
	if (check_type(s, v, path, err, errlen) != 0)
		return -1;
	/* A keyword of the wrong shape is ignored, as an unknown one is. */
	const weft_value *e = weft_value_map_get(s, "enum");
	if (e && weft_value_type(e) == WEFT_T_LIST) {
		size_t i = 0;
		while (i < weft_value_len(e) && !same(weft_value_list_at(e, i), v))
			i++;
		if (i == weft_value_len(e))
			return fail(err, errlen, path, "is not one of the %s values", "allowed");
	}
	const weft_value *c = weft_value_map_get(s, "const");
	if (c && !same(c, v))
		return fail(err, errlen, path, "is not the %s value", "required");
	const weft_value *any = weft_value_map_get(s, "anyOf"), *one = weft_value_map_get(s, "oneOf");
	if (any && weft_value_type(any) == WEFT_T_LIST && check_any(any, v, path, depth, 0, err, errlen) != 0)
		return -1;
	if (one && weft_value_type(one) == WEFT_T_LIST && check_any(one, v, path, depth, 1, err, errlen) != 0)
		return -1;
	if (weft_value_type(v) == WEFT_T_MAP)
		return check_object(s, v, path, depth, err, errlen);
	if (weft_value_type(v) == WEFT_T_LIST)
		return check_array(s, v, path, depth, err, errlen);
	return check_scalar(s, v, path, err, errlen);
}

int weft_schema_check(const weft_value *schema, const weft_value *v, char *err, size_t errlen)
{
	err[0] = '\0';
	return check(schema, v, "$", 0, err, errlen);
}
