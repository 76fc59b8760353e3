/*
 * value_bin.h -- the binary storage form of a value, for action-cache
 * entries: the canonical encoding (architecture.md) with each artifact's
 * size added after its hash, so a value reads back exactly as written with
 * no text parsing. Not a hashing form: keys use weft_value_encode.
 */
#ifndef WEFT_VALUE_BIN_H
#define WEFT_VALUE_BIN_H

#include "util.h"
#include "weft/weft.h"

int weft_value_bin_put(weft_buf *b, const weft_value *v);
/* Decodes one value from `data`; bounded by `len` and a nesting limit, so
 * damaged bytes are an error, never a crash. `*used` gets the bytes read. */
int weft_value_bin_get(weft_value **out, const void *data, size_t len, size_t *used);

#endif
