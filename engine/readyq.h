/*
 * readyq.h -- the queue of nodes waiting for resources, highest priority
 * first. Priority is the length of the longest path from the node to the
 * end of the graph, so the critical path starts first; ties go to the node
 * defined first in the script, which keeps runs reproducible.
 */
#ifndef WEFT_READYQ_H
#define WEFT_READYQ_H

#include <stddef.h>
#include <stdint.h>

typedef struct readyq_item {
	double prio;
	uint32_t id;
} readyq_item;

typedef struct readyq {
	readyq_item *items;
	size_t n, cap;
} readyq;

int readyq_push(readyq *q, uint32_t id, double prio);
/* The best item without removing it; 0 if the queue is empty. */
int readyq_peek(const readyq *q, readyq_item *out);
int readyq_pop(readyq *q, readyq_item *out);
/* Up to `max` best ids in priority order, without changing the queue. */
size_t readyq_top(const readyq *q, uint32_t *out, size_t max);
void readyq_free(readyq *q);

#endif
