/*
 * site.h -- a crawl loaded for the engineer and the tester: its HTML pages
 * (parsed once) grouped by URL template, and its API answers.
 *
 * A URL's template keeps its path but the last segment, and its query keys
 * but their values: /papers?page=2 and /papers?page=3 are one template,
 * /paper/p1 and /paper/p2 another. Pages of one template are taken to be
 * made from one page template, which is what wrapper induction needs.
 */
#ifndef AUTODATA_SITE_H
#define AUTODATA_SITE_H

#include <jansson.h>
#include <stddef.h>

#include "html.h"

typedef struct {
	char *url;
	char *tmpl;
	htmlDocPtr doc;
} adt_page;

typedef struct {
	char *url;
	char *tmpl;
	json_t *doc;
} adt_apidoc;

typedef struct {
	adt_page *pages;
	size_t n_pages;
	adt_apidoc *apis;
	size_t n_apis;
	char **tmpls; /* distinct page templates, in first-seen order */
	size_t n_tmpls;
} adt_site;

/* Loads DIR/pages.jsonl (and API_DIR/apis.jsonl when API_DIR is not NULL).
 * At most `max_pages` pages. 0, or -1 with `err`. */
int adt_site_load(adt_site *s, const char *pages_dir, const char *api_dir, size_t max_pages, char *err,
		 size_t errlen);
void adt_site_free(adt_site *s);
/* Adds a page from memory (for tests and fuzzing); 0, or -1 when it does
 * not parse or memory runs out. */
int adt_site_add_html(adt_site *s, const char *url, const char *buf, size_t len);
/* The template of `url` (malloc'd). */
char *adt_url_template(const char *url);
/* The page whose URL is `url`, or NULL. */
const adt_page *adt_site_page(const adt_site *s, const char *url);

#endif
