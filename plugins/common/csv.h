/*
 * csv.h -- a table read from a CSV file, held in one arena. Shared by the
 * plugins that read tables (autobi, autows): compiled into each, not a
 * library of its own, so every plugin stays one self-contained .so.
 *
 * Cells are offsets into one character buffer, so a 10,000-row table costs
 * two allocations rather than one per cell. A missing value (empty field or
 * a null token such as NA, NULL, N/A) is WCSV_NULL.
 */
#ifndef WEFT_PLUGINS_CSV_H
#define WEFT_PLUGINS_CSV_H

#include <stddef.h>
#include <stdint.h>

#define WCSV_NULL UINT32_MAX
/* The largest CSV file read whole (cell offsets are 32-bit). */
#define WCSV_MAX_BYTES ((size_t)1 << 30)

typedef struct wcsv {
	char *buf;        /* NUL-separated cell texts */
	size_t buf_len;   /* bytes used in buf */
	char **names;     /* ncols header names (owned) */
	uint32_t *cells;  /* nrows * ncols offsets into buf, row-major */
	size_t ncols, nrows;
	char delim;
} wcsv;

/* Parses `len` bytes of CSV text. `file` names the source in messages.
 * The first record is the header; a UTF-8 BOM is skipped; the delimiter is
 * sniffed from the header (comma, semicolon, tab or bar). On failure returns
 * -1 and writes "file:line: what, what to do" into err. */
int wcsv_parse(wcsv *out, const char *text, size_t len, const char *file, char *err, size_t errlen);

/* Reads and parses the file at `path`; `file` names it in messages. */
int wcsv_read(wcsv *out, const char *path, const char *file, char *err, size_t errlen);

/* Cell text of (row, col), or NULL when missing. */
const char *wcsv_cell(const wcsv *t, size_t row, size_t col);

void wcsv_free(wcsv *t);

#endif
