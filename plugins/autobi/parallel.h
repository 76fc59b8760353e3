/*
 * parallel.h -- running one worker function on several threads, for the
 * steps that split their work (the pair search, reading profiles).
 */
#ifndef ABI_PARALLEL_H
#define ABI_PARALLEL_H

/* Runs fn(arg) on up to `threads` threads at once, the calling one among
 * them, and returns when all have returned. fn takes its share of the work
 * from a counter in arg, so the work is all done however many threads
 * could be started (at least this one). */
void abi_parallel(unsigned threads, void *(*fn)(void *), void *arg);

#endif
