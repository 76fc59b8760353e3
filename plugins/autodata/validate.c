/*
 * validate.c -- see validate.h.
 */
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lexicon.h"

int adt_json_has_type(json_t *v, const char *type)
{
	if (!v || json_is_null(v))
		return 0;
	if (!strcmp(type, "number"))
		return json_is_number(v);
	if (!strcmp(type, "list"))
		return json_is_array(v) && json_array_size(v) > 0;
	if (!json_is_string(v) || !*json_string_value(v))
		return 0;
	const char *s = json_string_value(v);
	if (!strcmp(type, "date"))
		return strlen(s) == 10 && s[4] == '-' && s[7] == '-' && adt_value_is(ADT_DATE, s);
	if (!strcmp(type, "url"))
		return adt_value_is(ADT_URL, s);
	return 1;
}

/* The program's mappings of `field`: (template, path) pairs. */
static void mappings(json_t *program, const char *field, json_t *out)
{
	size_t i;
	json_t *src;
	json_array_foreach(json_object_get(program, "sources"), i, src)
	{
		const char *tmpl = json_string_value(json_object_get(src, "template"));
		json_t *maps[2] = {json_object_get(src, "map"), json_object_get(src, "context")};
		for (int m = 0; m < 2; m++) {
			json_t *spec = json_object_get(maps[m], field);
			const char *path = json_string_value(json_object_get(spec, "path"));
			if (!path)
				path = json_string_value(json_object_get(spec, "key"));
			if (tmpl && path)
				json_array_append_new(out, json_pack("{s:s, s:s, s:s}", "field", field, "template", tmpl,
								     "path", path));
		}
		json_t *join = json_object_get(src, "join");
		json_t *spec = json_object_get(json_object_get(join, "map"), field);
		const char *jt = json_string_value(json_object_get(join, "template"));
		const char *path = json_string_value(json_object_get(spec, "path"));
		if (jt && path)
			json_array_append_new(out, json_pack("{s:s, s:s, s:s}", "field", field, "template", jt, "path", path));
	}
}

json_t *adt_validate(json_t *records, json_t *program, double min_filled, double min_valid)
{
	size_t n = json_array_size(records);
	json_t *fields = json_object_get(program, "fields");
	json_t *per = json_object(), *problems = json_array(), *evidence = json_array(), *reject = json_array();
	size_t i;
	json_t *f;
	json_array_foreach(fields, i, f)
	{
		const char *name = json_string_value(json_object_get(f, "name"));
		const char *type = json_string_value(json_object_get(f, "type"));
		if (!name || !type)
			continue;
		size_t filled = 0, valid = 0;
		json_t *bad = json_array();
		size_t r;
		json_t *rec;
		json_array_foreach(records, r, rec)
		{
			json_t *v = json_object_get(rec, name);
			int has = v && !json_is_null(v) && !(json_is_string(v) && !*json_string_value(v));
			filled += (size_t)has;
			int ok = has && adt_json_has_type(v, type);
			valid += (size_t)ok;
			if (!ok && json_array_size(bad) < 3)
				json_array_append_new(bad, json_pack("{s:O?, s:O?}", "value", v, "url",
								     json_object_get(rec, "_url")));
		}
		double fr = n ? (double)filled / (double)n : 0, vr = filled ? (double)valid / (double)filled : 0;
		json_object_set_new(per, name, json_pack("{s:f, s:f}", "filled", fr, "valid", vr));
		if (n && (fr < min_filled || vr < min_valid)) {
			char msg[256];
			snprintf(msg, sizeof msg, "%s: %s in %.0f%% of %zu records%s", name,
				 fr < min_filled ? "filled" : "of type", 100 * (fr < min_filled ? fr : vr), n,
				 fr < min_filled ? "" : type);
			json_array_append_new(problems, json_string(msg));
			json_array_append_new(evidence, json_pack("{s:s, s:o}", "field", name, "records", bad));
			mappings(program, name, reject);
		} else {
			json_decref(bad);
		}
	}
	/* duplicates: records equal on every wanted field */
	json_t *seen = json_object();
	size_t dups = 0, r;
	json_t *rec;
	json_array_foreach(records, r, rec)
	{
		json_t *k = json_array();
		json_array_foreach(fields, i, f)
		json_array_append(k, json_object_get(rec, json_string_value(json_object_get(f, "name"))) ?: json_null());
		char *s = json_dumps(k, JSON_COMPACT);
		json_decref(k);
		if (s && json_object_get(seen, s))
			dups++;
		else if (s)
			json_object_set_new(seen, s, json_true());
		free(s);
	}
	json_decref(seen);
	if (!n)
		json_array_append_new(problems, json_string("no records were extracted"));
	if (dups) {
		char msg[128];
		snprintf(msg, sizeof msg, "%zu duplicate records", dups);
		json_array_append_new(problems, json_string(msg));
	}
	return json_pack("{s:b, s:I, s:o, s:I, s:o, s:o, s:o}", "ok", json_array_size(problems) == 0, "records",
			 (json_int_t)n, "fields", per, "duplicates", (json_int_t)dups, "problems", problems, "evidence",
			 evidence, "reject", reject);
}
