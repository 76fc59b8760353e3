/*
 * profile.c -- see profile.h.
 */
#include "profile.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lexicon.h"

#define MAX_DEPTH 40
#define MAX_COLUMNS 4000

/* One raw column: an element path and its texts per record. */
typedef struct {
	char *path;
	char *tag;
	char *cls;
	char *next;   /* path of the next element sibling, in the first record that has one */
	int next_alone; /* that sibling is the whole value: no run of its like follows */
	char *parent; /* path of the parent (NULL for the root) */
	int child_index; /* the position among the record root's element children of its top ancestor */
	char **text, **href, **links, **lead;
	size_t present;
	int main_link;
} column;

typedef struct {
	column *c;
	size_t n, cap;
	size_t nrec;
	/* path -> index */
	long *slot;
	size_t scap;
} table;

static size_t hstr(const char *s)
{
	size_t h = 5381;
	for (; *s; s++)
		h = h * 33 + (unsigned char)*s;
	return h;
}

static long find(table *t, const char *path, int add)
{
	if (add && 2 * (t->n + 1) > t->scap) {
		size_t cap = t->scap ? 2 * t->scap : 256;
		long *ns = malloc(cap * sizeof *ns);
		if (!ns)
			return -1;
		for (size_t i = 0; i < cap; i++)
			ns[i] = -1;
		for (size_t i = 0; i < t->n; i++) {
			size_t j = hstr(t->c[i].path) & (cap - 1);
			while (ns[j] >= 0)
				j = (j + 1) & (cap - 1);
			ns[j] = (long)i;
		}
		free(t->slot);
		t->slot = ns;
		t->scap = cap;
	}
	if (!t->scap)
		return -1;
	size_t j = hstr(path) & (t->scap - 1);
	while (t->slot[j] >= 0) {
		if (!strcmp(t->c[t->slot[j]].path, path))
			return t->slot[j];
		j = (j + 1) & (t->scap - 1);
	}
	if (!add || t->n >= MAX_COLUMNS)
		return -1;
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		column *nc = realloc(t->c, cap * sizeof *nc);
		if (!nc)
			return -1;
		t->c = nc;
		t->cap = cap;
	}
	column *c = &t->c[t->n];
	memset(c, 0, sizeof *c);
	c->path = strdup(path);
	c->text = calloc(t->nrec, sizeof *c->text);
	c->href = calloc(t->nrec, sizeof *c->href);
	c->links = calloc(t->nrec, sizeof *c->links);
	c->lead = calloc(t->nrec, sizeof *c->lead);
	c->child_index = -1;
	if (!c->path || !c->text || !c->href || !c->links || !c->lead) {
		free(c->path);
		free(c->text);
		free(c->href);
		free(c->links);
		free(c->lead);
		return -1;
	}
	t->slot[j] = (long)t->n;
	return (long)t->n++;
}

static int skipped_tag(const char *n)
{
	return !strcasecmp(n, "script") || !strcasecmp(n, "style") || !strcasecmp(n, "noscript") ||
	       !strcasecmp(n, "nav") || !strcasecmp(n, "footer") || !strcasecmp(n, "head") ||
	       !strcasecmp(n, "button");
}

static xmlNodePtr next_element(xmlNodePtr n)
{
	for (n = n->next; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE && !skipped_tag((const char *)n->name))
			return n;
	return NULL;
}

/* The link texts under `n` joined by \x1f, and its first href. */
static void links_of(xmlNodePtr n, const char *url, char **joined, char **first, int *count)
{
	xmlNodePtr stack[MAX_DEPTH];
	size_t sp = 0;
	size_t len = 0;
	char *buf = NULL;
	*count = 0;
	if (n->type == XML_ELEMENT_NODE && !strcasecmp((const char *)n->name, "a")) {
		stack[sp++] = n;
	} else {
		for (xmlNodePtr c = n->children; c && sp < MAX_DEPTH; c = c->next)
			if (c->type == XML_ELEMENT_NODE)
				stack[sp++] = c;
	}
	/* a preorder walk in document order: reverse the pushes */
	for (size_t i = 0; i < sp / 2; i++) {
		xmlNodePtr t = stack[i];
		stack[i] = stack[sp - 1 - i];
		stack[sp - 1 - i] = t;
	}
	while (sp) {
		xmlNodePtr x = stack[--sp];
		if (!strcasecmp((const char *)x->name, "a")) {
			char *href = adt_html_attr(x, "href");
			if (href) {
				if (!*first)
					*first = adt_url_resolve(url, href);
				free(href);
				char *t = adt_html_text(x);
				if (t && *t) {
					size_t add = strlen(t);
					char *nb = realloc(buf, len + add + 2);
					if (nb) {
						buf = nb;
						if (len)
							buf[len++] = '\x1f';
						memcpy(buf + len, t, add + 1);
						len += add;
						(*count)++;
					}
				}
				free(t);
			}
			continue;
		}
		xmlNodePtr kids[MAX_DEPTH];
		size_t nk = 0;
		for (xmlNodePtr c = x->children; c && nk < MAX_DEPTH; c = c->next)
			if (c->type == XML_ELEMENT_NODE)
				kids[nk++] = c;
		while (nk && sp < MAX_DEPTH)
			stack[sp++] = kids[--nk];
	}
	*joined = buf;
}

