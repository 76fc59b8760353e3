/*
 * slurm.h -- running nodes as Slurm jobs.
 *
 *   slurm_conf.c  the settings (weft.yaml `slurm:`, a node's `slurm = {}`),
 *                 a node's sbatch command line, Slurm's time format, and
 *                 what sinfo, squeue and sacct print: pure functions;
 *   slurm_cmd.c   Slurm's commands run from the event loop, bounded;
 *   slurm_exec.c  the executor: submission, status, exit files, cancel,
 *                 and the jobs an earlier segment of the run left behind.
 *
 * What decides that a job ended is the exit file its wrapper writes into
 * the store (as Nextflow's .exitcode); Slurm is asked only whether a job
 * is still alive, by one query per interval for the whole run.
 */
#ifndef WEFT_SLURM_H
#define WEFT_SLURM_H

#include <stddef.h>
#include <stdint.h>

#include "weft/weft.h"

enum { SLURM_STATUS_AUTO = 0, SLURM_STATUS_SQUEUE = 1, SLURM_STATUS_SACCT = 2 };

/* weft.yaml's `slurm:` map, parsed, with defaults. */
typedef struct slurm_settings {
	char *partition, *account, *qos;
	double time;          /* default time limit (seconds); 0: the partition's */
	char **flags;         /* further sbatch flags, as given */
	size_t n_flags;
	int gpu_gpus;         /* 1: --gpus=N; 0: --gres=gpu:N */
	char *npu_gres;       /* the GRES name of NPUs ("npu") */
	char **gres_pools;    /* named pools that are GRES (the others are licenses) */
	size_t n_gres_pools;
	uint32_t queue_size;  /* jobs of the run in the queue at once */
	double submit_rate;   /* sbatch calls per second */
	double poll, poll_max; /* status query interval, backing off to poll_max */
	double exit_grace;    /* wait for an exit file after the job left the queue */
	double signal_before; /* USR2 this long before the time limit */
	int status;           /* SLURM_STATUS_* */
	int check_store;      /* a probe job writes to the store first */
	char *weft;           /* the weft program as compute nodes see it; NULL: this one */
} slurm_settings;

/* Parses `map` (NULL: defaults) into `out`; an unknown key or a wrong value
 * is an error naming `where` and the key. */
int slurm_settings_parse(slurm_settings *out, const weft_value *map, const char *where);
void slurm_settings_free(slurm_settings *s);

/* Checks a node's `slurm = {partition, time, account, qos, flags}`. */
int slurm_node_check(const weft_value *map, const char *where);

/* "2h", "90m", 7200 (seconds), or Slurm's own forms ("120" minutes,
 * "2:00:00", "1-12", "1-12:30:00") into seconds; "infinite" / "UNLIMITED"
 * give -1. */
int slurm_parse_time(double *out, const weft_value *v);
int slurm_parse_time_str(double *out, const char *s);
/* Seconds into "D-HH:MM:SS" rounded up to whole minutes (Slurm's unit). */
void slurm_format_time(char out[32], double seconds);

/* What a node asks of the cluster. */
typedef struct slurm_request {
	uint64_t cpus;
	uint64_t mem;         /* bytes; 0: the partition's default */
	double time;          /* seconds; 0: the settings' default */
	const char *const *pools; /* gpu, npu and named pools, with amounts */
	const uint64_t *amounts;
	size_t n_pools;
	const weft_value *node; /* the node's `slurm` map, or NULL */
} slurm_request;

/* A list of strings (an argv), NULL-terminated. */
typedef struct slurm_argv {
	char **v;
	size_t n, cap;
} slurm_argv;
int slurm_argv_add(slurm_argv *a, const char *s);
int slurm_argv_addf(slurm_argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void slurm_argv_free(slurm_argv *a);

/* The sbatch command line of one job: `sbatch --parsable ... script`.
 * The effective time limit (seconds, 0: none given) goes to *limit. */
int slurm_sbatch_argv(slurm_argv *out, const slurm_settings *s, const slurm_request *r, const char *job_name,
		      const char *out_file, const char *script, double *limit);

/* Slurm's job states, from squeue's short codes or sacct's names. */
typedef enum slurm_state {
	SJ_UNKNOWN = 0,
	SJ_PENDING,
	SJ_RUNNING,
	SJ_COMPLETING,
	SJ_SUSPENDED,
	/* ended */
	SJ_COMPLETED,
	SJ_FAILED,
	SJ_TIMEOUT,
	SJ_CANCELLED,
	SJ_NODE_FAIL,
	SJ_PREEMPTED,
	SJ_OUT_OF_MEMORY,
	SJ_BOOT_FAIL,
	SJ_DEADLINE,
	SJ_GONE, /* no longer listed */
} slurm_state;
slurm_state slurm_state_parse(const char *s);
int slurm_state_ended(slurm_state s);
const char *slurm_state_name(slurm_state s);
/* A sentence for a job that ended in `s` without an exit file. */
const char *slurm_state_story(slurm_state s);

/* Calls `fn` for each "ID STATE" line of squeue (-o '%i %t') or "ID|STATE"
 * line of sacct (-P -o JobIDRaw,State); lines it cannot read are skipped. */
void slurm_parse_status(const char *text, void (*fn)(void *arg, const char *id, slurm_state st), void *arg);

/* One line of `sinfo -h -o '%P|%c|%m|%G|%l|%a'`: a partition's node group. */
typedef struct slurm_part {
	char name[64];
	int is_default;
	uint64_t cpus, mem_mb;
	uint64_t gpus;   /* GRES gpu per node */
	char gres[256];  /* the whole GRES string, for other GRES names */
	double limit;    /* seconds; -1: infinite */
	int up;
} slurm_part;
/* Parses sinfo's output; *out is malloc'd. */
int slurm_parse_sinfo(const char *text, slurm_part **out, size_t *n);
/* NULL if some node group of the partition (the node's, the settings',
 * else the default one) can meet the request; else why not (caller frees). */
char *slurm_request_fits(const slurm_part *parts, size_t n, const slurm_settings *s, const slurm_request *r);

#endif

/* ------------------------------------------------------------ executor */

struct run_state;
struct node;
struct sched_executor;
typedef struct weft_slurm weft_slurm;

/* The run's Slurm executor: parses `settings` (weft.yaml's `slurm:`) and
 * reads the partitions (sinfo). Fails when Slurm cannot be reached. */
int slurm_exec_new(weft_slurm **out, struct run_state *rs, const weft_value *settings);
/* Once the run has its id and loop: its job directory, the run's jobs
 * still in the queue when resuming (squeue), and the timer. */
int slurm_exec_start(weft_slurm *s);
const struct sched_executor *slurm_exec_executor(const weft_slurm *s);
uint32_t slurm_exec_queue_size(const weft_slurm *s);
/* NULL when a partition can run node `n` (its requests, its slurm map);
 * else why not, without the node's place (caller frees). */
char *slurm_exec_check(const weft_slurm *s, const struct node *n);
/* The loop is ending: stop the timer; commands under way finish. */
void slurm_exec_close(weft_slurm *s);
void slurm_exec_free(weft_slurm *s);
