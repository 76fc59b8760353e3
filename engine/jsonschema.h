/*
 * jsonschema.h -- checking a value against a JSON Schema (the subset
 * jsonschema.c lists), for LLM answers asked to follow one.
 */
#ifndef WEFT_JSONSCHEMA_H
#define WEFT_JSONSCHEMA_H

#include <stddef.h>

#include "weft/weft.h"

/* 0 when `v` satisfies `schema`; -1 with the path and the reason of the
 * first mismatch in `err` ("$.lr: is above the maximum"). */
int weft_schema_check(const weft_value *schema, const weft_value *v, char *err, size_t errlen);

#endif
