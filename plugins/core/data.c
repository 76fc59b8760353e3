/*
 * data.c -- core.csv, core.json, core.yaml: structured files into values.
 *
 * core.csv parses RFC 4180 (quoted fields, doubled quotes, embedded
 * newlines, CRLF) and writes a normalised table artifact: comma-separated,
 * header first, every field that needs it quoted, LF line ends. Ragged rows
 * are an error naming the line, never silently padded. Column types are
 * inferred (int, float, string) so downstream ops need not re-guess.
 *
 * The file is read through a window (csv_src), not whole: memory holds the
 * window and the current record, so a table larger than memory parses. A
 * record that reaches the window's end is parsed again once more is read,
 * so a boundary never cuts a quoted field, a doubled quote or a CRLF.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

typedef struct row {
	char **f;
	size_t n, cap;
} row;

static void row_clear(row *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->f[i]);
	r->n = 0;
}

static int row_push(row *r, const char *s, size_t len)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		char **p = realloc(r->f, cap * sizeof *p);
		if (!p)
			return -1;
		r->f = p;
		r->cap = cap;
	}
	if (!(r->f[r->n] = strndup(s, len)))
		return -1;
	r->n++;
	return 0;
}

/* Parses one record starting at *pos. Returns 1 for a record, 0 at end,
 * -1 on a syntax error (message in err). *line advances by newlines seen. */
