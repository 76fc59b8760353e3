/*
 * sched_state.h -- the state of one run, shared by the scheduler's files:
 *   sched.c       the loop: readiness, keys, cache, dynamic nodes, closing;
 *   sched_plan.c  binding resource requests to pools, priorities;
 *   sched_exec.c  running ops in-process or in workers, timeouts, retries;
 *   livestatus.c  runs/ID/live.json for `weft status`, utilisation.
 *
 * Everything here is touched on the loop thread only, except `cancel`
 * flags, which ops read atomically from their own threads.
 *
 *   sched_move.c  state changes and what they entail (the bottom);
 *   sched_cache.c keys and action-cache lookups.
 * sched.c calls down into the others; none of them calls sched.c.
 *
 * A node's state changes only through sched_move, against the table in
 * nodestate.c: PENDING -> READY (in the `ready` FIFO) -> key and cache
 * lookup -> CACHED, or RUNNABLE in `runq` -> resources taken -> RUNNING ->
 * DONE / FAILED, or RETRY_WAIT in `delayed` and back to RUNNABLE, or back
 * to PENDING when cancelled by an interrupt.
 */
#ifndef WEFT_SCHED_H
#define WEFT_SCHED_H

#include <jansson.h>
#include <pthread.h>
#include <uv.h>

#include "acpack.h"
#include "context.h"
#include "journal.h"
#include "keyset.h"
#include "pool.h"
#include "readyq.h"
#include "resources.h"
#include "util.h"

typedef struct idlist {
	uint32_t *ids;
	size_t n, cap;
} idlist;

typedef struct run_state {
	weft_engine *eng;
	const sched_events *events; /* what executors call back (executor.h) */
	const weft_run_options *opts; /* points at opts_copy */
	weft_run_options opts_copy;
	uv_loop_t loop;
	uv_timer_t tick;
	uv_check_t commit;
	uint32_t *ready; /* deps done, key not yet computed: FIFO */
	size_t head, tail, cap;
	readyq runq;     /* cache misses waiting for resources */
	idlist running;  /* op nodes holding resources */
	idlist delayed;  /* failed attempts waiting for their retry time */
	idlist dupwait;  /* keys another process is computing (NS_DUP_WAIT) */
	idlist deferred; /* scratch for sched_launch_runnable */
	idlist dyn_done; /* dynamic nodes whose children are done (sched_move) */
	idlist inline_done; /* WEFT_OP_INLINE ops that ran on the loop thread, to finish */
	uint32_t evaluating; /* dynamic node whose script runs now, or UINT32_MAX */
	double eval_start;   /* when it started, for `weft status` */
	int jobs;        /* capacity of the cpus pool */
	char run_id[64];
	char *run_dir, *log_dir, *tmp_dir, *live_path;
	int live_fd; /* live.json, rewritten in place (livestatus.c); -1: not open */
	weft_journal *journal;
	int store_lock;          /* shared: gc waits while the run lives (storelock.h) */
	int inflight_fd;         /* <store>/inflight.lock, opened at the first key computed; -1 */
	weft_acpack *ac;         /* the action cache's packs: this run's and the store's (acpack.h) */
	double last_sync;        /* of the journal (journal_commit) */
	size_t lines_since_sync;
	weft_buf jline;          /* sched_journal's line, reused */
	keyset finished; /* keys finished by earlier attempts (resume) */
	size_t earlier_segments, earlier_executed; /* of this run, before this resume */
	json_t *prev;    /* previous record's nodes by name, for reasons */
	int prev_loaded; /* prev is read at the first miss (load_prev) */
	int prio_done;   /* plan_priorities ran (ensure_priorities) */
	size_t total, executed, cached, resumed, failed, skipped, would_run, expanded, retried;
	int stop;        /* fail-fast or interrupt: start nothing new */
	int interrupted;
	int closing;
	int finalizing;  /* the loop is over: moves only count (sched_move) */
	int io_error;
	weft_resources *res; /* the run's own copy of the pools */
	int cpus_pool;
	int isolation;
	double grace;
	double default_weight; /* of nodes with no earlier timing */
	weft_pool *pool; /* worker processes, started on first use */
	struct weft_slurm *slurm; /* the Slurm executor, when a node runs there */
	const struct sched_executor *cluster; /* its interface, for exec_launch */
	int slurm_pool;  /* the pool of Slurm queue slots, or -1 */
	int loop_live;   /* the loop runs: executors made now start at once */
	double t0, last_live;
	int live_dirty;  /* something started or finished since live.json was written */
	/* Guards node_run.progress and progress_msg: in-process ops report
	 * from the thread pool, everything else reads on the loop thread. */
	pthread_mutex_t progress_lock;
	struct sched_prefetch *prefetch; /* NULL: keys are made one by one (-j1) */
	struct weft_childwatch *cw; /* split ops' children, made at the first (childwatch.h) */
} run_state;

