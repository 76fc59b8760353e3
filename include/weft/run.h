/*
 * weft/run.h -- reading what runs left in a store: the list of runs, a
 * finished run's record (runs/ID/record.json), the header of a killed
 * run's journal, and the live view of a run that is going on now
 * (runs/ID/live.json).
 *
 * This is the only code that knows those files' fields: the CLI, `weft
 * gc` and embedders read runs through it, and the writers (record.c,
 * livestatus.c, the journal in sched.c) sit beside it in engine/. A new
 * record field is added here and there, nowhere else.
 *
 * Ownership: every string, array and value reachable from an info struct
 * is borrowed from its handle and lives until that handle is freed.
 * Handles are not shared between threads.
 */
#ifndef WEFT_RUN_H
#define WEFT_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "weft/weft.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The ids of the runs under STORE/runs, newest first (ids begin with a
 * timestamp). `*ids` and each id are owned by the caller: free them with
 * weft_runs_free. No runs directory is no runs, not an error. */
WEFT_EXTERN int weft_runs_list(char ***ids, size_t *n, const char *store_dir);
WEFT_EXTERN void weft_runs_free(char **ids, size_t n);
/* Whether run `id` has its record: it finished. A run without one was
 * killed and can still be resumed. */
WEFT_EXTERN int weft_run_has_record(const char *store_dir, const char *id);

/* The newest run, or with `unfinished_only` the newest whose record does
 * not say "ok" (what `weft resume` continues). `*out_id` is the caller's.
 * WEFT_ENOTFOUND when there is none. */
WEFT_EXTERN int weft_runs_latest(char **out_id, const char *store_dir, int unfinished_only);

/* ------------------------------------------------------------ records */

typedef struct weft_run weft_run; /* opaque: one run's record or journal header */

typedef struct weft_run_device {
	const char *id;
	double busy_s;      /* held by a node, over the run so far */
	double utilisation; /* busy_s / the run's wall time */
	const char *node;   /* the node holding it now (live view), or NULL */
} weft_run_device;

typedef struct weft_run_pool {
	const char *name; /* "cpus", "mem", "gpu", ... */
	int64_t capacity, used;
	const weft_run_device *devices; /* NULL for a pool without devices */
	size_t n_devices;
} weft_run_pool;

typedef struct weft_run_git_file {
	const char *path, *kind, *blob; /* kind: "script", "read", ... */
} weft_run_git_file;

typedef struct weft_run_git {
	int present; /* 0: the run was not in a git repository */
	const char *commit, *branch, *rev; /* each may be NULL */
	int dirty;                         /* the work tree had changes */
	const char *dirty_diff_hash;       /* of the changes the run read */
	const char *const *dirty_read;     /* files read with uncommitted changes */
	size_t n_dirty_read;
	const weft_run_git_file *files;
	size_t n_files;
} weft_run_git;

typedef struct weft_run_counts {
	size_t total, executed, cached, resumed, failed, skipped;
} weft_run_counts;

/* What a node's (or a run's) LLM calls came to. */
typedef struct weft_run_llm {
	unsigned calls;       /* answers asked for and not found in the store */
	unsigned cache_hits;  /* answers taken from the store */
	unsigned requests;    /* HTTP requests, re-asks and retries included */
	unsigned unavailable; /* asked with no endpoint: the op used its rule */
	unsigned failed;      /* the endpoint failed: the op used its rule */
	uint64_t prompt_tokens, completion_tokens;
	double seconds;
} weft_run_llm;

typedef struct weft_run_info {
	const char *id;
	const char *status;   /* "ok", "failed", "interrupted" (a journal only) */
	const char *pipeline; /* the script as the run named it; "" unknown */
	int has_record;       /* 0: read from the journal header (killed run) */
	double finished, wall_seconds;
	weft_run_counts counts;
	size_t segments, segments_executed; /* the run and its resumes */
	const weft_value *params;           /* map; never NULL */
	weft_run_git git;
	const weft_run_pool *pools; /* with each device's utilisation */
	size_t n_pools;
	weft_run_llm llm; /* the nodes' LLM calls, summed */
	const char *executor; /* "local" or "slurm": where nodes ran by default */
	/* The params given (-p, --params) rather than defaulted; NULL in
	 * records from before 2026-12 (then all of `params` count as given). */
	const weft_value *params_given;
	/* What the run was asked to compute: its targets (`weft run p.lua
	 * NODE...`, --until), the nodes it forced (--force=NODE) and whether
	 * it forced all (--force). A resume asks the same. Empty in journals
	 * from before 2026-12. */
	const char *const *targets;
	size_t n_targets;
	const char *const *force_nodes;
	size_t n_force_nodes;
	int force;
	/* The run's output directory (weft_engine_out_dir), or NULL when the
	 * run predates its recording. */
	const char *out_dir;
} weft_run_info;

