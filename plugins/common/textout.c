/*
 * textout.c -- see textout.h.
 */
#define _GNU_SOURCE
#include "textout.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add(wtext *t, const char *s, size_t k)
{
	if (t->oom)
		return;
	if (t->n + k + 1 > t->cap) {
		size_t cap = (t->cap + k) * 2 + 256;
		char *p = realloc(t->s, cap);
		if (!p) {
			t->oom = 1;
			return;
		}
		t->s = p, t->cap = cap;
	}
	memcpy(t->s + t->n, s, k);
	t->n += k;
	t->s[t->n] = '\0';
}

void wtext_printf(wtext *t, const char *fmt, ...)
{
	if (t->oom)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	int k = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (k < 0) {
		t->oom = 1;
		return;
	}
	add(t, s, (size_t)k);
	free(s);
}

void wtext_cell(wtext *t, const char *s)
{
	for (; s && *s; s++)
		add(t, *s == '|' ? "\\|" : s, *s == '|' ? 2 : 1);
}

char *wtext_take(wtext *t)
{
	char *s = t->oom ? NULL : t->s ? t->s : strdup("");
	if (t->oom)
		free(t->s);
	memset(t, 0, sizeof *t);
	return s;
}

int wop_set_text(weft_op_ctx *ctx, const weft_host_api *api, const char *name, const char *file, const char *text)
{
	char path[4096];
	if (!weft_op_workfile(ctx, api, file, path, sizeof path))
		return WEFT_ERROR;
	FILE *f = fopen(path, "w");
	int bad = !f || fputs(text, f) < 0;
	int e = errno;
	if (f && fclose(f) != 0 && !bad)
		bad = 1, e = errno;
	if (bad)
		return api->fail(ctx, "cannot write %s: %s", path, strerror(e));
	return weft_op_set_file(ctx, api, name, path);
}