static int next_record(const char *buf, size_t len, size_t *pos, char delim, row *r, size_t *line, char *err,
		       size_t errlen)
{
	size_t p = *pos;
	if (p >= len)
		return 0;
	char *field = malloc(len - p + 1);
	if (!field) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	size_t fl = 0;
	int quoted = 0, was_quoted = 0;
	size_t start_line = *line;
	for (;;) {
		if (p >= len) {
			if (quoted) {
				snprintf(err, errlen, "line %zu: quoted field is never closed", start_line);
				free(field);
				return -1;
			}
			break;
		}
		char c = buf[p];
		if (quoted) {
			if (c == '"') {
				if (p + 1 < len && buf[p + 1] == '"') {
					field[fl++] = '"';
					p += 2;
					continue;
				}
				quoted = 0;
				p++;
				continue;
			}
			if (c == '\n')
				(*line)++;
			field[fl++] = c;
			p++;
			continue;
		}
		if (c == '"' && fl == 0 && !was_quoted) {
			quoted = was_quoted = 1;
			p++;
			continue;
		}
		if (c == delim) {
			if (row_push(r, field, fl) != 0)
				goto oom;
			fl = 0;
			was_quoted = 0;
			p++;
			continue;
		}
		if (c == '\r' && p + 1 < len && buf[p + 1] == '\n') {
			p++;
			continue;
		}
		if (c == '\n') {
			p++;
			(*line)++;
			break;
		}
		if (was_quoted) {
			snprintf(err, errlen, "line %zu: text after a closing quote (quote the whole field, doubling inner quotes)",
				 *line);
			free(field);
			return -1;
		}
		field[fl++] = c;
		p++;
	}
	if (row_push(r, field, fl) != 0)
		goto oom;
	free(field);
	*pos = p;
	return 1;
oom:
	free(field);
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* The file behind core.csv, read a window at a time. */
typedef struct csv_src {
	FILE *f;
	char *buf;
	size_t len, cap, pos;
	int eof;
} csv_src;

#define CSV_WINDOW ((size_t)1 << 20)       /* refill below this much unread */
#define CSV_MAX_RECORD ((size_t)256 << 20) /* one record longer than this is refused */

/* Moves the unread bytes to the front and reads more; the window doubles
 * when a record fills it. -1 with err set on a read error or a record over
 * CSV_MAX_RECORD. */
static int src_more(csv_src *s, char *err, size_t errlen)
{
	if (s->eof)
		return 0;
	if (s->pos) {
		memmove(s->buf, s->buf + s->pos, s->len - s->pos);
		s->len -= s->pos;
		s->pos = 0;
	}
	if (s->len + CSV_WINDOW / 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 2 * CSV_WINDOW;
		if (cap > CSV_MAX_RECORD + 2 * CSV_WINDOW) {
			snprintf(err, errlen, "a record is longer than %zu MiB; is a quote left open?", CSV_MAX_RECORD >> 20);
			return -1;
		}
		char *b = realloc(s->buf, cap);
		if (!b) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		s->buf = b;
		s->cap = cap;
	}
	size_t got = fread(s->buf + s->len, 1, s->cap - s->len, s->f);
	s->len += got;
	if (got == 0) {
		if (ferror(s->f)) {
			snprintf(err, errlen, "read error");
			return -1;
		}
		s->eof = 1;
	}
	return 0;
}

/* The next record (as next_record), reading more when it reached the end
 * of what was read so far. */
static int src_next(csv_src *s, char delim, row *r, size_t *line, char *err, size_t errlen)
{
	for (;;) {
		if (!s->eof && s->len - s->pos < CSV_WINDOW && src_more(s, err, errlen) != 0)
			return -1;
		size_t p = s->pos, at_line = *line;
		int got = next_record(s->buf, s->len, &p, delim, r, line, err, errlen);
		/* Only an unclosed quote can be the window's doing; any other
		 * error is the file's. */
		if (s->eof || (got > 0 && p < s->len) || (got < 0 && !strstr(err, "never closed"))) {
			if (got > 0)
				s->pos = p;
			return got;
		}
		/* It touched the end of the window: read on and parse it again. */
		row_clear(r);
		*line = at_line;
		size_t before = s->len - s->pos;
		if (src_more(s, err, errlen) != 0)
			return -1;
		if (!s->eof && s->len - s->pos == before && src_more(s, err, errlen) != 0)
			return -1;
	}
}

static void put_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

enum { T_EMPTY = 0, T_INT = 1, T_FLOAT = 2, T_STRING = 3 };

static int classify(const char *s)
{
	if (!*s)
		return T_EMPTY;
	char *end;
	errno = 0;
	(void)strtoll(s, &end, 10);
	if (!*end && !errno)
		return T_INT;
	errno = 0;
	(void)strtod(s, &end);
	if (!*end && !errno)
		return T_FLOAT;
	return T_STRING;
}

int core_run_csv(weft_op_ctx *ctx, const weft_host_api *api)
{
	const char *d = api->value_string(api->param(ctx, "delimiter"), NULL);
	int header = api->value_bool(api->param(ctx, "header"));
	if (!d || strlen(d) != 1)
		return api->fail(ctx, "parameter 'delimiter' must be one character");
	const char *inpath = weft_op_input_path(ctx, api, "file");
	if (!inpath)
		return api->fail(ctx, "input 'file' must be a file artifact (use weft.file(...) or a node output)");
	csv_src src = {fopen(inpath, "rb"), NULL, 0, 0, 0, 0};
	if (!src.f)
		return api->fail(ctx, "input 'file': cannot open %s: %s", inpath, strerror(errno));
	size_t line = 1, nrows = 0;
	const char *workdir = api->workdir(ctx);
	char *outpath = NULL, err[256] = "";
	if (!workdir || asprintf(&outpath, "%s/table.csv", workdir) < 0) {
		fclose(src.f);
		return api->fail(ctx, "cannot create work directory");
	}
	FILE *out = fopen(outpath, "w");
	row r = {0}, cols = {0}, first = {0};
	int *types = NULL, rc = WEFT_OK, pending = 0;
	if (!out) {
		rc = api->fail(ctx, "cannot write %s: %s", outpath, strerror(errno));
		goto cleanup;
	}
	if (src_more(&src, err, sizeof err) != 0) {
		rc = api->fail(ctx, "input 'file': %s", err);
		goto cleanup;
	}
	if (src.len >= 3 && !memcmp(src.buf, "\xEF\xBB\xBF", 3))
		src.pos = 3; /* UTF-8 byte-order mark */
	size_t rec_line = line;
	int got = src_next(&src, d[0], &cols, &line, err, sizeof err);
	if (got <= 0) {
		rc = api->fail(ctx, "input 'file': %s", got == 0 ? "the CSV file is empty" : err);
		goto cleanup;
	}
	if (!header) {
		/* Synthesise c1..cN; the first record is the first row of data. */
		first = cols;
		cols = (row){0};
		for (size_t i = 0; i < first.n; i++) {
			char name[32];
			snprintf(name, sizeof name, "c%zu", i + 1);
			row_push(&cols, name, strlen(name));
		}
		pending = 1;
	}
	types = calloc(cols.n, sizeof *types);
	for (size_t i = 0; i < cols.n; i++) {
		put_field(out, cols.f[i]);
		fputc(i + 1 < cols.n ? ',' : '\n', out);
	}
	for (;;) {
		row_clear(&r);
		rec_line = line;
		if (pending) {
			/* Without a header, the record already read is data. */
			row t = r;
			r = first;
			first = t;
			rec_line = 1;
			got = 1;
			pending = 0;
		} else {
			got = src_next(&src, d[0], &r, &line, err, sizeof err);
		}
		if (got < 0) {
			rc = api->fail(ctx, "input 'file': %s", err);
			goto cleanup;
		}
		if (got == 0)
			break;
		if (r.n == 1 && r.f[0][0] == '\0')
			continue; /* blank line */
		if (r.n != cols.n) {
			rc = api->fail(ctx, "input 'file' line %zu: row has %zu fields but the header has %zu; fix the row "
					    "or quote fields that contain '%c'",
				       rec_line, r.n, cols.n, d[0]);
			goto cleanup;
		}
		for (size_t i = 0; i < r.n; i++) {
			int t = classify(r.f[i]);
			if (t > types[i])
				types[i] = t;
			put_field(out, r.f[i]);
			fputc(i + 1 < r.n ? ',' : '\n', out);
		}
		nrows++;
	}
	if (fclose(out) != 0) {
		out = NULL;
		rc = api->fail(ctx, "cannot write %s", outpath);
		goto cleanup;
	}
	out = NULL;
	weft_value *table = NULL;
	if (api->artifact_import(&table, ctx, outpath) != WEFT_OK) {
		rc = api->fail(ctx, "cannot store table: %s", api->error_last());
		goto cleanup;
	}
	static const char *const tnames[] = {"string", "int", "float", "string"};
	weft_value *colv = api->value_new_list(), *tv = api->value_new_map();
	for (size_t i = 0; i < cols.n; i++) {
		api->value_list_push(colv, api->value_new_string(cols.f[i], strlen(cols.f[i])));
		api->value_map_set(tv, cols.f[i], api->value_new_string(tnames[types[i]], strlen(tnames[types[i]])));
	}
	api->set_output(ctx, "table", table);
	api->set_output(ctx, "columns", colv);
	api->set_output(ctx, "types", tv);
	api->set_output(ctx, "rows", api->value_new_int((int64_t)nrows));
cleanup:
	if (out)
		fclose(out);
	if (src.f)
		fclose(src.f);
	free(src.buf);
	row_clear(&r);
	free(r.f);
	row_clear(&first);
	free(first.f);
	row_clear(&cols);
	free(cols.f);
	free(types);
	free(outpath);
	return rc;
}

static int parse_doc(weft_op_ctx *ctx, const weft_host_api *api, int yaml)
{
	char *buf = NULL;
	size_t len = 0;
	if (core_read_artifact(&buf, &len, ctx, api, api->input(ctx, "file"), "file") != WEFT_OK)
		return WEFT_ERROR;
	weft_value *v = NULL;
	char err[256] = "";
	int rc = yaml ? api->value_from_yaml(&v, buf, len, "input 'file'")
		      : api->value_from_json(&v, buf, len, err, sizeof err);
	api->free(buf);
	if (rc != WEFT_OK)
		return api->fail(ctx, "%s", yaml ? api->error_last() : err[0] ? err : api->error_last());
	return api->set_output(ctx, "value", v);
}

int core_run_json(weft_op_ctx *ctx, const weft_host_api *api)
{
	return parse_doc(ctx, api, 0);
}

int core_run_yaml(weft_op_ctx *ctx, const weft_host_api *api)
{
	return parse_doc(ctx, api, 1);
}