typedef struct weft_run_node {
	const char *name, *kind, *status; /* kind: "op" or "dynamic" */
	const char *op, *op_version;      /* NULL for a dynamic node */
	const char *cache;                /* "hit", "miss" or NULL */
	const char *key, *error, *reason, *log, *parent, *source; /* may be NULL */
	double elapsed, started, timeout;
	unsigned attempts;
	int executed, timed_out;
	long worker_pid, peak_rss_kb; /* 0: ran in-process */
	const weft_value *params, *outputs, *inputs, *requests; /* may be NULL */
	const char *const *devices;
	size_t n_devices;
	weft_run_llm llm;
	/* On a cluster: its job, the compute node, the job's last state, and
	 * the seconds it waited in the queue. NULL / 0 for a local node. */
	const char *job_id, *job_host, *job_state;
	double queue_wait;
	/* The nodes it depends on, by name (records from before 2026-12 have
	 * none). */
	const char *const *deps;
	size_t n_deps;
} weft_run_node;

/* Opens run `id`'s record. Without one, fails with a message that says
 * why and what to do: killed (resume it), damaged (the journal still
 * lists what finished) or gone. WEFT_ENOTFOUND or WEFT_EINVALID. */
WEFT_EXTERN int weft_run_open(weft_run **out, const char *store_dir, const char *id);
/* Opens what run `id`'s journal says of itself (pipeline, params, git),
 * for resuming a run that has no record; nodes are not read. */
WEFT_EXTERN int weft_run_open_journal(weft_run **out, const char *store_dir, const char *id);
WEFT_EXTERN void weft_run_free(weft_run *r);

WEFT_EXTERN const weft_run_info *weft_run_get_info(const weft_run *r);
WEFT_EXTERN size_t weft_run_node_count(const weft_run *r);
/* Nodes in the order the graph made them. */
WEFT_EXTERN const weft_run_node *weft_run_node_at(const weft_run *r, size_t i);
/* The record as written (JSON text, NUL-terminated), for `weft show --json`. */
WEFT_EXTERN const char *weft_run_text(const weft_run *r, size_t *len);

/* ---------------------------------------------------------- live view */

typedef struct weft_run_live weft_run_live; /* opaque: one snapshot */

typedef struct weft_run_live_node {
	const char *node, *op, *devices; /* devices: "gpu:0,gpu:1" or "" */
	long worker_pid;                 /* 0: see `where` */
	const char *where;               /* "worker", "starting", "in-process" */
	double elapsed, timeout;         /* timeout 0: none */
	unsigned attempt;
	int cancelling;
	double progress;          /* what the op last reported, 0..1, or -1: nothing */
	const char *progress_msg; /* with it, or "" */
	/* On a cluster: the job id ("" before sbatch answered) and its state
	 * as last seen ("PENDING", "RUNNING", ...). NULL for a local node. */
	const char *job_id, *job_state;
} weft_run_live_node;

typedef struct weft_run_retry {
	const char *node;
	double retry_in;
	unsigned attempt;
} weft_run_retry;

typedef struct weft_run_live_info {
	const char *id, *pipeline, *state; /* state: "running", "interrupted, draining" */
	long pid;
	double started, now;
	size_t total, finished, executed, cached, failed, running, retries;
	const weft_run_live_node *nodes; /* the running ones */
	size_t n_nodes;
	size_t waiting_for_resources, waiting_for_inputs;
	const char *const *next; /* the first nodes in the queue, highest priority first */
	size_t n_next;
	const weft_run_retry *retrying;
	size_t n_retrying;
	const weft_run_pool *pools;
	size_t n_pools;
} weft_run_live_info;

/* The snapshot of run `id` if the process writing it is alive;
 * WEFT_ENOTFOUND when the run is not going on (finished, or killed before
 * it could remove its snapshot). */
WEFT_EXTERN int weft_run_live_open(weft_run_live **out, const char *store_dir, const char *id);
/* The text of run `id`'s live.json as its run last wrote it whole (the
 * caller frees it), whether or not that run is still alive;
 * WEFT_ENOTFOUND when there is none. */
WEFT_EXTERN int weft_run_live_text(char **text, size_t *len, const char *store_dir, const char *id);
WEFT_EXTERN const weft_run_live_info *weft_run_live_get(const weft_run_live *l);
WEFT_EXTERN void weft_run_live_free(weft_run_live *l);

#ifdef __cplusplus
}
#endif
#endif
