/*
 * crawl.c -- see crawl.h.
 */
#include "crawl.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "fsutil.h"
#include "html.h"
#include "jscalls.h"


/* A set of strings, for the URLs already queued. Linear probing. */
typedef struct {
	char **slot;
	size_t cap, n;
} strset;

static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* 1 added, 0 already there, -1 out of memory */
static int strset_add(strset *s, const char *k)
{
	if (2 * (s->n + 1) > s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 256;
		char **ns = calloc(cap, sizeof *ns);
		if (!ns)
			return -1;
		for (size_t i = 0; i < s->cap; i++)
			if (s->slot[i]) {
				size_t j = hash_str(s->slot[i]) & (cap - 1);
				while (ns[j])
					j = (j + 1) & (cap - 1);
				ns[j] = s->slot[i];
			}
		free(s->slot);
		s->slot = ns;
		s->cap = cap;
	}
	size_t j = hash_str(k) & (s->cap - 1);
	while (s->slot[j]) {
		if (!strcmp(s->slot[j], k))
			return 0;
		j = (j + 1) & (s->cap - 1);
	}
	if (!(s->slot[j] = strdup(k)))
		return -1;
	s->n++;
	return 1;
}

static void strset_free(strset *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->slot[i]);
	free(s->slot);
}


/* Links whose target is not a page: recorded, never fetched. */
static int is_binary(const char *url)
{
	static const char *const ext[] = {".pdf", ".zip", ".gz", ".tgz", ".png", ".jpg", ".jpeg", ".gif", ".svg",
					  ".css", ".js", ".ico", ".mp4", ".mp3", ".xlsx", ".docx", ".tar"};
	size_t n = strcspn(url, "?");
	for (size_t i = 0; i < sizeof ext / sizeof *ext; i++) {
		size_t k = strlen(ext[i]);
		if (n >= k && !strncasecmp(url + n - k, ext[i], k))
			return 1;
	}
	return 0;
}

static char *default_scope(const char *start)
{
	char *s = strdup(start);
	if (!s)
		return NULL;
	char *q = strchr(s, '?');
	if (q)
		*q = 0;
	char *slash = strrchr(s, '/');
	char origin[512];
	if (slash && !adt_url_origin(s, origin, sizeof origin) && (size_t)(slash - s) >= strlen(origin))
		slash[1] = 0;
	return s;
}

typedef struct {
	char **v;
	size_t head, n, cap;
} queue;

static int q_push(queue *q, const char *s)
{
	if (q->n == q->cap) {
		size_t cap = q->cap ? 2 * q->cap : 64;
		char **nv = realloc(q->v, cap * sizeof *nv);
		if (!nv)
			return -1;
		q->v = nv;
		q->cap = cap;
	}
	return (q->v[q->n++] = strdup(s)) ? 0 : -1;
}

static void q_free(queue *q)
{
	for (size_t i = 0; i < q->n; i++)
		free(q->v[i]);
	free(q->v);
}

