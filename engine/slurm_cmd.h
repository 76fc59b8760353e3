/*
 * slurm_cmd.h -- Slurm's client commands, run with their output captured
 * and a deadline (slurm_cmd.c).
 */
#ifndef WEFT_SLURM_CMD_H
#define WEFT_SLURM_CMD_H

#include <uv.h>

typedef struct slurm_cmd_result {
	int status;      /* exit status; 128 + signal; -1: it could not start */
	int timed_out;   /* killed at its deadline */
	int spawn_error; /* libuv's error when it could not start */
	const char *out, *err; /* borrowed during the callback */
} slurm_cmd_result;
typedef void (*slurm_cmd_done)(void *arg, const slurm_cmd_result *r);

/* Runs argv (argv[0] looked up on PATH) from `loop`; `done` follows
 * exactly once, on the loop thread, even when it could not start. */
int slurm_cmd_start(uv_loop_t *loop, char *const *argv, double timeout, slurm_cmd_done done, void *arg);

/* The same, blocking; *out and *err are always set (caller frees). An
 * error when it could not run, timed out, or is not installed. */
int slurm_cmd_sync(char *const *argv, double timeout, char **out, char **err, int *status);

#endif