static char *lead_text(xmlNodePtr n)
{
	for (xmlNodePtr c = n->children; c; c = c->next) {
		if (c->type == XML_TEXT_NODE) {
			const char *s = (const char *)c->content;
			while (s && isspace((unsigned char)*s))
				s++;
			if (s && *s) {
				char *t = strdup(s);
				size_t k = t ? strlen(t) : 0;
				while (k && isspace((unsigned char)t[k - 1]))
					t[--k] = 0;
				return t;
			}
			continue;
		}
		if (c->type == XML_ELEMENT_NODE)
			return NULL; /* the element comes first: no lead text */
	}
	return NULL;
}

static int walk(table *t, size_t rec, xmlNodePtr root, xmlNodePtr n, const char *url, xmlNodePtr skip, int depth,
		int top_index, int *first_link_seen)
{
	if (depth > MAX_DEPTH || n == skip)
		return 0;
	char *path = adt_html_relpath(root, n);
	if (!path)
		return -1;
	long ci = find(t, path, 1);
	free(path);
	if (ci >= 0) {
		column *c = &t->c[ci];
		if (!c->tag) {
			c->tag = strdup((const char *)n->name);
			c->cls = adt_html_attr(n, "class");
			c->child_index = top_index;
			if (n != root && n->parent && n->parent->type == XML_ELEMENT_NODE)
				c->parent = adt_html_relpath(root, n->parent);
		}
		if (!c->next) {
			xmlNodePtr nx = n != root ? next_element(n) : NULL;
			if (nx) {
				c->next = adt_html_relpath(root, nx);
				/* "<span>By</span> <a>A</a>, <a>B</a>": the value is the
				 * run of links, not the first; dt/dd and th/td pairs
				 * alternate, so the sibling after is another label */
				xmlNodePtr nx2 = next_element(nx);
				const char *nt = (const char *)nx->name;
				int inl = !strcasecmp(nt, "a") || !strcasecmp(nt, "span") || !strcasecmp(nt, "b") ||
					  !strcasecmp(nt, "i") || !strcasecmp(nt, "em") || !strcasecmp(nt, "strong");
				c->next_alone = !inl || !nx2 || strcmp((const char *)nx2->name, nt) ||
						!strcmp((const char *)nx2->name, (const char *)n->name);
			}
		}
		if (!c->text[rec]) {
			char *text = adt_html_text(n);
			if (text && *text) {
				c->text[rec] = text;
				c->present++;
			} else {
				free(text);
			}
			int count = 0;
			links_of(n, url, &c->links[rec], &c->href[rec], &count);
			c->lead[rec] = lead_text(n);
			if (!strcasecmp((const char *)n->name, "a") && c->href[rec] && !*first_link_seen) {
				*first_link_seen = 1;
				c->main_link++;
			}
		}
	}
	int idx = 0;
	for (xmlNodePtr c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || skipped_tag((const char *)c->name))
			continue;
		if (walk(t, rec, root, c, url, skip, depth + 1, n == root ? idx : top_index, first_link_seen))
			return -1;
		idx++;
	}
	return 0;
}

/* Reads like a label: short, has letters, at most five words. */
static int labelish(const char *s)
{
	size_t n = strlen(s), words = 1, alpha = 0;
	if (!n || n > 40)
		return 0;
	for (const char *p = s; *p; p++) {
		words += *p == ' ';
		alpha += isalpha((unsigned char)*p) != 0;
	}
	return alpha >= 1 && words <= 5 && alpha * 2 >= n;
}

/* A class reads as words ("authors", "home-team"), not as a hash. */
static int wordy_class(const char *c)
{
	if (!c || !*c || strlen(c) > 40)
		return 0;
	int vowels = 0;
	for (const char *p = c; *p; p++) {
		if (isdigit((unsigned char)*p))
			return 0;
		vowels += strchr("aeiouy", tolower((unsigned char)*p)) != NULL;
	}
	return vowels > 0;
}

