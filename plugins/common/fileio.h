/*
 * fileio.h -- the one bounded whole-file reader of the in-tree plugins'
 * parsers (CSV, CIF, Auto-BI profiles): a file larger than the parser's
 * limit is refused with both sizes before any of it is read, so a wrong
 * input cannot take the machine's memory.
 */
#ifndef WEFT_PLUGINS_FILEIO_H
#define WEFT_PLUGINS_FILEIO_H

#include <stddef.h>

/* Reads the whole file at `path` into `*out` (NUL-terminated, caller
 * frees; `*len` excludes the NUL). `what` names the file in messages. A
 * file over `max` bytes is refused. 0, or -1 with `err` set. */
int wio_read_all(char **out, size_t *len, const char *path, const char *what, size_t max, char *err,
		 size_t errlen);

#endif
