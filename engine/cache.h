/*
 * cache.h -- the action cache: node key -> output manifest.
 *
 * An entry is a small binary file at <root>/ac/<aa>/<key> (layout in
 * cache.c; no text is parsed on a hit), written atomically
 * after the outputs' objects are in the store, so an entry never points at
 * bytes that were not yet written. Reading an entry refreshes its mtime; gc
 * uses that as "last used".
 */
#ifndef WEFT_CACHE_H
#define WEFT_CACHE_H

#include "weft/weft.h"

typedef struct weft_cache_meta {
	const char *op;   /* plugin.op or "dynamic" */
	const char *node; /* node name that produced it */
	double elapsed;   /* seconds the op ran */
} weft_cache_meta;

/* `*outputs` is a new map; WEFT_ENOTFOUND on a miss or a damaged entry.
 * `inputs` (may be NULL) receives the input hashes stored with the entry,
 * or NULL when it has none (an older entry). */
int weft_cache_get(weft_value **outputs, weft_value **inputs, const char *root, const char *key);
/* The same, and `*elapsed` (may be NULL): the seconds the op ran when the
 * entry was made (0 for an entry that does not say). */
int weft_cache_get_ex(weft_value **outputs, weft_value **inputs, double *elapsed, const char *root, const char *key);
/* `inputs` (may be NULL): the node's input name -> value hash map. */
int weft_cache_put(const char *root, const char *key, const weft_value *outputs, const weft_value *inputs,
		   const weft_cache_meta *meta);
/* Reads the entry file at `path` (for gc): its outputs map. */
int weft_cache_load_file(weft_value **outputs, const char *path);
/* Removes an entry (used when its objects turned out corrupt). */
void weft_cache_drop(const char *root, const char *key);

#endif
