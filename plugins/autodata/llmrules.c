/*
 * llmrules.c -- see llmrules.h.
 */
#include "llmrules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"
#include "validate.h"

#define SKELETON_PAGES 3
#define SKELETON_LINES 45
#define TEXT_CUT 60

static const char SYSTEM[] =
	"You write extraction rules for a web scraper. You get the fields wanted and, for the site's most common "
	"URL templates, a skeleton of one page: one line per element, 'XPATH | text | link'. Answer with JSON: "
	"{\"sources\": [...]}, one source per place the records are. A source is {\"kind\": \"list\", \"template\": "
	"T, \"records\": XPATH of the record elements from the document root, \"map\": {FIELD: {\"path\": XPATH "
	"relative to a record, \"take\": \"text\" | \"href\" | \"list\"}}} for records repeated on a page, or "
	"{\"kind\": \"page\", \"template\": T, \"map\": {...}} when each page of the template is one record "
	"(paths relative to <body>). Use the templates exactly as given. Use take=href for links, take=list for "
	"several values (authors).";

/* One skeleton line per element with its own text or a link. */
static void skeleton(xmlNodePtr body, xmlNodePtr n, const char *url, char **buf, size_t *len, int *lines)
{
	for (xmlNodePtr c = n->children; c && *lines < SKELETON_LINES; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		const char *name = (const char *)c->name;
		if (!strcmp(name, "script") || !strcmp(name, "style") || !strcmp(name, "nav") || !strcmp(name, "footer"))
			continue;
		int own = 0;
		for (xmlNodePtr t = c->children; t; t = t->next)
			if (t->type == XML_TEXT_NODE && t->content && strspn((const char *)t->content, " \t\r\n") <
										 strlen((const char *)t->content))
				own = 1;
		char *href = !strcmp(name, "a") ? adt_html_attr(c, "href") : NULL;
		if (own || href) {
			char *path = adt_html_relpath(body, c);
			char *text = adt_html_text(c);
			char *abs = href ? adt_url_resolve(url, href) : NULL;
			char line[512];
			int w = snprintf(line, sizeof line, "%s | %.*s%s | %s\n", path ? path : "?", TEXT_CUT, text ? text : "",
					 text && strlen(text) > TEXT_CUT ? "..." : "", abs ? abs : "");
			if (w > 0) {
				size_t add = (size_t)w < sizeof line ? (size_t)w : sizeof line - 1;
				char *nb = realloc(*buf, *len + add + 1);
				if (nb) {
					memcpy(nb + *len, line, add);
					*len += add;
					nb[*len] = 0;
					*buf = nb;
					(*lines)++;
				}
			}
			free(path);
			free(text);
			free(abs);
		}
		free(href);
		skeleton(body, c, url, buf, len, lines);
	}
}

json_t *adt_llm_request(const adt_site *site, json_t *fields)
{
	/* the templates with the most pages, one page each */
	size_t order[SKELETON_PAGES] = {0}, counts[SKELETON_PAGES] = {0}, n = 0;
	for (size_t t = 0; t < site->n_tmpls; t++) {
		size_t c = 0;
		for (size_t i = 0; i < site->n_pages; i++)
			c += !strcmp(site->pages[i].tmpl, site->tmpls[t]);
		size_t at = n < SKELETON_PAGES ? n++ : SKELETON_PAGES;
		while (at > 0 && counts[at - 1] < c) {
			if (at < SKELETON_PAGES) {
				order[at] = order[at - 1];
				counts[at] = counts[at - 1];
			}
			at--;
		}
		if (at < SKELETON_PAGES) {
			order[at] = t;
			counts[at] = c;
		}
	}
	char *buf = NULL;
	size_t len = 0;
	char *fl = json_dumps(fields, JSON_COMPACT);
	size_t need = strlen(fl ? fl : "") + 64;
	buf = malloc(need);
	if (buf)
		len = (size_t)snprintf(buf, need, "Fields: %s\n", fl ? fl : "[]");
	free(fl);
	for (size_t k = 0; buf && k < n; k++) {
		const char *tm = site->tmpls[order[k]];
		for (size_t i = 0; i < site->n_pages; i++) {
			if (strcmp(site->pages[i].tmpl, tm))
				continue;
			char head[600];
			int w = snprintf(head, sizeof head, "\nTemplate %s (%zu pages), page %s:\n", tm, counts[k],
					 site->pages[i].url);
			char *nb = realloc(buf, len + (size_t)w + 1);
			if (!nb)
				break;
			buf = nb;
			memcpy(buf + len, head, (size_t)w + 1);
			len += (size_t)w;
			int lines = 0;
			xmlNodePtr body = adt_html_body(site->pages[i].doc);
			if (body)
				skeleton(body, body, site->pages[i].url, &buf, &len, &lines);
			break;
		}
	}
	json_t *schema = json_pack(
		"{s:s, s:{s:{s:s, s:{s:s, s:{s:{s:s, s:[s,s]}, s:{s:s}, s:{s:s}, s:{s:s}}, s:[s,s,s]}}}, s:[s]}", "type",
		"object", "properties", "sources", "type", "array", "items", "type", "object", "properties", "kind", "type",
		"string", "enum", "list", "page", "template", "type", "string", "records", "type", "string", "map", "type",
		"object", "required", "kind", "template", "map", "required", "sources");
	json_t *req = json_pack("{s:[{s:s, s:s}, {s:s, s:s?}], s:o, s:f}", "messages", "role", "system", "content",
				SYSTEM, "role", "user", "content", buf, "schema", schema, "temperature", 0.0);
	free(buf);
	return req;
}

