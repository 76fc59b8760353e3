/*
 * value_internal.h -- the layout of weft_value, shared by the engine files
 * that walk value trees (value.c, value_json.c, graph resolution). Plugins and
 * the DSL only see the accessors in weft/weft.h.
 */
#ifndef WEFT_VALUE_INTERNAL_H
#define WEFT_VALUE_INTERNAL_H

#include "hash.h"
#include "weft/weft.h"

/* 40 bytes, a 48-byte block: every member of the union is at most 32. An
 * artifact's 65 hex digits are not in it but right after it, in the same
 * block (weft_value_artifact), since most values are not artifacts and
 * they made every value 88 bytes; a string's bytes follow it the same way. */
struct weft_value {
	weft_type type;
	union {
		int b;
		int64_t i;
		double f;
		struct {
			char *ptr; /* the bytes and a NUL, after the struct */
			size_t len;
		} s;
		struct {
			weft_value **items;
			size_t len, cap;
		} l;
		struct {
			char **keys; /* sorted, unique */
			weft_value **vals;
			size_t len, cap;
		} m;
		struct {
			char *hash; /* 64 hex digits and a NUL, after the struct */
			uint64_t size;
			int is_dir;
		} a;
		struct {
			uint32_t node; /* UINT32_MAX until a name ref is bound */
			int line;
			char *output; /* NULL = primary output */
			char *name;   /* set for refs by name */
			char *file;
		} r;
	} u;
};

/* As weft_value_map_set, but `key` is taken over (freed on failure), not
 * copied: for moving entries from one map into another. */
int weft_value_map_set_owned(weft_value *map, char *key, weft_value *item);
/* Moves entry i out of `map`: the value is returned and its key stored in
 * *key, both now the caller's. The slot keeps NULLs, so afterwards the map
 * may only be freed: no lookup, no encoding. NULL when i is out of range. */
weft_value *weft_value_map_take_at(weft_value *map, size_t i, char **key);

/* Feeds the canonical encoding of `v` to `h`. */
int weft_value_encode(weft_hasher *h, const weft_value *v);
int weft_value_has_refs(const weft_value *v);
const char *weft_type_name(weft_type t);

#endif
