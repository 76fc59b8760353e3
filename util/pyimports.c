/*
 * pyimports.c -- see pyimports.h. A line scanner, not a parser: it joins
 * bracketed and backslash-continued lines, skips comments and the bodies
 * of triple-quoted strings, and reads `import` and `from` statements.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "pyimports.h"
#include "util.h"

typedef struct acc {
	char **v;
	size_t n, max;
	int oom;
} acc;

static void add(acc *a, const char *s, size_t len)
{
	if (a->oom || a->n >= a->max || len == 0 || len > 255)
		return;
	if (!(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return;
	for (size_t i = 0; i < len; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return;
	for (size_t i = 0; i < a->n; i++)
		if (strlen(a->v[i]) == len && !memcmp(a->v[i], s, len))
			return;
	char **nv = realloc(a->v, (a->n + 1) * sizeof *nv);
	char *copy = malloc(len + 1);
	if (!nv || !copy) {
		if (nv)
			a->v = nv;
		free(copy);
		a->oom = 1;
		return;
	}
	memcpy(copy, s, len);
	copy[len] = '\0';
	a->v = nv;
	a->v[a->n++] = copy;
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '(' || *p == ')'))
		p++;
	return p;
}

static const char *word(const char *p, const char *end, size_t *len)
{
	const char *s = p;
	while (p < end && (isalnum((unsigned char)*p) || *p == '_' || *p == '.'))
		p++;
	*len = (size_t)(p - s);
	return s;
}

static int is_kw(const char *p, const char *end, const char *kw)
{
	size_t n = strlen(kw);
	return (size_t)(end - p) > n && !memcmp(p, kw, n) && (p[n] == ' ' || p[n] == '\t' || p[n] == '(');
}

/* "a.b.c" -> "a" */
static size_t first_part(const char *s, size_t len)
{
	const char *dot = memchr(s, '.', len);
	return dot ? (size_t)(dot - s) : len;
}

/* A comma-separated list "x as y, z" of names, after import. */
static void name_list(acc *a, const char *p, const char *end, int whole_first)
{
	while (p < end) {
		p = skip_ws(p, end);
		size_t len;
		const char *w = word(p, end, &len);
		if (!len)
			break;
		add(a, w, whole_first ? first_part(w, len) : len);
		p = w + len;
		while (p < end && *p != ',')
			p++;
		if (p < end)
			p++;
	}
}

static void statement(acc *a, const char *p, const char *end)
{
	p = skip_ws(p, end);
	if (is_kw(p, end, "import")) {
		name_list(a, p + 6, end, 1);
	} else if (is_kw(p, end, "from")) {
		p = skip_ws(p + 4, end);
		int rel = 0;
		while (p < end && *p == '.') {
			rel = 1;
			p++;
		}
		size_t len;
		const char *w = word(p, end, &len);
		p = skip_ws(w + len, end);
		if (len)
			add(a, w, first_part(w, len));
		else if (rel && is_kw(p, end, "import"))
			name_list(a, p + 6, end, 1); /* from . import m, n */
	}
}

int weft_py_imports(const char *src, size_t len, char ***names, size_t max)
{
	acc a = {NULL, 0, max, 0};
	weft_buf line = {0};
	const char *p = src, *end = src + len;
	int depth = 0;    /* open brackets: the statement goes on */
	char in_str = 0;  /* inside a triple-quoted string: its quote char */
	while (p < end && !a.oom) {
		char c = *p;
		if (in_str) {
			if (c == in_str && end - p >= 3 && p[1] == c && p[2] == c) {
				in_str = 0;
				p += 3;
			} else {
				p++;
			}
			continue;
		}
		if ((c == '"' || c == '\'') && end - p >= 3 && p[1] == c && p[2] == c) {
			in_str = c;
			p += 3;
			continue;
		}
		if (c == '#') {
			while (p < end && *p != '\n')
				p++;
			continue;
		}
		if (c == '\\' && p + 1 < end && p[1] == '\n') {
			p += 2;
			continue;
		}
		if (c == '(' || c == '[' || c == '{')
			depth++;
		else if ((c == ')' || c == ']' || c == '}') && depth > 0)
			depth--;
		if ((c == '\n' && depth == 0) || c == ';') {
			statement(&a, line.data ? line.data : "", (line.data ? line.data : "") + line.len);
			line.len = 0;
			p++;
			continue;
		}
		if (line.len < 4096 && weft_buf_put(&line, c == '\n' ? " " : &c, 1) != WEFT_OK)
			a.oom = 1;
		p++;
	}
	if (line.len && !a.oom)
		statement(&a, line.data, line.data + line.len);
	weft_buf_free(&line);
	if (a.oom) {
		for (size_t i = 0; i < a.n; i++)
			free(a.v[i]);
		free(a.v);
		*names = NULL;
		return -1;
	}
	*names = a.v;
	return (int)a.n;
}
