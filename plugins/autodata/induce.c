/*
 * induce.c -- see induce.h.
 */
#define _GNU_SOURCE
#include "induce.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "containers.h"
#include "lexicon.h"
#include "profile.h"

#define MAX_CONTAINERS 32
#define MAX_RECORDS 5000
#define MIN_SCORE 0.5

typedef struct {
	const char *name;
	adt_type type;
} field;

typedef struct {
	field *f;
	size_t n;
	const char **names;
	json_t *reject;
} want;

/* ------------------------------------------------------------ scoring */

static int rejected(const want *w, const char *fname, const char *tmpl, const char *path)
{
	size_t i;
	json_t *r;
	json_array_foreach(w->reject, i, r)
	{
		const char *f = json_string_value(json_object_get(r, "field"));
		const char *t = json_string_value(json_object_get(r, "template"));
		const char *p = json_string_value(json_object_get(r, "path"));
		if (f && t && p && !strcmp(f, fname) && !strcmp(t, tmpl) && !strcmp(p, path))
			return 1;
	}
	return 0;
}

/* The others of field k, for the name score. */
static size_t others(const want *w, size_t k, const char **out)
{
	size_t n = 0;
	for (size_t i = 0; i < w->n; i++)
		if (i != k)
			out[n++] = w->f[i].name;
	return n;
}

static int title_like(const char *name)
{
	return adt_name_score(name, "title", NULL, 0) >= 0.99 || adt_name_score("title", name, NULL, 0) >= 0.99;
}

/* How well slot `s` serves field k; 0 when it cannot. */
static double slot_score(const want *w, size_t k, const adt_slot *s)
{
	const field *f = &w->f[k];
	const char *oth[64];
	size_t no = others(w, k, oth);
	double name = s->label ? adt_name_score(f->name, s->label, oth, no) : 0;
	if (s->by == ADT_BY_CLASS)
		name *= 0.9;
	if (s->present < 0.3)
		return 0;
	switch (f->type) {
	case ADT_NUMBER:
		if (s->num < 0.8)
			return 0;
		break;
	case ADT_DATE:
		if (s->date < 0.8)
			return 0;
		break;
	case ADT_URL:
		if (s->url < 0.8)
			return 0;
		break;
	case ADT_TEXT:
		if (s->num >= 0.5 || s->date >= 0.5)
			name -= 0.3;
		break;
	case ADT_LIST:
		if (s->num >= 0.5 || s->date >= 0.5)
			return 0;
		break;
	}
	/* values of the field's type are evidence too: a one-letter key "o"
	 * holding prices is the open more surely than its letter says */
	double bonus = (f->type == ADT_NUMBER || f->type == ADT_DATE || f->type == ADT_URL) && name > 0 ? 0.15 : 0;
	if (f->type == ADT_TEXT && title_like(f->name) && s->heading && !s->label)
		bonus = 0.5 + 0.05 * s->heading;
	return name + bonus;
}

/* The URL-name bonus needs the records: the share of hrefs that hold the
 * field's name (".pdf" for pdf). */
static double href_bonus(const field *f, const adt_slot *s, size_t nrec)
{
	if (f->type != ADT_URL)
		return 0;
	size_t hit = 0, n = 0;
	for (size_t i = 0; i < nrec; i++) {
		if (!s->href[i])
			continue;
		n++;
		if (strcasestr(s->href[i], f->name))
			hit++;
	}
	return n && hit * 10 >= n * 8 ? 0.6 : 0;
}

/* --------------------------------------------------------- candidates */

typedef struct {
	int where; /* 0 the record, 1 the page around it, 2 the detail page */
	const adt_slot *slot;
	size_t field;
	int wide;  /* a list: the slot that holds all its items is the better */
	double score;
} cand;

typedef struct {
	int where;
	const adt_slot *slot;
	double score;
	int by_value; /* inferred (by values elsewhere, or elimination), not named */
} pick;

/* Best first; ties by field order, then as below, so runs agree. */
static int cmp_cand(const void *a, const void *b)
{
	const cand *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	if (x->field != y->field)
		return x->field < y->field ? -1 : 1;
	/* a tie goes to the surer label, then to the narrower slot (a cell
	 * rather than the table around it), or for a list to the wider (the
	 * cell with every author rather than the first one's link) */
	if (x->slot->by != y->slot->by)
		return x->slot->by > y->slot->by ? -1 : 1;
	size_t lx = strlen(x->slot->path), ly = strlen(y->slot->path);
	if (lx != ly)
		return (lx > ly) == !x->wide ? -1 : 1;
	return x->slot < y->slot ? -1 : x->slot > y->slot;
}

