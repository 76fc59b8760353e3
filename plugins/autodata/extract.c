/*
 * extract.c -- see extract.h.
 */
#include "extract.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lexicon.h"
#include "profile.h"

static xmlNodePtr first_node(htmlDocPtr doc, xmlNodePtr at, const char *xpath)
{
	xmlXPathObjectPtr o = adt_html_xpath(doc, at, xpath);
	xmlNodePtr n = o && o->nodesetval && o->nodesetval->nodeNr ? o->nodesetval->nodeTab[0] : NULL;
	xmlXPathFreeObject(o);
	return n;
}

static char *href_of(htmlDocPtr doc, xmlNodePtr n, const char *url)
{
	xmlNodePtr a = n && !strcasecmp((const char *)n->name, "a") ? n : first_node(doc, n, ".//a[@href]");
	char *h = a ? adt_html_attr(a, "href") : NULL;
	char *abs = h ? adt_url_resolve(url, h) : NULL;
	free(h);
	return abs;
}

/* A list value: the texts of its links, else its text split on , ; and "and". */
static json_t *list_of(htmlDocPtr doc, xmlNodePtr n, const char *strip)
{
	json_t *arr = json_array();
	xmlXPathObjectPtr o = strcasecmp((const char *)n->name, "a") ? adt_html_xpath(doc, n, ".//a") : NULL;
	if (o && o->nodesetval && o->nodesetval->nodeNr) {
		for (int i = 0; i < o->nodesetval->nodeNr; i++) {
			char *t = adt_html_text(o->nodesetval->nodeTab[i]);
			if (t && *t)
				json_array_append_new(arr, json_string(t));
			free(t);
		}
	} else {
		char *raw = adt_html_text(n);
		char *t = adt_strip_label(raw, strip);
		for (char *p = t, *tok; p && *p; p = tok) {
			tok = p + strcspn(p, ",;");
			char *e = tok;
			if (*tok)
				*tok++ = 0;
			while (*p == ' ')
				p++;
			while (e > p && e[-1] == ' ')
				*--e = 0;
			char *and = strstr(p, " and ");
			if (and) {
				*and = 0;
				if (*p)
					json_array_append_new(arr, json_string(p));
				p = and + 5;
			}
			if (*p)
				json_array_append_new(arr, json_string(p));
		}
		free(raw);
		free(t);
	}
	xmlXPathFreeObject(o);
	return arr;
}

/* The typed value of a raw string: numbers plain, dates ISO; a value
 * that does not parse is kept as it is, for the validator to see. */
static json_t *typed(adt_type t, const char *raw)
{
	char buf[256];
	if (!raw || !*raw)
		return json_null();
	if ((t == ADT_NUMBER || t == ADT_DATE) && !adt_value_norm(t, raw, buf, sizeof buf)) {
		if (t == ADT_NUMBER) {
			char *end;
			double d = strtod(buf, &end);
			if (!*end && d == (double)(long long)d && d < 9e15 && d > -9e15)
				return json_integer((json_int_t)d);
			return json_real(d);
		}
		return json_string(buf);
	}
	return json_string(raw);
}

static adt_type field_type(json_t *program, const char *name)
{
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(program, "fields"), i, f)
	{
		if (!strcmp(json_string_value(json_object_get(f, "name")), name)) {
			int t = adt_type_parse(json_string_value(json_object_get(f, "type")));
			return t < 0 ? ADT_TEXT : (adt_type)t;
		}
	}
	return ADT_TEXT;
}

