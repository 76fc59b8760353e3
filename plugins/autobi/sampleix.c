/* sampleix.c -- see sampleix.h. An open-addressing table from hash to the
 * first of its postings; postings are chained by index. */
#include "sampleix.h"

#include <stdlib.h>
#include <string.h>

typedef struct slot {
	uint64_t h;
	uint32_t head; /* UINT32_MAX: empty slot */
} slot;

typedef struct posting {
	uint32_t col, next;
} posting;

struct abi_sampleix {
	slot *slots;
	size_t cap; /* power of two */
	posting *post;
	size_t npost;
	uint32_t *first; /* per table: its first column id */
	size_t ntables, ncols;
	uint32_t *count;   /* per column id, zero between calls */
	uint32_t *touched; /* ids counted by the last call */
	uint32_t *tcount;  /* their counts, in the same order */
};

static size_t slot_of(const abi_sampleix *ix, uint64_t h)
{
	/* the hashes are uniform already: their low bits index the table */
	size_t i = (size_t)(h ^ (h >> 29)) & (ix->cap - 1);
	while (ix->slots[i].head != UINT32_MAX && ix->slots[i].h != h)
		i = (i + 1) & (ix->cap - 1);
	return i;
}

abi_sampleix *abi_sampleix_build(const abi_profile *profs, size_t ntables, size_t sample, int (*want)(uint32_t))
{
	abi_sampleix *ix = calloc(1, sizeof *ix);
	if (!ix)
		return NULL;
	ix->ntables = ntables;
	ix->first = malloc((ntables + 1) * sizeof *ix->first);
	size_t total = 0;
	for (size_t t = 0; ix->first && t < ntables; t++) {
		ix->first[t] = (uint32_t)ix->ncols;
		ix->ncols += profs[t].ncols;
		for (size_t c = 0; c < profs[t].ncols; c++)
			if (want(profs[t].cols[c].type))
				total += profs[t].cols[c].ndistinct < sample ? profs[t].cols[c].ndistinct : sample;
	}
	if (!ix->first || ix->ncols >= UINT32_MAX || total >= UINT32_MAX) {
		abi_sampleix_free(ix);
		return NULL;
	}
	ix->first[ntables] = (uint32_t)ix->ncols;
	ix->cap = 16;
	while (ix->cap < 2 * total)
		ix->cap *= 2;
	ix->slots = malloc(ix->cap * sizeof *ix->slots);
	ix->post = malloc((total ? total : 1) * sizeof *ix->post);
	ix->count = calloc(ix->ncols ? ix->ncols : 1, sizeof *ix->count);
	ix->touched = malloc((ix->ncols ? ix->ncols : 1) * sizeof *ix->touched);
	ix->tcount = malloc((ix->ncols ? ix->ncols : 1) * sizeof *ix->tcount);
	if (!ix->slots || !ix->post || !ix->count || !ix->touched || !ix->tcount) {
		abi_sampleix_free(ix);
		return NULL;
	}
	for (size_t i = 0; i < ix->cap; i++)
		ix->slots[i].head = UINT32_MAX;
	/* Postings go in from the last column to the first, each at its
	 * hash's head, so every chain lists its columns in ascending id. */
	for (size_t t = ntables; t-- > 0;)
		for (size_t c = profs[t].ncols; c-- > 0;) {
			const abi_column *x = &profs[t].cols[c];
			if (!want(x->type))
				continue;
			size_t n = x->ndistinct < sample ? x->ndistinct : sample;
			for (size_t i = 0; i < n; i++) {
				slot *s = &ix->slots[slot_of(ix, x->distinct[i])];
				s->h = x->distinct[i];
				ix->post[ix->npost] = (posting){ix->first[t] + (uint32_t)c, s->head};
				s->head = (uint32_t)ix->npost++;
			}
		}
	return ix;
}

void abi_sampleix_free(abi_sampleix *ix)
{
	if (!ix)
		return;
	free(ix->slots);
	free(ix->post);
	free(ix->first);
	free(ix->count);
	free(ix->touched);
	free(ix->tcount);
	free(ix);
}

static int by_id(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

size_t abi_sampleix_hits(abi_sampleix *ix, const uint64_t *y, size_t ny, const uint32_t **ids, const uint32_t **counts)
{
	size_t nt = 0;
	for (size_t i = 0; i < ny; i++) {
		const slot *s = &ix->slots[slot_of(ix, y[i])];
		for (uint32_t p = s->head; p != UINT32_MAX; p = ix->post[p].next) {
			uint32_t c = ix->post[p].col;
			if (!ix->count[c]++)
				ix->touched[nt++] = c;
		}
	}
	qsort(ix->touched, nt, sizeof *ix->touched, by_id);
	for (size_t i = 0; i < nt; i++) {
		ix->tcount[i] = ix->count[ix->touched[i]];
		ix->count[ix->touched[i]] = 0;
	}
	*ids = ix->touched;
	*counts = ix->tcount;
	return nt;
}

void abi_sampleix_column(const abi_sampleix *ix, uint32_t id, uint32_t *table, uint32_t *col)
{
	/* the last table whose first id is at most id (empty tables share a first) */
	size_t lo = 0, hi = ix->ntables;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (ix->first[mid] <= id)
			lo = mid;
		else
			hi = mid;
	}
	*table = (uint32_t)lo;
	*col = id - ix->first[lo];
}
