/*
 * acpack.h -- the action cache's packs: many entries in one append-only file.
 *
 * A run appends each entry it makes to a pack of its own,
 * <store>/ac/packs/<name>.pack, with one write(2), and writes the pack's
 * sorted index (<name>.idx) when it ends. Another run maps every index and
 * pack it finds, so a hit costs no system call, and a cold node makes no
 * file of its own for its entry: one file per entry was most of a cold
 * in-process node's system time on ext4.
 *
 * Records check themselves (length, key, bytes, checksum), so a reader
 * takes the longest valid prefix of any pack. A pack without an index is
 * either being written (its writer holds flock(2) on it: its records are
 * read as they are, so a run waiting on another's in-flight key finds the
 * result) or was left by a writer that died (nobody holds the lock: the
 * reader indexes it, which is how a killed run's entries reach its
 * resume). Packs are immutable once indexed and are only ever replaced
 * whole: when a run ends with many packs in the store, the run merges
 * them into one (newest record of a key wins); gc rewrites them without
 * the entries it dropped. An open pack stays readable by whoever opened it,
 * even if another process removes it meanwhile.
 *
 * A handle belongs to one thread (the run's loop); two processes never
 * write one pack.
 */
#ifndef WEFT_ACPACK_H
#define WEFT_ACPACK_H

#include <stddef.h>

typedef struct weft_acpack weft_acpack;

/* Touches nothing on disk until the first call that needs it. */
int weft_acpack_open(weft_acpack **out, const char *store_dir);
/* The newest record of `key` (64 hex digits): *data and *len, valid until
 * the next call on the handle, and checked against their record's
 * checksum; *own says whether this handle wrote it. WEFT_ENOTFOUND when
 * there is none, it is damaged, or the newest says the key was dropped.
 * The digits are not judged one by one (it is the hot path): 64 other
 * characters may be answered with some key's record, so the caller checks
 * the key the entry holds (cache.c does). */
int weft_acpack_get(weft_acpack *p, const char *key, const unsigned char **data, size_t *len, int *own);
/* Appends an entry (written before it returns, so another process can read it). */
int weft_acpack_put(weft_acpack *p, const char *key, const void *data, size_t len);
/* Appends a record saying `key`'s entries are dropped (damaged, or their
 * objects gone). */
int weft_acpack_drop(weft_acpack *p, const char *key);
/* Looks again for packs and records that other processes wrote since. */
void weft_acpack_refresh(weft_acpack *p);
/* Whether the store still has entries in the older one-file-per-entry
 * layout (ac/<aa>/<rest>), which the caller then also looks in. */
int weft_acpack_has_loose(weft_acpack *p);
/* Calls `fn` once per key with its newest entry (dropped keys left out),
 * until it returns nonzero. */
int weft_acpack_each(weft_acpack *p, int (*fn)(const char *key, const unsigned char *data, size_t len, void *arg),
		     void *arg);
/* Writes every indexed pack's live entries that `keep` accepts (NULL: all)
 * into one new pack and removes the old ones. For gc, under the store's
 * exclusive lock. */
int weft_acpack_rewrite(weft_acpack *p, int (*keep)(const char *key, void *arg), void *arg);
/* Indexes this handle's pack, merges the store's packs when there are many
 * (WEFT_ACPACK_MERGE_AT), and frees the handle. An error is returned only
 * for the index of this handle's own pack; the pack is then indexed by the
 * next reader. */
#define WEFT_ACPACK_MERGE_AT 16
int weft_acpack_close(weft_acpack *p);

#endif