static int same_values(const adt_slot *a, const adt_slot *b, size_t nrec)
{
	for (size_t i = 0; i < nrec; i++) {
		const char *x = a->text[i], *y = b->text[i];
		if ((x == NULL) != (y == NULL) || (x && strcmp(x, y)))
			return 0;
	}
	return 1;
}

/* Whether the slot at `outer` holds the one at `inner` (the dl of a dd). */
static int contains(const char *outer, const char *inner)
{
	size_t n = strlen(outer);
	return !strcmp(outer, ".") || (!strncmp(inner, outer, n) && inner[n] == '/');
}

/* Several names per record: links, or text with commas or "and". */
static int list_like(const adt_slot *s, size_t nrec)
{
	size_t have = 0, many = 0, words = 0, pieces = 0;
	for (size_t i = 0; i < nrec; i++) {
		if (!s->text[i])
			continue;
		have++;
		many += (s->links[i] && strchr(s->links[i], '\x1f')) || strchr(s->text[i], ',') ||
			strstr(s->text[i], " and ");
		/* names are short: words per piece between separators */
		pieces++;
		words++;
		for (const char *p = s->text[i]; *p; p++) {
			words += *p == ' ';
			pieces += *p == ',' || *p == ';' || !strncmp(p, " and ", 5);
		}
	}
	return have && many * 3 >= have && s->num < 0.5 && s->date < 0.5 && words <= 5 * pieces;
}

/* Whether slot `sl` (of set `where`) could be field k's by elimination. */
static int candidate(const want *w, size_t k, const adt_slot *sl, int where, size_t nrec, const char *tmpl,
		     const pick *picks)
{
	if (sl->present < 0.8 || sl->by == ADT_BY_NONE || rejected(w, w->f[k].name, tmpl, sl->path))
		return 0;
	int typed = w->f[k].type == ADT_NUMBER ? sl->num >= 0.9
		    : w->f[k].type == ADT_DATE ? sl->date >= 0.9
		    : w->f[k].type == ADT_URL  ? sl->url >= 0.9
		    : w->f[k].type == ADT_LIST ? list_like(sl, nrec)
					       : sl->num < 0.5 && sl->date < 0.5 && !list_like(sl, nrec);
	if (!typed)
		return 0;
	for (size_t j = 0; j < w->n; j++) {
		if (picks[j].slot == sl)
			return 0;
		if (picks[j].slot && picks[j].where == where &&
		    (same_values(picks[j].slot, sl, nrec) || contains(sl->path, picks[j].slot->path) ||
		     contains(picks[j].slot->path, sl->path)))
			return 0;
		if (j != k && sl->label && adt_name_score(w->f[j].name, sl->label, NULL, 0) >= 0.5)
			return 0;
	}
	return 1;
}

/* Assigns fields to slots greedily, best first, one slot per field and one
 * field per slot. picks[k].slot NULL: field k unmapped. Returns how many. */
