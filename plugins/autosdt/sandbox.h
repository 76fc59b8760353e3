/*
 * sandbox.h -- runs one Python program the way a task is verified: in its
 * own directory, with no network, in a PID namespace of its own (so that
 * nothing it starts outlives it), under a wall-clock timeout and a limit on
 * the bytes it may write, with stdout and stderr in a log file.
 */
#ifndef AUTOSDT_SANDBOX_H
#define AUTOSDT_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

typedef struct sdt_run_opts {
	const char *python;      /* an interpreter: a path, or a name looked up in PATH */
	const char *const *argv; /* its arguments after the interpreter, NULL-terminated */
	const char *dir;         /* the working directory */
	const char *log_path;    /* stdout and stderr, appended */
	double timeout_s;        /* wall clock; <= 0: none */
	uint64_t max_output;     /* bytes the program may add under dir, and the largest file; 0: none */
	int isolate;             /* 1: no network and a PID namespace; 0: an ordinary child */
	const char *const *env;  /* extra NAME=VALUE entries, NULL-terminated, or NULL */
	int (*cancelled)(void *arg);
	void *cancel_arg;
} sdt_run_opts;

typedef struct sdt_run_result {
	int exited;      /* the program exited (code below) */
	int code;        /* its exit status */
	int signal;      /* the signal that ended it, or 0 */
	int timed_out;   /* stopped at the timeout */
	int over_size;   /* stopped at the output limit (or killed by SIGXFSZ) */
	int cancelled;   /* stopped because cancelled() said so */
	double seconds;  /* wall time */
	uint64_t written; /* bytes added under dir */
} sdt_run_result;

/* Runs it and fills *res. 0 when the program ran (whatever its outcome),
 * -1 with err set when it could not be started (no interpreter, no
 * namespaces to isolate it in: the message says what to do). */
int sdt_sandbox_run(const sdt_run_opts *o, sdt_run_result *res, char *err, size_t errlen);

/* One-line summary of a result ("exit 0 in 1.2 s", "killed at the 60 s
 * timeout", ...) into buf. */
const char *sdt_run_describe(const sdt_run_result *r, double timeout_s, uint64_t max_output, char *buf,
			     size_t len);

#endif
