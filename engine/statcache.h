/*
 * statcache.h -- remembers the hash of a file by its (dev, inode, size,
 * mtime, ctime) so an unchanged file is never re-read, as ninja's and
 * Bazel's stat-based change detection do. ctime is part of the identity
 * because no user tool can set it, so a same-size edit with a restored mtime
 * still shows. Safe for concurrent use from several threads.
 */
#ifndef WEFT_STATCACHE_H
#define WEFT_STATCACHE_H

#include <stdint.h>
#include <sys/stat.h>

typedef struct weft_statcache weft_statcache;

/* Loads `file` if present (a missing or damaged file gives an empty cache). */
int weft_statcache_open(weft_statcache **out, const char *file);
/* The same, dropping the entries whose path starts with `skip` (the
 * store's work area, whose files go with their run). */
int weft_statcache_open_skipping(weft_statcache **out, const char *file, const char *skip);
/* Starts reading the file on a thread of its own, for a caller that will
 * look up soon; lookups and changes wait for it. */
void weft_statcache_preload(weft_statcache *sc);
/* Writes the cache back atomically if it changed, then frees it. */
int weft_statcache_save(weft_statcache *sc);
void weft_statcache_free(weft_statcache *sc);

/* Copies the remembered hash into `out` if `st` still matches; returns 1 on
 * a hit, 0 on a miss. */
int weft_statcache_lookup(weft_statcache *sc, const char *path, const struct stat *st, char out[65]);
int weft_statcache_remember(weft_statcache *sc, const char *path, const struct stat *st, const char *hash);
void weft_statcache_forget(weft_statcache *sc, const char *path);
/* Forgets every entry whose file no longer exists (a cache shared by many
 * stores would otherwise keep every plugin build it ever saw). */
void weft_statcache_prune(weft_statcache *sc);
/* Hashes `path` through the cache; `*size` receives its length. */
int weft_statcache_hash_file(weft_statcache *sc, const char *path, char out[65], uint64_t *size);

#endif
