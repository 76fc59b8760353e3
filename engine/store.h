/*
 * store.h -- the content-addressed object store under <root>/objects.
 *
 * An object's name is the SHA-256 of its bytes. Objects are written to a
 * temp file and renamed into place, so a reader sees a complete object or
 * none. Objects are read-only (0444). A directory is stored as a tree object
 * (canonical JSON listing names, kinds and hashes) whose hash names the
 * directory; it is materialised read-only under <root>/trees/<hash> on demand.
 *
 * Verification: before an object is used its content is checked against its
 * name, unless the stat cache vouches that it has not changed since it was
 * last verified. A corrupt object is deleted and reported as missing, so the
 * caller recomputes it instead of using it.
 */
#ifndef WEFT_STORE_H
#define WEFT_STORE_H

#include <stdint.h>

#include "statcache.h"
#include "weft/weft.h"

typedef struct weft_store weft_store;

/* The store's directory of run and node work directories
 * (<store>/tmp/<run>/...): what is there is gone with its run. */
#define WEFT_STORE_TMP "tmp"

/* `root` is the .weft directory; created if missing. `sc` is borrowed. */
int weft_store_open(weft_store **out, const char *root, weft_statcache *sc);
void weft_store_free(weft_store *st);
const char *weft_store_root(const weft_store *st);

/* Object path for a hash; caller frees. */
char *weft_store_object_path(const weft_store *st, const char *hash);
/* 1 when the object is in the store (one fstatat under objects/; a
 * verify of it within the next 50 ms uses that stat instead of its own). */
int weft_store_has_object(weft_store *st, const char *hash);

/* Imports a file or directory; `*out` is a new artifact value. */
int weft_store_import(weft_value **out, weft_store *st, const char *path);
/* As weft_store_import, for a file the caller gives up: a regular file
 * with no other name is moved into the store (renamed, made read-only)
 * instead of copied, and `path` is gone afterwards. Anything else (and a
 * file whose content is stored already, or that cannot be renamed there)
 * is imported as a copy and left in place. */
int weft_store_adopt(weft_value **out, weft_store *st, const char *path);
/* weft_store_adopt for the file `name` (one component) in the directory
 * open as `dirfd`; `path` is its full path, for messages and for the copy
 * made when it cannot be moved. */
int weft_store_adopt_at(weft_value **out, weft_store *st, int dirfd, const char *name, const char *path);
/* Stores bytes as an object. */
int weft_store_put_bytes(weft_store *st, const void *data, size_t len, char hash[65]);

/* An object written in pieces, for content that should not be held whole
 * (a large blob at `weft run --rev`): the bytes go to a temp file in the
 * store while they are hashed, and commit renames it to its name. */
/* The engine hands it out as weft_import (weft.h). */
typedef struct weft_import weft_store_writer;
int weft_store_writer_open(weft_store_writer **out, weft_store *st);
int weft_store_writer_write(weft_store_writer *w, const void *data, size_t len);
/* Finishes the object (hash and size out) and frees the writer, on error too. */
int weft_store_writer_commit(weft_store_writer *w, char hash[65], uint64_t *size);
/* Drops what was written and frees the writer. */
void weft_store_writer_abort(weft_store_writer *w);

/* Checks an artifact (recursively for trees). Returns WEFT_OK, or
 * WEFT_ENOTFOUND when missing or corrupt (corrupt objects are removed). */
int weft_store_verify(weft_store *st, const weft_value *artifact);

/* A read-only path holding the artifact's content; caller frees. */
int weft_store_checkout(char **out_path, weft_store *st, const weft_value *artifact);

#endif
