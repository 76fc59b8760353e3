/*
 * containers.c -- see containers.h.
 */
#include "containers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* --------------------------------------------------------- containers */

static int safe_attr(const char *v)
{
	return v && *v && !strchr(v, '\'') && !strchr(v, '"') && strlen(v) < 200;
}

/* The XPath of `e`'s children of tag `tag` (class `cls`): anchored at the
 * nearest ancestor with an id or class, else absolute. */
static char *records_xpath(htmlDocPtr doc, xmlNodePtr e, const char *tag, const char *cls, int skip_first)
{
	xmlNodePtr a = e;
	char *anchor = NULL;
	for (; a && a->type == XML_ELEMENT_NODE; a = a->parent) {
		char *id = adt_html_attr(a, "id");
		char *c = adt_html_attr(a, "class");
		char buf[512];
		if (safe_attr(id))
			snprintf(buf, sizeof buf, "//%s[@id='%s']", (const char *)a->name, id);
		else if (safe_attr(c))
			snprintf(buf, sizeof buf, "//%s[@class='%s']", (const char *)a->name, c);
		else
			buf[0] = 0;
		free(id);
		free(c);
		if (buf[0]) {
			anchor = strdup(buf);
			break;
		}
	}
	char *below = NULL;
	if (!anchor) {
		char *rel = adt_html_relpath((xmlNodePtr)doc, e);
		size_t len = rel ? strlen(rel) + 2 : 0;
		anchor = rel ? malloc(len) : NULL;
		if (anchor)
			snprintf(anchor, len, "/%s", rel);
		free(rel);
	} else if (a != e) {
		below = adt_html_relpath(a, e);
	}
	if (!anchor)
		return NULL;
	char pred[300] = "";
	if (safe_attr(cls))
		snprintf(pred, sizeof pred, "[@class='%s']%s", cls, skip_first ? "[position()>1]" : "");
	else if (!strcasecmp(tag, "tr"))
		snprintf(pred, sizeof pred, "[td]");
	else if (skip_first)
		snprintf(pred, sizeof pred, "[position()>1]");
	size_t len = strlen(anchor) + (below ? strlen(below) : 0) + strlen(tag) + strlen(pred) + 4;
	char *x = malloc(len);
	if (x)
		snprintf(x, len, "%s%s%s/%s%s", anchor, below ? "/" : "", below ? below : "", tag, pred);
	free(anchor);
	free(below);
	return x;
}

/* A header row for the records `tag` under `e`: the thead row of the table,
 * or a sibling element row with as many children as a record and no
 * digits (labels, not data). */
static xmlNodePtr find_header(xmlNodePtr e, xmlNodePtr first)
{
	if (!strcasecmp((const char *)first->name, "tr")) {
		xmlNodePtr table = e;
		while (table && table->type == XML_ELEMENT_NODE && strcasecmp((const char *)table->name, "table"))
			table = table->parent;
		if (!table || table->type != XML_ELEMENT_NODE)
			return NULL;
		xmlXPathObjectPtr o = adt_html_xpath(table->doc, table, ".//tr[th]");
		xmlNodePtr h = o && o->nodesetval && o->nodesetval->nodeNr ? o->nodesetval->nodeTab[0] : NULL;
		xmlXPathFreeObject(o);
		return h;
	}
	size_t kids = 0;
	for (xmlNodePtr c = first->children; c; c = c->next)
		kids += c->type == XML_ELEMENT_NODE;
	for (xmlNodePtr s = e->children; s; s = s->next) {
		if (s->type != XML_ELEMENT_NODE || s == first)
			continue;
		size_t n = 0, digits = 0;
		for (xmlNodePtr c = s->children; c; c = c->next)
			n += c->type == XML_ELEMENT_NODE;
		if (n != kids || n < 2)
			continue;
		char *t = adt_html_text(s);
		for (const char *p = t; p && *p; p++)
			digits += *p >= '0' && *p <= '9';
		free(t);
		char *c1 = adt_html_attr(s, "class"), *c2 = adt_html_attr(first, "class");
		int same = (c1 && c2 && !strcmp(c1, c2)) || (!c1 && !c2 && !strcmp((const char *)s->name,
									 (const char *)first->name));
		free(c1);
		free(c2);
		if (!digits && !same)
			return s;
	}
	return NULL;
}

