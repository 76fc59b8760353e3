/*
 * csv.h -- a table read from a CSV file, held in one arena.
 *
 * Cells are offsets into one character buffer, so a 10,000-row table costs
 * two allocations rather than one per cell. A missing value (empty field or
 * a null token such as NA, NULL, N/A) is ABI_CSV_NULL.
 */
#ifndef AUTOBI_CSV_H
#define AUTOBI_CSV_H

#include <stddef.h>
#include <stdint.h>

#define ABI_CSV_NULL UINT32_MAX

typedef struct abi_csv {
	char *buf;        /* NUL-separated cell texts */
	size_t buf_len;   /* bytes used in buf */
	char **names;     /* ncols header names (owned) */
	uint32_t *cells;  /* nrows * ncols offsets into buf, row-major */
	size_t ncols, nrows;
	char delim;
} abi_csv;

/* Parses `len` bytes of CSV text. `file` names the source in messages.
 * The first record is the header; a UTF-8 BOM is skipped; the delimiter is
 * sniffed from the header (comma, semicolon, tab or bar). On failure returns
 * -1 and writes "file:line: what, what to do" into err. */
int abi_csv_parse(abi_csv *out, const char *text, size_t len, const char *file, char *err, size_t errlen);

/* Reads and parses the file at `path`; `file` names it in messages. */
int abi_csv_read(abi_csv *out, const char *path, const char *file, char *err, size_t errlen);

/* Cell text of (row, col), or NULL when missing. */
const char *abi_csv_cell(const abi_csv *t, size_t row, size_t col);

void abi_csv_free(abi_csv *t);

#endif
