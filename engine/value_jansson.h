/*
 * value_jansson.h -- values to and from jansson trees, for code that embeds
 * values inside larger JSON messages (the worker protocol, records).
 */
#ifndef WEFT_VALUE_JANSSON_H
#define WEFT_VALUE_JANSSON_H

#include <jansson.h>

#include "weft/weft.h"

/* A new reference, or NULL when out of memory. */
json_t *weft_value_to_jansson(const weft_value *v);
/* A new value, or NULL if `j` is not representable. */
weft_value *weft_value_from_jansson(const json_t *j);

#endif