/* The text every record that has it shares, or NULL when they differ. */
static const char *constant(const column *c, size_t nrec, char **which)
{
	const char *v = NULL;
	for (size_t i = 0; i < nrec; i++) {
		const char *x = which[i];
		if (!x)
			continue;
		if (!v)
			v = x;
		else if (strcmp(v, x))
			return NULL;
	}
	(void)c;
	return v;
}

static int varies(char **which, size_t nrec)
{
	const char *v = NULL;
	for (size_t i = 0; i < nrec; i++) {
		if (!which[i])
			continue;
		if (!v)
			v = which[i];
		else if (strcmp(v, which[i]))
			return 1;
	}
	return 0;
}

/* The leading text nodes' common beginning up to its last colon ("Ticker:"
 * of "Ticker: ACME" and "Ticker: BOLT"), or NULL. Leading text only: the
 * text of a list whose first item is "Authors: ..." is not labelled so. */
static char *colon_prefix(char **texts, size_t nrec)
{
	const char *first = NULL;
	size_t lcp = 0, have = 0;
	for (size_t i = 0; i < nrec; i++) {
		if (!texts[i])
			continue;
		if (!first) {
			first = texts[i];
			lcp = strlen(first);
		} else {
			size_t k = 0;
			while (k < lcp && texts[i][k] == first[k])
				k++;
			lcp = k;
		}
		have++;
	}
	if (have < 2)
		return NULL;
	while (lcp && first[lcp - 1] != ':')
		lcp--;
	return lcp > 1 ? strndup(first, lcp) : NULL;
}

static char *clean_label(const char *s)
{
	char *t = strdup(s);
	if (!t)
		return NULL;
	size_t n = strlen(t);
	while (n && (t[n - 1] == ':' || t[n - 1] == ' ' || t[n - 1] == '-'))
		t[--n] = 0;
	return t;
}

char *adt_strip_label(const char *text, const char *strip)
{
	if (!text)
		return NULL;
	const char *v = text;
	if (strip) {
		size_t k = strlen(strip);
		if (!strncmp(v, strip, k))
			v += k;
	}
	while (*v == ':' || *v == ' ' || *v == '-' || *v == '\xe2') {
		if (*v == '\xe2') /* an en or em dash as a separator */
			break;
		v++;
	}
	return strdup(v);
}

char *adt_slot_value(const adt_slot *s, size_t i)
{
	return s->text[i] ? adt_strip_label(s->text[i], s->strip) : NULL;
}

static int push_slot(adt_slots *out, const column *c, size_t nrec, const char *label, const char *strip, int by,
		     int heading)
{
	adt_slot *nv = realloc(out->v, (out->n + 1) * sizeof *nv);
	if (!nv)
		return -1;
	out->v = nv;
	adt_slot *s = &out->v[out->n];
	memset(s, 0, sizeof *s);
	s->path = strdup(c->path);
	s->label = label ? clean_label(label) : NULL;
	s->strip = strip ? strdup(strip) : NULL;
	s->by = by;
	s->heading = heading;
	s->text = calloc(nrec, sizeof *s->text);
	s->href = calloc(nrec, sizeof *s->href);
	s->links = calloc(nrec, sizeof *s->links);
	if (!s->path || (label && !s->label) || !s->text || !s->href || !s->links) {
		free(s->path);
		free(s->label);
		free(s->strip);
		free(s->text);
		free(s->href);
		free(s->links);
		return -1;
	}
	size_t present = 0, num = 0, date = 0, url = 0, nlinks = 0, len = 0;
	for (size_t i = 0; i < nrec; i++) {
		s->text[i] = c->text[i] ? strdup(c->text[i]) : NULL;
		s->href[i] = c->href[i] ? strdup(c->href[i]) : NULL;
		s->links[i] = c->links[i] ? strdup(c->links[i]) : NULL;
		char *v = adt_slot_value(s, i);
		if ((v && *v) || s->href[i])
			present++;
		if (v && *v) {
			num += (size_t)adt_value_is(ADT_NUMBER, v);
			date += (size_t)adt_value_is(ADT_DATE, v);
			len += strlen(v);
		}
		free(v);
		url += s->href[i] != NULL;
		if (s->links[i]) {
			nlinks++;
			for (const char *p = s->links[i]; *p; p++)
				nlinks += *p == '\x1f';
		}
	}
	double p = present ? (double)present : 1;
	s->present = (double)present / (double)(nrec ? nrec : 1);
	s->num = (double)num / p;
	s->date = (double)date / p;
	s->url = (double)url / (double)(nrec ? nrec : 1);
	s->links_avg = (double)nlinks / p;
	s->len_avg = (double)len / p;
	out->n++;
	return 0;
}

