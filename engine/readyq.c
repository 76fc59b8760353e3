/*
 * readyq.c -- a binary max-heap of (priority, node id).
 */
#include "readyq.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Non-zero if a goes before b: higher priority, then lower id. */
static int before(const readyq_item *a, const readyq_item *b)
{
	return a->prio > b->prio || (a->prio == b->prio && a->id < b->id);
}

int readyq_push(readyq *q, uint32_t id, double prio)
{
	if (q->n == q->cap) {
		size_t ncap = q->cap ? q->cap * 2 : 256;
		readyq_item *p = realloc(q->items, ncap * sizeof *p);
		if (!p)
			return weft_err_set(WEFT_ERROR, "out of memory");
		q->items = p;
		q->cap = ncap;
	}
	size_t i = q->n++;
	readyq_item it = {prio, id};
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!before(&it, &q->items[parent]))
			break;
		q->items[i] = q->items[parent];
		i = parent;
	}
	q->items[i] = it;
	return WEFT_OK;
}

int readyq_peek(const readyq *q, readyq_item *out)
{
	if (!q->n)
		return 0;
	*out = q->items[0];
	return 1;
}

int readyq_pop(readyq *q, readyq_item *out)
{
	if (!q->n)
		return 0;
	*out = q->items[0];
	readyq_item last = q->items[--q->n];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= q->n)
			break;
		if (c + 1 < q->n && before(&q->items[c + 1], &q->items[c]))
			c++;
		if (!before(&q->items[c], &last))
			break;
		q->items[i] = q->items[c];
		i = c;
	}
	if (q->n)
		q->items[i] = last;
	return 1;
}

size_t readyq_top(const readyq *q, uint32_t *out, size_t max)
{
	/* Selection over the heap: the status view asks for a handful of ids,
	 * rarely, so this stays O(n * max) without copying the heap. */
	size_t got = 0;
	readyq_item prev = {0, 0};
	while (got < max) {
		const readyq_item *best = NULL;
		for (size_t i = 0; i < q->n; i++) {
			const readyq_item *it = &q->items[i];
			if (got && !before(&prev, it))
				continue;
			if (!best || before(it, best))
				best = it;
		}
		if (!best)
			break;
		prev = *best;
		out[got++] = best->id;
	}
	return got;
}

void readyq_free(readyq *q)
{
	free(q->items);
	memset(q, 0, sizeof *q);
}
