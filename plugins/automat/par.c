/*
 * par.c -- see par.h.
 */
#include "par.h"

#include <pthread.h>

#define MAX_THREADS 64
#define MIN_ROWS 64

typedef struct part {
	am_rows_fn *fn;
	void *ctx;
	size_t lo, hi;
} part;

static void *run_part(void *arg)
{
	part *p = arg;
	p->fn(p->ctx, p->lo, p->hi);
	return NULL;
}

void am_par_rows(unsigned threads, size_t n, am_rows_fn *fn, void *ctx)
{
	size_t t = threads > MAX_THREADS ? MAX_THREADS : threads;
	if (t > n / MIN_ROWS)
		t = n / MIN_ROWS;
	if (t <= 1) {
		fn(ctx, 0, n);
		return;
	}
	part parts[MAX_THREADS];
	pthread_t tid[MAX_THREADS];
	int started[MAX_THREADS] = {0};
	for (size_t i = 0; i < t; i++)
		parts[i] = (part){fn, ctx, n * i / t, n * (i + 1) / t};
	for (size_t i = 1; i < t; i++)
		started[i] = pthread_create(&tid[i], NULL, run_part, &parts[i]) == 0;
	fn(ctx, parts[0].lo, parts[0].hi);
	for (size_t i = 1; i < t; i++) {
		if (started[i])
			pthread_join(tid[i], NULL);
		else
			fn(ctx, parts[i].lo, parts[i].hi); /* no thread: done here, the same way */
	}
}
