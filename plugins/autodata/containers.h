/*
 * containers.h -- where a page repeats itself: every element with three or
 * more element children of one tag and class is a candidate list of
 * records (table rows with cells, cards of a grid, items of a list), with
 * the header row that labels its columns when there is one (a thead row, a
 * sibling row of labels, or a first row of labels over rows of data). A
 * record must hold a link or two things with text, so a table's cells are
 * not records. The records' XPath is anchored at the nearest ancestor with
 * an id or a class, else absolute, so that it finds them on every page of
 * the template.
 */
#ifndef AUTODATA_CONTAINERS_H
#define AUTODATA_CONTAINERS_H

#include <stddef.h>

#include "html.h"

typedef struct {
	char *xpath;       /* the records, from the document (malloc'd) */
	xmlNodePtr header; /* the row of labels, or NULL */
} adt_container;

/* At most `max` candidates of the page, in document order. */
size_t adt_find_containers(htmlDocPtr doc, adt_container *out, size_t max);

#endif