int adt_crawl(adt_fetcher *f, const adt_crawl_opts *o, const char *dir, json_t **summary, char *err, size_t errlen)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/pages", dir);
	if (mkdir(dir, 0755) && errno != EEXIST) {
		adt_seterr(err, errlen, "cannot make %s: %s", dir, strerror(errno));
		return -1;
	}
	if (mkdir(path, 0755) && errno != EEXIST) {
		adt_seterr(err, errlen, "cannot make %s: %s", path, strerror(errno));
		return -1;
	}
	char *scope = o->scope && *o->scope ? strdup(o->scope) : default_scope(o->start);
	snprintf(path, sizeof path, "%s/pages.jsonl", dir);
	FILE *idx = fopen(path, "w");
	strset seen = {0};
	queue q = {0};
	long pages = 0, errors = 0, robots = 0, binary = 0, cached = 0;
	int rc = -1;
	if (!scope || !idx || strset_add(&seen, o->start) < 0 || q_push(&q, o->start)) {
		adt_seterr(err, errlen, "cannot start the crawl: %s", idx ? "out of memory" : strerror(errno));
		goto done;
	}
	json_t *errs = json_array();
	while (q.head < q.n && pages < o->max_pages) {
		char *url = q.v[q.head++];
		adt_response r;
		char ferr[1024] = "";
		int fr = adt_fetch(f, url, NULL, &r, ferr, sizeof ferr);
		if (fr == -2 && pages == 0 && q.head == 1) {
			adt_seterr(err, errlen, "the crawl was refused: %s; weft does not crawl what a site closes to crawlers",
			       ferr);
			json_decref(errs);
			goto done;
		}
		if (fr) {
			if (fr == -2)
				robots++;
			else
				errors++;
			if (json_array_size(errs) < 20)
				json_array_append_new(errs, json_string(ferr));
			if (pages == 0 && q.head == 1) {
				adt_seterr(err, errlen, "the start page could not be fetched: %s", ferr);
				json_decref(errs);
				goto done;
			}
			continue;
		}
		int is_html = r.status == 200 && (!r.content_type || strstr(r.content_type, "html"));
		json_t *links = json_array();
		json_t *line = json_pack("{s:s, s:I, s:s, s:b, s:o}", "url", url, "status", (json_int_t)r.status, "type",
					 is_html ? "html" : (r.content_type ? r.content_type : "?"), "cached",
					 r.cached != 0, "links", links);
		pages++;
		cached += r.cached != 0;
		if (is_html) {
			char name[64];
			snprintf(name, sizeof name, "pages/%05ld.html", pages);
			snprintf(path, sizeof path, "%s/%s", dir, name);
			if (adt_write_atomic(path, r.body, r.len)) {
				adt_seterr(err, errlen, "cannot write %s: %s", path, strerror(errno));
				adt_response_clear(&r);
				json_decref(line);
				json_decref(errs);
				goto done;
			}
			json_object_set_new(line, "file", json_string(name));
			htmlDocPtr doc = adt_html_parse(r.body, r.len, url);
			xmlXPathObjectPtr as = doc ? adt_html_xpath(doc, NULL, "//a[@href]") : NULL;
			for (int i = 0; as && as->nodesetval && i < as->nodesetval->nodeNr; i++) {
				char *href = adt_html_attr(as->nodesetval->nodeTab[i], "href");
				char *abs = adt_url_resolve(url, href);
				free(href);
				if (abs && !strncmp(abs, scope, strlen(scope))) {
					json_array_append_new(links, json_string(abs));
					int added = is_binary(abs) ? 0 : strset_add(&seen, abs);
					if (is_binary(abs))
						binary++;
					if (added > 0 && q_push(&q, abs) < 0)
						added = -1;
					if (added < 0) {
						free(abs);
						adt_seterr(err, errlen, "out of memory");
						xmlXPathFreeObject(as);
						xmlFreeDoc(doc);
						adt_response_clear(&r);
						json_decref(line);
						json_decref(errs);
						goto done;
					}
				}
				free(abs);
			}
			xmlXPathFreeObject(as);
			xmlFreeDoc(doc);
		}
		adt_response_clear(&r);
		char *text = json_dumps(line, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(line);
		if (!text || fprintf(idx, "%s\n", text) < 0) {
			free(text);
			adt_seterr(err, errlen, "cannot write %s/pages.jsonl", dir);
			json_decref(errs);
			goto done;
		}
		free(text);
	}
	*summary = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:o}", "pages", (json_int_t)pages, "errors",
			     (json_int_t)errors, "refused_by_robots", (json_int_t)robots, "binary_links",
			     (json_int_t)binary, "from_cache", (json_int_t)cached, "unvisited",
			     (json_int_t)(q.n - q.head), "scope", scope, "first_errors", errs);
	rc = 0;
done:
	if (idx && fclose(idx) && rc == 0) {
		adt_seterr(err, errlen, "cannot write %s/pages.jsonl", dir);
		rc = -1;
	}
	free(scope);
	strset_free(&seen);
	q_free(&q);
	return rc;
}

/* ------------------------------------------------------- API discovery */

