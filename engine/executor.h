/*
 * executor.h -- the interface between the scheduler and whatever runs an
 * op: the thread pool, worker processes, a cluster, or a test's fake.
 */
#ifndef WEFT_EXECUTOR_H
#define WEFT_EXECUTOR_H

#include <stdint.h>

struct run_state;
struct weft_value;
struct json_t;

/*
 * An executor runs a node's op somewhere: on the thread pool, in a worker
 * process, on a cluster, or (in tests) nowhere at all. The scheduler hands
 * it a node that holds its resources; the executor reports through the
 * run's event table (rs->events, below): started when the op starts, and
 * finished, on the loop thread, when it ends. Cancel is cooperative; kill
 * (NULL when impossible) comes after the grace period.
 */
typedef struct sched_executor {
	const char *name;
	int own_process; /* the op runs in a process of its own (worker_pid) */
	int own_timeout; /* it enforces node timeouts itself (a queued job has not started) */
	int (*launch)(void *self, struct run_state *rs, uint32_t id);
	void (*cancel)(void *self, struct run_state *rs, uint32_t id);
	void (*kill)(void *self, struct run_state *rs, uint32_t id);
	void *self;
} sched_executor;

/*
 * What an executor tells the scheduler, and asks of it. Executors call
 * through this table (sched_exec.c fills it) rather than into the
 * scheduler by name, so that they sit below it: the cluster executor is
 * used by the scheduler, never the other way round.
 */
typedef struct sched_events {
	/* The node's op is starting now (RUNNING, attempt counted, journaled).
	 * Once per attempt, before its end can arrive. */
	void (*started)(struct run_state *rs, uint32_t id);
	/* On the loop thread: the attempt ended with `outputs` (taken; NULL on
	 * failure) or `error`; `cancelled` when it stopped because it was
	 * asked to. */
	void (*finished)(struct run_state *rs, uint32_t id, struct weft_value *outputs, const char *error,
			 int cancelled);
	/* The run message of node `id` for a worker or a cluster job;
	 * `local_devices`: its environment names the device ids it holds here. */
	struct json_t *(*job_message)(struct run_state *rs, uint32_t id, int local_devices);
} sched_events;

#endif
