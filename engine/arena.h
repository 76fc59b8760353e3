/*
 * arena.h -- a bump allocator for data that lives exactly as long as its
 * owner (plugin descriptors read from the op index, graph definitions):
 * many small allocations, one free. Blocks are never moved, so pointers into
 * an arena stay valid until weft_arena_free.
 */
#ifndef WEFT_ARENA_H
#define WEFT_ARENA_H

#include <stddef.h>

typedef struct weft_arena_block weft_arena_block;

typedef struct weft_arena {
	weft_arena_block *head; /* newest block first */
	size_t used, size;      /* of the head block's payload */
} weft_arena;

/* `n` zeroed bytes aligned for any scalar, or NULL when out of memory. */
void *weft_arena_alloc(weft_arena *a, size_t n);
/* A copy of `s` (NULL stays NULL; *ok is cleared when out of memory). */
char *weft_arena_strdup(weft_arena *a, const char *s, int *ok);
char *weft_arena_strndup(weft_arena *a, const char *s, size_t n);
/* Frees every block; the arena is empty and reusable afterwards. */
void weft_arena_free(weft_arena *a);

#endif