static size_t assign(const want *w, const adt_slots *sets[3], const char *tmpls[3], pick *picks)
{
	size_t total = 0;
	for (int s = 0; s < 3; s++)
		total += sets[s] ? sets[s]->n : 0;
	cand *cs = malloc((total * w->n + 1) * sizeof *cs);
	size_t nc = 0;
	static const double weight[3] = {1.0, 0.9, 0.95};
	for (size_t k = 0; cs && k < w->n; k++)
		for (int s = 0; s < 3; s++)
			for (size_t i = 0; sets[s] && i < sets[s]->n; i++) {
				const adt_slot *sl = &sets[s]->v[i];
				if (rejected(w, w->f[k].name, tmpls[s], sl->path))
					continue;
				double sc = slot_score(w, k, sl);
				sc += href_bonus(&w->f[k], sl, sets[s]->nrec);
				if (sc >= MIN_SCORE)
					cs[nc++] = (cand){s, sl, k, w->f[k].type == ADT_LIST, sc * weight[s]};
			}
	for (size_t k = 0; k < w->n; k++)
		picks[k] = (pick){0};
	if (!cs)
		return 0;
	qsort(cs, nc, sizeof *cs, cmp_cand);
	size_t mapped = 0;
	for (size_t c = 0; c < nc; c++) {
		if (picks[cs[c].field].slot)
			continue;
		int used = 0;
		for (size_t j = 0; j < w->n; j++)
			used |= picks[j].slot == cs[c].slot;
		if (used)
			continue;
		picks[cs[c].field] = (pick){cs[c].where, cs[c].slot, cs[c].score, 0};
		mapped++;
	}
	free(cs);
	/* elimination: a field left unnamed with exactly one candidate slot
	 * that no other unnamed field could take ("Start" among open, high,
	 * low, close named otherwise; "Précis" once "Researchers" is the
	 * list of authors), repeated until nothing changes. A candidate is a
	 * labelled slot of the field's type, in the records or the pages they
	 * link to, whose label names no other wanted field, and which is not
	 * around, inside or a copy of a claimed slot. */
	for (int changed = 1; changed;) {
		changed = 0;
		for (size_t k = 0; k < w->n; k++) {
			if (picks[k].slot)
				continue;
			const adt_slot *only = NULL;
			int only_where = 0;
			size_t found = 0;
			for (int where = 0; where < 3 && found < 2; where += 2)
				for (size_t i = 0; sets[where] && i < sets[where]->n && found < 2; i++) {
					const adt_slot *sl = &sets[where]->v[i];
					if (!candidate(w, k, sl, where, sets[where]->nrec, tmpls[where], picks))
						continue;
					only = sl;
					only_where = where;
					found++;
				}
			if (found != 1)
				continue;
			/* no other unnamed field may want it */
			int contested = 0;
			for (size_t j = 0; j < w->n && !contested; j++)
				contested = j != k && !picks[j].slot &&
					    candidate(w, j, only, only_where, sets[only_where]->nrec, tmpls[only_where], picks);
			if (contested)
				continue;
			picks[k] = (pick){only_where, only, MIN_SCORE, 1};
			mapped++;
			changed = 1;
		}
	}
	return mapped;
}

/* ------------------------------------------------------------ program */

static json_t *slot_json(const pick *p, const field *f)
{
	const char *take = f->type == ADT_URL ? "href" : f->type == ADT_LIST ? "list" : "text";
	json_t *j = json_pack("{s:s, s:s, s:f}", "path", p->slot->path, "take", take, "score",
			      round(p->score * 1000) / 1000);
	if (p->slot->strip)
		json_object_set_new(j, "strip", json_string(p->slot->strip));
	if (p->slot->label)
		json_object_set_new(j, "label", json_string(p->slot->label));
	return j;
}

/* Profiles the pages of template `tmpl` as records (their bodies), leaving
 * out `skip_xpath`'s nodes. */
static int profile_pages(adt_slots *out, const adt_site *site, const char *tmpl, const char *skip_xpath,
			 size_t *npages)
{
	size_t n = 0;
	for (size_t i = 0; i < site->n_pages; i++)
		n += !strcmp(site->pages[i].tmpl, tmpl);
	*npages = n;
	xmlNodePtr *roots = calloc(n + 1, sizeof *roots);
	xmlNodePtr *skip = calloc(n + 1, sizeof *skip);
	const char **urls = calloc(n + 1, sizeof *urls);
	int rc = -1;
	if (roots && skip && urls) {
		size_t k = 0;
		for (size_t i = 0; i < site->n_pages; i++) {
			if (strcmp(site->pages[i].tmpl, tmpl))
				continue;
			roots[k] = adt_html_body(site->pages[i].doc);
			urls[k] = site->pages[i].url;
			if (skip_xpath) {
				xmlXPathObjectPtr o = adt_html_xpath(site->pages[i].doc, NULL, skip_xpath);
				if (o && o->nodesetval && o->nodesetval->nodeNr)
					skip[k] = o->nodesetval->nodeTab[0]->parent;
				xmlXPathFreeObject(o);
			}
			k++;
		}
		rc = adt_profile(out, roots, urls, skip, n, NULL);
	}
	free(roots);
	free(skip);
	free(urls);
	return rc;
}

/* A candidate source of records: what extraction needs to find them (its
 * head: kind, template, records XPath or JSON array, join), the slots of
 * its records (0), of the page around them (1) and of the detail pages
 * they link to (2), and which slot each field took. */
