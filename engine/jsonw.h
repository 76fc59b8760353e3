/*
 * jsonw.h -- a streaming JSON writer for the files weft writes per node
 * (run records, journal lines): no tree is built, so writing costs what
 * the bytes cost. Keys are written in the order the caller gives; callers
 * give them sorted so files diff cleanly, as jansson's JSON_SORT_KEYS did.
 *
 * Output collects in a buffer; with a sink fd, whatever exceeds 256 KiB
 * is written out as it goes, so a record of a million nodes never sits in
 * memory whole. Errors are sticky: check weft_jw_finish once at the end.
 */
#ifndef WEFT_JSONW_H
#define WEFT_JSONW_H

#include <stdint.h>

#include "util.h"

#define WEFT_JW_DEPTH 256

typedef struct weft_jw {
	weft_buf buf;
	int fd;     /* -1: keep everything in buf */
	int pretty; /* newline + one space per level, as record.json had */
	int depth;
	int base; /* the depth it began at (weft_jw_init_at) and must end at */
	/* With `pretty`: members of containers this deep or deeper are written
	 * compact (0: none are), so that a record's node is one line. */
	int flat_from;
	int failed;
	/* Start the sink's write-back after each flush (sync_file_range), so
	 * that the fsync after the last one waits for the tail only. */
	int write_behind;
	uint64_t flushed; /* bytes written to the sink so far */
	uint8_t first[WEFT_JW_DEPTH]; /* no member written yet at this level */
	uint8_t after_key;
} weft_jw;

void weft_jw_init(weft_jw *w, int fd, int pretty);
void weft_jw_obj(weft_jw *w);
void weft_jw_arr(weft_jw *w);
void weft_jw_end(weft_jw *w, char close); /* '}' or ']' */
void weft_jw_key(weft_jw *w, const char *k);
/* A key the code spells as a literal: no escaping is looked for, so only
 * for names of letters, digits, _ and $ (record fields), never user text. */
void weft_jw_field(weft_jw *w, const char *k);
void weft_jw_str(weft_jw *w, const char *s);
void weft_jw_strn(weft_jw *w, const char *s, size_t n);
void weft_jw_int(weft_jw *w, int64_t v);
void weft_jw_real(weft_jw *w, double v);
void weft_jw_bool(weft_jw *w, int v);
void weft_jw_null(weft_jw *w);
/* Text that is already JSON (one complete value). */
void weft_jw_raw(weft_jw *w, const char *json);
/* Members already written by another writer at this depth, each after a
 * separator (a writer begun with weft_jw_init_at(.., depth, 0)). */
void weft_jw_splice(weft_jw *w, const char *text, size_t len);
/* A writer without a sink that goes on inside an open array or object
 * `depth` levels down, after `members` members (0 or more). */
void weft_jw_init_at(weft_jw *w, int pretty, int depth, int members);
/* A value tree; artifacts as {"$artifact","dir","size"} (value_json.c's form). */
void weft_jw_value(weft_jw *w, const weft_value *v);
/* Flushes to the sink; WEFT_OK, or WEFT_EIO/WEFT_ERROR if anything failed.
 * The buffer stays for the caller (weft_buf_free). */
int weft_jw_finish(weft_jw *w);

#endif