/* A row of labels: two or more element children, each with a short text
 * and no digit. */
static int label_row(xmlNodePtr row)
{
	size_t n = 0;
	for (xmlNodePtr c = row->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		char *t = adt_html_text(c);
		int ok = t && *t && strlen(t) <= 40 && !strpbrk(t, "0123456789");
		free(t);
		if (!ok)
			return 0;
		n++;
	}
	return n >= 2;
}

/* Whether `rec` can be a record: a link, or two descendants with text. */
static int worth_a_record(xmlNodePtr rec)
{
	xmlXPathObjectPtr o = adt_html_xpath(rec->doc, rec, "descendant-or-self::a[@href]");
	int link = o && o->nodesetval && o->nodesetval->nodeNr > 0;
	xmlXPathFreeObject(o);
	if (link)
		return 1;
	o = adt_html_xpath(rec->doc, rec, ".//*[normalize-space(text())]");
	int n = o && o->nodesetval ? o->nodesetval->nodeNr : 0;
	xmlXPathFreeObject(o);
	if (n >= 2)
		return 1;
	/* "Label: value" text in one element is two things too */
	char *t = adt_html_text(rec);
	int colon = t && strchr(t, ':') != NULL;
	free(t);
	return colon && n >= 1;
}

/* Finds the repeated structures of a page: elements with >= 3 element
 * children of one tag and class. */
size_t adt_find_containers(htmlDocPtr doc, adt_container *out, size_t max)
{
	size_t n = 0;
	xmlXPathObjectPtr all = adt_html_xpath(doc, NULL, "//body//*");
	for (int i = 0; all && all->nodesetval && i < all->nodesetval->nodeNr && n < max; i++) {
		xmlNodePtr e = all->nodesetval->nodeTab[i];
		const char *en = (const char *)e->name;
		if (!strcasecmp(en, "nav") || !strcasecmp(en, "footer") || !strcasecmp(en, "script") ||
		    !strcasecmp(en, "select") || !strcasecmp(en, "head"))
			continue;
		/* the most frequent child signature */
		xmlNodePtr best = NULL;
		size_t best_n = 0;
		for (xmlNodePtr c = e->children; c; c = c->next) {
			if (c->type != XML_ELEMENT_NODE)
				continue;
			size_t k = 0;
			char *cc = adt_html_attr(c, "class");
			for (xmlNodePtr d = e->children; d; d = d->next) {
				if (d->type != XML_ELEMENT_NODE || strcmp((const char *)d->name, (const char *)c->name))
					continue;
				char *dc = adt_html_attr(d, "class");
				if ((!cc && !dc) || (cc && dc && !strcmp(cc, dc)))
					k++;
				free(dc);
			}
			free(cc);
			if (!strcasecmp((const char *)c->name, "tr")) {
				/* rows with cells, not the header */
				int td = 0;
				for (xmlNodePtr d = c->children; d; d = d->next)
					td |= d->type == XML_ELEMENT_NODE && !strcasecmp((const char *)d->name, "td");
				if (!td)
					continue;
			}
			if (k > best_n) {
				best_n = k;
				best = c;
			}
		}
		if (best_n < 3 || !best)
			continue;
		/* a first row of labels over rows of data is their header, not a
		 * record (a grid of divs without classes) */
		xmlNodePtr header = NULL;
		if (label_row(best)) {
			xmlNodePtr second = best->next;
			while (second && (second->type != XML_ELEMENT_NODE || strcmp((const char *)second->name,
										      (const char *)best->name)))
				second = second->next;
			if (second && !label_row(second)) {
				header = best;
				best = second;
			}
		}
		/* records hold data: two or more things with text, or a link (a
		 * cell of a table is not a record) */
		if (!worth_a_record(best))
			continue;
		char *cls = adt_html_attr(best, "class");
		char *x = records_xpath(doc, e, (const char *)best->name, cls, header != NULL);
		free(cls);
		int dup = 0;
		for (size_t j = 0; x && j < n; j++)
			dup |= !strcmp(out[j].xpath, x);
		if (!x || dup) {
			free(x);
			continue;
		}
		out[n++] = (adt_container){x, header ? header : find_header(e, best)};
	}
	xmlXPathFreeObject(all);
	return n;
}

