/*
 * value_json.c -- values to and from JSON (jansson) and from YAML (libyaml).
 *
 * JSON is the on-disk form of cache manifests and run records. Artifacts use
 * the reserved object {"$artifact": hash, "dir": bool, "size": n}; refs only
 * appear in graph dumps as {"$ref": "node.output"}. JSON keys are emitted
 * sorted so files diff cleanly. YAML is accepted for params files: plain
 * scalars are typed the YAML 1.2 core-schema way, quoted scalars are strings.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "util.h"
#include "value_internal.h"

static json_t *to_json(const weft_value *v)
{
	switch ((int)v->type) {
	case WEFT_T_NULL:
		return json_null();
	case WEFT_T_BOOL:
		return json_boolean(v->u.b);
	case WEFT_T_INT:
		return json_integer((json_int_t)v->u.i);
	case WEFT_T_FLOAT:
		/* JSON has no NaN/Inf; record them as strings rather than fail. */
		if (!isfinite(v->u.f))
			return json_string(isnan(v->u.f) ? "NaN" : (v->u.f > 0 ? "Infinity" : "-Infinity"));
		return json_real(v->u.f);
	case WEFT_T_STRING:
		return json_stringn_nocheck(v->u.s.ptr, v->u.s.len);
	case WEFT_T_ARTIFACT:
		return json_pack("{s:s, s:b, s:I}", "$artifact", v->u.a.hash, "dir", v->u.a.is_dir, "size",
				 (json_int_t)v->u.a.size);
	case WEFT_T_LIST: {
		json_t *a = json_array();
		for (size_t i = 0; a && i < v->u.l.len; i++) {
			json_t *item = to_json(v->u.l.items[i]);
			if (!item || json_array_append_new(a, item) != 0) {
				json_decref(a);
				return NULL;
			}
		}
		return a;
	}
	case WEFT_T_MAP: {
		json_t *o = json_object();
		for (size_t i = 0; o && i < v->u.m.len; i++) {
			json_t *item = to_json(v->u.m.vals[i]);
			if (!item || json_object_set_new(o, v->u.m.keys[i], item) != 0) {
				json_decref(o);
				return NULL;
			}
		}
		return o;
	}
	case WEFT_T_REF: {
		char buf[512];
		if (v->u.r.name)
			snprintf(buf, sizeof buf, "%s%s%s", v->u.r.name, v->u.r.output ? "." : "",
				 v->u.r.output ? v->u.r.output : "");
		else
			snprintf(buf, sizeof buf, "#%u%s%s", v->u.r.node, v->u.r.output ? "." : "",
				 v->u.r.output ? v->u.r.output : "");
		return json_pack("{s:s}", "$ref", buf);
	}
	default:
		return NULL;
	}
}

json_t *weft_value_to_jansson(const weft_value *v)
{
	return to_json(v);
}

char *weft_value_to_json(const weft_value *v, int pretty)
{
	json_t *j = to_json(v);
	if (!j) {
		weft_err_set(WEFT_ERROR, "cannot convert value to JSON");
		return NULL;
	}
	size_t flags = JSON_SORT_KEYS | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17);
	flags |= pretty ? JSON_INDENT(2) : JSON_COMPACT;
	char *s = json_dumps(j, flags);
	json_decref(j);
	return s;
}

weft_value *weft_value_from_jansson(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_NULL:
		return weft_value_null();
	case JSON_TRUE:
		return weft_value_bool(1);
	case JSON_FALSE:
		return weft_value_bool(0);
	case JSON_INTEGER:
		return weft_value_int((int64_t)json_integer_value(j));
	case JSON_REAL:
		return weft_value_float(json_real_value(j));
	case JSON_STRING:
		return weft_value_string(json_string_value(j), json_string_length(j));
	case JSON_ARRAY: {
		weft_value *l = weft_value_list();
		size_t i;
		json_t *item;
		json_array_foreach(j, i, item)
		{
			if (!l || weft_value_list_push(l, weft_value_from_jansson(item)) != WEFT_OK) {
				weft_value_free(l);
				return NULL;
			}
		}
		return l;
	}
	case JSON_OBJECT: {
		json_t *art = json_object_get(j, "$artifact");
		if (art && json_is_string(art)) {
			json_t *dir = json_object_get(j, "dir"), *size = json_object_get(j, "size");
			return weft_value_artifact(json_string_value(art), dir && json_is_true(dir),
						   size ? (uint64_t)json_integer_value(size) : 0);
		}
		weft_value *m = weft_value_map();
		const char *k;
		json_t *item;
		json_object_foreach((json_t *)j, k, item)
		{
			if (!m || weft_value_map_set(m, k, weft_value_from_jansson(item)) != WEFT_OK) {
				weft_value_free(m);
				return NULL;
			}
		}
		return m;
	}
	}
	return NULL;
}

