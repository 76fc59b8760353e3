/*
 * cache.h -- the action cache: node key -> output manifest.
 *
 * An entry is a small binary record (layout in cache.c; no text is parsed
 * on a hit) that a run appends to its own pack (acpack.h) after the
 * outputs' objects are in the store, so an entry never points at bytes
 * that were not yet written. Stores from before packs hold one file per
 * entry, <root>/ac/<aa>/<key>; they are still read, and the functions
 * without a pack handle work on that layout only (tests, old stores).
 * A hit on an entry written over an hour ago records the hit's time (the
 * entry is appended again, or a file's mtime is refreshed); gc uses it as
 * "last used".
 */
#ifndef WEFT_CACHE_H
#define WEFT_CACHE_H

#include "acpack.h"
#include "util.h"
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
/* The same through a run's packs, then the older layout when the store
 * has it; `touch` 0 leaves the last-used time as it is (weft plan). */
int weft_cache_get_in(weft_value **outputs, weft_value **inputs, double *elapsed, weft_acpack *packs,
		      const char *root, const char *key, int touch);
int weft_cache_put_in(weft_acpack *packs, const char *key, const weft_value *outputs, const weft_value *inputs,
		      const weft_cache_meta *meta);
void weft_cache_drop_in(weft_acpack *packs, const char *root, const char *key);
/* weft_cache_get_in in three steps, for decoding off the packs' thread:
 * a hit's bytes appended to `into` (at *off, *len bytes; `own`: from this
 * run's pack), WEFT_ENOTFOUND on a miss, WEFT_EINVALID when the store
 * still has loose entries (use weft_cache_get_in); then weft_cache_parse,
 * thread-safe (WEFT_EINVALID: a damaged entry, for weft_cache_get_in to
 * drop); then, for a hit that is used, weft_cache_touch_in on the packs'
 * thread, as weft_cache_get_in does with `touch`. */
int weft_cache_fetch_in(weft_buf *into, size_t *off, size_t *len, int *own, weft_acpack *packs, const char *key);
int weft_cache_parse(weft_value **outputs, weft_value **inputs, double *elapsed, const void *data, size_t len,
		     const char *key);
void weft_cache_touch_in(weft_acpack *packs, const char *key, const void *data, size_t len, int own);
/* Whether weft_cache_touch_in would append the entry again (it is old). */
int weft_cache_needs_touch(const void *data, size_t len);
/* An entry's bytes as a pack hands them out (checked by their record, for
 * gc): its outputs and when it was written or last used (0 when it does
 * not say). */
int weft_cache_decode(weft_value **outputs, double *when, const void *data, size_t len);
/* Reads the entry file at `path` (for gc): its outputs map. */
int weft_cache_load_file(weft_value **outputs, const char *path);
/* Removes an entry (used when its objects turned out corrupt). */
void weft_cache_drop(const char *root, const char *key);

#endif