/* sched.c */
/* Whether the best runnable node would start before any user of node `id`
 * that `id`'s end makes ready: then the slot `id`'s command held may go to
 * it at once, before `id`'s outputs are stored (sched_exec.c). */
int sched_refill_first(run_state *rs, uint32_t id);
/* Starts runnable nodes, best priority first, while their requests fit. */
void sched_launch_runnable(run_state *rs);

/* sched_move.c */
void sched_emit(run_state *rs, int kind, node *n, const char *msg);
/* What node `id`'s op reported through api->progress (NULL message:
 * nothing yet); callable from any thread. */
void sched_progress_set(run_state *rs, uint32_t id, double fraction, const char *message);
/* 1 with the fraction and a copy of the message (the caller frees it), 0
 * when the op has reported nothing. */
int sched_progress_get(run_state *rs, uint32_t id, double *fraction, char **message);
void sched_journal(run_state *rs, const char *ev, node *n);
/* The one way a node's state changes: checks the move against the table
 * (nodestate.h), then keeps counters, journal and events in step; on a
 * terminal state it releases the node's users. `msg` goes with the event
 * (a retry's reason). An illegal move is refused and stops the run. */
int sched_move(run_state *rs, uint32_t id, node_state to, const char *msg);
/* Sets the node's error (taking `msg`) and moves it to `to`. */
void sched_fail(run_state *rs, uint32_t id, node_state to, char *msg);
/* Moves a node whose deps are all done to READY, at the FIFO's tail. */
int sched_push_ready(run_state *rs, uint32_t id);
/* How many of n's deps have not reached a terminal state. */
uint32_t sched_count_pending(weft_engine *eng, node *n);
char *sched_log_file(run_state *rs, const char *name);
int idlist_add(idlist *l, uint32_t id);
void idlist_remove(idlist *l, uint32_t id);

/* sched_cache.c */
/* The value node `t` exposes as output `out` (NULL = primary); `err`
 * (when not NULL) gets the reason there is none. */
int sched_output_of(const weft_value **res, const weft_engine *eng, node *t, const char *out, char **err);
/* The same from a node's kind, name, op descriptor and outputs map. */
int sched_output_in(const weft_value **res, int kind, const char *name, const weft_op_desc *desc,
		    const weft_value *outputs, const char *out, char **err);
/* What ref `ref` stands for: `*res` (borrowed), or an error code and a
 * message in `*err`. */
typedef int sched_result_fn(void *ctx, const weft_value *ref, const weft_value **res, char **err);
/* Copies template `v` with every ref replaced by what `result` says. */
int sched_resolve_with(weft_value **out, const weft_value *v, sched_result_fn *result, void *ctx, char **err);
/* Copies template `v` with every ref replaced by the referenced output
 * (`err` gets a message the caller frees). Returns WEFT_ECANCELLED when an
 * upstream node has no result. Reads the graph and finished nodes only:
 * safe on several threads while no node's state changes. */
int sched_resolve(weft_value **out, const weft_engine *eng, const weft_value *v, char **err);
/* The LLM settings of an op that asks one (the run's, the node's over
 * them) into its node_run, before its key is made. */
int sched_llm_config(run_state *rs, node *n);
/* The node's key from its op, params and resolved inputs (and, for an op
 * that asks an LLM, the model). */
int sched_key(weft_engine *eng, node *n, node_run *nr);
/* Whether sched_key of op node `n` reads shared state only, and so may run
 * on several threads at once: its op's part is hashed already (one key of
 * that op was made), and it asks no LLM and runs no Python. */
