/*
 * value_internal.h -- the layout of weft_value, shared by the engine files
 * that walk value trees (value.c, value_json.c, graph resolution). Plugins and
 * the DSL only see the accessors in weft/weft.h.
 */
#ifndef WEFT_VALUE_INTERNAL_H
#define WEFT_VALUE_INTERNAL_H

#include "hash.h"
#include "weft/weft.h"

struct weft_value {
	weft_type type;
	union {
		int b;
		int64_t i;
		double f;
		struct {
			char *ptr;
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
			char hash[65];
			int is_dir;
			uint64_t size;
		} a;
		struct {
			uint32_t node; /* UINT32_MAX until a name ref is bound */
			char *output;  /* NULL = primary output */
			char *name;    /* set for refs by name */
			char *file;
			int line;
		} r;
	} u;
};

/* Feeds the canonical encoding of `v` to `h`. */
int weft_value_encode(weft_hasher *h, const weft_value *v);
int weft_value_has_refs(const weft_value *v);
const char *weft_type_name(weft_type t);

#endif
