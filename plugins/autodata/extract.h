/*
 * extract.h -- the tester's half: runs an extraction program (induce.h)
 * over a crawl with libxml2's XPath and the JSON answers' keys, types the
 * values (numbers plain, dates ISO, lists as arrays), and merges the
 * records different sources give of one entity (a row of a list page and
 * the detail page it links to; a table row and the API's copy of it) on
 * the program's identity fields.
 */
#ifndef AUTODATA_EXTRACT_H
#define AUTODATA_EXTRACT_H

#include <jansson.h>

#include "site.h"

/* The records, an array of objects with the program's fields and "_url"
 * (the page or API answer it came from); per-source counts in *stats.
 * NULL with `err` on a malformed program. */
json_t *adt_extract(const adt_site *site, json_t *program, json_t **stats, char *err, size_t errlen);

#endif
