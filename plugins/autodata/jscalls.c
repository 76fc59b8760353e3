/*
 * jscalls.c -- see jscalls.h.
 */
#include "jscalls.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch.h"
#include "html.h"

typedef enum { T_STR, T_ID, T_NUM, T_PUNCT, T_END } tkind;
typedef struct {
	tkind k;
	char *s; /* the string's value, the identifier, the number, the punctuator */
} token;

/* A small JavaScript tokenizer: enough for string literals, identifiers,
 * numbers and punctuators; comments skipped; template literals without
 * ${} are strings. At most 20,000 tokens per script. */
static token *tokenize(const char *src, size_t *n_out)
{
	size_t cap = 256, n = 0;
	token *t = malloc(cap * sizeof *t);
	if (!t)
		return NULL;
	const char *p = src;
	while (*p && n < 20000) {
		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		if (p[0] == '/' && p[1] == '/') {
			p += strcspn(p, "\n");
			continue;
		}
		if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");
			p = e ? e + 2 : p + strlen(p);
			continue;
		}
		if (n + 1 >= cap) {
			cap *= 2;
			token *nt = realloc(t, cap * sizeof *t);
			if (!nt)
				break;
			t = nt;
		}
		const char *s = p;
		if (*p == '\'' || *p == '"' || *p == '`') {
			char qch = *p++;
			char *buf = malloc(strlen(p) + 1);
			size_t k = 0;
			while (buf && *p && *p != qch) {
				if (*p == '\\' && p[1])
					p++;
				buf[k++] = *p++;
			}
			if (*p)
				p++;
			if (!buf)
				break;
			buf[k] = 0;
			t[n++] = (token){T_STR, buf};
			continue;
		}
		tkind k;
		if (isalpha((unsigned char)*p) || *p == '_' || *p == '$') {
			while (isalnum((unsigned char)*p) || *p == '_' || *p == '$')
				p++;
			k = T_ID;
		} else if (isdigit((unsigned char)*p)) {
			while (isalnum((unsigned char)*p) || *p == '.')
				p++;
			k = T_NUM;
		} else {
			p++;
			k = T_PUNCT;
		}
		t[n++] = (token){k, strndup(s, (size_t)(p - s))};
	}
	t[n] = (token){T_END, NULL};
	*n_out = n;
	return t;
}

static void tokens_free(token *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(t[i].s);
	free(t);
}

static int is(const token *t, tkind k, const char *s)
{
	return t->k == k && (!s || !strcmp(t->s, s));
}

/* The value of constant `id` (`const|let|var id = 'literal'`), or NULL. */
static const char *constant(const token *t, size_t n, const char *id)
{
	for (size_t i = 0; i + 3 < n; i++)
		if ((is(&t[i], T_ID, "const") || is(&t[i], T_ID, "let") || is(&t[i], T_ID, "var")) &&
		    is(&t[i + 1], T_ID, id) && is(&t[i + 2], T_PUNCT, "=") && t[i + 3].k == T_STR)
			return t[i + 3].s;
	return NULL;
}

/* Evaluates `a + b + ...` from token i: literals and constants joined; an
 * unknown identifier becomes "{name}" (only the last may be unknown). The
 * end index in *end. malloc'd, or NULL when the expression is not one. */
static char *concat(const token *t, size_t n, size_t i, size_t *end, char **var)
{
	size_t cap = 256, len = 0;
	char *out = calloc(1, cap);
	if (var)
		*var = NULL;
	while (out && i < n) {
		const char *piece = NULL;
		char buf[160];
		if (t[i].k == T_STR || t[i].k == T_NUM) {
			piece = t[i].s;
		} else if (t[i].k == T_ID) {
			piece = constant(t, n, t[i].s);
			if (!piece) {
				if (var && !*var)
					*var = strdup(t[i].s);
				snprintf(buf, sizeof buf, "{%.150s}", t[i].s);
				piece = buf;
			}
		} else {
			break;
		}
		size_t add = strlen(piece);
		if (len + add + 1 > cap) {
			while (len + add + 1 > cap)
				cap *= 2;
			char *no = realloc(out, cap);
			if (!no) {
				free(out);
				return NULL;
			}
			out = no;
		}
		memcpy(out + len, piece, add + 1);
		len += add;
		i++;
		if (!is(&t[i], T_PUNCT, "+"))
			break;
		i++;
	}
	*end = i;
	if (out && !len) {
		free(out);
		return NULL;
	}
	return out;
}

