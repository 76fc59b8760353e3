/*
 * html.h -- the HTML side of the crawler and the extractor, on libxml2's
 * HTML parser (recovering, no network, no entities fetched) and its XPath.
 * Text is whitespace-normalised the way a reader sees it.
 */
#ifndef AUTODATA_HTML_H
#define AUTODATA_HTML_H

#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>
#include <stddef.h>

/* Parses `len` bytes (at most 16 MiB are accepted); NULL when it cannot. */
htmlDocPtr adt_html_parse(const char *buf, size_t len, const char *url);
/* The node's text, whitespace collapsed and trimmed (malloc'd, never NULL
 * unless out of memory). */
char *adt_html_text(xmlNodePtr n);
/* `href` resolved against `base`, without its fragment (malloc'd), or NULL
 * for a link that is not http(s) (mailto:, javascript:) or malformed. */
char *adt_url_resolve(const char *base, const char *href);
/* The node's path below `root`, as XPath steps with positions among
 * same-named siblings: "td[2]/a[1]" ("." for root itself). malloc'd. */
char *adt_html_relpath(xmlNodePtr root, xmlNodePtr n);
/* Evaluates `xpath` relative to `ctx_node`; the node set (caller frees
 * with xmlXPathFreeObject) or NULL. */
xmlXPathObjectPtr adt_html_xpath(htmlDocPtr doc, xmlNodePtr ctx_node, const char *xpath);
/* The attribute's value (malloc'd) or NULL. */
char *adt_html_attr(xmlNodePtr n, const char *name);
/* The <body>, or the root element when there is none. */
xmlNodePtr adt_html_body(htmlDocPtr doc);

#endif
