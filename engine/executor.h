/*
 * executor.h -- the interface between the scheduler and whatever runs an
 * op: the thread pool, worker processes, a cluster, or a test's fake.
 */
#ifndef WEFT_EXECUTOR_H
#define WEFT_EXECUTOR_H

#include <stdint.h>

struct run_state;

/*
 * An executor runs a node's op somewhere: on the thread pool, in a worker
 * process, on a cluster, or (in tests) nowhere at all. The scheduler hands
 * it a node that holds its resources; the executor calls exec_started when
 * the op starts and exec_finished, on the loop thread, when it ends
 * (sched_state.h). Cancel is cooperative; kill (NULL when impossible) comes
 * after the grace period.
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

#endif