typedef struct {
	json_t *head;
	adt_slots sets[3];
	int have[3];
	const char *tmpls[3];
	const char *join_path;
	pick picks[64];
	int is_json;
	size_t covered;
	double score;
} source;

static void source_free(source *s)
{
	for (int i = 0; i < 3; i++)
		if (s->have[i])
			adt_slots_free(&s->sets[i]);
	json_decref(s->head);
}

/* Runs the assignment over the source's sets; 0 when it maps nothing. */
static size_t source_assign(const want *w, source *s)
{
	const adt_slots *sets[3];
	for (int i = 0; i < 3; i++)
		sets[i] = s->have[i] ? &s->sets[i] : NULL;
	return assign(w, sets, s->tmpls, s->picks);
}

/* The detail template the records' link slot points to: the template most
 * of its hrefs land on, with two pages or more, other than `self`. */
static const char *join_target(const adt_site *site, const adt_slots *rs, const char *self, const adt_slot **via)
{
	const char *best = NULL;
	size_t best_n = 0;
	*via = NULL;
	for (size_t k = 0; k < rs->n; k++) {
		const adt_slot *s = &rs->v[k];
		if (s->url < 0.6)
			continue;
		/* count per target template */
		for (size_t t = 0; t < site->n_tmpls; t++) {
			const char *tm = site->tmpls[t];
			if (!strcmp(tm, self))
				continue;
			size_t hits = 0;
			for (size_t i = 0; i < rs->nrec; i++) {
				const adt_page *p = s->href[i] ? adt_site_page(site, s->href[i]) : NULL;
				hits += p && !strcmp(p->tmpl, tm);
			}
			size_t pages = 0;
			for (size_t i = 0; i < site->n_pages; i++)
				pages += !strcmp(site->pages[i].tmpl, tm);
			if (pages >= 2 && hits * 10 >= rs->nrec * 6 && hits > best_n) {
				best_n = hits;
				best = tm;
				*via = s;
			}
		}
	}
	return best;
}

static void list_sources(const adt_site *site, const want *w, const char *tmpl, source *out, size_t *nout,
			 size_t max)
{
	/* containers of the template's first page */
	const adt_page *first = NULL;
	size_t npages = 0;
	for (size_t i = 0; i < site->n_pages; i++)
		if (!strcmp(site->pages[i].tmpl, tmpl)) {
			if (!first)
				first = &site->pages[i];
			npages++;
		}
	if (!first)
		return;
	adt_container cs[MAX_CONTAINERS];
	size_t nc = adt_find_containers(first->doc, cs, MAX_CONTAINERS);
	for (size_t c = 0; c < nc && *nout < max; c++) {
		/* the records on every page of the template */
		size_t cap = 64, n = 0;
		xmlNodePtr *roots = malloc(cap * sizeof *roots);
		const char **urls = malloc(cap * sizeof *urls);
		for (size_t i = 0; roots && urls && i < site->n_pages && n < MAX_RECORDS; i++) {
			if (strcmp(site->pages[i].tmpl, tmpl))
				continue;
			xmlXPathObjectPtr o = adt_html_xpath(site->pages[i].doc, NULL, cs[c].xpath);
			for (int j = 0; o && o->nodesetval && j < o->nodesetval->nodeNr && n < MAX_RECORDS; j++) {
				if (n == cap) {
					cap *= 2;
					xmlNodePtr *nr = realloc(roots, cap * sizeof *nr);
					const char **nu = nr ? realloc(urls, cap * sizeof *nu) : NULL;
					if (nr)
						roots = nr;
					if (nu)
						urls = nu;
					if (!nr || !nu)
						break;
				}
				roots[n] = o->nodesetval->nodeTab[j];
				urls[n++] = site->pages[i].url;
			}
			xmlXPathFreeObject(o);
		}
		adt_slots rs = {0};
		int ok = roots && urls && n >= 3 && !adt_profile(&rs, roots, urls, NULL, n, cs[c].header);
		free(roots);
		free(urls);
		if (!ok) {
			free(cs[c].xpath);
			cs[c].xpath = NULL;
			continue;
		}
		source *src = &out[*nout];
		memset(src, 0, sizeof *src);
		src->sets[0] = rs;
		src->have[0] = 1;
		size_t np = 0, nd = 0;
		src->have[1] = npages >= 2 && !profile_pages(&src->sets[1], site, tmpl, cs[c].xpath, &np);
		const adt_slot *via = NULL;
		const char *dt = join_target(site, &src->sets[0], tmpl, &via);
		src->have[2] = dt && !profile_pages(&src->sets[2], site, dt, NULL, &nd);
		src->tmpls[0] = src->tmpls[1] = tmpl;
		src->tmpls[2] = dt ? dt : "";
		src->join_path = via ? via->path : NULL;
		src->head = json_pack("{s:s, s:s, s:s, s:I}", "kind", "list", "template", tmpl, "records", cs[c].xpath,
				      "n_records", (json_int_t)n);
		if (src->join_path && src->have[2])
			json_object_set_new(src->head, "join", json_pack("{s:s, s:s}", "path", src->join_path, "template", dt));
		source_assign(w, src);
		(*nout)++;
		free(cs[c].xpath);
		cs[c].xpath = NULL;
	}
	for (size_t c = 0; c < nc; c++)
		free(cs[c].xpath);
}

