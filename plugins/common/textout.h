/*
 * textout.h -- the pages the in-tree plugins write for people (summary.md):
 * a growing text buffer with printf, and the op output that stores it.
 */
#ifndef WEFT_PLUGINS_TEXTOUT_H
#define WEFT_PLUGINS_TEXTOUT_H

#include <stddef.h>

#include <weft/ophelp.h>

typedef struct wtext {
	char *s; /* NUL-terminated; NULL until something is added */
	size_t n, cap;
	int oom; /* set once memory ran short: later adds do nothing */
} wtext;

/* Appends printf-formatted text. */
void wtext_printf(wtext *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s with each '|' escaped, for a Markdown table cell. */
void wtext_cell(wtext *t, const char *s);
/* The text (caller frees), or NULL when memory ran short; t is emptied. */
char *wtext_take(wtext *t);

/* Writes `text` to WORKDIR/file and sets it as output `name`. */
int wop_set_text(weft_op_ctx *ctx, const weft_host_api *api, const char *name, const char *file, const char *text);

#endif
