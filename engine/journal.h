/*
 * journal.h -- the append-only run journal (JSON lines).
 *
 * Records are buffered and made durable by weft_journal_sync, which the
 * scheduler calls once per loop turn in which a node completed (group
 * commit: one fsync covers every completion of that turn). A record is only
 * journaled after the cache entry it describes is on disk, so a "finish"
 * line always points at a usable result. A torn last line (kill -9 during a
 * write) is ignored on read.
 */
#ifndef WEFT_JOURNAL_H
#define WEFT_JOURNAL_H

#include "weft/weft.h"

typedef struct weft_journal weft_journal;

int weft_journal_open(weft_journal **out, const char *path);
/* Queues one record (a JSON object text without newline). */
int weft_journal_append(weft_journal *j, const char *json_line);
/* Writes queued records and fsyncs. */
int weft_journal_sync(weft_journal *j);
int weft_journal_pending(const weft_journal *j);
void weft_journal_free(weft_journal *j);

/* Calls `fn` for each complete, parsable record; `rec` is a JSON text. */
int weft_journal_read(const char *path, int (*fn)(const char *rec, size_t len, void *payload), void *payload);

#endif
