/*
 * pool.h -- worker processes (`weft worker`) driven from a libuv loop.
 */
#ifndef WEFT_POOL_H
#define WEFT_POOL_H

#include <jansson.h>
#include <uv.h>

#include "llm.h"
#include "weft/weft.h"

typedef struct weft_pool weft_pool;

typedef struct weft_pool_result {
	int ok, cancelled, crashed;
	weft_value *outputs; /* borrowed during the callback; copy to keep */
	const char *error;   /* borrowed during the callback */
	long rss_kb;         /* the op's peak RSS, or 0 */
	int pid;             /* the worker that ran it */
	weft_llm_stats llm;  /* what the op's LLM calls came to */
	int used_ckpt;       /* the op saved or looked for checkpoints */
} weft_pool_result;

typedef void (*weft_pool_done_fn)(void *payload, const weft_pool_result *r);

/* At most `max` workers, each `exe worker --store store`. */
int weft_pool_new(weft_pool **out, uv_loop_t *loop, const char *exe, const char *store, int max,
		  weft_pool_done_fn done);
/* Progress a worker's op reported for `payload`'s job, on the loop thread. */
typedef void (*weft_pool_progress_fn)(void *payload, double fraction, const char *message);
void weft_pool_on_progress(weft_pool *p, weft_pool_progress_fn fn);
/* Sends `job` (a run message without t/seq; taken over) to an idle or new
 * worker; `done(payload, ...)` follows exactly once on the loop thread. */
int weft_pool_submit(weft_pool *p, json_t *job, void *payload);
/* Asks the worker running `payload`'s job to cancel it cooperatively. */
int weft_pool_cancel(weft_pool *p, void *payload);
/* Kills the worker running `payload`'s job (its done reports a crash). */
int weft_pool_kill(weft_pool *p, void *payload);
/* The pid of the worker running `payload`'s job, or 0. */
int weft_pool_job_pid(const weft_pool *p, const void *payload);
/* Lets idle workers exit; the loop ends once every worker is gone. */
void weft_pool_close(weft_pool *p);
/* After the loop has finished. */
void weft_pool_free(weft_pool *p);

#endif
