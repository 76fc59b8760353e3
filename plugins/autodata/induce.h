/*
 * induce.h -- the deterministic engineer: wrapper induction over a crawl.
 *
 * For every URL template it finds the repeated structures of its pages
 * (table rows, cards of a grid, items of a list: an element with three or
 * more children of one tag and class), profiles them (profile.h), and maps
 * the wanted fields onto their slots by name (lexicon.h) and by type. A
 * field the rows lack may come from the page around them (a "Symbol:
 * ACME" above a price table) or from the detail page the rows link to.
 * Whole pages of one template are also tried as records, and the JSON
 * answers of the APIs as arrays of records. The sources that cover the
 * most fields are kept, and the program says, for each, where each field
 * is: XPath expressions relative to the record, or JSON keys.
 */
#ifndef AUTODATA_INDUCE_H
#define AUTODATA_INDUCE_H

#include <jansson.h>

#include "site.h"

/* `fields`: [{name, type}]. `reject`: [{field, template, path}] the
 * validator refused in an earlier turn (never offered again), or NULL.
 * Returns the program (see docs/plugins/autodata.md), or NULL with `err`. */
json_t *adt_induce(const adt_site *site, json_t *fields, json_t *reject, char *err, size_t errlen);

#endif
