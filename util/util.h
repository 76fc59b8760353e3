/*
 * util.h -- small helpers shared by the engine, the DSL and the CLI: the
 * thread-local last error (error.c, declared in weft/sys/error.h),
 * a growable byte buffer, and filesystem primitives that keep the store's
 * invariant (a file is either absent or complete: write to a temp name in the
 * same directory, fsync when asked, rename).
 */
#ifndef WEFT_UTIL_H
#define WEFT_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "weft/sys/error.h"
#include "weft/weft.h"

typedef struct weft_buf {
	char *data;
	size_t len;
	size_t cap;
} weft_buf;

int weft_buf_reserve(weft_buf *b, size_t extra);
int weft_buf_put(weft_buf *b, const void *p, size_t n);
int weft_buf_puts(weft_buf *b, const char *s);
int weft_buf_printf(weft_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void weft_buf_free(weft_buf *b);

char *weft_strdup(const char *s);
char *weft_strndup(const char *s, size_t n);
char *weft_sprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *weft_path_join(const char *a, const char *b);
/* Absolute, normalised form of `path` relative to `base` (or cwd). */
char *weft_path_abs(const char *base, const char *path);
char *weft_path_dirname(const char *path);

int weft_mkdirs(const char *path, int mode);
/* Writes all `len` bytes, retrying short writes and EINTR; 0, or -1 with
 * errno. Only write(2): safe in a child between fork and exec. */
int weft_write_all(int fd, const void *data, size_t len);
/* Reads a whole file; `*out` is NUL-terminated and owned by the caller. */
int weft_read_file(const char *path, char **out, size_t *len);
/* Atomically replaces `path` with `data`. `sync` fsyncs file and directory. */
int weft_write_file_atomic(const char *path, const void *data, size_t len, int sync);
/* A file written in pieces and then put in place atomically: open gives an
 * fd on a temp name beside `path` (*tmp, caller frees); commit closes it,
 * fsyncs when asked and renames it over `path`; abort closes and removes
 * it. Both free nothing. */
int weft_atomic_open(const char *path, char **tmp);
int weft_atomic_commit(int fd, const char *tmp, const char *path, int sync);
void weft_atomic_abort(int fd, const char *tmp);
/* Renames `from` (relative to fromdir) to `to` (relative to todir) unless
 * `to` exists: 0, or -1 with errno (EEXIST when it does). renameat2's
 * RENAME_NOREPLACE where the file system knows it, else a hard link and
 * the old name's removal, which refuses to replace just as atomically. */
int weft_rename_noreplace(int fromdir, const char *from, int todir, const char *to);
/* Copies a regular file through a temp name into `dst`. */
int weft_copy_file_atomic(const char *src, const char *dst, int mode);
/* Copies the rest of `in` to `out` in 64 KiB chunks, handing each chunk to
 * `each` as well when it is not NULL (a nonzero return stops the copy);
 * *copied (may be NULL) gets the bytes copied. 0, or -1 with errno set
 * (EIO when `each` stopped it). */
int weft_copy_fd(int in, int out, int (*each)(void *arg, const void *data, size_t len), void *arg,
		 uint64_t *copied);
int weft_rm_rf(const char *path);
/* The names in `dir` that `keep` accepts (NULL: all but "." and ".."),
 * sorted by strcmp; a missing directory has none. The caller frees them
 * with weft_dir_list_free. */
int weft_dir_list(const char *dir, int (*keep)(const char *name), char ***names, size_t *n);
void weft_dir_list_free(char **names, size_t n);
/* Levenshtein distance, for "did you mean" suggestions. */
size_t weft_edit_distance(const char *a, const char *b);
/* The one "did you mean" rule of weft (graph, DSL, node arguments, CLI):
 * the closest candidate within len/2 (+1 from 4 letters) edits, else one
 * the word abbreviates ("secs" for "seconds", from 3 letters); NULL when
 * none is close. Feed candidates with add, read the answer with best. */
typedef struct weft_suggester {
	const char *word;
	const char *best, *prefix;
	size_t bestd;
} weft_suggester;
void weft_suggest_init(weft_suggester *s, const char *word);
void weft_suggest_add(weft_suggester *s, const char *cand);
const char *weft_suggest_best(const weft_suggester *s);
/* The same over an array. */
const char *weft_suggest(const char *word, const char *const *cands, size_t n);
/* Wall-clock seconds, for records and timings only (never for keys). */
double weft_now(void);
/* Monotonic seconds, for deadlines and timeouts. */
double weft_mono(void);
/* 64-bit FNV-1a of `n` bytes: a cheap check or table hash, never a key. */
uint64_t weft_fnv1a(const void *p, size_t n);
/* A checksum that finds a torn or damaged file, 8 bytes a step (FNV-1a
 * takes one): any change within one 8-byte word always changes it. Not an
 * identity: use SHA-256 for that. Independent of the host's byte order. */
uint64_t weft_check64(const void *p, size_t n);
/* The big-endian 32-bit number at p (digests, git's index and packs). */
static inline uint32_t weft_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
/* The big-endian 64-bit number at p (action-cache entries and packs). One
 * load and a byte swap: the shift loop it replaces was not turned into
 * one, and it ran over a million times in a 1,000-node no-op run. */
static inline uint64_t weft_be64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof v);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}
/* Writes v big-endian at p: weft_be64's inverse. */
static inline void weft_set_be64(unsigned char *p, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	memcpy(p, &v, sizeof v);
}
/* Appends v big-endian (binary formats: cache entries, values). */
static inline int weft_buf_put_be64(weft_buf *b, uint64_t v)
{
	unsigned char p[8];
	weft_set_be64(p, v);
	return weft_buf_put(b, p, 8);
}
/* Parses "30", "90s", "500ms", "5m", "1h30m" into seconds. */
int weft_parse_duration(double *out, const char *s);

/* "file:line" into buf (the file name cut to fit cap): snprintf's "%s:%d"
 * without its cost, for places formatted for every node. */
void weft_file_line(char *buf, size_t cap, const char *file, int line);

#endif
