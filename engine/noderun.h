/*
 * noderun.h -- what one run makes of each node, by node id.
 */
#ifndef WEFT_NODERUN_H
#define WEFT_NODERUN_H

#include <stdint.h>

#include "llm.h"
#include "weft/weft.h"

struct res_ask;
struct sched_executor;

/*
 * What one run makes of a node, by node id (weft_node_run). Kept after the
 * run, for the caller's questions (status, outputs, reasons), until the next
 * run starts afresh or the engine is freed. Stored in blocks that never
 * move, so a pointer to one stays valid while dynamic nodes add more.
 */
typedef struct node_run {
	uint8_t state;      /* node_state (nodestate.h); written by sched_move only */
	uint8_t held;       /* 1: asks are taken from the pools; 2: given back when its
			     * command exited, before its end is recorded (sched_exec.c) */
	uint8_t timed_out, killed;
	uint8_t used_ckpt;  /* its op saved or looked for checkpoints */
	uint8_t cluster;    /* bound to the run's cluster executor (plan_bind) */
	uint8_t unneeded;   /* no target of the run depends on it: it stays pending */
	uint8_t forced;     /* run even if cached (--force=NODE) */
	uint8_t no_log;     /* ran once, in process, and made no log: the record stats none */
	uint8_t prefetched; /* sched_prefetch.c's PF_*: its key or lookup was made ahead */
	uint32_t pending;   /* unfinished deps */
	uint32_t attempt;
	struct res_ask *asks; /* all requests bound to the run's pools */
	uint16_t n_asks;
	const struct sched_executor *exec; /* that runs its current attempt */
	void *job;          /* the executor's handle while running */
	int inflight;       /* 1 while this run holds the key's in-flight lock */
	double prio;        /* longest remaining path; see readyq.h */
	double cancel_at;   /* when cancellation was asked (timeout, Ctrl-C) */
	double retry_at;
	double t_start, elapsed;
	double computed;    /* seconds its result took to compute: elapsed, or the cache entry's */
	char *devices;      /* "gpu:0,gpu:1" while and after running */
	char key[65];
	weft_value *outputs; /* map name -> value */
	weft_value *resolved_inputs;
	weft_value *input_hashes; /* input name -> value hash, for records */
	weft_value *dyn_result;   /* template returned by a dynamic node's fn */
	int worker_pid;     /* 0: ran in-process */
	long rss_kb;        /* peak RSS of the op in its worker */
	char *error;
	char *reason;       /* why it ran / would run */
	weft_value *llm_config; /* the run's LLM settings with the node's over them (ops that use an LLM) */
	weft_llm_stats llm; /* what its op's LLM calls came to */
	float progress;     /* what the op last reported, 0..1 */
	char *progress_msg; /* with it ("epoch 3"); NULL: nothing reported yet.
			     * Both under rs->progress_lock while it runs. */
	/* On a cluster: the job that ran its last attempt. */
	char job_id[32];    /* "" when none */
	uint8_t job_state;  /* slurm_state (slurm.h) as last seen */
	char *job_host;     /* the compute node that ran it */
	double queue_wait;  /* seconds between submission and start */
} node_run;

#define WEFT_RUN_BLOCK 1024u
/* The run state of node `id`; NULL when none was made (no run yet). */
node_run *weft_node_run(const weft_engine *eng, uint32_t id);
/* Makes room for nodes [0, n); new entries are zero (pending). */
int weft_node_runs_reserve(weft_engine *eng, uint32_t n);
/* Takes `n` blocks made elsewhere (WEFT_RUN_BLOCK entries each, from
 * calloc; NULL ones are made here) as the entries of nodes [0, n *
 * WEFT_RUN_BLOCK), when the engine has none yet; WEFT_EINVALID (nothing
 * taken) when it has. */
int weft_node_runs_adopt(weft_engine *eng, node_run **blocks, uint32_t n);
/* Frees what each entry owns and zeroes them all: a new run starts. */
void weft_node_runs_reset(weft_engine *eng);
void weft_node_runs_free(weft_engine *eng);

#endif