static void page_source(const adt_site *site, const want *w, const char *tmpl, source *out, size_t *nout)
{
	source *src = &out[*nout];
	memset(src, 0, sizeof *src);
	size_t np = 0;
	if (profile_pages(&src->sets[0], site, tmpl, NULL, &np))
		return;
	src->have[0] = 1;
	if (np < 2) {
		adt_slots_free(&src->sets[0]);
		return;
	}
	src->tmpls[0] = tmpl;
	src->tmpls[1] = src->tmpls[2] = "";
	src->head = json_pack("{s:s, s:s, s:I}", "kind", "page", "template", tmpl, "n_records", (json_int_t)np);
	source_assign(w, src);
	(*nout)++;
}

/* ------------------------------------------------------------- JSON APIs */

/* The longest array of objects in `j`, two levels deep; its key in *key
 * ("" for a top-level array). */
static json_t *records_array(json_t *j, const char **key)
{
	*key = "";
	if (json_is_array(j))
		return json_array_size(j) && json_is_object(json_array_get(j, 0)) ? j : NULL;
	json_t *best = NULL;
	const char *k;
	json_t *v;
	json_object_foreach(j, k, v)
	{
		if (json_is_array(v) && json_array_size(v) && json_is_object(json_array_get(v, 0)) &&
		    (!best || json_array_size(v) > json_array_size(best))) {
			best = v;
			*key = k;
		}
	}
	return best;
}

static char *scalar_text(json_t *v)
{
	char buf[64];
	if (json_is_string(v))
		return strdup(json_string_value(v));
	if (json_is_integer(v)) {
		snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
		return strdup(buf);
	}
	if (json_is_real(v)) {
		snprintf(buf, sizeof buf, "%.10g", json_real_value(v));
		return strdup(buf);
	}
	if (json_is_boolean(v))
		return strdup(json_is_true(v) ? "true" : "false");
	return NULL;
}

/* JSON keys as slots: one per key of the records (or of the top level). */
static int json_slots(adt_slots *out, json_t **objs, size_t n)
{
	memset(out, 0, sizeof *out);
	out->nrec = n;
	for (size_t i = 0; i < n; i++) {
		const char *k;
		json_t *v;
		json_object_foreach(objs[i], k, v)
		{
			if (!json_is_string(v) && !json_is_number(v))
				continue;
			size_t s = 0;
			while (s < out->n && strcmp(out->v[s].path, k))
				s++;
			if (s == out->n) {
				adt_slot *nv = realloc(out->v, (out->n + 1) * sizeof *nv);
				if (!nv)
					return -1;
				out->v = nv;
				adt_slot *x = &out->v[out->n++];
				memset(x, 0, sizeof *x);
				x->path = strdup(k);
				x->label = strdup(k);
				x->by = ADT_BY_LABEL;
				x->text = calloc(n, sizeof *x->text);
				x->href = calloc(n, sizeof *x->href);
				x->links = calloc(n, sizeof *x->links);
				if (!x->path || !x->label || !x->text || !x->href || !x->links)
					return -1;
			}
			adt_slot *x = &out->v[s];
			if (!x->text[i])
				x->text[i] = scalar_text(v);
		}
	}
	for (size_t s = 0; s < out->n; s++) {
		adt_slot *x = &out->v[s];
		size_t present = 0, num = 0, date = 0, url = 0;
		for (size_t i = 0; i < n; i++) {
			if (!x->text[i] || !*x->text[i])
				continue;
			present++;
			num += (size_t)adt_value_is(ADT_NUMBER, x->text[i]);
			date += (size_t)adt_value_is(ADT_DATE, x->text[i]);
			if (adt_value_is(ADT_URL, x->text[i])) {
				url++;
				x->href[i] = strdup(x->text[i]);
			}
		}
		double p = present ? (double)present : 1;
		x->present = (double)present / (double)(n ? n : 1);
		x->num = (double)num / p;
		x->date = (double)date / p;
		x->url = (double)url / (double)(n ? n : 1);
	}
	return 0;
}

