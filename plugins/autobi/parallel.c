/*
 * parallel.c -- see parallel.h.
 */
#include "parallel.h"

#include <pthread.h>

enum { MAX_THREADS = 64 };

void abi_parallel(unsigned threads, void *(*fn)(void *), void *arg)
{
	pthread_t tid[MAX_THREADS];
	unsigned started = 0;
	for (; started + 1 < threads && started < MAX_THREADS; started++)
		if (pthread_create(&tid[started], NULL, fn, arg) != 0)
			break;
	fn(arg);
	for (unsigned t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
}