static int pageish(const char *name)
{
	static const char *const names[] = {"page", "p", "pg", "offset", "start", "skip", "from"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (!strcasecmp(name, names[i]))
			return 1;
	return 0;
}

/* How many records a JSON answer holds: the longest array of objects in
 * it, searched two levels deep; its "pages"/"total_pages" in *pages. */
static size_t json_records(json_t *j, long *pages)
{
	size_t best = 0;
	if (json_is_array(j)) {
		if (json_array_size(j) && json_is_object(json_array_get(j, 0)))
			best = json_array_size(j);
		return best;
	}
	const char *k;
	json_t *v;
	json_object_foreach(j, k, v)
	{
		if ((!strcmp(k, "pages") || !strcmp(k, "total_pages") || !strcmp(k, "last_page")) && json_is_integer(v))
			*pages = (long)json_integer_value(v);
		size_t r = json_is_array(v) ? json_records(v, pages) : json_is_object(v) ? json_records(v, pages) : 0;
		if (r > best)
			best = r;
	}
	return best;
}

typedef struct {
	FILE *idx;
	const char *dir;
	long calls, docs, records, failed;
	strset done;
	json_t *endpoints;
} apictx;

/* Fetches one API URL, stores the answer; records (>= 0), or -1 when it
 * failed (an error, a 4xx, not JSON). */
static long api_get(adt_fetcher *f, apictx *a, const char *url, const char *const *hdrs, const char *from,
		    long *pages, char *err, size_t errlen)
{
	int fresh = strset_add(&a->done, url);
	if (fresh <= 0)
		return fresh < 0 ? -1 : 0;
	adt_response r;
	char ferr[1024] = "";
	a->calls++;
	if (adt_fetch(f, url, hdrs, &r, ferr, sizeof ferr)) {
		a->failed++;
		snprintf(err, errlen, "%s", ferr);
		return -1;
	}
	json_t *j = r.status == 200 ? json_loadb(r.body, r.len, 0, NULL) : NULL;
	long recs = -1;
	if (j) {
		recs = (long)json_records(j, pages);
		a->docs++;
		a->records += recs;
		char name[64], path[4200];
		snprintf(name, sizeof name, "api/%05ld.json", a->docs);
		snprintf(path, sizeof path, "%s/%s", a->dir, name);
		json_t *line = json_pack("{s:s, s:s, s:s, s:I, s:b}", "url", url, "file", name, "from", from, "records",
					 (json_int_t)recs, "cached", r.cached != 0);
		char *text = line ? json_dumps(line, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
		if (adt_write_atomic(path, r.body, r.len) || !text || fprintf(a->idx, "%s\n", text) < 0)
			recs = -2;
		free(text);
		json_decref(line);
		json_decref(j);
	} else {
		a->failed++;
		snprintf(err, errlen, "%s answered %ld%s", url, r.status, r.status == 200 ? " with no JSON" : "");
	}
	adt_response_clear(&r);
	return recs;
}

/* One call site: `tmpl` (absolute, "{var}" at its end or none), headers. */
static int call_site(adt_fetcher *f, apictx *a, const adt_crawl_opts *o, const char *tmpl, const char *const *hdrs,
		     json_t *values, const char *from, char *err, size_t errlen)
{
	const char *brace = strchr(tmpl, '{');
	json_t *ep = json_pack("{s:s, s:s}", "template", tmpl, "page", from);
	json_t *hs = json_array();
	for (size_t i = 0; hdrs && hdrs[i]; i++) /* names only: keys stay out of records */
		json_array_append_new(hs, json_stringn(hdrs[i], strcspn(hdrs[i], ":")));
	json_object_set_new(ep, "headers", hs);
	json_array_append_new(a->endpoints, ep);
	char ferr[1024];
	if (!brace) {
		long pages = 0;
		return api_get(f, a, tmpl, hdrs, from, &pages, ferr, sizeof ferr) == -2 ? -1 : 0;
	}
	/* the parameter's name: the query key just before the placeholder */
	const char *eq = brace - 1;
	const char *ks = eq;
	while (ks > tmpl && ks[-1] != '?' && ks[-1] != '&')
		ks--;
	char key[64] = "";
	if (*eq == '=' && eq - ks < (long)sizeof key)
		snprintf(key, sizeof key, "%.*s", (int)(eq - ks), ks);
	int paged = key[0] && pageish(key);
	long first = 1;
	if (json_array_size(values) == 0 && !paged)
		return 0; /* a parameter we cannot guess: say so in the summary */
	size_t nv = json_array_size(values) ? json_array_size(values) : 1;
	for (size_t vi = 0; vi < nv; vi++) {
		const char *val = json_string_value(json_array_get(values, vi));
		if (val && paged)
			first = strtol(val, NULL, 10);
		int offset = paged && (!strcasecmp(key, "offset") || !strcasecmp(key, "start") ||
				       !strcasecmp(key, "skip") || !strcasecmp(key, "from"));
		long at = paged ? (offset && !val ? 0 : first) : 0;
		for (int step = 0; step < 200 && a->calls < o->max_api_calls; step++) {
			char url[4096];
			char num[32];
			snprintf(num, sizeof num, "%ld", at);
			snprintf(url, sizeof url, "%.*s%s", (int)(brace - tmpl), tmpl, paged ? num : (val ? val : ""));
			long pages = 0;
			long recs = api_get(f, a, url, hdrs, from, &pages, ferr, sizeof ferr);
			if (recs == -2) {
				adt_seterr(err, errlen, "cannot write under %s", a->dir);
				return -1;
			}
			if (!paged || recs <= 0 || (pages > 0 && !offset && at >= pages))
				break;
			at += offset ? recs : 1;
		}
	}
	return 0;
}

static int scan_script(adt_fetcher *f, apictx *a, const adt_crawl_opts *o, const char *page_url, const char *src,
		       char *err, size_t errlen)
{
	json_t *calls = adt_script_calls(page_url, src);
	int rc = 0;
	size_t i;
	json_t *c;
	json_array_foreach(calls, i, c)
	{
		const char *url = json_string_value(json_object_get(c, "url"));
		char key[4300];
		snprintf(key, sizeof key, "site %s", url);
		if (strset_add(&a->done, key) <= 0)
			continue;
		const char *hdrs[9] = {0};
		size_t nh = 0, h;
		json_t *hv;
		json_array_foreach(json_object_get(c, "headers"), h, hv) if (nh < 8) hdrs[nh++] = json_string_value(hv);
		rc = call_site(f, a, o, url, hdrs, json_object_get(c, "values"), page_url, err, errlen);
		if (rc)
			break;
	}
	json_decref(calls);
	return rc;
}

int adt_discover_apis(adt_fetcher *f, const adt_crawl_opts *o, const char *pages_dir, const char *dir,
		     json_t **summary, char *err, size_t errlen)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/api", dir);
	if ((mkdir(dir, 0755) && errno != EEXIST) || (mkdir(path, 0755) && errno != EEXIST)) {
		adt_seterr(err, errlen, "cannot make %s: %s", path, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof path, "%s/pages.jsonl", pages_dir);
	FILE *in = fopen(path, "r");
	if (!in) {
		adt_seterr(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	apictx a = {.dir = dir, .endpoints = json_array()};
	snprintf(path, sizeof path, "%s/apis.jsonl", dir);
	a.idx = fopen(path, "w");
	int rc = a.idx ? 0 : -1;
	if (rc)
		adt_seterr(err, errlen, "cannot write %s: %s", path, strerror(errno));
	char *line = NULL;
	size_t cap = 0;
	long scripts = 0;
	while (rc == 0 && getline(&line, &cap, in) > 0) {
		json_t *p = json_loads(line, 0, NULL);
		const char *file = json_string_value(json_object_get(p, "file"));
		const char *url = json_string_value(json_object_get(p, "url"));
		if (file && url) {
			snprintf(path, sizeof path, "%s/%s", pages_dir, file);
			FILE *fp = fopen(path, "rb");
			char *buf = NULL;
			size_t len = 0;
			if (fp) {
				buf = malloc(16u << 20);
				len = buf ? fread(buf, 1, (16u << 20) - 1, fp) : 0;
				fclose(fp);
			}
			htmlDocPtr doc = buf ? adt_html_parse(buf, len, url) : NULL;
			free(buf);
			xmlXPathObjectPtr ss = doc ? adt_html_xpath(doc, NULL, "//script[not(@src)]") : NULL;
			for (int i = 0; rc == 0 && ss && ss->nodesetval && i < ss->nodesetval->nodeNr; i++) {
				xmlChar *src = xmlNodeGetContent(ss->nodesetval->nodeTab[i]);
				scripts++;
				if (src)
					rc = scan_script(f, &a, o, url, (const char *)src, err, errlen);
				xmlFree(src);
			}
			xmlXPathFreeObject(ss);
			xmlFreeDoc(doc);
		}
		json_decref(p);
	}
	free(line);
	fclose(in);
	if (a.idx && fclose(a.idx) && rc == 0) {
		adt_seterr(err, errlen, "cannot write %s/apis.jsonl", dir);
		rc = -1;
	}
	if (rc == 0)
		*summary = json_pack("{s:I, s:I, s:I, s:I, s:I, s:O}", "scripts", (json_int_t)scripts, "calls",
				     (json_int_t)a.calls, "documents", (json_int_t)a.docs, "records",
				     (json_int_t)a.records, "failed", (json_int_t)a.failed, "endpoints", a.endpoints);
	json_decref(a.endpoints);
	strset_free(&a.done);
	return rc;
}
