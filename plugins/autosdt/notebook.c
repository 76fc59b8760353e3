/*
 * notebook.c -- see notebook.h. AutoSDT keeps the code cells of a notebook
 * and drops the rest (markdown, outputs); so does this. IPython syntax is
 * commented out rather than dropped, so that line numbers in the program
 * still point at the notebook's lines and a reader sees what was there.
 */
#define _GNU_SOURCE
#include "notebook.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct buf {
	char *p;
	size_t n, cap;
	int oom;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *q = realloc(b->p, cap);
		if (!q) {
			b->oom = 1;
			return;
		}
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

/* Cell magics whose body is not Python: the whole cell becomes a comment. */
static int foreign_cell(const char *line)
{
	static const char *const foreign[] = {"%%bash", "%%sh", "%%html", "%%javascript", "%%js", "%%latex",
					      "%%markdown", "%%writefile", "%%R", "%%script", "%%perl", "%%ruby",
					      "%%svg", "%%file", "%%cmd", "%%powershell", "%%sql"};
	for (size_t i = 0; i < sizeof foreign / sizeof *foreign; i++) {
		size_t n = strlen(foreign[i]);
		if (strncmp(line, foreign[i], n) == 0 && (line[n] == '\0' || line[n] == ' ' || line[n] == '\n'))
			return 1;
	}
	return 0;
}

/* IPython-only syntax on one line: `%magic`, `!cmd`, `x = !cmd`,
 * `x = %magic`, `obj?`, `?obj`. */
static int ipython_line(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i < n && (s[i] == '%' || s[i] == '!' || s[i] == '?'))
		return 1;
	size_t e = n;
	while (e > i && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r' || s[e - 1] == '\n'))
		e--;
	if (e > i && s[e - 1] == '?' && memchr(s + i, '#', e - i) == NULL)
		return 1;
	/* `name = !cmd` / `name = %magic` */
	const char *eq = memchr(s + i, '=', n - i);
	if (eq && eq + 1 < s + n && eq[1] != '=' && eq > s + i && eq[-1] != '=' && eq[-1] != '!' && eq[-1] != '<' &&
	    eq[-1] != '>') {
		const char *q = eq + 1;
		while (q < s + n && *q == ' ')
			q++;
		if (q < s + n && (*q == '!' || *q == '%'))
			return 1;
	}
	return 0;
}

static void put_cell(struct buf *b, const char *src)
{
	int foreign = foreign_cell(src);
	const char *s = src;
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		if (foreign || ipython_line(s, n))
			put(b, "# ", 2);
		put(b, s, n);
		put(b, "\n", 1);
		s += n + (nl ? 1 : 0);
	}
}

/* A cell's source: a string, or a list of strings (the usual form). */
static char *cell_source(json_t *src)
{
	if (json_is_string(src))
		return strdup(json_string_value(src));
	if (!json_is_array(src))
		return NULL;
	struct buf b = {0};
	size_t i;
	json_t *v;
	json_array_foreach (src, i, v)
		if (json_is_string(v))
			put(&b, json_string_value(v), json_string_length(v));
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p ? b.p : strdup("");
}

char *sdt_notebook_code(const char *json, size_t len, size_t *n_cells, char *err, size_t errlen)
{
	*n_cells = 0;
	json_error_t je;
	json_t *nb = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
	if (!nb) {
		snprintf(err, errlen, "not a notebook: line %d: %s", je.line, je.text);
		return NULL;
	}
	json_t *cells = json_object_get(nb, "cells");
	json_t *sheets = json_object_get(nb, "worksheets"); /* nbformat 3 */
	if (!json_is_array(cells) && json_is_array(sheets) && json_array_size(sheets) > 0)
		cells = json_object_get(json_array_get(sheets, 0), "cells");
	if (!json_is_array(cells)) {
		snprintf(err, errlen, "not a notebook: no cells (nbformat 3 or 4 is read)");
		json_decref(nb);
		return NULL;
	}
	struct buf b = {0};
	size_t i;
	json_t *cell;
	json_array_foreach (cells, i, cell) {
		if (!json_is_object(cell) || !json_is_string(json_object_get(cell, "cell_type")) ||
		    strcmp(json_string_value(json_object_get(cell, "cell_type")), "code") != 0)
			continue;
		json_t *src = json_object_get(cell, "source");
		if (!src)
			src = json_object_get(cell, "input"); /* nbformat 3 */
		char *code = cell_source(src);
		if (!code)
			continue;
		put_cell(&b, code);
		put(&b, "\n", 1);
		free(code);
		(*n_cells)++;
	}
	json_decref(nb);
	if (b.oom) {
		free(b.p);
		snprintf(err, errlen, "out of memory reading the notebook");
		return NULL;
	}
	return b.p ? b.p : strdup("");
}
