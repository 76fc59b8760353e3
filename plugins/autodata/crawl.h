/*
 * crawl.h -- the browse agent's crawl and the tools agent's API discovery.
 *
 * adt_crawl walks the site breadth-first from `start`, inside `scope` (a URL
 * prefix), through every link (so next links, page numbers and offset
 * links are followed like any other), fetching at most `max_pages` pages,
 * and writes DIR/pages/NNNNN.html and DIR/pages.jsonl: one line per page,
 * {url, status, type, file, cached, links, scripts}.
 *
 * adt_discover_apis reads those pages' inline scripts for the JSON
 * endpoints they call (fetch, XMLHttpRequest.open, getJSON), with the
 * request headers the call sets (an API key from a constant of the same
 * script) and the values its parameter takes (the literal arguments of the
 * function's calls), follows page/offset parameters until the API runs
 * dry, and writes DIR/api/NNNNN.json and DIR/apis.jsonl.
 */
#ifndef AUTODATA_CRAWL_H
#define AUTODATA_CRAWL_H

#include <jansson.h>

#include "fetch.h"

typedef struct {
	const char *start;
	const char *scope; /* NULL: the start URL's directory */
	int max_pages;
	int max_api_calls;
} adt_crawl_opts;

/* 0, with *summary {pages, errors, skipped_robots, ...}; -1 with `err`
 * set (the start page refused by robots.txt, unreachable, or a write). */
int adt_crawl(adt_fetcher *f, const adt_crawl_opts *o, const char *dir, json_t **summary, char *err, size_t errlen);
/* `pages_dir` holds a crawl's pages.jsonl; writes into `dir`. */
int adt_discover_apis(adt_fetcher *f, const adt_crawl_opts *o, const char *pages_dir, const char *dir,
		     json_t **summary, char *err, size_t errlen);

#endif
