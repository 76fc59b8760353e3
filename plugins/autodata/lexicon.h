/*
 * lexicon.h -- how a wanted field's name meets the labels a site prints:
 * tokens, a table of synonyms, and the value types fields usually have.
 * The synonyms are general vocabulary of data pages (schema.org property
 * names, the column headers of common finance, sports and bibliography
 * sites), not words picked from the benchmark's layouts.
 */
#ifndef AUTODATA_LEXICON_H
#define AUTODATA_LEXICON_H

#include <stddef.h>

typedef enum { ADT_TEXT, ADT_NUMBER, ADT_DATE, ADT_URL, ADT_LIST } adt_type;

const char *adt_type_name(adt_type t);
/* "text", "number", "date", "url" or "list"; -1 for anything else. */
int adt_type_parse(const char *s);
/* The type a field of this name usually has ("pdf" a URL, "volume" a
 * number, "authors" a list, "date" a date). */
adt_type adt_type_guess(const char *field);
/* How well `label` (a header, a label, a class or a JSON key) names
 * `field`, in [0, 1]: all the field's tokens (or their synonyms) found and
 * nothing of the other wanted fields' is 1. `others` are the other fields,
 * whose tokens in the label count against it. */
double adt_name_score(const char *field, const char *label, const char *const *others, size_t n_others);
/* Whether the value parses as the type (numbers with currency signs and
 * thousands separators, dates in the usual formats). */
int adt_value_is(adt_type t, const char *v);
/* The value normalised for its type into `out`: numbers as a plain
 * decimal, dates as YYYY-MM-DD. 0, or -1 when it does not parse. */
int adt_value_norm(adt_type t, const char *v, char *out, size_t cap);

#endif
