/*
 * opindex.h -- what each plugin .so offers, known without loading it.
 *
 * A run needs every op's descriptor (params, inputs, outputs, version) to
 * build and key its graph, but the code of only the plugins whose ops run.
 * The op index keeps a serialised copy of each plugin's descriptor in the
 * store (`<store>/plugin-index`), keyed by the .so's path, device, inode,
 * size, mtime and ctime: while the file is unchanged, starting weft reads
 * the copy and dlopens nothing. A plugin that is not in the index is
 * described by a throwaway child process, so a plugin that crashes while
 * describing itself fails with a message instead of taking weft down.
 *
 * The serialised descriptor ("blob") is also how an eagerly loaded plugin
 * becomes a host-owned descriptor: one format, one reader, one validator.
 */
#ifndef WEFT_OPINDEX_H
#define WEFT_OPINDEX_H

#include <stddef.h>
#include <sys/stat.h>

#include "arena.h"
#include "util.h"
#include "weft/plugin.h"

/* Whether a descriptor `d` (a plugin's, of its own struct_size) holds
 * `field`: fields added to a descriptor later are read only then. */
#define DESC_HAS(d, field) ((d)->struct_size >= offsetof(__typeof__(*(d)), field) + sizeof((d)->field))

typedef struct weft_opindex weft_opindex;

/* Reads `path` (a missing, foreign or damaged file reads as empty: the
 * index is only ever a cache). NULL when out of memory. */
weft_opindex *weft_opindex_open(const char *path);
/* Writes the index back if anything changed; failures are ignored, since
 * a read-only store must still run (the next start describes again). */
void weft_opindex_save(weft_opindex *ix);
void weft_opindex_free(weft_opindex *ix);

/* The blob recorded for the .so at `path` if its stat still matches;
 * borrowed from the index, NULL when absent or stale. */
const weft_buf *weft_opindex_lookup(const weft_opindex *ix, const char *path, const struct stat *st);
/* Records `blob` (copied) for `path` with stat `st`. */
int weft_opindex_put(weft_opindex *ix, const char *path, const struct stat *st, const weft_buf *blob);

/* Serialises a live descriptor, reading each struct only up to its
 * declared size. Fails on a descriptor that is incomplete or too large. */
int weft_opindex_encode(weft_buf *blob, const weft_plugin_desc *d, const char *path);
/* Builds a host-owned descriptor from `blob` in `arena`; every op's `run`
 * is NULL until the plugin is activated. Bounds-checked: a damaged blob is
 * an error, never a crash. */
int weft_opindex_decode(const weft_plugin_desc **out, weft_arena *arena, const void *blob, size_t len,
			const char *path);
/* dlopens `path` in a child process, calls its entry point and returns the
 * serialised descriptor; the child's crash, hang (30 s) or refusal (ABI
 * mismatch, no entry point) is an error naming the file. */
int weft_opindex_describe(weft_buf *blob, const char *path, const weft_host_api *api);
/* The ABI checks shared by every way of loading: a descriptor at all, the
 * same ABI major, a minor no newer than the host's. */
int weft_opindex_check_abi(const weft_plugin_desc *d, const char *path);

#endif
