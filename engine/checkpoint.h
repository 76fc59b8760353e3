/*
 * checkpoint.h -- an op's checkpoints: saved without blocking, committed to
 * the store in the background, found again when the node is retried or
 * resumed.
 *
 * Layout in the store (see docs/checkpoints.md):
 *   ckpt/<node key>/<name>/<step, 20 digits>.json   the manifest
 * The content is an ordinary store object (file or tree) that the manifest
 * names. A checkpoint exists once its manifest has been renamed into place;
 * a save that was cut short leaves no manifest and so counts for nothing.
 * Checkpoints live under the node's key: a node whose params or inputs
 * changed never resumes from another computation's state.
 */
#ifndef WEFT_CHECKPOINT_H
#define WEFT_CHECKPOINT_H

#include <stdint.h>

#include "store.h"
#include "weft/weft.h"

/* Kept per name while a node runs: the newest two, so that a newest one
 * found damaged still leaves one to resume from. */
#define WEFT_CKPT_RUNNING_KEEP 2

/* What happens to a node's checkpoints once it has succeeded. */
typedef enum weft_ckpt_policy {
	WEFT_CKPT_DROP = 0, /* the result is cached; they are no longer needed */
	WEFT_CKPT_LAST = 1, /* keep the newest of each name */
	WEFT_CKPT_KEEP = 2, /* keep every committed one */
} weft_ckpt_policy;

typedef struct weft_ckpt weft_ckpt;

/* A writer for the node with `key`; strings are copied. `devices` is the
 * node's "gpu:0,gpu:1" list (or NULL), recorded in each manifest's layout. */
weft_ckpt *weft_ckpt_new(weft_store *st, const char *store_dir, const char *key, const char *node,
			 const char *op, const char *devices);
/* Saves `path` (a file or directory, which the save takes: it is moved
 * away at once) or, when path is NULL, `len` bytes. Returns as soon as the
 * data is the store's to commit; blocks only while the previous save of
 * this writer is still being committed. WEFT_CKPT_WAIT in `flags` returns
 * only once this one is committed. `layout` (a map, or NULL) is recorded. */
int weft_ckpt_save(weft_ckpt *c, const char *name, const char *path, const void *bytes, size_t len, int64_t step,
		   const weft_value *layout, unsigned flags);
/* The newest committed, intact checkpoint `name`: a read-only path, its
 * step and its layout (all owned by `c`, valid until the next call or the
 * writer is freed). WEFT_ENOTFOUND when there is none. */
int weft_ckpt_latest(weft_ckpt *c, const char *name, const char **path, int64_t *step, const weft_value **layout);
/* Waits for the save in flight; returns the first commit error, if any. */
int weft_ckpt_finish(weft_ckpt *c);
/* Seconds saves spent blocked waiting for an earlier commit, and count. */
double weft_ckpt_blocked(const weft_ckpt *c, unsigned *saves);
void weft_ckpt_free(weft_ckpt *c);

/* After the node with `key` succeeded: applies `policy` to its checkpoints. */
int weft_ckpt_settle(const char *store_dir, const char *key, weft_ckpt_policy policy);
/* One committed manifest, as weft_ckpt_each finds it (borrowed strings). */
typedef struct weft_ckpt_ref {
	const char *key;      /* the node's key */
	const char *manifest; /* its path */
	const char *object;   /* the hash of the content it names */
	int dir;              /* the content is a tree */
	double mtime;         /* of the manifest */
} weft_ckpt_ref;
/* Calls fn for every manifest in the store that names an object; the
 * layout of ckpt/ is this file's alone (gc reads the store through it). */
int weft_ckpt_each(const char *store_dir, void (*fn)(const weft_ckpt_ref *ref, void *arg), void *arg);

/* A name the store accepts: 1..64 of [A-Za-z0-9_.-], not starting with '.'. */
int weft_ckpt_name_ok(const char *name);

#endif
