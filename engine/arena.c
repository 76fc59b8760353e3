/*
 * arena.c -- see arena.h. Blocks grow geometrically from 4 KiB to 1 MiB; an
 * allocation larger than a block gets a block of its own.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"

struct weft_arena_block {
	weft_arena_block *next;
	max_align_t data[];
};

#define ARENA_MIN 4096u
#define ARENA_MAX (1u << 20)

void *weft_arena_alloc(weft_arena *a, size_t n)
{
	const size_t align = _Alignof(max_align_t);
	n = (n + align - 1) & ~(align - 1);
	if (!n)
		n = align;
	if (!a->head || a->size - a->used < n) {
		size_t size = a->size ? a->size * 2 : ARENA_MIN;
		if (size > ARENA_MAX)
			size = ARENA_MAX;
		if (size < n)
			size = n;
		weft_arena_block *b = malloc(sizeof *b + size);
		if (!b)
			return NULL;
		b->next = a->head;
		a->head = b;
		a->size = size;
		a->used = 0;
	}
	void *p = (char *)a->head->data + a->used;
	a->used += n;
	memset(p, 0, n);
	return p;
}

char *weft_arena_strndup(weft_arena *a, const char *s, size_t n)
{
	char *p = weft_arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *weft_arena_strdup(weft_arena *a, const char *s, int *ok)
{
	if (!s)
		return NULL;
	char *p = weft_arena_strndup(a, s, strlen(s));
	if (!p)
		*ok = 0;
	return p;
}

void weft_arena_free(weft_arena *a)
{
	weft_arena_block *b = a->head;
	while (b) {
		weft_arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
	a->used = a->size = 0;
}
