/*
 * journal.h -- the append-only run journal (JSON lines).
 *
 * Records are buffered; weft_journal_flush writes them to the file (the
 * scheduler does at the end of every loop turn, so a kill -9 loses none),
 * and weft_journal_sync also fdatasyncs, which the scheduler does at most
 * every WEFT_JOURNAL_SYNC_SECONDS or every WEFT_JOURNAL_SYNC_LINES records
 * (group commit), and at the end of the run. A record is only
 * journaled after the cache entry it describes is on disk, so a "finish"
 * line always points at a usable result. A torn last line (kill -9 during a
 * write) is ignored on read.
 */
#ifndef WEFT_JOURNAL_H
#define WEFT_JOURNAL_H

#include <jansson.h>

#include "weft/weft.h"

typedef struct weft_journal weft_journal;

int weft_journal_open(weft_journal **out, const char *path);
/* Queues one record (a JSON object text without newline). */
int weft_journal_append(weft_journal *j, const char *json_line);
/* The same for a record of `len` bytes. */
int weft_journal_append_n(weft_journal *j, const char *json_line, size_t len);
/* The same for a record that a resume can do without, because it would
 * find the same again by itself (a node taken from the cache): written to
 * the file like any other, but never the reason for an fdatasync. Lost to a
 * power loss, it costs a lookup. */
int weft_journal_append_derivable(weft_journal *j, const char *json_line, size_t len);
#define WEFT_JOURNAL_SYNC_SECONDS 0.1
#define WEFT_JOURNAL_SYNC_LINES 1024

/* Writes queued records to the file (no fsync). */
int weft_journal_flush(weft_journal *j);
/* Writes queued records and fdatasyncs whatever is not yet synced, once
 * any sync the syncer has in hand is done; an error if that one failed. */
int weft_journal_sync(weft_journal *j);
/* Writes queued records and has a thread of the journal's own fdatasync
 * them, without waiting (the scheduler's group commit: its thread no
 * longer stops a millisecond or so per sync while commands wait to start).
 * An error if an earlier one failed. */
int weft_journal_sync_soon(weft_journal *j);
int weft_journal_pending(const weft_journal *j);
/* Whether a record appended with weft_journal_append(_n) is not yet
 * fdatasynced. */
int weft_journal_unsynced(const weft_journal *j);
void weft_journal_free(weft_journal *j);

/* The key of a record that says a node finished with a result in the
 * cache ("finish", any status but "failed"): what a resume takes from the
 * cache instead of running again, and so what gc keeps for a killed run.
 * NULL for any other record. Borrowed from `rec`. */
const char *weft_journal_finished_key(const json_t *rec);

/* Calls `fn` for each complete, parsable record; `rec` is a JSON text. */
int weft_journal_read(const char *path, int (*fn)(const char *rec, size_t len, void *payload), void *payload);

#endif
