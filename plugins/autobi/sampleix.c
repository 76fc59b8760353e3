/* sampleix.c -- see sampleix.h. An open-addressing table from hash to its
 * postings, which lie contiguous and in ascending column id: a common value
 * ("1", "Y") is in thousands of samples, and on a 1,000-table lake the
 * lookups walked 79 million postings, so they are read as one run each
 * instead of as a chain scattered over the postings array. */
#include "sampleix.h"

#include <stdlib.h>
#include <string.h>

typedef struct slot {
	uint64_t h;
	uint32_t at; /* UINT32_MAX: empty slot; else its first posting */
	uint32_t n;  /* its postings */
} slot;

struct abi_sampleix {
	slot *slots;
	size_t cap; /* power of two */
	uint32_t *post; /* column ids, each slot's as one run */
	size_t npost;
	uint32_t *first; /* per table: its first column id */
	size_t ntables, ncols;
	int owner;         /* frees the index; a view frees only its counters */
	uint32_t *count;   /* per column id, zero between calls */
	uint32_t *touched; /* ids counted by the last call */
	uint32_t *tcount;  /* their counts, in the same order */
};

static size_t slot_of(const abi_sampleix *ix, uint64_t h)
{
	/* the hashes are uniform already: their low bits index the table */
	size_t i = (size_t)(h ^ (h >> 29)) & (ix->cap - 1);
	while (ix->slots[i].at != UINT32_MAX && ix->slots[i].h != h)
		i = (i + 1) & (ix->cap - 1);
	return i;
}

abi_sampleix *abi_sampleix_build(const abi_profile *profs, size_t ntables, size_t sample, int (*want)(uint32_t))
{
	abi_sampleix *ix = calloc(1, sizeof *ix);
	if (!ix)
		return NULL;
	ix->owner = 1;
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
		ix->slots[i] = (slot){0, UINT32_MAX, 0};
	/* Two passes: count each hash's postings, then give every slot its
	 * run and fill the runs in ascending column id. */
	for (int fill = 0; fill < 2; fill++) {
		if (fill) {
			uint32_t at = 0;
			for (size_t i = 0; i < ix->cap; i++)
				if (ix->slots[i].at != UINT32_MAX) {
					ix->slots[i].at = at;
					at += ix->slots[i].n;
					ix->slots[i].n = 0;
				}
		}
		for (size_t t = 0; t < ntables; t++)
			for (size_t c = 0; c < profs[t].ncols; c++) {
				const abi_column *x = &profs[t].cols[c];
				if (!want(x->type))
					continue;
				size_t n = x->ndistinct < sample ? x->ndistinct : sample;
				for (size_t i = 0; i < n; i++) {
					slot *s = &ix->slots[slot_of(ix, x->distinct[i])];
					s->h = x->distinct[i];
					if (fill)
						ix->post[s->at + s->n] = ix->first[t] + (uint32_t)c;
					else
						s->at = 0;
					s->n++;
				}
			}
	}
	ix->npost = total;
	return ix;
}

abi_sampleix *abi_sampleix_view(const abi_sampleix *ix)
{
	abi_sampleix *v = malloc(sizeof *v);
	if (!v)
		return NULL;
	*v = *ix;
	v->owner = 0;
	v->count = calloc(ix->ncols ? ix->ncols : 1, sizeof *v->count);
	v->touched = malloc((ix->ncols ? ix->ncols : 1) * sizeof *v->touched);
	v->tcount = malloc((ix->ncols ? ix->ncols : 1) * sizeof *v->tcount);
	if (!v->count || !v->touched || !v->tcount) {
		abi_sampleix_free(v);
		return NULL;
	}
	return v;
}

void abi_sampleix_free(abi_sampleix *ix)
{
	if (!ix)
		return;
	if (ix->owner) {
		free(ix->slots);
		free(ix->post);
		free(ix->first);
	}
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
		if (s->at == UINT32_MAX)
			continue;
		const uint32_t *p = ix->post + s->at;
		for (uint32_t k = 0; k < s->n; k++)
			if (!ix->count[p[k]]++)
				ix->touched[nt++] = p[k];
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
