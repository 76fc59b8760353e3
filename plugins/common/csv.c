/*
 * csv.c -- RFC 4180 CSV with the mess real exports carry: a UTF-8 BOM,
 * CRLF or CR line ends, quoted fields with doubled quotes and embedded
 * newlines, padding spaces, null tokens, and a delimiter that is not a
 * comma. What cannot be read unambiguously (an unterminated quote, text
 * after a closing quote, a row with the wrong number of fields, a NUL byte)
 * is an error naming the file and the line, never a guess: a shifted column
 * would silently corrupt every join found downstream.
 */
#define _GNU_SOURCE
#include "csv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fileio.h"

typedef struct parser {
	const char *s;
	size_t len, pos, line;
	const char *file;
	char *err;
	size_t errlen;
	wcsv *t;
	size_t buf_cap, cells_len, cells_cap;
} parser;

static int fail(parser *p, size_t line, const char *fmt, ...)
{
	int n = snprintf(p->err, p->errlen, "%s:%zu: ", p->file, line);
	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Tokens that spreadsheets and pandas write for a missing value. */
static int is_null_token(const char *s, size_t n)
{
	static const char *const tokens[] = {"NA", "N/A", "NULL", "NaN", "None", "nil", "-", "?", "#N/A"};
	if (n == 0)
		return 1;
	if (n > 4 || (s[0] >= '0' && s[0] <= '9')) /* no token is longer or starts with a digit */
		return 0;
	for (size_t i = 0; i < sizeof tokens / sizeof *tokens; i++)
		if (strlen(tokens[i]) == n && strncasecmp(tokens[i], s, n) == 0)
			return 1;
	return 0;
}

static char sniff_delimiter(const char *s, size_t len)
{
	static const char cand[] = {',', ';', '\t', '|'};
	size_t count[4] = {0};
	int quoted = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '"')
			quoted = !quoted;
		else if (!quoted && (c == '\n' || c == '\r'))
			break;
		else if (!quoted)
			for (int k = 0; k < 4; k++)
				count[k] += c == cand[k];
	}
	int best = 0;
	for (int k = 1; k < 4; k++)
		if (count[k] > count[best])
			best = k;
	return cand[best];
}

static int buf_reserve(parser *p, size_t extra)
{
	wcsv *t = p->t;
	if (t->buf_len + extra + 1 <= p->buf_cap)
		return 0;
	size_t cap = p->buf_cap ? p->buf_cap : 4096;
	while (cap < t->buf_len + extra + 1)
		cap *= 2;
	char *nb = realloc(t->buf, cap);
	if (!nb)
		return -1;
	t->buf = nb;
	p->buf_cap = cap;
	return 0;
}

static int push_cell(parser *p, uint32_t off)
{
	if (p->cells_len == p->cells_cap) {
		size_t cap = p->cells_cap ? p->cells_cap * 2 : 1024;
		uint32_t *nc = realloc(p->t->cells, cap * sizeof *nc);
		if (!nc)
			return -1;
		p->t->cells = nc;
		p->cells_cap = cap;
	}
	p->t->cells[p->cells_len++] = off;
	return 0;
}

static int at_record_end(const parser *p)
{
	return p->pos >= p->len || p->s[p->pos] == '\n' || p->s[p->pos] == '\r';
}

static void skip_record_end(parser *p)
{
	if (p->pos < p->len && p->s[p->pos] == '\r')
		p->pos++;
	if (p->pos < p->len && p->s[p->pos] == '\n')
		p->pos++;
	p->line++;
}

static int is_pad(const parser *p, char c)
{
	return c == ' ' || (c == '\t' && p->t->delim != '\t');
}