static void json_sources(const adt_site *site, const want *w, source *out, size_t *nout, size_t max)
{
	json_t *empty = json_object(); /* the top level of an array answer */
	/* one source per API template */
	for (size_t a = 0; a < site->n_apis && *nout < max; a++) {
		int seen = 0;
		for (size_t b = 0; b < a; b++)
			seen |= !strcmp(site->apis[b].tmpl, site->apis[a].tmpl);
		if (seen)
			continue;
		const char *tmpl = site->apis[a].tmpl;
		size_t cap = 256, n = 0, ntop = 0;
		json_t **objs = malloc(cap * sizeof *objs);
		json_t **tops = malloc(cap * sizeof *tops);
		const char *key = "";
		for (size_t d = a; objs && tops && d < site->n_apis; d++) {
			if (strcmp(site->apis[d].tmpl, tmpl))
				continue;
			const char *k;
			json_t *arr = records_array(site->apis[d].doc, &k);
			if (!arr)
				continue;
			key = k;
			size_t i;
			json_t *o;
			json_array_foreach(arr, i, o)
			{
				if (!json_is_object(o) || n >= MAX_RECORDS)
					continue;
				if (n == cap || ntop == cap) {
					cap *= 2;
					json_t **no = realloc(objs, cap * sizeof *no);
					if (no)
						objs = no;
					json_t **nt = realloc(tops, cap * sizeof *nt);
					if (nt)
						tops = nt;
					if (!no || !nt)
						break;
				}
				objs[n++] = o;
				tops[ntop++] = json_is_object(site->apis[d].doc) ? site->apis[d].doc : empty;
			}
		}
		source *src = &out[*nout];
		memset(src, 0, sizeof *src);
		if (objs && tops && n && !json_slots(&src->sets[0], objs, n)) {
			src->have[0] = 1;
			src->have[1] = !json_slots(&src->sets[1], tops, ntop);
			src->tmpls[0] = src->tmpls[1] = tmpl;
			src->tmpls[2] = "";
			src->is_json = 1;
			src->head = json_pack("{s:s, s:s, s:s, s:I}", "kind", "json", "template", tmpl, "array", key,
					      "n_records", (json_int_t)n);
			source_assign(w, src);
			(*nout)++;
		} else {
			adt_slots_free(&src->sets[0]);
		}
		free(objs);
		free(tops);
	}
	json_decref(empty);
}

/* ------------------------------------------------- across the sources */

/* A value as the sources compare it: typed fields normalised (1,234.00 and
 * 1234 meet), text folded to lower case. */
static void norm_value(adt_type t, const char *v, char *out, size_t cap)
{
	if ((t == ADT_NUMBER || t == ADT_DATE) && !adt_value_norm(t, v, out, cap))
		return;
	size_t k = 0;
	for (const char *p = v; *p && k + 1 < cap; p++)
		out[k++] = (char)tolower((unsigned char)*p);
	out[k] = 0;
}

/* The value slot `sl` gives field f in record i (its href for URLs). */
static char *pick_value(const field *f, const adt_slot *sl, size_t i)
{
	if (f->type == ADT_URL)
		return sl->href[i] ? strdup(sl->href[i]) : NULL;
	return adt_slot_value(sl, i);
}

/* The values every source that maps field k gives it, as a set. */
static json_t *field_values(const want *w, size_t k, const source *srcs, size_t n)
{
	json_t *set = json_object();
	for (size_t s = 0; s < n; s++) {
		const pick *p = &srcs[s].picks[k];
		if (!p->slot)
			continue;
		size_t nrec = srcs[s].sets[p->where].nrec;
		for (size_t i = 0; i < nrec && json_object_size(set) < 20000; i++) {
			char *v = pick_value(&w->f[k], p->slot, i);
			char buf[512];
			if (v && *v) {
				norm_value(w->f[k].type, v, buf, sizeof buf);
				json_object_set_new(set, buf, json_true());
			}
			free(v);
		}
	}
	return set;
}