/* Applies a map of {field: {path, take, strip}} at node `at` into `rec`. */
static void apply_map(json_t *program, json_t *map, htmlDocPtr doc, xmlNodePtr at, const char *url, json_t *rec)
{
	const char *name;
	json_t *spec;
	json_object_foreach(map, name, spec)
	{
		const char *path = json_string_value(json_object_get(spec, "path"));
		const char *take = json_string_value(json_object_get(spec, "take"));
		const char *strip = json_string_value(json_object_get(spec, "strip"));
		xmlNodePtr n = path ? first_node(doc, at, path) : NULL;
		if (!n)
			continue;
		adt_type t = field_type(program, name);
		json_t *v;
		if (take && !strcmp(take, "href")) {
			char *h = href_of(doc, n, url);
			v = h ? json_string(h) : json_null();
			free(h);
		} else if (take && !strcmp(take, "list")) {
			v = list_of(doc, n, strip);
		} else {
			char *raw = adt_html_text(n);
			char *s = adt_strip_label(raw, strip);
			v = typed(t, s);
			free(raw);
			free(s);
		}
		json_object_set_new(rec, name, v);
	}
}

static void fill_missing(json_t *rec, json_t *from)
{
	const char *k;
	json_t *v;
	json_object_foreach(from, k, v)
	{
		json_t *have = json_object_get(rec, k);
		if (!have || json_is_null(have))
			json_object_set(rec, k, v);
	}
}

static void list_source(const adt_site *site, json_t *program, json_t *src, json_t *out, long *count)
{
	const char *tmpl = json_string_value(json_object_get(src, "template"));
	const char *xp = json_string_value(json_object_get(src, "records"));
	json_t *map = json_object_get(src, "map"), *ctx = json_object_get(src, "context");
	json_t *join = json_object_get(src, "join");
	const char *jpath = json_string_value(json_object_get(join, "path"));
	for (size_t i = 0; tmpl && xp && i < site->n_pages; i++) {
		const adt_page *p = &site->pages[i];
		if (strcmp(p->tmpl, tmpl))
			continue;
		json_t *around = json_object();
		if (ctx)
			apply_map(program, ctx, p->doc, adt_html_body(p->doc), p->url, around);
		xmlXPathObjectPtr o = adt_html_xpath(p->doc, NULL, xp);
		for (int r = 0; o && o->nodesetval && r < o->nodesetval->nodeNr; r++) {
			json_t *rec = json_object();
			xmlNodePtr node = o->nodesetval->nodeTab[r];
			apply_map(program, map, p->doc, node, p->url, rec);
			fill_missing(rec, around);
			json_object_set_new(rec, "_url", json_string(p->url));
			if (jpath) {
				xmlNodePtr ln = first_node(p->doc, node, jpath);
				char *h = ln ? href_of(p->doc, ln, p->url) : NULL;
				const adt_page *d = h ? adt_site_page(site, h) : NULL;
				if (d) {
					json_t *drec = json_object();
					apply_map(program, json_object_get(join, "map"), d->doc, adt_html_body(d->doc), d->url,
						  drec);
					fill_missing(rec, drec);
					json_decref(drec);
					json_object_set_new(rec, "_detail", json_string(d->url));
				}
				free(h);
			}
			json_array_append_new(out, rec);
			(*count)++;
		}
		xmlXPathFreeObject(o);
		json_decref(around);
	}
}

static void page_source(const adt_site *site, json_t *program, json_t *src, json_t *out, long *count)
{
	const char *tmpl = json_string_value(json_object_get(src, "template"));
	for (size_t i = 0; tmpl && i < site->n_pages; i++) {
		const adt_page *p = &site->pages[i];
		if (strcmp(p->tmpl, tmpl))
			continue;
		json_t *rec = json_object();
		apply_map(program, json_object_get(src, "map"), p->doc, adt_html_body(p->doc), p->url, rec);
		json_object_set_new(rec, "_url", json_string(p->url));
		json_array_append_new(out, rec);
		(*count)++;
	}
}

static json_t *json_value(json_t *program, const char *name, json_t *v)
{
	adt_type t = field_type(program, name);
	if (json_is_string(v))
		return typed(t, json_string_value(v));
	if (json_is_number(v) && t == ADT_DATE) {
		char buf[32];
		snprintf(buf, sizeof buf, "%.0f", json_number_value(v));
		return json_string(buf);
	}
	if (json_is_array(v) && t == ADT_LIST)
		return json_copy(v);
	return json_copy(v);
}

