/*
 * site.c -- see site.h.
 */
#include "site.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch.h"

#define PAGE_MAX_BYTES (16u << 20)

char *adt_url_template(const char *url)
{
	char origin[512];
	const char *path = url;
	if (!adt_url_origin(url, origin, sizeof origin))
		path = url + strlen(origin);
	size_t plen = strcspn(path, "?");
	const char *slash = NULL;
	for (const char *p = path; p < path + plen; p++)
		if (*p == '/')
			slash = p;
	size_t keep = slash ? (size_t)(slash - path) + 1 : 0;
	size_t cap = strlen(path) + 8;
	char *t = malloc(cap);
	if (!t)
		return NULL;
	memcpy(t, path, keep);
	size_t n = keep;
	t[n++] = '*';
	/* the query's keys, values dropped */
	const char *q = path[plen] == '?' ? path + plen + 1 : NULL;
	char sep = '?';
	while (q && *q) {
		size_t klen = strcspn(q, "=&");
		if (n + klen + 4 >= cap)
			break;
		t[n++] = sep;
		memcpy(t + n, q, klen);
		n += klen;
		memcpy(t + n, "=*", 2);
		n += 2;
		sep = '&';
		q += strcspn(q, "&");
		if (*q == '&')
			q++;
	}
	t[n] = 0;
	return t;
}

static char *slurp(const char *path, size_t max, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	char *buf = malloc(max + 1);
	size_t n = buf ? fread(buf, 1, max + 1, fp) : 0;
	fclose(fp);
	if (!buf || n > max) {
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	*len = n;
	return buf;
}

static int add_tmpl(adt_site *s, const char *t)
{
	for (size_t i = 0; i < s->n_tmpls; i++)
		if (!strcmp(s->tmpls[i], t))
			return 0;
	char **nt = realloc(s->tmpls, (s->n_tmpls + 1) * sizeof *nt);
	if (!nt)
		return -1;
	s->tmpls = nt;
	if (!(s->tmpls[s->n_tmpls] = strdup(t)))
		return -1;
	s->n_tmpls++;
	return 0;
}

int adt_site_load(adt_site *s, const char *pages_dir, const char *api_dir, size_t max_pages, char *err,
		 size_t errlen)
{
	memset(s, 0, sizeof *s);
	char path[4200];
	const char *dirs[2] = {pages_dir, api_dir};
	const char *idx[2] = {"pages.jsonl", "apis.jsonl"};
	for (int k = 0; k < 2; k++) {
		if (!dirs[k])
			continue;
		snprintf(path, sizeof path, "%s/%s", dirs[k], idx[k]);
		FILE *in = fopen(path, "r");
		if (!in) {
			snprintf(err, errlen, "cannot read %s", path);
			adt_site_free(s);
			return -1;
		}
		char *line = NULL;
		size_t cap = 0, lineno = 0;
		while (getline(&line, &cap, in) > 0) {
			lineno++;
			json_t *j = json_loads(line, 0, NULL);
			const char *url = json_string_value(json_object_get(j, "url"));
			const char *file = json_string_value(json_object_get(j, "file"));
			if (!j || !url) {
				snprintf(err, errlen, "%s:%zu: not a page record", path, lineno);
				json_decref(j);
				free(line);
				fclose(in);
				adt_site_free(s);
				return -1;
			}
			if (file && !strstr(file, "..") && (k == 1 || s->n_pages < max_pages)) {
				char fpath[4300];
				snprintf(fpath, sizeof fpath, "%s/%s", dirs[k], file);
				size_t len = 0;
				char *body = slurp(fpath, PAGE_MAX_BYTES, &len);
				char *tmpl = adt_url_template(url);
				if (k == 0) {
					htmlDocPtr doc = body ? adt_html_parse(body, len, url) : NULL;
					adt_page *np = realloc(s->pages, (s->n_pages + 1) * sizeof *np);
					if (doc && np && tmpl && !add_tmpl(s, tmpl)) {
						s->pages = np;
						s->pages[s->n_pages++] = (adt_page){strdup(url), tmpl, doc};
						tmpl = NULL;
					} else {
						if (np)
							s->pages = np;
						xmlFreeDoc(doc);
					}
				} else {
					json_t *doc = body ? json_loadb(body, len, 0, NULL) : NULL;
					adt_apidoc *na = realloc(s->apis, (s->n_apis + 1) * sizeof *na);
					if (doc && na && tmpl) {
						s->apis = na;
						s->apis[s->n_apis++] = (adt_apidoc){strdup(url), tmpl, doc};
						tmpl = NULL;
					} else {
						if (na)
							s->apis = na;
						json_decref(doc);
					}
				}
				free(tmpl);
				free(body);
			}
			json_decref(j);
		}
		free(line);
		fclose(in);
	}
	return 0;
}

int adt_site_add_html(adt_site *s, const char *url, const char *buf, size_t len)
{
	htmlDocPtr doc = adt_html_parse(buf, len, url);
	char *tmpl = adt_url_template(url);
	char *u = strdup(url);
	adt_page *np = doc && tmpl && u ? realloc(s->pages, (s->n_pages + 1) * sizeof *np) : NULL;
	if (!np || add_tmpl(s, tmpl)) {
		if (np)
			s->pages = np;
		xmlFreeDoc(doc);
		free(tmpl);
		free(u);
		return -1;
	}
	s->pages = np;
	s->pages[s->n_pages++] = (adt_page){u, tmpl, doc};
	return 0;
}

void adt_site_free(adt_site *s)
{
	for (size_t i = 0; i < s->n_pages; i++) {
		free(s->pages[i].url);
		free(s->pages[i].tmpl);
		xmlFreeDoc(s->pages[i].doc);
	}
	for (size_t i = 0; i < s->n_apis; i++) {
		free(s->apis[i].url);
		free(s->apis[i].tmpl);
		json_decref(s->apis[i].doc);
	}
	for (size_t i = 0; i < s->n_tmpls; i++)
		free(s->tmpls[i]);
	free(s->pages);
	free(s->apis);
	free(s->tmpls);
	memset(s, 0, sizeof *s);
}

const adt_page *adt_site_page(const adt_site *s, const char *url)
{
	for (size_t i = 0; i < s->n_pages; i++)
		if (!strcmp(s->pages[i].url, url))
			return &s->pages[i];
	return NULL;
}