/* Cross-source matching: a field one source maps by its name, another
 * source that holds the same values under a label the lexicon does not
 * know ("Visiting team", "Listing", an unlabelled heading) maps too. The
 * slot whose values most often are the field's values elsewhere wins, when
 * more than 60% of them are. */
static void fill_by_values(const want *w, source *srcs, size_t n)
{
	for (size_t k = 0; k < w->n; k++) {
		json_t *vals = NULL;
		for (size_t s = 0; s < n; s++) {
			source *src = &srcs[s];
			if (src->picks[k].slot)
				continue;
			if (!vals)
				vals = field_values(w, k, srcs, n);
			if (!json_object_size(vals))
				break;
			double best = 0.6;
			int best_where = -1;
			const adt_slot *best_slot = NULL;
			for (int where = 0; where < 3; where++) {
				if (!src->have[where])
					continue;
				const adt_slots *set = &src->sets[where];
				for (size_t j = 0; j < set->n; j++) {
					const adt_slot *sl = &set->v[j];
					int used = 0;
					for (size_t q = 0; q < w->n; q++)
						used |= src->picks[q].slot == sl ||
							(src->picks[q].slot && src->picks[q].where == where &&
							 same_values(src->picks[q].slot, sl, set->nrec));
					if (used || rejected(w, w->f[k].name, src->tmpls[where], sl->path))
						continue;
					size_t have = 0, hit = 0;
					json_t *mine = json_object();
					for (size_t i = 0; i < set->nrec; i++) {
						char *v = pick_value(&w->f[k], sl, i);
						char buf[512];
						if (v && *v) {
							have++;
							norm_value(w->f[k].type, v, buf, sizeof buf);
							hit += json_object_get(vals, buf) != NULL;
							json_object_set_new(mine, buf, json_true());
						}
						free(v);
					}
					/* either most of this slot's values are the field's
					 * elsewhere, or most of the field's values (a small
					 * sample, an API's one round) are among this slot's */
					size_t found = 0;
					const char *key;
					json_t *one;
					json_object_foreach(vals, key, one) found += json_object_get(mine, key) != NULL;
					json_decref(mine);
					double share = have ? (double)hit / (double)have : 0;
					double back = (double)found / (double)json_object_size(vals);
					if (share >= 0.3 && back > share)
						share = back;
					if (have * 2 >= set->nrec && share > best) {
						best = share;
						best_where = where;
						best_slot = sl;
					}
				}
			}
			if (best_slot)
				src->picks[k] = (pick){best_where, best_slot, 0.6, 1};
		}
		json_decref(vals);
	}
}

/* The source's program entry: its head and a map per place. NULL when it
 * maps nothing, or fails the rule that a list's records carry their own
 * data. */
static json_t *source_json(const want *w, source *src)
{
	size_t own = 0, mapped = 0;
	double own_best = 0, total = 0;
	for (size_t k = 0; k < w->n; k++) {
		if (!src->picks[k].slot)
			continue;
		mapped++;
		total += src->picks[k].score;
		if (src->picks[k].where != 1 && !src->picks[k].by_value) {
			own++;
			own_best = src->picks[k].score > own_best ? src->picks[k].score : own_best;
		}
	}
	/* at least two fields named where the records are (or one surely):
	 * a run of links inside one detail page (its authors) would otherwise
	 * borrow the page's fields as its own, and inference alone (values
	 * seen elsewhere, elimination) would make sources of anything */
	if (!mapped || (own < 2 && !(own == 1 && own_best >= 0.9)))
		return NULL;
	json_t *maps[3] = {json_object(), json_object(), json_object()};
	for (size_t k = 0; k < w->n; k++) {
		const pick *p = &src->picks[k];
		if (!p->slot)
			continue;
		json_t *m = src->is_json ? json_pack("{s:s, s:f}", "key", p->slot->path, "score",
						     round(p->score * 1000) / 1000)
					 : slot_json(p, &w->f[k]);
		json_object_set_new(maps[p->where], w->f[k].name, m);
	}
	json_t *j = json_deep_copy(src->head);
	json_object_set_new(j, "map", maps[0]);
	if (json_object_size(maps[1]))
		json_object_set_new(j, "context", maps[1]);
	else
		json_decref(maps[1]);
	json_t *join = json_object_get(j, "join");
	if (join && json_object_size(maps[2])) {
		json_object_set_new(join, "map", maps[2]);
	} else {
		json_decref(maps[2]);
		if (join)
			json_object_del(j, "join");
	}
	src->covered = mapped;
	src->score = total;
	json_object_set_new(j, "covered", json_integer((json_int_t)mapped));
	return j;
}

