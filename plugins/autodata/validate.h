/*
 * validate.h -- the validation agent's checks: for every wanted field, how
 * many records have it (filled) and how many of those have the field's
 * type (valid); duplicate records; no records at all. A field below the
 * thresholds is a problem with evidence (records that fail, and the page
 * each came from), and the program's mappings of that field are sent back
 * to the engineer as rejected, so its next turn tries the next candidate.
 */
#ifndef AUTODATA_VALIDATE_H
#define AUTODATA_VALIDATE_H

#include <jansson.h>

/* The verdict {ok, records, fields: {name: {filled, valid}}, duplicates,
 * problems: [..], evidence: [..], reject: [{field, template, path}]}. */
json_t *adt_validate(json_t *records, json_t *program, double min_filled, double min_valid);
/* Whether `v` has type `type` ("text", "number", "date", "url", "list"). */
int adt_json_has_type(json_t *v, const char *type);

#endif
