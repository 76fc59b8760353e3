/*
 * html.c -- see html.h.
 */
#include "html.h"

#include <ctype.h>
#include <libxml/uri.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HTML_MAX_BYTES (16u << 20)

htmlDocPtr adt_html_parse(const char *buf, size_t len, const char *url)
{
	if (!buf || len > HTML_MAX_BYTES || len > (size_t)INT32_MAX)
		return NULL;
	return htmlReadMemory(buf, (int)len, url, "utf-8",
			      HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
				      HTML_PARSE_COMPACT);
}

/* Appends the text under `n`, skipping script and style. */
static void gather(xmlNodePtr n, char **buf, size_t *len, size_t *cap)
{
	for (xmlNodePtr c = n; c; c = c->next) {
		if (c->type == XML_ELEMENT_NODE) {
			if (!strcasecmp((const char *)c->name, "script") || !strcasecmp((const char *)c->name, "style"))
				continue;
			/* block elements separate words */
			const char *nm = (const char *)c->name;
			int block = !strcasecmp(nm, "br") || !strcasecmp(nm, "p") || !strcasecmp(nm, "div") ||
				    !strcasecmp(nm, "li") || !strcasecmp(nm, "td") || !strcasecmp(nm, "th") ||
				    !strcasecmp(nm, "dd") || !strcasecmp(nm, "dt");
			if (block && *len && *buf && (*buf)[*len - 1] != ' ')
				gather(NULL, buf, len, cap);
			gather(c->children, buf, len, cap);
			if (block)
				gather(NULL, buf, len, cap);
			continue;
		}
		if (c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE)
			continue;
		const char *t = (const char *)c->content;
		size_t add = t ? strlen(t) : 0;
		if (*len + add + 2 > *cap) {
			size_t nc = *cap ? *cap : 128;
			while (nc < *len + add + 2)
				nc *= 2;
			char *nb = realloc(*buf, nc);
			if (!nb)
				return;
			*buf = nb;
			*cap = nc;
		}
		memcpy(*buf + *len, t, add);
		*len += add;
		(*buf)[*len] = 0;
	}
	if (!n) { /* a separator */
		if (*len + 2 > *cap) {
			size_t nc = *cap ? 2 * *cap : 128;
			char *nb = realloc(*buf, nc);
			if (!nb)
				return;
			*buf = nb;
			*cap = nc;
		}
		(*buf)[(*len)++] = ' ';
		(*buf)[*len] = 0;
	}
}

char *adt_html_text(xmlNodePtr n)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	if (n && (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE || n->type == XML_ATTRIBUTE_NODE)) {
		xmlChar *c = xmlNodeGetContent(n);
		buf = strdup(c ? (const char *)c : "");
		xmlFree(c);
		len = strlen(buf ? buf : "");
	} else if (n) {
		gather(n->children, &buf, &len, &cap);
	}
	if (!buf)
		buf = calloc(1, 1);
	if (!buf)
		return NULL;
	/* collapse whitespace (and non-breaking spaces) */
	char *w = buf;
	int space = 1;
	for (unsigned char *r = (unsigned char *)buf; *r; r++) {
		if (r[0] == 0xc2 && r[1] == 0xa0) {
			r++;
			*r = ' ';
		}
		if (isspace(*r)) {
			if (!space)
				*w++ = ' ';
			space = 1;
		} else {
			*w++ = (char)*r;
			space = 0;
		}
	}
	if (w > buf && w[-1] == ' ')
		w--;
	*w = 0;
	return buf;
}

char *adt_url_resolve(const char *base, const char *href)
{
	if (!href)
		return NULL;
	while (isspace((unsigned char)*href))
		href++;
	xmlChar *abs = xmlBuildURI((const xmlChar *)href, (const xmlChar *)base);
	if (!abs)
		return NULL;
	char *s = strdup((const char *)abs);
	xmlFree(abs);
	if (!s)
		return NULL;
	char *hash = strchr(s, '#');
	if (hash)
		*hash = 0;
	if (strncasecmp(s, "http://", 7) && strncasecmp(s, "https://", 8)) {
		free(s);
		return NULL;
	}
	return s;
}

char *adt_html_relpath(xmlNodePtr root, xmlNodePtr n)
{
	char *out = strdup(".");
	if (!out || n == root)
		return out;
	size_t len = 0;
	free(out);
	out = NULL;
	for (xmlNodePtr x = n; x && x != root; x = x->parent) {
		int pos = 1;
		for (xmlNodePtr s = x->prev; s; s = s->prev)
			if (s->type == XML_ELEMENT_NODE && !strcmp((const char *)s->name, (const char *)x->name))
				pos++;
		char step[128];
		int w = snprintf(step, sizeof step, "%.100s[%d]", (const char *)x->name, pos);
		if (w < 0)
			w = 0;
		char *nb = malloc(len + (size_t)w + 2);
		if (!nb) {
			free(out);
			return NULL;
		}
		memcpy(nb, step, (size_t)w);
		if (len) {
			nb[w] = '/';
			memcpy(nb + w + 1, out, len);
			len += (size_t)w + 1;
		} else {
			len = (size_t)w;
		}
		nb[len] = 0;
		free(out);
		out = nb;
	}
	return out ? out : strdup(".");
}

xmlXPathObjectPtr adt_html_xpath(htmlDocPtr doc, xmlNodePtr ctx_node, const char *xpath)
{
	xmlXPathContextPtr c = xmlXPathNewContext(doc);
	if (!c)
		return NULL;
	c->node = ctx_node ? ctx_node : xmlDocGetRootElement(doc);
	xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)xpath, c);
	xmlXPathFreeContext(c);
	if (o && o->type != XPATH_NODESET) {
		xmlXPathFreeObject(o);
		return NULL;
	}
	return o;
}

char *adt_html_attr(xmlNodePtr n, const char *name)
{
	if (!n || n->type != XML_ELEMENT_NODE)
		return NULL;
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	if (!v)
		return NULL;
	char *s = strdup((const char *)v);
	xmlFree(v);
	return s;
}

xmlNodePtr adt_html_body(htmlDocPtr doc)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);
	for (xmlNodePtr c = root ? root->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !strcasecmp((const char *)c->name, "body"))
			return c;
	return root;
}