int weft_value_from_json(weft_value **out, const char *json, size_t len, char *err, size_t errlen)
{
	json_error_t je;
	json_t *j = json_loadb(json, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
	if (!j) {
		if (err)
			snprintf(err, errlen, "line %d column %d: %s", je.line, je.column, je.text);
		return weft_err_set(WEFT_EINVALID, "invalid JSON at line %d column %d: %s", je.line, je.column,
				    je.text);
	}
	*out = weft_value_from_jansson(j);
	json_decref(j);
	if (!*out)
		return weft_err_set(WEFT_EINVALID, "JSON holds an invalid artifact reference");
	return WEFT_OK;
}

/* --------------------------------------------------------------- YAML */

static weft_value *yaml_scalar(const yaml_node_t *n)
{
	const char *s = (const char *)n->data.scalar.value;
	size_t len = n->data.scalar.length;
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return weft_value_string(s, len);
	if (len == 0 || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL"))
		return weft_value_null();
	if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
		return weft_value_bool(1);
	if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))
		return weft_value_bool(0);
	char *end;
	errno = 0;
	long long i = strtoll(s, &end, 10);
	if (*end == '\0' && errno == 0)
		return weft_value_int(i);
	errno = 0;
	double d = strtod(s, &end);
	if (*end == '\0' && errno == 0)
		return weft_value_float(d);
	return weft_value_string(s, len);
}

/* What a YAML text may become. Aliases make the document a DAG that
 * expands into a tree: a few hundred bytes of nested aliases ("billion
 * laughs") would expand into billions of values, so the expansion is
 * counted and stopped. */
#define YAML_MAX_VALUES 1000000u
#define YAML_MAX_DEPTH 64
#define YAML_MAX_BYTES (64u << 20)

typedef struct yaml_budget {
	size_t values;
	int over; /* 1: too many values, 2: too deep */
} yaml_budget;

static weft_value *yaml_to_value(yaml_document_t *doc, yaml_node_t *n, int depth, yaml_budget *b)
{
	if (!n)
		return NULL;
	if (depth > YAML_MAX_DEPTH) {
		b->over = 2;
		return NULL;
	}
	if (++b->values > YAML_MAX_VALUES) {
		b->over = 1;
		return NULL;
	}
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return yaml_scalar(n);
	case YAML_SEQUENCE_NODE: {
		weft_value *l = weft_value_list();
		for (yaml_node_item_t *it = n->data.sequence.items.start; l && it < n->data.sequence.items.top;
		     it++) {
			weft_value *item = yaml_to_value(doc, yaml_document_get_node(doc, *it), depth + 1, b);
			if (!item || weft_value_list_push(l, item) != WEFT_OK) {
				weft_value_free(l);
				return NULL;
			}
		}
		return l;
	}
	case YAML_MAPPING_NODE: {
		weft_value *m = weft_value_map();
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start; m && p < n->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(doc, p->key);
			if (!k || k->type != YAML_SCALAR_NODE) {
				weft_value_free(m);
				return NULL;
			}
			weft_value *item = yaml_to_value(doc, yaml_document_get_node(doc, p->value), depth + 1, b);
			if (!item || weft_value_map_set(m, (const char *)k->data.scalar.value, item) != WEFT_OK) {
				weft_value_free(m);
				return NULL;
			}
		}
		return m;
	}
	default:
		return NULL;
	}
}

int weft_value_from_yaml(weft_value **out, const char *text, size_t len, const char *filename)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	if (len > YAML_MAX_BYTES)
		return weft_err_set(WEFT_EINVALID, "%s: %zu bytes of YAML is over the %u MiB limit; keep big data in "
						   "files the pipeline reads", filename, len,
				    YAML_MAX_BYTES >> 20);
	if (!yaml_parser_initialize(&parser))
		return weft_err_set(WEFT_ERROR, "cannot initialise YAML parser");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		int rc = weft_err_set(WEFT_EINVALID, "%s:%zu:%zu: YAML error: %s", filename,
				      parser.problem_mark.line + 1, parser.problem_mark.column + 1,
				      parser.problem ? parser.problem : "unknown");
		yaml_parser_delete(&parser);
		return rc;
	}
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	int rc = WEFT_OK;
	if (!root) {
		*out = weft_value_map();
	} else {
		yaml_budget b = {0, 0};
		*out = yaml_to_value(&doc, root, 0, &b);
		if (!*out && b.over == 1)
			rc = weft_err_set(WEFT_EINVALID,
					  "%s: the YAML expands to more than %u values (aliases referring to "
					  "aliases?); "
					  "write the values out or split the file",
					  filename, YAML_MAX_VALUES);
		else if (!*out && b.over == 2)
			rc = weft_err_set(WEFT_EINVALID, "%s: YAML nested deeper than %d levels; flatten it", filename,
					  YAML_MAX_DEPTH);
		else if (!*out)
			rc = weft_err_set(WEFT_EINVALID, "%s: YAML keys must be scalars (strings or numbers); "
							 "rewrite the key", filename);
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return rc;
}

char *weft_value_preview(const weft_value *v, size_t max)
{
	char *j;
	if (v && v->type == WEFT_T_ARTIFACT)
		j = weft_sprintf("<%s %.12s, %llu bytes>", v->u.a.is_dir ? "dir" : "file", v->u.a.hash,
				 (unsigned long long)v->u.a.size);
	else
		j = v ? weft_value_to_json(v, 0) : weft_strdup("null");
	if (j && strlen(j) > max && max > 3) {
		j[max - 3] = '.';
		j[max - 2] = '.';
		j[max - 1] = '.';
		j[max] = '\0';
	}
	return j;
}