int sched_key_is_local(const weft_engine *eng, const node *n);
/* The kept hasher holding op node `n`'s op part, made now if need be (on
 * the thread that owns the engine): WEFT_EINVALID when its key is not
 * local (an op that asks an LLM or runs Python, or one outside the
 * engine's table). */
int sched_key_prefix(const struct weft_hasher **out, weft_engine *eng, const node *n);
/* A local key (see sched_key_prefix) from the kept prefix, the node's
 * params and its resolved inputs; reads nothing else, so any thread may. */
int sched_key_local(char out[65], const struct weft_hasher *prefix, const node *n, const weft_value *resolved);
/* WEFT_OK when every artifact in `outs` is in the store and intact (as the
 * lookup checks them); thread-safe. */
int sched_verify_outputs(weft_store *st, const weft_value *outs);
/* 1 and the node's outputs set when the cache holds its key with every
 * artifact intact; 0 otherwise (a damaged entry is dropped). */
int sched_cache_lookup(run_state *rs, node *n);
/* A hash per resolved input, for the record, the reasons and the entry. */
void sched_note_input_hashes(node_run *nr);
/* A node that waited for another process computing its key: takes the
 * result from the cache if it is there now, else queues the node to run. */
void sched_recheck(run_state *rs, uint32_t id);

/* sched_prefetch.c */
/* What was made ahead for a ready node (node_run.prefetched). */
enum { PF_SEEN = 1, PF_KEYED = 2, PF_HIT = 3 };
/* Starts the helper thread when the run has 2 or more CPU slots. */
int sched_prefetch_start(run_state *rs);
void sched_prefetch_free(run_state *rs);
/* When the FIFO's head was not looked at: resolved inputs and keys (PF_KEYED),
 * then verified cache hits with their outputs set (PF_HIT), for the next
 * ready nodes, on two threads. Moves no node. */
void sched_prefetch_window(run_state *rs);
/* Forgets what was made ahead for a node that will not start. */
void sched_prefetch_forget(run_state *rs, uint32_t id);

/* sched_plan.c */
/* Binds every node's requests to the run's pools; a request no pool can
 * ever satisfy is an error naming the node (the run does not start). */
int plan_bind_all(run_state *rs);
/* The same for one node added while running; fails the node instead. */
int plan_bind(run_state *rs, node *n, char **err);
/* Longest-remaining-path priorities for every node. */
int plan_priorities(run_state *rs);

/* sched_exec.c */
/* Starts a runnable node whose resources are taken, through its executor. */
void exec_launch(run_state *rs, uint32_t id);
/* The run message of node `id` for a worker (worker.c's protocol) or a
 * cluster job; `local_devices`: its environment names the device ids it
 * holds here (a cluster job gets its devices from the cluster). */
json_t *exec_job_message(run_state *rs, uint32_t id, int local_devices);
/* For executors: the node's op is starting now (RUNNING, attempt counted,
 * journaled). Call once per attempt, before its end can arrive. */
void exec_started(run_state *rs, uint32_t id);
/* For executors, on the loop thread: the attempt ended with `outputs`
 * (taken; NULL on failure) or `error`; `cancelled` when it stopped because
 * it was asked to. Caches, retries, or fails the node, and gives back its
 * resources. */
void exec_finished(run_state *rs, uint32_t id, weft_value *outputs, const char *error, int cancelled);
/* Finishes the WEFT_OP_INLINE ops that ran during sched_launch_runnable; 1 if
 * there were any (their users may be ready now). */
int exec_finish_inline(run_state *rs);
/* Timeouts, kills after the grace period, retries that are due. */
void exec_tick(run_state *rs, double now);
/* Only the timeouts and kills: what may run while a dynamic node's script
 * holds the loop (it moves no node's state). */
void exec_watch(run_state *rs, double now);

/* Ctrl-C: asks every running op to stop. */
void exec_interrupt(run_state *rs);
/* The three above that executors call, as rs->events hands them on. */
extern const sched_events exec_events;

/* livestatus.c */
/* Rewrites runs/ID/live.json (atomically) with what runs now. */
void live_write(run_state *rs, double now);
/* The pools with their use and per-device utilisation, for the record. */
json_t *live_pools_json(run_state *rs, double now);

#endif