/* The function whose body holds token `at`, and its first parameter. */
static const char *enclosing(const token *t, size_t at, const char **param)
{
	int depth = 0;
	for (size_t i = at; i-- > 0;) {
		if (is(&t[i], T_PUNCT, "}"))
			depth++;
		else if (is(&t[i], T_PUNCT, "{")) {
			if (depth) {
				depth--;
				continue;
			}
			/* `function NAME ( P ... ) {` */
			size_t j = i;
			while (j > 0 && !is(&t[j], T_PUNCT, "("))
				j--;
			if (j >= 2 && is(&t[j - 2], T_ID, "function") && t[j - 1].k == T_ID) {
				*param = t[j + 1].k == T_ID ? t[j + 1].s : NULL;
				return t[j - 1].s;
			}
			if (j >= 1 && t[j - 1].k == T_ID && j >= 2 && is(&t[j - 2], T_ID, "function")) {
				*param = t[j + 1].k == T_ID ? t[j + 1].s : NULL;
				return t[j - 1].s;
			}
		}
	}
	return NULL;
}

json_t *adt_script_calls(const char *page_url, const char *src)
{
	json_t *out = json_array();
	size_t n = 0;
	token *t = tokenize(src, &n);
	if (!t)
		return out;
	for (size_t i = 0; i + 2 < n; i++) {
		size_t arg;
		if ((is(&t[i], T_ID, "fetch") || is(&t[i], T_ID, "getJSON")) && is(&t[i + 1], T_PUNCT, "("))
			arg = i + 2;
		else if (is(&t[i], T_ID, "open") && i && is(&t[i - 1], T_PUNCT, ".") && is(&t[i + 1], T_PUNCT, "(") &&
			 t[i + 2].k == T_STR && is(&t[i + 3], T_PUNCT, ","))
			arg = i + 4; /* xhr.open('GET', url) */
		else
			continue;
		size_t end;
		char *var = NULL;
		char *rel = concat(t, n, arg, &end, &var);
		if (!rel) {
			free(var);
			continue;
		}
		/* headers: { 'Name': expr, ... } in the next argument */
		char *hdrs[9] = {0};
		size_t nh = 0;
		if (is(&t[end], T_PUNCT, ",")) {
			for (size_t j = end + 1; j + 3 < n && nh < 8 && !is(&t[j], T_PUNCT, ")"); j++) {
				if (!is(&t[j], T_ID, "headers") || !is(&t[j + 1], T_PUNCT, ":") || !is(&t[j + 2], T_PUNCT, "{"))
					continue;
				for (size_t k = j + 3; k + 2 < n && nh < 8 && !is(&t[k], T_PUNCT, "}");) {
					if ((t[k].k == T_STR || t[k].k == T_ID) && is(&t[k + 1], T_PUNCT, ":")) {
						size_t e2;
						char *v = concat(t, n, k + 2, &e2, NULL);
						if (v && !strchr(v, '{')) {
							size_t len = strlen(t[k].s) + strlen(v) + 3;
							if ((hdrs[nh] = malloc(len)))
								snprintf(hdrs[nh++], len, "%s: %s", t[k].s, v);
						}
						free(v);
						k = e2;
					} else {
						k++;
					}
				}
				break;
			}
		}
		/* the placeholder's values: literal arguments of the enclosing function's calls */
		json_t *values = json_array();
		const char *param = NULL;
		const char *fn = var ? enclosing(t, i, &param) : NULL;
		if (fn && param && !strcmp(param, var)) {
			for (size_t j = 0; j + 3 < n; j++)
				if (is(&t[j], T_ID, fn) && is(&t[j + 1], T_PUNCT, "(") &&
				    (t[j + 2].k == T_NUM || t[j + 2].k == T_STR) && is(&t[j + 3], T_PUNCT, ")") &&
				    !(j && is(&t[j - 1], T_ID, "function")))
					json_array_append_new(values, json_string(t[j + 2].s));
		}
		/* resolve the literal part; the placeholder stays as it is */
		char *brace = strchr(rel, '{');
		if (brace == rel) { /* no literal at all: a variable we cannot read */
			free(rel);
			free(var);
			json_decref(values);
			for (size_t h = 0; h < nh; h++)
				free(hdrs[h]);
			continue;
		}
		char *tail = brace ? strdup(brace) : NULL;
		if (brace)
			*brace = 0;
		char *abs = adt_url_resolve(page_url, rel);
		if (abs && tail) {
			size_t len = strlen(abs) + strlen(tail) + 1;
			char *full = malloc(len);
			if (full)
				snprintf(full, len, "%s%s", abs, tail);
			free(abs);
			abs = full;
		}
		free(tail);
		char origin_a[512], origin_p[512];
		if (abs && !adt_url_origin(abs, origin_a, sizeof origin_a) &&
		    !adt_url_origin(page_url, origin_p, sizeof origin_p) && !strcmp(origin_a, origin_p)) {
			json_t *hs = json_array();
			for (size_t h = 0; h < nh; h++)
				json_array_append_new(hs, json_string(hdrs[h]));
			json_array_append_new(out, json_pack("{s:s, s:o, s:O}", "url", abs, "headers", hs, "values", values));
		}
		free(abs);
		json_decref(values);
		for (size_t h = 0; h < nh; h++)
			free(hdrs[h]);
		free(rel);
		free(var);
		i = end > i ? end - 1 : i;
	}
	tokens_free(t, n);
	return out;
}