int adt_profile(adt_slots *out, xmlNodePtr *roots, const char *const *urls, xmlNodePtr *skip, size_t n,
	       xmlNodePtr header)
{
	memset(out, 0, sizeof *out);
	out->nrec = n;
	table t = {.nrec = n};
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		int seen = 0;
		rc = walk(&t, i, roots[i], roots[i], urls[i], skip ? skip[i] : NULL, 0, -1, &seen);
	}
	/* the header row's labels by position */
	char *heads[64] = {0};
	size_t nheads = 0;
	for (xmlNodePtr c = header ? header->children : NULL; c && nheads < 64; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			heads[nheads++] = adt_html_text(c);
	size_t need = n >= 4 ? n / 2 : 1;
	for (size_t k = 0; k < t.n && !rc; k++) {
		column *c = &t.c[k];
		if (c->present < need && c->present * 3 < n)
			continue;
		const char *ctext = n >= 2 ? constant(c, n, c->text) : NULL;
		/* text whose links go to the same place everywhere ("Home") is
		 * navigation, never a label */
		int nav_link = c->href[0] && !varies(c->href, n);
		if (ctext && c->present >= need && labelish(ctext) && !nav_link) {
			/* a link whose words stay ("[pdf]", "Download") but whose target
			 * changes is its own value: the label names the href */
			if (varies(c->href, n)) {
				rc = push_slot(out, c, n, ctext, ctext, ADT_BY_LABEL, 0);
				continue;
			}
			/* a label: its value is the next sibling, or the rest of its parent */
			long nx = c->next ? find(&t, c->next, 0) : -1;
			long pa = c->parent ? find(&t, c->parent, 0) : -1;
			if (nx >= 0 && c->next_alone && varies(t.c[nx].text, n))
				rc = push_slot(out, &t.c[nx], n, ctext, NULL, ADT_BY_LABEL, 0);
			else if (pa >= 0 && varies(t.c[pa].text, n))
				rc = push_slot(out, &t.c[pa], n, ctext, ctext, ADT_BY_LABEL, 0);
			continue;
		}
		if (!varies(c->text, n))
			continue;
		const char *lead = n >= 2 ? constant(c, n, c->lead) : NULL;
		char *prefix = lead ? NULL : colon_prefix(c->lead, n);
		if (prefix && labelish(prefix))
			lead = prefix;
		if (lead && labelish(lead) && strcmp(lead, ctext ? ctext : ""))
			rc = push_slot(out, c, n, lead, lead, ADT_BY_LEAD, 0);
		free(prefix);
		if (rc)
			break;
		const char *label = NULL;
		int by = ADT_BY_NONE;
		if (c->child_index >= 0 && (size_t)c->child_index < nheads && heads[c->child_index] &&
		    labelish(heads[c->child_index])) {
			label = heads[c->child_index];
			by = ADT_BY_HEADER;
		} else if (wordy_class(c->cls)) {
			label = c->cls;
			by = ADT_BY_CLASS;
		}
		/* 2: a heading (h1-h3), 1: the record's first link */
		int heading = c->tag && (!strcasecmp(c->tag, "h1") || !strcasecmp(c->tag, "h2") ||
					 !strcasecmp(c->tag, "h3"))
				      ? 2
				      : c->main_link * 2 >= (int)c->present;
		rc = push_slot(out, c, n, label, NULL, by, heading);
	}
	for (size_t i = 0; i < nheads; i++)
		free(heads[i]);
	for (size_t k = 0; k < t.n; k++) {
		column *c = &t.c[k];
		for (size_t i = 0; i < n; i++) {
			free(c->text[i]);
			free(c->href[i]);
			free(c->links[i]);
			free(c->lead[i]);
		}
		free(c->text);
		free(c->href);
		free(c->links);
		free(c->lead);
		free(c->path);
		free(c->tag);
		free(c->cls);
		free(c->next);
		free(c->parent);
	}
	free(t.c);
	free(t.slot);
	if (rc) {
		adt_slots_free(out);
		return -1;
	}
	return 0;
}

void adt_slots_free(adt_slots *s)
{
	for (size_t k = 0; k < s->n; k++) {
		adt_slot *x = &s->v[k];
		for (size_t i = 0; i < s->nrec; i++) {
			free(x->text[i]);
			free(x->href[i]);
			free(x->links[i]);
		}
		free(x->text);
		free(x->href);
		free(x->links);
		free(x->path);
		free(x->label);
		free(x->strip);
	}
	free(s->v);
	memset(s, 0, sizeof *s);
}