json_t *adt_llm_program(json_t *answer, json_t *induced, char *why, size_t whylen)
{
	json_t *srcs = json_object_get(answer, "sources");
	if (!json_is_array(srcs) || !json_array_size(srcs)) {
		snprintf(why, whylen, "the LLM's answer has no sources");
		return NULL;
	}
	json_t *keep = json_array();
	size_t i;
	json_t *s;
	json_array_foreach(srcs, i, s)
	{
		const char *kind = json_string_value(json_object_get(s, "kind"));
		json_t *map = json_object_get(s, "map");
		if (!kind || !json_is_object(map) || !json_string_value(json_object_get(s, "template")) ||
		    (!strcmp(kind, "list") && !json_string_value(json_object_get(s, "records"))))
			continue;
		/* every field spec needs a path; "take" defaults to text */
		json_t *clean = json_object();
		const char *f;
		json_t *spec;
		json_object_foreach(map, f, spec)
		{
			const char *path = json_string_value(json_object_get(spec, "path"));
			const char *take = json_string_value(json_object_get(spec, "take"));
			if (path && strlen(path) < 500)
				json_object_set_new(clean, f, json_pack("{s:s, s:s}", "path", path, "take",
									take && (!strcmp(take, "href") || !strcmp(take, "list"))
										? take
										: "text"));
		}
		json_t *src = json_deep_copy(s);
		json_object_set_new(src, "map", clean);
		json_array_append_new(keep, src);
	}
	if (!json_array_size(keep)) {
		json_decref(keep);
		snprintf(why, whylen, "none of the LLM's sources is complete (kind, template, records, map)");
		return NULL;
	}
	return json_pack("{s:i, s:O, s:O, s:o, s:s}", "version", 1, "fields", json_object_get(induced, "fields"),
			 "identity", json_object_get(induced, "identity"), "sources", keep, "decided_by", "llm");
}

/* Records and verdict of a program over the site. */
static json_t *trial(const adt_site *site, json_t *prog, size_t *n)
{
	char err[256];
	json_t *stats = NULL;
	json_t *recs = adt_extract(site, prog, &stats, err, sizeof err);
	json_decref(stats);
	*n = json_array_size(recs);
	json_t *v = recs ? adt_validate(recs, prog, 0.9, 0.9) : NULL;
	json_decref(recs);
	return v;
}

json_t *adt_llm_choose(const adt_site *site, json_t *llm, json_t *induced, const char **by, char *why,
		       size_t whylen)
{
	size_t nl = 0, ni = 0;
	json_t *vl = trial(site, llm, &nl), *vi = trial(site, induced, &ni);
	int ok = vl && json_is_true(json_object_get(vl, "ok")) && nl * 10 >= ni * 9;
	if (ok) {
		*by = "llm";
		snprintf(why, whylen, "the LLM's rules extract %zu records and pass validation (induction: %zu)", nl, ni);
	} else {
		*by = "induction";
		json_t *p = json_array_get(json_object_get(vl, "problems"), 0);
		snprintf(why, whylen, "the LLM's rules were refused: %zu records (induction: %zu)%s%s", nl, ni,
			 p ? "; " : "", p ? json_string_value(p) : "");
	}
	json_decref(vl);
	json_decref(vi);
	return json_incref(ok ? llm : induced);
}