typedef struct {
	json_t *j;
	size_t covered;
	double score;
} built;

/* Most fields first, then the surest mappings. */
static int cmp_built(const void *a, const void *b)
{
	const built *x = a, *y = b;
	if (x->covered != y->covered)
		return x->covered < y->covered ? 1 : -1;
	return x->score < y->score ? 1 : x->score > y->score ? -1 : 0;
}

/* -------------------------------------------------------------- entry */

json_t *adt_induce(const adt_site *site, json_t *fields, json_t *reject, char *err, size_t errlen)
{
	want w = {0};
	w.n = json_array_size(fields);
	if (!w.n || w.n > 64) {
		snprintf(err, errlen, "between 1 and 64 fields, not %zu", w.n);
		return NULL;
	}
	w.f = calloc(w.n, sizeof *w.f);
	w.reject = reject;
	if (!w.f) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (size_t k = 0; k < w.n; k++) {
		json_t *f = json_array_get(fields, k);
		w.f[k].name = json_string_value(json_object_get(f, "name"));
		const char *t = json_string_value(json_object_get(f, "type"));
		int ti = t ? adt_type_parse(t) : -1;
		if (!w.f[k].name) {
			snprintf(err, errlen, "field %zu has no name", k + 1);
			free(w.f);
			return NULL;
		}
		w.f[k].type = ti >= 0 ? (adt_type)ti : adt_type_guess(w.f[k].name);
	}
	size_t max = 256, n = 0;
	source *srcs = calloc(max, sizeof *srcs);
	if (!srcs) {
		free(w.f);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (size_t t = 0; t < site->n_tmpls && n + MAX_CONTAINERS + 1 < max; t++) {
		list_sources(site, &w, site->tmpls[t], srcs, &n, max - 1);
		page_source(site, &w, site->tmpls[t], srcs, &n);
	}
	json_sources(site, &w, srcs, &n, max);
	fill_by_values(&w, srcs, n);
	built *bs = calloc(n + 1, sizeof *bs);
	size_t nb = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *j = bs ? source_json(&w, &srcs[i]) : NULL;
		if (j)
			bs[nb++] = (built){j, srcs[i].covered, srcs[i].score};
		source_free(&srcs[i]);
	}
	free(srcs);
	if (bs)
		qsort(bs, nb, sizeof *bs, cmp_built);
	json_t *keep = json_array(), *alts = json_array();
	size_t best = nb ? bs[0].covered : 0;
	for (size_t i = 0; i < nb; i++) {
		if (bs[i].covered == best)
			json_array_append_new(keep, bs[i].j);
		else if (json_array_size(alts) < 8)
			json_array_append_new(alts, bs[i].j);
		else
			json_decref(bs[i].j);
	}
	free(bs);
	/* identity: the text and date fields every kept source covers */
	json_t *identity = json_array();
	for (int pass = 0; pass < 2 && !json_array_size(identity); pass++)
		for (size_t k = 0; k < w.n; k++) {
			if (pass == 0 && w.f[k].type != ADT_TEXT && w.f[k].type != ADT_DATE)
				continue;
			int all = json_array_size(keep) > 0;
			size_t i;
			json_t *s;
			json_array_foreach(keep, i, s)
			{
				int has = json_object_get(json_object_get(s, "map"), w.f[k].name) ||
					  json_object_get(json_object_get(s, "context"), w.f[k].name) ||
					  json_object_get(json_object_get(json_object_get(s, "join"), "map"), w.f[k].name);
				all &= has;
			}
			if (all)
				json_array_append_new(identity, json_string(w.f[k].name));
		}
	json_t *fl = json_array();
	for (size_t k = 0; k < w.n; k++)
		json_array_append_new(fl, json_pack("{s:s, s:s}", "name", w.f[k].name, "type", adt_type_name(w.f[k].type)));
	free(w.f);
	return json_pack("{s:i, s:o, s:o, s:o, s:o}", "version", 1, "fields", fl, "identity", identity, "sources",
			 keep, "alternatives", alts);
}