static void json_source(const adt_site *site, json_t *program, json_t *src, json_t *out, long *count)
{
	const char *tmpl = json_string_value(json_object_get(src, "template"));
	const char *key = json_string_value(json_object_get(src, "array"));
	json_t *map = json_object_get(src, "map"), *ctx = json_object_get(src, "context");
	for (size_t i = 0; tmpl && key && i < site->n_apis; i++) {
		const adt_apidoc *a = &site->apis[i];
		if (strcmp(a->tmpl, tmpl))
			continue;
		json_t *arr = *key ? json_object_get(a->doc, key) : a->doc;
		size_t r;
		json_t *o;
		json_array_foreach(arr, r, o)
		{
			if (!json_is_object(o))
				continue;
			json_t *rec = json_object();
			const char *name;
			json_t *spec;
			json_object_foreach(map, name, spec)
			{
				json_t *v = json_object_get(o, json_string_value(json_object_get(spec, "key")));
				if (v)
					json_object_set_new(rec, name, json_value(program, name, v));
			}
			json_object_foreach(ctx, name, spec)
			{
				json_t *v = json_object_get(a->doc, json_string_value(json_object_get(spec, "key")));
				if (v && !json_object_get(rec, name))
					json_object_set_new(rec, name, json_value(program, name, v));
			}
			json_object_set_new(rec, "_url", json_string(a->url));
			json_array_append_new(out, rec);
			(*count)++;
		}
	}
}

/* The record's identity: its identity fields' values, compact JSON. NULL
 * when one is missing (such a record merges with nothing). */
static char *identity_of(json_t *rec, json_t *identity)
{
	json_t *k = json_array();
	size_t i;
	json_t *f;
	json_array_foreach(identity, i, f)
	{
		json_t *v = json_object_get(rec, json_string_value(f));
		if (!v || json_is_null(v)) {
			json_decref(k);
			return NULL;
		}
		json_array_append(k, v);
	}
	char *s = json_dumps(k, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(k);
	return s;
}

json_t *adt_extract(const adt_site *site, json_t *program, json_t **stats, char *err, size_t errlen)
{
	json_t *sources = json_object_get(program, "sources");
	if (!json_is_array(sources) || !json_is_array(json_object_get(program, "fields"))) {
		snprintf(err, errlen, "the program has no fields or sources");
		return NULL;
	}
	json_t *all = json_array();
	json_t *per = json_array();
	size_t i;
	json_t *src;
	json_array_foreach(sources, i, src)
	{
		const char *kind = json_string_value(json_object_get(src, "kind"));
		long count = 0;
		if (kind && !strcmp(kind, "list"))
			list_source(site, program, src, all, &count);
		else if (kind && !strcmp(kind, "page"))
			page_source(site, program, src, all, &count);
		else if (kind && !strcmp(kind, "json"))
			json_source(site, program, src, all, &count);
		json_array_append_new(per, json_pack("{s:s?, s:s?, s:I}", "kind", kind, "template",
						     json_string_value(json_object_get(src, "template")), "records",
						     (json_int_t)count));
	}
	/* merge on identity; keep first-seen order */
	json_t *identity = json_object_get(program, "identity");
	json_t *out = json_array();
	json_t *index = json_object();
	size_t merged = 0;
	json_t *rec;
	json_array_foreach(all, i, rec)
	{
		char *id = json_array_size(identity) ? identity_of(rec, identity) : NULL;
		json_t *seen = id ? json_object_get(index, id) : NULL;
		if (seen) {
			fill_missing(json_array_get(out, (size_t)json_integer_value(seen)), rec);
			merged++;
		} else {
			if (id)
				json_object_set_new(index, id, json_integer((json_int_t)json_array_size(out)));
			json_array_append(out, rec);
		}
		free(id);
	}
	json_decref(index);
	*stats = json_pack("{s:o, s:I, s:I, s:I}", "sources", per, "raw", (json_int_t)json_array_size(all), "merged",
			   (json_int_t)merged, "records", (json_int_t)json_array_size(out));
	json_decref(all);
	return out;
}
