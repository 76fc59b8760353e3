/*
 * fsutil.h -- the two small helpers the crawler's files share: an error
 * message into a caller's buffer, and a file written whole or not at all
 * (a temporary name in the same directory, then a rename), so that a kill
 * never leaves half a page or half a cache entry behind.
 */
#ifndef AUTODATA_FSUTIL_H
#define AUTODATA_FSUTIL_H

#include <stddef.h>

void adt_seterr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* 0, or -1 with errno; the temporary file is removed on failure. */
int adt_write_atomic(const char *path, const void *data, size_t len);

#endif