/* Reads one field into the arena and pushes its offset (or WCSV_NULL). */
static int read_field(parser *p)
{
	wcsv *t = p->t;
	while (p->pos < p->len && is_pad(p, p->s[p->pos]))
		p->pos++;
	if (t->buf_len + (p->len - p->pos) + 1 > UINT32_MAX)
		return fail(p, p->line, "the file is larger than 4 GiB; split it into several tables");
	if (buf_reserve(p, 0) != 0)
		return fail(p, p->line, "out of memory");
	size_t start = t->buf_len;
	int quoted = p->pos < p->len && p->s[p->pos] == '"';
	if (quoted) {
		size_t open_line = p->line;
		p->pos++;
		for (;;) {
			if (p->pos >= p->len)
				return fail(p, open_line,
					    "a quoted field is never closed; add the closing '\"' (a quote inside a "
					    "field is written as two: \"\")");
			char c = p->s[p->pos++];
			if (c == '"') {
				if (p->pos < p->len && p->s[p->pos] == '"')
					p->pos++;
				else
					break;
			} else if (c == '\0') {
				return fail(p, p->line, "NUL byte inside a field: this is not a text CSV file");
			} else if (c == '\n' || (c == '\r' && (p->pos >= p->len || p->s[p->pos] != '\n'))) {
				p->line++;
			}
			if (buf_reserve(p, 1) != 0)
				return fail(p, p->line, "out of memory");
			t->buf[t->buf_len++] = c;
		}
		while (p->pos < p->len && is_pad(p, p->s[p->pos]))
			p->pos++;
		if (!at_record_end(p) && p->s[p->pos] != t->delim)
			return fail(p, p->line,
				    "text after a closing quote; quote the whole field and double the quotes "
				    "inside it (\"a \"\"b\"\" c\")");
	} else {
		/* the field's end first, then one copy: a byte at a time with a
		 * reserve each was most of reading a large table */
		size_t end = p->pos;
		const char delim = t->delim;
		while (end < p->len) {
			char c = p->s[end];
			if (c == delim || c == '\n' || c == '\r' || c == '\0')
				break;
			end++;
		}
		if (end < p->len && p->s[end] == '\0')
			return fail(p, p->line, "NUL byte: this is not a text CSV file");
		if (buf_reserve(p, end - p->pos) != 0)
			return fail(p, p->line, "out of memory");
		memcpy(t->buf + t->buf_len, p->s + p->pos, end - p->pos);
		t->buf_len += end - p->pos;
		p->pos = end;
		while (t->buf_len > start && is_pad(p, t->buf[t->buf_len - 1]))
			t->buf_len--;
	}
	size_t n = t->buf_len - start;
	int missing = quoted ? n == 0 : is_null_token(t->buf + start, n);
	if (missing)
		t->buf_len = start;
	else
		t->buf[t->buf_len++] = '\0';
	if (push_cell(p, missing ? WCSV_NULL : (uint32_t)start) != 0)
		return fail(p, p->line, "out of memory");
	return 0;
}

/* Reads one record; returns its field count, 0 for a blank line, -1 on error. */
static long read_record(parser *p)
{
	size_t q = p->pos;
	while (q < p->len && (p->s[q] == ' ' || p->s[q] == '\t'))
		q++;
	/* A line of padding alone is a blank line, not a one-field row. */
	if (q >= p->len || p->s[q] == '\n' || p->s[q] == '\r') {
		p->pos = q;
		skip_record_end(p);
		return 0;
	}
	long n = 0;
	for (;;) {
		if (read_field(p) != 0)
			return -1;
		n++;
		if (at_record_end(p))
			break;
		p->pos++; /* the delimiter */
	}
	skip_record_end(p);
	return n;
}

static int take_header(parser *p, size_t n)
{
	wcsv *t = p->t;
	t->ncols = n;
	if (!(t->names = calloc(n, sizeof *t->names)))
		return fail(p, 1, "out of memory");
	for (size_t c = 0; c < n; c++) {
		uint32_t off = t->cells[c];
		const char *name = off == WCSV_NULL ? "" : t->buf + off;
		char *dup = NULL;
		int rc = *name ? asprintf(&dup, "%s", name) : asprintf(&dup, "column_%zu", c + 1);
		if (rc < 0)
			return fail(p, 1, "out of memory");
		t->names[c] = dup;
		for (size_t k = 0; k < c; k++)
			if (strcmp(t->names[k], dup) == 0)
				return fail(p, 1, "columns %zu and %zu are both named '%s'; rename one", k + 1, c + 1,
					    dup);
	}
	p->cells_len = 0;
	t->buf_len = 0;
	return 0;
}

int wcsv_parse(wcsv *out, const char *text, size_t len, const char *file, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	parser p = {.s = text, .len = len, .line = 1, .file = file, .err = err, .errlen = errlen, .t = out};
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		p.pos = 3;
	out->delim = sniff_delimiter(text + p.pos, len - p.pos);
	long n = 0;
	while (p.pos < p.len && n == 0)
		if ((n = read_record(&p)) < 0)
			goto fail;
	if (n == 0) {
		fail(&p, 1, "the file is empty; a table needs a header line naming its columns");
		goto fail;
	}
	if (take_header(&p, (size_t)n) != 0)
		goto fail;
	while (p.pos < p.len) {
		size_t line = p.line;
		long got = read_record(&p);
		if (got < 0)
			goto fail;
		if (got == 0)
			continue;
		if ((size_t)got != out->ncols) {
			fail(&p, line, "row has %ld field%s but the header has %zu; quote fields that contain '%c'",
			     got, got == 1 ? "" : "s", out->ncols, out->delim == '\t' ? ' ' : out->delim);
			goto fail;
		}
		out->nrows++;
	}
	return 0;
fail:
	wcsv_free(out);
	return -1;
}

int wcsv_read(wcsv *out, const char *path, const char *file, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	char *text;
	size_t len;
	if (wio_read_all(&text, &len, path, file, WCSV_MAX_BYTES, err, errlen) != 0)
		return -1;
	int rc = wcsv_parse(out, text, len, file, err, errlen);
	free(text);
	return rc;
}

const char *wcsv_cell(const wcsv *t, size_t row, size_t col)
{
	uint32_t off = t->cells[row * t->ncols + col];
	return off == WCSV_NULL ? NULL : t->buf + off;
}

void wcsv_free(wcsv *t)
{
	if (t->names)
		for (size_t c = 0; c < t->ncols; c++)
			free(t->names[c]);
	free(t->names);
	free(t->cells);
	free(t->buf);
	memset(t, 0, sizeof *t);
}
