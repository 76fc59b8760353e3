/*
 * slurm_run.h -- the Slurm executor's state during a run, shared by its
 * three files:
 *   slurm_jobdir.c  a job's directory in the store: the files weft writes
 *                   (job.json, job.sh, the sbatch line) and reads back;
 *   slurm_queue.c   talking to Slurm: sbatch (throttled, retried),
 *                   squeue/sacct (one query per interval), scancel
 *                   (batched); it only changes jobs' fields;
 *   slurm_exec.c    the executor: launching and adopting, exit files,
 *                   ending jobs, the timer that drives the other two.
 * slurm_exec.c calls the other two; they call neither it nor each other.
 */
#ifndef WEFT_SLURM_RUN_H
#define WEFT_SLURM_RUN_H

#include "sched_state.h"
#include "slurm.h"
#include "slurm_cmd.h"

#define CMD_TIMEOUT 60.0  /* seconds any Slurm command may take */
#define MAX_INFLIGHT_CMDS 4
#define PROBE UINT32_MAX

/* A job's life here: waiting for sbatch (rate, queue slots, the probe),
 * sbatch under way, in Slurm's hands, or refused by sbatch. */
enum { J_QUEUED, J_SUBMITTING, J_SUBMITTED, J_REFUSED };
enum { GATE_WAIT = 0, GATE_OPEN = 1, GATE_FAILED = -1 };

typedef struct sjob {
	uint32_t node; /* PROBE: the store check */
	int phase;
	char id[32];   /* Slurm's job id; "" before sbatch answered */
	char name[96];
	char *dir;
	slurm_argv argv; /* sbatch's */
	slurm_state st;
	double t_submit, t_started, t_gone;
	int cancel_asked, cancel_sent, kill_asked, kill_sent;
	int seen; /* listed by the last status query */
	int tries; /* of sbatch */
	double retry_at;
	double limit; /* Slurm's time limit, seconds; 0: the partition's */
	char *refusal; /* J_REFUSED: sbatch's answer */
} sjob;

/* A job of this run that squeue listed when the run resumed. */
typedef struct listed {
	char id[32];
	char name[96];
	slurm_state st;
} listed;

struct weft_slurm {
	run_state *rs;
	slurm_settings set;
	sched_executor ex;
	uv_timer_t timer;
	int timer_on, closing;
	char *base; /* <store>/slurm/<run> */
	char tag[9]; /* of the run, in job names */
	char uid[16];
	int use_sacct;
	slurm_part *parts;
	size_t n_parts;
	listed *listed;
	size_t n_listed;
	sjob **jobs;
	size_t n_jobs, cap_jobs;
	int gate;
	char *gate_error;
	int cmds;          /* commands under way */
	int polling;       /* a status query is under way */
	double next_poll, interval, next_scan;
	int changed; /* a job's state moved in the last status query */
	double poll_started;
	double tokens, last_refill;
	char *last_poll_error;
};

/* slurm_jobdir.c */
char *sjob_file(const sjob *j, const char *name);
int sjob_has(const sjob *j, const char *name);
/* The file's text, or NULL. */
char *sjob_read(const sjob *j, const char *name);
/* Atomically, with `mode` when not 0. */
int sjob_write(const sjob *j, const char *name, const char *text, int mode);
/* The last `lines` lines of a file as "\n  | line" ("" when none). */
char *sjob_tail(const sjob *j, const char *name, int lines);
sjob *sjob_new(weft_slurm *s, uint32_t id, const char *dir, const char *stem);
void sjob_free(sjob *j);
/* Writes node `n`'s job.json and job.sh into j->dir and makes its sbatch line. */
int sjob_write_node(weft_slurm *s, sjob *j, node *n);
/* The same for the store probe. */
int sjob_write_probe(weft_slurm *s, sjob *j);
const char *slurm_weft_exe(const weft_slurm *s);
void slurm_log(weft_slurm *s, node *n, const char *msg);

/* slurm_queue.c */
/* Submits queued jobs as the rate, the command limit and the probe allow. */
void slurm_submit(weft_slurm *s, double now);
/* Starts the run's status query when jobs are in Slurm's hands. */
void slurm_poll(weft_slurm *s, double now);
/* Sends the cancels and kills asked for, in batches. */
void slurm_flush_cancels(weft_slurm *s);

#endif
